"""Text normalization: written text -> plain words any engine says correctly.

Public API: ``normalize(text, lexicon=None, options=None) -> str`` and ``normalize_spans`` (the same, with
spans saying which class read which stretch, and parts carrying lexicon phonemes). The classes live one per
module beside this one; ``pipeline.PRIORITY`` is the order they are tried in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lexicon import Lexicon
    from ..models import Normalized

# ``pipeline`` (every class module, their patterns) and the lexicon reader (tomllib) are imported on first use, not
# here: ``import narrate`` imports this package, and processes that never normalize (the synthesis workers) or
# normalize little (a re-render whose sentences come from the plan memo) should not pay for them.

__all__ = ["NormalizeOptions", "normalize", "normalize_spans", "default_lexicon"]


@dataclass(frozen=True)
class NormalizeOptions:
    """Profile-level choices.

    expand_acronyms: speak a lexicon entry's expansion instead of the acronym.
    read_repeated_acronyms: read "(ISF)" right after its own expansion (dropped by default).
    number_and: "one hundred and twenty three" (British, and NeMo's style) rather than "one hundred twenty three" (American, the default).
    ungrouped_as_digits: an unpunctuated number of five or more digits that counts nothing ("No. 80417", "serial 559031") is a
        code, read digit by digit ("eight zero four one seven"), as NeMo reads it. For copy that writes every quantity with
        separators ("16,000"), as news agencies do; off by default, because loose text writes "16000" for sixteen thousand.
        A count noun or scale word after it ("16000 people", "40000 million"), a currency or a unit keeps it a quantity.
    """

    expand_acronyms: bool = False
    read_repeated_acronyms: bool = False
    number_and: bool = False
    ungrouped_as_digits: bool = False


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The package lexicon alone (used when no lexicon is given)."""
    from ..lexicon import load_lexicon

    return load_lexicon([])


def normalize_spans(text: str, lexicon: Lexicon | None = None, options: NormalizeOptions | None = None) -> Normalized:
    """The spoken form of ``text`` with its spans (offsets into ``text``) and engine parts."""
    from . import pipeline

    return pipeline.run(text, lexicon if lexicon is not None else default_lexicon(), options or NormalizeOptions())


def normalize(text: str, lexicon: Lexicon | None = None, options: NormalizeOptions | None = None) -> str:
    """The spoken form of ``text``: "ISF lost 4 SVBIEDs" -> "I S F lost four S V B I E D's"."""
    return normalize_spans(text, lexicon, options).spoken
