"""Voice profiles load and validate; `narrate voices` lists them and an engine's voices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, require_tool
from narrate.cli import main
from narrate.engines import VoiceSettings
from narrate.errors import InputError
from narrate.normalize import NormalizeOptions
from narrate.profiles import list_profiles, load_profile, load_profile_file

PROFILE = """
engine = "espeak-ng"
voice = "en-us"
rate = 180
pitch = 40
volume = 0.9
lexicons = ["extra.toml"]
loudness_target = "broadcast"
ungrouped_as_digits = true
[pauses]
sentence = 0.5
"""


@pytest.fixture
def voices_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "voices"
    d.mkdir()
    monkeypatch.setenv("NARRATE_VOICES_DIR", str(d))
    return d


def test_shipped_profiles_cover_each_engine() -> None:
    shipped = {p.stem: load_profile_file(p) for p in sorted((ROOT / "voices").glob("*.toml"))}
    assert shipped["default"].engine == "pyttsx3"
    assert shipped["espeak"].engine == "espeak-ng" and shipped["espeak"].voice.startswith("en")
    assert len(shipped) >= 3
    for profile in shipped.values():
        assert profile.description and 80 <= profile.rate <= 260
        assert profile.pauses.sentence < profile.pauses.paragraph < profile.pauses.section


def test_profile_fields_load(voices_dir: Path) -> None:
    (voices_dir / "news.toml").write_text(PROFILE)
    p = load_profile("news")
    assert (p.engine, p.voice, p.rate, p.pitch, p.volume) == ("espeak-ng", "en-us", 180, 40, 0.9)
    assert p.loudness_target == -23.0 and p.pauses.sentence == 0.5 and p.pauses.section == 1.5
    assert p.lexicons == ((voices_dir / "extra.toml").resolve(),)
    assert p.with_rate(200).voice_settings() == VoiceSettings(voice="en-us", rate=200, pitch=40, volume=0.9, language="en")
    assert p.normalize_options() == NormalizeOptions(ungrouped_as_digits=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('engine = "espeak-ng"\nrate = [', "not valid TOML"),
        ("rate = 5000", "'rate' = 5000 is out of range"),
        ('rate = "fast"', "'rate' must be a number"),
        ("colour = 1", "unknown profile field"),
        ('engine = "festival"', "unknown engine 'festival'"),
        ('loudness_target = "loud"', "loudness_target 'loud'"),
        ("[pauses]\nbreath = 1", "unknown pause"),
    ],
)
def test_malformed_profile_is_an_input_error_naming_the_file(voices_dir: Path, text: str, message: str) -> None:
    path = voices_dir / "broken.toml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_profile_file(path)
    assert str(path) in err.value.message and message in err.value.message


def test_piper_model_path_is_relative_to_the_profile(voices_dir: Path) -> None:
    (voices_dir / "neural.toml").write_text('engine = "piper"\nvoice = "models/en.onnx"\n')
    assert load_profile("neural").voice == str((voices_dir / "models" / "en.onnx").resolve())


def test_voices_json_is_one_document(voices_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (voices_dir / "news.toml").write_text(PROFILE)
    assert main(["voices", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    names = [p["name"] for p in doc["profiles"]]
    assert {"news", "default", "espeak"} <= set(names) and names == sorted(names)
    news = next(p for p in doc["profiles"] if p["name"] == "news")
    assert {"name", "engine", "voice", "rate", "pitch", "volume", "pauses", "lexicons", "loudness_target"} <= set(news)
    assert (news["engine"], news["voice"], news["rate"]) == ("espeak-ng", "en-us", 180)


def test_voices_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voices"]) == 0
    out = capsys.readouterr().out
    assert "default" in out and "espeak-ng" in out and "pyttsx3" in out


def test_engine_voices_json(capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("espeak-ng")
    assert main(["voices", "--engine", "espeak-ng", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["engine"] == "espeak-ng"
    en_us = next(v for v in doc["voices"] if v["id"] == "gmw/en-US")
    assert set(en_us) == {"id", "name", "languages", "gender"} and "en-us" in en_us["languages"]


def test_engine_voices_table_for_the_fake(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voices", "--engine", "fake"]) == 0
    assert "Fake A" in capsys.readouterr().out


def test_unknown_engine_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voices", "--engine", "festival", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "known engines" in captured.err


def test_malformed_profile_in_cli_names_the_file(voices_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (voices_dir / "bad.toml").write_text("rate = [")
    assert main(["voices", "--json"]) == 2
    assert "bad.toml" in capsys.readouterr().err


def test_list_profiles_without_any_folder_still_has_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("narrate.profiles.voices_dirs", lambda script_dir=None: [tmp_path / "none"])
    assert list(list_profiles()) == ["default"]
