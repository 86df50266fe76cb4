"""A fake engine for orchestration tests: a quiet sine take as long as the words take at the rate."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from narrate.engines.base import TakeAudio, VoiceInfo, VoiceSettings, WordTime
from narrate.engines.escape import engine_input
from narrate.models import SpokenPart

SAMPLE_RATE = 22050


def expected_seconds(words: int, rate: int) -> float:
    """How long the fake speaks ``words`` at ``rate`` wpm (the same rule its takes follow)."""
    return words * 60.0 / max(rate, 1)


class FakeEngine:
    """Deterministic and fast; records every call in ``calls`` (text, settings)."""

    name = "fake"
    accepts_phonemes = False

    def __init__(self) -> None:
        self.calls: list[tuple[str, VoiceSettings]] = []
        self.closed = False

    def version(self) -> str:
        return "fake-1"

    def list_voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("fake-a", "Fake A", ("en",), "female"), VoiceInfo("fake-b", "Fake B", ("en",), "male")]

    def synthesize(self, parts: tuple[SpokenPart, ...], settings: VoiceSettings, out_path: Path) -> TakeAudio:
        text = engine_input(parts, phonemes=False).text
        self.calls.append((text, settings))
        words = text.split()
        per_word = 60.0 / max(settings.rate, 1)
        frames = int(round(expected_seconds(len(words), settings.rate) * SAMPLE_RATE))
        amp = int(8000 * settings.volume)
        freq = 110.0 + 2.0 * settings.pitch
        samples = (int(amp * math.sin(2 * math.pi * freq * i / SAMPLE_RATE)) for i in range(frames))
        with wave.open(str(out_path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(struct.pack(f"<{frames}h", *samples))
        timings = tuple(WordTime(word, i * per_word) for i, word in enumerate(words))
        return TakeAudio(path=Path(out_path), sample_rate=SAMPLE_RATE, frames=frames, words=timings)

    def close(self) -> None:
        self.closed = True
