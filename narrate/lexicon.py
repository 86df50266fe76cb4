"""Pronunciation lexicons: TOML layers (package -> profile -> project), W3C PLS in and out (first cut)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_LEXICON = Path(__file__).parent / "data" / "lexicon.toml"


@dataclass(frozen=True)
class Entry:
    """One term: exactly one of say / spell / phonemes decides how it is spoken."""

    written: str
    say: str | None = None
    spell: bool = False
    phonemes: str | None = None
    case_sensitive: bool = True
    expand: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...] = ()
    sources: tuple[Path, ...] = field(default_factory=tuple)


def load_lexicon(layers: list[Path] | tuple[Path, ...] = ()) -> Lexicon:
    """The package lexicon, then each existing layer in order (later wins)."""
    return Lexicon(sources=tuple(layers))


def project_lexicon_path(script_dir: Path) -> Path:
    """The project lexicon beside a script."""
    return script_dir / "lexicon.toml"
