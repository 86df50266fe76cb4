"""Stitch-and-master time and peak memory for 1,000 and 5,000 takes against a plain ``wave`` stream copy.

Usage: python benchmarks/stitch_bench.py [--sizes 1000 5000] [--keep DIR] [--loudness LUFS] [--warm-only] [--workers N]

Each measurement runs in a fresh child process that reports its wall time and its own peak RSS.
"cold" masters with no cached analyses (every take is analysed, in one process); "warm" masters
again with each take's analysis cached beside it, as a render has it once synthesis (whose workers
analyse every take they make) is done: the pass that trims, fades, limits, gains, measures and
writes. No render record is given, so nothing is copied from the last track. "--workers" also
times the warm pass on that many running worker processes, as a render writes its track. Takes are synthetic
speech-like bursts (filtered noise shaped into syllables and words, 3-8 s, padded with silence like
espeak-ng), mono 16-bit 22,050 Hz.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

RATE = 22050


def pause_after(i: int) -> float:
    return 0.8 if i % 5 == 4 else 0.35


def make_takes(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Speech-like takes: syllable-shaped, low-passed noise in words, with padding either side."""
    import numpy as np
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        seconds = rng.uniform(3.0, 8.0)
        n = int(seconds * RATE)
        noise = rng.standard_normal(n)
        # One-pole low-pass: speech energy sits low.
        smooth = lfilter([0.25], [1, -0.75], noise)
        t = np.arange(n) / RATE
        syllables = np.clip(np.sin(2 * np.pi * rng.uniform(3.5, 5.0) * t + rng.uniform(0, 6)), 0, None) ** 1.5
        words = (np.sin(2 * np.pi * 0.9 * t + rng.uniform(0, 6)) > -0.6).astype(float)
        level = rng.uniform(0.15, 0.35)
        body = smooth / (np.abs(smooth).max() + 1e-9) * syllables * words * level * 32767 * 2.5
        body = np.clip(body, -32767, 32767)
        pad_a, pad_b = int(rng.uniform(0.05, 0.3) * RATE), int(rng.uniform(0.1, 0.4) * RATE)
        pcm = np.concatenate([np.zeros(pad_a), body, np.zeros(pad_b)]).astype("<i2")
        path = folder / f"take{i:05d}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(pcm.tobytes())
        paths.append(path)
    return paths


def child(mode: str, folder: Path, count: int, target: float, workers: int = 1) -> None:
    if mode == "make":
        make_takes(folder, count)
        return
    takes = sorted(folder.glob("take*.wav"))[:count]
    out = folder / f"out-{mode}-{count}.wav"
    # Every measurement starts alike: no earlier output to free (this disk discards freed blocks,
    # which cost 0.02-0.5 s per 250 MB at random) and no earlier run's writes still in flight.
    out.unlink(missing_ok=True)
    os.sync()
    if mode != "copy":
        # Imported before the clock starts: the pass is measured, not the interpreter's start-up
        # (the render benchmark measures whole commands).
        from narrate.stitch import MasterOptions, Placement, master_track
    start = time.perf_counter()
    if mode == "copy":
        with wave.open(str(out), "wb") as dst:
            dst.setnchannels(1)
            dst.setsampwidth(2)
            dst.setframerate(RATE)
            for i, take in enumerate(takes):
                with wave.open(str(take), "rb") as src:
                    dst.writeframes(src.readframes(src.getnframes()))
                dst.writeframes(bytes(2 * int(round(pause_after(i) * RATE))))
        extra: dict[str, object] = {}
    else:
        placements = [Placement(f"s{i}", t, pause_after(i), text=f"Segment {i}.") for i, t in enumerate(takes)]
        if workers > 1:
            # As in a render, whose synthesis workers are running when the track is written.
            from narrate.synth import WorkerPool

            with WorkerPool(workers) as pool:
                pool.start()
                for f in [pool.get().submit(abs, 0) for _ in range(workers)]:
                    f.result()  # started before the clock, as in a render
                start = time.perf_counter()
                result = master_track(placements, out, MasterOptions(loudness_target=target), pool=pool)
                seconds = time.perf_counter() - start
        else:
            result = master_track(placements, out, MasterOptions(loudness_target=target))
        extra = {"lufs": result.loudness_lufs, "true_peak": result.true_peak_dbtp, "limited": result.limited_takes,
                 "audio_hours": result.duration_s / 3600}
    if mode == "copy" or workers <= 1:
        seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": rss_mb, **extra}))


def measure(mode: str, folder: Path, count: int, target: float, workers: int = 1) -> dict:
    # One BLAS thread, as the narrate command sets it (spinning BLAS threads only compete here).
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, __file__, "--child", mode, str(folder), str(count), str(target), str(workers)],
                          capture_output=True, text=True, check=True, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def clear_caches(folder: Path) -> None:
    for p in folder.glob("*.analysis"):
        p.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--keep", type=Path, help="folder for the takes (kept); default: a temp folder")
    ap.add_argument("--loudness", type=float, default=-16.0, help="target LUFS (default -16)")
    ap.add_argument("--warm-only", action="store_true", help="keep cached analyses; skip the cold render")
    ap.add_argument("--workers", type=int, default=2,
                    help="also time the warm master on this many worker processes, as a render writes its track (default 2; 1: skip)")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), int(args.child[2]), float(args.child[3]), int(args.child[4]))
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="stitch-bench-"))
    try:
        have = len(list(folder.glob("take*.wav")))
        if have < max(args.sizes):
            t = time.perf_counter()
            # In a child: the parent stays small, so the children it forks start small (ru_maxrss).
            subprocess.run([sys.executable, __file__, "--child", "make", str(folder), str(max(args.sizes)), "0"],
                           check=True)
            print(f"made {max(args.sizes)} takes in {time.perf_counter() - t:.1f} s", flush=True)
        rows = {}
        target = args.loudness
        for n in args.sizes:
            if not args.warm_only:
                clear_caches(folder)
            copy = min((measure("copy", folder, n, target) for _ in range(2)), key=lambda r: r["seconds"])
            cold = measure("master", folder, n, target)  # with --warm-only: the first render at this gain
            warm = min((measure("master", folder, n, target) for _ in range(2)), key=lambda r: r["seconds"])
            par = (min((measure("master", folder, n, target, args.workers) for _ in range(2)), key=lambda r: r["seconds"])
                   if args.workers > 1 else None)
            rows[n] = (copy, cold, warm)
            print(f"{n:>6} takes ({warm['audio_hours']:.2f} h audio): copy {copy['seconds']:.2f} s {copy['rss_mb']:.0f} MB | "
                  f"master cold {cold['seconds']:.2f} s {cold['rss_mb']:.0f} MB | "
                  f"master warm {warm['seconds']:.2f} s {warm['rss_mb']:.0f} MB | "
                  f"{warm['lufs']:.2f} LUFS, TP {warm['true_peak']:.2f} dBTP, limited {warm['limited']}", flush=True)
            if par is not None:
                print(f"{'':>6} warm master on {args.workers} workers (the pass as a render runs it): {par['seconds']:.2f} s "
                      f"= {par['seconds'] / copy['seconds']:.1f}x the copy", flush=True)
        if len(args.sizes) >= 2:
            small, big = args.sizes[0], args.sizes[-1]
            print(f"time {big} vs {small} takes (warm): {rows[big][2]['seconds'] / rows[small][2]['seconds']:.2f}x "
                  f"(cold {rows[big][1]['seconds'] / rows[small][1]['seconds']:.2f}x; goal <= 6x for 5x the takes)")
        for n, (copy, cold, warm) in rows.items():
            print(f"{n} takes: master/copy warm {warm['seconds'] / copy['seconds']:.1f}x, "
                  f"cold {cold['seconds'] / copy['seconds']:.1f}x (goal <= 4x); "
                  f"peak memory {max(cold['rss_mb'], warm['rss_mb']):.0f} MB (goal < 150 MB)")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
