"""True peak (4x oversampled, BS.1770 annex 2 style) and a look-ahead limiter that touches only the loud spots."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: Look-ahead (and release) of the limiter: short enough to stay local, long enough not to distort.
LOOKAHEAD_S = 0.005
#: Filter state settles within this long, so a loud spot's K-weighted change is measured locally.
_SETTLE_S = 0.05
_TAP_OFFSETS = np.arange(-5, 7)  # 12 taps around each sample


@lru_cache(maxsize=1)
def _phases() -> np.ndarray:
    """Kaiser-windowed sinc FIRs interpolating at 1/4, 2/4 and 3/4 of a sample, one row per phase."""
    rows = []
    for k in (1, 2, 3):
        h = np.sinc(k / 4 - _TAP_OFFSETS) * np.kaiser(_TAP_OFFSETS.size, 5.0)
        rows.append(h / h.sum())
    return np.array(rows, dtype=np.float64)


@lru_cache(maxsize=1)
def _overshoot_bound() -> float:
    """No interpolated point exceeds this multiple of the largest sample in its 12-sample window."""
    return float(np.abs(_phases()).sum(axis=1).max())


def width(rate: int) -> int:
    """The limiter's window in samples (odd)."""
    return 2 * max(1, int(round(LOOKAHEAD_S * rate))) + 1


def peaks_at(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """At each sample index, the largest magnitude among it and the 3 interpolated points after it."""
    if idx.size == 0:
        return np.zeros(0)
    padded = np.concatenate([np.zeros(5), x.astype(np.float64, copy=False), np.zeros(6)])
    window = padded[idx[:, None] + (_TAP_OFFSETS + 5)[None, :]]
    interp = np.abs(window @ _phases().T).max(axis=1)
    return np.maximum(interp, np.abs(padded[idx + 5]))


def _candidates(mag: np.ndarray, level: float) -> np.ndarray:
    """Samples whose interpolated neighbourhood might exceed ``level`` (a superset, from the bound)."""
    from scipy.ndimage import maximum_filter1d

    hot = mag * _overshoot_bound() > level
    if not hot.any():
        return np.zeros(0, dtype=np.int64)
    # A sample is a candidate when any sample of its 12-tap window is hot: dilate (13 wide, a superset).
    return np.flatnonzero(maximum_filter1d(hot.view(np.uint8), size=2 * 6 + 1, mode="constant"))


def true_peak(x: np.ndarray) -> float:
    """The 4x oversampled peak magnitude of ``x`` (same units), computed only where it can occur."""
    if x.size == 0:
        return 0.0
    mag = np.abs(x)
    sample_peak = float(mag.max())
    near = _candidates(mag, sample_peak)
    return max(sample_peak, float(peaks_at(x, near).max()) if near.size else 0.0)


def local_peaks(x: np.ndarray, rate: int) -> np.ndarray:
    """Per sample, the largest sample magnitude within the limiter's window around it."""
    from scipy.ndimage import maximum_filter1d

    return maximum_filter1d(np.abs(x), size=width(rate), mode="constant", cval=0.0)


@dataclass(frozen=True)
class Region:
    """A stretch ``start:stop`` of a take where the limiter lowers the gain by ``envelope`` (all <= 1)."""

    start: int
    stop: int
    envelope: np.ndarray


def over_points(x: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Samples whose true peak exceeds ``threshold`` and the factor each needs (threshold / peak)."""
    near = _candidates(np.abs(x), threshold)
    if near.size == 0:
        return near, np.zeros(0)
    peaks = peaks_at(x, near)
    loud = peaks > threshold
    return near[loud], threshold / peaks[loud]


def regions_from(over: np.ndarray, need_at: np.ndarray, size: int, rate: int) -> list[Region]:
    """The limiter's gain envelopes around the over-threshold points of a take of ``size`` samples.

    Per point the needed factor spreads over the look-ahead window by a minimum filter, then a moving
    average no wider than that smooths it, so the envelope never exceeds the needed factor anywhere.
    Clusters of points become regions; all regions are filtered in one call, laid end to end with a
    window of ones between them so that they cannot touch each other.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    if over.size == 0:
        return []
    w = width(rate)
    breaks = np.flatnonzero(np.diff(over) > 2 * w) + 1
    bounds = [(max(0, int(pts[0]) - w), min(size, int(pts[-1]) + w + 1)) for pts in np.split(over, breaks)]
    lengths = np.array([stop - start for start, stop in bounds])
    places = np.concatenate([[0], np.cumsum(lengths + w)])[:-1]  # each region's place in the row
    row = np.ones(int(places[-1] + lengths[-1]))
    region_of = np.repeat(np.arange(len(bounds)), [len(p) for p in np.split(over, breaks)])
    starts = np.array([start for start, _ in bounds])
    row[over - starts[region_of] + places[region_of]] = need_at
    held = minimum_filter1d(row, size=w, mode="constant", cval=1.0)
    env = np.minimum(uniform_filter1d(held, size=w, mode="constant", cval=1.0) * (1 - 1e-9), 1.0).astype(np.float32)
    return [Region(start, stop, env[at : at + stop - start]) for (start, stop), at in zip(bounds, places)]


def limit_regions(x: np.ndarray, threshold: float, rate: int) -> list[Region]:
    """Where and how much to lower ``x`` so its true peak stays at or under ``threshold``."""
    over, need_at = over_points(x, threshold)
    return regions_from(over, need_at, x.size, rate)


def apply(x: np.ndarray, regions: list[Region]) -> None:
    """Multiply ``x`` (in place) by the regions' envelopes."""
    for r in regions:
        x[r.start : r.stop] *= r.envelope


def energy_change(x: np.ndarray, regions: list[Region], sos: np.ndarray, rate: int, chunk: int) -> np.ndarray:
    """How limiting changes the K-weighted energy (full scale 1) of the unlimited ``x`` per chunk.

    The filter is linear, so K(x*env) = K(x) - K(x*(1-env)); the difference is zero before each region
    and dies out within tens of milliseconds after it, so each region is filtered locally.
    """
    from scipy.signal import sosfilt

    delta = np.zeros(-(-x.size // chunk))
    settle = int(_SETTLE_S * rate)
    # Regions closer than the settling time share one filtering span (fewer, longer filter calls).
    spans: list[list[Region]] = []
    for r in regions:
        if spans and r.start - spans[-1][-1].stop < 2 * settle:
            spans[-1].append(r)
        else:
            spans.append([r])
    for group in spans:
        first, lo, hi = group[0].start, max(0, group[0].start - settle), min(x.size, group[-1].stop + settle)
        both = np.zeros((2, hi - lo))
        both[0] = x[lo:hi].astype(np.float64) / 32768.0 + 1e-10  # the offset keeps silence out of denormals
        for r in group:
            both[1, r.start - lo : r.stop - lo] = both[0, r.start - lo : r.stop - lo] * (1.0 - r.envelope)
        k_old, k_diff = sosfilt(sos, both, axis=1)
        change = ((k_old - k_diff) ** 2 - k_old**2)[first - lo :]  # before the first region nothing changes
        delta += np.bincount(np.arange(first, hi) // chunk, weights=change, minlength=delta.size)[: delta.size]
    return delta


@dataclass(frozen=True)
class Limited:
    """What limiting did to one take: its regions, its K-weighted energy change per chunk, its new peak."""

    regions: list[Region]
    energy_delta: np.ndarray
    sumsq_delta: float
    peak: float  # true peak after limiting, in the take's units


_CACHE_VERSION = 1


def cache_path(take: Path) -> Path:
    return take.with_name(take.name + ".limit.npy")


def _key(take: Path, rate: int, extra: tuple[int, ...]) -> list[int] | None:
    try:
        st = take.stat()
    except OSError:
        return None
    return [_CACHE_VERSION, st.st_size, st.st_mtime_ns, rate, *extra]


def _load(take: Path, key: list[int], threshold: float) -> tuple[np.ndarray, ...] | None:
    try:
        with open(cache_path(take), "rb") as f:
            head = np.load(f)
            data = np.load(f)
        if list(head[:-2]) != key or data[0] != threshold:
            return None
        n_over, n_delta = int(head[-2]), int(head[-1])
        over = data[3 : 3 + n_over].astype(np.int64)
        need = data[3 + n_over : 3 + 2 * n_over]
        delta = data[3 + 2 * n_over : 3 + 2 * n_over + n_delta]
        return over, need, delta, data[1:3]
    except (OSError, ValueError, IndexError, EOFError):
        return None  # missing, stale or corrupt: limit afresh


def _save(take: Path, key: list[int], threshold: float, over: np.ndarray, need: np.ndarray,
          delta: np.ndarray, sumsq_delta: float, peak: float) -> None:
    target = cache_path(take)
    head = np.array(key + [over.size, delta.size], dtype=np.int64)
    data = np.concatenate([[threshold, sumsq_delta, peak], over.astype(np.float64), need, delta])
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, head)
                np.save(f, data)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        log.debug("cannot cache limiter result for %s: %s", take, exc)


def limit_take(x: np.ndarray, threshold: float, rate: int, sos: np.ndarray, chunk: int,
               take: Path | None = None, key_extra: tuple[int, ...] = ()) -> Limited | None:
    """Limit ``x`` in place so its true peak stays at or under ``threshold``; None when nothing was over.

    With ``take`` given, the result for this threshold is cached beside the take (``.limit.npy``), so a
    re-render at the same gain rebuilds the envelopes from the stored points instead of searching again.
    ``key_extra`` adds whatever else shaped ``x`` (trim bounds, analysis version) to the cache key.
    """
    key = _key(take, rate, key_extra) if take is not None else None
    cached = _load(take, key, threshold) if take is not None and key is not None else None
    if cached is not None:
        over, need, delta, (sumsq_delta, peak) = cached
        if over.size == 0:
            return None
        regions = regions_from(over, need, x.size, rate)
        apply(x, regions)
        return Limited(regions, delta, float(sumsq_delta), float(peak))
    over, need = over_points(x, threshold)
    regions = regions_from(over, need, x.size, rate)
    delta = energy_change(x, regions, sos, rate, chunk) if regions else np.zeros(0)
    sumsq_delta = 0.0
    for r in regions:
        seg = x[r.start : r.stop].astype(np.float64) / 32768.0
        sumsq_delta += float(np.dot(seg * seg, r.envelope.astype(np.float64) ** 2 - 1.0))
    apply(x, regions)
    peak = true_peak(x) if regions else 0.0
    if take is not None and key is not None:
        _save(take, key, threshold, over, need, delta, sumsq_delta, peak)
    return Limited(regions, delta, sumsq_delta, peak) if regions else None
