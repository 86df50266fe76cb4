"""Percents: a number with a percent sign.

Examples: "9%" -> "nine percent"; "12.5%" -> "twelve point five percent"; "-3%" -> "minus three percent";
"9 per cent" -> "nine per cent" (the words stay; only the number is read); British "0.5pc" -> "zero point five percent".
"""

from __future__ import annotations

import re

from .numbers import number
from .rules import LEFT, NUM, Ctx, Rule


def _percent(m: re.Match[str], ctx: Ctx) -> str | None:
    n = m.group("n")
    if re.fullmatch(r"[-−]?\d+,\d{1,2}", n):
        n = n.replace(",", ".")  # "3,5 %": a decimal comma, as European copy writes it
    return f"{number(n, ctx.and_)} percent"


RULES = [
    Rule("percent", "percent", LEFT + r"(?P<n>[-−]?(?:\d+,\d{1,2}(?=\s?%)|" + NUM + r"))(?:\s?%|pc(?![\w]))", _percent),
]
