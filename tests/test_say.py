"""narrate say: a WAV of the word in the voice's engine, the default file, conversions and players."""

from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

import pytest

from conftest import require_tool
from narrate import say as say_module
from narrate.cli import main


def duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def test_say_writes_a_wav_of_the_word(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    out = tmp_path / "mosul.wav"
    assert main(["say", "Mosul", "-o", str(out)]) == 0
    assert 0.2 < duration(out) < 5.0
    assert str(out) in capsys.readouterr().out
    assert not list(tmp_path.glob(".narrate-say-*"))  # no temporary left behind


def test_say_without_output_writes_say_wav_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    monkeypatch.chdir(tmp_path)
    assert main(["say", "ISF", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert Path(doc["output"]).name == "say.wav" and doc["duration_s"] > 0
    assert duration(tmp_path / "say.wav") > 0


def test_say_converts_other_formats_with_ffmpeg(tmp_path: Path) -> None:
    require_tool("espeak-ng")
    require_tool("ffmpeg")
    out = tmp_path / "word.mp3"
    assert main(["say", "villages", "-o", str(out)]) == 0
    assert out.stat().st_size > 500


def test_say_refuses_unknown_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "hi", "-o", str(tmp_path / "x.xyz")]) == 2
    assert "cannot write '.xyz'" in capsys.readouterr().err
    assert not (tmp_path / "x.xyz").exists()


def test_say_play_without_a_player_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(say_module.shutil, "which", lambda name: None)
    monkeypatch.chdir(tmp_path)
    assert main(["say", "hi", "--play"]) == 3
    err = capsys.readouterr().err
    assert "no audio player found" in err and "aplay, paplay, ffplay, afplay" in err


def test_say_plays_with_the_first_player_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    # A stand-in player that opens the WAV it is given and logs what it read.
    log = tmp_path / "played.txt"
    player = [sys.executable, "-c", f"import sys, wave; open({str(log)!r}, 'w').write(str(wave.open(sys.argv[1]).getnframes()))"]
    monkeypatch.setattr(say_module, "find_player", lambda: player)
    monkeypatch.chdir(tmp_path)
    assert main(["say", "hi", "--play"]) == 0
    assert int(log.read_text()) > 0
    assert "played" in capsys.readouterr().out
    assert not (tmp_path / "say.wav").exists()  # --play alone keeps no file


def test_say_empty_text_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "  "]) == 2
    assert "nothing to say" in capsys.readouterr().err


def test_say_reads_numbers_the_way_the_profile_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tool("espeak-ng")
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "brit.toml").write_text('engine = "espeak-ng"\nvoice = "en-gb"\nnumber_and = true\n')
    monkeypatch.setenv("NARRATE_VOICES_DIR", str(voices))
    said = say_module.say("120 km", tmp_path / "n.wav", voice="brit")
    assert said.spoken == "one hundred and twenty kilometers"  # render reads it so; say once dropped the field
