"""Engine registry: built-ins by name plus the ``narrate.engines`` entry-point group."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from ..errors import DependencyError, InputError
from .base import Engine, TakeAudio, VoiceInfo, VoiceSettings, WordTime, take_fits

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "Engine",
    "TakeAudio",
    "VoiceInfo",
    "VoiceSettings",
    "WordTime",
    "create_engine",
    "engine_factory",
    "engine_names",
    "take_fits",
]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "narrate.engines"

#: Built-in engines: name -> "module:factory" (imported lazily; heavy deps stay unloaded).
BUILTIN: dict[str, str] = {
    "pyttsx3": "narrate.engines.pyttsx3_engine:Pyttsx3Engine",
    "espeak-ng": "narrate.engines.espeak_ng:EspeakNgEngine",
    "piper": "narrate.engines.piper_engine:PiperEngine",
}


def _plugins() -> dict[str, str]:
    """Third-party engines: ``[project.entry-points."narrate.engines"] NAME = "module:Factory"``."""
    from importlib.metadata import entry_points  # scanning installed packages: only when asked

    found: dict[str, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in BUILTIN:
            log.warning("engine plugin '%s' (%s) ignored: a built-in engine has that name", ep.name, ep.value)
            continue
        found[ep.name] = ep.value
    return found


def engine_names() -> list[str]:
    """Every engine name a profile may use, built-in or plugin."""
    return sorted({**BUILTIN, **_plugins()})


def engine_factory(name: str) -> Callable[[], Engine]:
    """The factory registered under ``name``; an InputError lists the known names."""
    # A built-in name always wins, so it needs no scan of the installed plugins.
    target = BUILTIN.get(name) or _plugins().get(name)
    if target is None:
        raise InputError(f"unknown engine '{name}'; known engines: {', '.join(engine_names())}")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name.strip())
    except ImportError as exc:
        raise DependencyError(f"engine '{name}' cannot be loaded from {module_name} ({exc})") from None
    factory: Callable[[], Engine] | None = getattr(module, attr.strip(), None) if attr else None
    if factory is None or not callable(factory):
        raise InputError(f"engine '{name}' is registered as '{target}', which names no factory")
    return factory


def create_engine(name: str) -> Engine:
    """A new engine instance (one per process for the espeak-based engines)."""
    engine = engine_factory(name)()
    if not isinstance(engine, Engine):
        raise InputError(f"engine '{name}' does not implement narrate's Engine protocol")
    return engine
