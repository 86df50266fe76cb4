"""Fractions: simple, mixed and single-character ones.

Examples: "1/2" -> "one half"; "2/3" -> "two thirds"; "3/4" -> "three quarters"; "4 1/2" -> "four and a half";
"2½" -> "two and a half"; "¾" -> "three quarters"; "2/3rds" -> "two thirds"; "31/32" -> "thirty one thirty seconds"; "9/11" -> "nine eleven"
(an uncommon denominator makes it a name, not a fraction).
"""

from __future__ import annotations

import re
import unicodedata

from .numbers import cardinal, number, ordinal
from .rules import Ctx, Rule

_VULGAR = "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒"


def denominator(den: int, plural: bool) -> str:
    """"half"/"halves", "quarter"/"quarters", otherwise the ordinal ("third", "eighths")."""
    if den == 2:
        return "halves" if plural else "half"
    if den == 4:
        return "quarters" if plural else "quarter"
    word = ordinal(den)
    return word + "s" if plural else word


def fraction(num: int, den: int, and_: bool = False, article: bool = False) -> str:
    """``num/den`` in words; ``article`` says "a half" for 1/2 (after a whole number)."""
    if num == 1:
        return ("a " if article else "one ") + denominator(den, False)
    return f"{cardinal(num, and_)} {denominator(den, True)}"


def vulgar(ch: str) -> tuple[int, int]:
    """The numerator and denominator of a single-character fraction such as "¾"."""
    num, _, den = unicodedata.normalize("NFKC", ch).partition("\u2044")
    return int(num), int(den)


def mixed(whole: str | None, num: int, den: int, and_: bool = False) -> str:
    """"4 1/2" -> "four and a half"; without a whole number just the fraction. A second number no fraction is written
    with is not a denominator: "140/90" -> "one hundred forty over ninety", "9/11" -> "nine eleven"."""
    if whole:
        return f"{cardinal(int(whole.replace(',', '')), and_)} and {fraction(num, den, and_, article=True)}"
    if den not in _DENOMINATORS:
        joint = " over " if num > den > 1 else " "
        return f"{cardinal(num, and_)}{joint}{cardinal(den, and_)}"
    return fraction(num, den, and_)


#: Patterns other classes reuse: "4 1/2", "2½", "1/2", "¾".
MIXED = r"(?:\d+(?:\s|\s?(?=[" + _VULGAR + r"])))?(?:[" + _VULGAR + r"]|\d+/\d+)"


def parse(text: str) -> tuple[str | None, int, int] | None:
    """Split a MIXED match into whole, numerator, denominator (None when the denominator is 0)."""
    text = re.sub(r"(?i)(?:st|nd|rd|th)s?$", "", text.strip())
    m = re.fullmatch(r"(?:(\d+)(?:\s+|(?=[" + _VULGAR + r"])))?(?:([" + _VULGAR + r"])|(\d+)/(\d+))", text)
    if not m:
        return None
    if m.group(2):
        num, den = vulgar(m.group(2))
    else:
        num, den = int(m.group(3)), int(m.group(4))
    if den == 0:
        return None
    return m.group(1), num, den


#: Denominators written as fractions in news copy; "9/11" or "24/7" are names, read number by number.
_DENOMINATORS = frozenset({2, 3, 4, 5, 6, 8, 10, 16, 32, 64, 100})


#: Odds: "at 5/1", "a 100/1 shot", "odds of 7/2".
_ODDS_BEFORE = re.compile(r"\b(?:odds(?: of)?|at|priced at|price of|quoted at|backed at|favou?rite at|from|to|out to|in to)\s+$", re.I)
_ODDS_AFTER = re.compile(r"\s+(?:odds|shot|outsider|chance|favou?rite|on|against)\b", re.I)
#: A cricket score or bowling figures, "89/3 after 20 overs", "figures of 4/23": runs (or wickets) "for" the other.
CRICKET = re.compile(r"\b(?:overs?|wickets?|stumps|innings|declared|all out|bowled|bowling|figures of|run rate|batting|Test|T20|ODI|"
                     r"at (?:lunch|tea))\b")


#: A rating: "scored 9/10", "gave it 4/5", "rated 4.8/5", "4/5 stars" -> "nine out of ten".
_RATED_BEFORE = re.compile(r"\b(?:rated|rates|rating(?: of)?|scored|scores|score of|gave it|gives it|given|awarded|got|earned|marks? of)\s+$", re.I)
_RATED_AFTER = re.compile(r"\s+(?:stars?|rating|on\s+(?:the\s+)?\w+|from\s+(?:critics|reviewers|users))\b", re.I)
#: An event named by its date: "the 26/11 attacks", "the 1/6 committee", "7/7" — said number by number.
_EVENT_AFTER = re.compile(r"\s+(?:attacks?|bombings?|committee|anniversary|victims|commission|inquiry|hearings?|riots?|truthers?)\b", re.I)


def _rating(m: re.Match[str], ctx: Ctx) -> str | None:
    """"rated 4.8/5" -> "four point eight out of five" (the out-of reading is the rule's; a fraction otherwise)."""
    if not (_RATED_BEFORE.search(ctx.before(m, 16)) or _RATED_AFTER.match(ctx.after(m, 24))):
        return None
    return f"{number(m.group('a'), ctx.and_)} out of {number(m.group('b'), ctx.and_)}"


def _fraction(m: re.Match[str], ctx: Ctx) -> str | None:
    parts = parse(m.group(0))
    if parts is None:
        return None
    whole, num, den = parts
    if "/" in m.group(0) and whole is None:
        if re.search(r"(?:\b[A-Z]-|\b(?:Case|case|No\.|App\.|Application)\s+)$", ctx.before(m, 14)):
            year_written = m.group(0).split("/")[-1]
            said_year = ("oh " + number(year_written[1:])) if len(year_written) == 2 and year_written[0] == "0" else number(year_written)
            return f"{number(str(num), ctx.and_)} of {said_year}"  # "Case C-311/18": a case's number and year ("T-201/04")
        if _EVENT_AFTER.match(ctx.after(m, 16)):
            return f"{cardinal(num, ctx.and_)} {cardinal(den, ctx.and_)}"  # "the 26/11 attacks"
        if CRICKET.search(ctx.sentence(m)) and (den <= 10 or num <= 10):
            return f"{cardinal(num, ctx.and_)} for {cardinal(den, ctx.and_)}"  # "89/3", "4/23"
        if num >= den and (_ODDS_BEFORE.search(ctx.before(m, 20)) or _ODDS_AFTER.match(ctx.after(m, 15))):
            return f"{cardinal(num, ctx.and_)} to {cardinal(den, ctx.and_)}"  # "5/1", "100/1 shot"
    return mixed(whole, num, den, and_=ctx.and_)


RULES = [
    Rule("rating", "fraction", r"(?<![\w./])(?P<a>\d{1,3}(?:\.\d)?)/(?P<b>5|10|100)(?![\w/]|[.,]\d)", _rating),
    Rule("fraction", "fraction", r"(?<![\w./])" + MIXED + r"(?:(?:st|nd|rd|th)s?|ST|ND|RD|TH)?(?![\w/]|[.,]\d)", _fraction),
]
