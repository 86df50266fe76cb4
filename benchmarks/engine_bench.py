"""Per-take overhead and throughput of each engine against one raw `espeak-ng -w` call on the whole text.

Usage: python benchmarks/engine_bench.py [--sentences 300] [--repeat 3] [--engines espeak-ng,pyttsx3,espeak-ng-cli]

Each engine runs in its own spawned process (one engine per process, as in a
render), synthesising the same sentences one take each; ``espeak-ng-cli`` is a
subprocess per take, the alternative the espeak-ng engine was chosen against.
Times are the median of ``--repeat`` runs; ratios are against the raw call.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

RATE = 175  # espeak-ng's own default, so the raw call and the engines speak at the same pace

SUBJECTS = ["The minister", "A spokesperson for the council", "Local residents", "The regional health board",
            "Union leaders", "The central bank", "Police in the northern district", "Scientists at the university"]
VERBS = ["said on Tuesday that", "warned this morning that", "confirmed late last night that", "announced that"]
CLAUSES = ["the new bridge will open to traffic before the end of the summer",
           "funding for the rural bus routes would be cut by four percent next year",
           "water levels in the reservoir remain well below the seasonal average",
           "talks with the transport operators will resume after the holiday weekend",
           "the hospital expects to clear its waiting list within eighteen months",
           "interest rates are likely to stay unchanged until the spring",
           "the investigation into the warehouse fire is still at an early stage",
           "more than two thousand volunteers had signed up to help with the clean up"]


def sentences(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    return [f"{rnd.choice(SUBJECTS)} {rnd.choice(VERBS)} {rnd.choice(CLAUSES)}." for _ in range(n)]


def _audio_s(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def raw_espeak(text_file: Path, out: Path) -> tuple[float, float]:
    exe = shutil.which("espeak-ng")
    assert exe, "espeak-ng is not installed"
    t = time.perf_counter()
    subprocess.run([exe, "-s", str(RATE), "-w", str(out), "-f", str(text_file)], check=True)
    return time.perf_counter() - t, _audio_s(out)


def _run_engine(name: str, texts: list[str], folder: str, queue: "mp.Queue[tuple[float, float, float]]") -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from narrate.engines import VoiceSettings, create_engine
    from narrate.models import SpokenPart

    t0 = time.perf_counter()
    engine = create_engine(name)
    startup = time.perf_counter() - t0
    settings = VoiceSettings(voice="en", rate=RATE)
    audio = 0.0
    t = time.perf_counter()
    for i, text in enumerate(texts):
        take = engine.synthesize((SpokenPart(text),), settings, Path(folder) / f"{i:04d}.wav")
        audio += take.duration_s
    queue.put((startup, time.perf_counter() - t, audio))
    engine.close()


def _run_cli(texts: list[str], folder: str) -> tuple[float, float, float]:
    exe = shutil.which("espeak-ng")
    assert exe
    audio = 0.0
    t = time.perf_counter()
    for i, text in enumerate(texts):
        out = Path(folder) / f"{i:04d}.wav"
        subprocess.run([exe, "-s", str(RATE), "-w", str(out), "--", text], check=True)
        audio += _audio_s(out)
    return 0.0, time.perf_counter() - t, audio


def measure(name: str, texts: list[str]) -> tuple[float, float, float]:
    """(startup s, synthesis s, audio s) for one engine in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        if name == "espeak-ng-cli":
            return _run_cli(texts, folder)
        ctx = mp.get_context("spawn")
        queue: mp.Queue[tuple[float, float, float]] = ctx.Queue()
        proc = ctx.Process(target=_run_engine, args=(name, texts, folder, queue))
        proc.start()
        result = queue.get(timeout=600)
        proc.join()
        return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", default="espeak-ng,pyttsx3,espeak-ng-cli")
    args = ap.parse_args()
    texts = sentences(args.sentences)
    words = sum(len(t.split()) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        text_file = Path(tmp) / "text.txt"
        text_file.write_text(" ".join(texts) + "\n", encoding="utf-8")
        raw_runs = [raw_espeak(text_file, Path(tmp) / "raw.wav") for _ in range(args.repeat)]
    raw_s = statistics.median(r[0] for r in raw_runs)
    raw_audio = raw_runs[0][1]
    print(f"{len(texts)} takes, {words} words, {raw_audio / 60:.1f} min of audio at {RATE} wpm")
    print(f"raw espeak-ng -w -f (one call): {raw_s:.3f} s ({raw_audio / raw_s:.0f}x real time)")
    print(f"{'engine':<15} {'startup s':>9} {'total s':>8} {'per take ms':>11} {'overhead ms/take':>16} {'x real time':>11} {'vs raw':>7}")
    for name in [n.strip() for n in args.engines.split(",") if n.strip()]:
        runs = [measure(name, texts) for _ in range(args.repeat)]
        startup = statistics.median(r[0] for r in runs)
        total = statistics.median(r[1] for r in runs)
        audio = runs[0][2]
        per_take = total / len(texts) * 1000
        overhead = (total - raw_s * audio / raw_audio) / len(texts) * 1000
        print(f"{name:<15} {startup:>9.3f} {total:>8.3f} {per_take:>11.2f} {overhead:>16.2f} {audio / total:>11.0f} {total / raw_s:>6.2f}x")


if __name__ == "__main__":
    main()
