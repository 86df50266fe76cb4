"""The one interface every speech engine implements."""

from __future__ import annotations

import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import OutputError
from ..models import SpokenPart

#: Code an interruption must not land in: an engine's callbacks from C, whose exceptions ctypes drops (the
#: engine would then wait forever, or the interruption be lost). The narrate server delays one that would.
CALLBACK_CODE: set[object] = set()


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


def take_fits(take: TakeAudio, words: int, rate: int) -> bool:
    """Whether a take's length is plausible for ``words`` at ``rate`` wpm.

    Loose on purpose (punctuation pauses, numbers read out, end silence), but it
    catches the failures seen in pyttsx3: empty takes and a lost rate setting
    that doubles or halves the length. An empty text fits only an empty take.
    """
    if words <= 0:
        return take.frames == 0
    expected = words * 60.0 / max(rate, 1)
    return take.frames > 0 and 0.5 * expected <= take.duration_s <= 1.8 * expected + 0.6


def write_take(out_path: Path, rate: int, pcm: bytes | Iterable[bytes] = b"") -> int:
    """Write mono 16-bit PCM (one buffer or several) as a take's WAV; returns its frames.

    An OSError becomes an OutputError naming the take.
    """
    chunks = [pcm] if isinstance(pcm, (bytes, bytearray)) else pcm
    frames = 0
    try:
        with wave.open(str(out_path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            for chunk in chunks:
                w.writeframes(chunk)
                frames += len(chunk) // 2
    except OSError as exc:
        raise OutputError(f"cannot write take {out_path} ({exc.strerror or exc})") from None
    return frames


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
