"""Fuzz the parser, planner and normalizer with hypothesis: report examples run and failures found.

    .venv/bin/python benchmarks/fuzz.py [--minutes 5] [--seed N]

Each round draws scripts mixing news tokens (numbers, units, money, dates,
acronyms, abbreviations, directives, markup) with arbitrary Unicode. A failure
is any exception other than a NarrateError, a lost word, markup reaching the
spoken text, or a call slower than 2 s.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from narrate.errors import NarrateError
from narrate.normalize import normalize_spans
from narrate.plan import plan_text
from narrate.script import parse_script

TOKENS = [
    "Dr.", "U.S.", "Gen.", "Lt. Col.", "3.5", "9%", "12.5%", "90km", "120mm", "(ISF)", "ISF's", "SVBIEDs", "—", "–", "...", "?", "!",
    "\n", "\n\n", "[voice default]", "[pause 1]", "[rate 150]", "---", "+++", "Voiceover by Ann", "PayPal", "\"", "’", "1991",
    "1990s", "2014–2017", "$4.5bn", "£1.2bn", "US$300m", "€5", "5:45 pm", "14:30", "10 a.m.", "II", "XIV", "MIX", "I", "1/2",
    "3/4", "No. 5", "#1", "24/7", "&", "southfront.org", "a@b.com", "March 3, 2017", "3 March 2017", "Oct. 12", "1st", "22nd",
    "21th", "10-15 km", "2–3 minutes", "°C", "-40", "1,200", "3,456,789", "<speak>", "[[h@'loU]]", "{{x}}", "🚀", "الموصل", "\t",
    "\n# ", "\n## ", "\n- ", "\n* ", "\n1. ", "\na) ", "**", "_", "`", "* * *", "45 W 34th St", "Austin, TX", "MD,", "#MeToo",
    "0600 hours", "2359Z", "MH370", "C-130", "50C", "6'2\"", "219-212", "y/y", "WWII", "Mon., Jan. 3", "March 1-3", "2017/18",
    "call 911", "ext. 123", "Lt Col", "3rd Bn", "NOT", "$1.2T", "1.2m bpd", "0.5pc", "Vol. II", "5km-long",
    "A40", "Class A", "A*", "NaCl", "H2SO4", "plutonium-239", "XBB.1.5", "S2E5", "F#", "B♭", "@BBC_News", "(D-Calif.)", "R-TX",
    "9.5-10%", "1-800-FLOWERS", "0800 123 4567", "100-98", "Q1-Q3", "3Q24", "Jan-Mar", "Mon-Fri", "Sept.", "v", "No 12", "No.1",
    "c.10%", "3 x 10^8", "1e-9", "10⁹", "EUR/USD", "Python 3.11", "9/10", "5/2", "140/90", "26/11", "C-311/18", "76ers", "1,000s",
    "-$45m", "Rs 20 crore", "R$2", "> $1bn", "14:00", "00:00", "3:43.13", "2h30m", "9.58s", "at 9.15 on Friday", "at 0930",
    "36°20′N", "M5.2", "3nm", "KYIV,", "FTSE", "Mr. and Mrs.", "Rt. Hon.", "(ret.)", "9th Cir.", "s.41", ".45 caliber",
]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
SCRIPT = st.lists(st.one_of(st.sampled_from(TOKENS), st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True), TEXT), max_size=80).map(" ".join)

stats = {"examples": 0, "failures": 0}
failures: list[str] = []


def check_one(text: str) -> None:
    stats["examples"] += 1
    started = time.perf_counter()
    try:
        try:
            parsed = parse_script(text, strict=False)
        except NarrateError:
            parsed = None
        if parsed is not None:
            for block in parsed.blocks:
                if block.kind == "paragraph":
                    assert " ".join(s.text for s in block.sentences).split() == block.text.split(), "parser lost words"
        norm = normalize_spans(text)
        assert "".join(p.text for p in norm.parts) == norm.spoken, "parts do not join to spoken"
        for sp in norm.spans:
            assert text[sp.start : sp.end] == sp.written, "span offsets wrong"
        try:
            plan = plan_text(text, strict=False)
        except NarrateError:
            plan = None
        if plan is not None:
            for seg in plan.narrated:
                assert not re.search(r"\[\[|\]\]|<speak|\{\{", seg.spoken), "markup reached the spoken text"
        elapsed = time.perf_counter() - started
        assert elapsed < 2.0, f"slow: {elapsed:.2f} s"
    except Exception:
        stats["failures"] += 1
        if len(failures) < 20:
            failures.append(f"{text!r}\n{traceback.format_exc(limit=3)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    deadline = time.monotonic() + args.minutes * 60
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        seed = (args.seed or 0) + rounds if args.seed is not None else None

        @settings(max_examples=500, deadline=None, database=None, derandomize=False, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(SCRIPT)
        def round_(text: str) -> None:
            check_one(text)

        if seed is not None:
            round_ = __import__("hypothesis").seed(seed)(round_)
        round_()
    print(f"fuzz: {stats['examples']} examples in {args.minutes:g} min, {stats['failures']} failures")
    for f in failures:
        print("---", f, sep="\n")
    return 1 if stats["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
