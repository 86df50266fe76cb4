"""Text normalization: written text -> words an engine says correctly (first cut).

Public API: ``normalize(text, lexicon=None) -> str`` and ``normalize_spans``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from num2words import num2words

from ..lexicon import Lexicon
from ..models import Normalized, Span, SpokenPart

__all__ = ["NormalizeOptions", "normalize", "normalize_spans"]


@dataclass(frozen=True)
class NormalizeOptions:
    """Profile-level choices. expand_acronyms: speak expansions; read_repeated_acronyms: read "(ISF)" after its expansion."""

    expand_acronyms: bool = False
    read_repeated_acronyms: bool = False


_TOKEN = re.compile(r"\d+(?:\.\d+)?%?|[A-Z]{2,}s?\b")


def normalize_spans(text: str, lexicon: Lexicon | None = None, options: NormalizeOptions | None = None) -> Normalized:
    spans: list[Span] = []
    out: list[str] = []
    last = 0
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok[0].isdigit():
            pct = tok.endswith("%")
            words = num2words(float(tok.rstrip("%")) if "." in tok else int(tok.rstrip("%"))).replace("-", " ").replace(",", "")
            spoken = words + (" percent" if pct else "")
            cls = "cardinal"
        else:
            spoken = " ".join(tok.rstrip("s")) + ("s" if tok.endswith("s") and len(tok) > 2 else "")
            cls = "acronym"
        out.append(text[last : m.start()])
        out.append(spoken)
        spans.append(Span(m.start(), m.end(), tok, spoken, cls))
        last = m.end()
    out.append(text[last:])
    spoken_text = re.sub(r"\s+", " ", "".join(out)).strip()
    return Normalized(written=text, spoken=spoken_text, spans=tuple(spans), parts=(SpokenPart(spoken_text),))


def normalize(text: str, lexicon: Lexicon | None = None, options: NormalizeOptions | None = None) -> str:
    """The spoken form of ``text``."""
    return normalize_spans(text, lexicon, options).spoken
