"""The narrate server: renders it runs are the renders a process of their own makes, and Ctrl-C,
kill -9 and a dying server lose nothing (real engine, real ffmpeg)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from narrate import atomic, server
from test_faults import assert_same_track, committed_takes, long_script
from narrate.cache import TakeCache, wav_ok
from conftest import data_and_tags, require_tool


def narrate(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "narrate", *args], capture_output=True, text=True, env=env, timeout=300)


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "narrate", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)


def status(env: dict[str, str]) -> list[dict[str, object]]:
    res = narrate("server", "status", "--json", env=env)
    assert res.returncode == 0, res.stderr
    running: list[dict[str, object]] = json.loads(res.stdout)["running"]
    return running


def served(env: dict[str, str]) -> int:
    """Commands the current server has run (0 with none running)."""
    current = [s for s in status(env) if s.get("current")]
    return int(current[0]["served"]) if current else 0  # type: ignore[call-overload]


def descendants(pid: int) -> set[int]:
    """The processes under ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(check, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:  # type: ignore[misc]
    require_tool("espeak-ng")
    require_tool("ffmpeg")
    e = dict(os.environ)
    # (a short folder: a socket's path must fit in 104 bytes, and pytest's tmp_path can be long)
    folder = tempfile.mkdtemp(prefix="ns-")
    e.update(NARRATE_SERVER="1", NARRATE_SERVER_DIR=os.path.join(folder, "srv"), NARRATE_SERVER_IDLE="120",
             NARRATE_CACHE_DIR=str(tmp_path / "cache"))
    yield e
    narrate("server", "stop", env=e)
    shutil.rmtree(folder, ignore_errors=True)


def started(env: dict[str, str]) -> int:
    res = narrate("server", "start", "--json", env=env)
    assert res.returncode == 0, res.stderr
    pid = int(json.loads(res.stdout)["running"][0]["pid"])
    os.kill(pid, 0)
    return pid


def test_a_served_render_is_the_render_its_own_process_makes(tmp_path: Path, env: dict[str, str]) -> None:
    started(env)
    script = tmp_path / "s.txt"
    script.write_text(long_script(9), encoding="utf-8")
    res = narrate("render", str(script), "-o", str(tmp_path / "served.wav"), "--json", env=env)
    assert res.returncode == 0, res.stderr
    assert served(env) == 1
    doc = json.loads(res.stdout)  # exactly one JSON document on the command's own stdout
    own_env = dict(env, NARRATE_SERVER="0", NARRATE_CACHE_DIR=str(tmp_path / "own-cache"))
    own = narrate("render", str(script), "-o", str(tmp_path / "own.wav"), "--json", env=own_env)
    assert own.returncode == 0, own.stderr
    mine = json.loads(own.stdout)
    assert served(env) == 1  # NARRATE_SERVER=0: that one ran in its own process
    assert (doc["segments"], doc["synthesized"], doc["reused"]) == (mine["segments"], mine["synthesized"], 0)
    assert abs(doc["loudness_lufs"] - mine["loudness_lufs"]) < 0.3
    assert_same_track(tmp_path / "served.wav", tmp_path / "own.wav")

    # The edit of one sentence, re-rendered in the server: that sentence alone is synthesized.
    script.write_text(script.read_text(encoding="utf-8").replace("Report 4:", "Report four, amended:"), encoding="utf-8")
    again = narrate("render", str(script), "-o", str(tmp_path / "served.wav"), "--json", env=env)
    assert again.returncode == 0, again.stderr
    redo = json.loads(again.stdout)
    assert served(env) == 2 and redo["synthesized"] == 1 and redo["reused"] == doc["segments"] - 1
    assert redo["duration_s"] > doc["duration_s"]  # "four, amended" is longer than "4"


def test_errors_and_exit_codes_come_through_the_server(tmp_path: Path, env: dict[str, str]) -> None:
    started(env)
    res = narrate("render", str(tmp_path / "missing.txt"), "--json", env=env)
    assert res.returncode == 2 and res.stderr.startswith("narrate: error:") and "missing.txt" in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    bad = narrate("render", str(tmp_path / "x.txt"), "--jobs", "0", env=env)
    assert bad.returncode == 2 and "--jobs 0" in bad.stderr
    assert served(env) == 2


def test_ctrl_c_at_the_command_interrupts_the_served_render(tmp_path: Path, env: dict[str, str]) -> None:
    started(env)
    script = tmp_path / "long.txt"
    script.write_text(long_script(40), encoding="utf-8")
    cache = Path(env["NARRATE_CACHE_DIR"])
    proc = start("render", str(script), "-o", str(tmp_path / "out.wav"), "--jobs", "2", "--json", env=env)
    wait_for(lambda: committed_takes(cache) >= 3 or proc.poll() is not None)
    os.kill(proc.pid, signal.SIGINT)  # what the terminal sends the command on Ctrl-C
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and out == ""
    wait_for(lambda: served(env) == 1)
    stopped_at = committed_takes(cache)
    time.sleep(0.5)
    assert committed_takes(cache) == stopped_at  # the render stopped: no take comes after
    for wav in cache.glob("takes/*/*/[0-9][0-9][0-9].wav"):
        assert wav_ok(wav) is not None
    done = narrate("render", str(script), "-o", str(tmp_path / "out.wav"), "--jobs", "2", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reused"] >= stopped_at - 1 and served(env) == 2


def test_kill_9_of_the_command_stops_the_served_render_and_loses_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    pid = started(env)
    script = tmp_path / "long.txt"
    script.write_text(long_script(40), encoding="utf-8")
    ref_env = dict(env, NARRATE_SERVER="0", NARRATE_CACHE_DIR=str(tmp_path / "ref-cache"))
    assert narrate("render", str(script), "-o", str(tmp_path / "ref.wav"), "--jobs", "2", env=ref_env).returncode == 0
    cache = Path(env["NARRATE_CACHE_DIR"])
    proc = start("render", str(script), "-o", str(tmp_path / "out.wav"), "--jobs", "2", "--json", env=env)
    wait_for(lambda: committed_takes(cache) >= 4 or proc.poll() is not None)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    wait_for(lambda: served(env) == 1, timeout=30)  # the server noticed and stopped the render
    stopped_at = committed_takes(cache)
    time.sleep(0.5)
    assert committed_takes(cache) == stopped_at
    os.kill(pid, 0)  # the server itself lives on
    takes = TakeCache(cache)
    for d in cache.glob("takes/*/*"):
        assert all(wav_ok(t.path) is not None for t in takes.takes(d.name))
    assert not (tmp_path / "out.wav").exists()
    done = narrate("render", str(script), "-o", str(tmp_path / "out.wav"), "--jobs", "2", "--json", env=env)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["reused"] >= stopped_at - 1 and doc["reused"] + doc["synthesized"] == doc["segments"]
    assert_same_track(tmp_path / "out.wav", tmp_path / "ref.wav")


def test_when_the_server_dies_mid_render_the_command_finishes_it_itself(tmp_path: Path, env: dict[str, str]) -> None:
    pid = started(env)
    script = tmp_path / "long.txt"
    script.write_text(long_script(30), encoding="utf-8")
    cache = Path(env["NARRATE_CACHE_DIR"])
    proc = start("render", str(script), "-o", str(tmp_path / "out.wav"), "--jobs", "2", "--json", env=env)
    wait_for(lambda: committed_takes(cache) >= 3 or proc.poll() is not None)
    family = descendants(pid)  # its fork server and the render's workers
    assert family
    os.kill(pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "running it here" in err
    wait_for(lambda: not any(alive(p) for p in family), timeout=10)  # none outlives the server
    doc = json.loads(out)
    assert doc["reused"] >= 3 and doc["reused"] + doc["synthesized"] == doc["segments"]
    with open(tmp_path / "out.wav", "rb") as f:
        assert f.read(4) == b"RIFF"
    assert wav_ok(tmp_path / "out.wav") is not None


def test_a_busy_server_leaves_the_second_command_to_its_own_process(tmp_path: Path, env: dict[str, str]) -> None:
    started(env)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(long_script(24, seed=1), encoding="utf-8")
    b.write_text(long_script(6, seed=2), encoding="utf-8")
    first = start("render", str(a), "-o", str(tmp_path / "a.wav"), "--json", env=env)
    wait_for(lambda: any(Path(env["NARRATE_CACHE_DIR"]).glob("takes/*/*/*.wav")) or first.poll() is not None)
    second = narrate("render", str(b), "-o", str(tmp_path / "b.wav"), "--json", env=env)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, (err, second.stderr)
    assert served(env) == 1  # the first; the second found it busy and rendered itself
    for name in ("a.wav", "b.wav"):
        assert wav_ok(tmp_path / name) is not None


def test_a_render_starts_a_server_for_the_next_unless_turned_off(tmp_path: Path, env: dict[str, str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text("The ISF held the road.\n", encoding="utf-8")
    off = dict(env, NARRATE_SERVER="0")
    assert narrate("render", str(script), "--json", env=off).returncode == 0
    time.sleep(1.0)
    assert status(env) == []
    assert narrate("render", str(script), "--json", env=env).returncode == 0
    wait_for(lambda: any(s.get("current") and server._answers(str(s["socket"])) for s in status(env)))  # (listed
    # from the moment it starts warming up: ready once it answers)
    assert narrate("render", str(script), "--json", env=env).returncode == 0
    assert served(env) == 1
    assert narrate("server", "stop", env=env).returncode == 0
    assert status(env) == []


def test_a_server_still_warming_up_is_listed_and_stopped(tmp_path: Path, env: dict[str, str]) -> None:
    """`narrate server stop` right after the render that started a server (which then warms up for ~0.7 s) stops it:
    it is listed from the moment it holds its lock, not only once it answers."""
    os.makedirs(env["NARRATE_SERVER_DIR"], mode=0o700, exist_ok=True)
    where = server.paths(env["NARRATE_SERVER_DIR"], None)
    assert where is not None
    proc = subprocess.Popen([sys.executable, "-m", "narrate.server", "--folder", where.folder, "--socket", where.socket,
                             "--lock", where.lock, "--info", where.info], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: server.running(where.folder) != [], timeout=30)
        assert not server._answers(where.socket)  # listed while still warming up
        assert [int(doc["pid"]) for doc in server.running(where.folder)] == [proc.pid]
        assert server.stop_all(where.folder) == 1
        assert proc.wait(timeout=30) == 0
        assert server.running(where.folder) == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_the_socket_folder_must_be_the_users_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    monkeypatch.setenv("NARRATE_SERVER_DIR", str(folder))
    assert server.private_folder() is None  # another user could have placed a socket there
    os.chmod(folder, 0o700)
    assert server.private_folder() == str(folder)
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("NARRATE_SERVER_DIR", str(fresh))
    assert server.private_folder() == str(fresh) and stat.S_IMODE(fresh.stat().st_mode) == 0o700


def test_a_server_is_per_installation(tmp_path: Path) -> None:
    """Another narrate (its files changed) gets another socket, so no server runs code older than the client's."""
    here = server.paths(str(tmp_path))
    other = server.paths(str(tmp_path), print_="0" * 24)
    assert here is not None and other is not None and here.socket != other.socket
    assert server.fingerprint() == server.fingerprint()
    assert server.paths("/" + "x" * 90) is None  # no socket address that long: no server, commands run themselves


def test_the_fingerprint_follows_installs_not_the_files_a_render_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout, site = tmp_path / "checkout", tmp_path / "site-packages"
    checkout.mkdir()
    site.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(checkout), str(site)])
    before = server.fingerprint()
    (checkout / "track.mp3").write_bytes(b"")  # a render's output in a checkout an editable install points at
    monkeypatch.chdir(checkout)
    assert server.fingerprint() == before
    time.sleep(0.05)  # (more than a coarse file-time tick)
    (site / "newpkg").mkdir()  # a package installed
    assert server.fingerprint() != before


def test_served_workers_take_on_the_commands_folder_and_umask(tmp_path: Path, env: dict[str, str]) -> None:
    """The server's worker processes are forked by a fork server that started in the server's folder, environment
    and umask; each render's workers take on its command's instead, as workers spawned by a render of its own inherit
    them. Here a cache folder relative to the command's folder, and a umask of 077: every take, those the workers
    wrote included (a --jobs 2 render of 12 sentences hands at least two to its worker), is there and private."""
    started(env)
    (tmp_path / "s.txt").write_text(long_script(12), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "narrate", "render", "s.txt", "-o", "s.wav", "--jobs", "2", "--json"],
                         cwd=tmp_path, env=dict(env, NARRATE_CACHE_DIR="rel-cache"), capture_output=True, text=True,
                         umask=0o077, timeout=300)
    assert res.returncode == 0, res.stderr
    assert served(env) == 1
    doc = json.loads(res.stdout)
    assert doc["synthesized"] == doc["segments"] == 12
    wavs = sorted((tmp_path / "rel-cache" / "takes").glob("*/*/[0-9][0-9][0-9].wav"))
    assert len(wavs) == 12 and all(wav_ok(w) for w in wavs)
    assert {stat.S_IMODE(w.stat().st_mode) for w in wavs} == {0o600}


def test_a_served_render_leaves_a_copy_of_its_track_that_the_next_one_writes_into(tmp_path: Path,
                                                                                 env: dict[str, str]) -> None:
    """A track over 16 MB (48 kHz): once the command has its answer, the server makes the script's spare an exact,
    stamped copy of the track; the next served render, after an edit near the start, writes into that copy (its
    inode becomes the track's), and its track is the one processes of their own make of the same two versions."""
    started(env)
    script = tmp_path / "s.txt"
    text = long_script(30)
    script.write_text(text, encoding="utf-8")
    out = tmp_path / "served.wav"
    args = ("-o", str(out), "--sample-rate", "48000", "--jobs", "1", "--json")
    first = narrate("render", str(script), *args, env=env)
    assert first.returncode == 0, first.stderr
    spare = TakeCache(Path(env["NARRATE_CACHE_DIR"])).spare_path(script)
    wait_for(atomic.replica_stamp(spare).exists, timeout=30)
    assert out.stat().st_size > 16 << 20 and spare.read_bytes() == out.read_bytes()
    inode = spare.stat().st_ino
    edited = text.replace("Report 2:", "Report two, as amended:")
    script.write_text(edited, encoding="utf-8")
    again = narrate("render", str(script), *args, env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["synthesized"] == 1
    assert out.stat().st_ino == inode  # written into the copy
    # The same two versions, rendered in processes of their own (no copy is made there).
    own_env = dict(env, NARRATE_SERVER="0", NARRATE_CACHE_DIR=str(tmp_path / "own-cache"))
    own = tmp_path / "own.wav"
    for version in (text, edited):
        script.write_text(version, encoding="utf-8")
        res = narrate("render", str(script), "-o", str(own), "--sample-rate", "48000", "--jobs", "1", env=own_env)
        assert res.returncode == 0, res.stderr
    assert not atomic.replica_stamp(TakeCache(tmp_path / "own-cache").spare_path(script)).exists()
    assert_same_track(out, own)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=sample_rate,duration_ts", "-of", "csv=p=0",
                            str(out)], capture_output=True, text=True, check=True).stdout.strip()
    assert probe == f"48000,{len(data_and_tags(out)[0]) // 2}"  # ffmpeg finds every sample past the JUNK chunk
