"""Times of day: clock times, a.m./p.m., time zones (``data/timezones.tsv``), durations written h:mm:ss, m:ss.f, 2h30m.

Examples: "14:30" -> "fourteen thirty"; "5:45 pm" -> "five forty five p.m."; "10 a.m." -> "ten a.m.";
"9:05 am" -> "nine oh five a.m."; "01:00" -> "one o'clock"; "1:59 p.m. EST" -> "one fifty nine p.m. E S T";
"at 14:00 UTC" -> "at fourteen hundred U T C"; "00:00" -> "midnight"; "at 9.15 on Tuesday" -> "at nine fifteen on
Tuesday"; "at 0930" -> "at oh nine thirty"; "14:10:30" -> "fourteen hours ten minutes and thirty seconds";
"1:30:00" -> "one hour thirty minutes"; "3:43.13" -> "three minutes forty three point one three seconds";
"in 26:11" and "clocked 26:11" -> "twenty six minutes eleven seconds"; "2h30m" -> "two hours thirty minutes";
"9.58s" -> "nine point five eight seconds".

a.m. and p.m. come out as "a.m."/"p.m.": the one spelling every engine reads as letter names
(espeak-ng reads "AM" as the word "am" and "A M" as "uh em").
"""

from __future__ import annotations

import re

from .measure import adjectival
from .numbers import cardinal, digits, number
from .rules import LEFT, Ctx, Rule, rows, spell

AMPM = r"(?P<ap>[aApP])\.?\s?[mM](?![a-zA-Z])\.?"
#: Time zones that are also words or common acronyms ("EAT", "WEST", "CAT"): written in capitals only.
WORD_ZONES = frozenset(z[0] for z in rows("timezones.tsv") if z[1:] == ("word",))


def _zones(names: list[str]) -> str:
    return "|".join("\\.?".join(z) for z in sorted(names, key=lambda z: (-len(z), z)))


#: A time zone after a time: "EST", "G.M.T.", "EAT" (not "eat") (TZ: optional).
ZONE = (r"\s?(?P<tz>(?:(?i:" + _zones([z[0] for z in rows("timezones.tsv") if z[0] not in WORD_ZONES]) + r")|"
        + _zones(sorted(WORD_ZONES)) + r")\.?)(?![\w])")
TZ = r"(?:" + ZONE + r")?"


def _minutes(mm: int) -> str:
    return "oh " + digits(str(mm)) if mm < 10 else cardinal(mm)


def clock(h: int, mm: int, ap: str | None, and_: bool = False) -> str:
    if ap:
        return cardinal(h) + ("" if mm == 0 else " " + _minutes(mm)) + f" {ap}"
    return cardinal(h) + (" o'clock" if mm == 0 else " " + _minutes(mm))


def day_clock(hh: str, mm: int) -> str:
    """A time on the 24-hour clock with no a.m./p.m., the hour as written: "14", 0 -> "fourteen hundred";
    "00", 0 -> "midnight"; "00", 30 -> "zero zero thirty"; "01", 0 -> "one o'clock"; "12", 15 -> "twelve fifteen"."""
    h = int(hh)
    if h == 0 and mm == 0:
        return "midnight"
    if hh == "00":
        return military(0, mm)
    if h >= 13 and mm == 0:
        return cardinal(h) + " hundred"
    return clock(h, mm, None)


def _amount(written: str, unit: str, adjectival: bool = False) -> str:
    """A count of a unit, singular for one or before a noun: "1", "minute" -> "one minute"; "06.304", "second" -> "six
    point three zero four seconds" (a fraction digit by digit, as decimals are read)."""
    said = number(written) if "." in written else cardinal(int(written))
    return f"{said} {unit}{'' if adjectival or written.lstrip('0') == '1' else 's'}"


def _zero(written: str | None) -> bool:
    return written is not None and not written.strip("0.")


def duration(h: str | None, mm: str | None, s: str | None, and_: bool = False, adjectival: bool = False) -> str:
    """Hours, minutes and seconds as written (None: not written), zero parts at either end left out; ``and_`` puts
    "and" before the seconds: ("1", "30", "00") -> "one hour thirty minutes"; (None, "3", "43.13") -> "three minutes
    forty three point one three seconds"; ("1", "01", "01", and_=True) -> "one hour one minute and one second";
    ``adjectival`` (before a noun) says every unit in the singular: "a two hour thirty minute flight"."""
    parts = [(w, unit) for w, unit in ((h, "hour"), (mm, "minute"), (s, "second")) if w is not None]
    while len(parts) > 1 and _zero(parts[-1][0]):
        parts.pop()
    while len(parts) > 1 and _zero(parts[0][0]):
        parts.pop(0)
    said = [_amount(w, unit, adjectival) for w, unit in parts]
    if and_ and len(said) > 1 and parts[-1][1] == "second":
        said[-1] = "and " + said[-1]
    return " ".join(said)


def _suffix(m: re.Match[str]) -> tuple[str | None, str]:
    ap = m.group("ap")
    ap_words = ("a.m." if ap.lower() == "a" else "p.m.") if ap else None
    return ap_words, _zone(m)


def _zone(m: re.Match[str]) -> str:
    tz = m.group("tz")
    return " " + spell(tz.replace(".", "")) if tz else ""


#: Words after which a time is a clock time: "at 14:00", "by 0930", "between 9.15 and 10.30".
_AT = re.compile(r"\b(?:[Aa]t|[Bb]y|[Uu]ntil|[Tt]ill|[Ff]rom|[Bb]efore|[Aa]fter|[Aa]round|[Ss]ince|[Bb]etween|[Aa]nd|[Tt]o)\s+$")
#: A race time: "clocked 14:00", "a time of 3:43", "record of 3:43", "personal best of 26:11".
_RACE_BEFORE = re.compile(r"\b(?:clocked|timed|(?:a|winning|finishing) time of|record of|best of|"
                          r"(?:\d+\s?(?:K|k|km|m)|mile|marathon|half-marathon|race|course|meters|metres|distance)\s+in)\s+$")
#: A margin: "finished 6:17 behind", "0:45 ahead of Smith" (but "at 14:00 behind closed doors" is a clock time).
_RACE_AFTER = re.compile(r"\s+(?:behind|ahead)\b", re.IGNORECASE)
#: A score written with a colon ("won 26:24"), not a time.
_SCORE = re.compile(r"\b(?:won|beat|beats|lost|defeated|drew|scored?|trail(?:ed|ing)?|led|leads?|leading)\s+$", re.IGNORECASE)


#: A capitalized word right before "37:11" names a book: a chapter and verse, not minutes ("In 26:11" is a time).
_NAMED = re.compile(r"\b([A-Z][a-z]+)\.?\s+$")
_NOT_NAMES = frozenset("In At By From After Within Under About Around Of On For Than Only Just".split())


def _race(m: re.Match[str], ctx: Ctx) -> bool:
    """m:ss in a racing context is minutes and seconds: "clocked 14:00", "finished 6:17 behind"."""
    before = ctx.before(m, 24)
    if _RACE_BEFORE.search(before):
        return True
    return bool(_RACE_AFTER.match(ctx.after(m, 8))) and not _AT.search(before)


def _clock(m: re.Match[str], ctx: Ctx) -> str | None:
    """"14:30", "14:00" (fourteen hundred), "1:30:00", "3:43.13", "26:11" and "clocked 14:00" (minutes and seconds)."""
    hh, mm_w, ss, frac = m.group("h"), m.group("mm"), m.group("ss"), m.group("f")
    h, mm = int(hh), int(mm_w)
    ap, tz = _suffix(m)
    if ss is not None:
        if mm > 59 or int(ss) > 59 or (ap and frac):
            return None
        if ap:  # "10:00:00 p.m.": every part said, zeros too (NeMo's reading)
            return f"{_amount(hh, 'hour')} {_amount(mm_w, 'minute')} and {_amount(ss, 'second')} {ap}" + tz
        return duration(hh, mm_w, ss + ("." + frac if frac else ""), and_=not frac) + tz
    if frac is not None:  # "15:30.02", "1:29.708": a split time, m:ss.f
        if ap or mm > 59:
            return None
        return duration(None, hh, mm_w + "." + frac) + tz
    if not ap and (h > 23 or _race(m, ctx)):
        if h == 24 and mm == 0 and not _race(m, ctx):
            return "twenty four hundred" + tz  # "until 24:00": the end of the day
        if h > 59 or mm > 59 or _SCORE.search(ctx.before(m, 12)):
            return None
        book = _NAMED.search(ctx.before(m, 24))
        if book and book.group(1) not in _NOT_NAMES and not _race(m, ctx):
            return f"{cardinal(h)} {cardinal(mm)}"  # "Psalm 37:11", "Matthew 26:11": a chapter and verse
        return duration(None, hh, mm_w) + tz
    if h > 23 or mm > 59 or (ap and not 1 <= h <= 12):
        return None
    return (clock(h, mm, ap) if ap else day_clock(hh, mm)) + tz


def _hour(m: re.Match[str], ctx: Ctx) -> str | None:
    h = int(m.group("h"))
    mm = int(m.group("mm")) if m.group("mm") else 0
    if not 1 <= h <= 12 or mm > 59:
        return None
    ap, tz = _suffix(m)
    return clock(h, mm, ap) + tz


def military(h: int, mm: int) -> str:
    """A 24-hour time written without a colon, as it is said: "0600" -> "oh six hundred", "1430" -> "fourteen thirty",
    "0001" -> "zero zero oh one", "2000" -> "twenty hundred"."""
    hours = "zero zero" if h == 0 else ("oh " + cardinal(h)) if h < 10 else cardinal(h)
    return hours + " " + ("hundred" if mm == 0 else _minutes(mm))


def _military(m: re.Match[str], ctx: Ctx) -> str | None:
    written, h, mm = m.group("hm"), int(m.group("hm")[:2]), int(m.group("hm")[2:])
    tz = m.group("tz")
    if tz and tz.replace(".", "") in WORD_ZONES and not _AT.search(ctx.before(m, 12)):
        return None  # "1500 CAT scans", "2000 ICT jobs" are counts; "at 1500 EAT" is a time
    if m.group("u") and not written.startswith("0") and mm == 0 and not _AT.search(ctx.before(m, 12)):
        return None  # "1500 hours of footage" is a count; "at 1500 hours", "0600 hours" are times
    said = military(h, mm)
    if m.group("z"):
        return said + " Zulu"
    if m.group("u"):
        return said + " hours"
    return said + _zone(m)


#: Before a bare four-digit time with a leading zero: "at 0930", "by 0600", "since 0800".
_AT_OH = re.compile(r"\b(?:at|by|until|till|from|before|after|around|since)\s+$", re.IGNORECASE)


def _oh_military(m: re.Match[str], ctx: Ctx) -> str | None:
    """"at 0930" -> "at oh nine thirty"; without such a word "0930" is a code, and "at 2100" may be a year."""
    if not _AT_OH.search(ctx.before(m, 10)):
        return None
    hm = m.group("hm")
    return military(int(hm[:2]), int(hm[2:]))


#: Before a British dot time: "at 9.15", "between 9.15 and 10.30", "from 9.30 to 11.00".
_AT_DOT = re.compile(r"\b(?:at|by|from|until|till|before|after|around|between|and)\s+$|"
                     r"\b(?:from|between)\s+\d{1,2}\.\d\d\s+(?:to|and|until|till)\s+$", re.IGNORECASE)
#: The same words as fixed-width lookbehinds, so the rule is tried only there (most decimals never reach it).
_AT_DOT_LEFT = "(?:" + "|".join(rf"(?<=\b{w}\s)" for w in ("[Aa]t", "[Bb]y", "[Ff]rom", "[Uu]ntil", "[Tt]ill", "[Bb]efore",
                                                           "[Aa]fter", "[Aa]round", "[Bb]etween", "and", "to")) + ")"
#: A price's verb before that word: "closed at 2.50 yesterday", "traded between 2.50 and 3.10 today" are decimals.
_PRICE = re.compile(r"\b(?:closed|closing|traded|trading|trades|stood|standing|rose|fell|ended|settled|priced|valued|"
                    r"pegged|fixed|peaked|climbed|dropped|slipped|jumped|opened)\s+\w+\s+$", re.IGNORECASE)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DOT_HM = r"(?:[01]?\d|2[0-3])\.[0-5]\d"
#: What follows a dot time (maybe after "and 10.30"): a day, a part of the day, "local time", "o'clock".
_DOT_CONTEXT = (r"(?=(?:\s+(?:and|to|until|till)\s+\d{1,2}\.\d\d)?\s+(?i:on\s+" + _WEEKDAY + r"|tonight|today|tomorrow|"
                r"yesterday|(?:this|in\s+the)\s+(?:morning|afternoon|evening)|local\s+time|o['’]clock)(?![\w]))")
_DOT_CONTEXT_RE = re.compile(_DOT_CONTEXT)
#: Or nothing after it (maybe after "and 11.00"): the end of the line, a comma or full stop, or a new clause —
#: "Polls close at 22.00.", "from 9.30 until 11.00", "at 7.45, the train…", "at 7.45 and arrives…"; not a unit,
#: a scale or "%" ("at 7.45 million", "at 3.25%", "at 2.50 a share").
_DOT_END = (r"(?=(?:(?:\s+(?:and|to|until|till)\s+|\s?[-–]\s?)" + _DOT_HM + r"(?![\d]|[.,]\d))?"
            r"(?:[ \t]*(?:\r?\n|$)|[.,;:!?)\]\"”’]+(?:\s|$)|\s[—–]\s|\s+(?:and|but|when|while|then|before|after)\s+[a-z]))")
#: Words in the clause before that make "at 2.50." a quantity: prices, rates, changes, odds, race times, readings.
_QUANTITY = re.compile(
    r"[%$£€¥₹]|\d\.\d(?!\d)|\d\.\d{3}|\b(?:per\s?cent|percent|points?|million|billion|bn|"
    r"rates?|inflation|unemployment|yields?|prices?|index|indices|ratio|shares?|stocks?|bonds?|sterling|dollars?|euros?|"
    r"pounds?|yen|rupees?|greenback|currency|exchange|[a-z]{3}/[a-z]{3}|oil|gold|brent|futures|odds|bookmakers?|average|"
    r"gdp|growth|revenue|profits?|earnings|debt|deficit|levels?|valuations?|margins?|costs?|fares?|rents?|wages?|"
    r"salar(?:y|ies)|versions?|releases?|updates?|upgraded?|firmware|"
    r"fees?|tariffs?|worth|available|forecasts?|projected|targets?|paragraphs?|sections?|clauses?|pages?|chapters?|"
    r"score[sd]?|rated|rating|ranked|measured|magnitude|temperatures?|ph|weighed|estimated|"
    r"clocked|timed|record|fastest|quickest|best|lap|seconds|"
    r"rose|rise[sn]?|rising|fell|falls?|falling|increase[sd]?|increasing|decrease[sd]?|grew|grows?|growing|gained|"
    r"gains?|lost|cut|cuts|raised?|raises|lowered|lower|higher|hiked?|reduced?|declined?|declining|dropped|jumped|"
    r"climbed|slipped|slid|surged|soared|plunged|tumbled|sank|edged|eased|firmed|hover(?:s|ed|ing)?|steady|"
    r"unchanged|widened|narrowed|shrank|expanded|contracted|rebounded|recovered|advanced|retreated|"
    r"(?:up|down)\s+(?:from|by))\b", re.IGNORECASE)
#: After the comma: "at 4.15, down from 4.25" is a quantity.
_QUANTITY_AFTER = re.compile(r"[,;]?\s+(?:up|down|compared|versus|vs\b|against|from|unchanged|higher|lower|"
                             r"(?:a|an)\s+(?:rise|fall|drop|gain|decline|jump|increase|decrease)|and\s+(?:rising|falling|"
                             r"climbing|up|down))\b", re.IGNORECASE)
#: The first of a pair of dot times before this one: "between 9.30 and ", "from 9.30 until ".
_PAIR = re.compile(r"\b(?:at|from|between|by)\s+(" + _DOT_HM + r")\s+(?:and|to|until|till)\s+$", re.IGNORECASE)
_CLAUSE_START = re.compile(r"(?:[.!?;]\s|\n)(?!.*(?:[.!?;]\s|\n))", re.DOTALL)


def _dot_clock(m: re.Match[str], ctx: Ctx) -> str | None:
    """British dot times after at/by/from/…: "at 9.15 on Tuesday", "by 9.15 tonight", "at 10.30 GMT"; with nothing
    after them only when the clause says nothing of prices or changes: "Polls close at 22.00.", "from 9.30 until 11.00"."""
    before = ctx.before(m, 48)
    if not _AT_DOT.search(before) or _PRICE.search(before):
        return None
    pair = _PAIR.search(before)
    if pair and _PRICE.search(before[: pair.start(1)]):
        return None  # "traded between 2.50 and 3.10 today": the second of a pair of prices
    hh, mm = m.group("h"), int(m.group("mm"))
    if not m.group("tz") and not _DOT_CONTEXT_RE.match(ctx.text, m.end()) and not _bare_dot_clock(m, ctx, hh):
        return None
    if re.match(r"\s+o['’]clock", ctx.after(m, 9)):
        return cardinal(int(hh)) + ("" if mm == 0 else " " + _minutes(mm))  # "at 6.00 o'clock"
    return day_clock(hh, mm) + _zone(m)


def _bare_dot_clock(m: re.Match[str], ctx: Ctx, hh: str) -> bool:
    """A dot time with no day, zone or a.m. after it: no hour "0" ("by 0.25" is a decimal), "and"/"to" only after a
    dot time ("between 9.30 and 11.00"), nothing of quantities in the clause before or right after."""
    if hh == "0":
        return False
    before = ctx.before(m, 80)
    cut = _CLAUSE_START.search(before)
    clause = before[cut.end():] if cut else before
    first = _PAIR.search(clause)
    if first:
        if first.group(1).startswith("0."):
            return False
        clause = clause[: first.start()]
    elif re.search(r"\b(?:and|to)\s+$", clause, re.IGNORECASE):
        return False
    return not _QUANTITY.search(clause) and not _QUANTITY_AFTER.match(ctx.after(m, 24))


def _compact(m: re.Match[str], ctx: Ctx) -> str | None:
    """"2h30m" -> "two hours thirty minutes", "4m 28s" -> "four minutes twenty eight seconds", "9.58s" -> "nine point
    five eight seconds"; before a noun, as measures are: "a 2h30m flight" -> "a two hour thirty minute flight"."""
    parts = m.groupdict()
    return duration(parts.get("h"), parts.get("m"), parts.get("s"), adjectival=adjectival(m, ctx, False))


_H, _M, _S = r"(?:h|hrs?)", r"(?:m|mins?)", r"(?:s|secs?)"
_SECONDS = r"(?P<s>[0-5]?\d(?:\.\d+)?)\s?" + _S
_HHMM = r"(?<![\w.:,$£€#-])(?P<hm>(?:[01]\d|2[0-3])[0-5]\d)"

RULES = [
    # "0600 hours", "1430 hrs", "2359Z", "1430 GMT", "0600 local time": a 24-hour time without its colon
    Rule("military", "time", _HHMM + r"(?:(?P<z>Z)(?![\w])|\s?(?P<u>hours|hrs|hr)\b\.?|" + ZONE + r"|(?=\s+local\s+time\b))",
         _military),
    # "at 0930": a leading zero makes it a time after at/by/until…
    Rule("oh-military", "time", r"(?<![\w.:,$£€#-])(?P<hm>0\d[0-5]\d)(?![\w]|[.,]\d)", _oh_military),
    # compact durations: an h before the m, or an s after it, makes "m" minutes; "s" alone only after a decimal
    Rule("h-m-s", "time", LEFT + r"(?P<h>\d{1,3})\s?" + _H + r"\s?(?P<m>[0-5]?\d)\s?" + _M + r"(?:\s?" + _SECONDS + r")?(?![\w])",
         _compact),
    Rule("m-s", "time", LEFT + r"(?P<m>\d{1,3})\s?" + _M + r"\s?" + _SECONDS + r"(?![\w])", _compact),
    Rule("seconds", "time", LEFT + r"(?P<s>\d+\.\d+)\s?s(?![\w])", _compact),  # "sec"/"secs" are measures
    Rule("clock", "time", r"(?<![\w.:])(?<!\d,)(?P<h>\d{1,2}):(?P<mm>\d\d)(?::(?P<ss>\d\d))?(?:\.(?P<f>\d+))?(?![\d])(?:\s?"
         + AMPM + r")?" + TZ, _clock),
    Rule("hour", "time", r"(?<![\w.:])(?<!\d,)(?P<h>\d{1,2})(?:\.(?P<mm>\d\d))?\s?" + AMPM + TZ, _hour),
    # "at 9.15 on Tuesday", "by 9.15 tonight", "at 10.30 GMT": British dot times after at/by/from…, with a time after
    # "Polls close at 22.00.", "from 9.30 until 11.00": with nothing after them when the clause is not about prices
    Rule("dot-clock", "time", _AT_DOT_LEFT + r"(?P<h>[01]?\d|2[0-3])\.(?P<mm>[0-5]\d)(?![\d]|[.,]\d)(?:" + ZONE + "|"
         + _DOT_CONTEXT + "|" + _DOT_END + ")", _dot_clock),
]
