"""Money: currency symbols and codes from ``data/currencies.tsv``, cents, scale words and suffixes, per-period.

Examples: "$2" -> "two dollars"; "$20.50" -> "twenty dollars fifty cents"; "$0.02" -> "two cents";
"$4.5 billion" -> "four point five billion dollars"; "$300m" -> "three hundred million dollars";
"£1.2bn" -> "one point two billion pounds"; "US$5" -> "five U S dollars"; "€3.20" -> "three euros twenty cents";
"$20/mo" -> "twenty dollars per month"; "5 USD" -> "five U S dollars"; "SAR 1m" -> "one million Saudi riyals"; "€2,50" -> "two euros fifty cents"; "99¢" -> "ninety nine cents".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .measure import PER, determined, lookup, singular_noun
from .numbers import cardinal, number
from .rules import LEFT, NUM, Ctx, Rule, alternation, rows


@lru_cache(maxsize=1)
def currencies() -> dict[str, tuple[str, ...]]:
    """symbol or code -> (major singular, major plural, minor singular, minor plural, where)."""
    return {r[0]: tuple(r[1:]) + ("",) * (6 - len(r)) for r in rows("currencies.tsv")}


@lru_cache(maxsize=1)
def scales() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("scales.tsv")}


PREFIX = alternation([k for k, v in currencies().items() if v[4] in ("prefix", "code")])
SUFFIX = alternation([k for k, v in currencies().items() if v[4] in ("code", "suffix")])
#: An amount with a decimal comma, as European copy writes it: "€2,50", "€1.234,56" (two decimals; "1,500" is grouped).
EURO_NUM = r"\d{1,3}(?:\.\d{3})*,\d{2}(?!\d)"
SCALE = r"(?:\s?" + alternation(list(scales())) + r"(?![\w]))"


def amount(value: str, currency: str, scale: str | None, and_: bool, adjectival: bool = False) -> str:
    """Spoken amount: "20.50" "$" -> "twenty dollars fifty cents"; with a scale always "N point M scale dollars".

    ``adjectival`` ("a $5 fee", "a $1.2bn package") says the currency in the singular.
    """
    major1, majorn, minor1, minorn = currencies()[currency][:4]
    if adjectival:
        majorn, minorn = major1, minor1 or minorn
    value = value.replace(",", "")
    whole, _, frac = value.partition(".")
    if scale:
        # the amount multiplies the scale, so it is not the last group of the number: no "and"
        return f"{number(value)} {scales()[scale]} {majorn}"
    if len(frac) > 2 and not frac[2:].strip("0"):
        frac = frac[:2]
    if frac and (len(frac) > 2 or not minorn):
        return f"{number(value, and_)} {majorn}"
    units = int(whole or "0")
    cents = int(frac.ljust(2, "0")) if frac else 0
    parts = []
    if units or not cents:
        parts.append(f"{cardinal(units, and_)} {major1 if units == 1 else majorn}")
    if cents:
        parts.append(f"{cardinal(cents, and_)} {minor1 if cents == 1 else minorn}")
    return " ".join(parts)


def adjectival_amount(m: re.Match[str], ctx: Ctx) -> bool:
    """"a $5 fee": an article before and a lowercase word after make the amount a modifier; so do a determiner before
    and a singular noun after, as for measures ("the $61bn aid package", "the IMF's $3bn deal"; not "the $5 was")."""
    before = ctx.word_before(m).lower()
    if before in {"a", "an"}:
        return re.match(r"\s+[a-z]", ctx.after(m)) is not None
    after = ctx.word_after(m)
    return determined(before, ctx, m) and singular_noun(after, ctx.after(m, 40)[len(after) + 1 :])


def _prefixed(m: re.Match[str], ctx: Ctx) -> str | None:
    scale = m.group("s").strip() if m.group("s") else None
    value = m.group("v")
    if re.fullmatch(EURO_NUM, value):
        value = value.replace(".", "").replace(",", ".")
    spoken = amount(value, m.group("c"), scale, ctx.and_, adjectival_amount(m, ctx))
    if m.group("per"):
        spoken += " per " + lookup(m.group("per"))[0]
    return ("minus " + spoken) if m.group("neg") else spoken


def _suffixed(m: re.Match[str], ctx: Ctx) -> str | None:
    scale = m.group("s").strip() if m.group("s") else None
    return amount(m.group("v"), m.group("c"), scale, ctx.and_, adjectival_amount(m, ctx))


RULES = [
    # a sign before the symbol: "a net loss of -$45m" -> "minus forty five million dollars"
    Rule("money", "money", r"(?<![\w$€£¥])(?:(?<![\w.,-])(?P<neg>[-−–]))?(?P<c>" + PREFIX + r")\s?(?P<v>" + EURO_NUM + "|" + NUM + r")(?P<s>" + SCALE + r")?(?:/(?P<per>" + PER + r"))?", _prefixed),
    Rule("money-code", "money", LEFT + r"(?P<v>" + NUM + r")(?P<s>" + SCALE + r")?\s?(?P<c>" + SUFFIX + r")(?![\w])", _suffixed),
]
