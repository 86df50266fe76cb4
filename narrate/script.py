"""Script text -> blocks: front matter, directives, paragraphs, sentences, credits and appeals.

The parser knows nothing of voices or normalization (``plan.py`` adds them);
it only finds the structure a narrator sees on the page.
"""

from __future__ import annotations

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

_NEVER_FINAL = frozenset({"no", "nos", "vs", "fig", "figs", "vol", "vols", "pp", "approx", "est", "cf"})

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)")


def _word_before(text: str, end: int) -> str:
    m = re.search(r"([A-Za-z][A-Za-z.'’-]*)$", text[:end])
    return m.group(1) if m else ""


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    punct = m.group(1)
    rest = text[m.end() :]
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
    before = text[: m.start()]
    if before.count("(") > before.count(")"):  # inside a parenthesis: "(pop. 2,000)"
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
    for m in _BOUNDARY.finditer(text):
        if _is_boundary(text, m):
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
    """Split a sentence longer than ``max_words`` at its strongest clause boundary nearest the middle."""
    words = sentence.split()
    if len(words) <= max_words:
        return [sentence]
    for pattern in _CLAUSE_SPLITS:
        cuts = [m.end() for m in pattern.finditer(sentence) if 0 < m.end() < len(sentence)]
        # A cut must leave at least a few words on each side.
        cuts = [c for c in cuts if len(sentence[:c].split()) >= 4 and len(sentence[c:].split()) >= 4]
        if not cuts:
            continue
        middle = len(sentence) / 2
        cut = min(cuts, key=lambda c: abs(c - middle))
        left, right = sentence[:cut].strip(), sentence[cut:].strip()
        return split_clauses(left, max_words) + split_clauses(right, max_words)
    return [sentence]


# ---------------------------------------------------------------- credits and appeals


@functools.lru_cache(maxsize=1)
def _skip_rules() -> dict[str, object]:
    data = tomllib.loads((DATA / "skip_patterns.toml").read_text(encoding="utf-8"))
    credit = data["credit"]
    appeal = data["appeal"]
    roles = "|".join(re.escape(r) for r in sorted(credit["roles"], key=len, reverse=True))
    role = rf"(?P<role>(?:(?:{roles})\s*(?:,|&|and)?\s*){{1,4}})"
    return {
        "credit_max": int(credit["max_words"]),
        "credit": [
            re.compile(rf"^{role}\s*(?:by|:|-|–|—)\s*:?\s*(?P<name>[^:;|]{{2,80}}?)\s*\.?$", re.IGNORECASE),
        ],
        "narrator_roles": {r.lower() for r in credit["narrator_roles"]},
        "strong": [re.compile(p, re.IGNORECASE) for p in appeal["strong"]],
        "weak": [re.compile(p, re.IGNORECASE) for p in appeal["weak"]],
    }


def credits_of(paragraph: str) -> list[tuple[str, str]] | None:
    """[(role, name), …] when every part of the paragraph is a credit, else None.

    >>> credits_of("Written and produced by Ana Ruiz. Voiceover by Sam Okafor.")
    [('written and produced', 'Ana Ruiz'), ('voiceover', 'Sam Okafor')]
    """
    rules = _skip_rules()
    text = paragraph.strip()
    if len(text.split()) > int(rules["credit_max"]):  # type: ignore[call-overload]
        return None
    parts = [p for p in re.split(r"(?<=[^A-Z]\.)\s+|\s*[;|]\s*", text) if p.strip()]
    found: list[tuple[str, str]] = []
    for part in parts:
        for pattern in rules["credit"]:  # type: ignore[attr-defined]
            m = pattern.match(part.strip())
            if m:
                found.append((re.sub(r"\s+", " ", m.group("role")).strip(" ,&").lower(), m.group("name").strip()))
                break
        else:
            return None
    return found or None


def narrator_of(credits: list[tuple[str, str]]) -> str | None:
    roles = _skip_rules()["narrator_roles"]
    for role, name in credits:
        words = re.split(r"\s*(?:,|&|\band\b)\s*", role)
        if any(w.strip() in roles for w in words):  # type: ignore[operator]
            return name
    return None


def is_appeal(paragraph: str) -> bool:
    rules = _skip_rules()
    if any(p.search(paragraph) for p in rules["strong"]):  # type: ignore[attr-defined]
        return True
    return sum(1 for p in rules["weak"] if p.search(paragraph)) >= 2  # type: ignore[attr-defined]


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
        joined = " ".join(t.strip() for _, t in para)
        para.clear()
        credits = credits_of(joined)
        if credits:
            who = narrator_of(credits)
            if narrator is None and who:
                narrator = who
            names = "; ".join(f"{role}: {name}" for role, name in credits)
            blocks.append(Block("credit", start_line, joined, (Sentence(joined, start_line),), names))
            return
        if is_appeal(joined):
            blocks.append(Block("appeal", start_line, joined, (Sentence(joined, start_line),)))
            return
        sentences: list[Sentence] = []
        for s in split_sentences(joined):
            clauses = split_clauses(s, max_words)
            for k, c in enumerate(clauses):
                sentences.append(Sentence(c, start_line, k + 1 if len(clauses) > 1 else 0, k == len(clauses) - 1))
        if sentences:
            blocks.append(Block("paragraph", start_line, joined, tuple(sentences)))

    for idx in range(first, len(lines)):
        lineno = idx + 1
        line = lines[idx].strip()
        if not line:
            flush()
            continue
        if re.fullmatch(r"-{3,}|\*{3,}|_{3,}", line):
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
        para.append((lineno, line))
    flush()
    # Each sentence's line: find where its first words stand in the file.
    blocks = [_locate(b, lines) for b in blocks]
    return ParsedScript(tuple(blocks), front, narrator, tuple(problems))


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


def _locate(block: Block, lines: list[str]) -> Block:
    if not block.sentences or len(block.sentences) == 1:
        return block
    located: list[Sentence] = []
    row = block.line - 1
    for s in block.sentences:
        probe = " ".join(s.text.split()[:3])
        for r in range(row, min(len(lines), row + 200)):
            if probe and probe in " ".join(lines[r].split()):
                row = r
                break
        located.append(Sentence(s.text, row + 1, s.clause, s.last_clause))
    return Block(block.kind, block.line, block.text, tuple(located), block.value)
