"""Score narrate's normalizer on NeMo's English text-normalization test cases, and time it on a 50,000-word script.

Usage: python benchmarks/tn_peer.py [--suite ../shared/peer-suites/nemo-en-tn] [--all] [--no-and] [--show-failures CLASS]

Scored twice: first with NeMo's conventions (number_and=True, "one hundred and twenty", which its answers use;
ungrouped_as_digits=True, for NeMo reads an ungrouped number of five or more digits digit by digit, as copy that
groups its quantities means it), then with narrate's defaults (American numbers, ungrouped numbers as counts). Both
put the British "and" only before the tens and units of the last thousand ("one hundred twenty three million one
hundred twenty three thousand", "eighteen thousand and eighty one"), so the American score differs from NeMo's
mostly by that word. A case passes "exact" when the output equals any
accepted answer after lowercasing, deleting punctuation and collapsing whitespace; "phoneme" when espeak-ng
gives the output and an accepted answer the same phonemes (stress marks and word boundaries ignored: "P M"
and "PM" are the same sounds); "combined" when either holds (issue 3's measure).
"""

from __future__ import annotations

import argparse
import re
import shutil
import string
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from narrate.normalize import NormalizeOptions, normalize  # noqa: E402

NEWS = ("cardinal", "decimal", "measure", "money", "ordinal", "date", "time", "range", "whitelist")
_PUNCT = str.maketrans("", "", string.punctuation + "‘’“”–—")
_SENTINEL = "zugzwang"


def canon(text: str) -> str:
    return " ".join(text.lower().translate(_PUNCT).split())


def load(path: Path) -> list[tuple[str, list[str]]]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "~" not in line:
            continue
        written, *answers = line.split("~")
        cases.append((written, answers))
    return cases


def phonemes(texts: list[str], espeak: str) -> list[str]:
    """espeak-ng phonemes of each text, in one espeak-ng call per 400 texts (a sentinel word separates them)."""
    marker = _key(subprocess.run([espeak, "-q", "-x", _SENTINEL], capture_output=True, text=True, check=True).stdout)
    out: list[str] = []
    for i in range(0, len(texts), 400):
        chunk = texts[i : i + 400]
        joined = f"\n{_SENTINEL}.\n".join(t.replace("\n", " ") + "." for t in chunk)
        raw = subprocess.run([espeak, "-q", "-x"], input=joined, capture_output=True, text=True, check=True).stdout
        pieces = _key(raw).split(marker)
        if len(pieces) != len(chunk):  # a text swallowed the sentinel; fall back to one call each
            pieces = [_key(subprocess.run([espeak, "-q", "-x", t], capture_output=True, text=True, check=True).stdout) for t in chunk]
        out += pieces
    return out


def _key(ph: str) -> str:
    return re.sub(r"[\s',%=_]|:(?=_)", "", ph.replace("_:", "").replace("_!", ""))


Score = tuple[int, int, int, int]  # exact, phoneme, combined (either), cases


def score(suite: Path, classes: list[str], options: NormalizeOptions, espeak: str | None, show: str | None) -> dict[str, Score]:
    """Per class: cases passed exactly, by phonemes, by either, and the number of cases."""
    results: dict[str, Score] = {}
    for cls in classes:
        cases = load(suite / f"test_cases_{cls}.txt")
        outputs = [normalize(w, options=options) for w, _ in cases]
        exact = [any(canon(o) == canon(a) for a in answers) for o, (_, answers) in zip(outputs, cases, strict=True)]
        sounds = [False] * len(cases)
        if espeak:
            ph = phonemes(outputs + [a for _, answers in cases for a in answers], espeak)
            out_ph, ans_ph = ph[: len(cases)], ph[len(cases) :]
            k = 0
            for i, (_, answers) in enumerate(cases):
                sounds[i] = out_ph[i] in ans_ph[k : k + len(answers)]
                k += len(answers)
        either = [e or p for e, p in zip(exact, sounds, strict=True)]
        if show in (cls, "all"):
            for (w, answers), o, ok, snd in zip(cases, outputs, exact, sounds, strict=True):
                if not ok:
                    print(f"  {'~' if snd else 'x'} {cls}: {w!r} -> {o!r}  (expected {answers[0]!r})")
        results[cls] = (sum(exact), sum(sounds), sum(either), len(cases))
    return results


def report(title: str, res: dict[str, Score]) -> None:
    def cell(k: int, n: int) -> str:
        return f"{k:>4}/{n:<4}{100 * k / n:5.1f}%"

    print(f"{title:<16} {'exact':>14} {'phoneme':>14} {'combined':>14}")
    rows = list(res.items()) + [("total", tuple(sum(v[i] for v in res.values()) for i in range(4)))]
    for cls, (ok, snd, either, n) in rows:
        print(f"  {cls:<14} {cell(ok, n)}  {cell(snd, n)}  {cell(either, n)}")


def speed(options: NormalizeOptions) -> tuple[int, float, float]:
    """Words, seconds for the whole text in one call, seconds sentence by sentence (as the pipeline calls it)."""
    seed = ROOT.parent / "shared" / "seed" / "mosul-report.txt"
    base = seed.read_text(encoding="utf-8") if seed.exists() else "ISF troops took 4 SVBIEDs 90km west of Mosul on March 3, 2017. "
    text = base
    while len(text.split()) < 50_000:
        text += "\n\n" + base
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n\s*\n", text) if s.strip()]
    normalize("warm up: 1 ISF", options=options)
    t0 = time.perf_counter()
    normalize(text, options=options)
    whole = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s in sentences:
        normalize(s, options=options)
    per_sentence = time.perf_counter() - t0
    return len(text.split()), whole, per_sentence


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", type=Path, default=ROOT.parent / "shared" / "peer-suites" / "nemo-en-tn")
    ap.add_argument("--all", action="store_true", help="also score the other classes")
    ap.add_argument("--no-and", action="store_true", help='score the American default first (and show its failures); NeMo says "one hundred and twenty"')
    ap.add_argument("--no-espeak", action="store_true", help="skip the phoneme comparison")
    ap.add_argument("--show-failures", metavar="CLASS", help="print failing cases of CLASS (or 'all')")
    args = ap.parse_args()
    if not args.suite.is_dir():
        print(f"no peer suite at {args.suite}", file=sys.stderr)
        return 2
    espeak = None if args.no_espeak else shutil.which("espeak-ng")
    if espeak is None:
        print("phoneme comparison off (no espeak-ng): the phoneme column is zero, combined is exact")
    others = sorted(p.stem[len("test_cases_") :] for p in args.suite.glob("test_cases_*.txt")) if args.all else []
    others = [c for c in others if c not in NEWS and c != "normalize_with_audio"]
    conventions = [("NeMo's convention (number_and=True: 'one hundred and twenty'; ungrouped_as_digits=True: '80417' a code)",
                    NormalizeOptions(number_and=True, ungrouped_as_digits=True)),
                   ("narrate's American default (number_and=False: 'one hundred twenty'; '80417' a count)", NormalizeOptions())]
    if args.no_and:
        conventions.reverse()
    for label, options in conventions:
        print(f"== {label}")
        for title, classes in (("news classes", list(NEWS)), ("other classes", others)):
            if classes:
                report(title, score(args.suite, classes, options, espeak, args.show_failures if options is conventions[0][1] else None))
    options = conventions[0][1]
    words, whole, per_sentence = speed(options)
    print(f"speed: {words} words in {whole:.3f} s as one text ({words / whole:,.0f} words/s), "
          f"{per_sentence:.3f} s sentence by sentence ({words / per_sentence:,.0f} words/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
