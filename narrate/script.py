"""Script text -> blocks: front matter, directives, production cues and markup, paragraphs.

The parser knows nothing of voices or normalization (``plan.py`` adds them);
it only finds the structure a narrator sees on the page. Sentences and clauses are ``sentences.py``'s;
credits and appeals ``skip.py``'s.
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
from .sentences import split_clauses, split_sentences, word_sections
from .skip import alternation, appeal_flags, credits_of, narrator_of, skip_rules

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


def _utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when text saved as UTF-16 without its BOM: nearly every other byte NUL (Latin text)."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    for encoding, zeros, chars in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
        if zeros.count(0) >= 0.9 * pairs and chars.count(0) <= 0.01 * pairs:
            return encoding
    return None


def decode_script(raw: bytes, name: str = "script") -> str:
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[3:], "utf-8"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        if b"\x00" in raw[:65536]:
            encoding = _utf16_without_bom(raw[:65536]) or ""
            if not encoding:
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
    words = alternation(cue["words"], escape=True)
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
    return line[0].isupper() and following[0].isupper() and last not in word_sections().get("starters", frozenset()) and \
        last not in skip_rules().name_connectors


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
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            # a Markdown table: the rule under its head is dropped, each row read as a sentence of its cells
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(_TABLE_RULE.fullmatch(c) for c in cells):
                continue
            line = ", ".join(c for c in cells if c)
            line = line if _ENDS.search(line) else line + "."
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
            # A list item ("- Aid is slow", "2. Second") is read as a sentence of its own, without its marker
            # (and a task list's box: "- [x] Done").
            line = re.sub(r"^\[[ xX]\][ \t]+", "", line[item.end() :])
            line = line if _ENDS.search(line) else line + "."
            if re.match(r"[a-z]+\b", line):  # "- check the figure": a sentence of its own, as its capital says
                line = line[0].upper() + line[1:]
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
#: A cell of the rule under a Markdown table's head: "---", ":--:", "" (an empty cell between pipes).
_TABLE_RULE = re.compile(r":?-{3,}:?|")
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
