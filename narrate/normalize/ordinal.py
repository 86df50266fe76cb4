"""Ordinals: a number with its ordinal suffix.

Examples: "1st" -> "first"; "22nd" -> "twenty second"; "100th" -> "one hundredth"; "1,000th" -> "one thousandth";
"121st" -> "one hundred twenty first" (never with British "and").

A wrong suffix ("21th", "4rd", "12nd") is read as written, the number and then the letters by name: the normalizer
does not guess what the writer meant ("twenty one T H"; a bare "st" would be "saint" to espeak-ng, "street" elsewhere); ``narrate check`` flags it as a typo and suggests the right suffix
(``wrong_suffix``). Three or more digits run into a wrong suffix read digit by digit, like a code ("111st" ->
"one one one S T"), as NeMo reads them.
"""

from __future__ import annotations

import re

from .numbers import digits, number, ordinal, ordinal_suffix_ok
from .rules import Ctx, Rule, spell

#: A number with an ordinal suffix, right or wrong: "21st", "1,000th", "21th".
PATTERN = r"(?<![\w.])(?<!\d,)(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?P<s>st|nd|rd|th|ST|ND|RD|TH)(?![\w])"


def right_suffix(n: int) -> str:
    """The ordinal suffix ``n`` takes: 1 "st", 12 "th", 22 "nd", 103 "rd"."""
    if n % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def wrong_suffix(written: str) -> str | None:
    """The corrected ordinal when ``written`` is a number with the wrong suffix ("21th" -> "21st"), else None.

    "st" after a number under 100 is left alone: it may be stone ("11st", "5st").
    """
    m = re.fullmatch(r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?P<s>st|nd|rd|th|ST|ND|RD|TH)", written)
    if m is None:
        return None
    n, s = int(m.group("n").replace(",", "")), m.group("s")
    if ordinal_suffix_ok(n, s) or (s.lower() == "st" and n < 100):
        return None  # "st" after a small number may be stone ("11st", "5st"), not a typo
    right = right_suffix(n)
    return m.group("n") + (right.upper() if s.isupper() else right)


def _ordinal(m: re.Match[str], ctx: Ctx) -> str | None:
    written, suffix = m.group("n"), m.group("s")
    n = int(written.replace(",", ""))
    if ordinal_suffix_ok(n, suffix):
        return ordinal(n)
    said = digits(written) if len(written) > 2 and written.isdigit() else number(written, ctx.and_)
    return f"{said} {spell(suffix)}"


RULES = [
    Rule("ordinal", "ordinal", PATTERN, _ordinal),
]
