"""Times of day: clock times, a.m./p.m., time zones (``data/timezones.tsv``), durations written h:mm:ss.

Examples: "14:30" -> "fourteen thirty"; "5:45 pm" -> "five forty five p.m."; "10 a.m." -> "ten a.m.";
"9:05 am" -> "nine oh five a.m."; "01:00" -> "one o'clock"; "1:59 p.m. EST" -> "one fifty nine p.m. E S T";
"14:10:30" -> "fourteen hours ten minutes and thirty seconds".

a.m. and p.m. come out as "a.m."/"p.m.": the one spelling every engine reads as letter names
(espeak-ng reads "AM" as the word "am" and "A M" as "uh em").
"""

from __future__ import annotations

import re

from .numbers import cardinal, digits
from .rules import Ctx, Rule, rows, spell

AMPM = r"(?P<ap>[aApP])\.?\s?[mM](?![a-zA-Z])\.?"
#: A time zone after a time: "EST", "G.M.T." (TZ: optional).
ZONE = r"\s?(?P<tz>(?i:" + "|".join("\\.?".join(z[0]) for z in rows("timezones.tsv")) + r")\.?)(?![\w])"
TZ = r"(?:" + ZONE + r")?"


def _minutes(mm: int) -> str:
    return "oh " + digits(str(mm)) if mm < 10 else cardinal(mm)


def clock(h: int, mm: int, ap: str | None, and_: bool = False) -> str:
    if ap:
        return cardinal(h) + ("" if mm == 0 else " " + _minutes(mm)) + f" {ap}"
    return cardinal(h) + (" o'clock" if mm == 0 else " " + _minutes(mm))


def _suffix(m: re.Match[str]) -> tuple[str | None, str]:
    ap = m.group("ap")
    ap_words = ("a.m." if ap.lower() == "a" else "p.m.") if ap else None
    tz = m.group("tz")
    return ap_words, (" " + spell(tz.replace(".", "")) if tz else "")


def _clock(m: re.Match[str], ctx: Ctx) -> str | None:
    h, mm = int(m.group("h")), int(m.group("mm"))
    ap, tz = _suffix(m)
    if m.group("ss") is not None:
        s = int(m.group("ss"))
        if h > 99 or mm > 59 or s > 59:
            return None
        parts = [f"{cardinal(h)} hour{'s' if h != 1 else ''}", f"{cardinal(mm)} minute{'s' if mm != 1 else ''}", f"{cardinal(s)} second{'s' if s != 1 else ''}"]
        return f"{parts[0]} {parts[1]} and {parts[2]}" + (f" {ap}" if ap else "") + tz
    if h > 23 or mm > 59 or (ap and not 1 <= h <= 12):
        return None
    return clock(h, mm, ap) + tz


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


_AT = re.compile(r"\b(?:[Aa]t|[Bb]y|[Uu]ntil|[Tt]ill|[Ff]rom|[Bb]efore|[Aa]fter|[Aa]round|[Ss]ince|[Bb]etween|[Aa]nd|[Tt]o)\s+$")


def _military(m: re.Match[str], ctx: Ctx) -> str | None:
    written, h, mm = m.group("hm"), int(m.group("hm")[:2]), int(m.group("hm")[2:])
    if m.group("u") and not written.startswith("0") and mm == 0 and not _AT.search(ctx.before(m, 12)):
        return None  # "1500 hours of footage" is a count; "at 1500 hours", "0600 hours" are times
    said = military(h, mm)
    if m.group("z"):
        return said + " Zulu"
    if m.group("u"):
        return said + " hours"
    return said + (" " + spell(m.group("tz").replace(".", "")) if m.group("tz") else "")


_HHMM = r"(?<![\w.:,$£€#-])(?P<hm>(?:[01]\d|2[0-3])[0-5]\d)"

RULES = [
    # "0600 hours", "1430 hrs", "2359Z", "1430 GMT", "0600 local time": a 24-hour time without its colon
    Rule("military", "time", _HHMM + r"(?:(?P<z>Z)(?![\w])|\s?(?P<u>hours|hrs|hr)\b\.?|" + ZONE + r"|(?=\s+local\s+time\b))",
         _military),
    Rule("clock", "time", r"(?<![\w.:])(?<!\d,)(?P<h>\d{1,2}):(?P<mm>\d\d)(?::(?P<ss>\d\d))?(?![\d])(?:\s?" + AMPM + r")?" + TZ, _clock),
    Rule("hour", "time", r"(?<![\w.:])(?<!\d,)(?P<h>\d{1,2})(?:\.(?P<mm>\d\d))?\s?" + AMPM + TZ, _hour),
]
