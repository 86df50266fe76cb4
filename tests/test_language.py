"""Text in another writing system: spoken by a voice for its language, or reported by check."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import require_tool
from narrate.check import check_script
from narrate.engines.base import VoiceInfo
from narrate.language import dominant_language, foreign_runs, voice_for_language
from narrate.render import _session


@pytest.mark.parametrize(
    "text,lang",
    [
        ("قالت القوات العراقية إنها تقدمت", "ar"),
        ("Москва подтвердила удары", "ru"),
        ("שלום לכולם", "he"),
        ("The mayor of الموصل said the river was calm.", None),
        ("Plain English only.", None),
        ("", None),
    ],
)
def test_dominant_language(text: str, lang: str | None) -> None:
    assert dominant_language(text) == lang


def test_foreign_runs_inside_english() -> None:
    assert foreign_runs("The mayor of الموصل met Москва officials.") == [("ARABIC", "الموصل"), ("CYRILLIC", "Москва")]


def test_voice_for_language_by_code_or_id() -> None:
    voices = [VoiceInfo("gmw/en", "English", ("en",)), VoiceInfo("sem/ar", "Arabic", ()), VoiceInfo("x", "Russian", ("ru-ru",))]
    assert voice_for_language(voices, "ar") == voices[1]
    assert voice_for_language(voices, "ru") == voices[2]
    assert voice_for_language(voices, "he") is None


def test_arabic_paragraph_gets_the_arabic_voice_and_check_reports_inline_arabic(tmp_path: Path) -> None:
    require_tool("espeak-ng")
    script = tmp_path / "mixed.txt"
    script.write_text("The mayor of الموصل said the river was calm.\n\nقالت القوات العراقية إنها تقدمت\n", encoding="utf-8")
    s = _session(script, None)
    english, arabic = s.plan.narrated
    assert s.settings(english)[1].language == "en"
    engine, settings = s.settings(arabic)
    assert settings.language == "ar" and "ar" in settings.voice
    kinds = {(f.kind, f.line) for f in check_script(script)}
    assert ("foreign-script", 1) in kinds and ("other-language", 3) in kinds
