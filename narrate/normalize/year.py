"""Years and decades: 4-digit years in context, eras, decades ("1990s", "'80s").

Examples: "in 1991" -> "in nineteen ninety one"; "2003" -> "two thousand three"; "2014" -> "twenty fourteen";
"1900" -> "nineteen hundred"; "1990s" -> "nineteen nineties"; "'80s" -> "eighties"; "2000s" -> "two thousands";
"340 AD" -> "three forty A D"; "in 1066" -> "in ten sixty six". A 4-digit number followed by a noun stays a quantity ("1500 troops").
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import cardinal, pluralize_last, year
from .rules import Ctx, Rule, rows, spell


@lru_cache(maxsize=1)
def _context() -> tuple[frozenset[str], frozenset[str]]:
    before = frozenset(w for kind, w in rows("year_context.tsv") if kind == "before")
    after = frozenset(w for kind, w in rows("year_context.tsv") if kind == "after")
    return before, after


def is_year_context(m: re.Match[str], ctx: Ctx) -> bool:
    """A bare 1000-2099 number reads as a year unless a lowercase word (not a listed one) follows it."""
    before, after = _context()
    if ctx.word_before(m).lower() in before:
        return True
    nxt = re.match(r"[ \t]+([a-z][\w'’-]*)", ctx.after(m))
    return nxt is None or nxt.group(1) in after


#: Words after which a number from 1000 to 1099 is a year.
_EARLY = frozenset({"in", "since", "by", "until", "till", "from", "before", "after", "circa", "c.", "ca.", "around", "year"})


def _year(m: re.Match[str], ctx: Ctx) -> str | None:
    n = int(m.group("y"))
    if not is_year_context(m, ctx):
        return None
    if n < 1100 and ctx.word_before(m).lower() not in _EARLY:
        return None  # "in 1066" is a year; "the 1066 residents" a number
    return year(n)


def _era(m: re.Match[str], ctx: Ctx) -> str | None:
    era = spell(m.group("e"))
    return f"{year(int(m.group('y')))} {era}"


def decade(digits: str, and_: bool = False) -> str:
    """"1980" -> "nineteen eighties", "80" -> "eighties", "2000" -> "two thousands"."""
    n = int(digits)
    return pluralize_last(year(n) if len(digits) == 4 else cardinal(n, and_))


def _decade(m: re.Match[str], ctx: Ctx) -> str | None:
    if m.group("d") == "1000":
        return None  # "1000s of people" are thousands (the cardinals' round plurals)
    return decade(m.group("d") or m.group("d2"), ctx.and_)


RULES = [
    Rule("era", "year", r"(?<![\w.])(?<!\d,)(?P<y>\d{1,4})\s?(?P<e>A\.?D\.?|B\.?C\.?(?:E\.?)?|C\.?E\.?)(?![\w])", _era),
    Rule("decade", "year", r"(?:(?<![\w.'’])(?<!\d,)(?P<d>\d{3}0)\s?|(?:(?<![\w])['’]|(?<![\w.'’])(?<!\d,)(?<!\d-))(?P<d2>\d0))['’]?s(?![\w])", _decade),
    Rule("year", "year", r"(?<![\w.$€£])(?<!\d,)(?P<y>1\d\d\d|20\d\d)(?![\w%]|[.,]\d)", _year),
]
