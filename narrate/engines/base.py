"""The one interface every speech engine implements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..models import SpokenPart


@dataclass(frozen=True)
class VoiceSettings:
    """What an engine needs to speak: everything here changes the audio (and the cache key)."""

    voice: str = ""
    rate: int = 165
    pitch: int = 50
    volume: float = 1.0
    language: str = "en"


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine has installed."""

    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str | None = None


@dataclass(frozen=True)
class WordTime:
    """A word event: ``start_s`` from the start of the take (before trimming)."""

    word: str
    start_s: float


@dataclass(frozen=True)
class TakeAudio:
    """What an engine reports about a WAV it wrote."""

    path: Path
    sample_rate: int
    frames: int
    words: tuple[WordTime, ...] = ()

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


@runtime_checkable
class Engine(Protocol):
    """A speech engine. Instances live in one process; they need not be thread-safe.

    ``synthesize`` writes a mono 16-bit WAV to ``out_path``. Plain parts are user
    text and must reach the engine escaped (no markup or phoneme syntax obeyed);
    a part's ``phonemes`` (from a lexicon entry) may be used when
    ``accepts_phonemes`` is true, and its ``text`` otherwise.
    """

    name: str
    accepts_phonemes: bool

    def version(self) -> str: ...

    def list_voices(self) -> list[VoiceInfo]: ...

    def synthesize(self, parts: tuple[SpokenPart, ...], settings: VoiceSettings, out_path: Path) -> TakeAudio: ...

    def close(self) -> None: ...
