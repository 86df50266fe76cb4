"""Script text -> blocks: front matter, directives, paragraphs, sentences, credits and appeals.

The parser knows nothing of voices or normalization (``plan.py`` adds them);
it only finds the structure a narrator sees on the page.
"""

from __future__ import annotations

import bisect
import codecs
import difflib
import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

DATA = Path(__file__).parent / "data"

#: Scripts larger than this are refused (a book-length file is split by the user).
MAX_SCRIPT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Sentence:
    """One sentence (or clause of an overlong sentence) as written."""

    text: str
    line: int
    clause: int = 0  # 0: whole sentence; 1, 2, …: clauses of a split sentence
    last_clause: bool = True


@dataclass(frozen=True)
class Block:
    """A unit of the script in order: a paragraph of sentences, or a directive."""

    kind: str  # paragraph | credit | appeal | voice | pause | rate | section
    line: int
    text: str = ""
    sentences: tuple[Sentence, ...] = ()
    value: str = ""  # directive argument; the credited name for a credit


@dataclass(frozen=True)
class Problem:
    line: int
    text: str
    message: str


@dataclass(frozen=True)
class ParsedScript:
    blocks: tuple[Block, ...]
    front_matter: dict[str, str] = field(default_factory=dict)
    narrator: str | None = None
    problems: tuple[Problem, ...] = ()
    #: What was left unread on purpose (production cues, speaker labels): for ``check`` to list as info.
    notes: tuple[Problem, ...] = ()


# ---------------------------------------------------------------- reading


def read_script(path: Path) -> str:
    """Decode a script file; every unusable file is an InputError naming it."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such script file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a script file")
    try:
        size = path.stat().st_size
        if size > MAX_SCRIPT_BYTES:
            raise InputError(f"{path}: {size / 1e6:.0f} MB is too large for one script (limit {MAX_SCRIPT_BYTES // 2**20} MiB); split it")
        raw = path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return decode_script(raw, str(path))


def decode_script(raw: bytes, name: str = "script") -> str:
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[3:], "utf-8"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        if b"\x00" in raw[:65536]:
            raise InputError(f"{name}: looks like a binary file (NUL bytes), not a text script")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: not valid {encoding.upper()} (byte {exc.start}); save the script as UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters other than newline and tab carry nothing to say.
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]", " ", text)
    if not text.strip():
        raise InputError(f"{name}: the script is empty; write some text to narrate")
    return text


# ---------------------------------------------------------------- sentences


@functools.lru_cache(maxsize=1)
def _word_sections() -> dict[str, frozenset[str]]:
    """The sections of ``data/sentence_abbrev.txt``: title, other, starters, function, continues."""
    sections: dict[str, set[str]] = {}
    current = ""
    for raw in (DATA / "sentence_abbrev.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        sections.setdefault(current, set()).update(line.lower().split())
    return {k: frozenset(v) for k, v in sections.items()}


def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    sections = _word_sections()
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
    sections = _word_sections()
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
    if re.fullmatch(r"[A-Z]", word):  # an initial: "J. Smith", "George W. Bush"
        return False
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


# ---------------------------------------------------------------- credits and appeals


@dataclass(frozen=True)
class SkipRules:
    """What is not narrated, from ``data/skip_patterns.toml``."""

    credit_max_words: int
    credit: tuple[re.Pattern[str], ...]
    narrator_roles: frozenset[str]
    name_connectors: frozenset[str]
    org_nouns: frozenset[str]
    appeal_max_words: int
    #: A call to action at a sentence's start, enough alone ("Subscribe and hit the bell").
    imperative: re.Pattern[str]
    #: A call to action at a sentence's start that needs an address too ("Follow us", "Join our newsletter").
    addressed_verb: re.Pattern[str]
    #: A call to action anywhere ("donations", "become a member") …
    action: re.Pattern[str]
    #: … and an address to the listener or from the publisher ("you", "please", "our", a link).
    address: re.Pattern[str]
    reported: re.Pattern[str]
    phrases: re.Pattern[str]
    payment_label: re.Pattern[str]
    #: Any word an appeal needs: most sentences have none, and one search says so.
    any_cue: re.Pattern[str]


def _alternation(items: list[str], escape: bool = False) -> str:
    """One regex alternation of ``items``, longest first (so "voice over" wins over "voice")."""
    return "|".join(re.escape(i) if escape else i for i in sorted(items, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _skip_rules() -> SkipRules:
    data = tomllib.loads((DATA / "skip_patterns.toml").read_text(encoding="utf-8"))
    credit = data["credit"]
    appeal = data["appeal"]
    roles = _alternation(credit["roles"], escape=True)
    qualifiers = _alternation(credit.get("qualifiers", []), escape=True)
    qualified = rf"(?:(?:{qualifiers})[\s-]+)?" if qualifiers else ""
    role = rf"(?P<role>(?:{qualified}(?:{roles})\s*(?:,|&|\band\b|/)?\s*){{1,4}})"
    # "Translated from the Arabic by …": a source language may stand between the role and "by".
    source = r"(?:\s+from\s+(?:the\s+)?[A-Z][\w-]*)?"
    by_name = rf"^{role}{source}\s*(?:\bby\b|\bcourtesy\s+of\b|:|-|–|—)\s*:?\s*(?P<name>[^:;|]{{2,80}}?)\s*\.?$"
    patterns = tuple(re.compile(p, re.IGNORECASE) for p in credit.get("patterns", [])) + (re.compile(by_name, re.IGNORECASE),)
    lead = appeal["lead"]
    word_end = r"(?![\w’'-])"
    # A noun that merely looks like the verb: "Support for the plan fell", "Join us next week for part two".
    not_a_verb = r"(?!\s+(?:for|of|from|to|in|among|was|is|has|had|grew|fell|rose|remains|came|comes)\b)"
    not_a_signoff = r"(?!\s+(?:us|me)\s+(?:next|tomorrow|again|on|for|at|as|in|this|after|live|then|here)\b)"
    address = rf"\b(?:{_alternation(appeal['address'])}){word_end}|{appeal['link']}"
    cues = [*appeal["imperative"], *appeal["verbs"], *appeal["action"]]
    return SkipRules(
        credit_max_words=int(credit["max_words"]),
        credit=patterns,
        narrator_roles=frozenset(r.lower() for r in credit["narrator_roles"]),
        name_connectors=frozenset(credit.get("name_connectors", [])),
        org_nouns=frozenset(credit.get("org_nouns", [])),
        appeal_max_words=int(appeal["max_words"]),
        imperative=re.compile(rf"{lead}(?:{_alternation(appeal['imperative'])})", re.IGNORECASE),
        addressed_verb=re.compile(rf"{lead}(?:{_alternation(appeal['verbs'])}){word_end}{not_a_verb}{not_a_signoff}", re.IGNORECASE),
        action=re.compile(rf"\b(?:{_alternation(appeal['action'])}){word_end}", re.IGNORECASE),
        address=re.compile(address, re.IGNORECASE),
        reported=re.compile(appeal["reported"], re.IGNORECASE),
        phrases=re.compile(_alternation(appeal["phrases"]), re.IGNORECASE),
        payment_label=re.compile(appeal["payment_label"], re.IGNORECASE),
        any_cue=re.compile(rf"\b(?:{_alternation(cues)})|{_alternation(appeal['phrases'])}|{appeal['payment_label']}", re.IGNORECASE),
    )


def looks_like_names(name: str, role: str = "") -> bool:
    """Whether the credited part reads as names ("Dr. Aisha Bello", "AP/Evan Vucci", "Ana Ruiz and Leo Chen"), not a
    clause ("survivors, the film tells…"), a quote or a common noun phrase ("the opposition", "millions").

    >>> looks_like_names("Humeyra Pamuk in Washington"), looks_like_names("the government, the agency acted")
    (True, False)
    """
    rules = _skip_rules()
    if not name or any(q in name for q in "\"“”«»") or len(name.split()) > 16:
        return False
    tokens = [t for t in re.split(r"[\s,/&+]+|\s+-\s+", name.strip(" .")) if t]
    if not tokens:
        return False
    words = [t for t in tokens if t.lower() not in rules.name_connectors or t[0].isupper()]
    if tokens[0] not in words:  # a list of names does not open with "and" or "in"
        return _organisation(tokens, rules.org_nouns)
    for t in words:
        if not (t[0].isupper() or t[0] in "@©" or (t[0].isdigit() and len(tokens) > 1)):
            return _organisation(tokens, rules.org_nouns)
    if role == "by":  # a byline: "By Jane Doe"; "By Monday" is the start of a sentence
        return len(words) >= 2 or words[0].isupper()
    return True


def _organisation(tokens: list[str], org_nouns: frozenset[str]) -> bool:
    # "the narrate project", "the BBC World Service team": a crediting body, not "the opposition".
    return tokens[0].lower() == "the" and len(tokens) <= 6 and tokens[-1].lower().strip(".") in org_nouns


def _credit_parts(text: str) -> list[str]:
    """The parts of a credit: its sentences, split again at ";" and "|" ("Reporting by A; Editing by B")."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:  # the wire sign-off "(Reporting by …)"
        text = text[1:-1]
    return [p.strip() for s in split_sentences(text) for p in re.split(r"\s*[;|]\s*", s) if p.strip()]


def credits_of(paragraph: str) -> list[tuple[str, str]] | None:
    """[(role, name), …] when every part of the paragraph is a credit, else None.

    >>> credits_of("Written and produced by Ana Ruiz. Voiceover by Sam Okafor.")
    [('written and produced', 'Ana Ruiz'), ('voiceover', 'Sam Okafor')]
    """
    rules = _skip_rules()
    text = paragraph.strip()
    if len(text.split()) > rules.credit_max_words:
        return None
    found: list[tuple[str, str]] = []
    for part in _credit_parts(text):
        credit = _credit(part)
        if credit:
            found.append(credit)
            continue
        # "Story by Ana Ruiz, graphics by Leo Chen, music by Artlist."
        pieces = [_credit(p) for p in re.split(r",\s+", part.rstrip("."))]
        if len(pieces) < 2 or not all(pieces):
            return None
        found += [p for p in pieces if p]
    return found or None


def _credit(part: str) -> tuple[str, str] | None:
    """(role, name) when one part of a credit is a credit."""
    for pattern in _skip_rules().credit:
        m = pattern.match(part)
        if not m:
            continue
        role = re.sub(r"\s+", " ", m.group("role")).strip(" ,&/").lower()
        name = m.group("name").strip()
        if not name:  # only the heading and boilerplate patterns credit nobody: "CREDITS", "All rights reserved."
            return role, ""
        if looks_like_names(name, role):
            return role, name
    return None


def narrator_of(credits: list[tuple[str, str]]) -> str | None:
    roles = _skip_rules().narrator_roles
    for role, name in credits:
        words = re.split(r"\s*(?:,|&|/|\band\b)\s*", role)
        if name and any(w.strip() in roles for w in words):
            return name
    return None


def _unquoted(sentence: str) -> str:
    """The sentence without what it quotes: '"Please donate," the mayor said.' is reported speech."""
    s = re.sub(r"[\"“][^\"“”]*[\"”]", " ", sentence)
    # A quotation that runs over several sentences: its opening or closing part.
    if re.match(r"^\W*[\"“]", s) or re.search(r"[\"”]\W*$", s):
        return ""
    return s


def is_appeal_sentence(sentence: str) -> bool:
    """Whether one sentence asks the audience for money, support or an action.

    >>> is_appeal_sentence("Follow us on Twitter."), is_appeal_sentence("Doctors say they need blood donations.")
    (True, False)
    """
    rules = _skip_rules()
    s = sentence.strip()
    if not rules.any_cue.search(s) or len(s.split()) > rules.appeal_max_words:
        return False
    if rules.payment_label.search(s):  # "PayPal: …", "Donations: BTC 1A1z…"
        return True
    text = _unquoted(s)
    if not text.strip() or rules.reported.search(text):
        return False
    if rules.phrases.search(text) or any(rules.imperative.match(c) for c in _clause_starts(text)):
        return True
    if rules.addressed_verb.match(text) and rules.address.search(text):
        return True
    return bool(rules.action.search(text) and rules.address.search(text))


def _clause_starts(text: str) -> list[str]:
    """The sentence and what follows each colon or dash in it: "Support independent journalism: donate here."."""
    return [text] + [text[m.end() :] for m in re.finditer(r"[:;]\s+|\s[—–-]\s", text)]


def appeal_flags(sentences: list[str]) -> list[bool]:
    """Which of a paragraph's sentences are appeals; a short question leading into one joins it ("Enjoying the show?")."""
    flags = [is_appeal_sentence(s) for s in sentences]
    for i in range(len(sentences) - 2, -1, -1):
        s = sentences[i].strip()
        if flags[i + 1] and not flags[i] and s.endswith("?") and len(s.split()) <= 6 and not _skip_rules().reported.search(s):
            flags[i] = True
    return flags


def is_appeal(text: str) -> bool:
    """Whether ``text`` (a sentence or a paragraph) holds an appeal; only its appeal sentences are skipped."""
    return any(appeal_flags(split_sentences(text)))


# ---------------------------------------------------------------- production cues and markup


@dataclass(frozen=True)
class CueRules:
    """Stage directions and speaker labels, from the ``[cue]`` table of ``data/skip_patterns.toml``."""

    #: "(music)", "(SFX: wind)", "[inaudible]" inside or around a line.
    inline: re.Pattern[str]
    pauses: dict[str, float]
    speakers: frozenset[str]
    cue_labels: frozenset[str]
    words: frozenset[str]


@functools.lru_cache(maxsize=1)
def _cue_rules() -> CueRules:
    cue = tomllib.loads((DATA / "skip_patterns.toml").read_text(encoding="utf-8"))["cue"]
    words = _alternation(cue["words"], escape=True)
    inline = re.compile(rf"[ \t]*(?:\((?:{words})\b[^()]{{0,80}}\)|\[(?:{words})\b[^\[\]]{{0,80}}\])", re.IGNORECASE)
    return CueRules(
        inline=inline,
        pauses={k.lower(): float(v) for k, v in cue["pauses"].items()},
        speakers=frozenset(s.lower() for s in cue["speakers"]),
        cue_labels=frozenset(s.lower() for s in cue["cue_labels"]),
        words=frozenset(w.lower() for w in cue["words"]),
    )


#: "ANCHOR: Good evening.", "SARAH JONES (REPORTER): Back to you.", "Host: Welcome back."
_LABEL = re.compile(r"^(?P<label>[^\W\d_][\w.'’/&-]*(?:[ \t]+[\w.'’/&-]+){0,3}?)(?:[ \t]*\((?P<paren>[^()]{1,30})\))?[ \t]*:(?:[ \t]+(?P<rest>\S.*))?$")
#: A chapter or log timestamp at a line's start: "[00:00] Intro", "00:01:15 — Let's start", "(12:40) Our guest".
_TIMESTAMP = re.compile(r"^[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?[\])]?(?:[ \t]*[-—–|:][ \t]*|[ \t]+)(?=\S)")
#: A line made only of rule characters: "~~~", "===", "* * *", "———", a setext underline.
_RULE = re.compile(r"(?:([-*_=~—–#•·+])[ \t]*)(?:\1[ \t]*)*")
_FENCE = re.compile(r"(`{3,}|~{3,}(?=[ \t]*\w))")
_LINK = re.compile(r"(?<!!)\[([^\[\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))+(?:[ \t]+\"[^\"]*\")?\)")
_IMAGE = re.compile(r"[ \t]*!\[[^\[\]\n]*\]\([^()\n]*\)")
_FOOTNOTE_REF = re.compile(r"\[\^[^\[\]\s]+\]")
_FOOTNOTE_DEF = re.compile(r"^\[\^[^\[\]\s]+\]:")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_GONE = "\ue000"  # marks where a comment was (a private-use character: never in a script's text)


def drop_markup(line: str) -> str:
    """A line with Markdown links read as their text, images and footnote marks dropped, a quote's ">" taken off.

    >>> drop_markup("> See [the report](https://x.org).[^1] ![map](m.png)")
    'See the report.'
    """
    line = re.sub(r"^(?:>[ \t]?)+", "", line)
    if "[" in line:
        line = _IMAGE.sub("", line)
        line = _LINK.sub(r"\1", line)
        line = _FOOTNOTE_REF.sub("", line).strip()
    return line


def drop_cues(line: str) -> str:
    """A line without the production cues inside it.

    >>> drop_cues("He paused [PAUSE] and spoke (MUSIC FADES). (SOT) The mayor (AP) spoke.")
    'He paused and spoke. The mayor (AP) spoke.'
    """
    if "(" in line or "[" in line:
        line, n = _cue_rules().inline.subn("", line)
        if n:
            line = re.sub(r"[ \t]+([.,;:!?])", r"\1", line).strip()
    return line


def speaker_label(line: str) -> tuple[str, str] | None:
    """``(label, rest)`` when the line opens with a speaker label (``rest`` is read) or a cue label (``rest`` is "").

    >>> speaker_label("SARAH JONES (REPORTER): Back to you."), speaker_label("UPSOUND: sirens")
    (('SARAH JONES (REPORTER)', 'Back to you.'), ('UPSOUND', ''))
    """
    m = _LABEL.match(line)
    if not m:
        return None
    rules = _cue_rules()
    label, rest = m.group("label"), m.group("rest") or ""
    full = line[: m.start("rest")].rstrip(" \t:") if rest else line.rstrip(" \t:")
    low = label.lower()
    if not rest:  # a label alone on its line ("NARRATION:") heads what follows
        return (full, "") if low in rules.speakers | rules.cue_labels and label[0].isupper() else None
    caps = label.isupper() and all(len(w) > 1 and re.fullmatch(r"[A-Z.'’/-]+", w) for w in label.split())
    if low in rules.cue_labels and caps:  # "UPSOUND: sirens"; "Music: the one thing that kept them going." is text
        return full, ""
    if low in rules.speakers and (caps or label[0].isupper()) or caps and (len(label.split()) >= 2 or m.group("paren")):
        return full, rest
    return None


def _cue_line(word: str, arg: str, inner: str) -> tuple[str, str] | None:
    """A bracketed line that is no directive: ``("pause", seconds)``, ``("cue", "")``, or None (a mistyped directive)."""
    rules = _cue_rules()
    m = re.fullmatch(r"(?P<w>(?:long|short|brief)\s+pause|pause|beat|silence)\s*[:\-–—]?\s*(?P<arg>.*)", inner, re.IGNORECASE)
    if m:
        value = m.group("arg")
        if not value:
            return "pause", f"{rules.pauses.get(m.group('w').lower(), 1.0):g}"
        seconds = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)?\.?", value, re.IGNORECASE)
        if seconds:
            return "pause", seconds.group(1)
        return None if m.group("w").lower() == "pause" else ("cue", "")
    first = re.split(r"[\s:]+", inner.lower(), maxsplit=1)[0]
    if first in rules.words or inner.upper() == inner or any(inner.lower().startswith(w + " ") for w in rules.words):
        return "cue", ""  # "[MUSIC UP]", "[SFX: thunder]", "[Applause]"
    # Lowercase "[word value]" is shaped like a directive ("[volume 3]", "[voise anchor]"): an error, not a cue.
    similar = difflib.get_close_matches(word.lower(), DIRECTIVES, n=1, cutoff=0.6)
    if similar or (arg and len(arg.split()) == 1):
        return None
    return "cue", ""


def _yaml_front_matter(lines: list[str], i: int) -> tuple[dict[str, str], int] | None:
    """A YAML front matter block ("---" / "key: value" lines / "---") from line ``i``: (its simple keys, next line)."""
    front: dict[str, str] = {}
    for j in range(i + 1, min(len(lines), i + 200)):
        line = lines[j].rstrip()
        if line.strip() in ("---", "..."):
            return (front, j + 1) if j > i + 1 else None
        m = re.fullmatch(r"([A-Za-z_][\w-]*):(?:\s+(.*))?", line)
        if m:
            value = (m.group(2) or "").strip().strip("\"'")
            if m.group(1).lower() in ("title", "narrator", "author", "date", "description") and value:
                front[m.group(1).lower()] = value
        elif not (line.startswith((" ", "\t", "- ")) or line.strip().startswith("#") or not line.strip()):
            return None  # prose after a rule: not front matter
    return None


# ---------------------------------------------------------------- structure

_DIRECTIVE = re.compile(r"^\[\s*([A-Za-z][\w-]*)\s*(.*?)\s*\]$")
DIRECTIVES = ("voice", "pause", "rate")
DIRECTIVE_HELP = "[voice NAME], [pause SECONDS], [rate WPM], --- (section)"


def _front_matter(lines: list[str], name: str) -> tuple[dict[str, str], int]:
    """(front matter, index of the first body line)."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].strip() == "---":
        return _yaml_front_matter(lines, i) or ({}, 0)
    if i >= len(lines) or lines[i].strip() != "+++":
        return {}, 0
    for j in range(i + 1, len(lines)):
        if lines[j].strip() == "+++":
            try:
                data = tomllib.loads("\n".join(lines[i + 1 : j]))
            except tomllib.TOMLDecodeError as exc:
                raise InputError(f"{name}:{i + 1}: front matter is not valid TOML ({exc})") from None
            known = {"title", "voice", "narrator", "language", "author", "date", "description"}
            bad = set(data) - known
            if bad:
                raise InputError(f"{name}:{i + 1}: unknown front-matter key(s) {', '.join(sorted(bad))}; known: {', '.join(sorted(known))}")
            return {k: str(v) for k, v in data.items()}, j + 1
    raise InputError(f"{name}:{i + 1}: front matter opened with +++ is never closed")


def _is_heading_line(line: str, previous: str | None, following: str) -> bool:
    """A short line inside a paragraph that heads what follows: "SCHOOLS", or "Floods in Pakistan" before a sentence."""
    if _ENDS.search(line) or line.endswith((",", "-", "—", "–")) or len(line.split()) > 8 or not following:
        return False
    if previous is not None and not _ENDS.search(previous):
        return False  # a wrapped line inside a sentence
    letters = [c for c in line if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return True
    last = line.split()[-1].lower()
    return line[0].isupper() and following[0].isupper() and last not in _word_sections().get("starters", frozenset()) and \
        last not in _skip_rules().name_connectors


#: Where a credit line may be: it has "by", a colon, a dash, "©" …: most lines have none of these.
_CREDIT_HINT = re.compile(r"\bby\b|[:|;©—–-]|copyright|contributed|credits?\b|rights reserved", re.IGNORECASE)


def parse_script(text: str, name: str = "script", max_words: int = 35, strict: bool = True) -> ParsedScript:
    """Find the script's structure. ``strict``: an unknown directive is an InputError, else a Problem."""
    if "<!--" in text:  # an HTML comment is an editor's note: each line it held is marked, and skipped below
        text = _COMMENT.sub(lambda c: "\n".join(_GONE for _ in range(c.group().count("\n") + 1)), text)
    lines = text.split("\n")
    front, first = _front_matter(lines, name)
    blocks: list[Block] = []
    problems: list[Problem] = []
    notes: list[Problem] = []
    narrator = front.get("narrator")
    para: list[tuple[int, str]] = []

    def add_credit(credits: tuple[tuple[str, str], ...], line: int, text: str) -> None:
        nonlocal narrator
        who = narrator_of(list(credits))
        if narrator is None and who:
            narrator = who
        names = "; ".join(f"{role}: {name}" if name else role for role, name in credits)
        blocks.append(Block("credit", line, text, (Sentence(text, line),), names))

    def add_text(rows: list[tuple[int, str]]) -> None:
        if not rows:
            return
        # Collapse whitespace the way split_sentences does, remembering where each line starts.
        offsets: list[int] = []
        pieces: list[str] = []
        pos = 0
        for _, t in rows:
            piece = " ".join(t.split())
            offsets.append(pos)
            pieces.append(piece)
            pos += len(piece) + 1
        joined = " ".join(pieces)

        def line_of(cursor: int) -> int:
            return rows[max(0, bisect.bisect_right(offsets, cursor) - 1)][0]

        runs = _read_paragraph(joined, max_words)
        for kind, credits, parts in runs:
            if kind == "credit":
                add_credit(credits, line_of(parts[0][1]), parts[0][0])
            elif kind == "appeal":
                blocks.append(Block("appeal", line_of(parts[0][1]), parts[0][0], (Sentence(parts[0][0], line_of(parts[0][1])),)))
            else:
                sentences = [Sentence(c, line_of(cursor), clause, last) for c, cursor, clause, last in parts]
                text = joined if len(runs) == 1 else " ".join(s.text for s in sentences)
                blocks.append(Block("paragraph", line_of(parts[0][1]), text, tuple(sentences)))

    def flush() -> None:
        if not para:
            return
        rows = list(para)
        para.clear()
        whole = " ".join(" ".join(t.split()) for _, t in rows)
        credits = credits_of(whole) if len(rows) > 1 else None
        if credits:
            add_credit(tuple(credits), rows[0][0], whole)
            return
        # A credit on a line of its own ends the text before it: "…through the night.\nWritten by Jane Doe."
        group: list[tuple[int, str]] = []
        for row in rows:
            alone = credits_of(row[1]) if len(rows) > 1 and _CREDIT_HINT.search(row[1]) else None
            if alone:
                add_text(group)
                group = []
                add_credit(tuple(alone), row[0], " ".join(row[1].split()))
            else:
                group.append(row)
        add_text(group)

    def directive(lineno: int, line: str, word: str, arg: str) -> None:
        problem = None
        if word not in DIRECTIVES or word == "pause" and not re.fullmatch(r"[\d.]+s?", arg):
            cue = _cue_line(word, arg, line[1:-1].strip())
            if cue and cue[0] == "cue":
                notes.append(Problem(lineno, line, "production cue: not narrated"))
                return
            if cue:
                word, arg = cue
            elif word == "pause":
                problem = _check_directive("pause", re.sub(r"^pause\s*[:\-–—]?\s*", "", line[1:-1].strip(), flags=re.IGNORECASE))
            else:
                problem = f"unknown directive '{line}'; known: {DIRECTIVE_HELP}"
        problem = problem or _check_directive(word, arg)
        if problem:
            if strict:
                raise InputError(f"{name}:{lineno}: {problem}")
            problems.append(Problem(lineno, line, problem))
            return
        if word == "pause":
            arg = re.sub(r"\s*(?:s|secs?|seconds?)\.?$", "", arg, flags=re.IGNORECASE) or arg
        blocks.append(Block(word, lineno, line, value=arg))

    started = False  # a heading after narrated text also starts a section
    fence = ""
    for idx in range(first, len(lines)):
        lineno = idx + 1
        line = lines[idx].strip()
        if _GONE in line:
            line = line.replace(_GONE, " ").strip()
            if not line:
                continue
        if fence:  # a fenced code block is not read
            if line.startswith(fence):
                fence = ""
            continue
        opened = _FENCE.match(line)
        if opened:
            flush()
            fence = opened.group(1)
            continue
        if not line:
            flush()
            continue
        heading = _HEADING.fullmatch(line)
        rule = _RULE.fullmatch(line)
        if rule and line[0] in "=-" and len(para) == 1 and not _ENDS.search(para[0][1]) and len(para[0][1].split()) <= 12:
            # A setext heading ("Floods\n======"): its text is a heading, the underline no words.
            heading_row = para.pop()
            if any(b.kind in ("paragraph", "credit", "appeal") for b in blocks):
                blocks.append(Block("section", heading_row[0]))
            para.append(heading_row)
            flush()
            started = True
            continue
        if heading:
            # "## Aftermath": its words are read on their own, after a section break when text came before.
            flush()
            if started:
                blocks.append(Block("section", lineno))
            para.append((lineno, _unmark(drop_cues(drop_markup(heading.group(1))))))
            flush()
            started = True
            continue
        if rule:
            # A rule of three or more marks is a section break; a lone "—" or "#" is nothing to read.
            flush()
            if len(line.replace(" ", "")) >= 3:
                blocks.append(Block("section", lineno))
            continue
        m = _DIRECTIVE.match(line)
        if m and not line.startswith("[["):
            flush()
            directive(lineno, line, m.group(1).lower() if m.group(1).lower() in DIRECTIVES else m.group(1), m.group(2))
            continue
        if _FOOTNOTE_DEF.match(line):
            flush()
            continue
        label = speaker_label(line) if ":" in line else None
        if label and not credits_of(line):
            notes.append(Problem(lineno, line, f"label '{label[0]}' " + ("dropped" if label[1] else "line: not narrated")))
            if not label[1]:
                continue
            line = label[1]
        line = drop_markup(line)
        if not line:  # an image, a footnote mark: nothing to read
            continue
        cleaned = drop_cues(line)
        if cleaned != line:
            notes.append(Problem(lineno, line, "production cue in the line: not narrated"))
            if not cleaned:
                continue
            line = cleaned
        stamp = _TIMESTAMP.match(line)
        if stamp:
            # A chapter entry "[01:15] The budget vote" is a sentence of its own, without its timestamp.
            line = line[stamp.end() :]
            line = line if _ENDS.search(line) else line + "."
            if para and not _ENDS.search(para[-1][1]):
                para[-1] = (para[-1][0], para[-1][1] + ".")
        item = _ITEM.match(line)
        if item and (not para or _ENDS.search(para[-1][1])):
            # A list item ("- Aid is slow", "2. Second") is read as a sentence of its own, without its marker.
            line = line[item.end() :]
            line = line if _ENDS.search(line) else line + "."
        elif _is_heading_line(line, para[-1][1] if para else None, lines[idx + 1].strip() if idx + 1 < len(lines) else ""):
            # "SCHOOLS\nTeachers will strike": a heading inside a paragraph is read on its own.
            flush()
            para.append((lineno, _unmark(line)))
            flush()
            started = True
            continue
        para.append((lineno, _unmark(line)))
        started = True
    flush()
    return ParsedScript(tuple(blocks), front, narrator, tuple(problems), tuple(notes))


#: Markdown, as scripts written in editors carry it: "# Title" headings, list markers, emphasis.
_HEADING = re.compile(r"#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*")
#: A list item's marker: a bullet, or a number or letter with "." or ")". An item starts a paragraph or follows
#: a line that ended a sentence or a lead-in ("Key points:"); otherwise "- and …" is a dash at a line wrap.
_ITEM = re.compile(r"(?:[-*+•‣◦▪–]|\d{1,2}[.)]|[a-z][)])[ \t]+(?=\S)")
_ENDS = re.compile(r"[.!?:;…][\"'’”)\]]*$")
_EMPHASIS = re.compile(r"(?<![\w*_`])(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1(?![\w*_`])")


def _unmark(line: str) -> str:
    """Markdown emphasis and code marks taken off their words: "**very**", "_urgent_", "`UN`" are said plainly."""
    if not any(c in line for c in "*_`"):
        return line
    for _ in range(3):  # nested: "***both***"
        line, n = _EMPHASIS.subn(r"\2", line)
        if not n:
            break
    return line


Piece = tuple[str, int, int, bool]


@functools.lru_cache(maxsize=8192)
def _read_paragraph(joined: str, max_words: int) -> tuple[tuple[str, tuple[tuple[str, str], ...], tuple[Piece, ...]], ...]:
    """What a paragraph holds, from its text alone, as runs ``(kind, credits, pieces)`` in reading order: its
    leading appeals, its narration, its other appeals, the credits closing it. A piece is (sentence or clause,
    its offset in the text, clause number or 0, last clause of its sentence); an appeal or credit run has one
    piece, its text. Kept per text: a process that renders again (``narrate watch``) re-reads only the
    paragraphs that changed (all of them took ~17 ms for 6,300 words).
    """
    credits = credits_of(joined)
    if credits:
        return (("credit", tuple(credits), ((joined, 0, 0, True),)),)
    sentences: list[tuple[str, int]] = []
    cursor = 0
    for s in split_sentences(joined):
        found = joined.find(s, cursor)
        cursor = found if found >= 0 else cursor
        sentences.append((s, cursor))
    flags = appeal_flags([s for s, _ in sentences])
    # Credits closing the paragraph: "Rescue teams worked through the night. Written by Jane Doe."
    tail = len(sentences)
    while tail > 1 and not flags[tail - 1] and _CREDIT_HINT.search(sentences[tail - 1][0]) and credits_of(sentences[tail - 1][0]):
        tail -= 1
    lead = 0
    while lead < tail and flags[lead]:
        lead += 1

    def run(kind: str, chosen: list[int]) -> tuple[str, tuple[tuple[str, str], ...], tuple[Piece, ...]]:
        first, last = sentences[chosen[0]], sentences[chosen[-1]]
        # Sentences side by side keep the text between them as written; others are joined with a space.
        together = chosen == list(range(chosen[0], chosen[-1] + 1))
        text = joined[first[1] : last[1] + len(last[0])] if together else " ".join(sentences[i][0] for i in chosen)
        credits = tuple(c for i in chosen for c in (credits_of(sentences[i][0]) or [])) if kind == "credit" else ()
        return kind, credits, ((text, first[1], 0, True),)

    runs = []
    if lead:
        runs.append(run("appeal", list(range(lead))))
    pieces: list[Piece] = []
    for (s, offset), appeal in zip(sentences[lead:tail], flags[lead:tail]):
        if appeal:
            continue
        clauses = split_clauses(s, max_words)
        at = offset
        for k, c in enumerate(clauses):
            found = joined.find(c, at)
            if found >= 0:
                at = found
            pieces.append((c, at, k + 1 if len(clauses) > 1 else 0, k == len(clauses) - 1))
    if pieces:
        runs.append(("paragraph", (), tuple(pieces)))
    later = [i for i in range(lead, tail) if flags[i]]
    if later:
        runs.append(run("appeal", later))
    if tail < len(sentences):
        runs.append(run("credit", list(range(tail, len(sentences)))))
    return tuple(runs)


def _check_directive(word: str, arg: str) -> str | None:
    if word == "voice":
        if not re.fullmatch(r"[\w.-]+", arg):
            return f"[voice NAME] needs a profile name, got '{arg}'"
    elif word == "pause":
        try:
            v = float(arg.rstrip("s"))
        except ValueError:
            return f"[pause SECONDS] needs a number of seconds, got '{arg}'"
        if not 0 <= v <= 60:
            return f"[pause {arg}] is out of range 0..60 seconds"
    elif word == "rate":
        if arg.lower() == "default":
            return None
        try:
            r = int(arg)
        except ValueError:
            return f"[rate WPM] needs words per minute or 'default', got '{arg}'"
        if not 40 <= r <= 600:
            return f"[rate {arg}] is out of range 40..600 words per minute"
    return None
