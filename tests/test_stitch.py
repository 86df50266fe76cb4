"""Stitching real espeak-ng takes: trimmed joins, exact pauses, cues, sidecars, subtitles, atomicity, errors."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from narrate import loudness
from narrate.engines.base import WordTime
from narrate.errors import InputError, OutputError
from narrate.stitch import MasterOptions, Placement, master_track
from conftest import require_tool

TEXTS = [
    "The council voted on Tuesday to approve the new budget.",
    "It includes funding for twelve schools.",
    "Critics say the plan arrives too late.",
]
PAUSES = [0.35, 0.8, 0.5]


def make_take(path: Path, text: str, rate: int | None = None) -> Path:
    exe = require_tool("espeak-ng")
    subprocess.run([exe, "-w", str(path), text], check=True, capture_output=True)
    if rate is not None:
        sox = require_tool("sox")
        tmp = path.with_name(path.stem + ".tmp.wav")
        subprocess.run([sox, str(path), "-r", str(rate), str(tmp)], check=True, capture_output=True)
        tmp.replace(path)
    return path


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("takes")
    return [make_take(d / f"t{i}.wav", t) for i, t in enumerate(TEXTS)]


def placements(takes: list[Path]) -> list[Placement]:
    return [
        Placement(f"s{i}", take, pause, text=text, spoken=text.lower(), voice="default",
                  words=(WordTime("first", 0.3),))
        for i, (take, pause, text) in enumerate(zip(takes, PAUSES, TEXTS))
    ]


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64), w.getframerate()


def test_pauses_are_exact_silence_and_cues_fit(takes: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "track.wav"
    result = master_track(placements(takes), out)
    x, rate = read_wav(out)
    assert rate == 22050 and result.sample_rate == 22050
    assert abs(result.duration_s - x.size / rate) < 1e-9
    cues = result.cues
    assert [c.segment_id for c in cues] == ["s0", "s1", "s2"]
    for c in cues:
        assert 0 <= c.start_s < c.end_s <= result.duration_s
    for a, b in zip(cues, cues[1:]):
        assert a.end_s <= b.start_s
    # Between two cues: the planned pause of digital silence, give or take the few kept milliseconds.
    quiet = np.abs(x) < 32768 * 10 ** (-50 / 20)
    for c, nxt, pause in zip(cues, cues[1:], PAUSES):
        gap = x[round(c.end_s * rate) : round(nxt.start_s * rate)]
        assert np.all(gap == 0)
        assert abs(gap.size / rate - pause) < 0.001
        run_start = round(c.end_s * rate)
        while run_start > 0 and quiet[run_start - 1]:
            run_start -= 1
        run_end = round(nxt.start_s * rate)
        while run_end < x.size and quiet[run_end]:
            run_end += 1
        assert abs((run_end - run_start) / rate - pause) < 0.020
    # The track ends with the last planned pause: exact, and silent.
    tail = x[round(cues[-1].end_s * rate) :]
    assert abs(tail.size / rate - PAUSES[-1]) < 0.001 and np.all(tail == 0)
    # No sample jump at any join: every cue starts and ends at (near) zero.
    for c in cues:
        first, last = round(c.start_s * rate), round(c.end_s * rate) - 1
        assert abs(x[first]) < 200 and abs(x[last]) < 200
        assert np.max(np.abs(np.diff(x[first : first + 20]))) < 3000


def test_word_times_shift_into_the_track(takes: list[Path], tmp_path: Path) -> None:
    result = master_track(placements(takes), tmp_path / "w.wav", MasterOptions(subtitles=False))
    a = loudness.analyse_take(takes[1], 22050)
    cue = result.cues[1]
    expected = cue.start_s + 0.3 - a.trim_start / a.take_rate
    assert cue.words[0].start_s == pytest.approx(min(max(expected, cue.start_s), cue.end_s), abs=1e-9)
    assert result.subtitles == {}
    assert not (tmp_path / "w.srt").exists()


def test_sidecar_is_reused_and_redone_when_stale_or_corrupt(takes: list[Path], tmp_path: Path) -> None:
    take = tmp_path / "one.wav"
    take.write_bytes(takes[0].read_bytes())
    first = loudness.analyse_take(take, 22050)
    side = loudness.sidecar_path(take)
    assert side.exists()
    assert loudness.analyse_take(take, 22050).same_as(first)
    side.write_bytes(b"NRA1{not json")
    assert loudness.analyse_take(take, 22050).same_as(first)
    assert loudness.load_blocks(take, first) is not None
    side.write_bytes(side.read_bytes()[:-8])  # truncated block arrays: measured again when needed
    assert loudness.load_blocks(take, first) is None
    blocks = loudness.take_blocks(take, first)
    assert blocks.peaks.max() == pytest.approx(first.peak, rel=1e-6)
    assert loudness.load_blocks(take, first) is not None
    take.write_bytes(takes[1].read_bytes())  # a new take under the same name
    assert loudness.analyse_take(take, 22050).length != first.length


def test_other_rate_take_is_resampled(takes: list[Path], tmp_path: Path) -> None:
    odd = make_take(tmp_path / "sixteen.wav", TEXTS[1], rate=16000)
    pl = [Placement("a", takes[0], 0.3, text="A"), Placement("b", odd, 0.3, text="B")]
    result = master_track(pl, tmp_path / "mixed.wav", MasterOptions(subtitles=False))
    x, rate = read_wav(tmp_path / "mixed.wav")
    assert rate == 22050
    b = result.cues[1]
    assert abs(x[round(b.start_s * rate)]) < 200
    # Roughly the same spoken length at either rate.
    ref = master_track([Placement("b", takes[1], 0.0)], tmp_path / "ref.wav", MasterOptions(subtitles=False))
    assert b.end_s - b.start_s == pytest.approx(ref.cues[0].end_s - ref.cues[0].start_s, abs=0.15)


def test_pure_pause_placements_and_progress(takes: list[Path], tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    pl = [Placement("p0", None, 1.0), Placement("s", takes[1], 0.2, text="x"), Placement("p1", None, 0.5)]
    result = master_track(pl, tmp_path / "p.wav", MasterOptions(subtitles=False), lambda d, t: seen.append((d, t)))
    assert len(result.cues) == 1
    assert result.cues[0].start_s == pytest.approx(1.0, abs=1e-4)
    assert seen[-1] == (6, 6) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_subtitles_and_timings(takes: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "news.wav"
    result = master_track(placements(takes), out)
    assert set(result.subtitles) == {"srt", "vtt", "timings"}
    srt = (tmp_path / "news.srt").read_text(encoding="utf-8")
    vtt = (tmp_path / "news.vtt").read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:00,") and TEXTS[2] in srt
    assert vtt.startswith("WEBVTT\n\ns0\n00:00:00.") and "-->" in vtt
    doc = json.loads((tmp_path / "news.timings.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in doc["segments"]] == ["s0", "s1", "s2"]
    seg = doc["segments"][1]
    assert seg["text"] == TEXTS[1] and seg["spoken"] == TEXTS[1].lower() and seg["voice"] == "default"
    assert seg["start_s"] == pytest.approx(result.cues[1].start_s, abs=1e-6)
    assert doc["duration_s"] == pytest.approx(result.duration_s, abs=1e-6)
    assert doc["loudness_target_lufs"] == -16.0 and isinstance(doc["loudness_lufs"], float)


def test_unknown_extension_names_it_and_lists_known(takes: list[Path], tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        master_track(placements(takes), tmp_path / "track.xyz")
    assert ".xyz" in err.value.message and ".mp3" in err.value.message and ".wav" in err.value.message


def test_missing_and_read_only_folders(takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        master_track(placements(takes), tmp_path / "nope" / "track.wav")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        from narrate import encode

        # root may write anywhere: then pretend the folder refuses, as it would for a user.
        monkeypatch.setattr(encode.os, "access", lambda *a, **k: False)
        with pytest.raises(OutputError, match="not writable") as err:
            master_track(placements(takes), ro / "track.wav")
        assert "\n" not in err.value.message
    finally:
        ro.chmod(0o755)


def test_disk_full_is_one_line_output_error(takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from narrate import splice

    out = tmp_path / "full.wav"
    out.write_bytes(b"previous")

    def full(fd: int, offset: int, pcm: bytes, at: int = splice.HEADER_BYTES) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # A WAV is written take by take at its offset (narrate.splice); the real full disk is in test_faults.
    monkeypatch.setattr(splice, "write_at", full)
    with pytest.raises(OutputError, match="disk full") as err:
        master_track(placements(takes), out)
    assert "\n" not in err.value.message
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.wav"]


def test_missing_take_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing"):
        master_track([Placement("s", tmp_path / "gone.wav", 0.1)], tmp_path / "t.wav")


def test_subtitle_docstring_examples_hold() -> None:
    import doctest

    from narrate import subtitles

    assert doctest.testmod(subtitles).failed == 0


def test_empty_cue_is_left_out_of_subtitles() -> None:
    from narrate.stitch import Cue
    from narrate.subtitles import srt, vtt

    cues = [Cue("a", 1.0, 1.0, "Nothing", "", ""), Cue("b", 1.0, 2.0, "Said", "", "")]
    assert "Nothing" not in srt(cues) and srt(cues).startswith("1\n") and "Nothing" not in vtt(cues)
