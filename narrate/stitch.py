"""Stitch takes and planned pauses into one mastered track: trimmed, faded, loudness-normalized, streamed."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import atomic, audio, encode, later, limiter, loudness, native, splice
from .engines.base import WordTime
from .errors import DependencyError, InputError
from .music import MusicBed
from .subtitles import write_deliverables

if TYPE_CHECKING:
    from .synth import WorkerPool

log = logging.getLogger(__name__)

#: Long pauses are written in pieces of this many seconds, so memory never follows their length.
_PAUSE_PIECE_S = 1.0
_GAIN_STEP_DB = 0.05
#: A re-render keeps the last render's gain while the ideal gain stays this close to it.
_GAIN_HOLD_DB = 0.1
#: Below this many takes to master, worker processes cost more than they save.
_PARALLEL_MIN = 16


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

    def __post_init__(self) -> None:
        # A Path once, here: the stitch used to wrap it three times per take (~10 us each).
        if self.take is not None and not isinstance(self.take, Path):
            object.__setattr__(self, "take", Path(self.take))


@dataclass(frozen=True)
class MasterOptions:
    """How the track is finished. Format comes from the output's extension.

    loudness_target: integrated LUFS (see ``narrate.loudness.resolve_loudness`` for presets).
    true_peak_dbtp: ceiling of the true-peak limiter. sample_rate: the track's rate (default:
    the first take's). bitrate: for lossy formats (e.g. "128k"). title/artist: metadata tags.
    subtitles: write .srt/.vtt/.timings.json beside the track. music: a bed under the voice at
    music_gain_db, ducked by music_duck_db while the voice speaks.
    """

    loudness_target: float = -16.0
    true_peak_dbtp: float = -1.0
    sample_rate: int | None = None
    bitrate: str | None = None
    title: str | None = None
    artist: str | None = None
    subtitles: bool = True
    music: Path | None = None
    music_gain_db: float = -20.0
    music_duck_db: float = 12.0
    music_fade_in_s: float = 1.0
    music_fade_out_s: float = 2.0
    #: Where to keep the record of this render's WAV (see narrate.splice); None: no record, no splicing.
    record: Path | None = None
    #: Where to keep the WAV this render replaces, for the next render to write into (see atomic.replacing).
    spare: Path | None = None


@dataclass(frozen=True)
class Cue:
    """Where one narrated segment's audio lies in the final track (seconds), with word times in track time."""

    segment_id: str
    start_s: float
    end_s: float
    text: str
    spoken: str
    voice: str
    #: The take's word times (take time) and what to add to them for track time: the track's words
    #: (``words``) are made when asked for (subtitles, timings), not on every render (6,000 objects).
    take_words: tuple[WordTime, ...] = ()
    shift_s: float = 0.0

    @functools.cached_property
    def words(self) -> tuple[WordTime, ...]:
        """Word times in track time, each inside the cue."""
        start, end, shift = self.start_s, self.end_s, self.shift_s
        return tuple(WordTime(w.word, min(max(w.start_s + shift, start), end)) for w in self.take_words)


@dataclass(frozen=True)
class MasterResult:
    """The finished track and what was measured on it (loudness after gain and limiting)."""

    output: Path
    duration_s: float
    sample_rate: int
    loudness_lufs: float | None
    loudness_target_lufs: float
    true_peak_dbtp: float | None
    cues: tuple[Cue, ...] = ()
    subtitles: dict[str, Path] = field(default_factory=dict)
    gain_db: float = 0.0
    limited_takes: int = 0
    rms_dbfs: float | None = None


@dataclass(frozen=True)
class _Slot:
    """A placement laid out on the track: sample offset and length of its audio, then its pause."""

    placement: Placement
    analysis: loudness.TakeAnalysis | None
    offset: int
    pause: int


def _track_rate(placements: Sequence[Placement], options: MasterOptions) -> int:
    if options.sample_rate is not None:
        if not 8000 <= options.sample_rate <= 192000:
            raise InputError(f"sample rate {options.sample_rate} is out of range 8000..192000 Hz")
        return int(options.sample_rate)
    for p in placements:
        if p.take is not None:
            return audio.read_header(p.take).sample_rate
    return 22050


def _cue(slot: _Slot, rate: int) -> Cue:
    p, a = slot.placement, slot.analysis
    assert a is not None
    start = slot.offset / rate
    end = (slot.offset + a.length) / rate
    shift = start - a.trim_start / a.take_rate
    return Cue(p.segment_id, start, end, p.text, p.spoken, p.voice, p.words, shift)


def _layout(
    placements: Sequence[Placement], rate: int, progress: Callable[[int], None]
) -> tuple[list[_Slot], loudness.LoudnessMeter, int]:
    """Analyse every take (cached) and place it: slots, the voice's loudness meter, track length."""
    meter = loudness.LoudnessMeter(rate)
    slots: list[_Slot] = []
    pos = 0
    for i, p in enumerate(placements):
        if p.pause_after_s < 0:
            raise InputError(f"segment {p.segment_id}: negative pause {p.pause_after_s:g} s")
        a = loudness.analyse_take(p.take, rate) if p.take is not None else None
        pause = int(round(p.pause_after_s * rate))
        slots.append(_Slot(p, a, pos, pause))
        if a is not None:
            meter.add_chunks(pos, a.energies, a.length, take=i)
            pos += a.length
        pos += pause
        progress(i + 1)
    meter.finish(pos)
    return slots, meter, pos


def master_track(
    placements: Sequence[Placement],
    out_path: Path,
    options: MasterOptions = MasterOptions(),
    on_progress: Callable[[int, int], None] | None = None,
    pool: WorkerPool | None = None,
) -> MasterResult:
    """Write the mastered track to ``out_path`` (format by extension) and its deliverables beside it.

    Two streaming passes: the first lays out and analyses the takes (analyses cached beside each
    take) and derives one gain for the loudness target; the second writes trimmed, faded, gained
    (and, where needed, limited) takes and exact pauses chunk by chunk into a temp file that
    replaces ``out_path`` only on success. ``on_progress(done, total)`` counts both passes.
    A WAV without a music bed is written take by take at known offsets instead: on ``pool``'s
    workers when given, and copying takes unchanged since the render ``options.record`` describes.
    """
    out_path = Path(out_path)
    fmt = encode.format_for(out_path)
    if fmt.codec is not None or options.music is not None:
        encode.ffmpeg_path()
    encode.check_output_folder(out_path)
    total = 2 * len(placements)

    def progress(done: int) -> None:
        if on_progress is not None:
            on_progress(done, total)

    rate = _track_rate(placements, options)
    slots, voice_meter, length = _layout(placements, rate, progress)
    ceiling = loudness.limiter_ceiling(options.true_peak_dbtp)
    gain = loudness.plan_gain(voice_meter, [s.analysis for s in slots], options.loudness_target,
                              ceiling / audio.FULL_SCALE)
    # Steps of 0.05 dB: inaudible, and a re-render after a small change keeps the same gain, so
    # every take it did not change comes out sample for sample the same (and, into a WAV, is
    # copied from the last render instead of mastered again: see narrate.splice).
    ideal_db = 20 * math.log10(gain)
    gain_db = round(ideal_db / _GAIN_STEP_DB) * _GAIN_STEP_DB
    placed = fmt.codec is None and options.music is None
    previous = splice.load(options.record) if placed and options.record is not None else None
    if previous is not None and not previous.usable_for(out_path, rate, ceiling):
        previous = None
    if previous is not None and abs(ideal_db - previous.gain_db) <= _GAIN_HOLD_DB:
        gain_db = previous.gain_db  # within 0.1 LU of the target still: keep the last render's gain
    gain = 10 ** (gain_db / 20)
    cues = tuple(_cue(s, rate) for s in slots if s.analysis is not None)

    tags = {k: v for k, v in (("title", options.title), ("artist", options.artist)) if v}
    if fmt.codec is None:
        splice.check_size(rate, length)  # before anything is written
    speech = [(round(c.start_s * rate), round(c.end_s * rate)) for c in cues]
    threshold = ceiling / gain / audio.FULL_SCALE  # what a take's peak may reach before the gain
    # The output may already be this very track (the same takes at the same offsets, gain, header and tags,
    # as its record shows): then the file is left alone, so a render with nothing to change neither rewrites
    # a long track nor changes its modification time under an editor that has it open.
    kept = _kept(slots, out_path, previous, gain_db, rate, length, tags) if previous is not None else None
    # An encoded output (or a WAV with a bed) is left alone the same way, when the record of it shows it was made
    # from these very inputs: encoding a 40-minute track takes 13 s (MP3) to 16 s (AAC) here.
    key = (_encoded_key(slots, out_path, fmt, rate, length, gain_db, ceiling, tags, options)
           if not placed and options.record is not None else None)
    same = _measured(splice.load_encoded(options.record, out_path, key), out_path) if key and options.record else None
    if same is not None:
        progress(total)
        return _deliver(replace(same, cues=cues, gain_db=gain_db, loudness_target_lufs=options.loudness_target), options)
    written: Sequence[splice.Written | None] = ()
    at = splice.HEADER_BYTES
    try:
        if kept is not None:
            written, stats = kept, _measure(slots, kept, rate)
            progress(total)
        else:
            spare = options.spare if placed else None
            with encode.atomic_path(out_path, spare=spare) as tmp:
                if placed:
                    replica = spare is not None and previous is not None and atomic.take_replica(tmp, out_path, spare)
                    written, at = _write_placed(slots, tmp, out_path, rate, gain, gain_db, threshold, length, tags,
                                                previous, replica, pool, progress)
                    stats = _measure(slots, written, rate)
                else:
                    stats = _write_streaming(slots, tmp, out_path, rate, gain, threshold, length, tags, speech,
                                             options, progress)
    except OSError as exc:
        raise encode.output_error(out_path, exc) from None
    if placed and options.record is not None and kept is None:
        # Only the next render reads the record: written after the answer where the process outlives it.
        later.defer(functools.partial(
            splice.save, options.record, out_path, rate, gain_db, ceiling,
            ((splice.take_identity(sl.placement.take, sl.analysis), sl.offset, sl.analysis.length, w)  # type: ignore[arg-type]
             for sl, w in zip(slots, written) if w is not None and sl.analysis is not None), at))
    final_meter, sumsq, peak, limited = stats
    final_meter.finish(length)
    result_loudness = final_meter.integrated()
    if limited:
        log.info("limited %d of %d takes to keep true peak under %.1f dBTP", limited, len(cues), options.true_peak_dbtp)
    rms = loudness.db((sumsq / length) ** 0.5) if length and sumsq else None
    result = MasterResult(
        output=out_path, duration_s=length / rate, sample_rate=_encoded_rate(out_path, rate, options),
        loudness_lufs=result_loudness, loudness_target_lufs=options.loudness_target,
        true_peak_dbtp=loudness.db(peak), cues=cues, gain_db=gain_db, limited_takes=limited, rms_dbfs=rms,
    )
    if key is not None and options.record is not None:
        later.defer(functools.partial(splice.save_encoded, options.record, out_path, key, _measures(result)))
    return _deliver(result, options)


def replicate_track(out_path: Path, options: MasterOptions) -> None:
    """Make ``options.spare`` a copy of the WAV track just written to ``out_path`` (see atomic.replicate), so that
    the next re-render finds most of its bytes in place; only for a track large enough to keep a spare."""
    if options.spare is None or options.music is not None or encode.format_for(out_path).codec is not None:
        return
    try:
        st = os.stat(out_path)
        if st.st_size < atomic.LARGE_BYTES or os.stat(options.spare.parent).st_dev != st.st_dev:
            return  # (a spare on another file system cannot become the track: renders write a new file then)
    except OSError:
        return
    atomic.replicate(out_path, options.spare)


def _deliver(result: MasterResult, options: MasterOptions) -> MasterResult:
    if options.subtitles:
        subs = write_deliverables(result.output, result.cues, _timings_extra(result))
        result = replace(result, subtitles=subs)
    return result


_MEASURES = ("duration_s", "sample_rate", "loudness_lufs", "true_peak_dbtp", "limited_takes", "rms_dbfs")


def _measures(result: MasterResult) -> dict[str, object]:
    return {name: getattr(result, name) for name in _MEASURES}


def _measured(measures: dict[str, Any] | None, out_path: Path) -> MasterResult | None:
    """A result from the measures a record kept (the cues, gain and target are the caller's); None if unreadable."""
    if measures is None:
        return None

    def maybe(name: str) -> float | None:
        value = measures.get(name)
        return None if value is None else float(value)

    try:
        return MasterResult(output=out_path, duration_s=float(measures["duration_s"]), sample_rate=int(measures["sample_rate"]),
                            loudness_lufs=maybe("loudness_lufs"), loudness_target_lufs=0.0, true_peak_dbtp=maybe("true_peak_dbtp"),
                            limited_takes=int(measures["limited_takes"]), rms_dbfs=maybe("rms_dbfs"))
    except (KeyError, TypeError, ValueError):
        return None


#: Bump when anything that changes an encoded track's bytes changes outside narrate's own files.
_ENCODED_VERSION = 1


def _encoded_key(slots: Sequence[_Slot], out_path: Path, fmt: encode.Format, rate: int, length: int, gain_db: float,
                 ceiling: float, tags: dict[str, str], options: MasterOptions) -> str | None:
    """Everything an encoded track's bytes follow from, hashed: the takes (as files) and where they sit, the gain and
    ceiling, the encoder and its arguments, the tags, the bed; and narrate's own code. None: cannot tell (no ffmpeg)."""
    from .filememo import signature
    from .normcache import code_fingerprint

    try:
        ffmpeg = encode.ffmpeg_path() if fmt.codec is not None else ""
    except DependencyError:  # the write reports it
        return None
    parts: list[object] = [
        _ENCODED_VERSION, code_fingerprint(), fmt.name, encode.encoder_args(fmt, _encoded_rate(out_path, rate, options), options.bitrate)
        if fmt.codec is not None else [], ffmpeg, signature(Path(ffmpeg)) if ffmpeg else None, rate, length, gain_db,
        ceiling, sorted(tags.items()),
    ]
    if options.music is not None:
        music = Path(options.music)
        parts += [str(music.resolve()), signature(music), options.music_gain_db, options.music_duck_db,
                  options.music_fade_in_s, options.music_fade_out_s]
    for slot in slots:
        a, take = slot.analysis, slot.placement.take
        parts.append([splice.take_identity(take, a) if a is not None and take is not None else None, slot.offset, slot.pause])
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def master_take(take: Path, a: loudness.TakeAnalysis, rate: int, gain: float,
                threshold: float) -> tuple[np.ndarray, splice.Written]:
    """One take trimmed, faded, gained and (where its peaks pass ``threshold`` before the gain) limited.

    Returns the samples (float32, int16 units) and what they measure, from the take's analysis.
    """
    x = audio.prepared_take(take, a.trim_start, a.trim_end, rate, gain)
    env, energies, peak = _limiting(take, a, rate, threshold, x.size)
    if env is not None:
        env.apply(x)  # a factor: before or after the gain is the same
    sumsq = float(np.dot(x, x)) / (audio.FULL_SCALE * audio.FULL_SCALE)
    return x, splice.Written(energies * (gain * gain), peak * gain, sumsq, env is not None)


def master_take_pcm(take: Path | str, a: loudness.TakeAnalysis, rate: int, gain: float,
                    threshold: float) -> tuple[bytes | bytearray, splice.Written]:
    """``master_take`` as the 16-bit PCM that goes into the track (byte for byte the same either way).

    With the compiled kernels, the conversion, fades, limiter and rounding are one pass in C.
    """
    kernels = native.kernels
    if kernels is None or a.take_rate != rate:
        x, w = master_take(Path(take), a, rate, gain, threshold)
        return audio.to_int16(x, clip=w.peak > 0.999), w
    samples, take_rate = audio.read_samples(take)
    size = a.trim_end - a.trim_start
    if take_rate != rate or size != a.length or a.trim_end > samples.size:
        raise InputError(f"{take}: the take changed since it was analysed; render again")
    blocks, starts, stops = _NO_BLOCKS, _NO_GAINS, _NO_GAINS
    energies, peak = np.asarray(a.energies), a.peak
    if a.peak > threshold:
        tb = loudness.take_blocks(take, a)
        nb = tb.peaks.size
        blocks, starts, stops = np.empty(nb, dtype=np.int64), np.empty(nb), np.empty(nb)
        delta = np.zeros(energies.size)
        count, top = kernels.limit(tb.peaks, tb.energy, threshold, limiter.reach_blocks(rate), size, loudness.piece_len(rate),
                                   limiter.FRAC_MEAN, limiter.FRAC_SQ_MEAN, blocks, starts, stops, delta)
        blocks, starts, stops = blocks[:count], starts[:count], stops[:count]
        if count:
            energies, peak = energies + delta, top
    pcm = bytearray(2 * size)
    sumsq = kernels.master(samples, a.trim_start, a.trim_end, float(np.float32(gain)), audio.fade_curve(size, rate),
                           blocks, starts, stops, limiter.FRAC32, pcm)
    return pcm, splice.Written(energies * (gain * gain), peak * gain, sumsq / (audio.FULL_SCALE * audio.FULL_SCALE),
                               blocks.size > 0)


_NO_BLOCKS = np.zeros(0, dtype=np.int64)
_NO_GAINS = np.zeros(0)


def _limiting(take: Path, a: loudness.TakeAnalysis, rate: int, threshold: float,
              size: int) -> tuple[limiter.Envelope | None, np.ndarray, float]:
    """The limiter's envelope for the take (None where no peak passes ``threshold``), and the take's
    energies per piece and true peak once it is applied (before the gain)."""
    energies = np.asarray(a.energies)
    if a.peak <= threshold:
        return None, energies, a.peak
    blocks = loudness.take_blocks(take, a)
    env = limiter.envelope(blocks.peaks, threshold, size, rate)
    if env is None:
        return None, energies, a.peak
    # (a chunk deep in a limited stretch can come out a hair under zero: its neighbour holds
    # the rest of a straddling block; the sum is right and the meter's blocks sum chunks)
    energies = energies + limiter.energy_delta(env, blocks.energy, loudness.piece_len(rate), energies.size)
    return env, energies, env.peak_after(blocks.peaks)


_Stats = tuple[loudness.LoudnessMeter, float, float, int]


def _measure(slots: Sequence[_Slot], written: Sequence[splice.Written | None], rate: int) -> _Stats:
    meter = loudness.LoudnessMeter(rate)
    sumsq = peak = 0.0
    limited = 0
    for slot, w in zip(slots, written):
        if w is not None and slot.analysis is not None:
            meter.add_chunks(slot.offset, w.energies, slot.analysis.length)
            sumsq += w.sumsq
            peak = max(peak, w.peak)
            limited += w.limited
    return meter, sumsq, peak, limited


def _kept(slots: Sequence[_Slot], out_path: Path, previous: splice.Record, gain_db: float, rate: int, length: int,
          tags: dict[str, str]) -> list[splice.Written | None] | None:
    """What each slot measured, when ``out_path`` already holds exactly this track; else None.

    ``previous`` describes the file as it is on disk (checked by the caller): every take must sit at the
    same offset with the same length and gain, no other take may be in it (its other samples are the
    zeros of the pauses), and its header and tag chunk must be the ones this render would write.
    """
    if previous.gain_db != gain_db:
        return None
    written: list[splice.Written | None] = [None] * len(slots)
    seen = set()
    for i, slot in enumerate(slots):
        a = slot.analysis
        if a is None or not a.length:
            continue
        assert slot.placement.take is not None
        ident = splice.take_identity(slot.placement.take, a)
        hit = previous.takes.get(ident)
        if hit is None or hit[0] != slot.offset or hit[1] != a.length:
            return None
        written[i] = hit[2]
        seen.add(ident)
    if len(seen) != len(previous.takes):
        return None
    info = encode.riff_info(tags) if tags else b""
    if not splice.valid_offset(previous.data_at):
        return None
    head = splice.wav_header(rate, length, len(info), splice.junk_at(previous.data_at))
    if previous.size != len(head) + 2 * length + len(info):
        return None
    try:
        with open(out_path, "rb") as f:
            if f.read(len(head)) != head:
                return None
            f.seek(len(head) + 2 * length)
            if f.read() != info:
                return None
    except OSError:
        return None
    return written


def _write_placed(
    slots: Sequence[_Slot], tmp: Path, out_path: Path, rate: int, gain: float, gain_db: float, threshold: float,
    length: int, tags: dict[str, str], previous: splice.Record | None, replica: bool, pool: WorkerPool | None,
    progress: Callable[[int], None],
) -> tuple[list[splice.Written | None], int]:
    """The WAV written take by take at its offset: copied from the previous render, or mastered here
    or on the pool's workers. ``replica``: ``tmp`` already holds the previous render's bytes (see
    atomic.replicate). Returns what each slot's take measured (None for pure pauses), and the byte
    where the track's data starts."""
    written: list[splice.Written | None] = [None] * len(slots)
    todo: list[tuple[int, str, loudness.TakeAnalysis, int]] = []
    done = len(slots)
    # Takes of the last render are copied only at its very gain (a re-render keeps it when it can).
    copies = previous.takes if previous is not None and previous.gain_db == gain_db else {}
    # Runs of takes that follow one another in both tracks, the same distance apart, are copied in one piece with
    # the pauses between them (zeros in the last track too: nothing else was between them there).
    runs: list[list[int]] = []  # [source offset, offset, samples]
    last = -1  # the source offset of the last take copied, while the run can go on
    for i, slot in enumerate(slots):
        a = slot.analysis
        if a is None or not a.length:
            done += 1
            continue
        take = slot.placement.take
        assert take is not None
        hit = copies.get(splice.take_identity(take, a))
        if hit is not None and hit[1] == a.length:
            assert previous is not None
            if last >= 0 and hit[0] - runs[-1][0] == slot.offset - runs[-1][1] and previous.adjacent(last, hit[0]):
                runs[-1][2] = slot.offset + a.length - runs[-1][1]
            else:
                runs.append([hit[0], slot.offset, a.length])
            last = hit[0]
            written[i] = hit[2]
            done += 1
        else:
            todo.append((i, str(take), a, slot.offset))
            last = -1
    src_at = previous.data_at if previous is not None else splice.HEADER_BYTES
    at = _data_at(runs, src_at, length) if replica and runs else splice.data_offset(splice.padding_for(length))
    stale = splice.create(tmp, rate, length, encode.riff_info(tags) if tags else b"", at)
    src = os.open(out_path, os.O_RDONLY) if runs else -1
    dst = os.open(tmp, os.O_WRONLY)
    try:
        for source, offset, count in runs:
            # In a replica the run is already where it goes when it sits at the same byte in both tracks.
            if not (replica and src_at + 2 * source == at + 2 * offset):
                splice.copy_range(src, dst, src_at + 2 * source, at + 2 * offset, count)
        if stale:  # a spare track: its pauses are the samples of an earlier track
            splice.zero_gaps(dst, [(r[1], r[2]) for r in runs] + [(t[3], t[2].length) for t in todo], stale, at)
    finally:
        os.close(dst)
        if src >= 0:
            os.close(src)
    progress(done)
    workers = pool.workers if pool is not None else 1
    # Only on workers already running: starting them costs about what half a 40-minute track's
    # write saves, so a re-render that must master every take again does it here.
    if pool is not None and pool.started and workers > 1 and len(todo) >= _PARALLEL_MIN:
        import concurrent.futures as cf

        copied = done
        try:
            # One group per worker process, and the last for this process while they write theirs.
            *theirs, mine = _groups(todo, workers)
            futures = [pool.get().submit(splice.write_group, str(tmp), rate, gain, threshold, g, at) for g in theirs]
            for i, w in splice.write_group(str(tmp), rate, gain, threshold, mine, at):
                written[i] = w
                done += 1
            progress(done)
            for fut in futures:
                for i, w in fut.result():
                    written[i] = w
                    done += 1
                progress(done)
            return written, at
        except cf.process.BrokenProcessPool:
            log.debug("a worker died while writing the track; writing it here")
            done = copied  # every take to master is written again below, this process's share too
    for i, w in splice.write_group(str(tmp), rate, gain, threshold, todo, at):
        written[i] = w
        done += 1
        progress(done)
    return written, at


def _data_at(runs: list[list[int]], src_at: int, length: int) -> int:
    """Where a track written into a replica of the last one starts its data: at the byte that leaves the most
    samples of its copied runs where they already are. An edit that lengthened or shortened the track moves
    the takes after it by as much: keeping the data's start keeps the takes before it in place, moving it by
    the same amount (the JUNK chunk takes up the difference) keeps those after it."""
    kept: dict[int, int] = {}
    for source, offset, count in runs:
        at = src_at + 2 * (source - offset)
        if splice.valid_offset(at):
            kept[at] = kept.get(at, 0) + count
    default = splice.data_offset(splice.padding_for(length))
    if not kept:
        return default
    return max(kept, key=lambda at: (kept[at], -abs(at - default)))


def _groups(todo: list[tuple[int, str, loudness.TakeAnalysis, int]], n: int) -> list[list[tuple[int, str, loudness.TakeAnalysis, int]]]:
    """``todo`` cut into ``n`` runs of about equal audio (contiguous, so each worker writes one stretch)."""
    total = sum(t[2].length for t in todo)
    groups: list[list[tuple[int, str, loudness.TakeAnalysis, int]]] = [[]]
    acc = 0
    for item in todo:
        if acc >= total * len(groups) / n and len(groups) < n:
            groups.append([])
        groups[-1].append(item)
        acc += item[2].length
    return [g for g in groups if g]


def _write_streaming(
    slots: Sequence[_Slot], tmp: Path, out_path: Path, rate: int, gain: float, threshold: float, length: int,
    tags: dict[str, str], speech: list[tuple[int, int]], options: MasterOptions, progress: Callable[[int], None],
) -> _Stats:
    """The track streamed in order into the format's sink (an encoder, or a WAV with a music bed)."""
    bed = None
    if options.music is not None:
        bed = MusicBed(Path(options.music), rate, length, speech, options.music_gain_db,
                       options.music_duck_db, options.music_fade_in_s, options.music_fade_out_s)
    try:
        sink = encode.open_sink(tmp, out_path, rate, options.sample_rate, options.bitrate, tags)
        try:
            stats = _write_track(slots, sink, rate, gain, threshold, bed, progress)
            sink.close()
        except BaseException:
            sink.abort()
            raise
    finally:
        if bed is not None:
            bed.close()
    return stats


def _write_track(
    slots: Sequence[_Slot], sink: encode.Sink, rate: int, gain: float, threshold: float,
    bed: MusicBed | None, progress: Callable[[int], None],
) -> _Stats:
    """Every take gained (limited where needed), the bed mixed in, the pauses exact, in order.

    Returns the finished track's meter, its unweighted energy, its true peak and how many takes the
    limiter touched. Without a bed the takes are measured from their analyses.
    """
    meter = loudness.LoudnessMeter(rate)
    sumsq = 0.0  # unweighted energy of the voice as written, for the RMS that ACX asks about
    peak = 0.0
    limited = 0
    for i, slot in enumerate(slots):
        a = slot.analysis
        if a is not None and a.length:
            take = slot.placement.take
            assert take is not None
            if bed is None:
                pcm, w = master_take_pcm(take, a, rate, gain, threshold)
                meter.add_chunks(slot.offset, w.energies, a.length)
                peak = max(peak, w.peak)
                sink.write(pcm)
            else:
                x, w = master_take(take, a, rate, gain, threshold)
                bed.mix(x, slot.offset)
                meter.add_chunks(slot.offset, loudness.piece_energies(x, rate), x.size)
                peak = max(peak, limiter.true_peak(x) / audio.FULL_SCALE)
                sink.write(audio.to_int16(x))
            sumsq += w.sumsq
            limited += w.limited
        peak = max(peak, _write_pause(sink, slot, a.length if a else 0, rate, bed, meter))
        progress(len(slots) + i + 1)
    return meter, sumsq, peak, limited


def _encoded_rate(out: Path, rate: int, options: MasterOptions) -> int:
    return encode.encoded_rate(encode.format_for(out), options.sample_rate or rate)


def _write_pause(sink: encode.Sink, slot: _Slot, take_len: int, rate: int, bed: MusicBed | None,
                 meter: loudness.LoudnessMeter) -> float:
    """Exactly the planned pause: digital silence, or the (faded, ducked) music bed alone; returns its peak."""
    piece = max(1, int(_PAUSE_PIECE_S * rate))
    done = 0
    peak = 0.0
    while done < slot.pause:
        n = min(piece, slot.pause - done)
        offset = slot.offset + take_len + done
        if bed is None:
            sink.write(bytes(2 * n))
        else:
            x = np.zeros(n, dtype=np.float32)
            bed.mix(x, offset)
            meter.add_chunks(offset, loudness.piece_energies(x, rate), n)
            peak = max(peak, limiter.true_peak(x) / audio.FULL_SCALE)
            sink.write(audio.to_int16(x))
        done += n
    return peak


def _timings_extra(r: MasterResult) -> dict[str, object]:
    return {
        "duration_s": round(r.duration_s, 6),
        "sample_rate": r.sample_rate,
        "output": r.output.name,
        "loudness_lufs": None if r.loudness_lufs is None else round(r.loudness_lufs, 2),
        "loudness_target_lufs": r.loudness_target_lufs,
        "true_peak_dbtp": None if r.true_peak_dbtp is None else round(r.true_peak_dbtp, 2),
    }


__all__ = ["Cue", "MasterOptions", "MasterResult", "Placement", "master_track"]
