"""`narrate watch`: a real engine and real files; each save renders again, in one process."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from conftest import require_tool
from narrate.watch import Waker, _changing, fingerprint, input_files

SCRIPT = """Forces advanced on Mosul at dawn. They took 3 villages.

The PMU moved 12km west of Tal Afar. Aid groups warned of shortages.

Officials expect the offensive to last weeks.
"""


class Watch:
    """A running `narrate watch --json` whose renders are read line by line."""

    def __init__(self, script: Path, out: Path, env: dict[str, str], *extra: str, session: bool = False) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "narrate", "watch", str(script), "-o", str(out), "--json", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=session)

    def next(self, timeout: float = 120.0) -> dict[str, object]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, "narrate watch reported nothing in time"
        line = self.proc.stdout.readline()
        assert line, f"narrate watch ended: {self.proc.stderr.read() if self.proc.stderr else ''}"
        doc = json.loads(line)
        assert isinstance(doc, dict)
        return doc

    def quiet_for(self, seconds: float) -> bool:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], seconds)
        return not ready

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    require_tool("espeak-ng")
    e = dict(os.environ)
    e["NARRATE_CACHE_DIR"] = str(tmp_path / "cache")
    return e


def wav_seconds(path: Path) -> tuple[float, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.getnframes() / w.getframerate(), w.getframerate()


def save(path: Path, text: str) -> None:
    """Write as an editor does; the modification time moves on even within the clock's tick."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_watch_renders_at_start_then_on_each_save_until_interrupted(tmp_path: Path, env: dict[str, str]) -> None:
    script, out = tmp_path / "news.txt", tmp_path / "news.wav"
    script.write_text(SCRIPT, encoding="utf-8")
    w = Watch(script, out, env, "--jobs", "1")
    try:
        first = w.next()
        assert (first["segments"], first["synthesized"], first["reused"]) == (5, 5, 0)
        seconds, rate = wav_seconds(out)
        assert rate == 22050 and seconds == pytest.approx(float(first["duration_s"]), abs=0.01)
        assert w.quiet_for(1.5), "nothing changed, yet watch rendered again"

        # One edited sentence: exactly it is synthesized; the track is whole and longer.
        save(script, SCRIPT.replace("They took 3 villages.", "They took 3 villages and two bridges over the river."))
        edited = w.next()
        assert (edited["synthesized"], edited["reused"]) == (1, 4)
        seconds2, _ = wav_seconds(out)
        assert seconds2 == pytest.approx(float(edited["duration_s"]), abs=0.01)
        assert seconds2 > seconds + 0.5
        good = out.read_bytes()

        # A save with a mistake is reported on its line, the track left as it was, and the watch goes on.
        broken = SCRIPT.replace("Officials expect", "[volume 3]\n\nOfficials expect")
        save(script, broken)
        error = w.next()
        assert error["exit_code"] == 2 and "unknown directive" in str(error["error"])
        assert out.read_bytes() == good

        # Fixed: nothing new to synthesize; a project lexicon saved beside it re-renders the segments it changes.
        save(script, SCRIPT)
        back = w.next()
        assert (back["synthesized"], back["reused"]) == (0, 5)
        assert wav_seconds(out)[0] == pytest.approx(seconds, abs=0.01)
        save(tmp_path / "lexicon.toml", '[terms]\n"Mosul" = { say = "Mowsil" }\n')
        lex = w.next()
        assert (lex["synthesized"], lex["reused"]) == (1, 4)
    finally:
        code, err = w.stop()
    assert code == 0 and "stopped watching" in err
    assert "Traceback" not in err
    time.sleep(0.5)  # the replaced tracks are unlinked in the background
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert left == [], left


def test_ctrl_c_in_a_terminal_stops_a_watch_whose_worker_waits(tmp_path: Path, env: dict[str, str]) -> None:
    """Real engine, --jobs 2: after its first render the watch's worker process waits for work. Ctrl-C in a terminal
    signals the whole process group: the watch says it stopped, exit 0, no worker prints a traceback, none runs on."""
    from test_faults import group_gone

    script, out = tmp_path / "news.txt", tmp_path / "news.wav"
    script.write_text(SCRIPT, encoding="utf-8")
    w = Watch(script, out, env, "--jobs", "2", session=True)
    first = w.next()
    assert first["synthesized"] == 5  # (five takes: the render used its worker)
    os.killpg(w.proc.pid, signal.SIGINT)
    _, err = w.proc.communicate(timeout=60)
    assert w.proc.returncode == 0 and err.strip() == "narrate: stopped watching; finished takes are kept", err
    assert group_gone(w.proc.pid)


def test_watch_sees_a_take_damaged_behind_its_back(tmp_path: Path, env: dict[str, str]) -> None:
    # The process keeps take lookups in memory: a take truncated on disk must still be made again.
    script, out = tmp_path / "news.txt", tmp_path / "news.wav"
    script.write_text(SCRIPT, encoding="utf-8")
    w = Watch(script, out, env, "--jobs", "1")
    try:
        assert w.next()["synthesized"] == 5
        [take] = [p for p in (tmp_path / "cache" / "takes").glob("*/*/001.wav")][:1]
        data = take.read_bytes()
        take.write_bytes(data[: len(data) // 2])
        save(script, SCRIPT)  # the same text, saved again
        again = w.next()
        assert (again["synthesized"], again["reused"]) == (1, 4)
        assert wav_seconds(out)[0] == pytest.approx(float(again["duration_s"]), abs=0.01)
    finally:
        code, err = w.stop(signal.SIGTERM)
    assert code == 0 and "stopped watching" in err


def test_watch_of_a_missing_script_is_one_line_and_exit_2(tmp_path: Path, env: dict[str, str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "narrate", "watch", str(tmp_path / "nope.txt")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "nope.txt" in proc.stderr and "Traceback" not in proc.stderr


def test_the_inputs_cover_script_profiles_and_lexicons(tmp_path: Path) -> None:
    script = tmp_path / "a.txt"
    script.write_text("Hello.\n", encoding="utf-8")
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "mine.toml").write_text('engine = "espeak-ng"\nlexicons = ["extra.toml"]\n', encoding="utf-8")
    files = input_files(script)
    assert script in files and tmp_path / "lexicon.toml" in files
    assert tmp_path / "voices" / "mine.toml" in files
    assert (tmp_path / "voices" / "extra.toml").resolve() in files
    before = fingerprint(files)
    assert fingerprint(files) == before
    (tmp_path / "voices" / "extra.toml").write_text("[terms]\n", encoding="utf-8")  # a lexicon appears
    assert fingerprint(files) != before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_the_waker_wakes_on_a_save_and_not_otherwise(tmp_path: Path) -> None:
    waker = Waker([tmp_path])
    try:
        assert waker.complete and tmp_path in waker.watched.values()
        t = time.perf_counter()
        waker.wait(0.3)
        assert time.perf_counter() - t >= 0.25  # nothing happened: it timed out
        a = tmp_path / "a.txt"
        with open(a, "w", encoding="utf-8") as f:  # a save in progress: being written, not yet whole
            f.write("half")
            f.flush()
            t = time.perf_counter()
            waker.wait(5.0)
            assert time.perf_counter() - t < 1.0
            assert a in waker.writing
        waker.wait(5.0)  # closed: whole
        assert a not in waker.writing
        tmp = tmp_path / ".a.txt.swp"
        tmp.write_text("whole", encoding="utf-8")
        os.replace(tmp, a)  # an editor's save through a new file
        waker.wait(5.0)
        waker.drain()
        assert waker.writing == set()
    finally:
        waker.close()


def test_a_failed_render_is_reported_only_once_the_inputs_hold_still(tmp_path: Path) -> None:
    """A save caught half-done (emptied, not yet written) fails to render; it is not reported if the file changes
    within a moment, as the rest of the save arrives. A broken save that stays is reported after that moment, and an
    emptied file gets the longer moment a writer may take (WRITING_MAX_S): here a truncation once stalled 0.25 s+."""
    import threading

    from narrate.watch import WRITING_MAX_S

    script = tmp_path / "s.txt"
    script.write_text("---\nvoice: [unclosed\n", encoding="utf-8")  # broken, not empty
    files = [script]
    waker = Waker([tmp_path])

    def finish_the_save(after: float) -> threading.Thread:
        def write() -> None:
            time.sleep(after)
            script.write_text("The rest of the save.\n", encoding="utf-8")

        writer = threading.Thread(target=write)
        writer.start()
        return writer

    try:
        now = fingerprint(files)
        t = time.perf_counter()
        assert not _changing(waker, files, now, wait_s=0.3)  # nothing comes: report it
        assert 0.3 <= time.perf_counter() - t < WRITING_MAX_S
        writer = finish_the_save(0.1)
        assert _changing(waker, files, now, wait_s=2.0)  # the save went on: render that instead
        writer.join()

        script.write_text("", encoding="utf-8")  # emptied, and its write comes late
        waker.drain()
        now = fingerprint(files)
        writer = finish_the_save(0.6)
        t = time.perf_counter()
        assert _changing(waker, files, now, wait_s=0.3)
        assert 0.55 <= time.perf_counter() - t < WRITING_MAX_S
        writer.join()
        waker.drain()
        script.write_text("", encoding="utf-8")  # emptied for good: reported, after the longer moment
        waker.drain()
        now = fingerprint(files)
        t = time.perf_counter()
        assert not _changing(waker, files, now, wait_s=0.3)
        assert time.perf_counter() - t >= WRITING_MAX_S
    finally:
        waker.close()
