"""Telephone numbers and IP addresses: digit by digit, in their groups.

Examples: "555-123-4567" -> "five five five, one two three, four five six seven";
"+1 (202) 555-0143" -> "plus one, two zero two, five five five, zero one four three";
"+7 495 123-45-67" -> "plus seven, four nine five, one two three, four five, six seven";
"192.168.0.1" -> "one nine two dot one six eight dot zero dot one".
"""

from __future__ import annotations

import re

from .acronym import common_words
from .numbers import digits
from .rules import Ctx, Rule


def _phone(m: re.Match[str], ctx: Ctx) -> str | None:
    text = m.group(0)
    groups = re.findall(r"\d+|[A-Za-z]+", text)
    count = sum(len(g) for g in groups if g.isdigit())
    if count > 15 or (text[0] == "0" and not 9 <= count <= 11):  # E.164's longest; a national number's length
        return None
    spoken = [_group(g, i, groups) for i, g in enumerate(groups)]
    if text.startswith("+"):
        spoken[0] = "plus " + spoken[0]
    return ", ".join(spoken)


def _group(g: str, i: int, groups: list[str]) -> str:
    """One group of a number: digits one by one; a North American service code as it is said ("1-800" -> "one, eight
    hundred"); the letters of a vanity number as a word ("FLOWERS" -> "flowers") or, one or two, as letters."""
    if not g.isdigit():
        return g.lower() if len(g) > 1 and g.lower() in common_words() else " ".join(g.upper())
    nanp = groups[0] in ("1", "+1") or (i == 0 and len(groups) >= 3 and len(groups[1]) == 3)
    first = 1 if groups[0] == "1" and len(groups) > 1 else 0
    if nanp and i == first and re.fullmatch(r"[2-9]00", g):
        return f"{digits(g[0])} hundred"
    return digits(g)


def _ip(m: re.Match[str], ctx: Ctx) -> str | None:
    parts = m.group(0).split(".")
    if any(int(p) > 255 for p in parts):
        return None
    return " dot ".join(digits(p) for p in parts)


_SEP = r"[ .\-]"
def _after_any(words: list[str], marks: tuple[str, ...] = ("",)) -> str:
    """A regex that holds right after one of ``words`` (either capitalization, with one of ``marks``) and one space.

    A set of fixed-width lookbehinds: the rule's pattern then matches only where the context is, instead of
    matching every number and declining most (which walked each number through every later rule).
    """
    forms = {f"{w[0].upper()}{w[1:]}{mark}" for w in words for mark in marks} | {f"{w}{mark}" for w in words for mark in marks}
    return "(?:" + "|".join(rf"(?<=\b{re.escape(f)}\s)" for f in sorted(forms)) + ")"


_DIALLED = ["call", "calls", "called", "calling", "dial", "dials", "dialed", "dialled", "dialing", "dialling", "ring", "rings",
            "ringing", "text", "texts", "texted", "texting"]
_DIAL_BEFORE = _after_any(_DIALLED)
_DIAL_AFTER = r"(?=\s+(?:call|calls|caller|callers|operator|operators|dispatcher|dispatchers|emergency|line|lines|hotline)\b)"
_EXTENSION = r"(?:" + _after_any(["ext"], (".", "")) + r"|(?<=\b[Ee]xt\.)|" + _after_any(["extension"]) + ")"
_PHONE_WORD = _after_any(["phone", "tel", "telephone", "fax", "number", "hotline"], ("", ".", ":"))


def _short_number(m: re.Match[str], ctx: Ctx) -> str | None:
    """A dialled number is said digit by digit: "call 911", "a 999 call", "dial 112", "ext. 4021"."""
    return digits(m.group(0))


_ZIP_WORD = _after_any(["ZIP", "zip", "ZIP code", "Zip code", "zip code", "ZIP code is", "zip code is", "zipcode", "postal code"], ("", ":"))


def _local_number(m: re.Match[str], ctx: Ctx) -> str | None:
    """A seven-digit local number ("555-0100") once it is dialled or named a phone number; else a range's."""
    return ", ".join(digits(g) for g in m.group(0).split("-"))


_END = r"(?![\w/]|[.,:-]\d)"

RULES = [
    # first: a whole number in groups, before "call 020" takes its first group as a dialled short number
    # +CC then groups; (AAA) NNN-NNNN; NNN-NNN-NNNN[-N]; NNN-NN-NNNN — always three or more groups
    Rule(
        "telephone",
        "telephone",
        r"(?<![\w+\-.])(?:\+\d{1,3}(?:" + _SEP + r"?\(?\d{1,4}\)?){2,5}(?:-\d{2,4})*"
        r"|(?:\d" + _SEP + r"?)?\(\d{3}\)" + _SEP + r"?\d{3}" + _SEP + r"\d{4}"
        r"|(?:1-)?\d{3}-\d{3}-\d{4}(?:-\d{1,4})?|\d{3}\.\d{3}\.\d{4}|\d{3}-\d{2}-\d{4}"
        # a vanity number: "1-800-FLOWERS", "1-800-GO-U-HAUL", "1-888-4-SAFETY"
        r"|(?:1-)?[2-9]\d\d-(?=[\dA-Z-]*[A-Z]{3})[\dA-Z]{1,7}(?:-[\dA-Z]{1,7}){0,3}"
        # a national number in groups with a trunk 0: "0800 123 4567", "020 7946 0958", "01632 960 001"
        r"|0\d{2,4}(?: \d{3,6}){1,2})(?![\w]|[.,-]\d)",
        _phone,
    ),
    # each starts with a cheap look at the first character, so the lists of lookbehinds run only before a digit
    Rule("local-number", "telephone", r"(?=\d)(?:" + _DIAL_BEFORE + "|" + _PHONE_WORD + r")\d{3}-\d{4}" + _END, _local_number),
    # an extension of two to five digits; a three-digit number dialled, or before "call", "operator" …
    Rule("short-number", "telephone", r"(?=\d)(?:" + _EXTENSION + r"\d{2,5}" + _END + "|" + _DIAL_BEFORE + r"\d{3}" + _END
         + r"|(?<![\w.,$£€#/-])\d{3}" + _END + _DIAL_AFTER + ")", _short_number),
    # a ZIP code after its name: "ZIP code is 90210" -> "nine oh two one oh"... digit by digit
    Rule("zip", "telephone", r"(?=\d)" + _ZIP_WORD + r"\d{5}(?:-\d{4})?" + _END, lambda m, ctx: ", ".join(digits(g) for g in m.group(0).split("-"))),
    Rule("ip-address", "electronic", r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)", _ip),
]
