"""Roman numerals where they are numerals: after a keyword from ``data/roman_context.tsv``, a ruler's name, a person's
full name, or another capitalized name; and comet designations, whose capital letter is not one.

Examples: "World War II" -> "World War two"; "Apollo XI" -> "Apollo eleven"; "type II diabetes" -> "type two
diabetes"; "Pope John Paul II" -> "Pope John Paul the second"; "Henry VIII" -> "Henry the eighth"; "Thurston Howell
III" -> "Thurston Howell the third"; "Artemis II" / "Rocky IV" -> "Artemis two" / "Rocky four"; "the 1st XI" -> "the
first eleven"; "Comet C/2023 A3" -> "Comet C twenty twenty three A three".
Not numerals: a lone C or L ("Vitamin C", "Size L"); a lone X or I except after a keyword or a ruler ("Series X",
"The X Factor", "Malcolm X" is the lexicon's); "I" after an ordinary word; "MIX", "CIVIL"; C and L numerals after an
ordinary name ("Size XL", "Lexus LX").
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import cardinal, ordinal
from .rules import Ctx, Rule, rows, spell, words

_VALID = re.compile(r"^(?=[IVXLC])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_WORD = r"[A-Z][^\W\d_]*"
#: Words that are not names even when capitalized at a sentence start ("The XX", "In II").
_FUNCTION = frozenset("the a an and or but of in on at to for by with from as if when this that these those my our his her "
                      "their its your all no not so".split())
#: Generational suffixes after a person's full name go up to about VI ("Thurston Howell III").
_GENERATIONAL = 6


def value(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " ", strict=True):
        v = _VALUES[a]
        total += -v if b != " " and _VALUES[b] > v else v
    return total


@lru_cache(maxsize=1)
def _keywords() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("roman_context.tsv")}


def _regnal(name: str) -> bool:
    """A name monarchs or popes reigned under ("Henry", "Pius", "John Paul"); an all-caps one counts too."""
    names = words("regnal_names.txt")
    return name in names or (name.isupper() and len(name) > 1 and name.title() in names)


def _keyword(word: str) -> str | None:
    kw = _keywords()
    return kw.get(word) or (kw.get(word.capitalize()) if word.isupper() and len(word) > 2 else None)


def _ruler(before: str) -> bool:
    """Does ``before`` end in a ruler's name ("Henry ", "Pope John Paul ", "King Rama ", "Hans-Adam ")?"""
    m = re.search(rf"(?:({_WORD})([ \t]+|-))?({_WORD})[ \t]+$", before)
    if not m:
        return False
    if _regnal(m.group(3)) or (m.group(1) and _regnal(f"{m.group(1)}{'-' if m.group(2) == '-' else ' '}{m.group(3)}")):
        return True
    return _titled(before)


def _titled(before: str) -> bool:
    """A title within a few words before the name: "King Maha Vajiralongkorn ", "Emperor Haile Selassie "."""
    m = re.search(rf"((?:{_WORD}[ \t]+){{2,4}})$", before)
    return m is not None and any(_keywords().get(w.capitalize()) == "title" for w in m.group(1).split()[:-1])


def _generational(before: str) -> bool:
    """Does ``before`` end in a person's full name, two or more capitalized words or initials ("Thurston Howell ",
    "John D. Rockefeller ")? It counts as one when the surname is not among the common English words (a product's
    or film's last word usually is: "Final Fantasy", "Street Fighter", "Top Gun") or an earlier word is a ruler's
    given name, which covers common surnames ("John Smith", "Martin Luther King")."""
    m = re.search(rf"((?:(?:{_WORD}|[A-Z]\.)[ \t]+){{2,4}})$", before)
    if not m:
        return False
    names = [w for w in m.group(1).split() if w.lower() not in _FUNCTION]
    if len(names) < 2 or names[-1].endswith(".") or (names[-1].isupper() and len(names[-1]) > 1):
        return False
    from .acronym import common_words  # only here: the list takes a moment to load

    return names[-1].lower() not in common_words() or any(_regnal(w.rstrip(".")) for w in names[:-1])


def _roman(m: re.Match[str], ctx: Ctx) -> str | None:
    numeral = m.group("r")
    if not _VALID.match(numeral):
        return None
    n = value(numeral)
    suffix = "'s" if m.group("s") else ""
    after = ctx.after(m, 20)
    capital_next = re.match(r"[ \t]+[A-Z]", after) is not None
    nxt = re.match(r"[ \t]+([A-Z][a-z]+)", after)
    if nxt and _keywords().get(nxt.group(1)) == "ordinal-after" and re.search(r"\bthe\s+$", ctx.before(m, 6)):
        return ordinal(n)  # "the XXXIII Olympiad" -> "the thirty third Olympiad"
    before = ctx.before(m)
    if numeral in ("XI", "XV", "XIII") and re.search(r"(?<![\w.,])\d+(?:st|nd|rd|th)[ \t]+$", before):
        return cardinal(n, ctx.and_) + suffix  # "the 1st XI" -> "the first eleven" (a team)
    prev = re.search(r"([^\W\d_]+(?:['’]s)?)(\.?)[ \t]+$", before)  # "Liverpool's XI" too
    if not prev:
        return None
    word = prev.group(1)
    kw = _keyword(word)
    if prev.group(2):  # "Vol. II", "Ch. IV": only a keyword's abbreviation ("Mr. X" is a name, not the tenth)
        return cardinal(n, ctx.and_) + suffix if kw == "cardinal" else None
    if kw == "team":
        return cardinal(n, ctx.and_) + suffix if numeral in ("XI", "XV", "XIII") else None
    if kw == "cardinal":
        if word.islower() and (n < 2 or numeral == "X"):
            return None  # "at this stage I think", "type X": the pronoun and the letter
        if numeral == "X" and capital_next:
            return None  # "Part X Factor"
        return cardinal(n, ctx.and_) + suffix
    if not word[0].isupper():
        return None
    # a ruler: "Henry VIII", "Pope Pius X", "King Hussein I"; "I" after a bare name only where it cannot be the
    # pronoun ("Charles I of England", "Elizabeth I's", "the reign of Charles I.")
    if _ruler(before):
        if numeral != "I" or _titled(before) or suffix or re.match(r"[ \t]+of[ \t]|[.,;:)!?]|$", after):
            return f"the {ordinal(n)}{suffix}"
        return None
    if "L" in numeral or "C" in numeral or numeral in ("I", "X") or word.lower() in _FUNCTION:
        return None  # "Size XL", "Generation X", "Tom I", "The XX"
    if numeral == "V" and capital_next:
        return None  # "Roe V Wade"
    if word.isupper() and len(word) > 1:
        return None  # "OS X", "CIA IV"
    if n <= _GENERATIONAL and _generational(before):
        return f"the {ordinal(n)}{suffix}"  # "Thurston Howell III"
    return cardinal(n, ctx.and_) + suffix  # "Artemis II", "Saturn V", "Rocky IV": a sequel or a mark, not a reign


def _comet(m: re.Match[str], ctx: Ctx) -> str:
    return f"{spell(m.group('l'))} {ctx.sub(m.group('y'))} {ctx.sub(m.group('d'))}"


RULES = [
    # "C/2023 A3", "P/2019 LD2": a comet's kind, year of discovery and half-month letter, not a numeral and a fraction
    Rule("comet", "roman", r"(?<![\w/])(?P<l>[CPDXIA])/(?P<y>1[6-9]\d\d|20\d\d)[ \t](?P<d>[A-HJ-Y][A-Z]?\d{1,3})(?![\w/])", _comet),
    Rule("roman", "roman", r"(?<![\w'’-])(?P<r>[IVXLC]{2,}|[IVX])(?P<s>['’]s)?(?![\w'’-])", _roman),
]
