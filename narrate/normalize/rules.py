"""The machinery every class module shares: a Rule (pattern + verbalizer), the context it sees, data files, letter spelling."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .. import wordlists
from ..models import SpokenPart

if TYPE_CHECKING:
    from . import NormalizeOptions

DATA = Path(__file__).parent / "data"

class Ambiguous(str):
    """Spoken words that are a guess between readings ("300m": meters or million); the span is marked ambiguous."""


#: What a verbalizer returns: spoken words, a SpokenPart (words + lexicon phonemes), or None to decline.
Result = str | SpokenPart | None


@dataclass(frozen=True)
class Ctx:
    """What a verbalizer may look at besides its match: the whole text, the options, a way to normalize a piece."""

    text: str
    options: "NormalizeOptions"
    sub: Callable[[str], str]

    @property
    def and_(self) -> bool:
        return self.options.number_and

    def before(self, m: re.Match[str], n: int = 60) -> str:
        return self.text[max(0, m.start() - n) : m.start()]

    def after(self, m: re.Match[str], n: int = 60) -> str:
        return self.text[m.end() : m.end() + n]

    def sentence(self, m: re.Match[str], n: int = 120) -> str:
        """The sentence around the match, at most ``n`` characters either side (cut at ". ")."""
        return self.before(m, n).rsplit(". ", 1)[-1] + m.group(0) + self.after(m, n).split(". ", 1)[0]

    def word_before(self, m: re.Match[str]) -> str:
        w = re.search(r"([\w.'’]+)\W*$", self.before(m))
        return w.group(1) if w else ""

    def word_after(self, m: re.Match[str]) -> str:
        w = re.match(r"\s+([\w'’-]+)", self.after(m))
        return w.group(1) if w else ""


@dataclass(frozen=True)
class Rule:
    """One way to read a stretch of text: ``pattern`` finds it, ``verbalize`` says it (or declines with None)."""

    name: str
    cls: str
    pattern: str
    verbalize: Callable[[re.Match[str], Ctx], Result]
    flags: int = 0

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.pattern, self.flags)


@lru_cache(maxsize=256)
def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def uncaptured(pattern: str) -> str:
    """``pattern`` with every capturing group made non-capturing, so it can sit inside a combined alternation."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            # a ']' right after '[' or '[^' is a literal
            j = i + 1 + (pattern[i + 1 : i + 2] == "^")
            if pattern[j : j + 1] == "]":
                out.append(pattern[i : j + 1])
                i = j + 1
                continue
        elif c == "(":
            if pattern.startswith("(?P<", i):
                out.append("(?:")
                i = pattern.index(">", i) + 1
                continue
            if not pattern.startswith("(?", i):
                out.append("(?:")
                i += 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


# --- data files ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """Tab-separated rows of ``data/NAME`` (``#`` comments and blank lines skipped)."""
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(tuple(line.split("\t")))
    return tuple(out)


@lru_cache(maxsize=64)
def words(name: str) -> frozenset[str]:
    """The first column of a data file as a set."""
    return frozenset(r[0] for r in rows(name))


@lru_cache(maxsize=16)
def sections(name: str) -> dict[str, frozenset[str]]:
    """The word lists of ``data/NAME`` in ``[section]`` parts (``wordlists.sections``)."""
    return wordlists.sections(DATA / name)


def alternation(items: list[str] | tuple[str, ...], ci: set[str] | frozenset[str] = frozenset()) -> str:
    """A regex alternation of literal ``items``, longest first; items in ``ci`` match in any case."""
    parts = []
    for it in sorted(set(items), key=lambda s: (-len(s), s)):
        esc = re.escape(it)
        parts.append(f"(?i:{esc})" if it in ci else esc)
    return "(?:" + "|".join(parts) + ")"


# --- number patterns shared by the classes ---------------------------------------------------

#: 1,234,567 or 1234 or 1234.56 or .5 (no sign).
NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
#: Not glued to a preceding digit, decimal point or letter.
LEFT = r"(?<![\w.])(?<!\d,)"
#: Not followed by more of a number.
RIGHT = r"(?![\d]|[.,]\d)"


# --- letters --------------------------------------------------------------------------------


def spell(letters: str, suffix: str = "") -> str:
    """Letter by letter so engines say letter names: "ISF" -> "I S F", "UAV" -> "U A-V", "DNA" -> "D N A-".

    espeak-ng reads a lone capital A before a word as the article "a" ("U A V" is "you uh vee",
    "D N A is" is "dee en uh is"); an A with a hyphen after it is said "ay", so every A not
    carrying a suffix gets one. That is the one exception to plain spaces.
    """
    chars = [c.upper() for c in letters if c.isalnum()]
    out: list[str] = []
    for i, c in enumerate(chars):
        out.append(c)
        last = i == len(chars) - 1
        if c == "A" and not (last and suffix):
            out.append("-")
        elif not last:
            out.append(" ")
    return "".join(out) + spell_suffix(suffix)


def spell_suffix(suffix: str) -> str:
    """A plural or possessive after spelled letters: always "'s" ("I S F's", "S V B I E D's").

    Written "Ds"/"Us" would be read "dee ess"/"us"; "D's" is read "deez".
    """
    return "'s" if suffix else ""
