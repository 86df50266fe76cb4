"""Street addresses and US states: house numbers, compass directions, street types, state codes.

Examples: "45 W 34th St" -> "forty five West thirty fourth Street"; "350 Fifth Ave." -> "three fifty Fifth Avenue.";
"1600 Pennsylvania Avenue" -> "sixteen hundred Pennsylvania Avenue"; "708 N 1st St" -> "seven oh eight North first
Street"; "221B Baker Street" -> "two twenty one B Baker Street"; "Mulholland Dr." -> "Mulholland Drive.";
"Portland, OR, in 1970" -> "Portland, Oregon, in nineteen seventy"; "Santa Clara, CA 95051" -> "Santa Clara,
California nine five zero five one" (the ZIP code is cardinal's).

A house number is one only before a street's name and type (``data/street_types.tsv``), and it is read as
Americans say one, in pairs like a year. A street type's abbreviation is read only after a street's name (a
capitalized word or an ordinal); "St" and "Dr" before a name are Saint and Doctor (see abbreviation). A state's
code is its name only after a place and a comma, and before a ZIP code or punctuation; codes that are also
degrees or words ("MD", "MA", "OK") need a ZIP code or a place named after "in", "from", "near" and the like.
"Washington, DC" stays "D C", as it is said.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .abbreviation import ends_sentence
from .numbers import digits, number, year
from .rules import Ctx, Rule, alternation, rows, spell


@lru_cache(maxsize=1)
def street_types() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("street_types.tsv")}


@lru_cache(maxsize=1)
def directions() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("directions.tsv")}


#: The 50 states (not the District of Columbia, "D C" as it is said, nor the territories).
@lru_cache(maxsize=1)
def states() -> dict[str, str]:
    table = {r[0]: r[1] for r in rows("us_states.tsv")}
    codes = list(table)
    return {c: table[c] for c in codes[: codes.index("WY") + 1] if c != "DC"}


#: Codes that are also degrees, titles or words: a state only before a ZIP code or after "in Place, ".
_AMBIGUOUS = frozenset({"MD", "MA", "MS", "PA", "ND", "OK", "HI", "OH", "ME", "IN", "OR"})

_ABBREVIATED = [w for w, spoken in street_types().items() if w != spoken]
_BY_CASEFOLD = {w.casefold(): spoken for w, spoken in street_types().items()}
_NAME = r"(?:\d{1,3}(?:st|nd|rd|th)|[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?)"
#: In any case after a house number ("12 S 1st st", "2 San Tomas hwy"); elsewhere only as written in the table.
_TYPE = alternation(list(street_types()), frozenset(street_types())) + r"\.?(?![\w'’-])"


def lowercase_starts() -> set[str]:
    """Lower-case words that can start an address reading (the scanner skips other plain lower-case words)."""
    return {w.casefold() for w in _ABBREVIATED}


def house_number(n: str) -> str:
    """A house number as it is said: under 100 as a number, up to 9999 in pairs ("three fifty", "seven oh eight",
    "sixteen hundred", "twenty seven eighty eight"), longer digit by digit."""
    value = int(n)
    if value < 100:
        return number(n)
    if value < 10000:
        return year(value)
    return digits(n)


def _house(m: re.Match[str], ctx: Ctx) -> str | None:
    said = house_number(m.group("n"))
    if m.group("x"):
        said += " " + spell(m.group("x"))
    if m.group("d"):
        said += " " + directions()[m.group("d")]
    return said


#: A house number (with its letter and compass direction) before a street's name and type: "45 W 34th St",
#: "1600 Pennsylvania Avenue", "221B Baker Street". The name and type are read by their own rules.
_HOUSE = (r"(?<![\w.,/$£€#-])(?P<n>[1-9]\d{0,4})(?P<x>[A-Z])?\s+(?:(?P<d>" + alternation(list(directions())) + r")\.?\s+)?"
          r"(?=" + _NAME + r"(?:\s+[A-Z][a-z'’]+){0,3}\s+" + _TYPE + ")")

#: A street's name right before its type: a capitalized word or an ordinal ("Elm St", "34th St").
_NAME_BEFORE = re.compile(r"(?:\d{1,3}(?:st|nd|rd|th)|(?<![\w'’])[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?)\s+$")
#: A whole address before the type: a house number, maybe a direction, and one to four words of the name.
_ADDRESS_BEFORE = re.compile(r"\d{1,5}[A-Z]?\s+(?:[NSEW]{1,2}\.?\s+)?(?:" + _NAME + r"\s+){1,4}$")


def _street(m: re.Match[str], ctx: Ctx) -> str | None:
    written = m.group("t")
    before = ctx.before(m, 80)
    if not _NAME_BEFORE.search(before):
        return None
    if written.casefold() == "cir" and re.match(r"\.?\s*(?:\d{4}|\))", ctx.after(m, 8)):
        return None  # "(9th Cir. 1997)": a court of appeals' circuit, not a Circle
    if not _ADDRESS_BEFORE.search(before):
        if re.match(r"\s+[A-Z]", ctx.after(m, 40)):
            return None  # "Iraqi Dr. Ahmed", "visit St. Louis": a title before a name (abbreviation reads it)
        if written not in street_types():
            return None  # "st", "hwy" in lower case only within an address
    spoken = _BY_CASEFOLD[written.casefold()]
    if m.group("dot") and ends_sentence(ctx, m.end(), False):
        spoken += "."
    return spoken


_STATE_WORDS = r"(?:in|at|of|from|to|near|outside|around|based|born|via|toward|towards|across|into)"
_PLACE_COMMA = re.compile(r"(?<![\w'’.-])[A-Z][a-z'’.-]+,\s+$")
_SURE_PLACE = re.compile(r"\b" + _STATE_WORDS + r"\s+(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][a-z'’.-]+,\s+$")


def _state(m: re.Match[str], ctx: Ctx) -> str | None:
    code = m.group("c")
    before = ctx.before(m, 80)
    if not _PLACE_COMMA.search(before):
        return None
    after = ctx.after(m, 20)
    zip_follows = re.match(r",?\s+\d{5}(?:-\d{4})?(?!\d)", after) is not None
    if not zip_follows:
        if not re.match(r"(?:[,.;:!?)\]\"'’”]|\s*$)", after):
            return None  # "Erbil, MP Ali said": a code before more words is something else
        if code in _AMBIGUOUS and not _SURE_PLACE.search(before):
            return None  # "John Smith, MD, said"
    return states()[code]


@lru_cache(maxsize=1)
def ap_states() -> dict[str, str]:
    """AP style's state abbreviations ("Calif.", "N.Y.") and the names it writes in full."""
    return {r[0]: r[1] for r in rows("ap_states.tsv")}


_PARTIES = {"D": "Democrat", "R": "Republican", "I": "independent"}


def _party(m: re.Match[str], ctx: Ctx) -> str | None:
    """A member's party and state: "(D-Calif.)" -> "Democrat of California", "R-TX" -> "Republican of Texas"."""
    place, party = m.group("s") or m.group("s2"), m.group("p") or m.group("p2")
    state = ap_states().get(place) or states().get(place) or ("D C" if place in ("DC", "D.C.") else None)
    if state is None:
        return None
    said = f"{_PARTIES[party]} of {state}"
    if m.group(0).endswith(")"):  # "Warren (D-Mass.) said" -> "Warren, Democrat of Massachusetts, said"
        return ", " + said + ("" if re.match(r"[,.;:!?]", ctx.after(m, 1)) else ",")
    return said


_STATE_FORMS = alternation(list(ap_states()) + list(states()) + ["DC", "D.C."])

def _ap_state(m: re.Match[str], ctx: Ctx) -> str | None:
    """An AP state abbreviation after "Place, ": "Fresno, Calif." -> "California" (a dateline's, or an address's)."""
    if not re.search(r"(?<![\w'’.-])[A-Z][A-Za-z'’.-]+(?: [A-Z][A-Za-z'’.-]+){0,2},\s+$", ctx.before(m, 40)):
        return None
    said = ap_states()[m.group("a")]
    return said + ("." if ends_sentence(ctx, m.end(), False) else "")


RULES = [
    Rule("ap-state", "address", r"(?<![\w.])(?P<a>" + alternation([k for k in ap_states() if k.endswith(".")]) + r")(?![\w])", _ap_state),
    # "Sen. Alex Padilla (D-Calif.)", "Rep. Chip Roy, R-TX,": a party letter and a state, with or without parentheses
    Rule("party-state", "address", r"\s?\((?P<p>[DRI])[-–](?P<s>" + _STATE_FORMS + r")\)"
         r"|(?<![\w.(-])(?P<p2>[DRI])[-–](?P<s2>" + _STATE_FORMS + r")(?![\w])", _party),
    Rule("house-number", "address", _HOUSE, _house),
    Rule("state", "address", r"(?<![\w.])(?P<c>" + alternation(list(states())) + r")(?![\w]|\.\w)", _state),
]

#: After the measures ("45 W" is not watts here, the house number rule came first) and before abbreviations.
STREET = [
    Rule("street-type", "address", r"(?<![\w.])(?P<t>" + alternation(_ABBREVIATED, frozenset(_ABBREVIATED)) + r")(?P<dot>\.)?(?![\w'’-])",
         _street),
]
