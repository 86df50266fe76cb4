"""Parsed script + voice profiles + lexicons -> the plan: normalized segments with pauses and estimates."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .errors import InputError
from .lexicon import Lexicon, load_lexicon, project_lexicon_path
from .models import Normalized, Plan, Segment
from .normalize import NormalizeOptions, normalize_spans
from .profiles import VoiceProfile, list_profiles
from .script import ParsedScript, parse_script, read_script

#: How a plan normalizes a sentence: normalize_spans, or a memo of earlier renders' results (narrate.normcache).
Normalizer = Callable[[str, Lexicon, NormalizeOptions], Normalized]

#: Sentences longer than this many words are split at a clause boundary.
MAX_SENTENCE_WORDS = 35


class Voices:
    """Profiles and per-voice lexicons for one script, loaded once."""

    def __init__(self, script_dir: Path | None) -> None:
        self.script_dir = script_dir
        self.profiles = list_profiles(script_dir)

    def get(self, name: str, where: str = "") -> VoiceProfile:
        if name not in self.profiles:
            prefix = f"{where}: " if where else ""
            raise InputError(f"{prefix}unknown voice '{name}'; known voices: {', '.join(self.profiles)}")
        return self.profiles[name]

    @functools.lru_cache(maxsize=32)  # noqa: B019 - one Voices per plan
    def lexicon(self, name: str) -> Lexicon:
        profile = self.get(name)
        layers: list[Path] = list(profile.lexicons)
        if self.script_dir is not None:
            layers.append(project_lexicon_path(self.script_dir))
        return load_lexicon(layers)


# Markup pasted into a script is never spoken nor obeyed: tags go, bracket pairs become spaces.
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]{0,300})?/?>")
_BRACKETS = re.compile(r"\[\[|\]\]|\{\{|\}\}")


def strip_markup(text: str) -> str:
    """``text`` without SSML/HTML tags and ``[[…]]``/``{{…}}`` brackets (their inner words stay)."""
    return _BRACKETS.sub(" ", _TAG.sub(" ", text))


def estimate_seconds(spoken: str, rate_wpm: int) -> float:
    words = len(spoken.split())
    return words * 60.0 / max(rate_wpm, 1)


def build_plan(script: Path, voice: str | None = None, max_words: int = MAX_SENTENCE_WORDS, strict: bool = True,
               voices: Voices | None = None, normalize: Normalizer = normalize_spans, allow_empty: bool = False) -> Plan:
    """Read, parse and normalize a script file into its plan.

    ``voices`` (for the script's folder) lets a caller that needs the profiles too load them once; ``normalize``
    must return what normalize_spans returns (a render passes a NormalizeMemo's). A plan with nothing to narrate is
    an InputError unless ``allow_empty`` (``check`` lists what a script of credits alone holds).
    """
    text = read_script(script)
    return plan_text(text, name=str(script), script_dir=Path(script).resolve().parent, voice=voice, max_words=max_words,
                     strict=strict, voices=voices, normalize=normalize, allow_empty=allow_empty)


def plan_text(
    text: str,
    name: str = "script",
    script_dir: Path | None = None,
    voice: str | None = None,
    max_words: int = MAX_SENTENCE_WORDS,
    strict: bool = True,
    voices: Voices | None = None,
    normalize: Normalizer = normalize_spans,
    allow_empty: bool = False,
) -> Plan:
    parsed = parse_script(text, name=name, max_words=max_words, strict=strict)
    if voices is None:
        voices = Voices(script_dir)
    return _plan(parsed, voices, name, voice, normalize, allow_empty)


def _plan(parsed: ParsedScript, voices: Voices, name: str, voice_override: str | None, normalize: Normalizer,
          allow_empty: bool = False) -> Plan:
    base_voice = voice_override or parsed.front_matter.get("voice") or "default"
    voices.get(base_voice, f"{name}: front matter" if not voice_override and "voice" in parsed.front_matter else "")
    current = base_voice
    profile = voices.get(current)
    rate = profile.rate
    segments: list[Segment] = []
    para_no = 0

    def last_narrated() -> int | None:
        for i in range(len(segments) - 1, -1, -1):
            if segments[i].narrated:
                return i
        return None

    for block in parsed.blocks:
        if block.kind == "voice":
            current = block.value
            profile = voices.get(current, f"{name}:{block.line}")
            rate = profile.rate
            continue
        if block.kind == "rate":
            rate = profile.rate if block.value.lower() == "default" else int(block.value)
            continue
        if block.kind == "section":
            i = last_narrated()
            if i is not None:
                seg = segments[i]
                segments[i] = replace(seg, pause_after_s=max(seg.pause_after_s, voices.get(seg.voice).pauses.section))
            continue
        if block.kind == "pause":
            seconds = float(block.value.rstrip("s"))
            segments.append(
                Segment(id=f"pause-l{block.line:03d}", kind="pause", text=block.text, spoken="", voice=current, pause_after_s=seconds,
                        estimated_s=seconds, line=block.line, paragraph=para_no, sentence=0, rate_wpm=rate)
            )
            continue
        para_no += 1
        if block.kind in ("credit", "appeal"):
            segments.append(
                Segment(id=f"p{para_no:02d}-s01", kind=block.kind, text=block.text, spoken="", voice=current, pause_after_s=0.0,
                        estimated_s=0.0, line=block.line, paragraph=para_no, sentence=1, rate_wpm=rate)
            )
            continue
        options = profile.normalize_options()
        lexicon = voices.lexicon(current)
        sentence_no = 0
        n = len(block.sentences)
        for k, s in enumerate(block.sentences):
            if s.clause <= 1:
                sentence_no += 1
            sid = f"p{para_no:02d}-s{sentence_no:02d}" + (chr(ord("a") + s.clause - 1) if s.clause else "")
            norm = normalize(strip_markup(s.text), lexicon, options)
            if k == n - 1:
                pause = profile.pauses.paragraph
            elif not s.last_clause:
                pause = profile.pauses.clause
            else:
                pause = profile.pauses.sentence
            kind = "narration" if norm.spoken.strip() else "empty"
            segments.append(
                Segment(id=sid, kind=kind, text=s.text, spoken=norm.spoken, voice=current, pause_after_s=pause,
                        estimated_s=estimate_seconds(norm.spoken, rate) if kind == "narration" else 0.0, line=s.line,
                        paragraph=para_no, sentence=sentence_no, rate_wpm=rate, parts=norm.utterance(), spans=norm.spans)
            )
    if not allow_empty and not any(s.narrated for s in segments):
        raise InputError(f"{name}: nothing to narrate (only credits, appeals or directives)")
    title = parsed.front_matter.get("title")
    return Plan(source=name, segments=tuple(segments), title=title, narrator=parsed.narrator, voice=base_voice,
                metadata=dict(parsed.front_matter))
