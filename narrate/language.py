"""Text in another writing system: which language it likely is, and the engine voice that can say it.

>>> dominant_language("قالت القوات العراقية إنها تقدمت")
'ar'
>>> dominant_language("The mayor of الموصل said so.") is None
True
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from .engines.base import VoiceInfo

#: Unicode script (first word of a letter's name) -> the language a narrator would expect.
SCRIPT_LANGUAGE = {
    "ARABIC": "ar", "HEBREW": "he", "CYRILLIC": "ru", "GREEK": "el", "CJK": "zh", "HIRAGANA": "ja", "KATAKANA": "ja",
    "HANGUL": "ko", "DEVANAGARI": "hi", "BENGALI": "bn", "THAI": "th", "ARMENIAN": "hy", "GEORGIAN": "ka", "TAMIL": "ta",
    "GURMUKHI": "pa", "GUJARATI": "gu", "ETHIOPIC": "am", "SYRIAC": "syc",
}

#: Share of a segment's letters that must be in one foreign script for it to be spoken in that language.
DOMINANT_SHARE = 0.6


def script_of(ch: str) -> str:
    """LATIN, ARABIC, CYRILLIC … for a letter; '' for anything else."""
    if not ch.isalpha():
        return ""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return ""
    first = name.split()[0]
    return "LATIN" if first in ("LATIN", "FULLWIDTH") else first


def foreign_runs(text: str) -> list[tuple[str, str]]:
    """(script, run of words) for every stretch of words written outside the Latin script."""
    if text.isascii():
        return []
    runs: list[tuple[str, str]] = []
    current: tuple[str, list[str]] | None = None
    for m in re.finditer(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\S", text):
        word = m.group()
        scripts = {script_of(c) for c in word} - {""}
        script = scripts.pop() if len(scripts) == 1 else ("" if not scripts else "MIXED")
        if script in ("", "LATIN", "MIXED") and not (script == "" and current and not word.isalnum()):
            if current:
                runs.append((current[0], " ".join(current[1])))
                current = None
            continue
        if script == "":
            continue  # punctuation inside a foreign run
        if current and current[0] == script:
            current[1].append(word)
        else:
            if current:
                runs.append((current[0], " ".join(current[1])))
            current = (script, [word])
    if current:
        runs.append((current[0], " ".join(current[1])))
    return runs


def dominant_language(text: str) -> str | None:
    """The language of the foreign script that makes up most of ``text``'s letters, if any."""
    if text.isascii():
        return None
    counts = Counter(script_of(c) for c in text if c.isalpha())
    counts.pop("", None)
    total = sum(counts.values())
    if not total:
        return None
    script, n = counts.most_common(1)[0]
    if script == "LATIN" or n / total < DOMINANT_SHARE:
        return None
    return SCRIPT_LANGUAGE.get(script)


def voice_for_language(voices: Sequence[VoiceInfo], language: str) -> VoiceInfo | None:
    """An installed voice that speaks ``language`` (by its language codes, or an id such as 'sem/ar')."""
    for v in voices:
        langs = [lang.lower() for lang in v.languages]
        if language in langs or any(lang.split("-")[0] == language for lang in langs):
            return v
    for v in voices:
        if re.split(r"[/\\]", v.id.lower())[-1].split("-")[0] == language:
            return v
    return None
