"""Measures: a number with a unit from ``data/units.tsv`` — attached, spaced, hyphenated, per-unit, dimensions.

Examples: "1 km" -> "one kilometer"; "90km" -> "ninety kilometers"; "120mm mortars" -> "one hundred twenty
millimeter mortars"; "a 2.5 km stretch" -> "a two point five kilometer stretch"; "12kg/kg" -> "twelve kilograms
per kilogram"; "12/kg" -> "twelve per kilogram"; "2°C" -> "two degrees Celsius"; "4 1/2 lbs" -> "four and a half
pounds"; "2x8 m2" -> "two by eight square meters"; "5m people" -> "five million people" but "a 100m sprint" -> "a one
hundred meter sprint" (both spans marked ambiguous for the check tool).
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import fraction
from .numbers import is_one, number
from .rules import LEFT, NUM, Ambiguous, Ctx, Rule, alternation, rows, words

#: A full scale word between the number and the unit: "100 million kg".
SCALE_WORDS_SET = ("thousand", "million", "billion", "trillion")
SCALE_WORDS = r"(?:\s(?:" + "|".join(SCALE_WORDS_SET) + "))"


@lru_cache(maxsize=1)
def units() -> dict[str, tuple[str, str, str]]:
    """written -> (singular, plural, kind), with case-insensitive units also under their lowercase form."""
    out: dict[str, tuple[str, str, str]] = {}
    for written, singular, plural, case, kind in rows("units.tsv"):
        out[written] = (singular, plural, kind)
        if case == "ci":
            out.setdefault(written.lower(), (singular, plural, kind))
    return out


@lru_cache(maxsize=1)
def _ci() -> frozenset[str]:
    return frozenset(r[0] for r in rows("units.tsv") if r[3] == "ci")


def unit_pattern(kinds: tuple[str, ...] = ("measure",)) -> str:
    items = [r[0] for r in rows("units.tsv") if r[4] in kinds]
    return alternation(items, _ci()) + r"(?![\w°])"


def lookup(written: str) -> tuple[str, str, str]:
    u = units()
    return u.get(written) or u.get(written.lower()) or (written, written, "measure")


#: A scale suffix glued to the number, before a spaced unit: "1.2m bpd", "5bn kWh".
SCALE_SUFFIX = {"k": "thousand", "K": "thousand", "m": "million", "M": "million", "mn": "million", "mln": "million",
                "bn": "billion", "b": "billion", "B": "billion", "tn": "trillion", "trn": "trillion"}
AMOUNT = (r"(?:" + fraction.MIXED + r"|[-−]?" + NUM + r"(?:" + SCALE_WORDS + "|" + alternation(list(SCALE_SUFFIX))
          + r"(?=\s))?)")
UNIT = unit_pattern(("measure", "glued"))
PER = unit_pattern(("measure", "per"))


def amount_words(amount: str, and_: bool) -> str:
    """The number before a unit: "4 1/2", "2.5", "100 million"."""
    parts = fraction.parse(amount)
    if parts:
        return fraction.mixed(*parts, and_=and_)
    if "/" in amount:  # a fraction with a zero denominator: say what is written
        top, _, bottom = amount.strip().rpartition("/")
        whole, _, top = top.rpartition(" ")
        said = f"{number(top, and_)} over {number(bottom, and_)}"
        return f"{number(whole, and_)} and {said}" if whole else said
    glued = re.fullmatch(r"([-−]?[\d.,]+)(" + alternation(list(SCALE_SUFFIX)) + ")", amount)
    head, _, scale = (glued.group(1), "", SCALE_SUFFIX[glued.group(2)]) if glued else amount.partition(" ")
    # "460 million": the number multiplies the scale, so British "and" (last group only) does not apply
    return f"{number(head, and_ and not scale)} {scale}".strip()


def is_singular(amount: str) -> bool:
    """One, or a proper fraction with no whole part ("3/4 mile")."""
    parts = fraction.parse(amount)
    if parts:
        return parts[0] is None and parts[1] < parts[2]
    return is_one(amount)


def unit_words(unit: str, amount: str, adjectival: bool) -> str:
    singular, plural, _ = lookup(unit)
    return singular if adjectival or is_singular(amount) else plural


def adjectival(m: re.Match[str], ctx: Ctx, hyphen: bool) -> bool:
    """A measure before a noun is singular: joined by a hyphen, after "a"/"an", or before a listed noun."""
    if hyphen or re.match(r"-[A-Za-z]", ctx.after(m, 2)):  # "a 12-km stretch", "the 5km-long front"
        return True
    if ctx.word_before(m).lower() in {"a", "an"}:
        return True
    return ctx.word_after(m).lower() in words("measure_nouns.txt")


#: Words that may stand between "5m" and its count noun ("1.5m Syrian refugees") — not these, which end the phrase.
_NOT_MODIFIERS = frozenset({"a", "an", "the", "and", "or", "of", "to", "from", "in", "on", "at", "for", "by", "with", "than", "away", "per", "each"})


def counted(ctx: Ctx, m: re.Match[str]) -> bool:
    """A count noun from ``data/count_nouns.txt`` follows, maybe after one modifier: "5m people", "2m new users"."""
    following = re.findall(r"[\w'’-]+", ctx.after(m, 40))[:2]
    if following and _count_noun(following[0]):
        return True
    return len(following) == 2 and following[0].lower() not in _NOT_MODIFIERS and _count_noun(following[1])


def _count_noun(word: str) -> bool:
    if word.lower() in words("count_nouns.txt"):
        return True
    return word[:1].isupper() and word[1:].islower() and word.endswith(_nationality_endings())


@lru_cache(maxsize=1)
def _nationality_endings() -> tuple[str, ...]:
    return tuple(e[1:] for e in words("count_nouns.txt") if e.startswith("-"))


def _measure(m: re.Match[str], ctx: Ctx) -> str | None:
    amount, unit, per = m.group("a"), m.group("u"), m.group("per")
    if lookup(unit)[2] == "glued" and (m.group("sep") or ctx.text.startswith(("-", "–"), m.end())):
        return None  # "50C" is Celsius; "3 F-16s" and "Category 5 C" are not
    if unit == "m" and not per and not m.group("a").endswith(tuple(SCALE_WORDS_SET)):
        # "300m" is meters or million; a count noun after it decides, and the span says it was a guess
        if counted(ctx, m):
            return Ambiguous(f"{amount_words(amount, False)} million")
        adj = adjectival(m, ctx, m.group("sep") == "-")
        return Ambiguous(f"{amount_words(amount, ctx.and_)} {unit_words(unit, amount, adj)}")
    adj = adjectival(m, ctx, m.group("sep") == "-")
    spoken = f"{amount_words(amount, ctx.and_)} {unit_words(unit, amount, adj)}"
    if per:
        spoken += " per " + lookup(per)[0]
    return spoken


def _per_only(m: re.Match[str], ctx: Ctx) -> str | None:
    return f"{amount_words(m.group('a'), ctx.and_)} per {lookup(m.group('per'))[0]}"


def _dimensions(m: re.Match[str], ctx: Ctx) -> str | None:
    sides = [amount_words(x, ctx.and_) for x in re.split(r"\s?[x×]\s?", m.group("dims"))]
    spoken = " by ".join(sides)
    if m.group("u"):
        spoken += " " + lookup(m.group("u"))[1]
    return spoken


def _feet_inches(m: re.Match[str], ctx: Ctx) -> str | None:
    """A height in feet and inches: "6'2\"" and "4 ft 11 in" -> "six feet two inches", "four feet eleven inches"."""
    ft, inches = m.group("ft"), m.group("in")
    if float(inches) >= 12:
        return None
    return (f"{number(ft, ctx.and_)} {'foot' if is_one(ft) else 'feet'} "
            f"{number(inches, ctx.and_)} {'inch' if is_one(inches) else 'inches'}")


RULES = [
    Rule("feet-inches", "measure", LEFT + r"(?P<ft>\d{1,2})\s?(?:['’′]|ft\.?|feet|foot)\s?(?P<in>\d{1,2}(?:\.\d+)?)\s?"
         r"(?:[\"”″]|['’]{2}|in\.?(?![\w])|inch(?:es)?(?![\w]))", _feet_inches),
    Rule("dimensions", "measure", LEFT + r"(?P<dims>" + NUM + r"(?:\s?[x×]\s?" + NUM + r")+)(?:\s?(?P<u>" + UNIT + r"))?(?![\w])", _dimensions),
    Rule("measure", "measure", LEFT + r"(?P<a>" + AMOUNT + r")(?P<sep>\s|-|)(?P<u>" + UNIT + r")(?:/(?P<per>" + PER + r"))?", _measure),
    Rule("per-unit", "measure", LEFT + r"(?P<a>" + NUM + r")/(?P<per>" + PER + r")", _per_only),
]
