"""Engine registry: built-ins by name plus the ``narrate.engines`` entry-point group."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points

from ..errors import InputError
from .base import Engine, TakeAudio, VoiceInfo, VoiceSettings, WordTime

__all__ = ["Engine", "TakeAudio", "VoiceInfo", "VoiceSettings", "WordTime", "create_engine", "engine_names", "engine_factory"]

#: Built-in engines: name -> "module:factory" (imported lazily; heavy deps stay unloaded).
BUILTIN: dict[str, str] = {
    "pyttsx3": "narrate.engines.pyttsx3_engine:Pyttsx3Engine",
    "espeak-ng": "narrate.engines.espeak_ng:EspeakNgEngine",
    "piper": "narrate.engines.piper_engine:PiperEngine",
}


def _plugins() -> dict[str, str]:
    found: dict[str, str] = {}
    for ep in entry_points(group="narrate.engines"):
        found[ep.name] = ep.value
    return found


def engine_names() -> list[str]:
    return sorted({**BUILTIN, **_plugins()})


def engine_factory(name: str) -> Callable[[], Engine]:
    """The factory registered under ``name``; an InputError lists the known names."""
    table = {**_plugins(), **BUILTIN}
    target = table.get(name)
    if target is None:
        raise InputError(f"unknown engine '{name}'; known engines: {', '.join(engine_names())}")
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    factory: Callable[[], Engine] = getattr(module, attr)
    return factory


def create_engine(name: str) -> Engine:
    return engine_factory(name)()
