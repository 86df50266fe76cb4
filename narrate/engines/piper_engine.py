"""piper (optional): a neural voice from a model file the user supplies; nothing is downloaded.

The profile's ``voice`` is the path of a ``.onnx`` model (relative to the
profile file, or absolute) with its ``.onnx.json`` config beside it. Rate maps
to piper's ``length_scale`` (165 wpm is the voice's own pace); volume to its
volume; pitch is not adjustable in piper and is ignored. piper reads ``[[…]]``
as phonemes, so all text reaches it escaped and lexicon phonemes (espeak
notation) are not used. No word timings: piper reports none.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..errors import DependencyError, InputError, SynthesisError
from ..models import SpokenPart
from .base import TakeAudio, VoiceInfo, VoiceSettings, write_take
from .escape import engine_input

log = logging.getLogger(__name__)

#: The speaking rate (wpm) at which a piper voice's own length_scale is kept.
REFERENCE_WPM = 165
INSTALL_HINT = "pip install 'narrate[piper]' (the piper-tts package)"


def _piper() -> Any:
    try:
        import piper  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise DependencyError(f"the piper engine needs piper-tts: {INSTALL_HINT}") from None
    return piper


def model_paths(voice: str) -> tuple[Path, Path]:
    """The model and config files a voice names; an InputError says what is missing and where."""
    if not voice:
        raise InputError("the piper engine needs 'voice' = the path of a .onnx voice model (relative to the profile)")
    model = Path(voice).expanduser()
    if model.suffix != ".onnx":
        model = model.with_name(model.name + ".onnx")
    config = model.with_name(model.name + ".json")
    if not model.is_file():
        raise InputError(f"piper voice model not found: {model}; put a piper .onnx model there (with its .onnx.json)")
    if not config.is_file():
        raise InputError(f"piper voice config not found: {config}; it ships beside the model as MODEL.onnx.json")
    return model, config


def length_scale(rate: int, base: float = 1.0) -> float:
    """piper's length_scale for a rate in wpm: faster speech, shorter phonemes."""
    return base * REFERENCE_WPM / max(int(rate), 1)


class PiperEngine:
    """piper-tts behind narrate's Engine protocol; one loaded model per voice path."""

    name = "piper"
    accepts_phonemes = False

    def __init__(self) -> None:
        self._piper = _piper()
        self._voices: dict[Path, Any] = {}

    def version(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"piper-tts-{version('piper-tts')}"
        except PackageNotFoundError:
            return "piper-tts-unknown"

    def _load(self, voice: str) -> Any:
        model, config = model_paths(voice)
        if model not in self._voices:
            try:
                self._voices[model] = self._piper.PiperVoice.load(str(model), config_path=str(config))
            except Exception as exc:  # noqa: BLE001 - onnxruntime raises many kinds
                raise InputError(f"piper could not load {model} ({exc})") from None
        return self._voices[model]

    def list_voices(self) -> list[VoiceInfo]:
        """The models already loaded; piper has no installed voices of its own."""
        return [VoiceInfo(id=str(p), name=p.stem) for p in self._voices]

    def synthesize(self, parts: tuple[SpokenPart, ...], settings: VoiceSettings, out_path: Path) -> TakeAudio:
        voice = self._load(settings.voice)
        text = engine_input(parts, phonemes=False).text
        base = float(getattr(getattr(voice, "config", None), "length_scale", 1.0) or 1.0)
        syn = self._piper.SynthesisConfig(length_scale=length_scale(settings.rate, base), volume=float(settings.volume))
        rate = int(getattr(getattr(voice, "config", None), "sample_rate", 22050))
        audio: list[bytes] = []
        if text:
            try:
                for chunk in voice.synthesize(text, syn_config=syn):
                    rate = int(chunk.sample_rate)
                    audio.append(chunk.audio_int16_bytes)
            except Exception as exc:  # noqa: BLE001
                raise SynthesisError(f"piper failed on {text[:60]!r} ({exc})") from None
        data = b"".join(audio)
        out_path = Path(out_path)
        write_take(out_path, rate, data)
        return TakeAudio(path=out_path, sample_rate=rate, frames=len(data) // 2)

    def close(self) -> None:
        self._voices.clear()
