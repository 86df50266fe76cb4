"""Ordinals: a number with its ordinal suffix.

Examples: "1st" -> "first"; "22nd" -> "twenty second"; "100th" -> "one hundredth"; "1,000th" -> "one thousandth";
"121st" -> "one hundred twenty first". A wrong suffix ("4rd") is not an ordinal: the number and letters are read.
"""

from __future__ import annotations

import re

from .numbers import ordinal, ordinal_suffix_ok
from .rules import Ctx, Rule


def _ordinal(m: re.Match[str], ctx: Ctx) -> str | None:
    n = int(m.group("n").replace(",", ""))
    if not ordinal_suffix_ok(n, m.group("s")):
        return None
    return ordinal(n)


RULES = [
    Rule("ordinal", "ordinal", r"(?<![\w.])(?<!\d,)(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?P<s>st|nd|rd|th|ST|ND|RD|TH)(?![\w])", _ordinal),
]
