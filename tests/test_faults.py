"""Faults: kill -9 mid-render, two renders at once, unwritable outputs — nothing lost, nothing corrupted."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from conftest import require_tool
from narrate.cache import TakeCache, wav_ok

PLACES = ["Mosul", "Raqqa", "Palmyra", "Homs", "Qayrawan", "Kirkuk", "Sinjar", "Hawija"]


def long_script(sentences: int, seed: int = 3) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(sentences):
        out.append(f"Report {i + 1}: forces moved {rng.randint(2, 90)}km toward {rng.choice(PLACES)} as the ISF and the PMU held the road.")
        if i % 3 == 2:
            out.append("\n\n")
    return " ".join(out).replace(" \n\n ", "\n\n") + "\n"


def narrate(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "narrate", *args], capture_output=True, text=True, env=env, timeout=300)


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "narrate", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)


def committed_takes(cache: Path) -> int:
    """Takes moved into place: the rename of the checked WAV is the commit (its metadata comes first)."""
    return len(list(cache.glob("takes/*/*/[0-9][0-9][0-9].wav")))


def timings(path: Path) -> list[dict[str, object]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    segs = data["segments"]
    assert isinstance(segs, list)
    return segs


def assert_same_track(a: Path, b: Path) -> None:
    ta, tb = timings(a.with_suffix(".timings.json")), timings(b.with_suffix(".timings.json"))
    assert [(c["id"], c["spoken"]) for c in ta] == [(c["id"], c["spoken"]) for c in tb]
    # espeak-ng's takes vary by a few milliseconds with what the process spoke before,
    # so cue lengths are compared with a tolerance and pauses exactly.
    for x, y in zip(ta, tb):
        dx = float(x["end_s"]) - float(x["start_s"])  # type: ignore[arg-type]
        dy = float(y["end_s"]) - float(y["start_s"])  # type: ignore[arg-type]
        assert abs(dx - dy) < max(0.08, 0.03 * dy), (x["id"], dx, dy)
    for (x1, x2), (y1, y2) in zip(zip(ta, ta[1:]), zip(tb, tb[1:])):
        gap_a = float(x2["start_s"]) - float(x1["end_s"])  # type: ignore[arg-type]
        gap_b = float(y2["start_s"]) - float(y1["end_s"])  # type: ignore[arg-type]
        assert abs(gap_a - gap_b) < 0.002
    assert wav_ok(a) is not None and wav_ok(b) is not None


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    require_tool("espeak-ng")
    require_tool("ffmpeg")
    e = dict(os.environ)
    e["NARRATE_CACHE_DIR"] = str(tmp_path / "cache")
    e.pop("NO_COLOR", None)
    return e


@pytest.mark.slow
def test_kill_9_at_random_moments_then_rerender_completes_and_reuses(tmp_path: Path, env: dict[str, str]) -> None:
    script = tmp_path / "long.txt"
    script.write_text(long_script(45), encoding="utf-8")
    reference_env = dict(env, NARRATE_CACHE_DIR=str(tmp_path / "ref-cache"))
    ref = narrate("render", str(script), "-o", str(tmp_path / "ref.wav"), "--jobs", "2", "--json", env=reference_env)
    assert ref.returncode == 0, ref.stderr
    total = json.loads(ref.stdout)["segments"]
    cache = Path(env["NARRATE_CACHE_DIR"])
    rng = random.Random(11)
    out = tmp_path / "out.wav"
    for trial in range(3):
        proc = start("render", str(script), "-o", str(out), "--jobs", "2", "--json", env=env)
        target = committed_takes(cache) + rng.randint(1, 12)
        deadline = time.monotonic() + 120
        while committed_takes(cache) < min(target, total) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        # Every take in the cache is whole and has its metadata; no stray temp file is taken for a
        # take. (Metadata a worker wrote for a take the kill kept from its rename is no take.)
        for wav in cache.glob("takes/*/*/[0-9][0-9][0-9].wav"):
            assert wav_ok(wav) is not None, f"trial {trial}: damaged take {wav}"
            assert wav.with_suffix(".json").exists(), f"trial {trial}: take {wav} without metadata"
        takes = TakeCache(cache)
        for d in cache.glob("takes/*/*"):
            assert all(wav_ok(t.path) is not None for t in takes.takes(d.name)), f"trial {trial}: {d}"
    before = committed_takes(cache)
    done = narrate("render", str(script), "-o", str(out), "--jobs", "2", "--json", env=env)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["reused"] >= min(before, total) - 1 and doc["reused"] + doc["synthesized"] == total
    assert_same_track(out, tmp_path / "ref.wav")


@pytest.mark.slow
def test_killed_rerender_leaves_the_previous_output_intact(tmp_path: Path, env: dict[str, str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text(long_script(12), encoding="utf-8")
    out = tmp_path / "s.mp3"
    first = narrate("render", str(script), "-o", str(out), "--json", env=env)
    assert first.returncode == 0, first.stderr
    before = out.read_bytes()
    for delay in (0.05, 0.3, 0.8):
        script.write_text(long_script(12, seed=int(delay * 100)), encoding="utf-8")
        proc = start("render", str(script), "-o", str(out), "--json", env=env)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        data = out.read_bytes()
        # Either the old track or a complete new one: never a half-written file.
        if data != before:
            probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(out)],
                                   capture_output=True, text=True)
            assert probe.returncode == 0 and float(probe.stdout) > 1
            before = data
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and "s.mp3" in p.name]
    # kill -9 while the track is encoded leaves the atomic writer's hidden temp file (".s.mp3.XXXX.part.mp3"); a
    # render now reaches encoding within the 0.8 s kill, so the check names that form exactly.
    assert all(re.fullmatch(r"\.s\.mp3\.\w+\.part(\.mp3)?|.*\.tmp", p) for p in leftovers), leftovers


HOLDER = """
import sys, time
path, how = sys.argv[1], sys.argv[2]
if how == "filelock":
    import filelock
    lock = filelock.FileLock(path)
    lock.acquire()
else:
    from narrate.cache import TakeCache
    from pathlib import Path
    held = TakeCache(Path(path).parent).lock()
    held.__enter__()
print("held", flush=True)
time.sleep(0.5)
open(path + ".released", "w").close()
lock.release() if how == "filelock" else held.__exit__(None, None, None)
time.sleep(1)
"""


@pytest.mark.parametrize("holder", ["narrate", "filelock"])
def test_the_cache_lock_waits_for_its_holder_and_says_so(tmp_path: Path, holder: str) -> None:
    # A render holding the cache (this version's flock, or an older one's filelock, which takes the same flock)
    # keeps another out until it lets go; the other says once that it waits.
    from narrate.cache import TakeCache

    cache = TakeCache(tmp_path / "cache")
    cache.ensure()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(cache.root / "lock"), holder], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        waits: list[str] = []
        with cache.lock(on_wait=lambda: waits.append("waiting")):
            # Only the holder's release lets us in, and it left this file just before.
            assert (cache.root / "lock.released").exists()
        assert waits == ["waiting"]
        with cache.lock(on_wait=lambda: waits.append("again")):  # free now: no wait
            pass
        assert waits == ["waiting"]
    finally:
        proc.kill()
        proc.wait()


def test_two_renders_at_once_share_the_cache_safely(tmp_path: Path, env: dict[str, str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text(long_script(10), encoding="utf-8")
    a = start("render", str(script), "-o", str(tmp_path / "a.wav"), "--json", env=env)
    b = start("render", str(script), "-o", str(tmp_path / "b.wav"), "--json", env=env)
    outs = [p.communicate(timeout=300) for p in (a, b)]
    assert a.returncode == 0 and b.returncode == 0, outs
    docs = [json.loads(o[0]) for o in outs]
    # One of them synthesized everything; the other (which waited) reused it all.
    assert sorted(d["synthesized"] for d in docs) == [0, docs[0]["segments"]]
    cache = Path(env["NARRATE_CACHE_DIR"])
    for meta in cache.glob("takes/*/*/[0-9][0-9][0-9].json"):
        assert wav_ok(meta.with_suffix(".wav")) is not None
    assert committed_takes(cache) == docs[0]["segments"]
    with wave.open(str(tmp_path / "a.wav")) as wa, wave.open(str(tmp_path / "b.wav")) as wb:
        assert wa.readframes(wa.getnframes()) == wb.readframes(wb.getnframes())


def test_read_only_output_folder_is_a_clear_error_and_the_cache_survives(tmp_path: Path, env: dict[str, str]) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    mounted = False
    if os.geteuid() == 0:
        # root ignores permission bits: a read-only mount is the real thing.
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True).returncode == 0
        if not mounted:
            pytest.skip("needs a read-only mount (root without mount rights)")
    else:
        ro.chmod(0o555)
    try:
        script = tmp_path / "s.txt"
        script.write_text("One sentence here. Another one there.\n", encoding="utf-8")
        ok = narrate("render", str(script), "--json", env=env)
        assert ok.returncode == 0, ok.stderr
        takes_before = committed_takes(Path(env["NARRATE_CACHE_DIR"]))
        bad = narrate("render", str(script), "-o", str(ro / "out.wav"), env=env)
        assert bad.returncode == 2
        assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
        assert "not writable" in bad.stderr or "read-only" in bad.stderr
        assert committed_takes(Path(env["NARRATE_CACHE_DIR"])) == takes_before
    finally:
        if mounted:
            subprocess.run(["umount", str(ro)], capture_output=True)


def test_full_disk_is_a_clear_error_and_the_cache_survives(tmp_path: Path, env: dict[str, str]) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)],
                                                   capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("needs root to mount a small tmpfs (a real full disk)")
    try:
        script = tmp_path / "s.txt"
        script.write_text(long_script(9), encoding="utf-8")
        ok = narrate("render", str(script), "--json", env=env)
        assert ok.returncode == 0, ok.stderr
        cache = Path(env["NARRATE_CACHE_DIR"])
        takes = committed_takes(cache)
        res = narrate("render", str(script), "-o", str(small / "out.wav"), env=env)
        assert res.returncode == 2, res.stderr
        assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
        assert "full" in res.stderr or "space" in res.stderr
        assert list(small.iterdir()) == []  # no half-written track left behind
        again = narrate("render", str(script), "--json", env=env)
        assert json.loads(again.stdout)["synthesized"] == 0 and committed_takes(cache) == takes
    finally:
        subprocess.run(["umount", str(small)], capture_output=True)


def group_gone(pgid: int, timeout: float = 10.0) -> bool:
    """Whether every process of the group ``pgid`` has ended (within ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_in_a_terminal_stops_the_render_in_one_line_and_keeps_its_takes(tmp_path: Path, env: dict[str, str],
                                                                             jobs: str) -> None:
    """Real engine. Ctrl-C in a terminal signals the command's whole process group, workers included, mostly while
    an engine speaks, whose callbacks from C drop an exception. The render stops with its one-line message and
    exit 130 (no traceback from the render or a worker, no "Exception ignored"), nothing of it runs on, and the
    next render reuses every take it finished."""
    from narrate.errors import INTERRUPTED

    script = tmp_path / "long.txt"
    script.write_text(long_script(45), encoding="utf-8")
    cache = Path(env["NARRATE_CACHE_DIR"])
    proc = start("render", str(script), "-o", str(tmp_path / "out.wav"), "--jobs", jobs, "--json", env=env)
    deadline = time.monotonic() + 120
    while committed_takes(cache) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip() == INTERRUPTED and out == ""
    assert group_gone(proc.pid)
    kept = committed_takes(cache)
    done = narrate("render", str(script), "-o", str(tmp_path / "out.wav"), "--jobs", jobs, "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reused"] == kept >= 3


WORKER_STARTING = """
import os, signal
from narrate.synth import WorkerPool
if __name__ == "__main__":
    pool = WorkerPool(2)
    executor = pool.get()  # the worker process is spawned, and still starting
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (this process is not the one under test)
    os.killpg(0, signal.SIGINT)  # the whole group, as a terminal's Ctrl-C
    try:
        print("answered", executor.submit(os.getpid).result(timeout=60) != os.getpid())
    except Exception as exc:
        print("died", type(exc).__name__)
    pool.close()
"""


def test_a_worker_still_starting_outlives_a_ctrl_c(tmp_path: Path, env: dict[str, str]) -> None:
    """A Ctrl-C that reaches a worker while it still imports (before it could ignore SIGINT itself) killed it, and
    the render reported a dead worker (exit 4) instead of stopping: workers start with SIGINT ignored."""
    probe = tmp_path / "probe.py"
    probe.write_text(WORKER_STARTING, encoding="utf-8")
    res = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True, env=env, timeout=120,
                         start_new_session=True)
    assert res.stdout.strip() == "answered True", res.stdout + res.stderr
