"""Text normalization: written text -> plain words any engine says correctly.

Public API: ``normalize(text, lexicon=None, options=None) -> str`` and ``normalize_spans`` (the same, with
spans saying which class read which stretch, and parts carrying lexicon phonemes). The classes live one per
module beside this one; ``pipeline.PRIORITY`` is the order they are tried in.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing: every `narrate` command imports this package)
if TYPE_CHECKING:
    from ..lexicon import Lexicon
    from ..models import Normalized
    from .options import NormalizeOptions

# ``NormalizeOptions`` (a dataclass: importing dataclasses costs ~13 ms) is loaded on first use too, by ``__getattr__``.
# ``pipeline`` (every class module, their patterns) and the lexicon reader (tomllib) are imported on first use, not
# here: ``import narrate`` imports this package, and processes that never normalize (the synthesis workers) or
# normalize little (a re-render whose sentences come from the plan memo) should not pay for them.

__all__ = ["NormalizeOptions", "normalize", "normalize_spans", "default_lexicon"]


_DEFAULT: list[Lexicon] = []


def default_lexicon() -> Lexicon:
    """The package lexicon alone (used when no lexicon is given; read once)."""
    if not _DEFAULT:
        from ..lexicon import load_lexicon

        _DEFAULT.append(load_lexicon([]))
    return _DEFAULT[0]


def normalize_spans(text: str, lexicon: Lexicon | None = None, options: NormalizeOptions | None = None) -> Normalized:
    """The spoken form of ``text`` with its spans (offsets into ``text``) and engine parts."""
    from . import pipeline
    from .options import NormalizeOptions

    return pipeline.run(text, lexicon if lexicon is not None else default_lexicon(), options or NormalizeOptions())


def normalize(text: str, lexicon: Lexicon | None = None, options: NormalizeOptions | None = None) -> str:
    """The spoken form of ``text``: "ISF lost 4 SVBIEDs" -> "I S F lost four S V B I E D's"."""
    return normalize_spans(text, lexicon, options).spoken


def __getattr__(name: str) -> object:
    if name == "NormalizeOptions":
        from .options import NormalizeOptions

        return NormalizeOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
