"""Loudness per ITU-R BS.1770 from small per-take analyses, and the true-peak limiter."""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import audio
from .errors import InputError
from .profiles import LOUDNESS_PRESETS

log = logging.getLogger(__name__)

#: Bump when anything that changes an analysis changes (trim, fade, filters), so old sidecars are redone.
ANALYSIS_VERSION = 1
#: True-peak ceilings of the presets. Audiobook follows ACX: peaks at or below -3 dBFS.
TRUE_PEAK_PRESETS = {"podcast": -1.0, "broadcast": -1.0, "audiobook": -3.0}
DEFAULT_TRUE_PEAK = -1.0
#: The limiter aims this far under the ceiling: our 4x oversampling and a meter's differ slightly.
LIMITER_MARGIN_DB = 0.2
#: Look-ahead (and release) of the limiter: short enough to stay local, long enough not to distort.
LIMITER_LOOKAHEAD_S = 0.005
SUB_BLOCK_S = 0.1
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0


def resolve_loudness(value: str | float) -> tuple[float, float]:
    """``(target_lufs, true_peak_dbtp)`` for a preset name or a number of LUFS.

    podcast -> (-16, -1); broadcast (EBU R128) -> (-23, -1); audiobook (ACX) -> (-20, -3);
    "-18" or -18.0 -> (-18, -1).
    """
    if isinstance(value, str):
        key = value.strip().lower()
        if key in LOUDNESS_PRESETS:
            return float(LOUDNESS_PRESETS[key]), TRUE_PEAK_PRESETS.get(key, DEFAULT_TRUE_PEAK)
        try:
            number = float(key)
        except ValueError:
            raise InputError(
                f"loudness '{value}' is neither a number of LUFS nor one of {', '.join(LOUDNESS_PRESETS)}"
            ) from None
    else:
        number = float(value)
    if not (-70.0 < number < 0.0) or math.isnan(number):
        raise InputError(f"loudness {number:g} LUFS is out of range; give a value between -70 and 0 (e.g. -16)")
    return number, DEFAULT_TRUE_PEAK


@lru_cache(maxsize=8)
def k_weighting_sos(rate: int) -> np.ndarray:
    """The BS.1770 K-weighting (shelf + high-pass) as second-order sections for any sample rate."""
    # Coefficients derived for any rate as in libebur128, so 16 kHz neural takes measure correctly too.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
             1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


def sub_block_len(rate: int) -> int:
    return int(round(SUB_BLOCK_S * rate))


def oversampled_peaks(x: np.ndarray) -> np.ndarray:
    """Per sample, the largest magnitude among it and the 3 points after it at 4x oversampling."""
    from scipy.signal import resample_poly

    if x.size == 0:
        return np.zeros(0, dtype=np.float32)
    up = resample_poly(x, 4, 1)[: 4 * x.size]
    peaks = np.abs(up).reshape(-1, 4).max(axis=1)
    return np.maximum(peaks, np.abs(x))


def chunk_energies(x: np.ndarray, rate: int, zi: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """K-weighted energy (sum of squares, full scale = 1) per 100 ms chunk of ``x`` from its start.

    Returns the energies and the filter state, for measuring a stream chunk by chunk.
    """
    from scipy.signal import sosfilt, sosfilt_zi

    sos = k_weighting_sos(rate)
    if zi is None:
        zi = np.zeros((sos.shape[0], 2))
    y, zf = sosfilt(sos, x.astype(np.float64) / audio.FULL_SCALE, zi=zi)
    n = sub_block_len(rate)
    sq = y * y
    pad = (-sq.size) % n
    if pad:
        sq = np.concatenate([sq, np.zeros(pad)])
    return sq.reshape(-1, n).sum(axis=1), zf


@dataclass(frozen=True)
class TakeAnalysis:
    """What mastering needs of one take at one track rate; cached in a sidecar beside the take."""

    version: int
    track_rate: int
    size: int
    mtime_ns: int
    take_rate: int
    trim_start: int  # in the take's own samples
    trim_end: int
    length: int  # samples at the track rate, after trimming and resampling
    peak: float  # true peak of the prepared take, full scale = 1
    sumsq: float  # unweighted energy, full scale = 1 (for RMS)
    energies: tuple[float, ...]  # K-weighted energy per 100 ms chunk from the trimmed start


def sidecar_path(take: Path) -> Path:
    return take.with_name(take.name + ".analysis.json")


def _load_sidecar(take: Path, st: os.stat_result, track_rate: int) -> TakeAnalysis | None:
    try:
        data = json.loads(sidecar_path(take).read_text(encoding="utf-8"))
        data["energies"] = tuple(float(e) for e in data["energies"])
        a = TakeAnalysis(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None  # missing or corrupt: recompute
    if (a.version, a.track_rate, a.size, a.mtime_ns) != (ANALYSIS_VERSION, track_rate, st.st_size, st.st_mtime_ns):
        return None
    return a


def _write_sidecar(take: Path, a: TakeAnalysis) -> None:
    target = sidecar_path(take)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(a), f, separators=(",", ":"))
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        # A read-only take cache only costs speed: the analysis is redone next time.
        log.debug("cannot cache analysis of %s: %s", take, exc)


def analyse_take(take: Path, track_rate: int) -> TakeAnalysis:
    """The take's analysis, from its sidecar when fresh, else computed and cached."""
    try:
        st = take.stat()
    except OSError:
        audio.read_header(take)  # raises the InputError naming the take
        raise
    cached = _load_sidecar(take, st, track_rate)
    if cached is not None:
        return cached
    samples, rate = audio.read_samples(take)
    start, end = audio.trim_bounds(samples, rate)
    x = audio.prepared_take(take, start, end, track_rate) if end > start else np.zeros(0, np.float32)
    energies, _ = chunk_energies(x, track_rate) if x.size else (np.zeros(0), None)
    peak = float(oversampled_peaks(x).max()) / audio.FULL_SCALE if x.size else 0.0
    xf = x.astype(np.float64) / audio.FULL_SCALE
    a = TakeAnalysis(
        version=ANALYSIS_VERSION, track_rate=track_rate, size=st.st_size, mtime_ns=st.st_mtime_ns,
        take_rate=rate, trim_start=start, trim_end=end, length=int(x.size), peak=peak,
        sumsq=float(np.dot(xf, xf)), energies=tuple(float(e) for e in energies),
    )
    _write_sidecar(take, a)
    return a


class LoudnessMeter:
    """Collects 100 ms sub-block energies of a track laid out sample by sample; gates them at the end."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.n = sub_block_len(rate)
        self._blocks = np.zeros(1024)
        self.samples = 0

    def _grow(self, size: int) -> None:
        if size > self._blocks.size:
            bigger = np.zeros(max(size, 2 * self._blocks.size))
            bigger[: self._blocks.size] = self._blocks
            self._blocks = bigger

    def add_chunks(self, offset: int, energies: np.ndarray | tuple[float, ...], length: int, scale: float = 1.0) -> None:
        """Place a take's per-chunk energies (chunks of ``n`` from ``offset``) on the track's sub-block grid.

        A chunk straddling two sub-blocks is shared between them by overlap (energy taken as even within it).
        """
        e = np.asarray(energies, dtype=np.float64) * scale
        if e.size == 0:
            return
        starts = offset + self.n * np.arange(e.size)
        ends = np.minimum(starts + self.n, offset + max(length, 1))
        spans = np.maximum(ends - starts, 1)
        first = starts // self.n
        cut = np.minimum((first + 1) * self.n, ends)
        share = (cut - starts) / spans
        self._grow(int(first[-1]) + 2)
        np.add.at(self._blocks, first, e * share)
        np.add.at(self._blocks, first + 1, e * (1.0 - share))

    def finish(self, samples: int) -> None:
        """Set the track's length in samples: the gating covers exactly that span."""
        self.samples = samples
        self._grow(samples // self.n + 2)

    def integrated(self) -> float | None:
        """Integrated loudness in LUFS (None when everything is below the absolute gate)."""
        return integrated_loudness(self._blocks[: max(1, -(-self.samples // self.n))], self.n)


def integrated_loudness(sub_blocks: np.ndarray, n: int) -> float | None:
    """BS.1770 gated loudness from energies of consecutive 100 ms sub-blocks of ``n`` samples each."""
    if sub_blocks.size >= 4:
        c = np.concatenate([[0.0], np.cumsum(sub_blocks)])
        z = (c[4:] - c[:-4]) / (4 * n)  # 400 ms blocks, 75 % overlap
    else:
        z = np.array([sub_blocks.sum() / (sub_blocks.size * n)])
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10 * np.log10(z)
    z = z[lk > ABSOLUTE_GATE_LUFS]
    if z.size == 0:
        return None
    relative = -0.691 + 10 * math.log10(z.mean()) + RELATIVE_GATE_LU
    with np.errstate(divide="ignore"):
        z = z[-0.691 + 10 * np.log10(z) > relative]
    return -0.691 + 10 * math.log10(z.mean())


def limiter_envelope(x: np.ndarray, gain: float, ceiling: float, rate: int) -> np.ndarray | None:
    """Per-sample gain (at most ``gain``) keeping ``x * gain``'s true peak under ``ceiling`` (int16 units).

    None when the plain gain already stays under the ceiling. The needed gain is spread by a minimum
    filter (look-ahead) and then smoothed by a moving average no wider than that filter, so the
    result never exceeds the needed gain at any sample.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    peaks = oversampled_peaks(x)
    if peaks.size == 0 or float(peaks.max()) * gain <= ceiling:
        return None
    need = np.full(x.size, gain, dtype=np.float64)
    loud = peaks * gain > ceiling
    need[loud] = ceiling / peaks[loud]
    width = 2 * max(1, int(round(LIMITER_LOOKAHEAD_S * rate))) + 1
    held = minimum_filter1d(need, size=width, mode="nearest")
    return uniform_filter1d(held, size=width, mode="nearest") * (1 - 1e-9)


def limiter_ceiling(true_peak_dbtp: float) -> float:
    """The limiter's aim in int16 units for a true-peak ceiling in dBTP."""
    return audio.FULL_SCALE * 10 ** ((true_peak_dbtp - LIMITER_MARGIN_DB) / 20)


def db(value: float) -> float | None:
    return 20 * math.log10(value) if value > 0 else None
