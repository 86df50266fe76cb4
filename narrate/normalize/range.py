"""Ranges: two quantities joined by a hyphen or dash, read with "to".

Examples: "10-15 km" -> "ten to fifteen kilometers"; "2–3 minutes" -> "two to three minutes"; "2014–2017" ->
"twenty fourteen to twenty seventeen"; "2014-15" -> "twenty fourteen to fifteen"; "$250-$300" -> "two hundred fifty
dollars to three hundred dollars"; "5pm-7 pm" -> "five p.m. to seven p.m."; "10-15%" -> "ten to fifteen percent";
"100m-200m" -> "one hundred meters to two hundred meters"; "2-3m people" -> "two to three million people" (a bare
"m" is a guess between meters and million, so that span is marked ambiguous, as in the measure class); "$2-3bn" ->
"two to three billion dollars"; "10-15k troops" -> "ten to fifteen thousand troops" ("k" is thousand only before a
count noun, as in the cardinal class: "a 5-10k race" keeps its letter).
Two bare numbers of up to three digits that do not rise are a score or a vote: "won 3-1" -> "won three to one",
"passed 219-212" -> "passed two hundred nineteen to two hundred twelve".
"""

from __future__ import annotations

import re

from .cardinal import SCALE_SUFFIXES, SURE_SCALES
from .fraction import CRICKET
from .measure import SCALE_WORDS, UNIT, adjectival, counted, lookup, plural_noun
from .money import PREFIX, SCALE, adjectival_amount, currencies, scales
from .numbers import number, year
from .rules import NUM, Ambiguous, Ctx, Rule, alternation
from .time import AMPM

_AP = AMPM.replace("(?P<ap>", "(?:")
_SUFFIX = alternation(SCALE_SUFFIXES)
_SIDE = (
    r"(?:" + PREFIX + r"\s?" + NUM + SCALE + r"?"  # money
    + r"|\d{1,2}(?::\d\d)?\s?" + _AP  # time with a.m./p.m.
    + r"|\d{1,2}:\d\d"  # clock time
    + r"|(?:['’]?\d0|\d{3}0)s"  # decade
    + r"|" + NUM + r"\s?" + _SUFFIX + r"(?![\w])"  # "3bn", "15k"
    + r"|" + NUM + SCALE_WORDS + r"?(?:\s?%)?"  # number, "2 million", percent
    + r")"
)
_RIGHT_UNIT = r"(?:\s?" + UNIT + r")?"
_BARE = re.compile(NUM + r"$")
_BARE_M = re.compile(r"(?<=\d)\s?m$")
_UNIT_END = re.compile(r"(?<=\d)\s?(" + UNIT + r")$")
#: A side with a scale suffix; a bare "m" counts too once a count noun has made it million ("500k-1m people").
_SCALED = re.compile(r"(" + NUM + r")\s?(" + _SUFFIX + r"|m)$")


def _increasing(left: str, right: str) -> bool:
    a, b = float(left.replace(",", "")), float(right.replace(",", ""))
    if len(left) == 4 and len(right) == 2 and left.isdigit():
        return b > a % 100
    return b > a


def _range(m: re.Match[str], ctx: Ctx) -> str | None:
    spoken = _read(m, ctx)
    if spoken is None:
        return None
    if _BETWEEN.search(ctx.before(m, 12)) and not re.match(r"\s+and\b", ctx.after(m, 6)):
        # (not "between 2019-20 and 2023-24", where "and" joins two ranges)
        # "between 300-1000 people" -> "between three hundred and one thousand people"
        spoken = _between(spoken)
    unit = _UNIT_END.search(m.group("r"))
    if unit and adjectival(m, ctx, False):  # "a 10-15 km stretch": kilometer, as "a 15 km stretch"
        singular, plural, _ = lookup(unit.group(1))
        if spoken.endswith(" " + plural):
            spoken = spoken[: -len(plural)] + singular
    cur = re.match(PREFIX, m.group("l"))
    if cur and not re.match(PREFIX, m.group("r")) and adjectival_amount(m, ctx):  # "a $2-3bn deal", as "a $3bn deal"
        one, many = currencies()[cur.group(0)][:2]
        if spoken.endswith(" " + many):
            spoken = spoken[: -len(many)] + one
    if _BARE_M.search(m.group("r")) and not cur:
        return Ambiguous(spoken)  # "2-3m people" (million) or "a 5-10m wall" (meters): a guess either way
    return spoken


#: Words before a lopsided vote or score: "the vote was 143-9", "passed 387-5", "won 100-0".
_VOTE = re.compile(r"\b(?:votes?|voted|was|were|by|passed|approved|adopted|rejected|won|lost|beat|defeated|margin of|tally of)\s+(?:of\s+)?$",
                   re.IGNORECASE)
_PLACING = re.compile(r"\s+(?:finish|finishes|punch|sweep|placing)\b")
_BETWEEN = re.compile(r"\b[Bb]etween\s+$")


def _between(spoken: str) -> str:
    """The range's "to" said as "and", as "between" asks ("between two and three million")."""
    head, sep, tail = spoken.rpartition(" to ")
    if not sep:
        return spoken
    joined = f"{head} and {tail}"
    return Ambiguous(joined) if isinstance(spoken, Ambiguous) else joined


#: Before a number that names something (a docket, a case, a model): "No. 22-451", "Boeing 737-800" are not ranges.
_NAMED = re.compile(r"(?:\bNo\.|#|\b[Nn]umber(?:\s+is)?|\b[Dd]ocket(?:\s+(?:number|no\.))?(?:\s+is)?|\bCase|\b[Cc]ode|"
                    r"\bBoeing|\bAirbus|\bModel)\s*$")


def _pairs(n: str) -> str:
    """A part of a code, in pairs as a name is read: "451" -> "four fifty one", "22" -> "twenty two", "800" -> "eight hundred"."""
    return year(int(n)) if len(n) in (3, 4) and not n.startswith("0") else number(n)


def _read(m: re.Match[str], ctx: Ctx) -> str | None:
    left, right, dash = m.group("l"), m.group("r"), m.group("dash")
    left_bare, right_bare = bool(_BARE.match(left)), bool(_BARE.match(right))
    if left_bare and right_bare and left.isdigit() and right.isdigit() and _NAMED.search(ctx.before(m, 24)):
        return f"{_pairs(left)}, {_pairs(right)}"  # "No. 22-451" -> "twenty two, four fifty one"; "737-800"
    if left_bare and right_bare:
        if dash.strip() == "-" and dash != "-":  # "170 - 45" is arithmetic or a list, not a range
            return None
        if _PLACING.match(ctx.after(m, 12)) and max(len(left), len(right)) == 1:
            return f"{number(left)} {number(right)}"  # "a 1-2 finish" is a placing: "a one two finish"
        if not _increasing(left, right):
            if max(len(left), len(right)) <= 3 and left.isdigit() and right.isdigit():
                if int(right) <= 10 <= int(left) and CRICKET.search(ctx.sentence(m)):
                    return f"{number(left, ctx.and_)} for {number(right, ctx.and_)}"  # runs for wickets: "245-6 at stumps"
                if len(left) - len(right) <= 1 or _VOTE.search(ctx.before(m, 30)):
                    # a score or a vote: "won 3-1", "passed 219-212", "ruled 6–3", "won 102-99", "the vote was 143-9";
                    # "978-0" is a code
                    return f"{number(left, ctx.and_)} to {number(right, ctx.and_)}"
            return None
        if ctx.options.ungrouped_as_digits and counted(ctx, m):  # "10000-20000 refugees": counts, not codes
            return f"{number(left, ctx.and_)} to {number(right, ctx.and_)}"
    low, high = _SCALED.match(left), _SCALED.match(right)
    if high and (low or left_bare):
        # "2-3bn people", "10-15k troops": one scale multiplies both sides and is said once; "500k-1m people": each its own
        lo_scale, hi_scale = (low.group(2) if low else high.group(2)), high.group(2)
        if {lo_scale, hi_scale} <= SURE_SCALES or counted(ctx, m) or plural_noun(ctx, m):
            lo_words = number(low.group(1) if low else left) + ("" if lo_scale == hi_scale else " " + scales()[lo_scale])
            return f"{lo_words} to {number(high.group(1))} {scales()[hi_scale]}"
    cur = re.match(PREFIX, left)
    if cur and not re.match(PREFIX, right):
        # "$1-2 million" -> "one to two million dollars": the currency is said once, after the right side
        value = left[cur.end() :].strip()
        spoken_left = number(value, ctx.and_) if _BARE.match(value) else ctx.sub(left)
        return f"{spoken_left} to {ctx.sub(cur.group(0) + right)}"
    if left_bare and right_bare and len(left) == 4 and len(right) == 2 and right[0] == "0" and 1000 <= int(left) < 2100:
        return f"{year(int(left))} to {year(int(left[:2] + right))}"  # "2008-09" -> "two thousand eight to two thousand nine"
    if left_bare and not right_bare:
        # the right side carries the unit or sign for both: "1980-1986 kg" are kilograms, not years
        spoken_left = number(left, ctx.and_) if not re.search(r"\d0s$", right) and ":" not in right and not re.search(r"[aApP]\.?\s?[mM]", right) else ctx.sub(left)
    else:
        spoken_left = ctx.sub(left)
    return f"{spoken_left} to {ctx.sub(right)}"


RULES = [
    Rule("range", "range", r"(?<![\w./-])(?<!\d,)(?P<l>" + _SIDE + _RIGHT_UNIT + r")(?P<dash>\s?[-–—]\s?|\s[-–—]\s)(?P<r>" + _SIDE + _RIGHT_UNIT + r")(?![\w/]|[.,]\d|[-–]\d)", _range),
]
