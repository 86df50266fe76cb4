"""Chemistry and lineage codes: formulas, isotopes, variant names (elements in ``data/elements.tsv``).

Examples: "NaCl" -> "N A C L"; "H2SO4" -> "H two S O four"; "CaCO3" -> "C A C O three"; "plutonium-239" ->
"plutonium two thirty nine" (as "U-235" is "U two thirty five"); "XBB.1.5" -> "X B B point one point five",
"BA.2.86" -> "B A point two point eight six".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import digits, number, year
from .rules import Ctx, Rule, alternation, rows, spell


@lru_cache(maxsize=1)
def elements() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("elements.tsv")}


_PART = re.compile(r"([A-Z][a-z]?)(\d*)")


def _formula(m: re.Match[str], ctx: Ctx) -> str | None:
    """A formula written with element symbols, said symbol by symbol: only when every part is an element and it has
    a two-letter symbol or a count inside ("NaCl", "H2SO4"; "CO2" and "H2O" the acronym rules read the same way)."""
    token = m.group(0)
    if re.fullmatch(r"[A-Z]{2,}s", token):
        return None  # "PCs", "CDs": an acronym's plural, not phosphorus and caesium
    parts = _PART.findall(token)
    if "".join(s + n for s, n in parts) != token or len(parts) < 2 or any(s not in elements() for s, _ in parts):
        return None
    if not any(len(s) == 2 for s, _ in parts) and not any(n for s, n in parts[:-1]):
        return None  # "ISS", "CO2": nothing here a formula adds
    said = []
    for symbol, count in parts:
        said.append(spell(symbol.upper()))
        if count:
            said.append(number(count))
    return " ".join(said)


def _isotope(m: re.Match[str], ctx: Ctx) -> str | None:
    """"plutonium-239", "iodine-131", "carbon-14": the mass number in pairs, as "U-235" is read."""
    n = m.group("n")
    return f"{m.group('e')} {year(int(n)) if len(n) == 3 else number(n)}"


def _lineage(m: re.Match[str], ctx: Ctx) -> str | None:
    """A variant or standard's dotted parts after its letters: ".1.5" -> "point one point five" (digits one by one)."""
    return " " + " ".join("point " + digits(p) for p in m.group(0).split(".")[1:])  # apart from "A-" before it


_NAMES = alternation(sorted({name for name in elements().values()} | {n.capitalize() for n in elements().values()}))

RULES = [
    # after electronic and telephone; a formula is a run of element symbols with counts
    Rule("formula", "science", r"(?<![\w-])(?:[A-Z][a-z]?\d{0,3}){2,8}(?![\w-])", _formula),
    Rule("isotope", "science", r"(?=[A-Za-z]{3,13}-\d)(?<![\w-])(?P<e>" + _NAMES + r")-(?P<n>\d{1,3})(?![\w])", _isotope),
    # "XBB.1.5", "BA.2.86", "JN.1": dotted parts right after two or more capitals
    Rule("lineage", "science", r"(?<=[A-Z][A-Z])(?:\.\d{1,3}){1,3}(?![\w]|\.\d)", _lineage),
]
