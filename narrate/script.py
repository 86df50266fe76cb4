"""Script text -> blocks: front matter, directives, paragraphs, sentences, credits and appeals.

The parser knows nothing of voices or normalization (``plan.py`` adds them);
it only finds the structure a narrator sees on the page.
"""

from __future__ import annotations

import bisect
import codecs
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
def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
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
    return frozenset(sections.get("title", ())), frozenset(sections.get("other", ()))


_STARTERS = frozenset(
    "the a an it its he she they we i this that these those there in on at as after before but and so yet "
    "according some about earlier later meanwhile however thus still since when while if what who why how "
    "his her their our my one two three four five six seven eight nine ten many most several other others "
    "militants forces officials reports sources".split()
)

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
    if punct != ".":
        # "!" and "?" end a sentence unless the next word is plainly lowercase prose.
        return not first.islower()
    word = _word_before(text, m.start(1))
    low = word.lower().rstrip(".")
    titles, others = _abbreviations()
    next_word = re.match(r"[\w’']+", nxt)
    nw = next_word.group().lower() if next_word else ""
    if first.islower():
        return False
    if depth > 0:  # inside a parenthesis: "(pop. 2,000)"
        return False
    if low in titles and "." not in word:
        return False
    if re.fullmatch(r"[A-Z]", word):  # an initial: "J. Smith", "George W. Bush"
        return False
    if "." in word.rstrip("."):  # U.S., a.m., J.P., e.g.
        return nw in _STARTERS
    if low in others:
        if first.isdigit():  # "Oct. 12", "No. 5"
            return False
        # "etc." or "Inc." before a capital usually ends the sentence; "vs." and "approx." never do.
        return low not in _NEVER_FINAL or nw in _STARTERS
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
        if _is_boundary(text, m, depth):
            piece = text[start : m.end(2)].strip()
            if piece:
                out.append(piece)
            start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


# Clause boundaries, strongest first; each a regex whose match END is where the split goes.
_CLAUSE_SPLITS = (
    re.compile(r"[;:]\s+"),
    re.compile(r"\s+[—–]\s+|—"),
    re.compile(r",\s+(?=(?:and|but|or|so|yet|while|whereas|which|who|where|when|although|though|because|since|after|before|as|if|unless|until)\b)"),
    re.compile(r",\s+"),
    re.compile(r"\s+(?=(?:and|but|while|which|because|although|whereas)\b)"),
    re.compile(r"\s+"),
)


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
        for pattern in _CLAUSE_SPLITS:
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
    for pattern in _CLAUSE_SPLITS:
        best = None
        for m in pattern.finditer(text, lo, hi):
            cut = m.end()
            # A cut must leave at least a few words on each side.
            k = bisect.bisect_left(starts, cut)
            if k - first < 4 or last - k < 4:
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
    strong: tuple[re.Pattern[str], ...]
    weak: tuple[re.Pattern[str], ...]
    #: All strong (weak) patterns as one alternation: one search instead of ten per paragraph (None: not combinable).
    any_strong: re.Pattern[str] | None = None
    any_weak: re.Pattern[str] | None = None


def _any_of(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """One pattern that matches where any of ``patterns`` does; None when a capturing group (a backreference's
    number) would change meaning in the alternation, or the flags differ."""
    if not patterns or any(p.groups or p.flags != patterns[0].flags for p in patterns):
        return None
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)


@functools.lru_cache(maxsize=1)
def _skip_rules() -> SkipRules:
    data = tomllib.loads((DATA / "skip_patterns.toml").read_text(encoding="utf-8"))
    credit = data["credit"]
    appeal = data["appeal"]
    roles = "|".join(re.escape(r) for r in sorted(credit["roles"], key=len, reverse=True))
    qualifiers = "|".join(re.escape(q) for q in credit.get("qualifiers", []))
    qualified = rf"(?:(?:{qualifiers})[\s-]+)?" if qualifiers else ""
    role = rf"(?P<role>(?:{qualified}(?:{roles})\s*(?:,|&|and)?\s*){{1,4}})"
    strong = tuple(re.compile(p, re.IGNORECASE) for p in appeal["strong"])
    weak = tuple(re.compile(p, re.IGNORECASE) for p in appeal["weak"])
    return SkipRules(
        credit_max_words=int(credit["max_words"]),
        credit=(re.compile(rf"^{role}\s*(?:by|:|-|–|—)\s*:?\s*(?P<name>[^:;|]{{2,80}}?)\s*\.?$", re.IGNORECASE), _BYLINE),
        narrator_roles=frozenset(r.lower() for r in credit["narrator_roles"]),
        strong=strong,
        weak=weak,
        any_strong=_any_of(strong),
        any_weak=_any_of(weak),
    )


#: A byline alone: "By John Smith", "By Jane Doe, Staff Writer" (a name of two to four capitalized words, maybe a
#: title after a comma); "By Monday, the army had advanced" is a sentence.
_BYLINE = re.compile(r"^(?P<role>[Bb]y)\s+(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})"
                     r"(?:\s*,\s*(?:[A-Z][\w'’.-]*\s*){1,4})?\.?$")


def credits_of(paragraph: str) -> list[tuple[str, str]] | None:
    """[(role, name), …] when every part of the paragraph is a credit, else None.

    >>> credits_of("Written and produced by Ana Ruiz. Voiceover by Sam Okafor.")
    [('written and produced', 'Ana Ruiz'), ('voiceover', 'Sam Okafor')]
    """
    rules = _skip_rules()
    text = paragraph.strip()
    if len(text.split()) > rules.credit_max_words:
        return None
    parts = [p for p in re.split(r"(?<=[^A-Z]\.)\s+|\s*[;|]\s*", text) if p.strip()]
    found: list[tuple[str, str]] = []
    for part in parts:
        for pattern in rules.credit:
            m = pattern.match(part.strip())
            if m:
                found.append((re.sub(r"\s+", " ", m.group("role")).strip(" ,&").lower(), m.group("name").strip()))
                break
        else:
            return None
    return found or None


def narrator_of(credits: list[tuple[str, str]]) -> str | None:
    roles = _skip_rules().narrator_roles
    for role, name in credits:
        words = re.split(r"\s*(?:,|&|\band\b)\s*", role)
        if any(w.strip() in roles for w in words):
            return name
    return None


#: An appeal is a short paragraph; longer ones are reporting that may mention donations.
APPEAL_MAX_WORDS = 150


def is_appeal(paragraph: str) -> bool:
    rules = _skip_rules()
    if paragraph.count(" ") >= APPEAL_MAX_WORDS:
        return False
    # Most paragraphs have no cue at all: one search of each combined pattern says so (~10 ms of a 5,000-word plan).
    if rules.any_strong is not None:
        if rules.any_strong.search(paragraph):
            return True
    elif any(p.search(paragraph) for p in rules.strong):
        return True
    if rules.any_weak is not None and not rules.any_weak.search(paragraph):
        return False
    return sum(1 for p in rules.weak if p.search(paragraph)) >= 2


# ---------------------------------------------------------------- structure

_DIRECTIVE = re.compile(r"^\[\s*([A-Za-z][\w-]*)\s*(.*?)\s*\]$")
DIRECTIVES = ("voice", "pause", "rate")
DIRECTIVE_HELP = "[voice NAME], [pause SECONDS], [rate WPM], --- (section)"


def _front_matter(lines: list[str], name: str) -> tuple[dict[str, str], int]:
    """(front matter, index of the first body line)."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
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


def parse_script(text: str, name: str = "script", max_words: int = 35, strict: bool = True) -> ParsedScript:
    """Find the script's structure. ``strict``: an unknown directive is an InputError, else a Problem."""
    lines = text.split("\n")
    front, first = _front_matter(lines, name)
    blocks: list[Block] = []
    problems: list[Problem] = []
    narrator = front.get("narrator")
    para: list[tuple[int, str]] = []

    def flush() -> None:
        nonlocal narrator
        if not para:
            return
        start_line = para[0][0]
        # Collapse whitespace the way split_sentences does, remembering where each line starts.
        offsets: list[int] = []
        rows: list[int] = []
        pieces: list[str] = []
        pos = 0
        for row, t in para:
            piece = " ".join(t.split())
            offsets.append(pos)
            rows.append(row)
            pieces.append(piece)
            pos += len(piece) + 1
        joined = " ".join(pieces)
        para.clear()

        def line_of(cursor: int) -> int:
            return rows[max(0, bisect.bisect_right(offsets, cursor) - 1)]

        kind, credits, parts = _read_paragraph(joined, max_words)
        if kind == "credit":
            who = narrator_of(list(credits))
            if narrator is None and who:
                narrator = who
            names = "; ".join(f"{role}: {name}" for role, name in credits)
            blocks.append(Block("credit", start_line, joined, (Sentence(joined, start_line),), names))
            return
        if kind == "appeal":
            blocks.append(Block("appeal", start_line, joined, (Sentence(joined, start_line),)))
            return
        sentences = [Sentence(c, line_of(cursor), clause, last) for c, cursor, clause, last in parts]
        if sentences:
            blocks.append(Block("paragraph", start_line, joined, tuple(sentences)))

    started = False  # a heading after narrated text also starts a section
    for idx in range(first, len(lines)):
        lineno = idx + 1
        line = lines[idx].strip()
        if not line:
            flush()
            continue
        heading = _HEADING.fullmatch(line)
        if heading:
            # "## Aftermath": its words are read on their own, after a section break when text came before.
            flush()
            if started:
                blocks.append(Block("section", lineno))
            para.append((lineno, _unmark(heading.group(1))))
            flush()
            started = True
            continue
        if re.fullmatch(r"(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}", line):
            flush()
            blocks.append(Block("section", lineno))
            continue
        m = _DIRECTIVE.match(line)
        if m and not line.startswith("[["):
            flush()
            word, arg = m.group(1).lower(), m.group(2)
            if word not in DIRECTIVES:
                msg = f"unknown directive '{line}'; known: {DIRECTIVE_HELP}"
                if strict:
                    raise InputError(f"{name}:{lineno}: {msg}")
                problems.append(Problem(lineno, line, msg))
                continue
            problem = _check_directive(word, arg)
            if problem:
                if strict:
                    raise InputError(f"{name}:{lineno}: {problem}")
                problems.append(Problem(lineno, line, problem))
                continue
            blocks.append(Block(word, lineno, line, value=arg))
            continue
        item = _ITEM.match(line)
        if item and (not para or _ENDS.search(para[-1][1])):
            # A list item ("- Aid is slow", "2. Second") is read as a sentence of its own, without its marker.
            line = line[item.end() :]
            line = line if _ENDS.search(line) else line + "."
        para.append((lineno, _unmark(line)))
        started = True
    flush()
    return ParsedScript(tuple(blocks), front, narrator, tuple(problems))


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


@functools.lru_cache(maxsize=8192)
def _read_paragraph(joined: str, max_words: int) -> tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, int, int, bool], ...]]:
    """What a paragraph is, from its text alone: ``("credit", credits, ())``, ``("appeal", (), ())``, or
    ``("paragraph", (), pieces)``, a piece being (sentence or clause, its offset in the text, clause number
    or 0, last clause of its sentence). Kept per text: a process that renders again (``narrate watch``)
    re-reads only the paragraphs that changed (all of them took ~17 ms for 6,300 words).
    """
    credits = credits_of(joined)
    if credits:
        return "credit", tuple((role, name) for role, name in credits), ()
    if is_appeal(joined):
        return "appeal", (), ()
    pieces: list[tuple[str, int, int, bool]] = []
    cursor = 0
    for s in split_sentences(joined):
        clauses = split_clauses(s, max_words)
        for k, c in enumerate(clauses):
            found = joined.find(c, cursor)
            if found >= 0:
                cursor = found
            pieces.append((c, cursor, k + 1 if len(clauses) > 1 else 0, k == len(clauses) - 1))
    return "paragraph", (), tuple(pieces)


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
