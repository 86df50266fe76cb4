"""Normalized sentences kept beside the take cache, so a re-render normalizes only the sentences that changed.

Normalizing a 5,000-word script (263 sentences) costs about 0.15 s with the import of every class module and the
build of their patterns, a quarter of a re-render after a one-word edit. A render stores what it normalized in
``renders/<script>-<hash>.plan`` under the cache root; the next render of that script looks each sentence up by a key
covering everything its reading depends on:

- the sentence text (as handed to the normalizer),
- the voice's merged lexicon (every field of every entry) and its NormalizeOptions,
- narrate's code and data (every file of the installed package), num2words' and pyspellchecker's versions and
  Python's version.

Any change to one of those is a different key: the sentence is normalized again. A damaged file or entry is ignored
(and replaced on the next save); a stored entry must also agree with its sentence (every span's offsets select its
written text), else it is normalized again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from . import atomic
from .filememo import by_file
from .lexicon import Lexicon
from .models import Normalized, Span, SpokenPart
from .normalize import NormalizeOptions, normalize_spans

log = logging.getLogger(__name__)

#: Bump when the stored form of an entry changes.
FORMAT = 1
PACKAGE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of every file of the narrate package (code and data) and of the other code a reading depends on.

    The whole package, not only ``normalize/``: a reading may come to depend on any module, and a stale one would be
    a wrong word in a track. Reading the ~90 files costs about 2 ms.
    """
    h = hashlib.sha256(f"narrate-normalized/{FORMAT}\0{sys.version}\0".encode())
    h.update(package_digest(PACKAGE).encode())
    for module in _READING_DEPENDENCIES:
        h.update(_release(module).encode())
    return h.hexdigest()


#: Other packages a reading depends on: number words, and the common words that tell "NOT" from an acronym.
_READING_DEPENDENCIES = ("num2words", "spellchecker")


def package_digest(root: Path) -> str:
    """A hash of every file under ``root`` (names and contents), bytecode caches left out."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def _release(module: str) -> str:
    """An installed package's dist-info folder names (its version), found without importing it; its path when
    there is none."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return f"{module}-missing"
    package = Path(spec.origin).resolve().parent
    found = sorted(p.name for p in package.parent.glob("*.dist-info") if _names(p.name, module))
    return ";".join(found) if found else str(package)


def _names(dist_info: str, module: str) -> bool:
    """Whether a dist-info folder may be the one that installed ``module`` (pyspellchecker installs spellchecker)."""
    name = dist_info.split("-", 1)[0].lower().replace("_", "")
    return name in (module, "py" + module)


class NormalizeMemo:
    """Normalizes sentences, reusing the results a previous render stored and recording the ones this plan used."""

    def __init__(self, stored: dict[str, Any] | None = None) -> None:
        self._stored = stored or {}
        self.used: dict[str, Any] = {}
        self.hits = 0
        self.misses = 0
        self._contexts: dict[tuple[int, NormalizeOptions], tuple[Lexicon, Any]] = {}

    @classmethod
    def load(cls, path: Path) -> NormalizeMemo:
        """The memo a previous render saved at ``path``; empty when there is none or it is unreadable."""
        try:
            return cls(_stored_entries(path))
        except (OSError, ValueError):
            return cls()

    def _context(self, lexicon: Lexicon, options: NormalizeOptions) -> Any:
        """A hash object primed with everything but the sentence (one per lexicon and options)."""
        slot = (id(lexicon), options)
        hit = self._contexts.get(slot)
        if hit is not None and hit[0] is lexicon:
            return hit[1]
        h = hashlib.sha256(code_fingerprint().encode())
        h.update(repr(lexicon.entries).encode())
        h.update(repr(options).encode())
        self._contexts[slot] = (lexicon, h)  # holding the lexicon keeps its id from being reused
        return h

    def key(self, text: str, lexicon: Lexicon, options: NormalizeOptions) -> str:
        h = self._context(lexicon, options).copy()
        h.update(b"\0" + text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()[:32]

    def normalize(self, text: str, lexicon: Lexicon, options: NormalizeOptions) -> Normalized:
        """What ``normalize_spans(text, lexicon, options)`` returns, from the store when it has it."""
        key = self.key(text, lexicon, options)
        entry = self.used.get(key, self._stored.get(key))
        if entry is not None:
            seen = _DECODED.get(key)
            found = seen[1] if seen is not None and seen[0] == entry else decode(text, entry)
            if found is not None:
                self.hits += 1
                self.used[key] = entry
                _remember(key, entry, found)
                return found
            log.debug("stored reading of %r is damaged; normalizing it again", text[:60])
        self.misses += 1
        norm = normalize_spans(text, lexicon, options)
        self.used[key] = entry = encode(norm)
        _remember(key, entry, norm)
        return norm

    @property
    def changed(self) -> bool:
        """Whether saving would write something new (an entry added, or one no longer used)."""
        return self.used.keys() != self._stored.keys()

    def save(self, path: Path) -> None:
        """Store the entries this plan used (only those: the file follows the script) when they changed."""
        if not self.changed:
            return
        doc = {"format": FORMAT, "entries": self.used}
        try:
            atomic.write_text(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
        except OSError as exc:  # only speed is lost
            log.debug("normalized sentences not stored at %s: %s", path, exc)
            return
        self._stored = dict(self.used)


#: key -> (entry, what it decodes to), in a process that renders again (the narrate server, narrate watch): decoding
#: every sentence's stored entry cost ~3 ms of each re-render of 263 sentences. Only used for the very entry the
#: script's own store holds, so what a render finds normalized is still what its cache says.
_DECODED: dict[str, tuple[Any, Normalized]] = {}
_DECODED_MAX = 100_000


def _remember(key: str, entry: Any, norm: Normalized) -> None:
    if len(_DECODED) >= _DECODED_MAX:
        _DECODED.clear()
    _DECODED[key] = (entry, norm)


@by_file
def _stored_entries(path: Path) -> dict[str, Any]:
    """The entries stored at ``path`` (kept while the file is unchanged: shared, never modified)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("entries"), dict):
        raise ValueError("not a memo of this format")
    return dict(doc["entries"])


def encode(norm: Normalized) -> list[Any]:
    """``[parts, spans]``: the written text is the key's, the spoken text is the parts joined, a span's written text
    is the sentence's slice, so none of them is stored (and a stale or damaged entry cannot agree with them)."""
    return [
        [[p.text, p.phonemes] for p in norm.parts],
        [[s.start, s.end, s.spoken, s.cls, s.phonemes, s.ambiguous] for s in norm.spans],
    ]


def decode(text: str, entry: Any) -> Normalized | None:
    """The Normalized an entry stands for, or None when it is not a well-formed entry for ``text``."""
    try:
        raw_parts, raw_spans = entry
        parts = []
        for p_text, p_phonemes in raw_parts:
            if not isinstance(p_text, str) or not (p_phonemes is None or isinstance(p_phonemes, str)):
                return None
            parts.append(SpokenPart(p_text, p_phonemes))
        spans = []
        for start, end, spoken, cls, phonemes, ambiguous in raw_spans:
            if not (type(start) is int and type(end) is int and 0 <= start <= end <= len(text)):
                return None
            if not (isinstance(spoken, str) and isinstance(cls, str) and isinstance(ambiguous, bool)
                    and (phonemes is None or isinstance(phonemes, str))):
                return None
            spans.append(Span(start, end, text[start:end], spoken, cls, phonemes, ambiguous))
    except (TypeError, ValueError):
        return None
    return Normalized(written=text, spoken="".join(p.text for p in parts), spans=tuple(spans), parts=tuple(parts))
