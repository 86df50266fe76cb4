"""Immutable values that flow between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """One normalized stretch: ``written`` at ``start:end`` of the input became ``spoken``.

    ``cls`` names the class that made it (``cardinal``, ``measure``, ``acronym``,
    ``lexicon``, ``unknown`` …). ``phonemes`` is set only by a lexicon entry that
    gives phonemes; engines that accept phonemes may use them instead of ``spoken``.
    ``ambiguous`` marks a reading that guessed between two ("300m": meters or million),
    for the check tool to flag.
    """

    start: int
    end: int
    written: str
    spoken: str
    cls: str
    phonemes: str | None = None
    ambiguous: bool = False


@dataclass(frozen=True)
class SpokenPart:
    """A piece of engine input: plain words, or (when ``phonemes`` is set) a lexicon's phonemes."""

    text: str
    phonemes: str | None = None


@dataclass(frozen=True)
class Normalized:
    """The result of normalizing one text: the spoken form plus how it was reached."""

    written: str
    spoken: str
    spans: tuple[Span, ...] = ()
    parts: tuple[SpokenPart, ...] = ()

    def utterance(self) -> tuple[SpokenPart, ...]:
        """Engine input; plain text only when no part carries phonemes."""
        return self.parts or (SpokenPart(self.spoken),)


@dataclass(frozen=True)
class Segment:
    """One planned unit of the track: a sentence (or clause) with the pause after it.

    ``kind`` is ``narration`` for what is spoken; ``credit``, ``appeal``, ``directive``
    and ``heading`` segments are planned but not synthesized.
    """

    id: str
    kind: str
    text: str
    spoken: str
    voice: str
    pause_after_s: float
    estimated_s: float
    line: int
    paragraph: int
    sentence: int
    rate_wpm: int
    parts: tuple[SpokenPart, ...] = ()
    spans: tuple[Span, ...] = ()

    @property
    def narrated(self) -> bool:
        return self.kind == "narration"

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "spoken": self.spoken,
            "voice": self.voice,
            "pause_after_s": round(self.pause_after_s, 3),
            "estimated_s": round(self.estimated_s, 3),
            "line": self.line,
            "rate_wpm": self.rate_wpm,
        }


@dataclass(frozen=True)
class Plan:
    """A parsed script: its segments and the metadata found in it."""

    source: str
    segments: tuple[Segment, ...]
    title: str | None = None
    narrator: str | None = None
    voice: str = "default"
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def narrated(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.narrated)
