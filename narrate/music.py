"""A music bed under the voice: decoded by ffmpeg as a stream, looped, faded, ducked while the voice speaks."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .encode import ffmpeg_path
from .errors import InputError

#: How early the bed starts to dip before speech, and how slowly it comes back after.
DUCK_ATTACK_S = 0.25
DUCK_RELEASE_S = 0.6


class MusicBed:
    """Mixes the bed into the track chunk by chunk; only the chunk being written is ever decoded.

    ``speech`` holds (start, end) sample ranges where the voice speaks, in order. The bed plays at
    ``gain_db``, ``duck_db`` lower while the voice speaks (with short ramps around speech), fades
    in over ``fade_in_s`` and out over the last ``fade_out_s`` of the track, and loops when shorter.
    """

    def __init__(self, path: Path, rate: int, length: int, speech: Sequence[tuple[int, int]], gain_db: float,
                 duck_db: float, fade_in_s: float, fade_out_s: float) -> None:
        if not path.is_file():
            raise InputError(f"{path}: music file not found")
        self.path = path
        self.rate = rate
        self.length = length
        self.starts = np.array([s for s, _ in speech], dtype=np.int64)
        self.ends = np.array([e for _, e in speech], dtype=np.int64)
        self.gain = 10 ** (gain_db / 20)
        self.duck = 10 ** (-abs(duck_db) / 20)
        self.fade_in = max(1, min(int(fade_in_s * rate), length // 2))
        self.fade_out = max(1, min(int(fade_out_s * rate), length // 2))
        self.attack = max(1, int(DUCK_ATTACK_S * rate))
        self.release = max(1, int(DUCK_RELEASE_S * rate))
        self._err = tempfile.TemporaryFile()
        cmd = [ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error",
               "-stream_loop", "-1", "-i", str(path), "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "pipe:1"]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._err)
        self._pos = 0

    def _read(self, n: int) -> np.ndarray:
        assert self._proc.stdout is not None
        want = 2 * n
        data = bytearray()
        while len(data) < want:
            block = self._proc.stdout.read(want - len(data))
            if not block:
                break
            data += block
        if len(data) < want:
            self._err.seek(0)
            reason = self._err.read().decode("utf-8", "replace").strip().splitlines()
            if self._pos == 0 and not data:
                raise InputError(f"{self.path}: cannot read music ({reason[-1] if reason else 'no audio'})")
            data += bytes(want - len(data))  # a stream that ends early: the rest of the bed is silent
        self._pos += n
        return np.frombuffer(bytes(data), dtype="<i2").astype(np.float32)

    def envelope(self, offset: int, n: int) -> np.ndarray:
        """The bed's gain for samples ``offset .. offset + n`` of the track."""
        t = np.arange(offset, offset + n, dtype=np.int64)
        duck_amount = np.zeros(n, dtype=np.float64)
        if self.starts.size:
            # Speech running at t, or the nearest speech before (release) and after (attack) it.
            i = np.searchsorted(self.starts, t, side="right") - 1
            prev_end = np.where(i >= 0, self.ends[np.maximum(i, 0)], -(10**12))
            inside = (i >= 0) & (t < prev_end)
            since = np.clip((t - prev_end) / self.release, 0.0, 1.0)
            nxt = np.minimum(i + 1, self.starts.size - 1)
            until = np.where(i + 1 < self.starts.size, self.starts[nxt] - t, 10**12)
            before = np.clip(until / self.attack, 0.0, 1.0)
            duck_amount = np.maximum.reduce([inside.astype(np.float64), 1.0 - since, 1.0 - before])
        level = self.gain * (1.0 - duck_amount * (1.0 - self.duck))
        fade = np.minimum(1.0, np.minimum((t + 1) / self.fade_in, (self.length - t) / self.fade_out))
        return (level * np.clip(fade, 0.0, 1.0)).astype(np.float32)

    def mix(self, x: np.ndarray, offset: int) -> None:
        """Add the bed under ``x`` (float32, int16 units, modified in place) at track sample ``offset``."""
        if x.size == 0:
            return
        x += self._read(x.size) * self.envelope(offset, x.size)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc.wait()
        self._err.close()
