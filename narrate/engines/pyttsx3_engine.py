"""pyttsx3: the OS's own engine (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS).

Traps handled here (see the engine notes): the first ``runAndWait`` after
``init`` returns at once, so one empty run primes the loop; the driver prints
``Audio saved to …`` for every file, so stdout is captured; long texts are
quadratic and crash it, so callers hand it one segment at a time.
"""

from __future__ import annotations

import contextlib
import io
import logging
import platform
import wave
from pathlib import Path
from typing import Any

from ..errors import DependencyError, SynthesisError
from ..models import SpokenPart
from .base import TakeAudio, VoiceInfo, VoiceSettings
from .escape import plain_text

log = logging.getLogger(__name__)


class Pyttsx3Engine:
    """pyttsx3 behind narrate's Engine protocol."""

    name = "pyttsx3"

    def __init__(self) -> None:
        try:
            import pyttsx3
        except ImportError:  # pragma: no cover - a dependency of the package
            raise DependencyError("the Python package pyttsx3 is missing: pip install pyttsx3") from None
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self._engine: Any = pyttsx3.init()
                # Prime the loop: the first runAndWait returns before the driver runs.
                self._engine.runAndWait()
        except (OSError, RuntimeError) as exc:
            hint = "sudo apt-get install espeak-ng" if platform.system() == "Linux" else "a system speech engine"
            raise DependencyError(f"pyttsx3 could not start a speech engine ({exc}); install {hint}") from None
        self._driver_name = type(self._engine.proxy._driver).__module__.rsplit(".", 1)[-1]
        self.accepts_phonemes = self._driver_name == "espeak"
        self._applied: VoiceSettings | None = None

    def version(self) -> str:
        from importlib.metadata import version

        v = f"pyttsx3-{version('pyttsx3')}/{self._driver_name}"
        if self._driver_name == "espeak":
            from .espeak_info import espeak_version

            v += f"-{espeak_version()}"
        return v

    def list_voices(self) -> list[VoiceInfo]:
        out = []
        for v in self._engine.getProperty("voices"):
            out.append(VoiceInfo(id=str(v.id), name=str(v.name), languages=tuple(str(x) for x in (v.languages or [])), gender=v.gender))
        return out

    def _apply(self, settings: VoiceSettings) -> None:
        # Set every property on every call: a lost setting (seen with stop()) must not stick.
        if settings.voice:
            try:
                self._engine.setProperty("voice", settings.voice)
            except (ValueError, KeyError) as exc:
                raise SynthesisError(f"pyttsx3 has no voice '{settings.voice}' ({exc}); see 'narrate voices --engine pyttsx3'") from None
        self._engine.setProperty("rate", int(settings.rate))
        self._engine.setProperty("volume", float(settings.volume))
        with contextlib.suppress(KeyError, ValueError, TypeError, AttributeError):
            self._engine.setProperty("pitch", int(settings.pitch))
        self._applied = settings

    def synthesize(self, parts: tuple[SpokenPart, ...], settings: VoiceSettings, out_path: Path) -> TakeAudio:
        self._apply(settings)
        text = plain_text(parts, phonemes=self.accepts_phonemes)
        out_path = Path(out_path)
        with contextlib.redirect_stdout(io.StringIO()):
            self._engine.save_to_file(text, str(out_path))
            self._engine.runAndWait()
        try:
            with wave.open(str(out_path), "rb") as w:
                return TakeAudio(path=out_path, sample_rate=w.getframerate(), frames=w.getnframes())
        except (OSError, EOFError, wave.Error) as exc:
            raise SynthesisError(f"pyttsx3 wrote no usable audio ({exc})") from None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._engine.stop()
