"""Roman numerals where they are numerals: after a name (regnal) or a word from ``data/roman_context.tsv``.

Examples: "World War II" -> "World War two"; "Apollo XI" -> "Apollo eleven"; "Pope John Paul II" -> "Pope John Paul
the second"; "King Abdullah II" -> "King Abdullah the second"; "Chapter IV" -> "Chapter four". Not numerals: "I"
after an ordinary word, "MIX", "CIVIL" (only I, V, X, L, C and a preceding name or keyword count).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import cardinal, ordinal
from .rules import Ctx, Rule, rows

_VALID = re.compile(r"^(?=[IVXLC])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def value(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " ", strict=True):
        v = _VALUES[a]
        total += -v if b != " " and _VALUES[b] > v else v
    return total


@lru_cache(maxsize=1)
def _keywords() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("roman_context.tsv")}


def _roman(m: re.Match[str], ctx: Ctx) -> str | None:
    numeral = m.group("r")
    if not _VALID.match(numeral):
        return None
    n = value(numeral)
    nxt = re.match(r"[ \t]+([A-Z][a-z]+)", ctx.after(m, 20))
    if nxt and _keywords().get(nxt.group(1)) == "ordinal-after" and re.search(r"\bthe\s+$", ctx.before(m, 6)):
        return ordinal(n)  # "the XXXIII Olympiad" -> "the thirty third Olympiad"
    prev = re.search(r"([A-Za-z]+)(\.?)[ \t]+$", ctx.before(m))
    if not prev:
        return None
    word = prev.group(1)
    suffix = "'s" if m.group("s") else ""
    if prev.group(2):  # "Vol. II", "Ch. IV": only a keyword's abbreviation ("Mr. X" is a name, not the tenth)
        return cardinal(n, ctx.and_) + suffix if _keywords().get(word) == "cardinal" else None
    if _keywords().get(word) == "cardinal":
        return cardinal(n, ctx.and_) + suffix
    # A regnal number follows a capitalized name; "I" only after a title and a name ("King Hussein I"),
    # since it is otherwise too often the pronoun.
    if word[0].isupper() and not word.isupper():
        title = re.search(r"([A-Za-z]+)(?:[ \t]+[A-Z][a-z]+){1,3}[ \t]+$", ctx.before(m))
        if n >= 2 or (title and _keywords().get(title.group(1)) == "title"):
            return f"the {ordinal(n)}{suffix}"
    return None


RULES = [
    Rule("roman", "roman", r"(?<![\w'’-])(?P<r>[IVXLC]+)(?P<s>['’]s)?(?![\w'’-])", _roman),
]
