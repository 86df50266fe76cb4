"""pyttsx3: the OS's own engine (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS).

Traps handled here (see the engine notes): the first ``runAndWait`` after
``init`` returns at once, so one empty run primes the loop; the driver prints
``Audio saved to …`` for every file, so stdout is captured (at the Python and
the file-descriptor level, so ``--json`` output stays one document); every
property is set on every call, and read back, because a setting can be lost;
an empty take is retried once; the espeak driver writes a 22,050 Hz header
whatever the library's rate, so the header is corrected. Long texts are
quadratic and crash it, so callers hand it one segment at a time. On Linux
narrate starts libespeak-ng synchronously before the driver would start it
with a thread of its own (see _prepare_shared_espeak): that thread's races
with the driver's ``stop()`` were what emptied takes and lost the rate.

Word timings: with the espeak driver they are exact (espeak's word events,
read by wrapping the driver's callback). With other drivers they come from
pyttsx3's ``started-word`` events, which carry only a character position, so
the time is *approximate*: the take's duration shared out by character offset.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import platform
import sys
import tempfile
import threading
import time
import wave
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DependencyError, InputError, SynthesisError
from ..models import SpokenPart
from .base import CALLBACK_CODE, TakeAudio, VoiceInfo, VoiceSettings, WordTime, write_take
from .escape import EngineInput, engine_input, split_input

log = logging.getLogger(__name__)

#: pyttsx3 tells espeak the text is ten times its length (about 31,600 characters crash it when
#: the library runs its own thread) and grows its audio buffer quadratically (made linear for the
#: espeak driver in the callback wrapper; other drivers may be alike): longer texts are spoken in
#: pieces of this size.
MAX_CHARS = 2000


@contextlib.contextmanager
def _captured_stdout() -> Iterator[None]:
    """Swallow stdout from Python prints and from C code alike, logging it at debug level."""
    buf = io.StringIO()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        fd = -1
    if fd < 0:
        with contextlib.redirect_stdout(buf):
            yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        try:
            with contextlib.redirect_stdout(buf):
                yield
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
            os.dup2(saved, fd)
            os.close(saved)
            sink.seek(0)
            leaked = sink.read().decode("utf-8", "replace") + buf.getvalue()
    if leaked.strip():
        log.debug("pyttsx3 printed: %s", leaked.strip())


def _prepare_shared_espeak() -> None:
    """On Linux, start libespeak-ng in synchronous mode before pyttsx3's espeak driver starts it.

    The driver's own start (AUDIO_OUTPUT_RETRIEVAL) gives the library a thread of its own that
    runs every call from a queue, ``SetParameter`` included. The driver's ``stop()``, run at the
    start of every ``runAndWait``, cancels if that thread is busy (``espeak_IsPlaying``), which
    it is while the take's parameters just set are still queued or the last take is still
    ending: the cancel drops the queue, resets every parameter to its value at the previous
    ``Synth`` and leaves the driver cancelling the new take too (the empty takes and lost
    rates of the engine notes). In synchronous mode ``SetParameter`` applies at once,
    ``IsPlaying`` is always false and ``Synth`` speaks in the calling thread, so the driver
    still does all the work (same calls, same buffer, byte-identical WAVs) without those races.
    If the library is already started (by pyttsx3 before narrate, or by narrate's espeak-ng
    engine) or the two load different copies of it, this changes nothing.
    """
    if platform.system() != "Linux":
        return
    from pyttsx3.drivers import _espeak  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from pyttsx3.drivers.espeak import EspeakDriver  # type: ignore[import-untyped, import-not-found, unused-ignore]

    from . import espeak_lib

    if not EspeakDriver._moduleInitialized and espeak_lib.same_library(getattr(_espeak, "dll", None)):
        try:
            espeak_lib.initialise()
        except DependencyError as exc:  # pyttsx3 starts it its own way (or says why it cannot)
            log.debug("libespeak-ng not started synchronously: %s", exc.message)
    if espeak_lib.initialised_by_narrate():
        EspeakDriver._moduleInitialized = True
        EspeakDriver._defaultVoice = EspeakDriver._defaultVoice or "en"


class _WakeableTime:
    """Stands in for the ``time`` module inside pyttsx3's espeak driver, and nowhere else.

    The driver's run loop sleeps ``time.sleep(0.01)`` between its checks for the end of the
    utterance, so every take cost at least one 10 ms tick on top of its synthesis (2.6 s for
    the 263 takes of a 5,000-word script, which raw espeak-ng speaks in 2.5-3.5 s here).
    ``sleep`` here waits on an event instead: the callback wrapper sets it once the driver has
    written the take and left its loop, and the loop ends at once. Without the event (another
    caller of the driver, a lost end message) it is the same timed sleep as before; every
    other attribute is the real module's.

    Only used when the library runs synchronously (see _prepare_shared_espeak): with the
    library's own thread, returning as soon as the end message arrived let the next take's
    ``stop()`` find that thread still busy and cancel the take (every 263-take run failed a
    take twice within its first few takes); the 10 ms tick was hiding that race.
    """

    def __init__(self, real: Any) -> None:
        self._real = real
        self.wake = threading.Event()

    def sleep(self, seconds: float) -> None:
        # One wake-up per set: a stray one costs the loop one early turn, never a busy loop.
        if self.wake.wait(seconds):
            self.wake.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _wakeable_driver_time() -> _WakeableTime | None:
    """The driver module's ``time`` made a _WakeableTime (once per process); None if something
    else already replaced it."""
    from pyttsx3.drivers import espeak as driver_module  # type: ignore[import-untyped, import-not-found, unused-ignore]

    current = getattr(driver_module, "time", None)
    if isinstance(current, _WakeableTime):
        return current
    if current is not time:
        return None
    shim = _WakeableTime(time)
    driver_module.time = shim
    return shim


def _synchronous() -> bool:
    """True when libespeak-ng runs in narrate's synchronous mode (Synth speaks in the calling thread)."""
    from . import espeak_lib

    return espeak_lib.initialised_by_narrate()


def _pyttsx3_version() -> str:
    """pyttsx3's installed version, from the dist-info folder beside the imported package.

    The same answer as ``importlib.metadata.version("pyttsx3")`` without importing importlib.metadata (and the
    email package it parses metadata with): ~30 ms of every render's start, spent to read one line. Any other
    layout asks importlib.metadata.
    """
    import pyttsx3  # type: ignore[import-untyped, import-not-found, unused-ignore]

    site = Path(pyttsx3.__file__).resolve().parent.parent
    found = list(site.glob("pyttsx3-*.dist-info"))
    if len(found) == 1:
        try:
            for line in (found[0] / "METADATA").read_text(encoding="utf-8").splitlines():
                if line.startswith("Version:"):
                    return line.partition(":")[2].strip()
                if not line.strip():
                    break  # the end of the headers
        except OSError:
            pass
    from importlib.metadata import version

    return version("pyttsx3")


#: pyttsx3 engines already primed. pyttsx3.init() hands back the same engine while one is
#: alive, and an empty runAndWait on a primed engine waits forever.
_PRIMED: "weakref.WeakSet[Any]" = weakref.WeakSet()
#: libespeak-ng callbacks handed out by this module; never freed (see _install_espeak_callback).
_LIVE_CALLBACKS: list[Any] = []


class Pyttsx3Engine:
    """pyttsx3 behind narrate's Engine protocol."""

    name = "pyttsx3"

    def __init__(self) -> None:
        try:
            import pyttsx3  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError:  # pragma: no cover - a dependency of the package
            raise DependencyError("the Python package pyttsx3 is missing: pip install pyttsx3") from None
        try:
            _prepare_shared_espeak()
            with _captured_stdout():
                self._engine: Any = pyttsx3.init()
                # Prime the loop: the first runAndWait returns before the driver runs.
                if self._engine not in _PRIMED:
                    self._engine.runAndWait()
                    _PRIMED.add(self._engine)
        except (OSError, RuntimeError) as exc:
            hint = "sudo apt-get install espeak-ng" if platform.system() == "Linux" else "a system speech engine"
            raise DependencyError(f"pyttsx3 could not start a speech engine ({exc}); install {hint}") from None
        self._driver: Any = self._engine.proxy._driver
        self._driver_name = type(self._driver).__module__.rsplit(".", 1)[-1]
        self.accepts_phonemes = self._driver_name == "espeak"
        self._events: list[tuple[int, int, float]] = []
        self._espeak_cb: Any = None
        self._terminated = False
        #: An exception the driver raised inside libespeak-ng's callback during the current take.
        self._failure: BaseException | None = None
        self._clock: _WakeableTime | None = None
        if self._driver_name == "espeak" and _synchronous():
            self._clock = _wakeable_driver_time()
        # An empty voice means this one: without resetting to it, the last voice used would stick.
        self._default_voice = self._engine.getProperty("voice")
        self._engine.connect("started-word", self._on_started_word)

    def version(self) -> str:
        v = f"pyttsx3-{_pyttsx3_version()}/{self._driver_name}"
        if self._driver_name == "espeak":
            from .espeak_info import espeak_version

            v += f"-{espeak_version()}"
        return v

    def list_voices(self) -> list[VoiceInfo]:
        out = []
        for v in self._engine.getProperty("voices"):
            gender = str(v.gender).lower() if v.gender else None
            out.append(VoiceInfo(id=str(v.id), name=str(v.name), languages=tuple(str(x) for x in (v.languages or [])), gender=gender))
        return out

    def _apply(self, settings: VoiceSettings) -> None:
        # Set every property on every call (a lost setting must not stick), then read the rate back.
        voice = settings.voice or self._default_voice
        if voice:
            try:
                self._engine.setProperty("voice", voice)
            except (ValueError, KeyError) as exc:
                raise InputError(f"pyttsx3 has no voice '{voice}' ({exc}); see 'narrate voices --engine pyttsx3'") from None
        for _ in range(2):
            self._engine.setProperty("rate", int(settings.rate))
            self._engine.setProperty("volume", float(settings.volume))
            with contextlib.suppress(KeyError, ValueError, TypeError, AttributeError):
                self._engine.setProperty("pitch", int(settings.pitch))
            with contextlib.suppress(Exception):
                if int(self._engine.getProperty("rate")) != int(settings.rate):
                    log.debug("pyttsx3 lost the rate setting; setting it again")
                    continue
            break

    def _on_started_word(self, name: Any = None, location: int = 0, length: int = 0, **_: Any) -> None:
        if self._driver_name != "espeak":
            self._events.append((int(location), int(length), -1.0))

    def _install_espeak_callback(self) -> None:
        """Route libespeak-ng's callback to the driver again (another engine may have replaced it),
        through a wrapper that keeps the word events' audio positions."""
        from pyttsx3.drivers import _espeak  # type: ignore[import-untyped, import-not-found, unused-ignore]

        if self._espeak_cb is None:
            driver = self._driver
            events = self._events
            clock = self._clock
            # In narrate's synchronous mode the library never sends MSG_TERMINATED (only a last
            # call with no audio), and the driver's loop waits for it forever: send it ourselves.
            synchronous = _synchronous()

            def wrapped(wav: Any, numsamples: int, evs: Any) -> int:
                i = 0
                while evs[i].type != _espeak.EVENT_LIST_TERMINATED:
                    if evs[i].type == _espeak.EVENT_WORD:
                        events.append((evs[i].text_position, evs[i].length, evs[i].audio_position / 1000.0))
                    self._terminated = self._terminated or evs[i].type == _espeak.EVENT_MSG_TERMINATED
                    i += 1
                if numsamples > 0 and type(getattr(driver, "_data_buffer", None)) is bytes:
                    # The driver appends each chunk with `_data_buffer += ...`: on bytes that copies
                    # the whole take every time (quadratic; a 2,000-character piece spent 0.38 s
                    # there), on a bytearray it extends in place. It writes either to the WAV alike.
                    driver._data_buffer = bytearray(driver._data_buffer)
                rc = 0
                try:
                    rc = int(driver._onSynth(wav, numsamples, evs) or 0)
                    if synchronous and not wav and not self._terminated:
                        self._terminated = True
                        end = (_espeak.EVENT * 2)()
                        end[0].type = _espeak.EVENT_MSG_TERMINATED
                        end[1].type = _espeak.EVENT_LIST_TERMINATED
                        driver._onSynth(None, 0, end)
                except BaseException as exc:  # noqa: BLE001 - handed to _run
                    # The driver raises when it cannot write the WAV, before ending its loop; ctypes
                    # drops an exception raised in a callback, so the loop would wait forever. A Ctrl-C
                    # landing here is no different: _run raises it once the loop has ended.
                    self._failure = exc
                    driver.endLoop()
                if clock is not None and self._terminated and not getattr(driver, "_looping", False):
                    clock.wake.set()  # the take is written and the loop told to end: stop its sleep
                return rc

            # Made once and kept for the process: the library's thread may still be returning
            # through a callback when the next take installs one, so none may ever be freed.
            CALLBACK_CODE.add(wrapped.__code__)
            self._espeak_cb = _espeak.t_espeak_callback(wrapped)
            _LIVE_CALLBACKS.append(self._espeak_cb)
        self._terminated = False
        if self._clock is not None:
            self._clock.wake.clear()  # a wake-up left from the last take must not cut this one short
        _espeak.cSetSynthCallback(self._espeak_cb)

    def _run(self, text: str, out_path: Path) -> None:
        self._events.clear()
        self._failure = None
        if self._driver_name == "espeak":
            self._install_espeak_callback()
        with _captured_stdout():
            self._engine.save_to_file(text, str(out_path))
            self._engine.runAndWait()
        if isinstance(self._failure, (KeyboardInterrupt, SystemExit)):
            raise self._failure
        if self._failure is not None:
            raise SynthesisError(f"pyttsx3 could not finish the take: {self._failure}")

    def synthesize(self, parts: tuple[SpokenPart, ...], settings: VoiceSettings, out_path: Path) -> TakeAudio:
        inp = engine_input(parts, phonemes=self.accepts_phonemes)
        out_path = Path(out_path)
        if not inp.text:
            return _write_silence(out_path, 22050)
        pieces = split_input(inp, MAX_CHARS)
        if len(pieces) == 1:
            return self._take(inp, 0, inp.text, settings, out_path)
        # A long text: speak it in pieces and join them, so pyttsx3 never sees a text it crashes on.
        with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".pyttsx3-") as tmp:
            takes = [self._take(inp, off, text, settings, Path(tmp) / f"{i}.wav") for i, (off, text) in enumerate(pieces)]
            return _join(takes, out_path)

    def _take(self, inp: EngineInput, offset: int, text: str, settings: VoiceSettings, out_path: Path) -> TakeAudio:
        for attempt in (1, 2):
            self._apply(settings)
            out_path.unlink(missing_ok=True)
            self._run(text, out_path)
            take = self._read(out_path, inp, offset, len(text))
            if take is not None and take.frames > 0:
                return take
            log.debug("pyttsx3 wrote an empty take for %r (attempt %d)", text[:60], attempt)
        raise SynthesisError(f"pyttsx3 wrote no audio for {text[:60]!r}, twice")

    def _read(self, out_path: Path, inp: EngineInput, offset: int, length: int) -> TakeAudio | None:
        try:
            with wave.open(str(out_path), "rb") as w:
                rate, frames = w.getframerate(), w.getnframes()
        except (OSError, EOFError, wave.Error):
            return None
        if self._driver_name == "espeak":
            rate = _fix_espeak_rate(out_path, rate)
        duration = frames / rate if rate else 0.0
        return TakeAudio(path=out_path, sample_rate=rate, frames=frames, words=self._words(inp, offset, length, duration))

    def _words(self, inp: EngineInput, offset: int, length: int, duration: float) -> tuple[WordTime, ...]:
        out: list[WordTime] = []
        last = 0.0
        for pos, size, t in self._events:
            start = t if t >= 0 else duration * (pos - 1) / max(length, 1)  # approximate without audio positions
            start = min(max(start, last), duration)
            word = inp.word_at(offset + pos - 1, size)
            if word.strip():
                out.append(WordTime(word, start))
                last = start
        return tuple(out)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._engine.stop()


def _write_silence(out_path: Path, rate: int) -> TakeAudio:
    """An empty take for empty input (pyttsx3 asserts on an empty text)."""
    write_take(out_path, rate)
    return TakeAudio(path=out_path, sample_rate=rate, frames=0)


def _fix_espeak_rate(out_path: Path, header_rate: int) -> int:
    """The espeak driver always writes 22,050 Hz; rewrite the header if the library runs at another rate."""
    from . import espeak_lib

    try:
        real = espeak_lib.sample_rate()
    except Exception:  # noqa: BLE001 - the header is still the best guess
        return header_rate
    if real <= 0 or real == header_rate:
        return header_rate
    with wave.open(str(out_path), "rb") as r:
        data = r.readframes(r.getnframes())
    write_take(out_path, real, data)
    return real


def _join(takes: list[TakeAudio], out_path: Path) -> TakeAudio:
    """One take from several, in order, with their word timings moved to the joined timeline."""
    words: list[WordTime] = []
    elapsed = 0.0
    for take in takes:
        words += [WordTime(w.word, w.start_s + elapsed) for w in take.words]
        elapsed += take.duration_s

    def pcm() -> Iterator[bytes]:
        for take in takes:
            with wave.open(str(take.path), "rb") as w:
                yield w.readframes(w.getnframes())

    rate = takes[0].sample_rate
    frames = write_take(out_path, rate, pcm())
    return TakeAudio(path=out_path, sample_rate=rate, frames=frames, words=tuple(words))
