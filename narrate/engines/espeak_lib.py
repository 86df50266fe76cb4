"""Minimal ctypes bindings to libespeak-ng, initialised once per process in synchronous mode."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..errors import DependencyError, InputError, SynthesisError

log = logging.getLogger(__name__)

# speak_lib.h
AUDIO_OUTPUT_SYNCHRONOUS = 2
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
EVENT_MSG_TERMINATED = 6
CHARS_UTF8 = 1
PHONEMES = 0x100  # espeakPHONEMES: obey [[...]]; only set when a lexicon gave phonemes
RATE, VOLUME, PITCH = 1, 2, 3
EE_OK = 0

_CANDIDATES = (
    "libespeak-ng.so.1",
    "/usr/local/lib/libespeak-ng.so.1",
    "/opt/homebrew/lib/libespeak-ng.1.dylib",
    "/usr/local/lib/libespeak-ng.1.dylib",
    r"C:\Program Files\eSpeak NG\libespeak-ng.dll",
)


class _NumberOrName(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p)]


class Event(ctypes.Structure):
    """espeak_EVENT: ``audio_position`` is in ms from the start of the current Synth call."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _NumberOrName),
    ]


class Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # priority byte + name + NUL, repeated, ends with a 0 byte
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))

_lock = threading.RLock()
_dll: Any = None
#: "sync" when narrate initialised the library; "shared" when pyttsx3's espeak driver did first.
_mode: str | None = None
#: The installed callback: the library keeps a raw pointer to it, so it must outlive the call.
#: The word and audio handlers of the synthesis under way (set under _lock).
_handlers: list[Any] = [None, None]
_DISPATCH: Any = None


def _dispatch(wav: Any, numsamples: int, events: Any) -> int:
    on_word, on_audio = _handlers
    i = 0
    while events[i].type != EVENT_LIST_TERMINATED:
        e = events[i]
        if e.type == EVENT_WORD and on_word is not None:
            on_word(e.text_position, e.length, e.audio_position)
        i += 1
    if wav and numsamples > 0 and on_audio is not None:
        on_audio(ctypes.string_at(wav, numsamples * 2))
    return 0


def _dispatcher() -> Any:
    """The one callback object handed to libespeak-ng, alive for the whole process.

    A callback made per call and dropped when the next replaces it can be freed while
    the library's thread (started by pyttsx3's asynchronous mode) is still returning
    through it: a segfault seen once in a long test run.
    """
    global _DISPATCH
    if _DISPATCH is None:
        _DISPATCH = SynthCallback(_dispatch)
    return _DISPATCH


def _load() -> Any:
    global _dll
    if _dll is not None:
        return _dll
    names = [n for n in (ctypes.util.find_library("espeak-ng"),) if n] + list(_CANDIDATES)
    for name in names:
        try:
            dll = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        raise DependencyError("libespeak-ng is not installed: sudo apt-get install espeak-ng (or libespeak-ng1)")
    dll.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    dll.espeak_Initialize.restype = ctypes.c_int
    dll.espeak_SetSynthCallback.argtypes = [SynthCallback]
    dll.espeak_SetSynthCallback.restype = None
    dll.espeak_Synth.argtypes = [
        ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
        ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
    ]
    dll.espeak_Synth.restype = ctypes.c_int
    dll.espeak_Synchronize.restype = ctypes.c_int
    dll.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    dll.espeak_SetParameter.restype = ctypes.c_int
    dll.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    dll.espeak_SetVoiceByName.restype = ctypes.c_int
    dll.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    dll.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(Voice))
    dll.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    dll.espeak_Info.restype = ctypes.c_char_p
    dll.espeak_ng_GetSampleRate.restype = ctypes.c_int
    _dll = dll
    return dll


def _pyttsx3_initialised() -> bool:
    """True when pyttsx3's espeak driver already called espeak_Initialize in this process."""
    mod = sys.modules.get("pyttsx3.drivers.espeak")
    return bool(mod and getattr(mod.EspeakDriver, "_moduleInitialized", False))


def initialise() -> Any:
    """The loaded library, initialised once per process (shared with pyttsx3's driver if it came first)."""
    global _mode
    with _lock:
        dll = _load()
        if _mode is None:
            if _pyttsx3_initialised():
                # Initialising twice reloads all data and restarts its thread; reuse it instead.
                _mode = "shared"
            else:
                if dll.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, None, 0) <= 0:
                    raise DependencyError("libespeak-ng could not start (is espeak-ng-data installed?)")
                _mode = "sync"
        return dll


def initialised_by_narrate() -> bool:
    return _mode == "sync"


def same_library(other: Any) -> bool:
    """True when ``other`` (a ctypes handle, e.g. pyttsx3's) is the libespeak-ng loaded here, not a second copy."""
    try:
        mine = ctypes.cast(_load().espeak_Initialize, ctypes.c_void_p).value
        theirs = ctypes.cast(other.espeak_Initialize, ctypes.c_void_p).value
    except (AttributeError, TypeError, ctypes.ArgumentError, DependencyError):
        return False
    return bool(mine) and mine == theirs


def version() -> str:
    dll = _load()
    return (dll.espeak_Info(None) or b"unknown").decode("utf-8", "replace")


def sample_rate() -> int:
    return int(initialise().espeak_ng_GetSampleRate())


def _languages(ptr: int | None) -> tuple[str, ...]:
    if not ptr:
        return ()
    out: list[str] = []
    offset = 0
    while True:
        if ctypes.string_at(ptr + offset, 1) == b"\x00":  # priority 0 ends the list
            break
        name = ctypes.string_at(ptr + offset + 1)
        out.append(name.decode("utf-8", "replace"))
        offset += len(name) + 2
    return tuple(out)


def list_voices() -> list[tuple[str, str, tuple[str, ...], int]]:
    """(identifier, name, languages, gender 0/1/2) of every installed voice."""
    with _lock:
        pp = initialise().espeak_ListVoices(None)
        out = []
        i = 0
        while pp[i]:
            v = pp[i][0]
            ident = (v.identifier or b"").decode("utf-8", "replace")
            out.append((ident, (v.name or b"").decode("utf-8", "replace"), _languages(v.languages), int(v.gender)))
            i += 1
    return out


_resolved: dict[str, str] = {}


def resolve_voice(voice: str) -> str:
    """A name espeak_SetVoiceByName accepts: language codes such as ``en-gb`` (which the
    command line accepts but the call does not) become the voice file for that language."""
    if voice in _resolved:
        return _resolved[voice]
    base, plus, variant = voice.partition("+")
    name = voice
    want = base.lower()
    for ident, _name, langs, _gender in sorted(list_voices(), key=lambda v: v[0].startswith("mb/")):
        # mbrola voices (mb/) need the separate mbrola program: prefer espeak's own.
        if want in (lang.lower() for lang in langs) or ident.lower().rsplit("/", 1)[-1] == want:
            name = ident + plus + variant
            break
    _resolved[voice] = name
    return name


def _set_voice(dll: Any, voice: str) -> None:
    if dll.espeak_SetVoiceByName(voice.encode("utf-8")) == EE_OK:
        return
    name = resolve_voice(voice)
    if name == voice or dll.espeak_SetVoiceByName(name.encode("utf-8")) != EE_OK:
        raise InputError(f"espeak-ng has no voice '{voice}'; see 'narrate voices --engine espeak-ng'")


def synth(
    text: str,
    *,
    voice: str,
    rate: int,
    pitch: int,
    volume: int,
    phonemes: bool,
    on_audio: Callable[[bytes], None],
    on_word: Callable[[int, int, int], None],
) -> None:
    """Speak ``text`` (UTF-8, no SSML) into the callbacks; every parameter is set on every call.

    ``on_word(text_position, length, audio_position_ms)`` gets espeak's word events;
    ``text_position`` counts characters from 1.
    """

    data = text.encode("utf-8")
    with _lock:
        dll = initialise()
        _handlers[:] = [on_word, on_audio]
        dll.espeak_SetSynthCallback(_dispatcher())
        _set_voice(dll, voice)
        # The voice resets some parameters, so the rest are set after it, every time.
        dll.espeak_SetParameter(RATE, int(rate), 0)
        dll.espeak_SetParameter(PITCH, int(pitch), 0)
        dll.espeak_SetParameter(VOLUME, int(volume), 0)
        flags = CHARS_UTF8 | (PHONEMES if phonemes else 0)
        rc = dll.espeak_Synth(data, len(data) + 1, 0, 1, 0, flags, None, None)
        if rc != EE_OK:
            raise SynthesisError(f"espeak-ng refused the text (status {rc})")
        # A no-op in synchronous mode; waits for the worker thread when pyttsx3 initialised the library.
        dll.espeak_Synchronize()
