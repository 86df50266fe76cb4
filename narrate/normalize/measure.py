"""Measures: a number with a unit from ``data/units.tsv`` — attached, spaced, hyphenated, per-unit, dimensions.

Examples: "1 km" -> "one kilometer"; "90km" -> "ninety kilometers"; "120mm mortars" -> "one hundred twenty
millimeter mortars"; "a 2.5 km stretch" -> "a two point five kilometer stretch"; "12kg/kg" -> "twelve kilograms
per kilogram"; "12/kg" -> "twelve per kilogram"; "2°C" -> "two degrees Celsius"; "4 1/2 lbs" -> "four and a half
pounds"; "2x8 m2" -> "two by eight square meters"; "5m people" -> "five million people" but "a 100m sprint" -> "a one
hundred meter sprint" (both spans marked ambiguous for the check tool); "533m records" -> "five hundred thirty three
million records" (a plural noun after a glued "m"); "a 3nm process" -> "a three nanometer process"; "the 10 GW plant"
-> "the ten gigawatt plant"; "20 ft x 8 ft" -> "twenty feet by eight feet"; "rose to 1.8x." -> "rose to one point
eight times."; "M5.2 aftershock" -> "magnitude five point two aftershock"; "36°20′N" -> "thirty six degrees twenty
minutes north".
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


def unit_pattern(kinds: tuple[str, ...] = ("measure",)) -> str:
    """An alternation of the units of ``kinds``, longest first; a glued unit only right after a digit ("50C", "10in")."""
    parts = []
    for written, *_, case, kind in sorted({r for r in rows("units.tsv") if r[4] in kinds}, key=lambda r: (-len(r[0]), r[0])):
        esc = re.escape(written)
        esc = f"(?i:{esc})" if case == "ci" else esc
        parts.append("(?<=\\d)" + esc if kind == "glued" else esc)
    return "(?:" + "|".join(parts) + r")(?![\w°])"


def lookup(written: str) -> tuple[str, str, str]:
    u = units()
    return u.get(written) or u.get(written.lower()) or (written, written, "measure")


#: A scale suffix glued to the number, before a spaced unit: "1.2m bpd", "5bn kWh".
SCALE_SUFFIX = {"k": "thousand", "K": "thousand", "m": "million", "M": "million", "mn": "million", "mln": "million",
                "bn": "billion", "b": "billion", "B": "billion", "tn": "trillion", "trn": "trillion"}
AMOUNT = (r"(?:" + fraction.MIXED + r"|[-−]?" + NUM + r"(?:" + SCALE_WORDS + "|" + alternation(list(SCALE_SUFFIX))
          + r"(?=\s))?)")
UNIT = unit_pattern(("measure", "glued", "dotted"))
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


#: Words before a measure that make a singular noun after it the measure's head: "the 10 GW plant", "each 100g serving".
_DETERMINERS = frozenset({"the", "each", "every", "per", "this", "its", "his", "her", "their", "our", "my", "your", "another"})
#: Words ending in "'s" that are no possessive: "it's 10 km away".
_CONTRACTIONS = frozenset({"it's", "that's", "there's", "here's", "what's", "who's", "he's", "she's", "let's", "where's"})
#: Lowercase words that are no noun after a measure, so it stays a plural quantity: "10 GW of power", "5 km north",
#: "100g each", "the 10 km was", "the 2 kg found" (function words, common verbs, adverbs and measure adjectives).
_NOT_NOUNS = frozenset("""
a an the this that these those each every any some no all both either neither such
of in on at to from for by with without within into onto upon off out over under above below across along around
through throughout toward towards between among amid beyond behind before after since until till during per via
than like unlike near past against despite except beside besides inside outside underneath beneath up down away
apart ahead back aside
and or but nor so yet because while whereas although though if unless when where which who whom whose what
whatever whichever how why as
i you he she it we they me him her us them my your his its our their one ones
be is are was were been being am have has had having do does did done doing can could will would shall should may
might must ought get got gotten make made take took taken give gave given go went gone going come came say said
see seen saw find found show shown keep kept leave left hold held bring brought buy bought sell sold build built
lose lost win won cut hit set put run ran spend spent pay paid send sent meet met lie lay let become became remain
seem need require include includes including excluding according following using remaining
long wide high tall deep thick thin old young ago away alone already also again still just only even too very
more most less least fewer further farther higher lower longer shorter deeper wider taller bigger larger smaller
greater faster slower closer nearer earlier later sooner then there here now today tonight tomorrow yesterday
overall total combined altogether apiece respectively instead worth extra enough not plus minus times
north south east west northeast northwest southeast southwest northward southward eastward westward inland
offshore underground overhead upstream downstream uphill downhill abroad nearby daily weekly monthly yearly annually
""".split())
#: Nouns ending in "-ing" after a measure (other "-ing" words are verbs: "the 20 km separating the two").
_ING_NOUNS = frozenset({"serving", "building", "crossing", "opening", "ceiling", "setting", "landing", "coating",
                        "housing", "lining", "casing", "bearing", "filling", "ring", "wing", "thing", "string",
                        "spring", "swing", "king", "railing", "mooring", "clearing", "wiring", "piping", "tubing"})


def adjectival(m: re.Match[str], ctx: Ctx, hyphen: bool) -> bool:
    """A measure before a noun is singular: joined by a hyphen, after "a"/"an", before a listed noun, or between a
    determiner and a singular noun ("the 10 GW plant", "each 100g serving"; not "the 10 km was", "10 GW of power")."""
    if hyphen or re.match(r"-[A-Za-z]", ctx.after(m, 2)):  # "a 12-km stretch", "the 5km-long front"
        return True
    before = ctx.word_before(m).lower()
    if before in {"a", "an"}:
        return True
    after = ctx.word_after(m)
    if after.lower() in words("measure_nouns.txt"):
        return True
    return determined(before, ctx, m) and singular_noun(after, ctx.after(m, 40)[len(after) + 1 :])


def determined(before: str, ctx: Ctx, m: re.Match[str]) -> bool:
    """A determiner right before, or before one lowercase adjective: "the 10 GW", "Tesla's 100 MWh", "the new 10 GW"."""
    if before in _DETERMINERS or before.endswith(("'s", "’s")) and before.replace("’", "'") not in _CONTRACTIONS:
        return True
    two = re.search(r"(?:^|[^\w'’])([\w'’]+)\s+([a-z]+)\s+$", ctx.before(m, 40))
    if two is None or two.group(2) in _NOT_NOUNS or two.group(2).endswith(("s", "ly")):
        return False
    first = two.group(1).lower()
    if first.endswith(("'s", "’s")):
        return first.replace("’", "'") not in _CONTRACTIONS
    return first in _DETERMINERS or first in {"a", "an"}


def singular_noun(word: str, rest: str) -> bool:
    """``word`` (with ``rest`` the text after it) can be a singular noun: lowercase, not a stop word, a plural, a
    participle or an adverb; "can" only at a phrase's end ("per 330 ml can.")."""
    if word == "can":
        return not re.match(r"\s*[A-Za-z]", rest)
    if not re.fullmatch(r"[a-z]{3,}(?:-[a-z]+)*", word) or word.split("-")[0] in _NOT_NOUNS:
        return False
    if "-" in word:
        return True  # "the 10 GW gas-fired plant"
    if word.endswith("s") and not word.endswith(("ss", "us")):
        return False  # plural, or a verb: "the 10 km stretches"
    if word.endswith("ing"):
        return word in _ING_NOUNS
    return not (word.endswith("ed") and not word.endswith("eed") and len(word) > 4)


#: Words that may stand between "5m" and its count noun ("1.5m Syrian refugees") — not these, which end the phrase.
_NOT_MODIFIERS = frozenset({"a", "an", "the", "and", "or", "of", "to", "from", "in", "on", "at", "for", "by", "with", "than", "away", "per", "each"})


def counted(ctx: Ctx, m: re.Match[str]) -> bool:
    """A count noun from ``data/count_nouns.txt`` follows, maybe after one modifier: "5m people", "2m new users"."""
    following = re.findall(r"[\w'’-]+", ctx.after(m, 40))[:2]
    if following and _count_noun(following[0]):
        return True
    return len(following) == 2 and following[0].lower() not in _NOT_MODIFIERS and _count_noun(following[1])


#: Words ending in "s" that are no plural noun after "100m": verbs and function words ("the 400m takes place").
_NOT_PLURALS = frozenset("""
is was has does goes as its his hers ours yours theirs this thus plus less unless across always perhaps sometimes
besides towards afterwards whereas yes remains takes makes stands comes seems means gets leaves starts includes
covers spans stretches reaches rises falls measures lies sits looks runs holds gives shows says needs lasts
helps becomes continues requires features contains provides offers allows costs sells puts sees knows wants uses
lets finishes begins ends opens closes follows separates divides links connects joins crosses passes climbs
increases decreases grows adds brings keeps moves turns winds flows extends represents
""".split())


def plural_noun(ctx: Ctx, m: re.Match[str]) -> bool:
    """A plural noun right after a glued scale letter makes it a count: "533m records", "70B parameters", "3.2m
    years" — not a unit, a word a measure describes ("the 100m hurdles", "20m waves": data/measure_nouns.txt), a
    verb or a function word ("the 400m takes")."""
    w = re.match(r"\s+([a-z]+)(?![\w'’-])", ctx.after(m, 30))
    if w is None:
        return False
    word = w.group(1)
    if not word.endswith("s") or word.endswith(("ss", "us", "is")) or word in _NOT_PLURALS:
        return False
    unit = units().get(word)
    return word not in words("measure_nouns.txt") and (unit is None or unit[2] == "per")


def _count_noun(word: str) -> bool:
    if word.lower() in words("count_nouns.txt"):
        return True
    return word[:1].isupper() and word[1:].islower() and word.endswith(_nationality_endings())


@lru_cache(maxsize=1)
def _nationality_endings() -> tuple[str, ...]:
    return tuple(e[1:] for e in words("count_nouns.txt") if e.startswith("-"))


#: After "nm", a distance at sea or in the air: "off the coast", "from the shore", "east of", "offshore", "radius".
_AT_SEA = re.compile(r"\s+(?:off|offshore|from|away|out|east|west|north|south|northeast|northwest|southeast|southwest|"
                     r"radius|range|zone|limit|exclusion|territorial|nautical|of\s+(?:the\s+)?(?:coast|shore|island|port))\b", re.I)


def _measure(m: re.Match[str], ctx: Ctx) -> str | None:
    amount, unit, per = m.group("a"), m.group("u"), m.group("per")
    kind = lookup(unit)[2]
    if kind == "glued" and (m.group("sep") or re.match(r"[-–][\dA-Z]", ctx.after(m, 2))):
        return None  # "50C" is Celsius, "10in" inches; "3 F-16s", "Category 5 C" are not (nor, by UNIT, "5 in 10")
    if unit == "m" and not per and not m.group("a").endswith(tuple(SCALE_WORDS_SET)):
        # "300m" is meters or million; a count noun (or, glued, any plural noun) after it decides, and the span says
        # it was a guess
        if counted(ctx, m) or (not m.group("sep") and plural_noun(ctx, m)):
            return Ambiguous(f"{amount_words(amount, False)} million")
        adj = adjectival(m, ctx, m.group("sep") == "-")
        return Ambiguous(f"{amount_words(amount, ctx.and_)} {unit_words(unit, amount, adj)}")
    adj = adjectival(m, ctx, m.group("sep") == "-")
    if unit == "nm" and not per and _AT_SEA.match(ctx.after(m, 30)):
        unit = "NM"  # "12 nm off the coast": nautical miles, as sea and air copy writes them; "a 3nm chip" is nanometers
    spoken = f"{amount_words(amount, ctx.and_)} {unit_words(unit, amount, adj)}"
    if per:
        spoken += " per " + lookup(per)[0]
    elif kind == "dotted" and re.match(r"\s+[\"'‘“(]?[A-Z]", ctx.after(m, 4)):
        spoken += "."  # "fell 4 in. The …": the unit's period also ends the sentence
    return spoken


def _per_only(m: re.Match[str], ctx: Ctx) -> str | None:
    return f"{amount_words(m.group('a'), ctx.and_)} per {lookup(m.group('per'))[0]}"


_SIDE = re.compile(r"(?P<n>" + NUM + r")\s?(?P<u>\S.*)?")


def _dimensions(m: re.Match[str], ctx: Ctx) -> str | None:
    """Sides joined by "by", each with its unit or one unit after the last: "2x8 m2" -> "two by eight square meters",
    "4m x 5m" -> "four meters by five meters"."""
    sides = [_SIDE.fullmatch(x) for x in re.split(r"\s?[x×]\s?", m.group("dims"))]
    units = [s.group("u") for s in sides if s and s.group("u")]
    adj = adjectival(m, ctx, False)
    last = sides[-1] is not None and sides[-1].group("u") is not None
    said = []
    for side in sides:
        assert side is not None
        amount, unit = side.group("n"), side.group("u")
        words_ = amount_words(amount, ctx.and_)
        if unit and (len(units) > 1 or not last):  # "4m x 5m", "3 m x 2": each unit where it is written
            words_ += " " + unit_words(unit, amount, adj)
        said.append(words_)
    spoken = " by ".join(said)
    if len(units) == 1 and last:  # "2x8 m2": one unit for all the sides
        singular, plural, _ = lookup(units[0])
        spoken += " " + (singular if adj else plural)
    return spoken


def _feet_inches(m: re.Match[str], ctx: Ctx) -> str | None:
    """A height in feet and inches: "6'2\"" and "4 ft 11 in" -> "six feet two inches", "four feet eleven inches"."""
    ft, inches = m.group("ft"), m.group("in")
    if float(inches) >= 12:
        return None
    return (f"{number(ft, ctx.and_)} {'foot' if is_one(ft) else 'feet'} "
            f"{number(inches, ctx.and_)} {'inch' if is_one(inches) else 'inches'}")


def _times(m: re.Match[str], ctx: Ctx) -> str | None:
    """A multiplier ending a phrase of running text: "rose to 1.8x." -> "rose to one point eight times."; a "4.4x"
    with no word before it (a label, a table's cell) is read as written."""
    if not re.search(r"[A-Za-z][\w'’]*[\s(\[\"“]+$", ctx.before(m, 30)):
        return None
    return number(m.group("n"), ctx.and_) + " times"


def _magnitude(m: re.Match[str], ctx: Ctx) -> str | None:
    """An earthquake's magnitude: "M5.2", "Mw 7.0" -> "magnitude five point two", "magnitude seven point zero"."""
    return "magnitude " + number(m.group("n"), ctx.and_)


_HEMISPHERES = {"N": "north", "S": "south", "E": "east", "W": "west"}


def _coordinate(m: re.Match[str], ctx: Ctx) -> str | None:
    """A latitude or longitude: "36°20′15″N" -> "thirty six degrees twenty minutes fifteen seconds north"."""
    said = []
    for group, unit in (("deg", "degree"), ("min", "minute"), ("sec", "second")):
        written = m.group(group)
        if written is None:
            continue
        if "." not in written:
            written = str(int(written.replace(",", "")))  # "08" minutes are eight
        said.append(f"{number(written, ctx.and_)} {unit if is_one(written) else unit + 's'}")
    return " ".join(said) + " " + _HEMISPHERES[m.group("h")]


#: Sides of dimensions, each maybe with its unit: "2x8", "4m x 5m", "20 ft x 8 ft x 8.5 ft", "2x8 m2".
_DIM_SIDE = NUM + r"(?:\s?" + UNIT + r")?"

RULES = [
    # "36°20′N", "48°51'N", "37.17°N", "36°20′15″N": the hemisphere letter only after a degree sign and minutes, seconds
    Rule("coordinate", "measure", LEFT + r"(?P<deg>" + NUM + r")\s?[°º]\s?(?:(?P<min>\d{1,2}(?:\.\d+)?)\s?[′'’]\s?"
         r"(?:(?P<sec>\d{1,2}(?:\.\d+)?)\s?(?:[″\"”]|[′'’]{2})\s?)?)?(?P<h>[NSEW])(?![\w])", _coordinate),
    # "M5.2 aftershock", "Mw 7.0 earthquake": one decimal, 1.0 to 9.9
    Rule("magnitude", "measure", r"(?<![\w.])Mw?\s?(?P<n>[1-9]\.\d)(?![\w]|[.,]\d)", _magnitude),
    Rule("feet-inches", "measure", LEFT + r"(?P<ft>\d{1,2})\s?(?:['’′]|ft\.?|feet|foot)\s?(?P<in>\d{1,2}(?:\.\d+)?)\s?"
         r"(?:[\"”″]|['’]{2}|in\.?(?![\w])|inch(?:es)?(?![\w]))", _feet_inches),
    # the lookahead keeps numbers with no "x" after them from trying the units twice
    Rule("dimensions", "measure", LEFT + r"(?=[\d.,]+[^\d\n]{0,12}?[x×]\s?[\d.])(?P<dims>" + _DIM_SIDE + r"(?:\s?[x×]\s?"
         + _DIM_SIDE + r")+)(?![\w])", _dimensions),
    # "ratio stands at 25x", "hit 40x.": a multiplier before a word is the symbol class's ("3x faster")
    Rule("times-end", "symbol", LEFT + r"(?P<n>" + NUM + r")[x×](?=[ \t]*(?:[.,;:!?)\]\"”’–—]|\n|$))", _times),
    # an abbreviation's period before a lowercase word goes with the unit: "20 min. or so" is one sentence
    Rule("measure", "measure", LEFT + r"(?P<a>" + AMOUNT + r")(?P<sep>\s|-|)(?P<u>" + UNIT + r")(?:/(?P<per>" + PER + r"))?"
         r"(?:(?<=[a-z])\.(?=\s+[a-z]))?", _measure),
    Rule("per-unit", "measure", LEFT + r"(?P<a>" + NUM + r")/(?P<per>" + PER + r")", _per_only),
]
