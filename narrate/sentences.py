"""Sentences and clauses: where a paragraph's sentences end (around abbreviations, initials, decimals and quotes)
and where an overlong sentence is cut (at its strongest clause boundary, never inside a list).

The word lists are data: ``data/sentence_abbrev.txt``.
"""

from __future__ import annotations

import bisect
import functools
import re
from pathlib import Path

from . import wordlists

DATA = Path(__file__).parent / "data"


@functools.lru_cache(maxsize=1)
def word_sections() -> dict[str, frozenset[str]]:
    """The sections of ``data/sentence_abbrev.txt``: title, other, starters, function, continues (in lower case)."""
    return {k: frozenset(w.lower() for w in v) for k, v in wordlists.sections(DATA / "sentence_abbrev.txt").items()}


def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    sections = word_sections()
    return sections.get("title", frozenset()), sections.get("other", frozenset())


_NEVER_FINAL = frozenset({"no", "nos", "vs", "fig", "figs", "vol", "vols", "p", "pp", "para", "paras", "art", "sec", "ch", "ext",
                          "apt", "ste", "rte", "ca", "approx", "est", "cf", "armd", "mech", "inf", "cav", "arty", "bde", "bn",
                          "div", "regt", "sqn", "coy"})

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)")


def _word_before(text: str, end: int) -> str:
    # A bounded window keeps this linear on a 10 MB line.
    m = re.search(r"([A-Za-z][A-Za-z.'’-]*)$", text[max(0, end - 80) : end])
    return m.group(1) if m else ""


def _is_boundary(text: str, m: re.Match[str], depth: int = 0) -> bool:
    """Whether the candidate ``m`` ends a sentence; ``depth``: parentheses open before it."""
    punct = m.group(1)
    rest = text[m.end() : m.end() + 100]  # bounded: linear on a 10 MB line
    if not rest:
        return True
    nxt = rest.lstrip("\"'“‘«([")
    if not nxt:
        return True
    first = nxt[0]
    # "eBay", "iPhone", "iOS": a lowercase brand with a capital inside starts a sentence as a capital would.
    lower = first.islower() and not re.match(r"[a-z]{1,3}[A-Z]", nxt)
    if punct != ".":
        # "!" and "?" end a sentence unless the next word is plainly lowercase prose.
        return not lower
    word = _word_before(text, m.start(1))
    low = word.lower().rstrip(".")
    sections = word_sections()
    titles, others = _abbreviations()
    starters, continues = sections.get("starters", frozenset()), sections.get("continues", frozenset())
    next_word = re.match(r"[\w’']+", nxt)
    nw = next_word.group().lower() if next_word else ""
    if lower:
        return False
    if depth > 0:  # inside a parenthesis: "(pop. 2,000)"
        return False
    if low in titles and "." not in word:
        # "on Main St. It opened": a pronoun or function word cannot be the name a title stands before.
        return nw in sections.get("function", frozenset())
    if re.fullmatch(r"[A-Z]", word):  # an initial: "J. Smith", "George W. Bush"; not "Terminal C. The flight left."
        return nw in starters and nw not in titles and not re.search(r"(?:^|\s)[A-Z]\.\s+$", text[: m.start(1) - 1])
    if low in ("a.m", "p.m"):  # "at 9 a.m. Monday" goes on; "after 1 p.m. Police arrived" does not
        return not first.isdigit() and nw not in continues
    if "." in word.rstrip("."):  # U.S., J.P., e.g., D.C.
        return nw in starters
    if low in others:
        if first.isdigit():  # "Oct. 12", "No. 5"
            return False
        if low in continues and nw in continues:  # "on Fri. Jan. 5"
            return False
        if low in ("no", "nos"):  # "no." is "number" only before a digit: "He said no. Then he left."
            return True
        # "etc." or "Inc." before a capital usually ends the sentence; "vs." and "approx." never do.
        return low not in _NEVER_FINAL or nw in starters
    return True


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph, robust to abbreviations, initials, decimals and quotes.

    >>> split_sentences('Dr. Smith met Gen. Votel in the U.S. on Monday. It rained.')
    ['Dr. Smith met Gen. Votel in the U.S. on Monday.', 'It rained.']
    """
    text = re.sub(r"\s+", " ", text).strip()
    out: list[str] = []
    start = 0
    depth = 0
    scanned = 0
    for m in _BOUNDARY.finditer(text):
        chunk = text[scanned : m.start()]
        depth = max(0, depth + chunk.count("(") - chunk.count(")"))
        scanned = m.start()
        # A closing parenthesis after the stop ends the aside: "(The statement is below.) The minister …"
        if _is_boundary(text, m, max(0, depth - m.group(2).count(")"))):
            piece = text[start : m.end(2)].strip()
            if piece:
                out.append(piece)
            start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


# Clause boundaries, strongest first; each a regex whose match END is where the split goes, and whether a boundary
# inside a list ("Israel, Jordan, Qatar and Egypt") is skipped at that strength (a list is cut only as a last resort).
_CLAUSE_SPLITS: tuple[tuple[re.Pattern[str], bool], ...] = (
    (re.compile(r"[;:]\s+"), False),
    (re.compile(r"\s+[—–]\s+|—"), False),
    (re.compile(r",\s+(?=(?:and|but|or|so|yet|while|whereas|which|who|where|when|although|though|because|since|after|"
                r"before|as|if|unless|until|according)\b)"), True),
    (re.compile(r",\s+"), True),
    (re.compile(r"(?<!\band)(?<!\bor)(?<!\bbut)\s+(?=(?:according to|compared with|compared to|because|although|whereas|while|"
                r"which|who|that|despite|amid)\b)"), True),
    (re.compile(r"\s+(?=(?:and|but)\b)"), True),
    (re.compile(r",\s+|\s+(?=(?:and|but|while|which|because|although|whereas)\b)"), False),
    (re.compile(r"\s+"), False),
)
#: Items of a list: a comma or "and"/"or" with at most four words to the previous comma and to the next comma or "and".
_ITEM_WORDS = 4


def _in_list(text: str, at: int) -> bool:
    """Whether the boundary at ``at`` separates the short items of a list: "the WHO, | UNICEF, MSF and …"."""
    before = re.split(r",\s+", text[max(0, at - 120) : at].rstrip(", "))
    after = re.split(r",\s+|\s+(?:and|or)\s+", text[at : at + 160].lstrip(", "), maxsplit=2)
    short = [len(item.split()) <= _ITEM_WORDS + 1 for item in after[:-1]]
    if len(short) >= 2 and all(short):
        return True  # the first items of a list: "travel to Israel, | the West Bank, Jordan, Qatar and Egypt"
    if len(before) < 2 and not re.search(r",", text[at : at + 120].split(" and ", 1)[0]):
        return False  # one comma or "and" alone joins two clauses, not a list
    return len(before[-1].split()) <= _ITEM_WORDS + 1 and bool(short) and short[0]


def split_clauses(sentence: str, max_words: int) -> list[str]:
    """Split a sentence longer than ``max_words`` at its strongest clause boundary nearest the middle.

    Linear-logarithmic: word positions are found once and cuts are placed by bisection.
    """
    starts = [m.start() for m in re.finditer(r"\S+", sentence)]
    if len(starts) <= max_words:
        return [sentence]
    # A run-on text of thousands of words is first cut greedily into windows of a
    # few sentences' length, so the balanced split below stays cheap.
    bounds = [0]
    window = 4 * max_words
    while len(starts) - bisect.bisect_left(starts, bounds[-1]) > window:
        i = bisect.bisect_left(starts, bounds[-1])
        lo, hi = starts[i + max_words], starts[i + window]
        cut = None
        for pattern, _ in _CLAUSE_SPLITS:
            found = [m.end() for m in pattern.finditer(sentence, lo, hi)]
            if found:
                cut = found[-1]
                break
        bounds.append(cut if cut is not None and cut > bounds[-1] else hi)
    bounds.append(len(sentence))
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:]):
        out += _split(sentence, a, b, starts, max_words)
    return [p for p in out if p]


def _split(text: str, lo: int, hi: int, starts: list[int], max_words: int) -> list[str]:
    first, last = bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)
    if last - first <= max_words:
        return [text[lo:hi].strip()]
    middle = (lo + hi) / 2
    for pattern, not_in_lists in _CLAUSE_SPLITS:
        best = None
        for m in pattern.finditer(text, lo, hi):
            cut = m.end()
            # A cut must leave at least a few words on each side.
            k = bisect.bisect_left(starts, cut)
            if k - first < 4 or last - k < 4:
                continue
            if not_in_lists and _in_list(text, m.start()):
                continue
            if best is None or abs(cut - middle) < abs(best - middle):
                best = cut
            elif cut > middle:
                break
        if best is not None:
            return _split(text, lo, best, starts, max_words) + _split(text, best, hi, starts, max_words)
    return [text[lo:hi].strip()]
