"""Mastering checked by ffmpeg: loudness and true peak by ebur128, every format by ffprobe, music bed, errors."""

from __future__ import annotations

import json
import re
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import espeak_takes, require_tool
from narrate import encode
from narrate.errors import DependencyError, InputError, OutputError
from narrate.loudness import resolve_loudness
from narrate.stitch import MasterOptions, Placement, master_track

TEXTS = [
    "Good evening. Here is the news.",
    "Flooding closed the main road north of the city for a second day.",
    "Engineers expect it to reopen by the weekend.",
    "In sport, the home side won by two goals.",
]


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return espeak_takes(tmp_path_factory.mktemp("takes"), TEXTS)


def plan(takes: list[Path]) -> list[Placement]:
    return [Placement(f"s{i}", t, 0.4, text=TEXTS[i]) for i, t in enumerate(takes)]


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak as ffmpeg measures them."""
    ffmpeg = require_tool("ffmpeg")
    proc = subprocess.run(
        [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    loud = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))  # type: ignore[union-attr]
    return loud, peak


def probe(path: Path) -> dict:
    ffprobe = require_tool("ffprobe")
    proc = subprocess.run(
        [ffprobe, "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(proc.stdout)


@pytest.mark.parametrize("preset", ["podcast", "broadcast", "audiobook"])
def test_loudness_and_true_peak_measured_by_ffmpeg(takes: list[Path], tmp_path: Path, preset: str) -> None:
    target, ceiling = resolve_loudness(preset)
    out = tmp_path / f"{preset}.wav"
    result = master_track(plan(takes), out, MasterOptions(loudness_target=target, true_peak_dbtp=ceiling))
    measured, peak = ebur128(out)
    assert abs(measured - target) <= 1.0
    assert result.loudness_lufs is not None and abs(result.loudness_lufs - measured) <= 0.2
    assert peak <= ceiling + 0.2
    assert result.true_peak_dbtp is not None and result.true_peak_dbtp <= ceiling
    if preset == "audiobook":
        assert result.rms_dbfs is not None and -23.0 <= result.rms_dbfs <= -18.0
    # The reported figures are predicted from the take analyses (the limiter's change from block
    # energies): the whole written track, filtered and oversampled from scratch, agrees.
    from narrate import audio, limiter, loudness

    x, rate = audio.read_samples(out)
    xf = x.astype(np.float64) / audio.FULL_SCALE
    exact = loudness.integrated_loudness(loudness.chunk_sums(loudness.k_weighted_squares(xf, rate, scaled=True), rate),
                                         loudness.sub_block_len(rate))
    assert exact is not None and abs(result.loudness_lufs - exact) <= 0.05
    assert 20 * np.log10(limiter.true_peak(xf)) <= ceiling
    rms = 10 * np.log10(np.mean(xf * xf))
    assert result.rms_dbfs == pytest.approx(rms, abs=0.01)


def test_resolve_loudness() -> None:
    assert resolve_loudness("podcast") == (-16.0, -1.0)
    assert resolve_loudness("Broadcast") == (-23.0, -1.0)
    assert resolve_loudness("audiobook") == (-20.0, -3.0)
    assert resolve_loudness("-18") == (-18.0, -1.0)
    assert resolve_loudness(-14) == (-14.0, -1.0)
    with pytest.raises(InputError, match="podcast"):
        resolve_loudness("loud")
    with pytest.raises(InputError, match="out of range"):
        resolve_loudness(5)


@pytest.mark.parametrize(
    ("ext", "codec", "rate"),
    [(".mp3", "mp3", 44100), (".flac", "flac", 22050), (".ogg", "vorbis", 22050), (".opus", "opus", 48000),
     (".m4a", "aac", 22050), (".wav", "pcm_s16le", 22050)],
)
def test_every_format_decodes_with_rate_and_tags(takes: list[Path], tmp_path: Path, ext: str, codec: str,
                                                 rate: int) -> None:
    out = tmp_path / f"news{ext}"
    options = MasterOptions(title="Evening News", artist="Ann Reader", subtitles=False,
                            sample_rate=44100 if ext == ".mp3" else None, bitrate="96k" if ext == ".mp3" else None)
    result = master_track(plan(takes[:2]), out, options)
    info = probe(out)
    stream = info["streams"][0]
    assert stream["codec_name"] == codec
    assert int(stream["sample_rate"]) == rate == result.sample_rate
    tags = {k.lower(): v for k, v in {**info["format"].get("tags", {}), **stream.get("tags", {})}.items()}
    assert tags.get("title") == "Evening News" and tags.get("artist") == "Ann Reader"
    assert float(info["format"]["duration"]) == pytest.approx(result.duration_s, abs=0.1)
    if ext == ".mp3":
        assert int(info["format"]["bit_rate"]) < 110_000


@pytest.mark.parametrize(("ext", "floor_db"), [(".m4a", 30.0), (".mp3", 20.0), (".flac", 90.0)])
def test_encoded_tracks_decode_close_to_the_wav(takes: list[Path], tmp_path: Path, ext: str, floor_db: float) -> None:
    """The encoders' settings (AAC's fast coder among them) keep the speech: the decoded track against the WAV."""
    ffmpeg = require_tool("ffmpeg")
    master_track(plan(takes), tmp_path / "ref.wav", MasterOptions(subtitles=False))
    master_track(plan(takes), tmp_path / f"enc{ext}", MasterOptions(subtitles=False))
    ref = np.frombuffer(wave.open(str(tmp_path / "ref.wav"), "rb").readframes(10**9), dtype="<i2").astype(float)
    raw = subprocess.run([ffmpeg, "-v", "error", "-i", str(tmp_path / f"enc{ext}"), "-f", "s16le", "-ac", "1", "-ar", "22050", "-"],
                         capture_output=True, check=True).stdout
    dec = np.frombuffer(raw, dtype="<i2").astype(float)[: ref.size]
    assert dec.size >= ref.size - 2048  # the whole track (up to an encoder's frame)
    noise = np.sum((ref[: dec.size] - dec) ** 2)
    snr = 10 * np.log10(np.sum(ref[: dec.size] ** 2) / max(noise, 1e-9))
    assert snr > floor_db, f"{ext}: {snr:.1f} dB"


def test_an_unchanged_encoded_track_is_not_encoded_again(takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An MP3 made from the very same inputs is left as it is (no ffmpeg run, same file, same measures); any change
    to its takes, encoder settings, tags or the file itself encodes it again."""
    require_tool("ffmpeg")
    out, record = tmp_path / "news.mp3", tmp_path / "render.master"
    opts = MasterOptions(subtitles=False, record=record, title="News")
    first = master_track(plan(takes), out, opts)
    encodes: list[object] = []
    real = encode.FfmpegSink.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        encodes.append(args)
        real(self, *args, **kwargs)

    monkeypatch.setattr(encode.FfmpegSink, "__init__", counting)

    def stamp() -> tuple[int, int]:
        st = out.stat()
        return st.st_ino, st.st_mtime_ns

    before = stamp()
    again = master_track(plan(takes), out, opts)
    assert not encodes and stamp() == before
    assert (again.duration_s, again.loudness_lufs, again.true_peak_dbtp, again.sample_rate, again.limited_takes, again.rms_dbfs) == (
        first.duration_s, first.loudness_lufs, first.true_peak_dbtp, first.sample_rate, first.limited_takes, first.rms_dbfs)
    assert [c.segment_id for c in again.cues] == [c.segment_id for c in first.cues]
    # Each of these is another track: encoded again (and then left alone once more).
    for changed_plan, changed_opts in [
        (plan(takes)[::-1], opts),  # the takes in another order
        (plan(takes), MasterOptions(subtitles=False, record=record, title="News", bitrate="64k")),
        (plan(takes), MasterOptions(subtitles=False, record=record, title="Evening news", bitrate="64k")),
    ]:
        encodes.clear()
        master_track(changed_plan, out, changed_opts)
        assert len(encodes) == 1
        master_track(changed_plan, out, changed_opts)
        assert len(encodes) == 1
    # A damaged record (any JSON, or none) is only a lost shortcut: encoded again, and remembered again.
    from narrate.splice import encoded_record_path

    for damaged in (b"[1, 2]", b'{"outputs": [1]}', b'{"outputs": {"x": 5}}', b"\x00\xff not json"):
        encoded_record_path(record).write_bytes(damaged)
        encodes.clear()
        master_track(plan(takes), out, MasterOptions(subtitles=False, record=record, title="Evening news", bitrate="64k"))
        master_track(plan(takes), out, MasterOptions(subtitles=False, record=record, title="Evening news", bitrate="64k"))
        assert len(encodes) == 1, damaged
    # The file changed behind the record's back (another tool wrote it): encoded again.
    out.write_bytes(out.read_bytes() + b"\0")
    encodes.clear()
    master_track(plan(takes), out, MasterOptions(subtitles=False, record=record, title="Evening news", bitrate="64k"))
    assert len(encodes) == 1
    assert float(probe(out)["format"]["duration"]) == pytest.approx(first.duration_s, abs=0.1)


def test_failing_encode_leaves_existing_output(takes: list[Path], tmp_path: Path) -> None:
    require_tool("ffmpeg")
    out = tmp_path / "keep.mp3"
    out.write_bytes(b"the previous render")
    with pytest.raises(OutputError, match="ffmpeg could not encode") as err:
        master_track(plan(takes[:1]), out, MasterOptions(bitrate="not-a-bitrate"))
    assert "\n" not in err.value.message
    assert out.read_bytes() == b"the previous render"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.mp3"]


def test_missing_ffmpeg_is_dependency_error(takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encode.shutil, "which", lambda name: None)
    with pytest.raises(DependencyError, match="sudo apt-get install ffmpeg"):
        master_track(plan(takes[:1]), tmp_path / "x.mp3")
    assert list(tmp_path.iterdir()) == []


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def test_music_bed_is_ducked_under_speech_and_faded(takes: list[Path], tmp_path: Path) -> None:
    ffmpeg = require_tool("ffmpeg")
    music = tmp_path / "bed.mp3"
    # A 3 s stereo 44.1 kHz tone: shorter than the track, so it must loop.
    subprocess.run([ffmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=3",
                    "-ac", "2", "-ar", "44100", str(music)], check=True)
    pl = [Placement("a", takes[0], 2.5, text="A"), Placement("b", takes[1], 2.5, text="B")]
    out = tmp_path / "bed.wav"
    result = master_track(pl, out, MasterOptions(music=music, music_gain_db=-10, subtitles=False))
    with wave.open(str(out), "rb") as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    a, b = result.cues
    mid_pause = x[round((a.end_s + 1.25) * rate) - 2000 : round((a.end_s + 1.25) * rate) + 2000]
    assert _rms(mid_pause) > 300  # the bed plays in the pause, looped past its 3 s
    late_pause = x[round((b.end_s + 1.2) * rate) - 2000 : round((b.end_s + 1.2) * rate) + 2000]
    assert _rms(late_pause) > 300
    assert np.all(np.abs(x[-20:]) < 200)  # faded out at the very end
    assert abs(int(x[0])) < 200  # faded in
    measured, peak = ebur128(out)
    assert abs(measured - result.loudness_lufs) <= 0.3  # type: ignore[operator]
    assert peak <= -1.0 + 0.3


def test_unreadable_music_is_input_error(takes: list[Path], tmp_path: Path) -> None:
    require_tool("ffmpeg")
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio at all")
    with pytest.raises(InputError, match="bad.mp3"):
        master_track(plan(takes[:1]), tmp_path / "o.wav", MasterOptions(music=bad, subtitles=False))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mp3"]


def test_rerender_from_caches_is_identical(takes: list[Path], tmp_path: Path) -> None:
    """The cached analyses (with their block peaks) give the very same track as a render from scratch."""
    import shutil as sh

    from narrate import loudness

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    copies = [Path(sh.copy2(t, fresh / t.name)) for t in takes]
    pl = [Placement(f"s{i}", t, 0.3, text=TEXTS[i]) for i, t in enumerate(copies)]
    first = master_track(pl, tmp_path / "a.wav", MasterOptions(subtitles=False))
    assert all(loudness.sidecar_path(t).exists() for t in copies)
    again = master_track(pl, tmp_path / "b.wav", MasterOptions(subtitles=False))
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert again.loudness_lufs == pytest.approx(first.loudness_lufs, abs=1e-9)
    # Another target from the same sidecars, and from none: the same track.
    other = master_track(pl, tmp_path / "c.wav", MasterOptions(loudness_target=-14.0, subtitles=False))
    for t in copies:
        loudness.sidecar_path(t).unlink()
    scratch = master_track(pl, tmp_path / "d.wav", MasterOptions(loudness_target=-14.0, subtitles=False))
    assert (tmp_path / "c.wav").read_bytes() == (tmp_path / "d.wav").read_bytes()
    assert other.loudness_lufs == pytest.approx(scratch.loudness_lufs, abs=1e-9)


def test_limiter_keeps_a_harsh_signal_under_the_ceiling() -> None:
    from narrate import limiter, loudness

    rng = np.random.default_rng(3)
    x = (rng.standard_normal(44100) * 9000).clip(-32767, 32767).astype(np.float32)
    threshold = 8000.0
    peaks = limiter.block_true_peaks(x)
    env = limiter.envelope(peaks, threshold, x.size, 22050)
    assert env is not None
    env.apply(x)
    measured = limiter.true_peak(x)
    # The envelope is built from block peaks; interpolated points between samples whose gains
    # differ can land a little over the aim, which the ceiling's 0.2 dB margin absorbs.
    assert measured <= threshold * 10 ** (loudness.LIMITER_MARGIN_DB / 20)
    assert env.peak_after(peaks) <= threshold * 1.0001
    assert np.abs(x).max() > threshold * 0.9  # limited to the ceiling, not far under it
