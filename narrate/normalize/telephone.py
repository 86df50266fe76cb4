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
_DIAL_BEFORE = re.compile(r"\b(?:[Cc]all(?:s|ed|ing)?|[Dd]ial(?:s|ed|led|ing|ling)?|[Rr]ing(?:s|ing)?|[Tt]ext(?:s|ed|ing)?)\s+$")
_DIAL_AFTER = re.compile(r"\s+(?:call|calls|caller|callers|operator|operators|dispatcher|dispatchers|emergency|line|lines|hotline)\b")


_EXTENSION = re.compile(r"\b(?:[Ee]xt\.?|[Ee]xtension)\s?$")


def _short_number(m: re.Match[str], ctx: Ctx) -> str | None:
    """A three-digit number that is dialled is said digit by digit: "call 911", "a 999 call", "dial 112"; so is an
    extension of two to five digits ("ext. 4021")."""
    before = ctx.before(m, 20)
    if _EXTENSION.search(before):
        return digits(m.group(0))
    if len(m.group(0)) == 3 and (_DIAL_BEFORE.search(before) or _DIAL_AFTER.match(ctx.after(m, 20))):
        return digits(m.group(0))
    return None


_PHONE_WORD = re.compile(r"\b(?:[Pp]hone|[Tt]el|[Tt]elephone|[Ff]ax|[Nn]umber|[Hh]otline)[.:]?\s+$")


def _local_number(m: re.Match[str], ctx: Ctx) -> str | None:
    """A seven-digit local number ("555-0100") once it is dialled or named a phone number; else a range's."""
    before = ctx.before(m, 24)
    if _DIAL_BEFORE.search(before) or _PHONE_WORD.search(before):
        return ", ".join(digits(g) for g in m.group(0).split("-"))
    return None


RULES = [
    Rule("local-number", "telephone", r"(?<![\w.,$£€#/+-])\d{3}-\d{4}(?![\w/]|[.,:-]\d)", _local_number),
    Rule("short-number", "telephone", r"(?<![\w.,$£€#/-])\d{2,5}(?![\w/]|[.,:-]\d)", _short_number),
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
