"""Keep user text out of engine markup: only lexicon phonemes may use phoneme syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import SpokenPart

# Characters that open markup or phoneme input in espeak-ng (and SSML engines), and
# control characters (a NUL would cut the C string short).
_MARKUP = re.compile(r"[\[\]<>{}\\`\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
_WS = re.compile(r"\s+")


def escape_text(text: str) -> str:
    """User text with every markup-opening character replaced by a space."""
    return _MARKUP.sub(" ", text)


@dataclass(frozen=True)
class EngineInput:
    """Escaped engine text plus, per lexicon-phoneme piece, ``(start, end, word)`` in that text.

    The spans let word events inside ``[[…]]`` be reported as the word, not its phonemes.
    """

    text: str
    phoneme_spans: tuple[tuple[int, int, str], ...] = ()
    has_phonemes: bool = False

    def word_at(self, index: int, length: int) -> str:
        """The word at character ``index`` (from 0); a phoneme piece is reported as its written word."""
        for start, end, word in self.phoneme_spans:
            if start <= index < end:
                return word
        return self.text[index : index + length]


def engine_input(parts: tuple[SpokenPart, ...], *, phonemes: bool) -> EngineInput:
    """Escaped words, joined by single spaces; ``[[…]]`` only for lexicon phonemes (if accepted)."""
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for p in parts:
        if phonemes and p.phonemes:
            ph = re.sub(r"[\[\]\s]+", " ", p.phonemes).strip()
            if not ph:
                continue
            piece = f"[[{ph}]]"
            if pieces:
                pos += 1
            spans.append((pos, pos + len(piece), _WS.sub(" ", escape_text(p.text)).strip()))
        else:
            piece = _WS.sub(" ", escape_text(p.text)).strip()
            if not piece:
                continue
            if pieces:
                pos += 1
        pieces.append(piece)
        pos += len(piece)
    return EngineInput(" ".join(pieces), tuple(spans), bool(spans))


def plain_text(parts: tuple[SpokenPart, ...], *, phonemes: bool) -> str:
    """Engine input for espeak-style engines: escaped words, ``[[…]]`` only for lexicon phonemes."""
    return engine_input(parts, phonemes=phonemes).text


def split_input(inp: EngineInput, max_chars: int) -> list[tuple[int, str]]:
    """``(offset, text)`` pieces of at most ``max_chars``, cut after a sentence if possible,
    else at a space, never inside a ``[[…]]`` piece; for engines that fail on long texts."""
    text = inp.text
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        window = text[start:limit]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > 0 else window.rfind(" ")
        end = start + cut if cut > 0 else limit
        for a, b, _ in inp.phoneme_spans:
            if a < end < b:
                end = a if a > start else b  # a phoneme piece longer than the limit stays whole
                break
        out.append((start, text[start:end].rstrip()))
        start = end
        while start < len(text) and text[start] == " ":
            start += 1
    if start < len(text):
        out.append((start, text[start:]))
    return out
