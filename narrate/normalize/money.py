"""Money: currency symbols and codes from ``data/currencies.tsv``, cents, scale words and suffixes, per-period.

Examples: "$2" -> "two dollars"; "$20.50" -> "twenty dollars fifty cents"; "$0.02" -> "two cents";
"$4.5 billion" -> "four point five billion dollars"; "$300m" -> "three hundred million dollars";
"£1.2bn" -> "one point two billion pounds"; "US$5" -> "five U S dollars"; "€3.20" -> "three euros twenty cents";
"$20/mo" -> "twenty dollars per month"; "5 USD" -> "five U S dollars"; "SAR 1m" -> "one million Saudi riyals"; "€2,50" -> "two euros fifty cents"; "99¢" -> "ninety nine cents".
"₦2tn" -> "two trillion naira"; "KSh 1,000" -> "one thousand Kenyan shillings"; "R2.3tn" -> "two point three trillion
rand" (but "the R2 road"); "Rs 1,50,000" -> "one lakh fifty thousand rupees"; "€2,5 million" -> "two point five million
euros"; "3,50 €" -> "three euros fifty cents"; "fell 5c" -> "fell five cents"; "XYZ 10m" -> "X Y Z ten million".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .measure import BARE_PER, LENGTH_AFTER, PER, determined, lookup, singular_noun
from .numbers import INDIAN, cardinal, digits, indian, number
from .rules import LEFT, NUM, Ctx, Rule, alternation, rows, words


#: Lower-case signs read before the amount too, which the scanner reaches only once the pipeline counts them among the
#: words that can start a reading (``lowercase_starts``): "kr 10bn".
_ALSO_BEFORE = frozenset({"kr"})


@lru_cache(maxsize=1)
def currencies() -> dict[str, tuple[str, ...]]:
    """symbol or code -> (major singular, major plural, minor singular, minor plural, where)."""
    table = {r[0]: tuple(r[1:]) + ("",) * (6 - len(r)) for r in rows("currencies.tsv")}
    # Signs that are also letters, words or names, read as money only with a sure amount (``_sure``): kept out of
    # currencies.tsv, each of whose signs reads any amount.
    constrained = {r[0]: tuple(r[1:]) for r in rows("currencies_constrained.tsv")}
    return {**constrained, **table}


@lru_cache(maxsize=1)
def scales() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("scales.tsv")}


#: Where a symbol or code may stand (the table's last column): before the amount, after it.
_BEFORE = ("prefix", "code", "both")
_AFTER = ("code", "suffix", "both")
#: Signs read only with a sure amount: a scale, thousands grouping or two decimals ("Le 5,000", "PHP 1.5bn", "R2.3tn");
#: "glued" and "scaled" ones are lone capitals glued to the amount ("R18.90", "K2bn"), and "scaled" ones need a scale.
_STRICT = ("strict", "glued", "scaled")

PREFIX = alternation([k for k, v in currencies().items() if v[4] in _BEFORE])
SUFFIX = alternation([k for k, v in currencies().items() if v[4] in _AFTER])
#: Signs of the strict kinds, which ``_prefixed`` checks against the amount.
STRICT_PREFIX = alternation([k for k, v in currencies().items() if v[4] in _STRICT])
STRICT_SUFFIX = alternation([k for k, v in currencies().items() if v[4] == "strict"])
#: An amount with a decimal comma, as European copy writes it: "€2,50", "€1.234,56" (two decimals; "1,500" is grouped;
#: not the "1,50" of Indian "1,50,000").
EURO_NUM = r"\d{1,3}(?:\.\d{3})*,\d{2}(?!\d|,\d)"
SCALE = r"(?:\s?" + alternation(list(scales())) + r"(?![\w]))"
#: A decimal comma with one or two decimals before a scale ("€2,5 million", "€1,5bn") or right after a euro sign ("€2,5").
COMMA_DECIMAL = r"\d{1,3},\d{1,2}(?=" + SCALE + r")|(?:(?<=€)|(?<=€ ))\d{1,3},\d(?![\d]|,\d)"
#: Thousands grouped by spaces ("€10 000", "500 000 zł"): a first group of two or three digits, or a last group of 000.
SPACED_NUM = r"(?:[1-9]\d{1,2}(?:[ \u00a0\u202f\u2009]\d{3})+|[1-9](?:[ \u00a0\u202f\u2009]\d{3})*[ \u00a0\u202f\u2009]000)(?![\w%]|[.,]\d)"
#: Every written amount money reads: Indian lakh grouping first ("1,50,000"), then decimal commas, then plain numbers.
AMOUNT = "(?:" + INDIAN + "|" + COMMA_DECIMAL + "|" + EURO_NUM + "|" + SPACED_NUM + "|" + NUM + ")"
#: Scales a lone-capital sign may take: not the letters "k", "M", "B", "T", which name other things ("K2 M").
_LETTER_SCALES = frozenset({"k", "K", "M", "B", "b", "T"})


def lowercase_starts() -> set[str]:
    """Lower-case signs that start a money reading ("kr 10bn"); the scanner skips other plain lower-case words."""
    return {k for k, v in currencies().items() if (v[4] in _BEFORE + _STRICT or k in _ALSO_BEFORE) and re.fullmatch(r"[a-z]+", k)}


def amount(value: str, currency: str, scale: str | None, and_: bool, adjectival: bool = False,
           names: tuple[str, ...] | None = None) -> str:
    """Spoken amount: "20.50" "$" -> "twenty dollars fifty cents"; with a scale always "N point M scale dollars";
    Indian grouping in lakh and crore: "1,50,000" "Rs" -> "one lakh fifty thousand rupees".

    ``adjectival`` ("a $5 fee", "a $1.2bn package") says the currency in the singular; ``names`` overrides the
    table's four names (major and minor, singular and plural).
    """
    major1, majorn, minor1, minorn = names or currencies()[currency][:4]
    if adjectival:
        majorn, minorn = major1, minor1 or minorn
    lakhs = re.fullmatch(INDIAN, value.partition(".")[0]) is not None
    if scale:
        # the amount multiplies the scale, so it is not the last group of the number: no "and"
        return f"{number(value)} {scales()[scale]} {majorn}"
    value = value.replace(",", "")
    whole, _, frac = value.partition(".")
    if len(frac) > 2 and not frac[2:].strip("0"):
        frac = frac[:2]
    units = int(whole or "0")
    said = indian(units, and_) if lakhs else cardinal(units, and_)
    if frac and (len(frac) > 2 or not minorn):
        return f"{said if whole else ''} point {digits(frac)} {majorn}".strip()
    cents = int(frac.ljust(2, "0")) if frac else 0
    parts = []
    if units or not cents:
        parts.append(f"{said} {major1 if units == 1 else majorn}")
    if cents:
        parts.append(f"{cardinal(cents, and_)} {minor1 if cents == 1 else minorn}")
    return " ".join(parts)


def _value(written: str) -> str:
    """The amount as a plain number: spaces of grouping out ("10 000"), a decimal comma made a point ("2,5", "1.234,56")."""
    written = re.sub(r"[ \u00a0\u202f\u2009]", "", written)
    if re.fullmatch(r"[\d.]*\d,\d{1,2}", written):
        written = written.replace(".", "").replace(",", ".")
    return written


def _sure(kind: str, value: str, scale: str | None, glued: bool) -> bool:
    """A sign of a strict kind ("Le", "PHP", "R", "K") is money only with a sure amount: a scale, thousands grouping or
    two decimals; a lone capital ("R", "K", "N") only glued to it, and a "scaled" one only with a scale suffix."""
    if kind in ("glued", "scaled"):
        if not glued:
            return False
        if kind == "scaled":
            return scale is not None and scale not in _LETTER_SCALES
    if scale is not None:
        return scale not in _LETTER_SCALES
    return re.search(r"\d[,. \u00a0\u202f\u2009]\d{3}(?!\d)|\d,\d\d,\d|[.,]\d\d$", value) is not None


#: Signs whose name depends on the country: "kr" is the Swedish krona unless Norway, Denmark or Iceland is near.
_LOCAL = {
    "kr": ((re.compile(r"\b(?:Norw|Denmark|Danish|Dane|Faroe|Greenland)"), ("krone", "kroner", "", "")),
           (re.compile(r"\bIcel"), ("krona", "kronur", "", ""))),
}


def _names(currency: str, m: re.Match[str], ctx: Ctx) -> tuple[str, ...] | None:
    for cue, names in _LOCAL.get(currency, ()):
        if cue.search(ctx.before(m, 300)) or cue.search(ctx.after(m, 100)):
            return names
    return None


def adjectival_amount(m: re.Match[str], ctx: Ctx) -> bool:
    """"a $5 fee": an article before and a lowercase word after make the amount a modifier; so do a determiner before
    and a singular noun after, as for measures ("the $61bn aid package", "the IMF's $3bn deal"; not "the $5 was")."""
    before = ctx.word_before(m).lower()
    if before in {"a", "an"}:
        return re.match(r"\s+[a-z]", ctx.after(m)) is not None
    after = ctx.word_after(m)
    return determined(before, ctx, m) and singular_noun(after, ctx.after(m, 40)[len(after) + 1 :])


def _prefixed(m: re.Match[str], ctx: Ctx) -> str | None:
    scale = m.group("s").strip() if m.group("s") else None
    currency, written = m.group("c"), m.group("v")
    kind = currencies()[currency][4]
    if kind in _STRICT and not _sure(kind, written, scale, not m.group("sp")):
        return None
    spoken = amount(_value(written), currency, scale, ctx.and_, adjectival_amount(m, ctx), _names(currency, m, ctx))
    if m.group("per") or m.group("per2"):  # "$3.50/gallon", "£2 per kg"
        spoken += " per " + lookup(m.group("per") or m.group("per2"))[0]
    return ("minus " + spoken) if m.group("neg") else spoken


def _suffixed(m: re.Match[str], ctx: Ctx) -> str | None:
    scale = m.group("s").strip() if m.group("s") else None
    currency, written = m.group("c"), m.group("v")
    if currencies()[currency][4] in _STRICT and not _sure("strict", written, scale, True):
        return None
    return amount(_value(written), currency, scale, ctx.and_, adjectival_amount(m, ctx), _names(currency, m, ctx))


def _cents(m: re.Match[str], ctx: Ctx) -> str | None:
    """"missed estimates by 3c a share", "fell 5c": a small amount glued to a lowercase "c" is cents where money is
    meant, after a verb or preposition of price or before "a share", "a litre" ("Figure 3c", "type 2c" stay)."""
    before = ctx.word_before(m).lower()
    noun = ctx.word_after(m).lower() in _CENT_NOUNS  # "a 5c rise", "the 10c coin"
    if before not in _CENTS_BEFORE and not noun and not _CENTS_AFTER.match(ctx.after(m, 20)):
        return None
    n = m.group("n")
    return f"{number(n, ctx.and_)} {'cent' if n == '1' or noun else 'cents'}"


#: Nouns a cents amount describes, as a modifier in the singular: "a 5c rise" -> "a five cent rise".
_CENT_NOUNS = frozenset("coin coins piece pieces stamp stamps rise increase hike cut drop fall fare tax levy".split())


#: Words before "5c" that make it a price: verbs of price and movement, prepositions of amount.
_CENTS_BEFORE = frozenset("""
by to from at of about around nearly almost just only than over under some extra another and or
cost costs costing paid pay pays paying charge charges charged priced sell sells sold
fell fall falls falling rose rise rises rising gained gain gains lost lose loses losing added add adds shed sheds
dropped drop drops slipped slips slid climbed climbs jumped jumps eased eases edged edges tumbled slumped soared
surged rallied advanced declined sank dipped cut cuts raised raise hiked missed beat beats topped up down
""".split())
_CENTS_AFTER = re.compile(r"\s+(?:a|per|each)\s+(?:share|litre|liter|gallon|unit|kilo|kg|kilogram|pound|lb|kWh|minute|"
                          r"text|call|month|day|week|year|head|item|bottle|can|cup|loaf|barrel|dollar|pack)\b")


def _unknown_scale(m: re.Match[str], ctx: Ctx) -> str | None:
    """After a currency code the table does not know ("XYZ 10m", "ABC5bn"), a scale suffix is still a scale: "m" is
    million after three capitals and a space, never meters; "bn", "tn" after any short capitalised sign."""
    before = ctx.before(m, 6)
    scale = m.group("s").strip()
    if scale == "m":
        # "the IAAF 100m title", "an NCAA 400m final" are lengths
        after = ctx.word_after(m).lower()
        if not re.search(r"(?<![\w.'’-])[A-Z]{3} $", before) or after in words("measure_nouns.txt") or after in LENGTH_AFTER:
            return None
    elif not re.search(r"(?<![\w.'’-])[A-Z](?:[A-Za-z]{0,3}|[A-Z]{2} )$", before):
        return None
    return f"{number(m.group('v'))} {scales()[scale]}"


#: Every sign read before the amount, the strict kinds included (``_prefixed`` checks those).
_ANY_PREFIX = alternation([k for k, v in currencies().items() if v[4] in _BEFORE + _STRICT or k in _ALSO_BEFORE])
_ANY_SUFFIX = alternation([k for k, v in currencies().items() if v[4] in _AFTER + ("strict",)])
_SURE_SCALE = r"(?P<s>\s?(?:bn|mn|mln|tn|trn|m)(?![\w]))"

RULES = [
    # a sign before the symbol: "a net loss of -$45m" -> "minus forty five million dollars"
    Rule("money", "money", r"(?<![\w$€£¥])(?:(?<![\w.,-])(?P<neg>[-−–]))?(?P<c>" + _ANY_PREFIX + r")(?P<sp>\s?)(?P<v>" + AMOUNT
         + r")(?P<s>" + SCALE + r")?(?:/(?P<per>" + PER + r")|\s+per\s+(?P<per2>" + BARE_PER + r"))?", _prefixed),
    Rule("money-code", "money", LEFT + r"(?P<v>" + AMOUNT + r")(?P<s>" + SCALE + r")?\s?(?P<c>" + _ANY_SUFFIX + r")(?![\w])", _suffixed),
    Rule("cents", "money", LEFT + r"(?P<n>\d{1,2}(?:\.\d{1,2})?)c(?![\w])", _cents),
    # "UGX 10m" when the code is not in the table: a scale, not meters
    Rule("money-unknown", "money", r"(?:(?<=[A-Z]{3} )|(?<=[A-Za-z]))(?P<v>" + NUM + r")" + _SURE_SCALE, _unknown_scale),
]
