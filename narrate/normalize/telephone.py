"""Telephone numbers and IP addresses: digit by digit, in their groups.

Examples: "555-123-4567" -> "five five five, one two three, four five six seven";
"+1 (202) 555-0143" -> "plus one, two zero two, five five five, zero one four three";
"+7 495 123-45-67" -> "plus seven, four nine five, one two three, four five, six seven";
"192.168.0.1" -> "one nine two dot one six eight dot zero dot one".
"""

from __future__ import annotations

import re

from .numbers import digits
from .rules import Ctx, Rule


def _phone(m: re.Match[str], ctx: Ctx) -> str | None:
    text = m.group(0)
    groups = re.findall(r"\d+", text)
    spoken = [digits(g) for g in groups]
    if text.startswith("+"):
        spoken[0] = "plus " + spoken[0]
    return ", ".join(spoken)


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


def _local_number(m: re.Match[str], ctx: Ctx) -> str | None:
    """A seven-digit local number ("555-0100") once it is dialled or named a phone number; else a range's."""
    return ", ".join(digits(g) for g in m.group(0).split("-"))


_END = r"(?![\w/]|[.,:-]\d)"

RULES = [
    Rule("local-number", "telephone", r"(?:" + _DIAL_BEFORE + "|" + _PHONE_WORD + r")\d{3}-\d{4}" + _END, _local_number),
    # an extension of two to five digits; a three-digit number dialled, or before "call", "operator" …
    Rule("short-number", "telephone", _EXTENSION + r"\d{2,5}" + _END + "|" + _DIAL_BEFORE + r"\d{3}" + _END
         + r"|(?<![\w.,$£€#/-])\d{3}" + _END + _DIAL_AFTER, _short_number),
    Rule("ip-address", "electronic", r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)", _ip),
    # +CC then groups; (AAA) NNN-NNNN; NNN-NNN-NNNN[-N]; NNN-NN-NNNN — always three or more groups
    Rule(
        "telephone",
        "telephone",
        r"(?<![\w+\-.])(?:\+\d{1,3}(?:" + _SEP + r"?\(?\d{1,4}\)?){2,5}(?:-\d{2,4})*"
        r"|(?:\d" + _SEP + r"?)?\(\d{3}\)" + _SEP + r"?\d{3}" + _SEP + r"\d{4}"
        r"|(?:1-)?\d{3}-\d{3}-\d{4}(?:-\d{1,4})?|\d{3}\.\d{3}\.\d{4}|\d{3}-\d{2}-\d{4})(?![\w]|[.,-]\d)",
        _phone,
    ),
]
