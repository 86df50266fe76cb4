"""Symbols: number signs, 24/7, the signs in ``data/symbols.tsv``, and a last rule so no raw symbol reaches an engine.

Examples: "#1" -> "number one"; "24/7" -> "twenty four seven"; "AT&T" -> "A T and T"; "R&D" -> "R and D";
"2+3" -> "two plus three"; "a & b" -> "a and b"; "±5" -> "plus or minus five"; "<5" -> "less than five";
"Coca-Cola™" -> "Coca-Cola"; "see note†" -> "see note"; "I ❤️ NY" -> "I N Y"; "the $ rose" -> "the dollar rose".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .money import currencies
from .numbers import number, pluralize_last, year
from .rules import NUM, Ctx, Rule, alternation, rows

SILENT = "(silent)"
#: What may ride on a symbol and goes with it: joiners, variation selectors, skin tones, the keycap mark.
_RIDERS = "\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff"

_RIDER = re.compile(f"[{_RIDERS}]")
#: Invisible format characters that separate words (zero-width space, and the like).
_BREAKS = "\u200b\u2028\u2029"


@lru_cache(maxsize=1)
def symbols() -> dict[str, tuple[str, str]]:
    """symbol -> (spoken or SILENT, when: "" always or "number" only before a number)."""
    return {r[0]: (r[1], r[2] if len(r) > 2 else "") for r in rows("symbols.tsv")}


def _hash(m: re.Match[str], ctx: Ctx) -> str | None:
    return "number " + number(m.group("n"), ctx.and_)


def _symbol(m: re.Match[str], ctx: Ctx) -> str | None:
    spoken, when = symbols()[m.group("s")]
    if spoken == SILENT or (when == "number" and not re.match(r"\s?[-−]?(?:[$€£¥₹]|[A-Z]{1,2}\$)?\s?[\d.]", ctx.after(m, 6))):
        return " "
    return " " + spoken + " "


def is_symbol(ch: str) -> bool:
    """A character an engine would read oddly or not at all: math, currency, modifier and other symbols (emoji)."""
    return unicodedata.category(ch)[0] == "S" or _RIDER.fullmatch(ch) is not None or unicodedata.category(ch) in ("Co", "Cn")


def _other(m: re.Match[str], ctx: Ctx) -> str | None:
    ch = m.group(0)[0]
    if ch in currencies():
        return " " + currencies()[ch][0] + " "  # a sign with no amount: "the $ rose" -> "the dollar rose"
    category = unicodedata.category(ch)
    if category == "Cf" and ch not in _BREAKS:
        return ""  # soft hyphens, joiners, direction marks sit inside words: "co\u00adoperate" -> "cooperate"
    return " " if is_symbol(ch) or category in ("Cc", "Cf") else None


def _tag_words(tag: str, ctx: Ctx, years: bool = False, underscores: bool = False) -> str:
    """The parts of a camel-cased tag or handle apart: words as written, capitals spelled, numbers read (as years with
    ``years``), "_" said "underscore" with ``underscores`` (else dropped): "GE2024" -> "G E twenty twenty four"."""
    said = []
    for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|_", tag):
        if w == "_":
            if underscores:
                said.append("underscore")
        elif w.isdigit():
            said.append(year(int(w)) if years and len(w) == 4 and 1900 <= int(w) < 2100 else number(w))
        elif w.isupper() and len(w) > 1:
            said.append(ctx.sub(w))
        else:
            said.append(w)
    return " ".join(said)


def _hashtag(m: re.Match[str], ctx: Ctx) -> str | None:
    """"#MeToo" -> "hashtag Me Too": the words of a camel-cased tag apart, so engines say them as words; letters in
    capitals are spelled and a year is a year ("#GE2024" -> "hashtag G E twenty twenty four"); "the hashtag #MeToo"
    says "hashtag" once."""
    lead = "" if re.search(r"\bhashtags?\s+$", ctx.before(m, 12), re.I) else "hashtag "
    return lead + _tag_words(m.group("t"), ctx, years=True)


def _handle(m: re.Match[str], ctx: Ctx) -> str | None:
    """"@BBCBreaking" -> "at B B C Breaking": a social handle, its parts apart; "at" once after "at" ("follow us at @x")."""
    lead = "" if re.search(r"\bat\s+$", ctx.before(m, 6), re.I) else "at "
    return lead + _tag_words(m.group("h"), ctx, underscores=True)


_NOTES = {"#": "sharp", "♯": "sharp", "♭": "flat", "b": "flat"}


def _key(m: re.Match[str], ctx: Ctx) -> str | None:
    """A musical key or note: "F# major" -> "F sharp major", "B♭" -> "B flat", "C#" (the language too) -> "C sharp"."""
    return f"{m.group('n')} {_NOTES[m.group('a') or m.group('a2')]}"


def _episode(m: re.Match[str], ctx: Ctx) -> str | None:
    """"S2E5" -> "season two, episode five"."""
    return f"season {number(str(int(m.group('s'))))}, episode {number(str(int(m.group('e'))))}"


def _calibre(m: re.Match[str], ctx: Ctx) -> str | None:
    """".45 caliber" -> "forty five caliber", "a .22 rifle": a calibre in hundredths of an inch is said as a number."""
    return number(m.group("c"))


def _times(m: re.Match[str], ctx: Ctx) -> str | None:
    return number(m.group("n"), ctx.and_) + " times"


def _power(m: re.Match[str], ctx: Ctx) -> str | None:
    return f"{number(m.group('b'), ctx.and_)} to the power of {number(m.group('e'), ctx.and_)}"


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _exponent(e: str, and_: bool) -> str:
    return number(e.translate(_SUPERSCRIPT).replace("−", "-").lstrip("+"), and_)


def _scientific(m: re.Match[str], ctx: Ctx) -> str | None:
    """"3 x 10^8" -> "three times ten to the power of eight"; "1.6×10⁻¹⁹"; "2.7e10"; "10⁹" -> "ten to the power of nine"."""
    g = m.groupdict()
    if g.get("b") is not None:  # a bare power written with superscripts
        return f"{number(g['b'], ctx.and_)} to the power of {_exponent(g['sup'], ctx.and_)}"
    mant, e = g.get("m") or g.get("m2"), g.get("e") or g.get("e2") or g.get("e3")
    assert mant is not None and e is not None
    return f"{number(mant, ctx.and_)} times ten to the power of {_exponent(e, ctx.and_)}"


def _scientific_unit(m: re.Match[str], ctx: Ctx) -> str | None:
    """With its unit, read as the measure class reads it after a plural number: "3 x 10^8 m/s" -> "… meters per second"."""
    said = _scientific(m, ctx)
    unit = ctx.sub("2 " + m.group("u"))
    if said is None or not unit.startswith("two ") or unit[4:] == m.group("u"):
        return None  # not a unit: the rule without one reads the number alone
    return f"{said} {unit[4:]}"


_SUP = r"[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"
_SCI = (r"(?<![\w.])(?:(?P<m>\d+(?:\.\d+)?)\s?[x×·]\s?10(?:\^(?P<e>[-−+]?\d{1,3})|(?P<e3>" + _SUP + r"))"
        r"|(?P<m2>\d+(?:\.\d+)?)[eE](?P<e2>[-−+]?\d{1,3})|(?P<b>\d+)(?P<sup>" + _SUP + r"))")
#: Scientific notation, before dimensions ("3 x 10") and ranges read its parts; with a unit after it, or alone.
SCIENTIFIC = [
    Rule("scientific-unit", "symbol", _SCI + r"\s?(?P<u>[A-Za-zµμ°Ω][\wµμ°Ω/²³⁻¹]*)(?!\w|\.\w)", _scientific_unit),
    Rule("scientific", "symbol", _SCI + r"(?![\w.]\d?)", _scientific),
]

RULES = [
    Rule("power", "symbol", r"(?<![\w.])(?P<b>\d+(?:\.\d+)?)\^(?P<e>[-−]?\d+)(?![\w.]\d?)", _power),
    Rule("hashtag", "symbol", r"(?<![\w&#])#(?P<t>[A-Za-z][A-Za-z0-9_]*)(?![\w#])", _hashtag),
    # a social handle (an email's "@" is the electronic class's, which comes first)
    Rule("handle", "symbol", r"(?<![\w@.])@(?P<h>[A-Za-z_][A-Za-z0-9_]{1,30})(?![\w@])", _handle),
    # a key or note: a capital A-G with a sharp or flat sign ("F#", "B♭"), or "Bb"/"Eb" before major/minor
    Rule("key", "symbol", r"(?<![\w#])(?P<n>[A-G])(?:(?P<a>[#♯♭])(?![\w#])|(?P<a2>b)(?=\s+(?:major|minor)\b))", _key),
    # "14 No. 1s" -> "number ones": a rank in the plural
    Rule("rank-plural", "symbol", r"(?:(?<=No\. )|(?<=No\.))(?P<n>\d{1,3})s(?![\w'’])",
         lambda m, ctx: pluralize_last(number(m.group("n")))),
    Rule("episode", "symbol", r"(?<![\w])[Ss](?P<s>\d{1,2})\s?[Ee](?P<e>\d{1,3})(?![\w])", _episode),
    Rule("calibre", "symbol", r"(?<![\w.])\.(?P<c>\d{2,3})(?=[\s-]+(?:caliber|calibre|rifle|pistol|revolver|handgun|Magnum|ACP|Special)\b)", _calibre),
    # "3x faster", "a 10x zoom": a multiplier (dimensions, "2 x 12", came first)
    Rule("times", "symbol", r"(?<![\w.])(?<!\d,)(?P<n>" + NUM + r")[x×](?=\s+[A-Za-z])", _times),
    Rule("number-sign", "symbol", r"(?<![\w&])#(?P<n>" + NUM + r")(?![\w])", _hash),
    Rule("24/7", "symbol", r"(?<![\w/])24/7(?![\w/])", lambda m, c: "twenty four seven"),
    # "@" inside an email is handled by the electronic class, which comes first.
    Rule("symbol", "symbol", r"(?P<s>" + alternation(list(symbols())) + r")[" + _RIDERS + r"]*", _symbol),
]

#: Last in the priority list: any other symbol (emoji with their joiners and skin tones, dingbats, arrows,
#: currency signs with no amount) is said by name where a data file has one, otherwise dropped with a span.
LEFTOVER = [Rule("other-symbol", "symbol", r"[^\w\s][" + _RIDERS + r"]*", _other)]
