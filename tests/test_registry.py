"""The engine registry: built-ins, the ``narrate.engines`` entry-point group, the test-only fake."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from fakes import FakeEngine, expected_seconds
from narrate import engines
from narrate.engines import Engine, VoiceSettings, create_engine, engine_factory, engine_names
from narrate.errors import DependencyError, InputError
from narrate.models import SpokenPart

PLUGIN_SOURCE = '''
from pathlib import Path
from narrate.engines.base import TakeAudio, VoiceInfo


class PluggedEngine:
    name = "plugged"
    accepts_phonemes = False

    def version(self):
        return "plugged-0.1"

    def list_voices(self):
        return [VoiceInfo("p1", "Plugged One")]

    def synthesize(self, parts, settings, out_path):
        Path(out_path).write_bytes(b"")
        return TakeAudio(Path(out_path), 8000, 0)

    def close(self):
        pass
'''


def _install_fake_distribution(root: Path, entries: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A distribution on sys.path, found by importlib.metadata like any installed package."""
    (root / "narrate_plugged.py").write_text(PLUGIN_SOURCE)
    info = root / "narrate_plugged-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: narrate-plugged\nVersion: 0.1\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entries.items())
    (info / "entry_points.txt").write_text(f"[narrate.engines]\n{lines}\n")
    monkeypatch.syspath_prepend(str(root))


def test_builtins_and_the_test_fake_are_registered() -> None:
    names = engine_names()
    assert {"pyttsx3", "espeak-ng", "piper", "fake"} <= set(names)
    assert names == sorted(names)


def test_unknown_engine_lists_the_known_names() -> None:
    with pytest.raises(InputError) as err:
        create_engine("festival")
    assert "unknown engine 'festival'" in err.value.message
    assert "espeak-ng" in err.value.message and "pyttsx3" in err.value.message


def test_entry_point_engine_is_found_and_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_fake_distribution(tmp_path, {"plugged": "narrate_plugged:PluggedEngine"}, monkeypatch)
    assert "plugged" in engine_names()
    engine = create_engine("plugged")
    assert isinstance(engine, Engine)
    assert engine.version() == "plugged-0.1" and engine.list_voices()[0].id == "p1"


def test_entry_point_cannot_shadow_a_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_fake_distribution(tmp_path, {"espeak-ng": "narrate_plugged:PluggedEngine"}, monkeypatch)
    assert engine_factory("espeak-ng").__module__ == "narrate.engines.espeak_ng"


def test_broken_plugins_are_clear_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = {"gone": "no_such_module_xyz:Engine", "nameless": "narrate_plugged:Missing"}
    _install_fake_distribution(tmp_path, entries, monkeypatch)
    with pytest.raises(DependencyError, match="engine 'gone' cannot be loaded"):
        create_engine("gone")
    with pytest.raises(InputError, match="names no factory"):
        create_engine("nameless")


def test_entry_points_seen_through_a_monkeypatched_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    ep = EntryPoint(name="fake2", value="fakes:FakeEngine", group="narrate.engines")
    import importlib.metadata

    # The registry looks the plugins up when a name is not built in (importing the scan lazily).
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [ep] if group == "narrate.engines" else [])
    assert isinstance(create_engine("fake2"), FakeEngine)


def test_a_factory_that_is_not_an_engine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(engines.BUILTIN, "notengine", "pathlib:PurePath")
    with pytest.raises(InputError, match="does not implement"):
        create_engine("notengine")


def test_fake_engine_take_fits_the_words_at_the_rate(tmp_path: Path) -> None:
    engine = create_engine("fake")
    assert isinstance(engine, FakeEngine)
    text = "one two three four five six seven eight nine ten"
    take = engine.synthesize((SpokenPart(text),), VoiceSettings(rate=150), tmp_path / "f.wav")
    with wave.open(str(take.path), "rb") as w:
        assert (w.getframerate(), w.getnframes()) == (take.sample_rate, take.frames)
    assert take.duration_s == pytest.approx(expected_seconds(10, 150), abs=0.01)
    assert [w.word for w in take.words] == text.split()
    assert engine.calls == [(text, VoiceSettings(rate=150))]
    slower = engine.synthesize((SpokenPart(text),), VoiceSettings(rate=75), tmp_path / "g.wav")
    assert slower.duration_s == pytest.approx(2 * take.duration_s, rel=0.01)
