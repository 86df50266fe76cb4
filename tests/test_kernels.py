"""The compiled kernels (narrate/_kernels.c) against the numpy code they replace, on real and edge-case takes.

Every case runs both ways: the analysis must give the same block peaks and the same energies
within rounding, mastering the same PCM byte for byte, the loudness meter the same sums.
"""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import IN_CI, espeak_takes
from narrate import audio, limiter, loudness, native
from narrate.stitch import MasterOptions, Placement, master_take_pcm, master_track

KERNELS = native.kernels
needs_kernels = pytest.mark.skipif(KERNELS is None and not IN_CI, reason="compiled kernels not built (no C compiler)")


def _burst(rate: int, seconds: float, level: float, seed: int) -> np.ndarray:
    """Speech-like: noise in syllable-shaped bursts, padded with silence like a TTS take."""
    rng = np.random.default_rng(seed)
    n = int(rate * seconds)
    t = np.arange(n) / rate
    shape = np.clip(np.sin(2 * np.pi * 3.3 * t), 0, None) ** 2
    x = np.convolve(rng.standard_normal(n), np.ones(4) / 4, mode="same") * shape * level
    pad = np.zeros(int(0.2 * rate))
    return np.concatenate([pad, x, pad])


def _tone(rate: int, n: int, level: float, freq: float = 5000.0) -> np.ndarray:
    return level * np.sin(2 * np.pi * freq * np.arange(n) / rate + 0.3)


#: name -> (samples in int16 units before clipping, sample rate)
CASES: dict[str, Callable[[], tuple[np.ndarray, int]]] = {
    "speech-like 22050": lambda: (_burst(22050, 3.0, 9000, 1), 22050),
    "speech-like loud 22050": lambda: (_burst(22050, 2.0, 30000, 2), 22050),
    "speech-like 16000": lambda: (_burst(16000, 2.0, 12000, 3), 16000),
    "speech-like 24000": lambda: (_burst(24000, 2.0, 12000, 4), 24000),
    "speech-like 44100": lambda: (_burst(44100, 1.5, 20000, 5), 44100),
    "full-scale square": lambda: (np.where(np.arange(4000) % 40 < 20, 32767.0, -32768.0), 22050),
    "high tone near full scale": lambda: (_tone(22050, 3000, 32000), 22050),
    "one sample": lambda: (np.array([20000.0]), 22050),
    "five samples": lambda: (np.array([0, 9000, -20000, 12000, 0.0]), 22050),
    "31 samples": lambda: (_tone(22050, 31, 25000, 3000), 22050),
    "32 samples": lambda: (_tone(22050, 32, 25000, 3000), 22050),
    "33 samples": lambda: (_tone(22050, 33, 25000, 3000), 22050),
    "one block past a fade": lambda: (_tone(22050, 2 * 176 + 37, 30000, 4000), 22050),
    "silence": lambda: (np.zeros(5000), 22050),
    "dc offset": lambda: (np.full(3000, 12000.0), 22050),
}


def _write(path: Path, x: np.ndarray, rate: int) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.clip(np.rint(x), -32768, 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def case_takes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kernel-cases")
    out = {name: _write(folder / f"c{i}.wav", *make()) for i, (name, make) in enumerate(CASES.items())}
    for i, p in enumerate(espeak_takes(folder, ["Mosul, 17 Tamouz: the ISF advanced 90km.",
                                                "Voices from the old city, at nine percent."])):
        out[f"espeak-ng {i}"] = p
    return out


def _both(monkeypatch: pytest.MonkeyPatch, fn: Callable[[], object]) -> tuple[object, object]:
    """``fn()`` with the compiled kernels, then with numpy."""
    with_kernels = fn()
    monkeypatch.setattr(native, "kernels", None)
    with_numpy = fn()
    monkeypatch.setattr(native, "kernels", KERNELS)
    return with_kernels, with_numpy


def _close(a: np.ndarray, b: np.ndarray, rtol: float) -> None:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    scale = float(np.abs(b).max()) if b.size else 0.0
    np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-9 * scale + 1e-30)


def test_kernels_are_built_in_ci() -> None:
    if not IN_CI:
        pytest.skip("only CI insists on the compiled kernels (a user without a C compiler runs numpy)")
    assert native.kernels is not None, native.status()


def test_the_environment_switch_turns_them_off() -> None:
    code = "from narrate import native; print(native.kernels is None, native.status())"
    env = dict(os.environ, NARRATE_KERNELS="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.startswith("True numpy (NARRATE_KERNELS=0)")


@needs_kernels
@pytest.mark.parametrize("name", [*CASES, "espeak-ng 0", "espeak-ng 1"])
def test_analysis_matches_numpy(name: str, case_takes: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    take = case_takes[name]
    (ak, bk), (an, bn) = _both(monkeypatch, lambda: loudness.compute_analysis(take, take.stat()))  # type: ignore[misc]
    assert (ak.trim_start, ak.trim_end, ak.length, ak.take_rate) == (an.trim_start, an.trim_end, an.length, an.take_rate)
    np.testing.assert_array_equal(bk.peaks, bn.peaks)  # the same float32 operations: the same bits
    assert ak.peak == an.peak
    _close(bk.energy, bn.energy, 1e-5)  # float32 per block
    _close(ak.energies, an.energies, 1e-6)
    _close(ak.peak_hist, an.peak_hist, 1e-6)
    assert ak.sumsq == pytest.approx(an.sumsq, rel=1e-12, abs=1e-300)


@needs_kernels
@pytest.mark.parametrize("name", [*CASES, "espeak-ng 0", "espeak-ng 1"])
@pytest.mark.parametrize("gain, ceiling_db", [(1.0, -1.0), (2.5, -1.0), (8.0, -3.0), (0.3, -1.0)])
def test_mastered_take_is_byte_identical(name: str, gain: float, ceiling_db: float, case_takes: dict[str, Path],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    take = case_takes[name]
    a = loudness.analyse_take(take, audio.read_header(take).sample_rate)  # at its own rate: nothing to resample
    threshold = 10 ** (ceiling_db / 20) / gain
    (pk, wk), (pn, wn) = _both(monkeypatch, lambda: master_take_pcm(take, a, a.track_rate, gain, threshold))  # type: ignore[misc]
    assert bytes(pk) == bytes(pn)
    assert len(pk) == 2 * a.length
    assert wk.limited == wn.limited
    assert wk.peak == pytest.approx(wn.peak, rel=1e-7)
    _close(wk.energies, wn.energies, 1e-9)
    assert wk.sumsq == pytest.approx(wn.sumsq, rel=1e-5, abs=1e-12)  # numpy's float32 dot product


@needs_kernels
def test_loud_takes_are_limited_the_same(case_takes: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The case that matters: peaks well over the ceiling, so the envelope touches many blocks."""
    take = case_takes["speech-like loud 22050"]
    a = loudness.analyse_take(take, 22050)
    blocks = loudness.take_blocks(take, a)
    threshold = a.peak / 4
    env = limiter.envelope(blocks.peaks, threshold, a.length, 22050)
    assert env is not None and env.blocks.size > 20
    out_blocks, starts, stops = np.empty(blocks.peaks.size, np.int64), np.empty(blocks.peaks.size), np.empty(blocks.peaks.size)
    delta = np.zeros(a.energies.size)
    assert KERNELS is not None
    count, top = KERNELS.limit(blocks.peaks, blocks.energy, threshold, limiter.reach_blocks(22050), a.length,
                               loudness.piece_len(22050), limiter.FRAC_MEAN, limiter.FRAC_SQ_MEAN, out_blocks, starts, stops, delta)
    np.testing.assert_array_equal(out_blocks[:count], env.blocks)
    np.testing.assert_array_equal(starts[:count], env.start)
    np.testing.assert_array_equal(stops[:count], env.stop)
    assert top == env.peak_after(blocks.peaks)
    _close(delta, limiter.energy_delta(env, blocks.energy, loudness.piece_len(22050), a.energies.size), 1e-9)


@needs_kernels
@pytest.mark.parametrize("seed", range(6))
def test_meter_sums_are_identical(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)

    def fill() -> np.ndarray:
        meter = loudness.LoudnessMeter(22050)
        offset = 0
        for take in range(40):
            length = int(rng.integers(1, 60000))
            e = rng.random(-(-length // meter.piece)) * 10.0 ** rng.uniform(-9, 0)
            meter.add_chunks(offset, e, length, scale=float(rng.uniform(0.5, 2)), take=take)
            offset += length + int(rng.integers(0, 9000))
        meter.finish(offset)
        return meter.blocks(rng.uniform(0.8, 1.0, 40))

    state = rng.bit_generator.state
    with_kernels = fill()
    rng.bit_generator.state = state
    monkeypatch.setattr(native, "kernels", None)
    with_numpy = fill()
    np.testing.assert_array_equal(with_kernels, with_numpy)


@needs_kernels
def test_a_track_is_byte_identical_either_way(case_takes: dict[str, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["espeak-ng 0", "speech-like 22050", "speech-like loud 22050", "espeak-ng 1", "31 samples"]
    placements = [Placement(f"s{i}", case_takes[n], 0.3, text=n) for i, n in enumerate(names)]
    results = []
    for mode in ("kernels", "numpy"):
        monkeypatch.setattr(native, "kernels", KERNELS if mode == "kernels" else None)
        out = tmp_path / f"{mode}.wav"
        r = master_track(placements, out, MasterOptions(loudness_target=-14.0))
        results.append((out.read_bytes(), r))
    (bk, rk), (bn, rn) = results
    assert rk.limited_takes > 0
    assert bk == bn
    assert rk.loudness_lufs == pytest.approx(rn.loudness_lufs, abs=1e-9)


@needs_kernels
def test_bad_arguments_are_errors_not_crashes() -> None:
    assert KERNELS is not None
    x = np.zeros(100, np.float32)
    small = np.zeros(1, np.float32)
    with pytest.raises(ValueError):
        KERNELS.analyse(x, loudness.k_weighting_sos(22050), limiter.phases32(), 245, small, small, np.zeros(1))
    with pytest.raises(ValueError):
        KERNELS.analyse(x, loudness.k_weighting_sos(22050), limiter.phases32(), 0, small, small, np.zeros(1))
    s = np.zeros(100, np.int16)
    curve = np.zeros(0, np.float32)
    none = np.zeros(0, np.int64)
    with pytest.raises(ValueError):  # range outside the take
        KERNELS.master(s, 0, 101, 1.0, curve, none, np.zeros(0), np.zeros(0), limiter.FRAC32, bytearray(202))
    with pytest.raises(ValueError):  # output too small
        KERNELS.master(s, 0, 100, 1.0, curve, none, np.zeros(0), np.zeros(0), limiter.FRAC32, bytearray(10))
    with pytest.raises(ValueError):  # blocks out of order
        KERNELS.master(s, 0, 100, 1.0, curve, np.array([2, 1]), np.ones(2), np.ones(2), limiter.FRAC32, bytearray(200))
    with pytest.raises(ValueError):
        KERNELS.spread(np.ones(3), 0, 700, 2205, 245, 1.0, np.zeros(1), np.zeros(1))
    with pytest.raises(TypeError):
        KERNELS.master("not a buffer", 0, 1, 1.0, curve, none, np.zeros(0), np.zeros(0), limiter.FRAC32, bytearray(2))


@needs_kernels
def test_silence_is_fast_and_leaves_the_callers_float_mode_alone(case_takes: dict[str, Path]) -> None:
    """The K-weighting runs with denormals flushed (digital silence decays the filter into them); the
    result is the numpy one's, and this thread computes with denormals again afterwards."""
    take = case_takes["speech-like 22050"]  # two thirds digital silence between its syllables
    loudness.compute_analysis(take, take.stat())
    tiny = np.array([1e-310])
    assert float((tiny * 1.0)[0]) == 1e-310  # not flushed to zero: the mode was restored
    assert float(np.float32(1e-40) * np.float32(1.0)) > 0.0
