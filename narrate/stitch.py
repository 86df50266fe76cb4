"""Stitch takes and planned pauses into one track (first cut: plain concatenation)."""

from __future__ import annotations

import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .engines.base import WordTime


@dataclass(frozen=True)
class Placement:
    """One segment's place in the track: its take (None for a pure pause) and the pause after it."""

    segment_id: str
    take: Path | None
    pause_after_s: float
    text: str = ""
    spoken: str = ""
    voice: str = ""
    words: tuple[WordTime, ...] = ()


@dataclass(frozen=True)
class MasterOptions:
    """How the track is finished. Format comes from the output's extension."""

    loudness_target: float = -16.0
    true_peak_dbtp: float = -1.0
    sample_rate: int | None = None
    bitrate: str | None = None
    title: str | None = None
    artist: str | None = None
    subtitles: bool = True
    music: Path | None = None
    music_gain_db: float = -20.0


@dataclass(frozen=True)
class Cue:
    segment_id: str
    start_s: float
    end_s: float
    text: str
    spoken: str
    voice: str
    words: tuple[WordTime, ...] = ()


@dataclass(frozen=True)
class MasterResult:
    output: Path
    duration_s: float
    sample_rate: int
    loudness_lufs: float | None
    loudness_target_lufs: float
    true_peak_dbtp: float | None
    cues: tuple[Cue, ...] = ()
    subtitles: dict[str, Path] = field(default_factory=dict)


def master_track(
    placements: Sequence[Placement],
    out_path: Path,
    options: MasterOptions = MasterOptions(),
    on_progress: Callable[[int, int], None] | None = None,
) -> MasterResult:
    """Write the track to ``out_path`` (WAV only in this first cut)."""
    rate = 22050
    cues: list[Cue] = []
    t = 0.0
    tmp = out_path.with_name(f".{out_path.name}.part")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        for i, p in enumerate(placements):
            if p.take is not None:
                with wave.open(str(p.take), "rb") as w:
                    frames = w.readframes(w.getnframes())
                out.writeframes(frames)
                d = len(frames) / 2 / rate
                cues.append(Cue(p.segment_id, t, t + d, p.text, p.spoken, p.voice))
                t += d
            n = int(round(p.pause_after_s * rate))
            out.writeframes(b"\0\0" * n)
            t += n / rate
            if on_progress:
                on_progress(i + 1, len(placements))
    tmp.replace(out_path)
    return MasterResult(out_path, t, rate, None, options.loudness_target, None, tuple(cues))
