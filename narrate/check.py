"""Script -> findings a producer acts on before rendering: unknown acronyms, misspellings, ambiguous forms, skips."""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .lexicon import Lexicon
from .models import Plan, Segment, Span
from .normalize import ordinal
from .plan import MAX_SENTENCE_WORDS, Voices, build_plan
from .readability import scores
from .script import parse_script, read_script

DATA = Path(__file__).parent / "data" / "check"

#: Severity of each kind: ``warning`` findings need a decision; ``info`` ones only report.
SEVERITY = {
    "unknown-acronym": "warning",
    "spelling": "warning",
    "ambiguous": "warning",
    "typo": "warning",
    "digits-left": "warning",
    "directive": "warning",
    "empty": "warning",
    "foreign-script": "warning",
    "other-language": "info",
    "long-sentence": "info",
    "skipped": "info",
}

#: Span classes under which an all-caps token is still the acronym rule's guess (not a lexicon entry or another reading).
ACRONYM_CLASSES = frozenset({"acronym", "abbreviation", "unknown"})


@dataclass(frozen=True)
class Finding:
    """One thing to look at: ``line`` in the script, the ``text`` concerned, what is wrong and how to fix it."""

    kind: str
    line: int
    text: str
    message: str
    suggestion: str | None = None

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.kind, "warning")

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {"kind": self.kind, "line": self.line, "text": self.text, "message": self.message, "severity": self.severity}
        if self.suggestion is not None:
            doc["suggestion"] = self.suggestion
        return doc


@dataclass(frozen=True)
class ParagraphStats:
    """Readability and duration of one narrated paragraph."""

    paragraph: int
    line: int
    words: int
    reading_ease: float
    grade: float
    estimated_s: float
    voice: str
    rate_wpm: int

    def as_json(self) -> dict[str, object]:
        return {"paragraph": self.paragraph, "line": self.line, "words": self.words, "reading_ease": round(self.reading_ease, 1),
                "grade": round(self.grade, 1), "estimated_s": round(self.estimated_s, 2), "voice": self.voice, "rate_wpm": self.rate_wpm}


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    paragraphs: tuple[ParagraphStats, ...]

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    def as_json(self) -> dict[str, object]:
        return {"findings": [f.as_json() for f in self.findings], "paragraphs": [p.as_json() for p in self.paragraphs]}


# ---------------------------------------------------------------- data


def _lines(name: str) -> list[str]:
    out = []
    for raw in (DATA / name).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            out.append(raw.rstrip("\n"))
    return out


@functools.lru_cache(maxsize=1)
def _extra_words() -> frozenset[str]:
    return frozenset(w.strip().lower() for w in _lines("words.txt"))


@functools.lru_cache(maxsize=1)
def _name_prefixes() -> frozenset[str]:
    return frozenset(w.strip().lower() for w in _lines("name_prefixes.txt"))


@functools.lru_cache(maxsize=1)
def _ambiguous_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    rules = []
    for row in _lines("ambiguous.tsv"):
        pattern, _, question = row.partition("\t")
        rules.append((re.compile(pattern), question.strip()))
    return tuple(rules)


@functools.lru_cache(maxsize=1)
def _speller() -> object:
    from spellchecker import SpellChecker

    return SpellChecker(distance=2)


# ---------------------------------------------------------------- helpers


def lexicon_has(lexicon: Lexicon, term: str) -> bool:
    """Whether ``term`` (or its singular) has an entry, whichever Lexicon version is installed."""
    candidates = {term}
    if len(term) > 2 and term.endswith("s") and term[:-1].isupper():
        candidates.add(term[:-1])
    for e in getattr(lexicon, "entries", ()):
        for c in candidates:
            if e.written == c or (not getattr(e, "case_sensitive", True) and e.written.casefold() == c.casefold()):
                return True
    return False


def is_spelled(spoken: str) -> bool:
    """Whether the normalizer spelled a token out: single letters only ("I S F", "U A-V", "S V B I E D's", "S V B I E Ds")."""
    tokens = [t for t in re.split(r"[\s-]+", re.sub(r"['’]s\b", "", spoken)) if t]
    if tokens and len(tokens[-1]) == 2 and tokens[-1].endswith("s"):
        tokens[-1] = tokens[-1][0]
    return len(tokens) > 1 and all(len(t) == 1 and t.isalpha() for t in tokens)


_ONSETS = ("bl", "br", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "pl", "pr", "sc", "sk", "sl", "sm", "sn", "sp", "st", "sw", "tr", "th", "sh", "ch", "wh")
_CODAS = ("st", "nd", "nt", "ts", "ks", "ps", "ds", "ns", "ms", "ls", "rs", "ck", "sh", "ch", "th", "ng", "nk", "rt", "rd", "rm", "rn", "lt", "ld", "ft", "pt", "ct", "ss")


def pronounceable(letters: str) -> bool:
    """A rough guess whether capitals read as a word (NATO, ISIS, UNICEF) rather than letters (ISF, PMU, SVBIED).

    Only for the suggestion: what narrate does is the normalizer's decision, read from its span.
    """
    w = letters.lower()
    if len(w) < 4 or not re.fullmatch(r"[a-z]+", w):
        return False
    vowels = sum(c in "aeiou" for c in w)
    if not 0.3 <= vowels / len(w) <= 0.7 or re.search(r"[^aeiouy]{3,}|[aeiou]{3,}", w):
        return False
    if re.match(r"[^aeiou]{2}", w) and not w.startswith(_ONSETS):
        return False
    return not (re.search(r"[^aeiou]{2}$", w) and not w.endswith(_CODAS))


def _arg(value: str) -> str:
    """A shell word, in double quotes when that is safe (easier to read and edit than shlex's single quotes)."""
    return f'"{value}"' if re.fullmatch(r"[\w\s'.,-]+", value) else shlex.quote(value)


def lexicon_add_command(term: str, spell: bool, say: str | None = None, script: Path | None = None) -> str:
    """The one ``narrate lexicon add`` command that records how ``term`` is said.

    ``script``: add ``--script`` so the entry lands beside a script outside the current folder.

    >>> lexicon_add_command("NATO", spell=False)
    'narrate lexicon add NATO --say "Nato"'
    """
    head = f"narrate lexicon add {shlex.quote(term)}"
    tail = f" --script {shlex.quote(str(script))}" if script is not None else ""
    return (f"{head} --spell" if spell else f"{head} --say {_arg(say or term.capitalize())}") + tail


def _covering(spans: Iterable[Span], start: int, end: int) -> Span | None:
    for s in spans:
        if s.start <= start and end <= s.end or start <= s.start < end:
            return s
    return None


class _LineFinder:
    """The file line of a word, searched from its sentence's first line on."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")

    def find(self, word: str, from_line: int) -> int:
        for i in range(max(from_line - 1, 0), min(len(self.lines), from_line + 200)):
            if word in self.lines[i]:
                return i + 1
        return from_line


# ---------------------------------------------------------------- checks

_ACRONYM = re.compile(r"(?<![\w-])([A-Z][A-Z0-9&]*[A-Z](?:s|['’]s)?)(?![\w-])")
_WORD = re.compile(r"(?<![\w'’-])[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*")


def _headline_word(text: str, m: re.Match[str], term: str) -> bool:
    """A common English word inside a run of words in capitals (a headline), which the normalizer reads as words."""
    from .normalize.acronym import common_words, shouted

    return shouted(text, m.start(1), m.end(1)) and term.lower() in common_words()


def check_acronyms(plan: Plan, voices: Voices, where: _LineFinder, script: Path | None = None) -> list[Finding]:
    seen: dict[str, Finding] = {}
    counts: dict[str, int] = {}
    for seg in plan.narrated:
        lexicon = voices.lexicon(seg.voice)
        for m in _ACRONYM.finditer(seg.text):
            token = m.group(1)
            term = re.sub(r"(?:['’]s|(?<=[A-Z])s)$", "", token)
            if len(term) < 2 or lexicon_has(lexicon, term):
                continue
            span = _covering(seg.spans, m.start(1), m.end(1))
            if span is not None and span.cls not in ACRONYM_CLASSES:
                continue  # a lexicon entry, or part of another reading ("10:30 GMT", "US$5", "5 KM")
            if span is not None and not span.spoken.strip():
                continue  # left unsaid here: "(CBI)" right after "Central Bank of Iraq"
            if span is not None and not is_spelled(span.spoken) and _headline_word(seg.text, m, term):
                continue  # "FIRE AT THE PORT": a headline in capitals, read word by word, is no acronym to confirm
            counts[term] = counts.get(term, 0) + 1
            if term in seen:
                continue
            if span is None or span.spoken == span.written:
                rule, spelled = "will be passed to the engine as written (it may read it as a word)", False
            elif is_spelled(span.spoken):
                rule, spelled = f'will be spelled "{span.spoken}"', True
            else:
                rule, spelled = f'will be read as the word "{span.spoken}"', False
            want_spell = not pronounceable(term)
            advice = "add it to the lexicon to confirm" if want_spell == spelled else "if that is wrong, add it to the lexicon"
            seen[term] = Finding("unknown-acronym", where.find(term, seg.line), term, f"{term} has no lexicon entry: it {rule}; {advice}",
                                 lexicon_add_command(term, want_spell, script=script))
    out = []
    for term, f in seen.items():
        if counts[term] > 1:
            f = Finding(f.kind, f.line, f.text, f"{f.message} ({counts[term]} times)", f.suggestion)
        out.append(f)
    return out


def _name_context(words: list[tuple[int, str]], i: int) -> bool:
    """A word inside a run of name words: after "Tal", "Abu", "al-" … or between capitalized words."""
    if i > 0 and words[i - 1][1].lower().strip("'’") in _name_prefixes():
        return True
    return False


def check_spelling(plan: Plan, voices: Voices, where: _LineFinder, script: Path | None = None) -> list[Finding]:
    speller = _speller()
    known_extra = _extra_words()
    # Words written capitalized mid-sentence anywhere are names the script uses on purpose.
    names: set[str] = set()
    segs = plan.narrated
    tokens_per_seg: list[list[tuple[int, str]]] = []
    for seg in segs:
        toks = [(m.start(), m.group()) for m in _WORD.finditer(seg.text)]
        tokens_per_seg.append(toks)
        for k, (_, w) in enumerate(toks):
            if k > 0 and w[0].isupper():
                names.add(w.lower())
    findings: list[Finding] = []
    flagged: set[str] = set()
    for seg, toks in zip(segs, tokens_per_seg):
        lexicon = voices.lexicon(seg.voice)
        for k, (start, word) in enumerate(toks):
            if _covering(seg.spans, start, start + len(word)) is not None:
                continue  # the normalizer has a reading for it (acronym, unit, lexicon …)
            clean = re.sub(r"['’](?:s|d|ll|re|ve|t)?$", "", word.replace("’", "'")).strip("'")
            if not clean or clean.isupper() or lexicon_has(lexicon, clean) or lexicon_has(lexicon, word):
                continue
            if word[0].isupper() and (k > 0 or clean.lower() in names):
                continue  # a name or a proper noun
            if _name_context(toks, k):
                continue
            parts = clean.split("-")
            if any(p[:1].isupper() for p in parts) and len(parts) > 1:
                continue  # al-Muhandis, Syrian-Iraqi, US-backed
            bad = [p for p in parts if p.lower() not in known_extra and speller.unknown([p.lower()])  # type: ignore[attr-defined]
                   and not _british(p.lower(), speller)]
            if not bad:
                continue
            lower = clean.lower()
            if lower in flagged:
                continue
            fix = speller.correction(lower) if len(parts) == 1 else None  # type: ignore[attr-defined]
            if word[0].isupper() and (not fix or fix == lower):
                continue  # sentence-initial and nothing close: most likely a name
            flagged.add(lower)
            line = where.find(word, seg.line)
            if fix and fix != lower:
                findings.append(Finding("spelling", line, word, f'"{word}" is probably a misspelling of "{fix}"', fix))
            else:
                findings.append(Finding("spelling", line, word, f'"{word}" is not in the dictionary; if it is a name, add how it is said',
                                        lexicon_add_command(clean, spell=False, say=clean, script=script)))
    return findings


#: British spellings and their American forms, the dictionary's: "defences", "criticised", "kilometres", "dialling".
_BRITISH = (
    (re.compile(r"our(?=s?$|ed$|ing$|ite|able|ful|less|ism|ist)"), "or"),  # colour, favourite, honourable
    (re.compile(r"is(?=e[sd]?$|ing$|ation|ations$|er|ers$)"), "iz"),  # criticised, organisation
    (re.compile(r"ys(?=e[sd]?$|ing$)"), "yz"),  # analysed, paralysing
    (re.compile(r"tre(?=s?$|d$)"), "ter"),  # kilometres, centred
    (re.compile(r"ence(?=s?$)"), "ense"),  # defence, licence, offence
    (re.compile(r"([aeiou])ll(?=ed$|ing$|er$|ers$)"), r"\1l"),  # travelled, dialling, modeller
    (re.compile(r"ogue(?=s?$)"), "og"),  # catalogue, dialogue
    (re.compile(r"amme(?=s?$|d$)"), "am"),  # programme
    (re.compile(r"ae|oe"), "e"),  # paediatric, manoeuvre
)


def _british(word: str, speller: object) -> bool:
    """Whether ``word`` is a British spelling of a word the (American) dictionary knows."""
    for pattern, american in _BRITISH:
        variant = pattern.sub(american, word)
        if variant != word and not speller.unknown([variant]):  # type: ignore[attr-defined]
            return True
    return False


def check_ambiguous(plan: Plan, where: _LineFinder) -> list[Finding]:
    out = []
    for seg in plan.narrated:
        for unknown in (s for s in seg.spans if s.cls == "unknown"):
            out.append(Finding("ambiguous", where.find(unknown.written, seg.line), unknown.written,
                               f'narrate has no rule for this form and reads it as "{unknown.spoken}"; write it as it should be said'))
        for pattern, question in _ambiguous_rules():
            for m in pattern.finditer(seg.text):
                span = _covering(seg.spans, m.start(), m.end())
                chosen = f'; narrate reads it as "{span.spoken}"' if span is not None else ""
                out.append(Finding("ambiguous", where.find(m.group(), seg.line), m.group(), f"{question}{chosen}"))
        # a reading the normalizer itself marked as a guess ("300m": metres or million), unless a rule above asked already
        asked = [f.text for f in out]
        for span in (s for s in seg.spans if s.ambiguous and not any(a in s.written or s.written in a for a in asked)):
            out.append(Finding("ambiguous", where.find(span.written, seg.line), span.written,
                               f'narrate had to guess how to read this and says "{span.spoken}"; write it as it should be said'))
    return out


def check_typos(plan: Plan, where: _LineFinder) -> list[Finding]:
    """Ordinals with the wrong suffix ("21th"): the normalizer reads them as written ("twenty one T H")."""
    out = []
    for seg in plan.narrated:
        for m in re.finditer(ordinal.PATTERN, seg.text):
            fix = ordinal.wrong_suffix(m.group())
            if fix is not None:
                out.append(Finding("typo", where.find(m.group(), seg.line), m.group(),
                                   f'"{m.group()}" has the wrong ordinal suffix and will be read as written; did you mean "{fix}"?', fix))
    return out


def check_foreign_scripts(plan: Plan, voices: Voices, where: _LineFinder, beside: Path | None = None) -> list[Finding]:
    """Text in another writing system: spoken by the engine's voice for it, or mangled by this voice."""
    from .engines import VoiceInfo, create_engine
    from .errors import NarrateError
    from .language import SCRIPT_LANGUAGE, dominant_language, foreign_runs, voice_for_language

    out: list[Finding] = []
    installed: dict[str, list[VoiceInfo]] = {}
    for seg in plan.narrated:
        runs = foreign_runs(seg.spoken)
        if not runs:
            continue
        profile = voices.get(seg.voice)
        if profile.engine not in installed:
            try:
                installed[profile.engine] = create_engine(profile.engine).list_voices()
            except NarrateError:
                installed[profile.engine] = []
        lang = dominant_language(seg.spoken)
        if lang is not None:
            other = voice_for_language(installed[profile.engine], lang)
            if other is not None:
                out.append(Finding("other-language", seg.line, runs[0][1][:60],
                                   f"{seg.id} is in {runs[0][0].title()} script: it will be spoken by {profile.engine}'s '{other.id}' voice"))
                continue
        for script, run in runs:
            language = SCRIPT_LANGUAGE.get(script, "")
            has = language and voice_for_language(installed[profile.engine], language) is not None
            why = "inside English text" if has else f"and {profile.engine} has no voice for it"
            out.append(Finding("foreign-script", where.find(run.split()[0], seg.line), run,
                               f"{script.title()} script {why}: the '{seg.voice}' voice cannot say it; write how it sounds in Latin letters",
                               lexicon_add_command(run, spell=False, say="…", script=beside)))
    return out


def check_digits(plan: Plan) -> list[Finding]:
    out = []
    for seg in plan.narrated:
        left = re.findall(r"\S*\d\S*", seg.spoken)
        if left:
            out.append(Finding("digits-left", seg.line, ", ".join(dict.fromkeys(left)),
                               f"{seg.id}: the normalizer left digits in the spoken text; the engine will guess how to read them",
                               "write the number in words, or report the form to the normalizer"))
    return out


def check_long_sentences(plan: Plan, max_words: int) -> list[Finding]:
    groups: dict[tuple[int, int], list[Segment]] = {}
    for seg in plan.narrated:
        if re.search(r"s\d+[a-z]$", seg.id):
            groups.setdefault((seg.paragraph, seg.sentence), []).append(seg)
    out = []
    for parts in groups.values():
        words = sum(len(p.text.split()) for p in parts)
        first = parts[0].text
        preview = first if len(first) <= 60 else first[:57] + "…"
        cuts = " | ".join(p.text.split()[-1] for p in parts[:-1])
        out.append(Finding("long-sentence", parts[0].line, preview,
                           f"{words} words (over {max_words}): will be split into {len(parts)} parts after: {cuts}",
                           "split it yourself where a narrator would breathe"))
    return out


def check_skipped(plan: Plan) -> list[Finding]:
    out = []
    for seg in plan.segments:
        if seg.kind in ("credit", "appeal"):
            what = "credit line" if seg.kind == "credit" else "support appeal"
            text = seg.text if len(seg.text) <= 60 else seg.text[:57] + "…"
            out.append(Finding("skipped", seg.line, text, f"{what}: will not be narrated"))
    return out


def paragraph_stats(plan: Plan) -> list[ParagraphStats]:
    paras: dict[int, list[Segment]] = {}
    for seg in plan.narrated:
        paras.setdefault(seg.paragraph, []).append(seg)
    out = []
    for no, segs in paras.items():
        text = " ".join(s.text for s in segs)
        spoken = " ".join(s.spoken for s in segs)
        ease, grade = scores(text, len({s.sentence for s in segs}))
        out.append(ParagraphStats(no, segs[0].line, len(spoken.split()), ease, grade, sum(s.estimated_s + s.pause_after_s for s in segs),
                                  segs[0].voice, segs[0].rate_wpm))
    return out


# ---------------------------------------------------------------- entry points


def check_report(path: Path, voice: str | None = None, max_words: int = MAX_SENTENCE_WORDS) -> CheckReport:
    """Every finding for the script at ``path`` plus its per-paragraph readability."""
    path = Path(path)
    text = read_script(path)
    parsed = parse_script(text, name=str(path), max_words=max_words, strict=False)
    voices = Voices(path.resolve().parent)
    plan = build_plan(path, voice=voice, max_words=max_words, strict=False, voices=voices, allow_empty=True)
    where = _LineFinder(text)
    findings: list[Finding] = [Finding("directive", p.line, p.text, p.message) for p in parsed.problems]
    if not plan.narrated:
        findings.append(Finding("empty", 1, path.name, "nothing to narrate: every paragraph is a credit, an appeal or a directive"))
    # The project lexicon is the one beside the script; name it when that is not the current folder.
    beside = None if path.resolve().parent == Path.cwd().resolve() else path
    findings += check_acronyms(plan, voices, where, beside)
    findings += check_spelling(plan, voices, where, beside)
    findings += check_ambiguous(plan, where)
    findings += check_typos(plan, where)
    findings += check_digits(plan)
    findings += check_foreign_scripts(plan, voices, where, beside)
    findings += check_long_sentences(plan, max_words)
    findings += check_skipped(plan)
    # production cues and speaker labels the parser left unread on purpose
    findings += [Finding("skipped", n.line, n.text, n.message) for n in parsed.notes]
    findings.sort(key=lambda f: (f.line, f.kind))
    return CheckReport(tuple(findings), tuple(paragraph_stats(plan)))


def check_script(path: Path, voice: str | None = None) -> list[Finding]:
    """The findings for the script at ``path``, in script order."""
    return list(check_report(path, voice).findings)
