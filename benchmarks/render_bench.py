"""Render speed against raw espeak-ng on the same text, measured in one run.

    .venv/bin/python benchmarks/render_bench.py [--words 5000] [--repeat 5]

Prints three ratios (medians of --repeat runs):
  cold render --jobs 2 / raw `espeak-ng -w out.wav -f text`   (goal <= 1.3)
  re-render after one edited sentence / cold render            (goal <= 0.05)
  cold --jobs 1 / cold --jobs 2                                 (goal >= 1.7)

Renders run as a user's do: with the narrate server (narrate.server) that the first render starts,
here started before the first repeat in a folder of the bench's own (its start is printed).
The re-render is measured three ways: a fresh `narrate render` command (handed to the server), the
same with the server off (NARRATE_SERVER=0: the command renders in its own process), and
`narrate watch` (one process that renders again on every save): from the moment the edited script
is written to the moment watch prints the render's JSON line, the new track in place.

Two references are measured in the same run, so the figures can be read against this machine:
  - what two cores give the bare engine: raw espeak-ng on the two halves of the text in two processes
    at once, against the same two one after the other (the ceiling of any --jobs 2 speed-up here);
  - the floor of a fresh process: an interpreter that imports what a render imports and starts the
    engine, then exits (what any re-render in a process of its own costs before it does any work);
    and the floor of a command the server runs: an interpreter that imports what the command's
    client half imports and finds the server's socket.
jobs 1 and jobs 2 run in alternating order from repeat to repeat, so a drift in the machine's speed
within a repeat favours neither.

Each ratio is the median of the ratios within each repeat (its runs follow one another), which
this shared machine's drifting speed (raw espeak-ng took 2.2-3.9 s for the same text within an
hour) disturbs less than a ratio of medians; every run's times are printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Seconds between a render and the timed re-render after it (see where it is used).
SETTLE_S = 1.0
NARRATE = [sys.executable, "-m", "narrate"]

WORDS = (
    "forces advanced against militants near the border while officials said the offensive would continue "
    "through the week and aid groups warned that thousands of families had fled their homes in the province "
    "government troops recaptured several villages after heavy clashes and reports indicated that artillery "
    "struck positions along the highway as commanders promised to restore order in the city before winter"
).split()
PLACES = ["Mosul", "Raqqa", "Palmyra", "Homs", "Qayrawan", "Tal Afar", "Deir ez-Zor", "Sinjar", "Kirkuk", "Hawija"]


def make_script(words: int, seed: int = 7) -> str:
    """A news-like script of about ``words`` words; every sentence unique, with numbers and acronyms."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    n = 0
    while total < words:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            n += 1
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
            extra = rng.choice([f"{rng.randint(2, 99)}km from {rng.choice(PLACES)}", f"{rng.randint(1, 60)}% of the ISF",
                                f"the PMU in {rng.choice(PLACES)}", f"{rng.randint(100, 9000)} people"])
            s = f"Report {n}: {body} {extra}."
            sentences.append(s[0].upper() + s[1:])
            total += len(s.split())
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, dict[str, object]]:
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    doc = json.loads(out.stdout) if out.stdout.strip().startswith("{") else {}
    return elapsed, doc


def watch_edit(script: Path, original: str, out: Path, env: dict[str, str], edit: str) -> float:
    """Seconds from saving one edited sentence to ``narrate watch`` reporting the new track."""
    proc = subprocess.Popen(NARRATE + ["watch", str(script), "-o", str(out), "--jobs", "2", "--json", "--no-subtitles"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None

    def next_render() -> dict[str, object]:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise SystemExit(f"narrate watch stopped: {proc.stderr.read() if proc.stderr else ''}")
        doc: dict[str, object] = json.loads(line)
        if "error" in doc:
            raise SystemExit(f"narrate watch: {doc['error']}")
        return doc

    try:
        next_render()  # the first render, when it starts
        time.sleep(SETTLE_S)
        t = time.perf_counter()
        script.write_text(original.replace("Report 7:", edit, 1), encoding="utf-8")
        doc = next_render()
        elapsed = time.perf_counter() - t
        assert doc.get("synthesized") == 1, doc
        script.write_text(original, encoding="utf-8")
        next_render()
    finally:
        script.write_text(original, encoding="utf-8")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    return elapsed


def two_core_gain(espeak: str, halves: list[Path], work: Path) -> float:
    """Raw espeak-ng on the two halves one after the other, over the same two in two processes at once."""
    outs = [work / "half-1.wav", work / "half-2.wav"]
    t = time.perf_counter()
    for half, out in zip(halves, outs):
        subprocess.run([espeak, "-w", str(out), "-f", str(half)], check=True, capture_output=True)
    one = time.perf_counter() - t
    t = time.perf_counter()
    procs = [subprocess.Popen([espeak, "-w", str(out), "-f", str(half)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for half, out in zip(halves, outs)]
    if any(p.wait() != 0 for p in procs):
        raise SystemExit("espeak-ng failed on a half of the text")
    return one / (time.perf_counter() - t)


#: What every render process does before its own work: start, import the render's modules, start the engine.
_FLOOR = """
import sys
from pathlib import Path
import narrate.cli, narrate.render, narrate.stitch
from narrate.plan import Voices
from narrate.synth import engine_version
profile = Voices(Path(sys.argv[1]).resolve().parent).get("default")
engine_version(profile.engine)
"""


#: What a command the server runs does in its own process besides waiting: start, import the client half, find the socket.
_CLIENT_FLOOR = """
import narrate.cli, narrate.server
narrate.server.paths()
"""


def fresh_floor(script: Path, env: dict[str, str], code: str = _FLOOR) -> float:
    """Seconds a new process needs before a render does anything (the least any fresh re-render costs)."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(script)], env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    espeak = shutil.which("espeak-ng")
    if not espeak:
        raise SystemExit("espeak-ng is not installed")
    # narrate's bytecode as bin/setup leaves it: with PYTHONDONTWRITEBYTECODE set, a module edited since the last
    # setup is otherwise compiled from source again by every process the bench starts (~0.1-0.2 s each).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "narrate")], check=True, capture_output=True)
    work = Path(tempfile.mkdtemp(prefix="narrate-bench-"))
    script = work / "bench.txt"
    script.write_text(make_script(args.words), encoding="utf-8")
    env = dict(os.environ)
    env.pop("NARRATE_CACHE_DIR", None)
    env.update(NARRATE_SERVER="1", NARRATE_SERVER_DIR=str(work / "server"))
    t = time.perf_counter()
    subprocess.run(NARRATE + ["server", "start"], env=env, check=True, capture_output=True)
    server_start = time.perf_counter() - t

    # The same words the engine will speak, for raw espeak-ng.
    spoken = subprocess.run(NARRATE + ["segments", str(script), "--json"], capture_output=True, text=True, check=True, env=env)
    plan = json.loads(spoken.stdout)["segments"]
    text = work / "spoken.txt"
    text.write_text("\n".join(s["spoken"] for s in plan if s["kind"] == "narration"), encoding="utf-8")
    words = sum(len(s["spoken"].split()) for s in plan if s["kind"] == "narration")

    # The two halves of the same text, at a paragraph boundary near the middle, for the parallel reference.
    lines = text.read_text(encoding="utf-8").splitlines()
    halves = [work / "half-1.txt", work / "half-2.txt"]
    halves[0].write_text("\n".join(lines[: len(lines) // 2]), encoding="utf-8")
    halves[1].write_text("\n".join(lines[len(lines) // 2 :]), encoding="utf-8")

    raw, cold2, cold1, edit, watched, machine, floor = [], [], [], [], [], [], []
    own, client_floor = [], []
    audio_s = 0.0
    for i in range(args.repeat):
        t = time.perf_counter()
        subprocess.run([espeak, "-w", str(work / "raw.wav"), "-f", str(text)], check=True, capture_output=True)
        raw.append(time.perf_counter() - t)
        machine.append(two_core_gain(espeak, halves, work))
        floor.append(fresh_floor(script, env))
        client_floor.append(fresh_floor(script, env, _CLIENT_FLOOR))
        order = ((2, cold2), (1, cold1)) if i % 2 == 0 else ((1, cold1), (2, cold2))
        for jobs, bucket in order:
            env["NARRATE_CACHE_DIR"] = str(work / f"cache-{jobs}-{i}")
            elapsed, doc = timed(NARRATE + ["render", str(script), "-o", str(work / f"out-{jobs}.wav"), "--jobs", str(jobs), "--json", "--no-subtitles"], env)
            bucket.append(elapsed)
            audio_s = float(doc.get("duration_s", 0.0))
        # Edit one sentence, re-render with the jobs-2 cache. A second first, as a producer listens before an edit:
        # the cold renders' replaced 100 MB tracks are being freed in the background (ext4 frees a file's blocks
        # when it is unlinked), which otherwise lands in the re-render's time.
        env["NARRATE_CACHE_DIR"] = str(work / f"cache-2-{i}")
        time.sleep(SETTLE_S)
        original = script.read_text(encoding="utf-8")
        script.write_text(original.replace("Report 7:", f"Report seven, edit {i}:", 1), encoding="utf-8")
        # Into the same track the jobs-2 render wrote, as a producer re-renders.
        elapsed, doc = timed(NARRATE + ["render", str(script), "-o", str(work / "out-2.wav"), "--jobs", "2", "--json", "--no-subtitles"], env)
        assert doc.get("synthesized") == 1, doc
        edit.append(elapsed)
        # The same, rendered by the command itself.
        time.sleep(SETTLE_S)
        script.write_text(original.replace("Report 7:", f"Report seven, own {i}:", 1), encoding="utf-8")
        elapsed, doc = timed(NARRATE + ["render", str(script), "-o", str(work / "out-2.wav"), "--jobs", "2", "--json", "--no-subtitles"],
                             dict(env, NARRATE_SERVER="0"))
        assert doc.get("synthesized") == 1, doc
        own.append(elapsed)
        script.write_text(original, encoding="utf-8")
        watched.append(watch_edit(script, original, work / "out-2.wav", env, f"Report seven, watched {i}:"))

    med = statistics.median

    def runs(xs: list[float]) -> str:
        return " / ".join(f"{x:.2f}" for x in xs)

    print(f"script: {words} spoken words, {audio_s / 60:.1f} min of audio; {os.cpu_count()} cores; {args.repeat} repeats")
    print(f"raw espeak-ng -w -f          {runs(raw)} s  ({audio_s / med(raw):.0f}x real time)")
    print(f"narrate render --jobs 2 cold {runs(cold2)} s")
    print(f"narrate render --jobs 1 cold {runs(cold1)} s")
    print(f"re-render, one edited line   {runs(edit)} s  (a narrate render command, run by the server)")
    print(f"  the server off             {runs(own)} s  (NARRATE_SERVER=0: in the command's own process)")
    print(f"  in a running narrate watch {runs(watched)} s")
    print(f"fresh-process floor          {runs(floor)} s  (interpreter, a render's imports, engine start)")
    print(f"client floor                 {runs(client_floor)} s  (interpreter, the client half's imports, the socket's path)")
    print(f"server start                 {server_start:.2f} s  (once, before the first repeat)")
    ratio = [c / r for c, r in zip(cold2, raw)]
    speedup = [c1 / c2 for c1, c2 in zip(cold1, cold2)]
    fraction = [e / c for e, c in zip(edit, cold2)]
    print(f"cold --jobs 2 / raw espeak-ng: {med(ratio):.2f}  (per repeat {runs(ratio)}; goal <= 1.3)")
    print(f"--jobs 2 speed-up over --jobs 1: {med(speedup):.2f}x  (per repeat {runs(speedup)}; goal >= 1.7)")
    print(f"  two cores for raw espeak-ng:  {med(machine):.2f}x  (per repeat {runs(machine)}; the halves at once vs one after the other)")
    share = [s / m for s, m in zip(speedup, machine)]
    print(f"  narrate's speed-up / the bare engine's: {med(share):.2f}  (per repeat {runs(share)})")
    print(f"re-render / cold: {med(fraction):.3f}  (per repeat {runs(fraction)}; goal <= 0.05)")
    cfraction = [f / c for f, c in zip(client_floor, cold2)]
    print(f"  a command's floor / cold: {med(cfraction):.3f}  (per repeat {runs(cfraction)})")
    ofraction = [o / c for o, c in zip(own, cold2)]
    print(f"re-render with the server off / cold: {med(ofraction):.3f}  (per repeat {runs(ofraction)})")
    ffraction = [f / c for f, c in zip(floor, cold2)]
    print(f"  a fresh process's floor / cold: {med(ffraction):.3f}  (per repeat {runs(ffraction)})")
    wfraction = [w / c for w, c in zip(watched, cold2)]
    print(f"re-render in narrate watch / cold: {med(wfraction):.3f}  (per repeat {runs(wfraction)}; goal <= 0.05)")
    subprocess.run(NARRATE + ["server", "stop"], env=env, check=False, capture_output=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
