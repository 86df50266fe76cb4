"""Pronunciation lexicons: TOML layers (package -> profile -> project, later wins), W3C PLS 1.0 in and out.

A lexicon file holds one table per term under ``[terms]``::

    [terms.ISF]
    spell = true
    expand = "Iraqi security forces"

    [terms.Qayrawan]
    say = "Kay ra wan"
    phonemes = "k'eIr@w,A:n"
    case_sensitive = false
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import atomic
from .errors import InputError
from .filememo import by_file

PACKAGE_LEXICON = Path(__file__).parent / "data" / "lexicon.toml"
PROJECT_LEXICON_NAME = "lexicon.toml"
PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
_FIELDS = {"say", "spell", "phonemes", "case_sensitive", "expand"}


@dataclass(frozen=True)
class Entry:
    """One term: ``say`` (alias words), ``spell`` (letter by letter) or ``phonemes`` (with ``say`` as fallback)."""

    written: str
    say: str | None = None
    spell: bool = False
    phonemes: str | None = None
    case_sensitive: bool = True
    expand: str | None = None
    source: str = ""

    def as_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.say is not None:
            out["say"] = self.say
        if self.spell:
            out["spell"] = True
        if self.phonemes is not None:
            out["phonemes"] = self.phonemes
        if not self.case_sensitive:
            out["case_sensitive"] = False
        if self.expand is not None:
            out["expand"] = self.expand
        return out

    def describe(self) -> str:
        """How the entry is spoken, for listings: ``say "…"``, ``spell``, ``phonemes /…/``."""
        how = ["spell"] if self.spell else []
        if self.say is not None:
            how.append(f'say "{self.say}"')
        if self.phonemes is not None:
            how.append(f"phonemes [{self.phonemes}]")
        if self.expand:
            how.append(f'expand "{self.expand}"')
        if not self.case_sensitive:
            how.append("any case")
        return ", ".join(how)


@dataclass(frozen=True)
class Lexicon:
    """The merged entries of every layer (hashable, so compiled matchers can be cached per lexicon)."""

    entries: tuple[Entry, ...] = ()
    sources: tuple[Path, ...] = field(default_factory=tuple)

    def get(self, written: str) -> Entry | None:
        for e in self.entries:
            if e.written == written or (not e.case_sensitive and e.written.casefold() == written.casefold()):
                return e
        return None


def _line_of(raw: str, term: str) -> int:
    """The line of ``raw`` that defines ``term`` (1 when it cannot be found)."""
    pat = re.compile(r"^[ \t]*\[?[ \t]*(?:terms\.)?[\"']?" + re.escape(term) + r"[\"']?\s*[\].=]", re.M)
    m = pat.search(raw)
    return raw.count("\n", 0, m.start()) + 1 if m else 1


def _entry(term: str, spec: object, path: Path, raw: str) -> Entry:
    def where() -> str:  # the line is looked up only for an error: one regex per term cost ~15 ms a load
        return f"{path}:{_line_of(raw, term)}"

    if not isinstance(spec, dict):
        raise InputError(f"{where()}: term '{term}' must be a table with say, spell or phonemes")
    unknown = set(spec) - _FIELDS
    if unknown:
        raise InputError(f"{where()}: term '{term}' has unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_FIELDS))}")
    for key in ("say", "phonemes", "expand"):
        if key in spec and not isinstance(spec[key], str):
            raise InputError(f"{where()}: '{key}' of term '{term}' must be a string")
    for key in ("spell", "case_sensitive"):
        if key in spec and not isinstance(spec[key], bool):
            raise InputError(f"{where()}: '{key}' of term '{term}' must be true or false")
    if not (spec.get("say") or spec.get("spell") or spec.get("phonemes")):
        raise InputError(f"{where()}: term '{term}' needs one of say, spell or phonemes")
    if spec.get("spell") and spec.get("say"):
        raise InputError(f"{where()}: term '{term}' has both say and spell; keep one")
    if not term.strip():
        raise InputError(f"{where()}: empty term")
    return Entry(
        written=term,
        say=spec.get("say"),
        spell=bool(spec.get("spell", False)),
        phonemes=spec.get("phonemes"),
        case_sensitive=bool(spec.get("case_sensitive", True)),
        expand=spec.get("expand"),
        source=str(path),
    )


def read_lexicon_file(path: Path) -> list[Entry]:
    """The entries of one TOML lexicon; InputError names the file and line of any problem."""
    return list(_read_lexicon_file(path))


@by_file
def _read_lexicon_file(path: Path) -> tuple[Entry, ...]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read lexicon ({exc})") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = m.group(1) if m else "1"
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise InputError(f"{path}:{line}: not valid TOML ({msg}); fix that line or remove the file") from None
    unknown = set(data) - {"terms"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError(f"{path}:{_line_of(raw, key)}: unknown key '{key}'; put entries under [terms]")
    terms = data.get("terms", {})
    if not isinstance(terms, dict):
        raise InputError(f"{path}:{_line_of(raw, 'terms')}: 'terms' must be a table")
    return tuple(_entry(term, spec, path, raw) for term, spec in terms.items())


def merge(base: Iterable[Entry], layer: Iterable[Entry]) -> list[Entry]:
    """``base`` with ``layer``'s entries added; a term in ``layer`` replaces the same term (any case) in ``base``."""
    out = {e.written.casefold(): e for e in base}
    for e in layer:
        out[e.written.casefold()] = e
    return list(out.values())


def load_lexicon(layers: Sequence[Path] = ()) -> Lexicon:
    """The package lexicon, then each existing layer file in order (later wins)."""
    entries = read_lexicon_file(PACKAGE_LEXICON)
    used = [PACKAGE_LEXICON]
    for path in layers:
        if Path(path).is_file():
            entries = merge(entries, read_lexicon_file(Path(path)))
            used.append(Path(path))
    return Lexicon(entries=tuple(entries), sources=tuple(used))


def project_lexicon_path(script_dir: Path) -> Path:
    """The project lexicon beside a script: ``SCRIPT_DIR/lexicon.toml``."""
    return Path(script_dir) / PROJECT_LEXICON_NAME


def _atomic_write(path: Path, text: str) -> None:
    atomic.write_text(path, text)


def dumps(entries: Iterable[Entry]) -> str:
    """TOML text of ``entries`` (the project lexicon format)."""
    import tomli_w  # writing lexicons only: not imported by every process that reads one

    doc = {"terms": {e.written: e.as_toml() for e in sorted(entries, key=lambda e: e.written.casefold())}}
    return "# narrate pronunciation lexicon: one [terms.X] table per term (say, spell or phonemes).\n" + tomli_w.dumps(doc)


def write_lexicon_file(path: Path, entries: Iterable[Entry]) -> None:
    """Write ``entries`` to ``path`` atomically (temp file + rename)."""
    _atomic_write(Path(path), dumps(entries))


def read_or_empty(path: Path) -> list[Entry]:
    return read_lexicon_file(path) if Path(path).is_file() else []


def add_entry(path: Path, entry: Entry) -> Entry | None:
    """Add or replace ``entry`` in the lexicon file at ``path``; returns the entry it replaced."""
    validate(entry)
    entries = read_or_empty(path)
    old = next((e for e in entries if e.written.casefold() == entry.written.casefold()), None)
    write_lexicon_file(path, merge(entries, [replace(entry, source=str(path))]))
    return old


def remove_entry(path: Path, written: str) -> Entry:
    """Remove the term ``written`` (any case) from the lexicon file at ``path``."""
    entries = read_or_empty(path)
    keep = [e for e in entries if e.written.casefold() != written.casefold()]
    if len(keep) == len(entries):
        raise InputError(f"{path}: no term '{written}' to remove; see `narrate lexicon list`")
    write_lexicon_file(path, keep)
    return next(e for e in entries if e.written.casefold() == written.casefold())


def validate(entry: Entry) -> None:
    if not entry.written.strip():
        raise InputError("a lexicon term cannot be empty")
    if not (entry.say or entry.spell or entry.phonemes):
        raise InputError(f"term '{entry.written}' needs --say, --spell or --phonemes")
    if entry.spell and entry.say:
        raise InputError(f"term '{entry.written}': give either --say or --spell, not both")


# --- W3C PLS 1.0 -----------------------------------------------------------------------


def spelled_alias(written: str) -> str:
    """The alias a PLS consumer needs for a spelled term: "ISF" -> "I S F"."""
    return " ".join(c for c in written if c.isalnum())


def _case_variants(written: str) -> list[str]:
    out: list[str] = []
    for v in (written, written.lower(), written.upper(), written.title()):
        if v not in out:
            out.append(v)
    return out


def export_pls(lexicon: Lexicon | Iterable[Entry], lang: str = "en-US") -> str:
    """W3C PLS 1.0 XML of the entries; a case-insensitive term lists its case variants as graphemes."""
    import xml.etree.ElementTree as ET  # PLS only

    entries = lexicon.entries if isinstance(lexicon, Lexicon) else tuple(lexicon)
    ET.register_namespace("", PLS_NS)
    root = ET.Element(f"{{{PLS_NS}}}lexicon", {"version": "1.0", "alphabet": "ipa", "{http://www.w3.org/XML/1998/namespace}lang": lang})
    for e in entries:
        lx = ET.SubElement(root, f"{{{PLS_NS}}}lexeme")
        for g in [e.written] if e.case_sensitive else _case_variants(e.written):
            ET.SubElement(lx, f"{{{PLS_NS}}}grapheme").text = g
        if e.phonemes:
            # espeak-ng mnemonics are ASCII; IPA is not.
            alphabet = "ipa" if any(ord(c) > 127 for c in e.phonemes) else "x-espeak"
            ET.SubElement(lx, f"{{{PLS_NS}}}phoneme", {"alphabet": alphabet}).text = e.phonemes
        alias = e.say if e.say is not None else (spelled_alias(e.written) if e.spell else None)
        if alias:
            ET.SubElement(lx, f"{{{PLS_NS}}}alias").text = alias
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def import_pls(path: Path) -> list[Entry]:
    """Entries from a W3C PLS file; a malformed file is an InputError naming the file and line."""
    import xml.etree.ElementTree as ET  # PLS only

    path = Path(path)
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        raise InputError(f"{path}:{line}: not valid PLS XML ({str(exc).split(':')[0]})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    root = tree.getroot()
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    q = (lambda t: f"{{{ns}}}{t}") if ns else (lambda t: t)
    if root.tag != q("lexicon"):
        raise InputError(f"{path}:1: not a PLS lexicon (root element is <{root.tag.split('}')[-1]}>, expected <lexicon>)")
    out: list[Entry] = []
    for n, lx in enumerate(root.iter(q("lexeme")), 1):
        graphemes = [g.text.strip() for g in lx.findall(q("grapheme")) if g.text and g.text.strip()]
        if not graphemes:
            raise InputError(f"{path}: lexeme {n} has no <grapheme>")
        alias_el = lx.find(q("alias"))
        ph_el = lx.find(q("phoneme"))
        alias = alias_el.text.strip() if alias_el is not None and alias_el.text else None
        phonemes = ph_el.text.strip() if ph_el is not None and ph_el.text else None
        if not alias and not phonemes:
            raise InputError(f"{path}: lexeme {n} ('{graphemes[0]}') has neither <alias> nor <phoneme>")
        written = graphemes[0]
        ci = len(graphemes) > 1 and all(g.casefold() == written.casefold() for g in graphemes)
        spell = alias is not None and phonemes is None and alias == spelled_alias(written) and " " in alias
        out.append(Entry(written=written, say=None if spell else alias, spell=spell, phonemes=phonemes, case_sensitive=not ci, source=str(path)))
        if not ci:
            out += [replace(out[-1], written=g) for g in graphemes[1:]]
    return out
