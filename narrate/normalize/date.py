"""Dates: month names (``data/months.tsv``) with days and years, and numeric dates.

Examples: "March 3, 2017" -> "March third, twenty seventeen"; "3 March 2017" -> "the third of March twenty
seventeen"; "Oct. 12" -> "October twelfth"; "June 29" -> "June twenty ninth"; "2006-08-05" -> "August fifth two
thousand six"; "12.03.2024" (dots: day first) -> "the twelfth of March twenty twenty four"; "10/06/2005" ->
"October sixth two thousand five"; "on the 26th May" -> "on the twenty sixth of May"; "March 1-3" -> "March first
to third"; "1–3 March" -> "the first to the third of March"; "Mar. 2017" -> "March twenty seventeen"; "2017/18" ->
"twenty seventeen to eighteen"; "Mon 3/3" -> "Monday March third"; "Q3 revenue" -> "third quarter revenue".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import cardinal, digits, ordinal, year
from .abbreviation import ends_sentence
from .rules import Ctx, Rule, alternation, rows


@lru_cache(maxsize=1)
def months() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("months.tsv")}


MONTH = r"(?P<m>" + alternation(list(months()), frozenset(months())) + r")(?:\.|(?![\w]))"
DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|ST|ND|RD|TH)?(?![\w:]|[.,]\d)"
YEAR = r"(?P<y>\d{4}|['’]\d\d)(?![\w]|[.,]\d)"


def year_words(y: str) -> str:
    """"2017" -> "twenty seventeen", "'05"/"05" -> "oh five", "98" -> "ninety eight"."""
    if y[0] in "'’":
        return "oh " + digits(y[2]) if y[1] == "0" else cardinal(int(y[1:]))
    if len(y) == 2:
        return "oh " + digits(y[1]) if y[0] == "0" else cardinal(int(y))
    return year(int(y))


def month_day(month: str, day: int, y: str | None, comma: bool = False) -> str:
    """US order: "March third, twenty seventeen"."""
    out = f"{month} {ordinal(day)}"
    return out + ("," if comma else "") + (f" {year_words(y)}" if y else "")


def day_month(month: str, day: int, y: str | None, the: bool = True) -> str:
    """Day-first order: "the third of March twenty seventeen"."""
    out = ("the " if the else "") + f"{ordinal(day)} of {month}"
    return out + (f" {year_words(y)}" if y else "")


def _name(m: re.Match[str]) -> str:
    return months()[m.group("m").lower()]


def _month_first(m: re.Match[str], ctx: Ctx) -> str | None:
    day = int(m.group("d"))
    if not 1 <= day <= 31:
        return None
    return month_day(_name(m), day, m.group("y"), comma=bool(m.group("comma")))


def _day_first(m: re.Match[str], ctx: Ctx) -> str | None:
    day = int(m.group("d"))
    if not 1 <= day <= 31:
        return None
    the = not re.search(r"\bthe\s+$", ctx.before(m), re.I)
    return day_month(_name(m), day, m.group("y"), the=the)


def _numeric(m: re.Match[str], ctx: Ctx) -> str | None:
    """Year first (ISO), or day/month first. With slashes or dashes (the American way) the day comes first only when
    it cannot be a month: "10/06/2005" -> "October sixth"; with dots (the European and British way) it comes first
    unless the second number cannot be a month: "12.03.2024" -> "the twelfth of March", "12.31.2024" -> "December
    thirty first"."""
    g = m.groupdict()
    seps = set(re.findall(r"[-/.]", m.group(0)))
    if g.get("iy"):
        y, a, b = g["iy"], int(g["ia"]), int(g["ib"])
        mon, day = (a, b) if a <= 12 else (b, a)
        first = False
    else:
        y, a, b = g["y2"], int(g["a"]), int(g["b"])
        first = a > 12 or (seps == {"."} and b <= 12)
        mon, day = (b, a) if first else (a, b)
    if not (1 <= mon <= 12 and 1 <= day <= 31) or len(seps) > 1:
        return None  # "9.5-10%" is a range of numbers, not a date: a date keeps one separator
    name = NAMES_BY_NUMBER[mon - 1]
    if first:
        return day_month(name, day, y, the=not re.search(r"\bthe\s+$", ctx.before(m, 8), re.I))
    return month_day(name, day, y)


_DETERMINERS = (r"the|a|an|its|their|his|her|our|your|my|this|these|those|last|next|each|every|any|same|fiscal|financial|"
                r"calendar|current|previous|prior|final|latest|recent|upcoming|coming|whole|entire|full|weak|strong|"
                r"record|solid|disappointing|tough|difficult|busy|quiet")
#: Before a quarter, a word that takes the place of "the": a determiner or possessive, maybe with an adjective between
#: ("its Q3", "the firm's Q1", "Apple’s Q4", "fiscal Q2", "a strong Q3").
_NO_THE = re.compile(r"(?:\b(?:" + _DETERMINERS + r")|\w['’]s?|\bs['’])\s+$|\b(?:the|a|an|its|their|his|her|our|your|my)\s+"
                     r"(?!(?:in|on|at|for|of|to|from|by|with|during|over|since|until|through|into|and|or|than)\s)"
                     r"[a-z]+(?:-[a-z]+)*\s+$", re.I)
#: Before a quarter, a word that makes it the object, not a modifier: "in Q4 revenue rose" keeps "the".
_PREPOSITION = re.compile(r"\b(?:in|on|at|for|of|to|from|by|with|during|over|since|until|till|through|into|between|within|"
                          r"across|throughout|after|before|than|versus|vs|via|per|like|as|and|or)\.?\s+$", re.I)
#: After a quarter, words that are not the noun it modifies ("Q3 was strong", "Q3 last year", "Q3 and Q4").
_NOT_NOUN = frozenset((
    "is was were are be been being will would could should may might can has had have saw sees see showed shows rose "
    "fell grew came comes brought brings marked marks proved looks remains alone also and or but nor to of in on at "
    "for from by with than compared versus vs when while after before since until as if that which who where this "
    "last next a an the its their his her our year ago earlier later so through into over under both each "
    "respectively too only").split())
#: "-ed" words that modify the noun after a quarter: "Q3 adjusted earnings".
_MODIFIERS = frozenset("adjusted reported consolidated combined unaudited audited diluted expected estimated projected "
                       "annualized annualised".split())


def _attributive(m: re.Match[str], ctx: Ctx) -> bool:
    """A quarter before the noun it modifies ("Q3 revenue", "Q1 2024 results", "Q3 GDP"), not after a preposition."""
    w = ctx.word_after(m)
    if not re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)*", w) or w.lower() in _NOT_NOUN or _PREPOSITION.search(ctx.before(m, 16)):
        return False
    return not (w.lower().endswith("ed") and w.lower() not in _MODIFIERS)


def _period(m: re.Match[str], ctx: Ctx) -> str | None:
    """Quarters and halves of a year: "Q2 2022", "2Q22", "H1 2023" -> "the first half of twenty twenty three"; no
    "the" after a determiner or possessive ("the firm's Q1" -> "the firm's first quarter"), and before the noun it
    modifies, the year after the quarter: "Q1 2024 results" -> "first quarter twenty twenty four results"."""
    kind = (m.group("k") or m.group("k2")).upper()
    n = int(m.group("n") or m.group("n2"))
    if kind == "H" and n > 2:
        return None
    attributive = _attributive(m, ctx)
    the = "" if attributive or _NO_THE.search(ctx.before(m, 32)) else "the "
    out = f"{the}{ordinal(n)} {'quarter' if kind == 'Q' else 'half'}"
    y = m.group("y") or m.group("y2")
    return out + ((" " if attributive else " of ") + _period_year(y) if y else "")


def _period_year(y: str) -> str:
    """A quarter's year; two digits are a year of this century or the last: "3Q24" -> "twenty twenty four"."""
    digits = y.lstrip("'’")
    if len(digits) == 2:
        return year((2000 if int(digits) < 70 else 1900) + int(digits))
    return year_words(y)


def _periods(m: re.Match[str], ctx: Ctx) -> str | None:
    """"Q1-Q3" -> "the first to the third quarter"."""
    kind, a, b = m.group("k").upper(), int(m.group("n")), int(m.group("n2"))
    if len(set(re.findall("[QH]", m.group(0)))) > 1 or (kind == "H" and max(a, b) > 2) or b <= a:
        return None
    the = "" if _NO_THE.search(ctx.before(m, 32)) else "the "
    return f"{the}{ordinal(a)} to the {ordinal(b)} {'quarter' if kind == 'Q' else 'half'}"


_JOIN = r"(?P<j>\s?[-–—]\s?|\s(?:to|and|through|until|till|or)\s)"


def _joined(m: re.Match[str], ctx: Ctx) -> str:
    """The word between two days: a dash is "to", or "and" after "between" ("between March 1-3")."""
    j = m.group("j").strip()
    if j not in "-–—":
        return j
    return "and" if re.search(r"\b[Bb]etween\s+(?:the\s+)?$", ctx.before(m, 20)) else "to"


def _month_days(m: re.Match[str], ctx: Ctx) -> str | None:
    """"March 1-3, 2017" -> "March first to third, twenty seventeen"; "between March 1 and 3"."""
    a, b = int(m.group("d")), int(m.group("d2"))
    if not (1 <= a <= 31 and 1 <= b <= 31) or (m.group("j").strip() in "-–—" and b <= a):
        return None
    out = f"{_name(m)} {ordinal(a)} {_joined(m, ctx)} {ordinal(b)}"
    return out + ("," if m.group("comma") else "") + (f" {year_words(m.group('y'))}" if m.group("y") else "")


def _days_month(m: re.Match[str], ctx: Ctx) -> str | None:
    """"1-3 March 2017" -> "the first to the third of March twenty seventeen"; "from 1 to 3 March"."""
    a, b = int(m.group("d")), int(m.group("d2"))
    if not (1 <= a <= 31 and 1 <= b <= 31) or (m.group("j").strip() in "-–—" and b <= a):
        return None
    the = "" if re.search(r"\bthe\s+$", ctx.before(m), re.I) else "the "
    out = f"{the}{ordinal(a)} {_joined(m, ctx)} the {ordinal(b)} of {_name(m)}"
    return out + (f" {year_words(m.group('y'))}" if m.group("y") else "")


def _month_year(m: re.Match[str], ctx: Ctx) -> str | None:
    """"Mar. 2017" -> "March twenty seventeen" (a capitalized month: "may 2000 troops" is not a date)."""
    if not m.group("m")[0].isupper():
        return None
    return f"{_name(m)} {_period_year(m.group('y'))}"  # "Dec. '23" -> "December twenty twenty three"


def _year_pair(m: re.Match[str], ctx: Ctx) -> str | None:
    """A season or fiscal year: "2017/18" -> "twenty seventeen to eighteen", "2019/2020"."""
    a, b = m.group("a"), m.group("b")
    if int(b[-2:]) != (int(a) + 1) % 100:
        return None
    return f"{year(int(a))} to {year_words(b)}"


@lru_cache(maxsize=1)
def weekdays() -> dict[str, str]:
    """Weekday names and their abbreviations (with and without the period) -> the name."""
    from .abbreviation import table

    names = {w: w for w in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
    return names | {k.rstrip("."): v for k, (v, kind) in table().items() if kind == "day"}


def _weekday_date(m: re.Match[str], ctx: Ctx) -> str | None:
    """"Mon 3/3", "Tuesday, 10/6": after a weekday, a month and day (US order; day first when it cannot be a month)."""
    a, b = int(m.group("a")), int(m.group("b"))
    mon, day = (b, a) if a > 12 else (a, b)
    if not (1 <= mon <= 12 and 1 <= day <= 31):
        return None
    said = month_day(NAMES_BY_NUMBER[mon - 1], day, None) if a <= 12 else day_month(NAMES_BY_NUMBER[mon - 1], day, None)
    return f"{weekdays()[m.group('w')]}{m.group('c') or ''} {said}"


NAMES_BY_NUMBER = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

_DAY2 = DAY.replace("?P<d>", "?P<d2>")

#: Month abbreviations as written in capitals ("May" is a word and needs no reading).
_MON_ABBR = ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]
_DAY_ABBR = ["Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun"]
_SPAN = r"(?P<j>\s?[-–]\s?|\s(?:to|through|until|till|and|or)\s)"


def _name_of(abbr: str) -> str:
    key = abbr.rstrip(".")
    return months().get(key.lower()) or weekdays()[key]


def _abbr_span(m: re.Match[str], ctx: Ctx) -> str | None:
    """"Jan-Mar" -> "January to March"; "Mon to Thu" -> "Monday to Thursday"; "Sept. to Dec." (either kind)."""
    a, b = m.group("a"), m.group("b")
    if (a.rstrip(".") in _DAY_ABBR) != (b.rstrip(".") in _DAY_ABBR):
        return None  # "Mar-Sun"? not a span of one kind
    j = m.group("j").strip()
    out = f"{_name_of(a)} {'to' if j in '-–' else j} {_name_of(b)}"
    return out + ("." if b.endswith(".") and ends_sentence(ctx, m.end(), False) else "")


def _abbr_alone(m: re.Match[str], ctx: Ctx) -> str | None:
    """A dotted month abbreviation anywhere ("since Jan."), a weekday's after a word that names a day ("on Thurs.")."""
    a = m.group("a")
    if a.rstrip(".") in _DAY_ABBR and not re.search(r"\b(?:on|by|until|till|from|next|last|this|every|each|through|before|after)\s+$", ctx.before(m, 12), re.I):
        return None  # "The Sun." is a newspaper
    return _name_of(a) + ("." if ends_sentence(ctx, m.end(), False) else "")


_ABBR = r"(?:" + alternation(_MON_ABBR + _DAY_ABBR) + r")"

RULES = [
    Rule("month-span", "date", r"(?<![\w.])(?P<a>" + _ABBR + r"\.?)" + _SPAN + r"(?P<b>" + _ABBR + r"\.?)(?![\w])", _abbr_span),
    Rule("month-days", "date", r"(?<![\w])" + MONTH + r"[ \t]" + DAY + _JOIN + _DAY2 + r"(?:(?P<comma>,)?[ \t]" + YEAR + r")?", _month_days),
    Rule("days-month", "date", r"(?<![\w.])(?<!\d,)" + DAY + _JOIN + _DAY2 + r"[ \t]+(?:of\s+)?" + MONTH + r"(?:,?[ \t]" + YEAR + r")?",
         _days_month),
    Rule("weekday-date", "date", r"(?<![\w])(?P<w>" + alternation(list(weekdays())) + r")\.?(?P<c>,)?\s+(?P<a>\d{1,2})/(?P<b>\d{1,2})"
         r"(?![\w/]|[.,]\d)", _weekday_date),
    Rule("month-year", "date", r"(?<![\w])" + MONTH + r",?[ \t]+(?P<y>\d{4}|['’]\d\d)(?![\w]|[.,]\d)", _month_year),
    Rule("year-pair", "date", r"(?<![\w./-])(?P<a>(?:1[6-9]|20)\d\d)/(?P<b>\d\d|(?:1[6-9]|20)\d\d)(?![\w/]|[.,]\d)", _year_pair),
    Rule("month-day", "date", r"(?<![\w])" + MONTH + r"[ \t\-]?" + DAY + r"(?:(?P<comma>,)?[ \t\-]" + YEAR + r")?", _month_first),
    Rule("day-month", "date", r"(?<![\w.])(?<!\d,)" + DAY + r"[ \t\-]+(?:of\s+)?" + MONTH + r"(?:,?[ \t\-]" + YEAR + r")?", _day_first),
    # "Q1-Q3", "H1–H2": one span of quarters or halves
    Rule("quarters", "date", r"(?<![\w])(?P<k>[QH])(?P<n>[1-4])\s?[-–]\s?[QH](?P<n2>[1-4])(?![\w])", _periods),
    # "Q2 2022", "Q3'24", "2Q22", "1H24"; a year glued to "Q3"/"H1" only with an apostrophe ("H100" is a chip)
    Rule("quarter", "date", r"(?<![\w])(?:(?P<k>[QH])(?P<n>[1-4])(?:(?:[ \t]|(?=['’]))(?P<y>\d{4}|['’]?\d\d))?"
         r"|(?P<n2>[1-4])(?P<k2>[QH])(?:[ \t]?(?P<y2>\d{4}|['’]?\d\d))?)(?![\w])", _period),
    Rule("iso-date", "date", r"(?<![\w./-])(?<!\d,)(?P<iy>\d{4})[-/.](?P<ia>\d{1,2})[-/.](?P<ib>\d{1,2})(?![\w/]|[.,]\d)", _numeric),
    Rule("numeric-date", "date", r"(?<![\w./-])(?<!\d,)(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y2>\d{4}|\d{2})(?![\w/]|[.,]\d)", _numeric),
    # after the dated forms above, so "Jan. 5" stays theirs
    Rule("month-abbreviation", "date", r"(?<![\w.])(?P<a>" + _ABBR + r"\.)(?!\w|\s?\d|\s?['’]\d)", _abbr_alone),
]
