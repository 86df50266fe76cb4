"""End to end with the real engine and the real ffmpeg: render, then inspect the audio itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, require_tool, shared_path
from narrate.cli import main
from narrate.plan import build_plan
from narrate.profiles import load_profile


@pytest.fixture(autouse=True)
def _tools() -> None:
    require_tool("espeak-ng")
    require_tool("ffmpeg")
    require_tool("ffprobe")


def render_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["render", *argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert isinstance(doc, dict)
    return doc


def samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768.0
    return data, rate


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x**2)) + 1e-12))


def speech_fits_words(doc: dict[str, object], timings: list[dict[str, object]], script: Path, voice: str | None = None) -> None:
    """The narrated speech lasts what its words take at each segment's rate (±30%)."""
    plan = build_plan(script, voice=voice)
    by_id = {s.id: s for s in plan.narrated}
    expected = sum(len(by_id[str(c["id"])].spoken.split()) * 60.0 / by_id[str(c["id"])].rate_wpm for c in timings)
    spoken = sum(float(c["end_s"]) - float(c["start_s"]) for c in timings)  # type: ignore[arg-type]
    assert 0.7 * expected <= spoken <= 1.3 * expected, (spoken, expected)
    pauses = sum(s.pause_after_s for s in plan.narrated)
    assert abs(float(doc["duration_s"]) - (spoken + pauses)) < 0.05 * len(timings) + 0.5  # type: ignore[arg-type]


def test_sample_script_renders_with_planned_silences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "frontline-brief.txt"
    shutil.copy(ROOT / "scripts" / "frontline-brief.txt", script)
    doc = render_json(capsys, str(script))
    out = Path(str(doc["output"]))
    assert out == script.with_suffix(".wav")
    audio, rate = samples(out)
    profile = load_profile("default")
    assert rate == 22050
    assert abs(len(audio) / rate - float(doc["duration_s"])) < 0.01  # type: ignore[arg-type]
    timings = json.loads(Path(str(doc["timings"])).read_text(encoding="utf-8"))["segments"]
    plan = build_plan(script)
    narrated = plan.narrated
    assert [c["id"] for c in timings] == [s.id for s in narrated]
    assert doc["segments"] == len(narrated) and doc["narrator"] == "Dana Whitfield"
    speech_fits_words(doc, timings, script)
    # Silence where each pause was planned, of the planned length.
    for cue, nxt, seg in zip(timings, timings[1:], narrated):
        gap = float(nxt["start_s"]) - float(cue["end_s"])
        assert abs(gap - seg.pause_after_s) < 0.03, (cue["id"], gap, seg.pause_after_s)
        a, b = int(float(cue["end_s"]) * rate), int(float(nxt["start_s"]) * rate)
        assert rms_db(audio[a:b]) < -60, cue["id"]
        assert rms_db(audio[int(float(cue["start_s"]) * rate) : a]) > -40, cue["id"]
    # Word timings from the engine, in track time, inside their cue and in order.
    for cue in timings:
        starts = [w["start_s"] for w in cue["words"]]
        assert len(starts) >= len(str(cue["spoken"]).split()) // 2, cue["id"]
        assert starts == sorted(starts)
        assert float(cue["start_s"]) - 0.05 <= starts[0] and starts[-1] <= float(cue["end_s"])  # type: ignore[arg-type]
    expected_pause = profile.pauses.paragraph
    assert any(abs(s.pause_after_s - expected_pause) < 1e-9 for s in narrated)
    # Loudness as measured by ffmpeg (BS.1770) is on target.
    meter = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-i", str(out), "-af", "ebur128", "-f", "null", "-"],
                           capture_output=True, text=True)
    integrated = float(meter.stderr.rsplit("I:", 1)[1].split("LUFS")[0])
    assert abs(integrated - float(doc["loudness_target_lufs"])) <= 1.0  # type: ignore[arg-type]


def test_mp3_output_by_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.txt"
    script.write_text("The ISF advanced 12km on Monday. Aid groups warned of shortages.\n", encoding="utf-8")
    doc = render_json(capsys, str(script), "-o", str(tmp_path / "s.mp3"))
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,sample_rate:format=duration", "-of", "json",
                            str(tmp_path / "s.mp3")], capture_output=True, text=True, check=True)
    info = json.loads(probe.stdout)
    assert info["streams"][0]["codec_name"] == "mp3"
    assert abs(float(info["format"]["duration"]) - float(doc["duration_s"])) < 0.15  # type: ignore[arg-type]
    # Rendered again with nothing changed: the MP3 is not encoded again (the same file), and reported the same.
    st = (tmp_path / "s.mp3").stat()
    again = render_json(capsys, str(script), "-o", str(tmp_path / "s.mp3"))
    assert ((tmp_path / "s.mp3").stat().st_ino, (tmp_path / "s.mp3").stat().st_mtime_ns) == (st.st_ino, st.st_mtime_ns)
    assert {k: again[k] for k in ("duration_s", "loudness_lufs", "segments")} == {k: doc[k] for k in ("duration_s", "loudness_lufs", "segments")}
    # One sentence edited: encoded again, longer.
    script.write_text("The ISF advanced 12km on Monday. Aid groups warned of shortages of food and water.\n", encoding="utf-8")
    edited = render_json(capsys, str(script), "-o", str(tmp_path / "s.mp3"))
    assert edited["synthesized"] == 1 and float(edited["duration_s"]) > float(doc["duration_s"])  # type: ignore[arg-type]
    assert (tmp_path / "s.mp3").stat().st_mtime_ns != st.st_mtime_ns


@pytest.mark.parametrize("voice", ["default", "espeak"])
def test_seed_renders_without_credit_or_appeal_and_spells_acronyms(voice: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = shared_path("seed", "mosul-report.txt")
    script = tmp_path / seed.name
    shutil.copy(seed, script)
    plan = build_plan(script)
    kinds = {s.kind for s in plan.segments}
    assert {"credit", "appeal", "narration"} <= kinds and plan.narrator == "Harold Hoover"
    spoken = " ".join(s.spoken for s in plan.narrated)
    for spelled in ("I S F", "P M U", "S V B I E D"):
        assert spelled in spoken
    assert not any(ch.isdigit() for ch in spoken)
    assert "PayPal" not in spoken and "Voiceover" not in spoken and "Hoover" not in spoken
    assert "ninety kilometers" in spoken and "nine percent" in spoken
    # espeak-ng says letter names for the spelled acronyms (not a word "isf").
    phon = subprocess.run(["espeak-ng", "-q", "-x", "I S F"], capture_output=True, text=True, check=True).stdout.split()
    assert len(phon) == 3
    doc = render_json(capsys, str(script), "-o", str(tmp_path / "mosul.wav"), "--voice", voice)
    timings = json.loads(Path(str(doc["timings"])).read_text(encoding="utf-8"))["segments"]
    assert all(c["spoken"] and "PayPal" not in str(c["text"]) for c in timings)
    assert {c["voice"] for c in timings} == {voice}
    speech_fits_words(doc, timings, script, voice)


def test_two_voice_script_speaks_each_segment_in_its_voice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "two-voices.txt"
    shutil.copy(ROOT / "scripts" / "two-voices.txt", script)
    doc = render_json(capsys, str(script))
    timings = json.loads(Path(str(doc["timings"])).read_text(encoding="utf-8"))["segments"]
    voices = [c["voice"] for c in timings]
    assert "default" in voices and "anchor-female" in voices
    audio, rate = samples(Path(str(doc["output"])))

    def median_f0(cue: dict[str, object]) -> float:
        x = audio[int(float(cue["start_s"]) * rate) : int(float(cue["end_s"]) * rate)]  # type: ignore[arg-type]
        f0s = []
        frame = int(0.04 * rate)
        for i in range(0, len(x) - frame, frame):
            w = x[i : i + frame]
            if rms_db(w) < -35:
                continue
            ac = np.correlate(w, w, "full")[frame - 1 :]
            lo, hi = int(rate / 400), int(rate / 70)
            lag = lo + int(np.argmax(ac[lo:hi]))
            f0s.append(rate / lag)
        return float(np.median(f0s))

    female = [median_f0(c) for c in timings if c["voice"] == "anchor-female"]
    male = [median_f0(c) for c in timings if c["voice"] == "default"]
    assert min(female) > max(male) * 1.3, (female, male)
    # The [rate 150] line slows the segment after it.
    plan = build_plan(script)
    rates = {s.id: s.rate_wpm for s in plan.narrated}
    assert 150 in rates.values()
