"""The one explicit priority list of classes, and the scanner that applies it left to right.

At each position the first rule in PRIORITY whose pattern matches there and whose verbalizer
accepts the match wins; text no rule claims is copied as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..lexicon import Lexicon
from ..models import Normalized, Span, SpokenPart
from . import (
    abbreviation,
    acronym,
    address,
    cardinal,
    date,
    electronic,
    fraction,
    measure,
    money,
    ordinal,
    percent,
    roman,
    science,
    symbol,
    telephone,
    time,
    year,
)
from . import (
    range as range_,
)
from .rules import Ambiguous, Ctx, Rule, uncaptured

if TYPE_CHECKING:
    from . import NormalizeOptions

#: Classes in priority order; the lexicon's rules are put first, per lexicon (see ``ruleset``).
PRIORITY: tuple[list[Rule], ...] = (
    electronic.RULES,  # before anything that would read "un.org" or "a1b2@x.com" piecemeal
    telephone.RULES,  # "555-123-4567" before dates and ranges read it as numbers
    symbol.SCIENTIFIC,  # "3 x 10^8", "1e-9": before dimensions and ranges read their parts
    science.RULES,  # "NaCl", "H2SO4", "plutonium-239", "XBB.1.5": before codes and decimals read their parts
    cardinal.POSTAL,  # "DC 20500-0003", a ZIP code, before ranges read it as numbers
    address.RULES,  # "45 W 34th St": a house number and direction before measures read "45 W" as watts
    date.RULES,
    range_.RULES,  # before time, money, measure: "5pm-7pm", "$250-$300", "10-15 km" are one range each
    cardinal.RATIO,  # "16:9", "1:50,000": before clock times read "1:50"
    time.RULES,
    money.RULES,
    measure.RULES,
    cardinal.SCALED,  # "5bn people": after money and measure, which read "$5bn" and "5m"
    percent.RULES,
    year.RULES[:2],  # eras and decades
    ordinal.RULES,
    symbol.RULES,  # "24/7" and "#1" before fractions and cardinals
    fraction.RULES,
    cardinal.MODEL_PLURAL,
    cardinal.IDENTIFIER,  # "Resolution 2254", "Boeing 737": names read in pairs
    cardinal.CODE,  # "MH370", "C-130": a code's number, in pairs
    cardinal.SECTION,  # "401(k)", "501(c)(3)": code sections, before the number is read alone
    year.RULES[2:],  # bare years, before plain cardinals
    cardinal.RULES,
    roman.RULES,  # before acronyms, so "II" is a numeral, not letters
    address.STREET,  # "Elm St", "Mulholland Dr." after a street's name; before abbreviations read Saint, Doctor
    abbreviation.RULES,
    acronym.RULES,
    cardinal.FALLBACK,
    symbol.LEFTOVER,  # no raw symbol reaches the engine
)

_ADJACENT = re.compile(r"\w")
_NUMERIC = {"telephone", "cardinal", "decimal", "percent", "measure", "money", "ordinal", "year", "date", "time", "range", "fraction"}


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    combined: re.Pattern[str]
    plain_words: frozenset[str]


#: Every rule starts at a word start or on a non-letter (a cheap first check before the alternatives).
_GUARD = r"(?:(?<![^\W\d_])|(?![^\W\d_])|(?=º))"
_CACHE: dict[int, tuple[Lexicon, "RuleSet"]] = {}


def ruleset(lexicon: Lexicon) -> "RuleSet":
    """The compiled rules for ``lexicon``, cached by identity (hashing a big lexicon per call costs more than the lookup)."""
    hit = _CACHE.get(id(lexicon))
    if hit is not None and hit[0] is lexicon:
        return hit[1]
    rs = _build(lexicon)
    if len(_CACHE) >= 32:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[id(lexicon)] = (lexicon, rs)  # holding the lexicon keeps its id from being reused
    return rs


@lru_cache(maxsize=32)
def _build(lexicon: Lexicon) -> RuleSet:
    """All rules for ``lexicon`` with one combined pattern to find candidates fast (equal lexicons share it)."""
    lex = acronym.lexicon_rules(lexicon)
    # electronic first (addresses contain lexicon-looking words), then the lexicon, then the rest
    rules = tuple(PRIORITY[0]) + tuple(lex) + tuple(r for group in PRIORITY[1:] for r in group)
    combined = "|".join(f"(?P<r{i}>{uncaptured(r.pattern)})" for i, r in enumerate(rules))
    # lowercase words that can start a reading: months ("july 4"), dotless abbreviations ("vs"), lexicon terms
    plain = set(date.months()) | {w for w in abbreviation.table() if w.isalpha() and w.islower()} | address.lowercase_starts()
    plain |= {w.split("-")[0] for w in abbreviation.table() if re.fullmatch(r"[a-z]+(?:-[a-z]+)+", w)}  # "y-o-y"
    plain |= money.lowercase_starts()  # "kr 10bn"
    plain |= {e.written.split()[0].casefold() for e in lexicon.entries if not e.case_sensitive or e.written[:1].islower()}
    return RuleSet(rules, re.compile(f"{_GUARD}(?:{combined})"), frozenset(plain))


_CHUNK = re.compile(r"\S+")
#: A plain lowercase word (with trailing punctuation) cannot start any rule unless it is one of RuleSet.plain_words.
_BORING = re.compile(r"[a-z]+(?:['’-][a-z]+)*[,;:!?\"'’”)\]]*")
_TRAIL = ",;:!?\"'’”)]"
_SPLIT = re.compile(r"['’-]")
#: A word of letters (any case): only its first position can start a rule.
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*[,;:!?\"'’”)\]]*")


def _candidates(text: str, plain_words: frozenset[str]) -> Iterator[int]:
    """Positions where a rule may start: word starts and non-letters, skipping plain lowercase words."""
    for c in _CHUNK.finditer(text):
        w, s = c.group(), c.start()
        if _BORING.fullmatch(w):
            base = _SPLIT.split(w.rstrip(_TRAIL), 1)[0]  # "qayrawan's", "qayrawan-based" start with a term
            if base not in plain_words and base[:-1] not in plain_words:
                continue
        if _WORD.fullmatch(w):
            yield s
            continue
        if w[0] == "(" and s > 0:
            yield s - 1  # "forces (ISF)": the parenthetical takes the space before it
        prev_alpha = False
        for i, ch in enumerate(w):
            alpha = ch.isalpha() and ch != "º"  # a letter to Unicode, a degree sign to writers: "45º", "Nº"
            if not (alpha and prev_alpha):
                yield s + i
            prev_alpha = alpha


def _apply(rs: RuleSet, text: str, ctx: Ctx) -> list[Piece]:
    """Pieces of output: (start, end, rule or None for copied text, spoken)."""
    pieces: list[Piece] = []
    pos = 0
    match = rs.combined.match
    for start in _candidates(text, rs.plain_words):
        if start < pos:
            continue
        m = match(text, start)
        if m is None:
            continue
        first = int((m.lastgroup or "r0")[1:])
        for rule in rs.rules[first:]:
            rm = rule.regex.match(text, start)
            if rm is None or rm.end() == start:
                continue
            out = rule.verbalize(rm, ctx)
            if out is None:
                continue
            if start > pos:
                pieces.append((pos, start, None, text[pos:start]))
            pieces.append((start, rm.end(), rule, out))
            pos = rm.end()
            break
    if pos < len(text):
        pieces.append((pos, len(text), None, text[pos:]))
    return pieces


Piece = tuple[int, int, "Rule | None", "str | SpokenPart"]


def _text(spoken: str | SpokenPart) -> str:
    return spoken.text if isinstance(spoken, SpokenPart) else spoken


def _tidy(pieces: list[Piece], text: str) -> list[Piece]:
    """Hyphens between a number reading and a word become spaces ("mid-1980s", "7.2-millimeter"); readings glued to
    words or to other readings get a space ("90km" parts, "1th", "MH17")."""
    out = list(pieces)
    for i, (s, e, rule, _spoken) in enumerate(out):
        if rule is None or rule.cls not in _NUMERIC:
            continue
        if i > 0 and out[i - 1][2] is None and _text(out[i - 1][3]).endswith("-") and text[max(0, s - 2) : s - 1].isalnum():
            ps, pe, _, prev = out[i - 1]
            out[i - 1] = (ps, pe, None, _text(prev)[:-1] + " ")
        if i + 1 < len(out) and out[i + 1][2] is None and _text(out[i + 1][3]).startswith("-") and text[e + 1 : e + 2].isalnum():
            ns, ne, _, nxt = out[i + 1]
            # two numbers no rule joined keep a pause between them: "1000-998" is not "one thousand nine hundred …"
            after = out[i + 2] if i + 2 < len(out) else None
            between = (_text(nxt) == "-" and after is not None and after[2] is not None and after[2].cls in _NUMERIC
                       and " " in _text(out[i][3]).strip() + _text(after[3]).strip())
            out[i + 1] = (ns, ne, None, (", " if between else " ") + _text(nxt)[1:])
    spaced: list[Piece] = []
    for piece in out:
        if spaced and (piece[2] is not None or spaced[-1][2] is not None):
            left, right = _text(spaced[-1][3]), _text(piece[3])
            if left and right and _ADJACENT.match(left[-1]) and _ADJACENT.match(right[0]):
                spaced.append((piece[0], piece[0], None, " "))
        spaced.append(piece)
    return spaced


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def run(text: str, lexicon: Lexicon, options: "NormalizeOptions") -> Normalized:
    rs = ruleset(lexicon)

    def sub(piece: str) -> str:
        return run(piece, lexicon, options).spoken

    ctx = Ctx(text=text, options=options, sub=sub)
    pieces = _tidy(_apply(rs, text, ctx), text)
    spans: list[Span] = []
    parts: list[SpokenPart] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            parts.append(SpokenPart("".join(buf)))
            buf.clear()

    for start, end, rule, out in pieces:
        if rule is None:
            buf.append(str(out).translate(_QUOTES))
            continue
        if isinstance(out, SpokenPart):
            spans.append(Span(start, end, text[start:end], out.text, rule.cls, out.phonemes))
            flush()
            parts.append(out)
            continue
        spoken = out
        written = text[start:end]
        if written.endswith(".") and not spoken.endswith(".") and not text[end:].strip(" \t\"'’”)]"):
            spoken += "."  # the period of "… in Sept." also ends the sentence
        spans.append(Span(start, end, written, spoken.strip(), rule.cls, ambiguous=isinstance(out, Ambiguous)))
        buf.append(spoken)
    flush()
    parts = _collapse(parts)
    return Normalized(written=text, spoken="".join(p.text for p in parts), spans=tuple(spans), parts=tuple(parts))


def _collapse(parts: list[SpokenPart]) -> list[SpokenPart]:
    """Single spaces everywhere, none at the ends, none before closing punctuation left by a dropped "(ISF)"."""
    out: list[SpokenPart] = []
    prev_space = True
    for p in parts:
        t = re.sub(r"\s+", " ", p.text)
        t = re.sub(r" (?=[,.;:!?])", "", t)
        if prev_space:
            t = t.lstrip(" ")
        if not t:
            continue
        if out and t[:1] in ",.;:!?" and out[-1].text.endswith(" ") and out[-1].phonemes is None:
            out[-1] = SpokenPart(out[-1].text.rstrip(" "))
        prev_space = t.endswith(" ")
        out.append(SpokenPart(t, p.phonemes))
    if out and out[-1].phonemes is None:
        out[-1] = SpokenPart(out[-1].text.rstrip(" "))
        if not out[-1].text:
            out.pop()
    return out
