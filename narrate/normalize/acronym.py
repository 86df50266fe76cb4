"""Acronyms: lexicon entries (spell, say, expand), plurals and possessives, unknown all-caps tokens, "(ISF)" after its expansion.

Examples: "ISF" -> "I S F"; "NATO" -> "Nato"; "SVBIEDs" -> "S V B I E D's"; "ISF's" -> "I S F's"; "UAV" -> "U A-V";
"U.S." -> "U S"; unknown "YPGX" -> "Y P G X" (cannot be read as a word), "ZANU" -> "Zanu" (can);
"Iraqi security forces (ISF) have" -> "Iraqi security forces have" unless read_repeated_acronyms;
with expand_acronyms, "SVBIED" -> "suicide vehicle-borne improvised explosive device".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ..lexicon import Entry, Lexicon
from ..models import SpokenPart
from .abbreviation import ends_sentence
from .rules import Ctx, Result, Rule, spell

SUFFIX = r"(?P<s>s['’]|s|['’]s|['’])?"
_STOP = {"of", "the", "and", "for", "in", "on", "to", "de", "du", "des", "la", "le", "al", "el", "a", "an", "&"}
_ONSETS = set(
    "b bl br c ch cl cr d dr f fl fr g gl gr h j k kl kr kn l m n p ph pl pr qu r s sc sch scr sh sk sl sm sn sp spl spr "
    "st str sw t th tr tw v w wh wr y z".split()
)
_VOWELS = "AEIOU"
#: The two-consonant endings an English word can have ("NATO" has none, "ZANU" none; "LAPD" ends in "pd": spelled).
_CODAS = frozenset("st nd nt ng nk mp ld lt lk lf lm lp rd rt rk rm rn rl rp rb rg rf rs rc rch sk sp ck ch sh th ts ds ks ps ms ns ls "
                   "ll ss ff ct ft pt xt wn wl ws ys gh ph cs".split())


def readable(token: str) -> bool:
    """Can an all-caps token be said as a word? (NATO, OPEC yes; IRGC, YPG, SDF, PMU no.)"""
    w = token.lower()
    if len(w) < 4 or not re.search("[aeiou]", w):
        return False
    onset = re.findall(r"^[^aeiou]*", w)[0]
    if onset and onset not in _ONSETS:
        return False
    if re.search(r"[^aeiouy]{4,}", w) or re.search(r"[aeiou]{3,}", w):
        return False
    coda = re.findall(r"[^aeiou]*$", w)[0]
    return len(coda) < 2 or coda in _CODAS


#: How many of the most frequent English words count as words when written in capitals.
COMMON_WORDS = 30000


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The most frequent English words (pyspellchecker's frequency list, which leaves acronyms out: no "fbi",
    "nato", "isf"), to tell a word written in capitals for emphasis ("NOT", "WAR") from an acronym.

    Loaded only when an all-caps token that is not in a lexicon and cannot be read as a word turns up: its list
    read straight from the package (0.13 s here; through SpellChecker, 0.53 s).
    """
    freq = _word_frequencies()
    if len(freq) <= COMMON_WORDS:
        return frozenset(freq)
    cut = sorted(freq.values(), reverse=True)[COMMON_WORDS - 1]
    return frozenset(w for w, n in freq.items() if n >= cut)


def _word_frequencies() -> dict[str, int]:
    import gzip
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("spellchecker")
    if spec is None or not spec.origin:  # pragma: no cover - a dependency; without it, capitals are spelled as before
        return {}
    try:
        with gzip.open(Path(spec.origin).parent / "resources" / "en.json.gz", "rb") as f:
            data = json.loads(f.read())
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):  # pragma: no cover - another layout: ask the library
        pass
    from spellchecker import SpellChecker

    return dict(SpellChecker(distance=1).word_frequency.dictionary)


def say_unknown(token: str, suffix: str, shouted: bool = False) -> str:
    """An all-caps token with no lexicon entry: a word when it reads as one or is a common English word of three
    or more letters ("MAX", "WAR"; any length within ``shouted`` text, a headline in capitals), else its letters."""
    if readable(token) or ((len(token) >= 3 or shouted) and token.lower() in common_words()):
        return token.capitalize() + _word_suffix(suffix)
    return spell(token, suffix)


_CAPS_WORD = re.compile(r"[A-Z]+(?:['’][A-Z]+)?")


def shouted(text: str, start: int, end: int) -> bool:
    """Is text[start:end] within a run of three or more words in capitals ("FIRE AT THE PORT KILLS 12")?"""
    left = re.findall(r"[^\s]+", text[max(0, start - 80) : start])
    right = re.findall(r"[^\s]+", text[end : end + 80])
    run = 1
    for w in reversed(left):
        if not _CAPS_WORD.fullmatch(w.strip(_EDGE)):
            break
        run += 1
    for w in right:
        if not _CAPS_WORD.fullmatch(w.strip(_EDGE)):
            break
        run += 1
    return run >= 3


_EDGE = ".,;:!?\"'’“”()[]-—–"


def _word_suffix(suffix: str | None) -> str:
    if not suffix:
        return ""
    return "s" if suffix == "s" else "'s" if suffix[-1] == "s" else "s'"


def speak_entry(entry: Entry, written: str, suffix: str | None, expand: bool) -> Result:
    """How a lexicon entry is spoken, with a plural or possessive suffix."""
    if expand and entry.expand:
        if suffix and suffix != "s" and entry.expand.endswith("s"):
            return entry.expand + "'"  # "ISF's" -> "Iraqi security forces'"
        return entry.expand + _word_suffix(suffix)
    if entry.spell:
        return spell(written, suffix or "")
    text = entry.say if entry.say is not None else written
    if entry.phonemes and not suffix:
        return SpokenPart(text, entry.phonemes)
    return text + _word_suffix(suffix)


def initials_match(acronym: str, preceding: str) -> bool:
    """Do the words just before spell out ``acronym``? ("Iraqi security forces" ~ ISF, "vehicle-borne" gives V and B.)"""
    letters = [c for c in acronym if c.isupper()]
    words = re.findall(r"[^\W\d_]+", preceding[-200:])
    i, j = len(letters) - 1, len(words) - 1
    while i >= 0 and j >= 0:
        w = words[j]
        if w[0].upper() == letters[i]:
            i -= 1
        elif w.lower() not in _STOP:
            return False
        j -= 1
    return i < 0


class Index:
    """Lookups into one lexicon: exact for case-sensitive terms, casefolded for the others."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.exact = {e.written: e for e in lexicon.entries if e.case_sensitive}
        self.folded = {e.written.casefold(): e for e in lexicon.entries if not e.case_sensitive}

    def find(self, written: str) -> Entry | None:
        return self.exact.get(written) or self.folded.get(written.casefold())


def lexicon_rules(lexicon: Lexicon) -> list[Rule]:
    """The lexicon's own rule (first in the priority list) plus the acronym rules that consult it."""
    rules: list[Rule] = []
    index = Index(lexicon)
    cs = [re.escape(e.written) for e in lexicon.entries if e.case_sensitive]
    ci = [re.escape(e.written) for e in lexicon.entries if not e.case_sensitive]
    alts = sorted(cs, key=len, reverse=True) + ([f"(?i:{'|'.join(sorted(ci, key=len, reverse=True))})"] if ci else [])
    if alts:

        def _lex(m: re.Match[str], ctx: Ctx) -> Result:
            entry = index.find(m.group("t"))
            if entry is None:
                return None
            return speak_entry(entry, m.group("t"), m.group("s"), ctx.options.expand_acronyms)

        rules.append(Rule("lexicon", "lexicon", r"(?<![\w'’])(?P<t>" + "|".join(alts) + r")" + SUFFIX + r"(?![\w$€£])", _lex))
    rules.append(Rule("parenthetical", "acronym", r"\s?\((?P<a>[A-Z][A-Za-z]*[A-Z])(?:s)?\)", _parenthetical(index)))
    return rules


def _parenthetical(index: Index) -> Callable[[re.Match[str], Ctx], Result]:
    def verbalize(m: re.Match[str], ctx: Ctx) -> Result:
        if ctx.options.read_repeated_acronyms:
            return None
        acronym = m.group("a")
        before = ctx.before(m, 200)
        entry = index.find(acronym)
        if entry and entry.expand and before.rstrip().lower().endswith(entry.expand.lower()):
            return ""
        return "" if initials_match(acronym, before) else None

    return verbalize


#: A wire story's dateline: a place in capitals at the start, maybe a region, maybe the agency, then a dash:
#: "KYIV, Ukraine (AP) —", "SAN FRANCISCO, Calif. --", "GAZA CITY (Reuters) -".
_DATELINE = re.compile(r"[\"'“]?(?P<place>[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,3})(?:, [A-Z][\w.]*(?: [A-Z][\w.]*){0,2})?"
                       r"(?: \([A-Za-z ]{2,20}\))? ?(?:[—–]|--?)\s")


def _unknown(m: re.Match[str], ctx: Ctx) -> Result:
    dateline = _DATELINE.match(ctx.text) if m.start() < 40 else None
    if dateline and m.end() <= dateline.end("place"):
        return m.group("w").capitalize() + _word_suffix(m.group("s") or "")  # "KYIV" is the place, said as a word
    return say_unknown(m.group("w"), m.group("s") or "", shouted(ctx.text, m.start(), m.end()))


def _pair(m: re.Match[str], ctx: Ctx) -> Result:
    """"EUR/USD" -> "euro U S dollar" (a currency pair); "P/E" -> "P E"; "N/A" is the abbreviations' ("not applicable")."""
    from .money import currencies

    a, b = m.group("a"), m.group("b")
    if (a, b) == ("N", "A"):
        return None
    table = currencies()
    if a in table and b in table and len(a) == len(b) == 3:
        return f"{table[a][0]} {table[b][0]}"
    return f"{ctx.sub(a)} {ctx.sub(b)}"


def _mixed(m: re.Match[str], ctx: Ctx) -> Result:
    return spell(m.group("x").upper(), m.group("s") or "")


def _dotted(m: re.Match[str], ctx: Ctx) -> Result:
    letters = m.group("d").replace(".", "")
    spoken = spell(letters, m.group("s") or "")
    if ends_sentence(ctx, m.end(), title=True):
        spoken += "."
    return spoken


def _letter_a(m: re.Match[str], ctx: Ctx) -> Result:
    """The letter A where it cannot be the article: "Class A drugs", "an A in maths", "the A40", "12A", "an A*".

    Said "A-", as spell() says it (espeak-ng reads a lone "A" as the article "uh"); at a sentence's start or before a
    capitalized word ("in A Tale of Two Cities") it is left to be the article.
    """
    if m.group("star") is not None:
        return "A- star" + ("s" if m.group("pl") else "")
    before = ctx.before(m, 3)
    if ctx.after(m, 1).isdigit():
        return "A- "  # "the A40": the road's number follows, read by the cardinal rules
    if not before[-1:].isdigit():
        opening = ctx.text[: m.start()].rstrip()
        if not opening or opening[-1] in ".!?:;\"“‘'(—–-[":
            return None  # "A man was arrested.", "“A tragedy,” he said."
        if re.match(r"\s+[A-Z]", ctx.after(m, 3)):
            return None  # "in A Tale of Two Cities"
    return "A-"


RULES = [
    # the letter A ("Class A", "an A in maths", "the A40", "12A", "A*"), before acronyms and the article
    Rule("letter-a", "acronym", r"(?<![A-Za-z'’.-])A(?:(?P<star>\*)(?P<pl>s)?)?(?![A-Za-z'’*-])", _letter_a),
    # two in capitals with a slash between: "EUR/USD", "P/E", "CDU/CSU", "HIV/AIDS" — each read, the slash not said
    Rule("acronym-pair", "acronym", r"(?<![\w/])(?P<a>[A-Z]{1,6})/(?P<b>[A-Z]{1,6})(?![\w/])", _pair),
    Rule("dotted-acronym", "acronym", r"(?<![\w.])(?P<d>(?:[A-Z]\.){2,})" + SUFFIX + r"(?![\w])", _dotted),
    # digits may follow ("MH17" -> "M H seventeen"), letters may not
    Rule("acronym", "acronym", r"(?<![\w'’])(?P<w>[A-Z]{2,})" + SUFFIX + r"(?![^\W\d])", _unknown),
    # capital, one or two small letters, capital: "AfD", "DoJ", "BoE", "TfL", "PhD" are spelled, as their capitals are
    Rule("mixed-acronym", "acronym", r"(?<![\w'’])(?P<x>[A-Z][a-z]{1,2}[A-Z])" + SUFFIX + r"(?![^\W\d])", _mixed),
]
