"""Keep user text out of engine markup: only lexicon phonemes may use phoneme syntax."""

from __future__ import annotations

import re

from ..models import SpokenPart

# Characters that open markup or phoneme input in espeak-ng (and SSML engines).
_MARKUP = re.compile(r"[\[\]<>{}\\`]+")


def escape_text(text: str) -> str:
    """User text with every markup-opening character replaced by a space."""
    return _MARKUP.sub(" ", text)


def plain_text(parts: tuple[SpokenPart, ...], *, phonemes: bool) -> str:
    """Engine input for espeak-style engines: escaped words, ``[[…]]`` only for lexicon phonemes."""
    out: list[str] = []
    for p in parts:
        if phonemes and p.phonemes:
            ph = re.sub(r"[\[\]]", "", p.phonemes)
            out.append(f" [[{ph}]] ")
        else:
            out.append(escape_text(p.text))
    return re.sub(r"\s+", " ", "".join(out)).strip()
