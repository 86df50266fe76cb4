"""Take audio as numbers: read a WAV take, trim its padding, resample it, fade its edges."""

from __future__ import annotations

import math
import wave
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np

from . import riff
from .errors import InputError

#: Samples quieter than this (dB relative to full scale) count as padding when trimming.
TRIM_THRESHOLD_DBFS = -50.0
#: Audio kept on each side of the first/last loud sample, so soft onsets are not clipped.
TRIM_KEEP_S = 0.005
#: Length of the fade at every take edge: long enough that no join clicks, short enough to be inaudible.
FADE_S = 0.008

FULL_SCALE = 32768.0


@dataclass(frozen=True)
class TakeInfo:
    """A take's header: what is needed to place it without reading its samples."""

    path: Path
    sample_rate: int
    frames: int


def read_header(path: Path) -> TakeInfo:
    """The rate and length of a mono 16-bit WAV take; anything else is an InputError naming it."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise InputError(
                    f"{path}: takes must be mono 16-bit WAV, got {w.getnchannels()} channel(s), "
                    f"{8 * w.getsampwidth()}-bit"
                )
            return TakeInfo(path, w.getframerate(), w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise InputError(f"{path}: not a readable WAV take ({exc})") from None
    except FileNotFoundError:
        raise InputError(f"{path}: take is missing; render again to synthesize it") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read take ({exc.strerror or exc})") from None


def read_samples(path: Path | str) -> tuple[np.ndarray, int]:
    """The take's int16 samples and its sample rate."""
    try:
        with open(path, "rb") as f:
            parsed = _mono16(f.read())
        if parsed is not None:
            return parsed
    except OSError:
        pass  # the wave module's reading below names the problem
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                read_header(Path(path))  # the InputError that says what the take is instead
            rate = w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError, OSError):
        read_header(Path(path))  # an InputError naming what is wrong with the take
        raise InputError(f"{path}: cannot read take") from None
    return np.frombuffer(raw, dtype="<i2"), rate


def _mono16(raw: bytes) -> tuple[np.ndarray, int] | None:
    """The samples (no copy) and rate of a plain mono 16-bit PCM WAV in ``raw``; None for anything
    else, which the ``wave`` module then reads or explains."""
    layout = riff.pcm_layout(raw)
    if layout is None or layout.channels != 1 or layout.width != 2 or layout.rate <= 0:
        return None
    # As the wave module reads: what there is of a short data chunk, and nothing past the RIFF chunk.
    count = max(0, min(layout.data_bytes, min(len(raw), layout.riff_end) - layout.data_offset)) // 2
    return np.frombuffer(raw, dtype="<i2", count=count, offset=layout.data_offset), layout.rate


def trim_bounds(samples: np.ndarray, rate: int) -> tuple[int, int]:
    """``(start, end)`` of the take's audio without leading/trailing padding (end exclusive).

    A take with no sample above the threshold trims to an empty range at 0.
    """
    threshold = FULL_SCALE * 10 ** (TRIM_THRESHOLD_DBFS / 20)
    # |s| > threshold for integers s, in int16 without widening (|-32768| does not fit int16).
    limit = int(math.floor(threshold))
    loud = np.flatnonzero((samples > limit) | (samples < -limit))
    if loud.size == 0:
        return 0, 0
    keep = int(round(TRIM_KEEP_S * rate))
    return max(0, int(loud[0]) - keep), min(samples.size, int(loud[-1]) + 1 + keep)


def resampled_length(frames: int, src_rate: int, dst_rate: int) -> int:
    """How many samples ``resample`` returns for ``frames`` input samples."""
    if src_rate == dst_rate:
        return frames
    g = gcd(src_rate, dst_rate)
    up, down = dst_rate // g, src_rate // g
    return -(-frames * up // down)


def resample(x: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """``x`` (float) at ``dst_rate``; a polyphase filter, exact in length (see ``resampled_length``)."""
    if src_rate == dst_rate or x.size == 0:
        return x
    from scipy.signal import resample_poly

    g = gcd(src_rate, dst_rate)
    return resample_poly(x, dst_rate // g, src_rate // g).astype(np.float32, copy=False)


_FADES: dict[int, np.ndarray] = {}


def _fade_curve(n: int) -> np.ndarray:
    curve = _FADES.get(n)
    if curve is None:
        # Raised-cosine: no corner at either end of the ramp, so nothing audible at the join.
        curve = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float64))).astype(np.float32)
        _FADES[n] = curve
    return curve


def fade_curve(size: int, rate: int) -> np.ndarray:
    """The fade-in ramp (float32) of a take of ``size`` samples; the fade-out is it reversed."""
    n = min(int(round(FADE_S * rate)), size // 2)
    return _fade_curve(n) if n > 0 else np.zeros(0, dtype=np.float32)


def fade_edges(x: np.ndarray, rate: int) -> None:
    """Fade ``x`` (float32, modified in place) in at its start and out at its end."""
    curve = fade_curve(x.size, rate)
    n = curve.size
    if n <= 0:
        return
    x[:n] *= curve
    x[x.size - n :] *= curve[::-1]


def prepared_take(path: Path | str, start: int, end: int, track_rate: int, gain: float = 1.0) -> np.ndarray:
    """The take's trimmed, resampled and faded audio as float32 in int16 units, times ``gain``."""
    samples, rate = read_samples(path)
    return prepare_samples(samples, rate, start, end, track_rate, gain)


def prepare_samples(samples: np.ndarray, rate: int, start: int, end: int, track_rate: int, gain: float = 1.0) -> np.ndarray:
    """``prepared_take`` for samples already read."""
    # Converted and gained in one pass (the resampler and the fades are linear, so the order is free).
    x = np.multiply(samples[start:end], np.float32(gain), dtype=np.float32)
    x = resample(x, rate, track_rate)
    if not x.flags.writeable:
        x = x.copy()
    fade_edges(x, track_rate)
    return x


def to_int16(x: np.ndarray, clip: bool = True) -> bytes:
    """Float samples in int16 units as little-endian 16-bit PCM, rounded and clipped.

    ``clip=False`` when the samples are known to lie within (-32768.5, 32767.5) already.
    """
    np.rint(x, out=x)
    if clip:
        np.clip(x, -32768, 32767, out=x)
    return x.astype("<i2").tobytes()
