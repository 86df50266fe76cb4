"""Segments -> what narrate will say: written text cut into runs by span class, the spoken text and its IPA."""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .engines.escape import plain_text
from .errors import DependencyError, InputError
from .models import Segment, Span, SpokenPart
from .plan import build_plan, plan_text

log = logging.getLogger(__name__)

#: A line between segments in one espeak-ng run; its IPA line marks where one segment ends.
_SEPARATOR = "xylophone quagmire xylophone."

#: Segments per espeak-ng run (one process for a whole script costs ~7 ms; the input stays small).
BATCH = 200


@dataclass(frozen=True)
class Run:
    """A stretch of written text; ``cls`` is the span class that normalized it (None: plain words)."""

    text: str
    cls: str | None = None
    spoken: str | None = None


@dataclass(frozen=True)
class PreviewSegment:
    """One segment as the producer should see it before synthesis."""

    id: str
    line: int
    kind: str
    voice: str
    runs: tuple[Run, ...]
    spans: tuple[Span, ...]
    spoken: str
    ipa: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id, "line": self.line, "kind": self.kind, "voice": self.voice, "written": "".join(r.text for r in self.runs),
            "spans": [{"written": s.written, "spoken": s.spoken, "class": s.cls} for s in self.spans],
            "spoken": self.spoken, "ipa": self.ipa,
        }


def runs_of(text: str, spans: tuple[Span, ...] | list[Span]) -> tuple[Run, ...]:
    """``text`` cut at span edges: plain runs between spans, one run per span (overlaps: the earlier span wins).

    >>> [(r.text, r.cls) for r in runs_of("took 90km west", [Span(5, 9, "90km", "ninety kilometers", "measure")])]
    [('took ', None), ('90km', 'measure'), (' west', None)]
    """
    out: list[Run] = []
    pos = 0
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if s.start < pos or s.end > len(text) or s.end <= s.start:
            continue
        if s.start > pos:
            out.append(Run(text[pos : s.start]))
        out.append(Run(text[s.start : s.end], s.cls, s.spoken))
        pos = s.end
    if pos < len(text):
        out.append(Run(text[pos:]))
    return tuple(out)


def _espeak_input(parts: tuple[SpokenPart, ...], spoken: str) -> str:
    # Escaped like an engine's input: script text can never become options or phoneme markup;
    # a lexicon's phonemes go in as [[…]] exactly as the engine receives them.
    text = plain_text(parts or (SpokenPart(spoken),), phonemes=True)
    return re.sub(r"\s+", " ", text).strip()


def _run_espeak(exe: str, voice: str, text: str) -> list[str]:
    try:
        proc = subprocess.run([exe, "-q", "--ipa", "-l", "1", "-v", voice], input=text, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DependencyError(f"espeak-ng could not run ({exc}); reinstall it: sudo apt-get install espeak-ng") from None
    if proc.returncode != 0:
        raise DependencyError(f"espeak-ng failed ({proc.stderr.strip() or proc.returncode}); check 'espeak-ng --voices' for '{voice}'")
    return proc.stdout.splitlines()


def ipa_of(texts: list[str], voice: str = "en") -> list[str]:
    """IPA for each text, from as few espeak-ng runs as possible (texts are separated by a sentinel line)."""
    from .engines.espeak_info import espeak_binary

    if not re.fullmatch(r"[\w+/-]{1,40}", voice):
        raise InputError(f"'{voice}' is not an espeak-ng voice name")
    exe = espeak_binary()
    sentinel = " ".join(_run_espeak(exe, voice, _SEPARATOR)).strip()
    out: list[str] = []
    for i in range(0, len(texts), BATCH):
        chunk = texts[i : i + BATCH]
        joined = f"\n\n{_SEPARATOR}\n\n".join(t if t.strip() else "." for t in chunk)
        groups: list[list[str]] = [[]]
        for line in _run_espeak(exe, voice, joined):
            if line.strip() == sentinel:
                groups.append([])
            elif line.strip():
                groups[-1].append(line.strip())
        if len(groups) != len(chunk):
            log.debug("espeak-ng batch split into %d groups for %d texts; one run per text", len(groups), len(chunk))
            groups = [[ln.strip() for ln in _run_espeak(exe, voice, t) if ln.strip()] for t in chunk]
        out += [" ".join(g) for g in groups]
    return out


#: Engines that speak through espeak-ng, whose voice names espeak-ng itself accepts.
ESPEAK_ENGINES = frozenset({"espeak-ng", "espeak", "pyttsx3"})


def _espeak_voice(segment_voice: str, script_dir: Path | None) -> tuple[str, str]:
    """(espeak-ng voice to try first, language to fall back on) for a profile."""
    from .profiles import list_profiles

    profile = list_profiles(script_dir).get(segment_voice)
    if profile is None:
        return "en", "en"
    language = profile.language or "en"
    if profile.engine in ESPEAK_ENGINES and profile.voice and re.fullmatch(r"[\w+/-]{1,40}", profile.voice):
        return profile.voice, language
    return language, language


def _ipa_with_fallback(texts: list[str], voice: str, language: str) -> list[str]:
    try:
        return ipa_of(texts, voice)
    except (DependencyError, InputError):
        if voice == language:
            raise
        log.debug("espeak-ng has no voice '%s'; IPA in '%s'", voice, language)
        return ipa_of(texts, language)


def preview_segments(segments: list[Segment], script_dir: Path | None = None, ipa: bool = True) -> list[PreviewSegment]:
    """Preview rows for ``segments``; IPA (per voice language) only for narrated ones."""
    narrated = [s for s in segments if s.narrated]
    ipas: dict[str, str] = {}
    if ipa and narrated:
        by_voice: dict[tuple[str, str], list[Segment]] = {}
        for s in narrated:
            by_voice.setdefault(_espeak_voice(s.voice, script_dir), []).append(s)
        for (voice, language), segs in by_voice.items():
            for s, text in zip(segs, _ipa_with_fallback([_espeak_input(s.parts, s.spoken) for s in segs], voice, language)):
                ipas[s.id] = text
    return [PreviewSegment(s.id, s.line, s.kind, s.voice, runs_of(s.text, s.spans), s.spans, s.spoken, ipas.get(s.id)) for s in segments]


def preview_script(path: Path, segment: str | None = None, voice: str | None = None, ipa: bool = True) -> list[PreviewSegment]:
    """Preview of every segment of the script at ``path`` (or only segment ``segment``)."""
    plan = build_plan(Path(path), voice=voice)
    segments = [s for s in plan.segments if s.kind != "pause"]
    if segment is not None:
        segments = [s for s in segments if s.id == segment]
        if not segments:
            ids = ", ".join(s.id for s in plan.segments[:8])
            raise InputError(f"{path}: no segment '{segment}'; ids look like {ids} … (see 'narrate segments {path}')")
    return preview_segments(segments, Path(path).resolve().parent, ipa)


def preview_text(text: str, voice: str | None = None, script_dir: Path | None = None, ipa: bool = True) -> list[PreviewSegment]:
    """Preview of a piece of text, planned like a one-paragraph script (project lexicon from ``script_dir``)."""
    if not text.strip():
        raise InputError("--text is empty; give the words to preview")
    plan = plan_text(text, name="--text", script_dir=script_dir or Path.cwd(), voice=voice, strict=False)
    return preview_segments([s for s in plan.segments if s.kind != "pause"], script_dir or Path.cwd(), ipa)
