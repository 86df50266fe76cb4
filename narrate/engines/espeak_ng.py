"""espeak-ng driven through libespeak-ng in-process: no subprocess per take, exact word timings.

Why the library and not the command line: a process per take costs about 10 ms
here (loading voice data), which for ~300 takes is more than the synthesis of a
whole 5,000-word script (see benchmarks/engine_bench.py). The library is
process-global state: one engine per process is the rule; if pyttsx3's espeak
driver initialised it first, the library is shared and each call re-installs its
own callback and every parameter.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import SynthesisError
from ..models import SpokenPart
from . import espeak_lib
from .base import TakeAudio, VoiceInfo, VoiceSettings, WordTime, write_take
from .escape import engine_input

log = logging.getLogger(__name__)

_GENDERS = {1: "male", 2: "female"}


def _volume(volume: float) -> int:
    """narrate's 0.0–1.0 onto espeak's amplitude (100 is its normal level, 200 its maximum)."""
    return max(0, min(200, round(volume * 100)))


class EspeakNgEngine:
    """espeak-ng behind narrate's Engine protocol (SSML off; ``[[…]]`` only from lexicon phonemes)."""

    name = "espeak-ng"
    accepts_phonemes = True

    def __init__(self) -> None:
        espeak_lib.initialise()
        self._rate = espeak_lib.sample_rate()

    def version(self) -> str:
        return f"espeak-ng-lib-{espeak_lib.version()}"

    def list_voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(id=ident, name=name, languages=langs, gender=_GENDERS.get(gender))
            for ident, name, langs, gender in espeak_lib.list_voices()
        ]

    def synthesize(self, parts: tuple[SpokenPart, ...], settings: VoiceSettings, out_path: Path) -> TakeAudio:
        inp = engine_input(parts, phonemes=True)
        chunks: list[bytes] = []
        events: list[tuple[int, int, int]] = []
        if inp.text:
            espeak_lib.synth(
                inp.text,
                voice=settings.voice or settings.language or "en",
                rate=settings.rate,
                pitch=settings.pitch,
                volume=_volume(settings.volume),
                phonemes=inp.has_phonemes,
                on_audio=chunks.append,
                on_word=lambda pos, length, ms: events.append((pos, length, ms)),
            )
        audio = b"".join(chunks)
        frames = len(audio) // 2
        if not frames and inp.text.strip():
            raise SynthesisError(f"espeak-ng produced no audio for {inp.text[:60]!r}")
        out_path = Path(out_path)
        write_take(out_path, self._rate, audio)
        duration = frames / self._rate
        words: list[WordTime] = []
        last = 0.0
        for pos, length, ms in events:
            # Clamp into the take and keep the order, whatever the library reports.
            t = min(max(ms / 1000.0, last), duration)
            word = inp.word_at(pos - 1, length)  # espeak counts characters from 1
            if word.strip():
                words.append(WordTime(word, t))
                last = t
        return TakeAudio(path=out_path, sample_rate=self._rate, frames=frames, words=tuple(words))

    def close(self) -> None:
        # espeak_Terminate would break other engines sharing the library in this process.
        pass
