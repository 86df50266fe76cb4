"""The whole pipeline: plan -> takes (cached, checked, in parallel) -> stitched, mastered track."""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import later
from .cache import Take, TakeCache, cache_root, take_key
from .engines import VoiceSettings
from .errors import InputError, OutputError
from .language import dominant_language, voice_for_language
from .models import Plan, Segment
from .normcache import NormalizeMemo
from .plan import Voices, build_plan
from .encode import ffmpeg_path, format_for
from .synth import Job, JobResult, WorkerPool, engine_version, engine_voices, synthesize_all

if TYPE_CHECKING:
    from .stitch import Placement

# The mastering modules (loudness, stitch: numpy and the rest, ~60 ms) are imported where they are first used, once
# the takes to make are handed to the workers: before that the workers wait for this process.

#: on_progress(stage, done, total): stages are "plan", "synthesize", "stitch".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RenderOptions:
    output: Path | None = None
    voice: str | None = None
    jobs: int | None = None
    loudness: str | float | None = None
    sample_rate: int | None = None
    bitrate: str | None = None
    subtitles: bool = True
    music: Path | None = None
    music_gain_db: float = -20.0


@dataclass(frozen=True)
class RenderResult:
    output: Path
    duration_s: float
    segments: int
    synthesized: int
    reused: int
    loudness_lufs: float | None
    loudness_target_lufs: float
    subtitles: dict[str, Path] = field(default_factory=dict)
    elapsed_s: float = 0.0
    regenerated: tuple[str, ...] = ()
    narrator: str | None = None
    title: str | None = None

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "output": str(self.output),
            "duration_s": round(self.duration_s, 3),
            "segments": self.segments,
            "synthesized": self.synthesized,
            "reused": self.reused,
            "loudness_lufs": None if self.loudness_lufs is None else round(self.loudness_lufs, 2),
            "loudness_target_lufs": self.loudness_target_lufs,
            "elapsed_s": round(self.elapsed_s, 3),
            "narrator": self.narrator,
            "title": self.title,
        }
        for kind in ("srt", "vtt", "timings"):
            doc[kind] = str(self.subtitles[kind]) if kind in self.subtitles else None
        if self.regenerated:
            doc["regenerated"] = list(self.regenerated)
        return doc


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def default_output(script: Path) -> Path:
    return Path(script).with_suffix(".wav")


def check_output_path(out: Path) -> None:
    """Refuse an output we cannot write (folder, format) before any synthesis is spent."""
    if format_for(out).codec is not None:
        ffmpeg_path()  # a DependencyError saying what to install, before any synthesis
    folder = out.resolve().parent
    if not folder.is_dir():
        raise OutputError(f"output folder {folder} does not exist; create it or pick another -o")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"output folder {folder} is not writable; pick another -o")
    if out.is_dir():
        raise OutputError(f"output {out} is a folder; give a file name such as {out / 'track.wav'}")


@dataclass
class _Session:
    """What one render or regen needs in hand."""

    script: Path
    plan: Plan
    voices: Voices
    cache: TakeCache
    memo: NormalizeMemo
    versions: dict[str, str] = field(default_factory=dict)

    def settings(self, seg: Segment) -> tuple[str, VoiceSettings]:
        profile = self.voices.get(seg.voice)
        settings = VoiceSettings(voice=profile.voice, rate=seg.rate_wpm, pitch=profile.pitch, volume=profile.volume, language=profile.language)
        # A segment written in another script is spoken by the engine's voice for that language, if it has one.
        lang = dominant_language(seg.spoken)
        if lang and lang != profile.language.split("-")[0]:
            other = voice_for_language(engine_voices(profile.engine), lang)
            if other is not None:
                settings = replace(settings, voice=other.id, language=lang)
        return profile.engine, settings

    def key(self, seg: Segment) -> str:
        engine, settings = self.settings(seg)
        if engine not in self.versions:
            self.versions[engine] = engine_version(engine)
        return take_key(seg.parts, engine, self.versions[engine], settings)


def _session(script: Path, voice: str | None) -> _Session:
    script = Path(script)
    voices = Voices(script.resolve().parent)  # loaded once, for the plan and the takes' settings
    cache = TakeCache(cache_root(script))
    # Sentences the last render normalized are not normalized again (a render saves the memo once it is done).
    memo = NormalizeMemo.load(cache.normalized_path(script))
    plan = build_plan(script, voice=voice, voices=voices, normalize=memo.normalize)
    return _Session(script, plan, voices, cache, memo)


def render(
    script: Path,
    options: RenderOptions = RenderOptions(),
    on_progress: Progress | None = None,
    regen_ids: Sequence[str] = (),
    pick: int | None = None,
    on_wait: Callable[[], None] | None = None,
    match: str | None = None,
    pool: WorkerPool | None = None,
) -> RenderResult:
    """Render ``script``: synthesize only the segments with no take in the cache (and those chosen for regen).

    ``regen_ids`` and ``match`` choose segments to make new takes of; ``pick`` (with exactly
    one chosen segment) selects an earlier take of it instead of a new one. ``pool``: worker
    processes to use and leave running (``narrate watch``); without it the render starts its own.
    """
    started = time.perf_counter()
    progress = on_progress or (lambda stage, done, total: None)
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(WorkerPool(options.jobs or default_jobs()))
        if pool.workers > 1 and not pool.started and _worth_starting_early(Path(script)):
            # (the script's front matter may name another voice: then only the guess is wasted)
            pool.start(warm=(Path(script).resolve().parent, options.voice or "default"))
        return _render(script, options, progress, regen_ids, match, pick, on_wait, pool, started)


#: Scripts shorter than this (bytes) synthesize too few takes for early workers to pay off.
_EARLY_POOL_MIN_BYTES = 4096


def _worth_starting_early(script: Path) -> bool:
    """A first render of a longer script synthesizes many takes: start the workers while it is planned."""
    try:
        if script.stat().st_size < _EARLY_POOL_MIN_BYTES:
            return False
    except OSError:
        return False
    return TakeCache(cache_root(script)).read_manifest(script) is None


def _render(script: Path, options: RenderOptions, progress: Progress, regen_ids: Sequence[str], match: str | None,
            pick: int | None, on_wait: Callable[[], None] | None, pool: WorkerPool, started: float) -> RenderResult:
    s = _session(script, options.voice)
    selected = select_segments(s.plan, regen_ids, match) if regen_ids or match else []
    if pick is not None and len(selected) != 1:
        raise InputError("--take N picks a take of exactly one segment")
    out = options.output or default_output(s.script)
    check_output_path(out)
    base = s.voices.get(s.plan.voice)
    loudness: tuple[float, float | None] = (base.loudness_target, None)  # None: the default true peak
    if options.loudness is not None:  # a bad value is an error before any synthesis
        from .loudness import resolve_loudness

        loudness = resolve_loudness(options.loudness)
    narrated = s.plan.narrated
    progress("plan", len(narrated), len(narrated))
    wanted = {c.id for c in selected}

    with contextlib.ExitStack() as held:
        held.enter_context(s.cache.lock(on_wait))
        takes: dict[str, Take] = {}
        jobs: dict[str, Job] = {}
        numbers: dict[str, int] = {}
        reused = 0
        keys = {seg.id: s.key(seg) for seg in narrated}
        for seg in narrated:
            key = keys[seg.id]
            if key in takes or key in jobs:
                continue
            if seg.id in wanted and pick is not None:
                chosen = s.cache.pick(key, pick)
                if chosen is None:
                    have = [t.number for t in s.cache.takes(key)]
                    raise InputError(f"segment {seg.id} has no take {pick}; takes: {', '.join(map(str, have)) or 'none yet'}")
                takes[key] = chosen
                continue
            current = s.cache.current(key) if seg.id not in wanted else None
            if current is not None:
                takes[key] = current
                reused += 1
                continue
            engine, settings = s.settings(seg)
            numbers[key], tmp = s.cache.new_take_path(key)
            jobs[key] = Job(key, seg.id, engine, seg.parts, seg.spoken, settings, tmp, options.sample_rate or 0,
                            final=tmp.parent / f"{numbers[key]:03d}.wav")
        done = 0
        progress("synthesize", 0, len(jobs))

        def commit(res: JobResult) -> None:
            nonlocal done
            assert res.audio is not None
            take = s.cache.commit(res.job.key, numbers[res.job.key], res.job.tmp, res.audio, res.job.spoken,
                                  res.created if res.meta_written else time.time(), meta_written=res.meta_written)
            if res.analysis is not None:  # (made here, when the worker could not store it beside the take)
                from .loudness import store_analysis

                store_analysis(take.path, res.analysis)  # the stitch then only reads it
            s.cache.remember(take)
            takes[res.job.key] = take
            done += 1
            if done == 1 and pool.started:
                # Waiting on the workers, this process imports what the stitch needs, off the critical path.
                from . import stitch  # noqa: F401
            progress("synthesize", done, len(jobs))

        try:
            synthesize_all(list(jobs.values()), pool.workers, commit, pool)
        finally:
            for job in jobs.values():
                job.tmp.unlink(missing_ok=True)

        from .loudness import DEFAULT_TRUE_PEAK
        from .stitch import MasterOptions, MasterResult, master_track, replicate_track

        target, true_peak = loudness[0], DEFAULT_TRUE_PEAK if loudness[1] is None else loudness[1]
        placements = _placements(s.plan, keys, takes)
        opts = MasterOptions(
            loudness_target=target,
            true_peak_dbtp=true_peak,
            sample_rate=options.sample_rate,
            bitrate=options.bitrate,
            title=s.plan.title or s.script.stem.replace("_", " ").replace("-", " "),
            artist=s.plan.narrator,
            subtitles=options.subtitles,
            music=options.music,
            music_gain_db=options.music_gain_db,
            record=s.cache.master_record_path(s.script),
            spare=_spare(s.cache, s.script),
        )
        mastered: MasterResult = master_track(placements, out, opts, on_progress=lambda d, t: progress("stitch", d, t),
                                              pool=pool)
        manifest = {
            "script": str(s.script.resolve()),
            "output": str(out.resolve()),
            "rendered": time.time(),
            "segments": [{"id": seg.id, "key": keys[seg.id], "take": takes[keys[seg.id]].number} for seg in narrated],
        }
        # What only a later render reads, then the lock: after the answer where the process outlives it (narrate.later).
        later.defer(functools.partial(s.cache.write_manifest, s.script, manifest))
        later.defer(functools.partial(s.memo.save, s.cache.normalized_path(s.script)))
        later.when_idle(functools.partial(replicate_track, out, opts))  # (the next re-render then copies little)
        later.defer(held.pop_all().close)
    return RenderResult(
        output=out,
        duration_s=mastered.duration_s,
        segments=len(narrated),
        synthesized=len(jobs),
        reused=reused,
        loudness_lufs=mastered.loudness_lufs,
        loudness_target_lufs=target,
        subtitles=dict(mastered.subtitles),
        elapsed_s=time.perf_counter() - started,
        regenerated=tuple(sorted(wanted)),
        narrator=s.plan.narrator,
        title=s.plan.title,
    )


def _spare(cache: TakeCache, script: Path) -> Path | None:
    """Where the track this render replaces is kept for the next (see atomic.replacing); its folder made now,
    as a first render in a new cache writes the rest of it only after the track."""
    spare = cache.spare_path(script)
    try:
        spare.parent.mkdir(exist_ok=True)
    except OSError:
        return None
    return spare


def _placements(plan: Plan, keys: dict[str, str], takes: dict[str, Take]) -> list[Placement]:
    from .stitch import Placement

    out: list[Placement] = []
    started = False  # a pause planned before the first spoken segment is dropped
    for seg in plan.segments:
        if seg.narrated:
            take = takes[keys[seg.id]]
            out.append(Placement(seg.id, take.path, seg.pause_after_s, seg.text, seg.spoken, seg.voice, take.words))
            started = True
        elif seg.kind == "pause" and started:
            out.append(Placement(seg.id, None, seg.pause_after_s))
    return out


def select_segments(plan: Plan, ids: Sequence[str], match: str | None) -> list[Segment]:
    """Narrated segments named by id or whose text contains ``match``; unknown ids are an InputError."""
    by_id = {s.id: s for s in plan.segments}
    chosen: list[Segment] = []
    for sid in ids:
        seg = by_id.get(sid)
        if seg is None:
            near = [x for x in by_id if x.startswith(sid.split("-")[0])][:6] or list(by_id)[:6]
            raise InputError(f"no segment '{sid}'; ids look like {', '.join(near)} (see 'narrate segments SCRIPT')")
        if not seg.narrated:
            raise InputError(f"segment {sid} is a {seg.kind}, which is not narrated")
        chosen.append(seg)
    if match:
        hits = [s for s in plan.narrated if match.lower() in s.text.lower()]
        if not hits:
            raise InputError(f"no narrated segment contains '{match}'")
        chosen += [h for h in hits if h not in chosen]
    if not chosen:
        raise InputError("name at least one segment id, or --match TEXT")
    return chosen


def regen(
    script: Path,
    ids: Sequence[str],
    match: str | None = None,
    pick: int | None = None,
    options: RenderOptions = RenderOptions(),
    on_progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
) -> RenderResult:
    """New takes of the chosen segments (or, with ``pick``, an earlier take of one), then re-stitch."""
    if not ids and not match:
        raise InputError("name at least one segment id, or --match TEXT")
    return render(script, options, on_progress, regen_ids=ids, pick=pick, on_wait=on_wait, match=match)


def list_takes(script: Path, segment_id: str, voice: str | None = None) -> tuple[Segment, list[Take], Take | None]:
    s = _session(script, voice)
    seg = select_segments(s.plan, [segment_id], None)[0]
    key = s.key(seg)
    return seg, s.cache.takes(key), s.cache.current(key)
