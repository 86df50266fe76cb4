"""Per-paragraph readability (Flesch reading ease and grade) without reaching for the network.

textstat counts syllables with NLTK's cmudict and, when it is missing, tries to
download it; narrate works offline, so it uses textstat only when cmudict is
already installed and otherwise counts syllables with pyphen (which textstat
itself falls back to for words cmudict lacks).
"""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=1)
def _have_cmudict() -> bool:
    try:
        import nltk  # type: ignore[import-untyped]

        nltk.data.find("corpora/cmudict")
    except (ImportError, LookupError):
        return False
    return True


@functools.lru_cache(maxsize=1)
def _hyphenator():  # type: ignore[no-untyped-def]
    import pyphen  # type: ignore[import-untyped]

    return pyphen.Pyphen(lang="en_US")


def syllables(word: str) -> int:
    """Syllables of one word, by hyphenation points (at least one)."""
    return len(_hyphenator().positions(word.lower())) + 1


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text)


def scores(text: str, sentences: int) -> tuple[float, float]:
    """(Flesch reading ease, Flesch-Kincaid grade) of ``text`` made of ``sentences`` sentences."""
    words = _words(text)
    if not words:
        return 0.0, 0.0
    if _have_cmudict():
        import textstat  # type: ignore[import-untyped]

        return float(textstat.flesch_reading_ease(text)), float(textstat.flesch_kincaid_grade(text))
    per_sentence = len(words) / max(sentences, 1)
    per_word = sum(syllables(w) for w in words) / len(words)
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    return round(ease, 1), round(grade, 1)
