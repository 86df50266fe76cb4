"""Symbols: number signs, 24/7, and the signs in ``data/symbols.tsv`` standing between words or numbers.

Examples: "#1" -> "number one"; "24/7" -> "twenty four seven"; "AT&T" -> "A T and T"; "R&D" -> "R and D";
"2+3" -> "two plus three"; "a & b" -> "a and b"; "±5" -> "plus or minus five".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import number
from .rules import NUM, Ctx, Rule, alternation, rows


@lru_cache(maxsize=1)
def symbols() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("symbols.tsv")}


def _hash(m: re.Match[str], ctx: Ctx) -> str | None:
    return "number " + number(m.group("n"), ctx.and_)


def _symbol(m: re.Match[str], ctx: Ctx) -> str | None:
    return " " + symbols()[m.group(0).strip()] + " "


RULES = [
    Rule("number-sign", "symbol", r"(?<![\w&])#(?P<n>" + NUM + r")(?![\w])", _hash),
    Rule("24/7", "symbol", r"(?<![\w/])24/7(?![\w/])", lambda m, c: "twenty four seven"),
    # "@" inside an email is handled by the electronic class, which comes first.
    Rule("symbol", "symbol", alternation(list(symbols())), _symbol),
]
