"""Loudness per ITU-R BS.1770 from small per-take analyses cached beside each take, and the one gain to a target."""

from __future__ import annotations

import json
import logging
import math
import os
from array import array
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import atomic, audio, iir, limiter, native
from .errors import InputError
from .filememo import Signature, signature, stat_signature
from .presets import LOUDNESS_PRESETS

log = logging.getLogger(__name__)

#: Bump when anything that changes an analysis changes (trim, fade, filters), so old sidecars are redone.
ANALYSIS_VERSION = 8
#: True-peak ceilings of the presets. Audiobook follows ACX: peaks at or below -3 dBFS.
TRUE_PEAK_PRESETS = {"podcast": -1.0, "broadcast": -1.0, "audiobook": -3.0}
DEFAULT_TRUE_PEAK = -1.0
#: The limiter aims this far under the ceiling: our 4x oversampling and a meter's differ slightly.
LIMITER_MARGIN_DB = 0.2
SUB_BLOCK_S = 0.1
#: Bins of the per-take local-peak histogram (dBFS): limiting below the bottom bin never happens in practice.
HIST_BOTTOM_DB = -40.0
HIST_STEP_DB = 0.5
HIST_BINS = 92
ABSOLUTE_GATE_LUFS = -70.0
#: The deepest the limiter may cut the loudest peak to reach a loudness target.
MAX_LIMIT_DB = 20.0
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


def peak_histogram(block_peaks: np.ndarray, block_energy: np.ndarray, rate: int) -> np.ndarray:
    """K-weighted energy of a take per bin of its local peak (the peak the limiter answers to there).

    The limiter scales a block by about min(1, T / local peak), so this small table tells how much
    loudness limiting at any threshold T takes away, without touching the audio again.
    """
    local = limiter.local_peaks(block_peaks, rate)
    with np.errstate(divide="ignore"):
        level = 20 * np.log10(np.maximum(local, 1e-12))
    idx = np.clip(((level - HIST_BOTTOM_DB) / HIST_STEP_DB).astype(np.int64), 0, HIST_BINS - 1)
    return np.bincount(idx, weights=block_energy, minlength=HIST_BINS)


def plan_gain(meter: LoudnessMeter, analyses: list[TakeAnalysis | None], target: float,
              ceiling: float) -> float:
    """The one gain that brings the track to ``target`` LUFS once the limiter has done its part.

    ``ceiling`` is the limiter's aim (full scale 1). The limiter takes energy from every take whose
    peak the gain pushes over the ceiling; each take's local-peak histogram says how much, so a few
    cheap iterations find a gain that lands on the target instead of under it.
    """
    base = meter.integrated()
    if base is None:
        return 1.0
    gain = 10 ** ((target - base) / 20)
    hists = np.zeros((len(analyses), HIST_BINS))
    for i, a in enumerate(analyses):
        if a is not None:
            hists[i] = a.peak_hist
    peaks = np.array([a.peak if a is not None else 0.0 for a in analyses])
    totals = np.maximum(hists.sum(axis=1), 1e-300)
    centre = 10 ** ((HIST_BOTTOM_DB + HIST_STEP_DB * (np.arange(HIST_BINS) + 0.5)) / 20)
    # Past some depth limiting only flattens the sound, barely raising its loudness: a target that
    # needs more is out of reach, and the track gets as loud as this depth allows instead.
    loudest = float(peaks.max()) if peaks.size else 0.0
    most = ceiling / loudest * 10 ** (MAX_LIMIT_DB / 20) if loudest > 0 else math.inf
    for _ in range(8):
        gain = min(gain, most)
        threshold = ceiling / gain
        retained = hists @ (np.minimum(1.0, threshold / centre) ** 2) / totals
        scales = np.where(peaks > threshold, retained, 1.0)
        level = meter.integrated(scales, gain)
        if level is None or abs(target - level) < 0.01:
            break
        gain *= 10 ** ((target - level) / 20)
    if gain > most:
        log.info("loudness target %.1f LUFS is out of reach without limiting peaks by more than %g dB", target, MAX_LIMIT_DB)
    return min(gain, most)


def k_weighted_squares(x: np.ndarray, rate: int, scaled: bool = False) -> np.ndarray:
    """Per sample, the square of the K-weighted signal (full scale = 1).

    ``x`` is in int16 units, or already float64 at full scale 1 when ``scaled``.
    """
    # Blockwise in numpy (see narrate.iir): importing scipy.signal cost more than all the filtering.
    y = iir.sosfilt(k_weighting_sos(rate), x if scaled else x.astype(np.float64) / audio.FULL_SCALE)
    return y * y


def piece_len(rate: int) -> int:
    """Samples per piece: the largest whole tenth-or-so of a 100 ms sub-block (2205 / 9 = 245 at 22,050 Hz).

    Takes keep their K-weighted energy per piece; placing pieces on the track's sub-block grid then
    needs no assumption about how the energy is spread within a whole sub-block.
    """
    n = sub_block_len(rate)
    for k in range(10, 0, -1):
        if n % k == 0:
            return n // k
    return n  # pragma: no cover - k = 1 always divides


def piece_sums(sq: np.ndarray, rate: int) -> np.ndarray:
    """Sums of ``sq`` per piece (see ``piece_len``) from its start (the last piece may be short)."""
    return _sums(sq, piece_len(rate))


def chunk_sums(sq: np.ndarray, rate: int) -> np.ndarray:
    """Sums of ``sq`` per 100 ms sub-block from its start (the last may be short)."""
    return _sums(sq, sub_block_len(rate))


def _sums(sq: np.ndarray, n: int) -> np.ndarray:
    pad = (-sq.size) % n
    if pad:
        sq = np.concatenate([sq, np.zeros(pad)])
    return sq.reshape(-1, n).sum(axis=1)


def piece_energies(x: np.ndarray, rate: int) -> np.ndarray:
    """K-weighted energy (sum of squares, full scale = 1) per piece of ``x`` from its start."""
    return piece_sums(k_weighted_squares(x, rate), rate)


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
    energies: np.ndarray  # K-weighted energy per piece (see piece_len) from the trimmed start
    peak_hist: np.ndarray  # K-weighted energy per local-peak bin (see peak_histogram)

    def same_as(self, other: TakeAnalysis) -> bool:
        """Equal in every field (arrays compared by value)."""
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)
        )


@dataclass(frozen=True)
class TakeBlocks:
    """Per block of ``limiter.BLOCK`` samples of the prepared take: what the limiter needs at any gain."""

    peaks: np.ndarray  # float32: the largest true peak in the block, full scale = 1
    energy: np.ndarray  # float32: K-weighted energy of the block, full scale = 1


#: Sidecar layout: magic, uint32 length of a JSON header (the scalar fields and the array sizes),
#: the header, then float64 energies and peak_hist, then float32 block peaks and block energies.
#: The layout pass reads only the head; the block arrays are read when the take is limited.
_MAGIC = b"NRA1"
_SCALARS = [f.name for f in fields(TakeAnalysis) if f.name not in ("energies", "peak_hist")]


def sidecar_path(take: Path | str) -> Path:
    return Path(_sidecar_name(take))


def _sidecar_name(take: Path | str) -> str:
    return os.fspath(take) + ".analysis"


def _read_head(data: bytes) -> tuple[dict[str, Any], int]:
    if len(data) < 8 or data[:4] != _MAGIC:
        raise ValueError("not an analysis sidecar")
    n = int.from_bytes(data[4:8], "little")
    doc = json.loads(data[8 : 8 + n])
    if not isinstance(doc, dict):
        raise ValueError("bad header")
    return doc, 8 + n


def _fresh(doc: dict[str, Any], st: os.stat_result, track_rate: int) -> bool:
    return (doc.get("version"), doc.get("track_rate"), doc.get("size"), doc.get("mtime_ns")) == (
        ANALYSIS_VERSION, track_rate, st.st_size, st.st_mtime_ns)


def _read_sidecar(take: Path | str) -> bytes:
    with open(_sidecar_name(take), "rb") as f:
        return f.read()  # a few tens of kB: one read


def _load_sidecar(take: Path | str, st: os.stat_result, track_rate: int) -> TakeAnalysis | None:
    try:
        data = _read_sidecar(take)
        doc, at = _read_head(data)
        if not _fresh(doc, st, track_rate):
            return None
        ne, nh = int(doc["n_energies"]), int(doc["n_hist"])
        if len(data) < at + 8 * (ne + nh):
            return None
        arrays = np.frombuffer(data, dtype="<f8", count=ne + nh, offset=at)
        # Copies: the sidecar's block arrays are not kept in memory with every take's analysis.
        return TakeAnalysis(**{k: doc[k] for k in _SCALARS}, energies=arrays[:ne].copy(), peak_hist=arrays[ne:].copy())
    except (OSError, ValueError, TypeError, KeyError):
        return None  # missing or corrupt: recompute


def load_blocks(take: Path | str, a: TakeAnalysis) -> TakeBlocks | None:
    """The block arrays stored with the analysis ``a`` of ``take`` (None when missing, stale or damaged)."""
    try:
        data = _read_sidecar(take)
        doc, at = _read_head(data)
        if any(doc.get(k) != getattr(a, k) for k in ("version", "track_rate", "size", "mtime_ns", "length")):
            return None
        ne, nh, nb = int(doc["n_energies"]), int(doc["n_hist"]), int(doc["n_blocks"])
        at += 8 * (ne + nh)
        if nb != -(-a.length // limiter.BLOCK) or len(data) != at + 8 * nb:
            return None
        arrays = np.frombuffer(data, dtype="<f4", count=2 * nb, offset=at)
        return TakeBlocks(arrays[:nb], arrays[nb:])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write_sidecar(take: Path, a: TakeAnalysis, b: TakeBlocks) -> None:
    doc: dict[str, Any] = {k: getattr(a, k) for k in _SCALARS}
    doc.update(n_energies=int(a.energies.size), n_hist=int(a.peak_hist.size), n_blocks=int(b.peaks.size))
    head = json.dumps(doc, separators=(",", ":")).encode()
    data = b"".join([
        _MAGIC, len(head).to_bytes(4, "little"), head,
        np.asarray(a.energies, dtype="<f8").tobytes(), np.asarray(a.peak_hist, dtype="<f8").tobytes(),
        np.asarray(b.peaks, dtype="<f4").tobytes(), np.asarray(b.energy, dtype="<f4").tobytes(),
    ])
    try:
        atomic.write_bytes(sidecar_path(take), data)
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
    name = (str(take), track_rate)
    seen = _ANALYSED.get(name)
    if seen is not None and seen[0] == _sigs(st, take):
        return seen[1]
    cached = _load_sidecar(take, st, track_rate)
    if cached is None:
        cached, b = compute_analysis(take, st, track_rate)
        _write_sidecar(take, cached, b)
    _ANALYSED[name] = (_sigs(st, take), cached)
    return cached


#: (take, track rate) -> (the take's and its sidecar's inode, size and mtime; the analysis): a process that
#: renders again (``narrate watch``) does not read the sidecars again while neither file changed.
_ANALYSED: dict[tuple[str, int], tuple[tuple[Signature, Signature | None], TakeAnalysis]] = {}


def _sigs(st: os.stat_result, take: Path | str) -> tuple[Signature, Signature | None]:
    return (stat_signature(st), signature(_sidecar_name(take)))


def take_blocks(take: Path | str, a: TakeAnalysis) -> TakeBlocks:
    """The block arrays of ``take`` for its analysis ``a``: from the sidecar, else measured again (and stored)."""
    b = load_blocks(take, a)
    if b is None:
        take = Path(take)
        a2, b = compute_analysis(take, take.stat(), a.track_rate)
        _write_sidecar(take, a2, b)
    return b


def compute_analysis(take: Path, st: os.stat_result, track_rate: int | None = None) -> tuple[TakeAnalysis, TakeBlocks]:
    """Analyse the take at ``st`` (its stat, which keys the sidecar) for a track at ``track_rate``.

    ``None`` means the take's own rate. Synthesis workers call this on a fresh take, so the
    analysis runs beside synthesis; the parent stores it with ``store_analysis``.
    """
    samples, rate = audio.read_samples(take)
    track_rate = track_rate or rate
    start, end = audio.trim_bounds(samples, rate)
    x = audio.prepare_samples(samples, rate, start, end, track_rate) if end > start else np.zeros(0, np.float32)
    kernels = native.kernels
    peaks: np.ndarray
    block_energy: np.ndarray
    if kernels is not None and x.size:
        blocks = -(-x.size // limiter.BLOCK)
        pl = piece_len(track_rate)
        peaks = np.empty(blocks, dtype=np.float32)
        block_energy = np.empty(blocks, dtype=np.float32)
        energies = np.empty(-(-x.size // pl))
        sumsq = kernels.analyse(np.ascontiguousarray(x, dtype=np.float32), k_weighting_sos(track_rate),
                                limiter.phases32(), pl, peaks, block_energy, energies)
    else:
        xf = x.astype(np.float64) / audio.FULL_SCALE
        sq = k_weighted_squares(xf, track_rate, scaled=True) if x.size else np.zeros(0)
        energies = piece_sums(sq, track_rate) if x.size else np.zeros(0)
        peaks = limiter.block_true_peaks(x) / np.float32(audio.FULL_SCALE)
        block_energy = limiter.block_sums(sq).astype(np.float32)
        sumsq = float(np.dot(xf, xf))
    hist = peak_histogram(peaks, block_energy, track_rate) if x.size else np.zeros(HIST_BINS)
    peak = float(peaks.max()) if peaks.size else 0.0
    a = TakeAnalysis(
        version=ANALYSIS_VERSION, track_rate=track_rate, size=st.st_size, mtime_ns=st.st_mtime_ns,
        take_rate=rate, trim_start=start, trim_end=end, length=int(x.size), peak=peak,
        sumsq=sumsq, energies=np.asarray(energies, dtype=np.float64),
        peak_hist=np.asarray(hist, dtype=np.float64),
    )
    return a, TakeBlocks(peaks.astype(np.float32), block_energy)


def store_analysis(take: Path, analysed: tuple[TakeAnalysis, TakeBlocks]) -> None:
    """Cache an analysis made elsewhere (a worker) beside its take, if it still describes the take.

    The key is the take's size and mtime, which a rename keeps; a take that changed since is left
    without a sidecar and analysed again at stitch time.
    """
    store_analysis_for(take, take, analysed)


def store_analysis_for(final: Path, current: Path, analysed: tuple[TakeAnalysis, TakeBlocks]) -> None:
    """``store_analysis`` for a take still at ``current`` that will be renamed to ``final`` (which keeps
    its size and mtime, the sidecar's key): the sidecar goes beside ``final`` now."""
    a, b = analysed
    try:
        st = current.stat()
    except OSError:
        return
    if (a.version, a.size, a.mtime_ns) == (ANALYSIS_VERSION, st.st_size, st.st_mtime_ns):
        _write_sidecar(final, a, b)


class LoudnessMeter:
    """Collects 100 ms sub-block energies of a track laid out sample by sample; gates them at the end.

    Each take's contribution is kept as a short dense run of sub-blocks in one flat buffer (about
    0.3 MB per audio hour), tagged with the take, so the loudness after scaling takes differently
    (by the energy the limiter will take from each) is recomputed without reading audio again.
    """

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.n = sub_block_len(rate)
        self.piece = piece_len(rate)
        self.samples = 0
        self._values = array("d")
        self._first = array("q")  # per contribution: first sub-block, run length, take
        self._length = array("q")
        self._take = array("q")
        #: What ``blocks`` derives from the contributions (computed once per state: plan_gain asks up to 9 times).
        self._index: tuple[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray, int]] | None = None

    def add_chunks(self, offset: int, energies: np.ndarray, length: int, scale: float = 1.0, take: int = -1) -> None:
        """Place per-piece energies (pieces of ``piece_len(rate)`` from ``offset``) on the track's sub-block grid.

        A piece straddling two sub-blocks is shared between them by overlap (energy taken as even
        within it: pieces are a tenth of a sub-block or so, so the error stays small even for
        strongly modulated sound). ``take`` numbers the contribution for ``integrated(scales=...)``.
        """
        kernels = native.kernels
        if kernels is not None and len(energies) and offset >= 0:
            e = np.ascontiguousarray(energies, dtype=np.float64)
            size = (offset + self.piece * (e.size - 1)) // self.n - offset // self.n + 2
            run, rest = np.zeros(size), np.zeros(size)
            base = kernels.spread(e, offset, length, self.n, self.piece, scale, run, rest)
            self._values.frombytes(run.tobytes())
            self._first.append(base)
            self._length.append(size)
            self._take.append(take)
            return
        e = np.asarray(energies, dtype=np.float64) * scale
        if e.size == 0:
            return
        m = self.piece
        starts = offset + m * np.arange(e.size)
        ends = np.minimum(starts + m, offset + max(length, 1))
        first = starts // self.n
        share = (np.minimum((first + 1) * self.n, ends) - starts) / np.maximum(ends - starts, 1)
        base = int(first[0])
        run = np.zeros(int(first[-1]) - base + 2)
        idx = first - base
        run += np.bincount(idx, weights=e * share, minlength=run.size)
        run[1:] += np.bincount(idx, weights=e * (1.0 - share), minlength=run.size - 1)[: run.size - 1]
        self._values.frombytes(run.tobytes())
        self._first.append(base)
        self._length.append(run.size)
        self._take.append(take)

    def finish(self, samples: int) -> None:
        """Set the track's length in samples: the gating covers exactly that span."""
        self.samples = samples

    def blocks(self, scales: np.ndarray | None = None) -> np.ndarray:
        """Energy per sub-block over the track, each take's part multiplied by ``scales[take]``."""
        idx, values, takes, count = self._indexed()
        if values.size == 0:
            return np.zeros(count)
        if scales is not None:
            values = values * np.append(scales, 1.0)[takes]  # take -1: unscaled
        return np.bincount(idx, weights=values, minlength=count)[:count]

    def _indexed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Per contributed value inside the track: its sub-block, the value, its take; and the sub-block count."""
        count = max(1, -(-self.samples // self.n))
        state = (len(self._first), count)
        if self._index is not None and self._index[0] == state:
            return self._index[1]
        values = np.frombuffer(self._values, dtype=np.float64)
        if values.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64), count
        lengths = np.frombuffer(self._length, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        idx = np.arange(values.size) + np.repeat(np.frombuffer(self._first, dtype=np.int64) - starts, lengths)
        keep = idx < count
        # (copies: a view of the arrays would stop add_chunks from growing them)
        found = (idx[keep], values[keep], np.repeat(np.frombuffer(self._take, dtype=np.int64), lengths)[keep], count)
        self._index = (state, found)
        return found

    def integrated(self, scales: np.ndarray | None = None, gain: float = 1.0) -> float | None:
        """Integrated loudness in LUFS (None when everything is below the absolute gate)."""
        return integrated_loudness(self.blocks(scales) * (gain * gain), self.n)


def integrated_loudness(sub_blocks: np.ndarray, n: int) -> float | None:
    """BS.1770 gated loudness from energies of consecutive 100 ms sub-blocks of ``n`` samples each."""
    if sub_blocks.size >= 4:
        c = np.concatenate([[0.0], np.cumsum(sub_blocks)])
        z = (c[4:] - c[:-4]) / (4 * n)  # 400 ms blocks, 75 % overlap
    else:
        z = np.array([sub_blocks.sum() / (sub_blocks.size * n)])
    z = z[z > 0.0]  # silence (or a predicted hair under it) is below any gate
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10 * np.log10(z)
    z = z[lk > ABSOLUTE_GATE_LUFS]
    if z.size == 0:
        return None
    relative = -0.691 + 10 * math.log10(z.mean()) + RELATIVE_GATE_LU
    with np.errstate(divide="ignore"):
        z = z[-0.691 + 10 * np.log10(z) > relative]
    return -0.691 + 10 * math.log10(z.mean())


def limiter_ceiling(true_peak_dbtp: float) -> float:
    """The limiter's aim in int16 units for a true-peak ceiling in dBTP."""
    return audio.FULL_SCALE * 10 ** ((true_peak_dbtp - LIMITER_MARGIN_DB) / 20)


def db(value: float) -> float | None:
    return 20 * math.log10(value) if value > 0 else None
