"""Cardinals and decimals: plain numbers, negatives, leading-zero codes.

Examples: "49" -> "forty nine"; "1,200" -> "one thousand two hundred"; "3.5 million" -> "three point five million";
"-2" -> "minus two"; "0.25" -> "zero point two five"; ".5" -> "point five"; "004" -> "zero zero four";
"401(k)" -> "four oh one K"; "501(c)(3)" -> "five oh one C three"; "5bn people" -> "five billion people";
"Washington, DC 20500" -> "Washington, D C two zero five zero zero" (a ZIP code after a state or "ZIP");
"3k people" -> "three thousand people" (but "a 10k race" keeps its letter: "k" is thousand only before a count noun);
"70B parameters" -> "seventy billion parameters", "1M tokens" -> "one million tokens" (a glued "k", "M", "B" before
any plural noun); "rose by 275K." -> "rose by two hundred seventy five thousand." (a "K" after 10 or more at a
clause's end, but "a 5K run", "the 10K." keep the letter).
With ``ungrouped_as_digits``, "No. 80417" -> "number eight zero four one seven" (but "80417 people" stays a count).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .measure import counted, plural_noun
from .money import scales
from .numbers import INDIAN, cardinal, digits, number, pluralize_last, ungrouped, year
from .rules import LEFT, NUM, RIGHT, Ambiguous, Ctx, Rule, alternation, rows, spell, words

#: Scale suffixes that can only mean a scale; the others ("k", "M", "b") also name units, races, bytes.
SURE_SCALES = frozenset({"bn", "mn", "mln", "tn", "trn"})
#: Abbreviated scales ("million" is a word already read as one); a bare "m" is the measure class's to decide.
SCALE_SUFFIXES = [k for k in scales() if len(k) <= 3 and k != "m"]
#: A scale word after a number: "460 billion", "1.2 million".
_SCALE_WORD = re.compile(r"\s+(?:" + alternation(sorted({v for v in scales().values()})) + r")\b")


def _negative(m: re.Match[str], ctx: Ctx) -> str | None:
    return number("-" + m.group("n"), ctx.and_)


def _plain(m: re.Match[str], ctx: Ctx) -> str | None:
    n = m.group("n")
    # "1.2.3" (versions, section numbers) is not one decimal: read the parts.
    if re.match(r"\.\d", ctx.text[m.end() : m.end() + 2]):
        return None
    # "460 billion": the number multiplies a scale word, so it is not the last group and takes no British "and"
    scaled = bool(_SCALE_WORD.match(ctx.after(m)))
    if ctx.options.ungrouped_as_digits and ungrouped(n) and not scaled and not counted(ctx, m):
        return digits(n)  # copy that groups its quantities ("16,000") leaves only codes ungrouped: "No. 80417"
    return number(n, ctx.and_ and not scaled)


def _dotted(m: re.Match[str], ctx: Ctx) -> str | None:
    return " point ".join(number(p, ctx.and_) for p in m.group(0).split("."))


def _identifier(m: re.Match[str], ctx: Ctx) -> str | None:
    """A number that names something is read in pairs: "Resolution 2254", "Boeing 737"."""
    if ctx.word_before(m) not in words("identifier_before.tsv"):
        return None
    return year(int(m.group(0)))


def _model_plural(m: re.Match[str], ctx: Ctx) -> str | None:
    return pluralize_last(number(m.group("n"), ctx.and_))


def _section(m: re.Match[str], ctx: Ctx) -> str | None:
    """A section of a code names a thing, so its number is read in pairs like one: "401(k)" -> "four oh one K"."""
    n = m.group("n")
    head = year(int(n)) if 100 <= int(n) < 10000 and not n.startswith("0") else number(n, ctx.and_)
    marks = [p.strip("()") for p in re.findall(r"\([^)]*\)", m.group("p"))]
    if "s" in marks:
        return None  # "1980(s)": a plural, not a subsection
    return " ".join([head] + [number(p, ctx.and_) if p.isdigit() else spell(p) for p in marks])


#: After a state ("Washington, DC 20500", "Austin, Texas 78701") or the word ZIP, five digits are a ZIP code.
_STATE_CODES = frozenset(r[0] for r in rows("us_states.tsv"))
_ZIP_BEFORE = re.compile(
    r"(?:,\s*(?:(?P<st>[A-Z]\.?[A-Z]\.?),?|" + alternation([r[1] for r in rows("us_states.tsv")]) + r")"
    r"|\b(?:ZIP|[Zz]ip)(?:\s[Cc]ode)?:?)\s+$"
)


def _zip(m: re.Match[str], ctx: Ctx) -> str | None:
    """A ZIP code names a place: digit by digit, a ZIP+4 in two groups like a phone number's."""
    before = _ZIP_BEFORE.search(ctx.before(m, 40))
    if before is None or counted(ctx, m):  # "Dallas, TX, 20000 people" is a count
        return None
    code = before.group("st")
    if code is not None and code.replace(".", "") not in _STATE_CODES:
        return None
    return ", ".join(digits(g) for g in m.group(0).split("-"))


#: "Washington, DC 20500", "ZIP code 20500-0003": before ranges and dates, which would read the parts as numbers.
POSTAL = [Rule("zip-code", "cardinal", r"(?<![\w.,-])\d{5}(?:-\d{4})?(?![\w]|[.,-]\d)", _zip)]

#: "401(k)", "501(c)(3)", "Section 8(a)": a number with lettered or numbered subsections in parentheses.
SECTION = [Rule("section", "cardinal", r"(?<![\w.])(?<!\d,)(?P<n>\d+)(?P<p>(?:\((?:[A-Za-z]{1,2}|\d{1,2})\)){1,3})(?![\w])", _section)]

#: Glued scale letters that a plural noun after makes a count ("70B parameters"); a lowercase "m" is measure's.
_PLURAL_SCALES = frozenset({"k", "M", "B"})
#: Words before "10K" that make it a named race, not a count: "a 5K run", "won the 10K."
_RACE_BEFORE = frozenset({"a", "an", "the", "this", "that", "his", "her", "their", "its", "our", "my", "your"})


def _scaled(m: re.Match[str], ctx: Ctx) -> str | None:
    scale = m.group("s")
    spoken = f"{number(m.group('n'))} {scales()[scale]}"
    if scale in SURE_SCALES or counted(ctx, m):
        return spoken
    if m.group("sp"):
        return None
    if scale in _PLURAL_SCALES and plural_noun(ctx, m) or scale == "K" and _clause_end_thousands(m, ctx):
        return Ambiguous(spoken)  # a guess: "70B parameters" is billions, "the 7B model" a name
    return None


def _clause_end_thousands(m: re.Match[str], ctx: Ctx) -> bool:
    """"Payrolls rose by 275K." ends a clause with thousands; "a 5K run", "the 10K." and "4K" name other things."""
    if float(m.group("n").replace(",", "")) < 10 or not re.match(r"[ \t]*(?:[.,;:!?)\]–—]|\n|$)", ctx.after(m, 20)):
        return False
    before = ctx.word_before(m).lower()
    return before not in _RACE_BEFORE and not before.endswith(("'s", "’s"))


#: "5bn people", "1.2bn users", "3k people", "5M users": a count with a scale suffix and no currency.
SCALED = [Rule("scaled", "cardinal", LEFT + r"(?P<n>" + NUM + r")(?P<sp>\s?)(?P<s>" + alternation(SCALE_SUFFIXES) + r")(?![\w])", _scaled)]

#: "F-16s", "T-72s", "S-400s": plurals of model numbers.
MODEL_PLURAL = [Rule("model-plural", "cardinal", r"(?<=[A-Za-z]-)(?P<n>\d+)s(?![\w])", _model_plural)]

def _code(m: re.Match[str], ctx: Ctx) -> str | None:
    """The number of a code glued to its letters is read in pairs: "MH370" -> "three seventy", "BA2490" ->
    "twenty four ninety", "C-130" -> "one thirty", "Kh-101" -> "one oh one"; "S-400" stays "four hundred"."""
    if not _CODE_LETTERS.search(ctx.before(m, 12)):
        return None
    return year(int(m.group(0)))


#: Capitals right before the number ("MH370", "A320", "RTX-6000"), or a capital and one small letter and a hyphen
#: ("Su-", "Kh-", "Tu-", "An-", Russian and Soviet designations); not a word ("top-250", "Shahed-136").
_CODE_LETTERS = re.compile(r"(?<![\w-])(?:[A-Z]{1,4}-?|[A-Z][a-z]-)$")

def _ratio(m: re.Match[str], ctx: Ctx) -> str | None:
    return f"{number(m.group('a'), ctx.and_)} to {number(m.group('b'), ctx.and_)}"


#: A ratio, a scale or odds: "16:9", "odds of 3:1", "a 1:50,000 map" (a clock has two digits after its colon).
RATIO = [Rule("ratio", "cardinal", r"(?<![\w.:])(?P<a>\d{1,3}(?:,\d{3})*)\s?:\s?(?P<b>\d{1,3}(?:,\d{3})+|\d)(?![\d:]|[.,]\d)",
              _ratio)]

#: "MH370", "A320", "C-130": three or four digits of a code.
CODE = [Rule("code", "cardinal", r"(?<=[A-Za-z]|-)[1-9]\d{2,3}(?![\w]|[.,]\d)", _code)]

IDENTIFIER = [Rule("identifier", "cardinal", r"(?<![\w.])(?<!\d,)[1-9]\d{2,3}(?![\w]|[.,]\d)", _identifier)]

#: Round numbers in the plural, as "many": "1,000s of people" -> "thousands of people".
_ROUND_PLURALS = {"100": "hundreds", "1000": "thousands", "10000": "tens of thousands", "100000": "hundreds of thousands",
                  "1000000": "millions"}


def _ers(m: re.Match[str], ctx: Ctx) -> str | None:
    """A team named by its number: "76ers" -> "seventy sixers", "49ers" -> "forty niners"."""
    said = cardinal(int(m.group("n")))
    return said + ("rs" if said.endswith("e") else "ers")


def _decimal_comma(m: re.Match[str], ctx: Ctx) -> str | None:
    scale = m.group("s").strip()
    return f"{number(m.group('n').replace(',', '.'))} {scales().get(scale, scale)}"


_SPACE = "[ \u00a0\u202f\u2009]"
#: Words that take a number as a name, after which a space ends the number: "Route 66 100 miles", "Top 3 200 runners".
_TAKES_NUMBER = frozenset("""
route highway interstate lane line bus flight platform gate terminal channel room floor block lot plot row seat box
top model series version v gen generation mark mk pro max ultra plus pixel iphone galaxy core ryzen xbox apollo
no nos number page pages p pp chapter section article clause rule grade level stage phase type class round game
episode season part figure fig table step item question verse act scene volume vol issue unit track ranked
""".split())
#: A thousands comma ("1,500"): copy that writes its thousands so does not group them by spaces.
_COMMA_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3},\d{3}(?![\d]|,\d)")


@lru_cache(maxsize=8)
def _comma_grouped(text: str) -> bool:
    return _COMMA_THOUSANDS.search(text) is not None


def _grouped(m: re.Match[str], ctx: Ctx) -> str | None:
    """"1.000.000", "10 000", "8 000 000" are one number. Two numbers side by side are not: a space joins a single
    later group other than "000" only after a word that does not take a number as a name ("Route 66 100 miles",
    "Ultra 9 185"), nor a capitalised one mid-sentence ("Pixel 9 256"); with a one-digit first group only if the group
    ends in "00" ("2 500", not "9 256"); and never in copy that groups thousands with commas elsewhere."""
    written = m.group(0)
    said = number(re.sub(r"\D", "", written), ctx.and_)
    groups = re.split(_SPACE, written)
    if len(groups) != 2 or groups[1] == "000":
        return said
    before = ctx.word_before(m)
    if before.lower().rstrip(".") in _TAKES_NUMBER or before in words("identifier_before.tsv"):
        return None
    if len(groups[0]) == 1 and not groups[1].endswith("00"):
        return None
    if before[:1].isupper() and not re.search(r"(?:^|[.!?:;\n][\"'”’)]*\s*)[\w.'’]+\W*$", ctx.before(m, 80)):
        return None
    if _comma_grouped(ctx.text):
        return None
    return said


RULES = [
    Rule("round-plural", "cardinal", r"(?<![\w.,])(?P<n>100|1,?000|10,?000|100,?000|1,?000,?000)s(?![\w'’])",
         lambda m, ctx: _ROUND_PLURALS[m.group("n").replace(",", "")]),
    Rule("ers", "cardinal", r"(?<![\w.,])(?P<n>[1-9]\d?)ers(?![\w])", _ers),
    # a minus sign only where it cannot be a range or a hyphenated word: "-2", "(−3.5)"
    Rule("negative", "cardinal", r"(?<![\w.)\-–])(?<!\d,)[-−](?P<n>" + NUM + ")" + RIGHT, _negative),
    # "2,5 million", "1,5bn": a decimal comma before a scale, as European copy writes it ("1,500 million" is grouped)
    Rule("decimal-comma", "decimal", LEFT + r"(?P<n>\d{1,3},\d{1,2})(?P<s>\s(?:million|billion|trillion)(?![\w])|\s?"
         + alternation(sorted(SURE_SCALES)) + r"(?![\w]))", _decimal_comma),
    # thousands grouped by dots (two groups or more: "1.000.000") or by spaces ("10 000", "1 000 000", also thin
    # and no-break spaces), as European and SI copy writes them; a last group glued to a letter or "%" is not one
    # ("the Pixel 9 256GB", "Top 3 200m"), unless it is "000" ("10 000km")
    Rule("grouped", "cardinal", LEFT + r"[1-9]\d{0,2}(?:(?:\.\d{3}){2,}(?![\d.,]\d|\d)|(?:" + _SPACE + r"\d{3})*" + _SPACE
         + r"(?:000(?![\d]|[.,]\d)|\d{3}(?![\w%]|[.,]\d)))", _grouped),
    # Indian lakh and crore grouping: "1,00,000 students" -> "one lakh students"
    Rule("indian", "cardinal", r"(?<![\w.,])(?P<n>" + INDIAN + r")(?![\d]|[.,]\d)", lambda m, ctx: number(m.group("n"), ctx.and_)),
    Rule("dotted", "cardinal", LEFT + r"\d+(?:\.\d+){2,}(?!\d)", _dotted),
    Rule("decimal", "decimal", LEFT + r"(?P<n>\d{1,3}(?:,\d{3})+\.\d+|\d+\.\d+|\.\d+)" + RIGHT, _plain),
    Rule("cardinal", "cardinal", r"(?<![\d.,])(?P<n>" + NUM + ")" + RIGHT, _plain),
]


def _leftover(m: re.Match[str], ctx: Ctx) -> str | None:
    return number(m.group(0), ctx.and_)


#: Last in the priority list: digits no other reading took ("32,2", "a.m.6") are still said, never passed on.
FALLBACK = [Rule("digits", "cardinal", r"\d{1,15}", _leftover)]
