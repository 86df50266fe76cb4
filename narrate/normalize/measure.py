"""Measures: a number with a unit from ``data/units.tsv`` — attached, spaced, hyphenated, per-unit, dimensions.

Examples: "1 km" -> "one kilometer"; "90km" -> "ninety kilometers"; "120mm mortars" -> "one hundred twenty
millimeter mortars"; "a 2.5 km stretch" -> "a two point five kilometer stretch"; "12kg/kg" -> "twelve kilograms
per kilogram"; "12/kg" -> "twelve per kilogram"; "2°C" -> "two degrees Celsius"; "4 1/2 lbs" -> "four and a half
pounds"; "2x8 m2" -> "two by eight square meters"; "5m people" -> "five million people" but "a 100m sprint" -> "a one
hundred meter sprint" (both spans marked ambiguous for the check tool); "533m records" -> "five hundred thirty three
million records" (a plural noun after a glued "m"); "a 3nm process" -> "a three nanometer process"; "the 10 GW plant"
-> "the ten gigawatt plant"; "20 ft x 8 ft" -> "twenty feet by eight feet"; "rose to 1.8x." -> "rose to one point
eight times."; "M5.2 aftershock" -> "magnitude five point two aftershock"; "36°20′N" -> "thirty six degrees twenty
minutes north"; "The waiting list hit 7.6m." -> "... seven point six million." but "He jumped 2.4m." -> "... two point
four meters." (a bare glued "m": a word of counting before it, no length in sight); "1080p" -> "ten eighty p";
"3nm chips" -> "three nanometer chips"; "2 x 500mg" -> "two times five hundred milligrams"; "250mg/5ml" -> "two
hundred fifty milligrams per five milliliters"; "0.5mg per kg" -> "zero point five milligrams per kilogram"; "cooled
to 4 K" -> "cooled to four kelvin".
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import fraction
from .numbers import is_one, number, year
from .rules import LEFT, NUM, Ambiguous, Ctx, Rule, alternation, rows, sections, words

#: A full scale word between the number and the unit: "100 million kg".
SCALE_WORDS_SET = ("thousand", "million", "billion", "trillion")
SCALE_WORDS = r"(?:\s(?:" + "|".join(SCALE_WORDS_SET) + "))"


#: Word lists that decide a reading by its neighbours, in ``data/measure_context.txt`` (one section each).
_CONTEXT = sections("measure_context.txt")


@lru_cache(maxsize=1)
def units() -> dict[str, tuple[str, str, str]]:
    """written -> (singular, plural, kind), with case-insensitive units also under their lowercase form."""
    out: dict[str, tuple[str, str, str]] = {}
    for written, singular, plural, case, kind in rows("units.tsv"):
        out[written] = (singular, plural, kind)
        if case == "ci":
            out.setdefault(written.lower(), (singular, plural, kind))
    return out


def unit_pattern(kinds: tuple[str, ...] = ("measure",), exclude: frozenset[str] = frozenset()) -> str:
    """An alternation of the units of ``kinds``, longest first; a glued unit only right after a digit ("50C", "10in"),
    a spaced one only after a digit and a space ("4 K")."""
    parts = []
    chosen = {r for r in rows("units.tsv") if r[4] in kinds and r[0] not in exclude}
    for written, *_, case, kind in sorted(chosen, key=lambda r: (-len(r[0]), r[0])):
        esc = re.escape(written)
        esc = f"(?i:{esc})" if case == "ci" else esc
        parts.append({"glued": "(?<=\\d)", "spaced": "(?<=\\d\\s)"}.get(kind, "") + esc)
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
#: Units read only after a spaced number ("cooled to 4 K": kelvin; "4K" is a resolution, "5K" a race).
SPACED_UNIT = unit_pattern(("spaced",))
PER = unit_pattern(("measure", "per"))
#: Units after a bare "per" ("per kg"): not a lone capital or "AU", which name other things there.
BARE_PER = unit_pattern(("measure",), exclude=frozenset({"AU", "°", "º"}
                                                        | {r[0] for r in rows("units.tsv") if re.fullmatch("[A-Z]", r[0])}))


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
_NOT_NOUNS = _CONTEXT["not-nouns"]
#: Nouns ending in "-ing" after a measure (other "-ing" words are verbs: "the 20 km separating the two").
_ING_NOUNS = _CONTEXT["ing-nouns"]


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
_NOT_PLURALS = _CONTEXT["not-plurals"]


def plural_noun(ctx: Ctx, m: re.Match[str]) -> bool:
    """A plural noun right after a glued scale letter makes it a count: "533m records", "70B parameters", "3.2m
    years" — not a unit, a word a measure describes ("the 100m hurdles", "20m waves": data/measure_nouns.txt), a
    verb or a function word ("the 400m takes")."""
    w = re.match(r"\s+([a-z]+(?:-[a-z]+)*)(?![\w'’-])", ctx.after(m, 30))
    if w is None:
        return False
    word = w.group(1)
    last = word.rpartition("-")[2]  # "55m light-years"
    if not last.endswith("s") or last.endswith(("ss", "us", "is")) or word in _NOT_PLURALS:
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


#: After a glued "m" and no noun, words that make it a length: "2.5m long", "100m high", "50m away".
LENGTH_AFTER = _CONTEXT["length-after"]
#: Words earlier in the sentence that make a bare glued "m" a length: a race or event, a verb of size or motion, a
#: dimension, a thing measured by its size ("jumped 2.4m", "the depth reached 30m", "the tower reached 300m").
_LENGTH_CUES = _CONTEXT["length-cues"]
#: Words right before a glued "m" and no noun that make it a count: "hit 7.6m.", "rose to 249m in 2022", "a total of 5m".
_COUNT_BEFORE = _CONTEXT["count-before"]
#: Verbs earlier in the sentence that make a bare glued "m" a count: "It is estimated at 2m", "valued at 3m".
_COUNT_VERBS = _CONTEXT["count-verbs"]
#: Words right before a glued "m" and no noun that leave it to the subject: "The figure was 2.5m", "The tower is 300m".
_COPULAS = _CONTEXT["copulas"]
#: Singular nouns after a glued "m" that make it a count: "the 7.6m figure", "a 1m milestone".
_COUNT_HEADS = _CONTEXT["count-heads"]


def _bare_million(ctx: Ctx, m: re.Match[str]) -> bool:
    """A glued "m" with no noun after it is a count after a word of counting ("The waiting list hit 7.6m.", "Cases rose
    to 249m in 2022") unless a length is in sight: a word after ("2.5m long"), or, nearer than any count noun, a race,
    a verb of size or motion, a dimension or a thing measured ("jumped 2.4m", "the tower reached 300m")."""
    after = ctx.after(m, 30)
    if after.startswith("-"):
        return False  # "a 2.5m-long wall"
    following = re.match(r"\s*([\w'’-]+)", after)
    word = following.group(1) if following else ""
    if word in _COUNT_HEADS:
        return True
    if word in LENGTH_AFTER:
        return False
    if word not in _CLAUSE_AFTER and singular_noun(word, ""):
        return False  # a noun this measure describes: "the 100m champion"
    if float(re.sub(r"[^\d.]", "", m.group("a")) or 0) >= 1000:
        return False  # "reached 8,000m": a count that large is written "8bn"
    sentence = re.split(r"[.!?;]\s|\n", ctx.before(m, 100))[-1]
    # the words of the sentence so far, less those a number describes ("Viewers of the 100m final hit 5m")
    tokens = sentence.split()
    last = re.sub(r"[^\w'’-]", "", tokens[-1]).lower() if tokens else ""
    if last not in _COUNT_BEFORE and last not in _COPULAS or len(tokens) > 1 and re.fullmatch(r"[\d.,]+m", tokens[-2]):
        return False  # "from 1m to 2m": the second as the first
    said = [re.sub(r"[^\w'’-]", "", t).lower() for i, t in enumerate(tokens[:-1])
            if re.match(r"[\"'‘“(]?[A-Za-z]", t) and not (i and re.search(r"\d", tokens[i - 1]))]
    for w in reversed(said):
        if w in _LENGTH_CUES:
            return False
        if _count_noun(w) or w in _COUNT_HEADS or w in _COUNT_SUBJECTS or w in _COUNT_VERBS:
            return True
    return last in _COUNT_BEFORE  # "The figure was 2.5m", but "The ship is 300m"


#: Words after a glued "m" that end its phrase, though they look like nouns: "hit 1.5m last year".
_CLAUSE_AFTER = _CONTEXT["clause-after"]
#: Singular subjects that count: "Unemployment hit 1.5m", "The NHS waiting list hit 7.6m".
_COUNT_SUBJECTS = _CONTEXT["count-subjects"]


#: Glued units whose noun after may be the stuff measured ("500g potatoes"): only a container or a form makes them
#: adjectival ("5kg bags", "400mg tablets", "500ml bottles").
_CONTAINERS = _CONTEXT["containers"]
_BULK = ("gram", "liter", "litre", "ounce", "pound", "tonne", "ton", "cubic", "gallon", "barrel")


def attributive_plural(ctx: Ctx, m: re.Match[str], unit: str) -> bool:
    """A glued measure before a plural noun describes it, so its unit is singular: "3nm chips", "65in TVs", "10km
    roads", "5kg bags" — not before a verb or function word ("the 10km was", "2km apart"), and a unit of mass or volume
    only before a container or a form ("500g potatoes" keeps "grams")."""
    w = re.match(r"\s+([a-z]{3,}|[A-Z]{2,}s)(?![\w'’-])", ctx.after(m, 30))
    if w is None:
        return False
    word = w.group(1)
    if word[0].isupper() or word in _CONTAINERS:
        return True  # "65in TVs", "4GB SSDs", "10mg doses"
    if (not word.endswith("s") or word.endswith(("ss", "us", "is")) or word in _NOT_PLURALS and word != "winds"
            or word in _NOT_NOUNS):
        return False  # "100mph winds", but "the 10km was", "2km apart"
    if word in units() or _count_noun(word):
        return False  # "20km miles", "5kg people": not a thing this describes
    if lookup(unit)[0].startswith(_BULK) or lookup(unit)[0].endswith(_BULK):
        return word in _CONTAINERS
    return True


#: After "nm", a distance at sea or in the air: "off the coast", "from the shore", "east of", "offshore", "radius".
_AT_SEA = re.compile(r"\s+(?:off|offshore|from|away|out|east|west|north|south|northeast|northwest|southeast|southwest|"
                     r"radius|range|zone|limit|exclusion|territorial|nautical|of\s+(?:the\s+)?(?:coast|shore|island|port))\b", re.I)


#: Lines of a video frame: "1080p" is "ten eighty p", not pence.
_RESOLUTIONS = frozenset({"360", "480", "576", "720", "1080", "1440", "2160", "4320"})
#: Money right before or after makes "720p" pence after all: "cost 720p", "720p a litre".
_MONEY_BEFORE = _CONTEXT["money-before"]
_MONEY_AFTER = re.compile(r"\s+(?:a|an|per|each)\s+(?:litre|liter|pint|kg|kilo|unit|share|item|head|week|day|month)\b")
#: Words of money and markets that make "480p" pence ("Shares in BP were up 2% at 480p"), unless video is in sight.
_MONEY_WORDS = re.compile(r"[£]|\b(?:pence|penny|shares?|stocks?|pric\w*|cost\w*|FTSE|dividends?|valu\w*|bid|offer|"
                          r"fares?|charg\w*|paid|pay\w*|stamps?|tickets?|pints?|litres?|liters?|closed|closing|opened|"
                          r"trad\w*|lower|higher)\b|(?<![\w.])(?!(?:360|480|576|720|1080|1440|2160|4320)p)\d+(?:\.\d+)?p\b", re.I)
_VIDEO_WORDS = re.compile(r"\b(?:video\w*|stream\w*|screens?|displays?|resolutions?|TVs?|televisions?|cameras?|HD|"
                          r"monitors?|mode|fps|record\w*|pixels?|footage|graphics|consoles?|YouTube|Netflix|gaming|"
                          r"games?|upscal\w*|4K|8K|HDR|webcams?|projectors?)\b")


def _resolution(m: re.Match[str], ctx: Ctx) -> bool:
    """"1080p", "720p" are video resolutions, unless money is right there ("cost 720p", "480p a litre") or in the
    sentence with no video in sight ("Shares in BP were up 2% at 480p")."""
    if ctx.word_before(m).lower() in _MONEY_BEFORE or _MONEY_AFTER.match(ctx.after(m, 20)):
        return False
    around = re.split(r"[.!?]\s", ctx.before(m, 80))[-1] + " " + re.split(r"[.!?](?:\s|$)", ctx.after(m, 60))[0]
    return not _MONEY_WORDS.search(around) or bool(_VIDEO_WORDS.search(around))


#: A temperature in sight makes a spaced "K" kelvin: "cooled to 4 K".
_TEMPERATURE = re.compile(r"\b(?:cool|cold|chill|freez|froze|temperature|kelvin|absolute\s+zero|degree|heat|hot|warm|"
                          r"thermal|superconduct|cryo|helium|nitrogen|frigid|icy|microwave\s+background)", re.I)


def _kelvin(m: re.Match[str], ctx: Ctx) -> bool:
    """"4 K" is kelvin (and "4K" a resolution, "5K" a race) with a temperature in sight ("cooled to 4 K", "ran at 1.9 K,
    colder than space"), or zero before no noun ("or 0 K."); not before a hyphen or a count ("1.5 K followers"); a
    bare "0.1 K" stays letters."""
    if re.match(r"[-–]\w", ctx.after(m, 2)) or counted(ctx, m):
        return False
    if _TEMPERATURE.search(ctx.before(m, 80) + " " + ctx.after(m, 80)):
        return True
    return m.group("a").strip("0.") == "" and not singular_noun(ctx.word_after(m), "")


def _measure(m: re.Match[str], ctx: Ctx) -> str | None:
    amount, unit, per = m.group("a"), m.group("u"), m.group("per")
    kind = lookup(unit)[2]
    glued = not m.group("sep")
    if kind == "glued" and (not glued or re.match(r"[-–][\dA-Z]", ctx.after(m, 2))):
        return None  # "50C" is Celsius, "10in" inches; "3 F-16s", "Category 5 C" are not (nor, by UNIT, "5 in 10")
    if kind == "spaced" and not _kelvin(m, ctx):
        return None
    if unit == "p" and amount in _RESOLUTIONS and _resolution(m, ctx):
        return f"{year(int(amount))} p"  # "1080p" is a video resolution; "45p", "50p a litre" are pence
    if unit == "m" and not per and not m.group("bare") and not m.group("a").endswith(tuple(SCALE_WORDS_SET)):
        # "300m" is meters or million; a count noun (or, glued, any plural noun, or a word of counting before it and
        # no length in sight) decides, and the span says it was a guess
        if counted(ctx, m) or glued and (plural_noun(ctx, m) or _bare_million(ctx, m)):
            return Ambiguous(f"{amount_words(amount, False)} million")
        adj = adjectival(m, ctx, m.group("sep") == "-")
        return Ambiguous(f"{amount_words(amount, ctx.and_)} {unit_words(unit, amount, adj)}")
    adj = adjectival(m, ctx, m.group("sep") == "-") or (
        glued and not per and unit != "p" and attributive_plural(ctx, m, unit))  # "3nm chips", "400mg tablets"
    if unit == "nm" and not per and _AT_SEA.match(ctx.after(m, 30)):
        unit = "NM"  # "12 nm off the coast": nautical miles, as sea and air copy writes them; "a 3nm chip" is nanometers
    if re.search(r"±\s*$", ctx.before(m, 3)):
        amount = "2"  # "73 ± 1 km/s": the spread of a plural quantity
    spoken = f"{amount_words(m.group('a'), ctx.and_)} {unit_words(unit, amount, adj)}"
    if per:
        spoken += " per " + lookup(per)[0]
    elif m.group("bare"):
        spoken += " per " + _bare_unit(m.group("bare"), m, ctx)  # "0.5mg per kg"
    elif kind == "dotted" and re.match(r"\s+[\"'‘“(]?[A-Z]", ctx.after(m, 4)):
        spoken += "."  # "fell 4 in. The …": the unit's period also ends the sentence
    return spoken


#: The dimension of a unit by the last word of its name (prefixes dropped): mass, volume, length, time, energy.
_DIMENSIONS = {"gram": "mass", "pound": "mass", "ounce": "mass", "tonne": "mass", "ton": "mass", "liter": "volume",
               "litre": "volume", "gallon": "volume", "barrel": "volume", "centimeter": "volume", "meter": "length",
               "metre": "length", "foot": "length", "inch": "length", "yard": "length", "mile": "length",
               "second": "time", "minute": "time", "hour": "time", "day": "time", "year": "time", "joule": "energy",
               "kilocalorie": "energy", "mole": "amount"}


def _dimension(unit: str) -> str | None:
    name = lookup(unit)[0]
    if name.startswith("cubic "):
        return "volume"
    last = name.rpartition(" ")[2]
    for prefix in ("milli", "micro", "nano", "centi", "deci", "kilo", "mega", "giga"):
        if last.startswith(prefix) and last[len(prefix):] in _DIMENSIONS:
            last = last[len(prefix):]
    return _DIMENSIONS.get(last)


def _per_quantity(m: re.Match[str], ctx: Ctx) -> str | None:
    """A measure per a measure of another dimension: "250mg/5ml" -> "two hundred fifty milligrams per five
    milliliters"; "5mg/10mg", "5oz/140g" are alternatives or conversions, left to the plain measure."""
    units_ = (m.group("u"), m.group("pu"))
    if any(lookup(u)[2] != "measure" for u in units_):
        return None
    dims = [_dimension(u) for u in units_]
    if None in dims or dims[0] == dims[1]:
        return None
    a, pa = m.group("a"), m.group("pa")
    return (f"{amount_words(a, ctx.and_)} {unit_words(units_[0], a, False)} per "
            f"{amount_words(pa, ctx.and_)} {unit_words(units_[1], pa, False)}")


def _per_bare(m: re.Match[str], ctx: Ctx) -> str | None:
    """A count per a unit after a bare "per": "5 per kg" -> "five per kilogram"; "per m" before a count is per
    million."""
    return f"{amount_words(m.group('a'), ctx.and_)} per {_bare_unit(m.group('u'), m, ctx)}"


def _bare_unit(unit: str, m: re.Match[str], ctx: Ctx) -> str:
    return "million" if unit == "m" and counted(ctx, m) else lookup(unit)[0]


def _per_only(m: re.Match[str], ctx: Ctx) -> str | None:
    return f"{amount_words(m.group('a'), ctx.and_)} per {lookup(m.group('per'))[0]}"


_SIDE = re.compile(r"(?P<n>" + NUM + r")\s?(?P<u>\S.*)?")


def _dimensions(m: re.Match[str], ctx: Ctx) -> str | None:
    """Sides joined by "by", each with its unit or one unit after the last: "2x8 m2" -> "two by eight square meters",
    "4m x 5m" -> "four meters by five meters"."""
    sides = [_SIDE.fullmatch(x) for x in re.split(r"\s?[x×]\s?", m.group("dims"))]
    units = [s.group("u") for s in sides if s and s.group("u")]
    adj = adjectival(m, ctx, False)
    if (len(sides) == 2 and sides[0] and sides[1] and not sides[0].group("u") and units
            and re.fullmatch(r"[1-9]\d{0,2}", sides[0].group("n")) and not _spatial(units[0])):
        # "2 x 500mg", "12 x 330ml": a count of doses, cans, drives, not two sides of a shape ("2 x 4 m", "2x8 m2")
        n, amount = sides[0].group("n"), sides[1].group("n")
        adj = adj or not re.search(r"\s", sides[1].group(0)) and attributive_plural(ctx, m, units[0])
        return f"{number(n, ctx.and_)} times {amount_words(amount, ctx.and_)} {unit_words(units[0], amount, adj)}"
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


def _spatial(unit: str) -> bool:
    """A unit of length, area or volume, whose numbers joined by "x" are sides: "2 x 4 m", "2x8 m2", "3 x 2 ft"."""
    name = lookup(unit)[0]
    return " per " not in name and (name.startswith(("square ", "cubic ")) or _dimension(unit) == "length")


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
    # "250mg/5ml": a measure per a measure; declined (same dimension: "5mg/10mg") it is left to "measure"
    Rule("measure-per-measure", "measure", LEFT + r"(?P<a>" + NUM + r")(?P<u>" + UNIT + r")/(?P<pa>" + NUM + r")\s?(?P<pu>"
         + UNIT + r")(?![\w/])", _per_quantity),
    Rule("measure", "measure", LEFT + r"(?P<a>" + AMOUNT + r")(?P<sep>\s|-|)(?P<u>" + UNIT + "|" + SPACED_UNIT + r")"
         r"(?:/(?P<per>" + PER + r")|\s(?P<pw>per)\s(?P<bare>" + BARE_PER + r")(?!/))?"
         r"(?:(?<=[a-z])\.(?=\s+[a-z]))?", _measure),
    Rule("per-unit", "measure", LEFT + r"(?P<a>" + NUM + r")/(?P<per>" + PER + r")", _per_only),
    # "sold at 5 per kg": a count per a unit (a plain word like "per" starts no reading, so the number does)
    Rule("count-per-bare", "measure", LEFT + r"(?P<a>" + NUM + r")\s(?P<p>per)\s(?P<u>" + BARE_PER + r")(?!/)", _per_bare),
]
