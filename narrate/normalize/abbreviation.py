"""Abbreviations and titles from ``data/abbreviations.tsv``, minding a sentence-final period.

Examples: "Dr. Evil" -> "doctor Evil"; "Gen. Smith" -> "General Smith"; "Lt. Col. Ali" -> "Lieutenant Colonel Ali";
"St. Louis" -> "Saint Louis"; "Elm St." -> "Elm Street"; "No. 5" -> "number five"; "tanks, etc." -> "tanks, et
cetera."; "e.g." -> "for example"; "vs." -> "versus"; "C. S. Lewis" -> "C S Lewis".
The period of an abbreviation that ends a sentence is kept: "… and etc. The army" -> "… et cetera. The army".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .rules import Ctx, Rule, alternation, rows

_CLOSERS = "\"'’”)]"


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in rows("abbreviations.tsv")}


def ends_sentence(ctx: Ctx, end: int, title: bool) -> bool:
    """True when the text after ``end`` starts a new sentence (or there is no more text)."""
    rest = ctx.text[end:].lstrip(_CLOSERS)
    if not rest.strip():
        return True
    if title:
        return False
    nxt = re.match(r"\s+[\"'‘“(]?([A-Z])", rest)
    return nxt is not None


#: Capitalized words that start a sentence or a phrase, not names: "The St. Petersburg forum" is Saint, not Street.
_NOT_NAMES = frozenset("The A An In At On Of From To And But Near By For With Into Outside Inside Across Around Like".split())


def _abbreviation(m: re.Match[str], ctx: Ctx) -> str | None:
    written = m.group("a")
    spoken, kind = table()[written]
    after = ctx.text[m.end() : m.end() + 200]  # bounded: linear on a huge line
    if written in ("c.", "C.") and re.search(r"\d(?:st|nd|rd|th)\s$", ctx.before(m, 8)):
        spoken, kind = "century", "plain"  # "the 19th c."; before a number it is circa
    if kind == "number" and not re.match(r"\s?[#$£€¥]?\d|\s[IVXLC]+\b", after):
        return None
    dotless = not written.endswith(".")
    if kind == "title" and dotless and not re.match(r"\s+[A-Z][a-z]", after):
        return None  # "Dr Haddad", "Lt Col Ali": a title without its period only before a name
    if kind == "day":
        date_follows = r",?\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+)?" + _MONTH if dotless else r",?\s+(?:\d|" + _MONTH + ")"
        if not re.match(date_follows, after):
            return None  # "Mon., Jan. 3", "Sat 5 July", "Sun, March 2"; not "the Sun." or "Sat 3 hours"
        kind = "inline"
    if kind == "unit":
        if dotless and not re.search(r"\d(?:st|nd|rd|th)?\s+(?:[A-Z][a-z]+\.?\s+){0,2}$", ctx.before(m, 40)):
            return None  # "3rd Bn", "1st Armd Div"; alone, "Div" or "Bde" may be a name
        nxt = re.match(r"\s+([\w.]+)", after)
        unit_follows = nxt is not None and table().get(nxt.group(1), ("", ""))[1] == "unit"
        kind = "inline" if unit_follows else "plain"  # "1st Armd. Bde." is one name, not two sentences
    if kind == "title" and written.endswith(".") and not re.match(r"\s+(?:[A-Z\d\"'‘“(]|of\s|and\s+[A-Z][a-z]{0,3}\.)", after) and not ends_sentence(ctx, m.end(), True):
        return None  # "the gen. count" is not a title; leave it ("Sgt. Maj. of the Army", "Mr. and Mrs. Smith" are)
    if kind == "street":
        before = ctx.before(m)
        name_before = re.search(r"(?:[A-Z][\w'’-]*|\d(?:st|nd|rd|th))\s+$", before)
        if name_before and name_before.group(0).strip() in _NOT_NAMES:
            name_before = None  # "The St. Petersburg forum", "In St. Louis": a capital that only starts the sentence
        name_follows = re.match(r"\s+[A-Z]", after) and not name_before
        if dotless and not name_follows and not name_before:
            return None  # "11 St" may be stone; "St" alone is neither Saint nor Street
        spoken = "Saint" if name_follows else "Street"
        kind = "title" if name_follows else "plain"
    if kind == "title" and written[:1].isupper() and spoken[:1].islower():
        spoken = spoken[:1].upper() + spoken[1:]  # "Dr. Haddad" -> "Doctor Haddad", as a name's title is written
    if written.endswith(".") and ends_sentence(ctx, m.end(), kind in {"title", "inline", "number"}):
        spoken += "."
    return spoken


#: A month name or abbreviation, in any case (a weekday's abbreviation is read only before a date).
_MONTHS = [r[0] for r in rows("months.tsv")]  # (date.months() itself: date reads this module's table of weekdays)
_MONTH = alternation(_MONTHS, frozenset(_MONTHS)) + r"\b"


#: Words that start a sentence, not a surname after initials: "Use Terminal C. The flight left."
_STARTS = frozenset("The This That These Those There Then They Their It Its He His She Her We Our You Your In On At As "
                    "But And So Yet If When While After Before Meanwhile However Police Officials".split())


def _initials(m: re.Match[str], ctx: Ctx) -> str | None:
    nxt = re.match(r"[A-Z][a-z]+", ctx.after(m, 20))
    if nxt and nxt.group(0) in _STARTS and m.group("i").count(".") == 1:
        return None  # "Use Terminal C. The flight left.": a letter that ends a sentence, not an initial
    letters = re.findall(r"[A-Z]", m.group("i"))
    return " ".join(letters)


RULES = [
    # a digit may follow a period at once: "No.1 seed", "c.10%"
    Rule("abbreviation", "abbreviation", r"(?<![\w.])(?P<a>" + alternation(list(table())) + r")(?:(?<=\.)(?=\d)|(?![\w]))", _abbreviation),
    # Initials before a surname: "C. S. Lewis" -> "C S Lewis", "J.R.R. Tolkien".
    Rule("initials", "abbreviation", r"(?<![\w.])(?P<i>(?:[A-Z]\.\s?){1,3})(?=[A-Z][a-z])", _initials),
]
