"""Text normalization: written text -> plain words any engine says correctly.

Public API: ``normalize(text, lexicon=None, options=None) -> str`` and ``normalize_spans`` (the same, with
spans saying which class read which stretch, and parts carrying lexicon phonemes). The classes live one per
module beside this one; ``pipeline.PRIORITY`` is the order they are tried in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..lexicon import Lexicon, load_lexicon
from ..models import Normalized
from . import pipeline

__all__ = ["NormalizeOptions", "normalize", "normalize_spans", "default_lexicon"]


@dataclass(frozen=True)
class NormalizeOptions:
    """Profile-level choices.

    expand_acronyms: speak a lexicon entry's expansion instead of the acronym.
    read_repeated_acronyms: read "(ISF)" right after its own expansion (dropped by default).
    number_and: "one hundred and twenty three" (British, and NeMo's style) rather than "one hundred twenty three" (American, the default).
    """

    expand_acronyms: bool = False
    read_repeated_acronyms: bool = False
    number_and: bool = False


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The package lexicon alone (used when no lexicon is given)."""
    return load_lexicon([])


def normalize_spans(text: str, lexicon: Lexicon | None = None, options: NormalizeOptions | None = None) -> Normalized:
    """The spoken form of ``text`` with its spans (offsets into ``text``) and engine parts."""
    return pipeline.run(text, lexicon if lexicon is not None else default_lexicon(), options or NormalizeOptions())


def normalize(text: str, lexicon: Lexicon | None = None, options: NormalizeOptions | None = None) -> str:
    """The spoken form of ``text``: "ISF lost 4 SVBIEDs" -> "I S F lost four S V B I E D's"."""
    return normalize_spans(text, lexicon, options).spoken
