"""Incremental rendering: the take cache, regen, takes, parallel workers, damaged entries, checks."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest

from conftest import ROOT, data_and_tags, require_tool, wav_int16
from fakes import FakeEngine
from narrate import audio
from narrate.cache import TakeCache, cache_root
from narrate.cli import main
from narrate.errors import InputError, SynthesisError
from narrate.render import RenderOptions, regen, render
from narrate.synth import WorkerPool

SCRIPT = """Iraqi security forces (ISF) advanced on Monday. They took 3 villages.

The PMU moved 12km west of Tal Afar. Aid groups warned of shortages.

Officials expect the offensive to last weeks.
"""


@pytest.fixture
def script(tmp_path: Path) -> Path:
    require_tool("espeak-ng")
    p = tmp_path / "news.txt"
    p.write_text(SCRIPT, encoding="utf-8")
    return p


def frames_of(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes())


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(list(argv)) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert isinstance(doc, dict)
    return doc


def test_second_render_reuses_every_take(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = run_json(capsys, "render", str(script), "--json", "--jobs", "1")
    assert first["segments"] == 5 and first["synthesized"] == 5 and first["reused"] == 0
    out = Path(str(first["output"]))
    before, st = frames_of(out), out.stat()
    second = run_json(capsys, "render", str(script), "--json", "--jobs", "1")
    assert second["synthesized"] == 0 and second["reused"] == 5
    assert frames_of(Path(str(second["output"]))) == before
    # Nothing changed: the track on disk is left as it is (not rewritten), and reported the same.
    assert (out.stat().st_ino, out.stat().st_mtime_ns) == (st.st_ino, st.st_mtime_ns)
    for field in ("duration_s", "loudness_lufs", "segments"):
        assert second[field] == first[field]


def test_editing_one_sentence_synthesizes_exactly_that_one(script: Path) -> None:
    render(script, RenderOptions(jobs=1))
    script.write_text(SCRIPT.replace("They took 3 villages.", "They took 4 villages."), encoding="utf-8")
    r = render(script, RenderOptions(jobs=1))
    assert (r.synthesized, r.reused) == (1, 4)


def test_pauses_and_order_do_not_change_the_cache_key(script: Path) -> None:
    render(script, RenderOptions(jobs=1))
    # Same sentences, new paragraphing (new ids and pauses): nothing to synthesize.
    script.write_text(SCRIPT.replace("\n\n", "\n\n\n").replace("on Monday. They", "on Monday.\n\nThey"), encoding="utf-8")
    r = render(script, RenderOptions(jobs=1))
    assert r.synthesized == 0 and r.reused == 5


def test_voice_settings_change_the_cache_key(script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    render(script, RenderOptions(jobs=1))
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "slow.toml").write_text('engine = "pyttsx3"\nrate = 140\n', encoding="utf-8")
    r = render(script, RenderOptions(jobs=1, voice="slow"))
    assert r.synthesized == 5


def test_regen_makes_a_new_take_keeps_the_old_and_can_pick(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    render(script, RenderOptions(jobs=1))
    doc = run_json(capsys, "regen", str(script), "p02-s01", "--json")
    assert doc["synthesized"] == 1 and doc["reused"] == 4
    listing = run_json(capsys, "takes", str(script), "p02-s01", "--json")
    takes = listing["takes"]
    assert isinstance(takes, list) and [t["take"] for t in takes] == [1, 2]
    assert [t["current"] for t in takes] == [False, True]
    doc = run_json(capsys, "regen", str(script), "p02-s01", "--take", "1", "--json")
    assert doc["synthesized"] == 0
    listing = run_json(capsys, "takes", str(script), "p02-s01", "--json")
    assert [t["current"] for t in listing["takes"]] == [True, False]  # type: ignore[union-attr,index]


def test_a_first_take_needs_no_pointer_and_a_lost_pointer_means_the_newest(script: Path) -> None:
    """The workers write each take's metadata and analysis; the parent only renames the WAV in.
    A first take is current without a "current" file; with a second take and no pointer (say a
    kill between the rename and the pointer), the newest intact take is current."""
    r = render(script, RenderOptions(jobs=2))
    cache = TakeCache(cache_root(script))
    dirs = sorted((cache.root / "takes").glob("*/*"))
    assert len(dirs) == r.segments
    for d in dirs:
        assert sorted(p.name for p in d.iterdir()) == ["001.json", "001.wav", "001.wav.analysis"]
        take = cache.current(d.name)
        assert take is not None and take.number == 1
    regen(script, ["p02-s01"], options=RenderOptions(jobs=1))
    seg_key = [d for d in dirs if (d / "002.wav").exists()]
    assert len(seg_key) == 1 and (seg_key[0] / "current").read_text().strip() == "2"
    (seg_key[0] / "current").unlink()
    take = cache.current(seg_key[0].name)
    assert take is not None and take.number == 2
    # Metadata a killed worker left for a take that never got its WAV is no take.
    (seg_key[0] / "003.json").write_text((seg_key[0] / "002.json").read_text(), encoding="utf-8")
    assert [t.number for t in cache.takes(seg_key[0].name)] == [1, 2]


def test_regen_by_match_and_unknown_ids(script: Path) -> None:
    render(script, RenderOptions(jobs=1))
    r = regen(script, [], match="aid groups")
    assert r.regenerated == ("p02-s02",) and r.synthesized == 1
    with pytest.raises(InputError, match="no segment 'p09-s09'"):
        regen(script, ["p09-s09"])
    with pytest.raises(InputError, match="no narrated segment contains"):
        regen(script, [], match="zebra")
    with pytest.raises(InputError, match="has no take 7"):
        regen(script, ["p01-s01"], pick=7)


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_two_gives_the_same_track_as_jobs_one(script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   jobs: int) -> None:
    # --jobs N is N-1 worker processes and this one, which synthesizes its share as well.
    assert WorkerPool(jobs).processes == jobs - 1
    monkeypatch.setenv("NARRATE_CACHE_DIR", str(tmp_path / "c1"))
    one = render(script, RenderOptions(jobs=1, output=tmp_path / "one.wav"))
    monkeypatch.setenv("NARRATE_CACHE_DIR", str(tmp_path / "c2"))
    two = render(script, RenderOptions(jobs=jobs, output=tmp_path / "two.wav"))
    assert two.synthesized == one.synthesized == 5
    # espeak-ng carries synthesis state from one utterance to the next within a
    # process (its pitch flutter runs on), so takes made in a different order are
    # not sample-identical; the track must still match in every segment and cue.
    t1 = json.loads(one.subtitles["timings"].read_text(encoding="utf-8"))["segments"]
    t2 = json.loads(two.subtitles["timings"].read_text(encoding="utf-8"))["segments"]
    assert [c["id"] for c in t1] == [c["id"] for c in t2]
    assert [c["spoken"] for c in t1] == [c["spoken"] for c in t2]
    for a, b in zip(t1, t2):
        assert abs(a["start_s"] - b["start_s"]) < 0.05 and abs(a["end_s"] - b["end_s"]) < 0.05
    assert abs(one.duration_s - two.duration_s) < 0.05


def test_once_the_takes_are_cached_every_render_is_the_same_bytes_whatever_jobs(script: Path, tmp_path: Path) -> None:
    """Real engine: a first render's takes depend on what each process spoke before (see above); renders from the
    cache then give one track, byte for byte, with --jobs 1 or 2 (the parallel write: test_splice)."""
    tracks = [tmp_path / f"{n}.wav" for n in ("first", "one", "two")]
    first = render(script, RenderOptions(jobs=2, output=tracks[0]))
    one = render(script, RenderOptions(jobs=1, output=tracks[1]))
    two = render(script, RenderOptions(jobs=2, output=tracks[2]))
    assert first.synthesized == 5 and one.synthesized == two.synthesized == 0
    assert tracks[0].read_bytes() == tracks[1].read_bytes() == tracks[2].read_bytes()


def test_a_damaged_take_is_resynthesized_not_stitched(script: Path) -> None:
    render(script, RenderOptions(jobs=1))
    cache = TakeCache(cache_root(script))
    wavs = sorted((cache.root / "takes").glob("*/*/001.wav"))
    assert len(wavs) == 5
    data = wavs[0].read_bytes()
    wavs[0].write_bytes(data[: len(data) // 2])  # truncated
    wavs[1].write_bytes(b"RIFF\x00\x00garbage")  # not a WAV at all
    r = render(script, RenderOptions(jobs=1))
    assert (r.synthesized, r.reused) == (2, 3)


def test_wav_ok_reads_every_header_as_the_wave_module_does(tmp_path: Path) -> None:
    # wav_ok reads a plain 44-byte header itself (a render checks ~300 takes) and any other through the wave module.
    import struct

    from narrate.cache import wav_ok

    def reference(path: Path) -> tuple[int, int] | None:
        try:
            size = path.stat().st_size
            with wave.open(str(path), "rb") as w:
                rate, frames, width, channels = w.getframerate(), w.getnframes(), w.getsampwidth(), w.getnchannels()
        except (OSError, EOFError, wave.Error):
            return None
        data_at = path.read_bytes().find(b"data") + 8  # the test files hold no other "data"
        ok = frames > 0 and width == 2 and channels == 1 and rate > 0 and size >= data_at + frames * 2
        return (rate, frames) if ok else None

    def written(name: str, channels: int = 1, width: int = 2, rate: int = 22050, frames: int = 500) -> Path:
        p = tmp_path / name
        with wave.open(str(p), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(width)
            w.setframerate(rate)
            w.writeframes(b"\x01" * frames * channels * width)
        return p

    good = written("good.wav")
    data = good.read_bytes()
    cases = [good, written("stereo.wav", channels=2), written("8bit.wav", width=1), written("32bit.wav", width=4),
             written("empty.wav", frames=0), written("48k.wav", rate=48000)]
    for name, raw in {
        "truncated.wav": data[: len(data) // 2],
        "header-only.wav": data[:44],
        "short.wav": data[:30],
        "nothing.wav": b"",
        "garbage.wav": b"RIFF\x00\x00garbage" + bytes(40),
        # a LIST chunk before the data (some tools write one): the wave module finds the data after it
        "list-chunk.wav": data[:36] + b"LIST" + struct.pack("<I", 4) + b"INFO" + data[36:],
        "list-chunk-truncated.wav": data[:36] + b"LIST" + struct.pack("<I", 4) + b"INFO" + data[36:-6],
        "odd-chunk.wav": data[:36] + b"junk" + struct.pack("<I", 3) + b"abc\0" + data[36:],
        "extensible.wav": data[:20] + struct.pack("<H", 0xFFFE) + data[22:],
        "zero-channels.wav": data[:22] + struct.pack("<H", 0) + data[24:],
        "zero-bits.wav": data[:34] + struct.pack("<H", 0) + data[36:],
        "odd-bits.wav": data[:34] + struct.pack("<H", 12) + data[36:],
        "longer-data.wav": data[:40] + struct.pack("<I", 10_000) + data[44:],
    }.items():
        (tmp_path / name).write_bytes(raw)
        cases.append(tmp_path / name)
    cases.append(tmp_path / "missing.wav")
    for path in cases:
        assert wav_ok(path) == reference(path), path.name
        if reference(path) is not None:  # and the mastering reads the same samples as the wave module
            samples, rate = audio.read_samples(path)
            with wave.open(str(path), "rb") as w:
                assert rate == w.getframerate() and samples.tobytes() == w.readframes(w.getnframes()), path.name
    assert wav_ok(good) == (22050, 500) and wav_ok(tmp_path / "list-chunk.wav") == (22050, 500)
    assert wav_ok(tmp_path / "odd-chunk.wav") == (22050, 500) and wav_ok(tmp_path / "list-chunk-truncated.wav") is None


def test_a_new_keys_take_path_touches_the_disk_only_when_its_take_is_made(tmp_path: Path) -> None:
    # A first render hands out hundreds of jobs: their folders are made as the takes are, not before.
    from narrate.engines import VoiceSettings
    from narrate.models import SpokenPart
    from narrate.synth import Job, run_job

    cache = TakeCache(tmp_path / "cache")
    key = "ab" * 16
    number, tmp = cache.new_take_path(key)
    assert number == 1 and not tmp.parent.exists()
    assert tmp.name.startswith(".001.") and tmp.name.endswith(".wav.tmp")  # what prune sweeps when a render is killed
    spoken = "Forces advanced on Monday."
    result = run_job(Job(key, "p01-s01", "fake", (SpokenPart(spoken),), spoken, VoiceSettings(), tmp))
    assert result.audio is not None and tmp.is_file()
    take = cache.commit(key, number, tmp, result.audio, spoken, 0.0)
    current = cache.current(key)
    assert current is not None and (current.number, current.path, current.frames) == (1, take.path, take.frames)
    again, tmp2 = cache.new_take_path(key)  # the folder exists now: the next number, still nothing created
    assert again == 2 and not tmp2.exists() and tmp2.parent == take.path.parent and tmp2 != tmp


def test_cache_info_and_prune(script: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from narrate import atomic

    monkeypatch.setattr(atomic, "LARGE_BYTES", 1)  # the replaced track is kept as a spare
    render(script, RenderOptions(jobs=1))
    script.write_text(SCRIPT.replace("weeks", "months"), encoding="utf-8")
    first_track = script.with_suffix(".wav").stat().st_size
    render(script, RenderOptions(jobs=1))
    spare = TakeCache(cache_root(script)).spare_path(script)
    assert spare.stat().st_size == first_track
    # A copy into the spare cut short (its temp file), and a stamped copy of another track beside it.
    leftover = spare.with_name(f".{spare.name}.0a1b2c3d.tmp")
    leftover.write_bytes(b"half a copy")
    other = spare.with_name("other.spare")
    assert atomic.replicate(script.with_suffix(".wav"), other) and atomic.replica_stamp(other).exists()
    info = run_json(capsys, "cache", "info", str(script), "--json")
    assert info["segments"] == 6 and info["takes"] == 6 and info["spare_bytes"] == first_track + other.stat().st_size
    pruned = run_json(capsys, "cache", "prune", str(script), "--json")
    assert pruned["removed_segments"] == 1 and pruned["kept_segments"] == 5
    assert not spare.exists() and int(str(pruned["freed_bytes"])) >= 2 * first_track  # spares only speed a re-render up
    assert not other.exists() and not atomic.replica_stamp(other).exists() and not leftover.exists()
    again = render(script, RenderOptions(jobs=1))
    assert again.synthesized == 0


# ------------------------------------------------------------ take checks with a misbehaving engine


class FlakyEngine(FakeEngine):
    """Writes an empty take for the first ``bad`` calls, then a good one."""

    name = "flaky"
    bad = 1
    calls_made = 0

    def synthesize(self, parts, settings, out_path):  # type: ignore[no-untyped-def]
        FlakyEngine.calls_made += 1
        if FlakyEngine.calls_made <= FlakyEngine.bad:
            from narrate.engines.base import TakeAudio

            with wave.open(str(out_path), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(22050)
            return TakeAudio(Path(out_path), 22050, 0)
        return super().synthesize(parts, settings, out_path)


@pytest.fixture
def flaky_voice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    import narrate.engines as engines
    import narrate.synth as synth

    monkeypatch.setitem(engines.BUILTIN, "flaky", "test_render:FlakyEngine")
    monkeypatch.setattr(synth, "_ENGINES", {})
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "flaky.toml").write_text('engine = "flaky"\n', encoding="utf-8")
    monkeypatch.setenv("NARRATE_VOICES_DIR", str(voices))
    FlakyEngine.calls_made = 0
    return "flaky"


def test_an_empty_take_is_retried(script: Path, flaky_voice: str) -> None:
    FlakyEngine.bad = 1
    r = render(script, RenderOptions(jobs=1, voice=flaky_voice))
    assert r.synthesized == 5
    assert FlakyEngine.calls_made == 6  # one retry


def test_a_take_that_never_fits_is_an_error_naming_the_segment(script: Path, flaky_voice: str) -> None:
    FlakyEngine.bad = 10**6
    with pytest.raises(SynthesisError, match=r"segment p\d\d-s\d\d: no usable take after 3 tries"):
        render(script, RenderOptions(jobs=1, voice=flaky_voice))


def test_engine_prints_never_reach_stdout(script: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(script), "--json", "--jobs", "2"]) == 0
    out = capfd.readouterr().out
    assert "Audio saved" not in out
    json.loads(out)  # exactly one JSON document


def test_sample_scripts_plan_cleanly() -> None:
    from narrate.plan import build_plan

    for p in sorted((ROOT / "scripts").glob("*.txt")):
        plan = build_plan(p)
        assert plan.narrated, p


def test_a_second_pyttsx3_engine_in_one_process_does_not_hang(tmp_path: Path) -> None:
    """A retry re-creates the engine; pyttsx3 hands back the same one, which must not be primed twice."""
    require_tool("espeak-ng")
    import subprocess
    import sys

    code = (
        "from pathlib import Path\n"
        "from narrate.engines import create_engine, VoiceSettings\n"
        "from narrate.models import SpokenPart\n"
        "a = create_engine('pyttsx3'); b = create_engine('pyttsx3')\n"
        f"print(a.synthesize((SpokenPart('hello there'),), VoiceSettings(), Path(r'{tmp_path}/a.wav')).frames > 0)\n"
        f"print(b.synthesize((SpokenPart('hello again'),), VoiceSettings(), Path(r'{tmp_path}/b.wav')).frames > 0)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.split() == ["True", "True"], res.stderr


def test_both_espeak_engines_alternating_in_one_process_survive(tmp_path: Path) -> None:
    """A multi-voice render holds pyttsx3 and espeak-ng in one worker: they share libespeak-ng,
    and a callback freed while the library still used it crashed a test run once."""
    require_tool("espeak-ng")
    import subprocess
    import sys

    code = (
        "from pathlib import Path\n"
        "from narrate.engines import create_engine, VoiceSettings\n"
        "from narrate.models import SpokenPart\n"
        "engines = [create_engine('pyttsx3'), create_engine('espeak-ng')]\n"
        "ok = 0\n"
        "for i in range(60):\n"
        "    e = engines[i % 2]\n"
        f"    t = e.synthesize((SpokenPart(f'Take number {{i}} of the stress run.'),), VoiceSettings(), Path(r'{tmp_path}') / f'{{i}}.wav')\n"
        "    ok += t.frames > 0\n"
        "print(ok)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert res.returncode == 0 and res.stdout.strip() == "60", (res.returncode, res.stderr[-2000:])


def test_rerender_into_the_same_wav_splices_the_unchanged_takes(script: Path, tmp_path: Path) -> None:
    """Real engine: after one edited sentence only that take is new, and every other segment of the
    new track is the very same samples as in the last one (copied, at the kept gain)."""
    import numpy as np

    out = tmp_path / "track.wav"
    first = render(script, RenderOptions(jobs=1, output=out))
    cache = TakeCache(cache_root(script))
    assert cache.master_record_path(script).exists()
    before, _ = wav_int16(out)
    cues_before = {c["id"]: c for c in json.loads(first.subtitles["timings"].read_text(encoding="utf-8"))["segments"]}
    script.write_text(SCRIPT.replace("They took 3 villages.", "They took three more villages."), encoding="utf-8")
    second = render(script, RenderOptions(jobs=1, output=out))
    assert (second.synthesized, second.reused) == (1, 4)
    assert second.loudness_lufs is not None and abs(second.loudness_lufs - (-16.0)) <= 0.15
    after, rate = wav_int16(out)
    same = 0
    for c in json.loads(second.subtitles["timings"].read_text(encoding="utf-8"))["segments"]:
        old = cues_before[c["id"]]
        if old["spoken"] == c["spoken"]:
            a = after[round(c["start_s"] * rate) : round(c["end_s"] * rate)]
            b = before[round(old["start_s"] * rate) : round(old["end_s"] * rate)]
            assert np.array_equal(a, b)
            same += 1
    assert same == 4
    # Dropping the script's render from the cache drops its record too.
    script.unlink()
    assert cache.prune()["dropped_renders"] == 1
    assert not cache.manifest_path(script).exists() and not cache.master_record_path(script).exists()



def _lock_is_held(cache: TakeCache) -> bool:
    import fcntl
    import os

    fd = os.open(cache.root / "lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # (closing releases a lock this open took)
    return False


def test_a_render_collected_by_a_long_lived_process_answers_first_then_keeps_its_books(script: Path,
                                                                                       tmp_path: Path) -> None:
    """Real engine: under later.collecting() (the server, narrate watch) the track and the result are whole when
    render returns, while the record, manifest and memo wait, with the script's lock still held, until the pending
    tasks run; then a re-render reuses every take and leaves the track alone, as after a render in its own process."""
    from narrate import later

    out = tmp_path / "track.wav"
    cache = TakeCache(cache_root(script))
    with later.collecting() as pending:
        first = render(script, RenderOptions(jobs=1, output=out))
    assert first.synthesized == 5 and wave.open(str(out), "rb").getnframes() == round(first.duration_s * 22050)
    assert first.subtitles["timings"].is_file()
    assert cache.read_manifest(script) is None and not cache.master_record_path(script).exists()
    assert _lock_is_held(cache)
    pending.run()
    assert not _lock_is_held(cache)
    assert cache.read_manifest(script) is not None and cache.master_record_path(script).exists()
    assert cache.normalized_path(script).exists()
    mtime = out.stat().st_mtime_ns
    second = render(script, RenderOptions(jobs=1, output=out))
    assert (second.synthesized, second.reused) == (0, 5)
    assert out.stat().st_mtime_ns == mtime  # the record said the track already is this one


def test_a_failing_deferred_task_is_logged_and_the_rest_still_run(caplog: pytest.LogCaptureFixture) -> None:
    from narrate import later

    ran: list[str] = []

    def broken() -> None:
        raise OSError("disk full")

    later.defer(lambda: ran.append("now"))  # outside a collecting block: at once
    assert ran == ["now"]
    with later.collecting() as pending:
        later.defer(lambda: ran.append("a"))
        later.defer(broken)
        later.defer(lambda: ran.append("release"))
        assert ran == ["now"]
    pending.run()
    assert ran == ["now", "a", "release"]
    assert "disk full" in caplog.text
    pending.run()  # each task runs once
    assert ran == ["now", "a", "release"]


def script_in(folder: Path) -> tuple[Path, Path, Path]:
    """A new ``folder``'s script, track and the script's spare (paths; nothing written yet)."""
    folder.mkdir()
    script = folder / "news.txt"
    return script, folder / "track.wav", TakeCache(cache_root(script)).spare_path(script)


def test_a_track_written_into_a_spare_is_the_very_track_a_new_file_gets(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Real engine: two folders render the same three versions of a script. Before the third, one folder's spare
    (the track its second render replaced) is filled with noise, longer than any track; the other's is removed.
    The third render writes into the noisy spare (its inode becomes the track's) and the two tracks are the same
    bytes: every pause is zeros again, the file has the new length."""
    import numpy as np

    from narrate import atomic

    require_tool("espeak-ng")
    monkeypatch.setattr(atomic, "LARGE_BYTES", 1)  # a spare for any track (at 16 MB only long tracks have one)
    versions = [SCRIPT, SCRIPT.replace("They took 3 villages.", "They took three more villages."),
                SCRIPT.replace("They took 3 villages.", "They took them.")]
    tracks = {}
    for name in ("noisy", "fresh"):
        script, out, spare = script_in(tmp_path / name)
        for n, text in enumerate(versions):
            script.write_text(text, encoding="utf-8")
            if n == 2:
                assert spare.is_file()
                if name == "noisy":
                    with open(spare, "wb") as f:  # (in place: the same file, one name), twice as long as the track
                        f.write(np.random.default_rng(1).integers(-30000, 30000, out.stat().st_size, dtype=np.int16).tobytes())
                    inode, noise = spare.stat().st_ino, spare.stat().st_size
                else:
                    spare.unlink()
            render(script, RenderOptions(jobs=1, output=out))
        tracks[name] = out.read_bytes()
        if name == "noisy":
            assert out.stat().st_ino == inode and out.stat().st_size < noise
    assert tracks["noisy"] == tracks["fresh"]
    samples, _ = wav_int16(tmp_path / "fresh" / "track.wav")
    assert np.count_nonzero(samples == 0) > 22050  # its pauses (a second and more) are digital silence


def test_a_process_that_outlives_its_render_leaves_a_replica_the_next_render_writes_into(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real engine, renders as the narrate server and narrate watch run them (their bookkeeping after the answer):
    after each, the spare is a byte-for-byte copy of the track; the next render, after an edit, writes into it
    (its inode becomes the track's), copying far less than the track, and its samples and tags are those the same
    renders give in a folder where each render runs in a process of its own (no replica is made there)."""
    from narrate import atomic, later, splice

    require_tool("espeak-ng")
    monkeypatch.setattr(atomic, "LARGE_BYTES", 1)  # (a replica for any track: at 16 MB only long tracks have one)
    longer = SCRIPT + "\n".join(f"Report {n}: the convoy reached checkpoint {n} before noon." for n in range(12)) + "\n"
    versions = [longer, longer.replace("They took 3 villages.", "They took three more villages after a long fight."),
                longer.replace("They took 3 villages.", "They took them.")]
    copied: list[int] = []
    real_copy = splice.copy_range
    monkeypatch.setattr(splice, "copy_range", lambda *a: copied.append(a[4]) or real_copy(*a))
    results = {}
    for name in ("served", "own"):
        script, out, spare = script_in(tmp_path / name)
        results[name] = []
        for n, text in enumerate(versions):
            script.write_text(text, encoding="utf-8")
            copied.clear()
            if name == "served":
                inode = spare.stat().st_ino if n else None
                with later.collecting() as pending:
                    result = render(script, RenderOptions(jobs=1, output=out))
                if n:
                    assert out.stat().st_ino == inode and result.synthesized == 1
                    assert sum(copied) < 0.3 * wav_int16(out)[0].size  # the takes after the edit stayed in place
                pending.run()
                assert spare.read_bytes() == out.read_bytes()
            else:
                render(script, RenderOptions(jobs=1, output=out))
                assert not atomic.replica_stamp(spare).exists()
            results[name].append(data_and_tags(out))
    assert results["served"] == results["own"]


def test_a_process_that_renders_again_knows_its_new_takes_as_they_would_be_read_back(
        script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real engine, two workers: after a first render every new take is remembered as its key's current take (no
    read of its metadata and WAV on the next render), and what is remembered equals what reading it gives."""
    from narrate import cache as cache_mod
    from narrate.render import _session

    render(script, RenderOptions(jobs=2))
    s = _session(script, None)
    keys = [s.key(seg) for seg in s.plan.narrated]
    loads: list[object] = []
    real_load = TakeCache._load
    def counting(self: TakeCache, *a: str) -> object:
        loads.append(a)
        return real_load(self, *a)

    monkeypatch.setattr(TakeCache, "_load", counting)
    remembered = [s.cache.current(k) for k in keys]
    assert loads == [] and all(t is not None for t in remembered)
    cache_mod._CURRENT.clear()
    read = [s.cache.current(k) for k in keys]
    assert len(loads) == len(keys)
    assert read == remembered  # number, path, rate, frames, word times, creation time, spoken text
