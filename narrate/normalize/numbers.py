"""Number words built on num2words: cardinals, digit strings, decimals, ordinals, years.

Examples: ``cardinal(123)`` -> "one hundred twenty three" (``and_=True``:
"one hundred and twenty three"; ``cardinal(123_123_000, and_=True)`` -> "one hundred twenty three million one hundred
twenty three thousand"); ``decimal("2.050")`` -> "two point zero five zero";
``ordinal(121)`` -> "one hundred twenty first"; ``year(1506)`` -> "fifteen oh six".
"""

from __future__ import annotations

import re
from functools import lru_cache

from num2words import num2words  # type: ignore[import-untyped]

_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: Above this many groups of three (quintillions) a number is read digit by digit.
_MAX_GROUPS = 7
#: An unpunctuated integer longer than this is an id or code, not a quantity.
_MAX_PLAIN_DIGITS = 15
#: From this many digits an unpunctuated integer may be a code (``NormalizeOptions.ungrouped_as_digits``): quantities
#: that long are written grouped ("16,000") in edited copy, while postcodes, case and serial numbers are not.
_CODE_DIGITS = 5
#: Indian digit grouping, lakh and crore: "1,50,000", "2,50,00,000" (two-digit groups, then the last three).
INDIAN = r"\d{1,2}(?:,\d\d)+,\d{3}"
_INDIAN = re.compile(INDIAN)


def _clean(words: str) -> str:
    """num2words style -> narration style: no hyphens, no commas, single spaces."""
    return re.sub(r"\s+", " ", words.replace("-", " ").replace(",", " ")).strip()


@lru_cache(maxsize=1024)
def _under_thousand(n: int) -> str:
    return _clean(num2words(n)).replace(" and ", " ")


@lru_cache(maxsize=16)
def _scale(k: int) -> str:
    return _clean(num2words(10 ** (3 * k))).split()[-1]


def digits(s: str) -> str:
    """Each digit of ``s`` as a word: "004" -> "zero zero four"."""
    return " ".join(_DIGITS[int(c)] for c in s if c.isdigit())


def cardinal(n: int, and_: bool = False) -> str:
    """``n`` in words; ``and_`` says it the British-broadcast way (NeMo's too): "and" only before the tens and units of
    the last thousand, "one hundred and twenty three", "eighteen thousand and eighty one", but "one hundred twenty
    three million one hundred twenty three thousand" and "one hundred twenty three million twelve"."""
    if n < 0:
        return "minus " + cardinal(-n, and_)
    if n == 0:
        return "zero"
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    if len(groups) > _MAX_GROUPS:
        return digits("".join(f"{g:03d}" for g in reversed(groups)).lstrip("0"))
    words: list[str] = []
    for k in range(len(groups) - 1, -1, -1):
        g = groups[k]
        if not g:
            continue
        part = _under_thousand(g)
        if and_ and k == 0 and g % 100:
            # "... thirty four thousand five hundred and fifty three", "eighteen thousand and eighty one"
            if g >= 100:
                part = part.replace("hundred ", "hundred and ", 1)
            elif len(groups) > 1 and groups[1]:
                part = "and " + part
        words.append(part if k == 0 else f"{part} {_scale(k)}")
    return " ".join(words)


def indian(n: int, and_: bool = False) -> str:
    """``n`` in lakh and crore, as Indian copy groups it: 150000 "one lakh fifty thousand", 25000000 "two crore fifty
    lakh"; a crore count of a hundred or more is said as a plain number ("one thousand crore")."""
    crore, rest = divmod(n, 10**7)
    lakh, rest = divmod(rest, 10**5)
    parts = []
    if crore:
        parts.append(f"{cardinal(crore)} crore")
    if lakh:
        parts.append(f"{cardinal(lakh)} lakh")
    if rest or not parts:
        tail = cardinal(rest, and_)
        if and_ and rest < 100 and parts:
            tail = "and " + tail
        parts.append(tail)
    return " ".join(parts)


def number(s: str, and_: bool = False) -> str:
    """A written number ("1,234", "-0.5", ".25", "004", Indian "1,50,000") in words."""
    grouped = "," in s
    if grouped and _INDIAN.match(s.lstrip("-+\u2212")):
        sign = "minus " if s[:1] in "-\u2212" else ""
        whole, _, frac = s.lstrip("-+\u2212").partition(".")
        if _INDIAN.fullmatch(whole):
            said = indian(int(whole.replace(",", "")), and_ and not frac)
            return sign + said + (f" point {digits(frac)}" if frac else "")
    s = s.replace(",", "").replace("\u2212", "-")
    sign = ""
    if s[:1] in "-+":
        sign = "minus " if s[0] == "-" else "plus "
        s = s[1:]
    whole, _, frac = s.partition(".")
    if "." in s:
        head = cardinal(int(whole), and_) if whole else ""
        return (sign + f"{head} point {digits(frac)}").replace("  ", " ").strip()
    # Leading zeros and long unpunctuated strings are codes, read digit by digit.
    if len(whole) > 1 and whole.startswith("0") or (not grouped and len(whole) > _MAX_PLAIN_DIGITS):
        return sign + digits(whole)
    return sign + cardinal(int(whole), and_)


def ungrouped(s: str) -> bool:
    """True when ``s`` is an integer long enough to be grouped but written without separators: "16000", not "16,000" or "1600"."""
    return len(s) >= _CODE_DIGITS and s.isdigit()


def is_one(s: str) -> bool:
    """True when the written number is exactly one (singular units)."""
    return s.replace(",", "").lstrip("+") in {"1"}


@lru_cache(maxsize=1024)
def ordinal(n: int) -> str:
    """``n`` as an ordinal word, never with "and": 121 -> "one hundred twenty first"."""
    return _clean(num2words(n, to="ordinal")).replace(" and ", " ")


@lru_cache(maxsize=1024)
def year(n: int) -> str:
    """``n`` read as a year: 1991 "nineteen ninety one", 2006 "two thousand six", 1900 "nineteen hundred"."""
    return _clean(num2words(n, to="year")).replace(" and ", " ")


def pluralize_last(words: str) -> str:
    """Decades: "nineteen eighty" -> "nineteen eighties", "two thousand" -> "two thousands"."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + ("es" if last.endswith("x") else "s")
    return f"{head} {last}".strip()


def ordinal_suffix_ok(n: int, suffix: str) -> bool:
    """True when ``suffix`` (st/nd/rd/th) is the right one for ``n``."""
    suffix = suffix.lower()
    if n % 100 in (11, 12, 13):
        return suffix == "th"
    return suffix == {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
