"""Synthesize takes: one engine per process, every take checked before it is kept.

pyttsx3 is not thread-safe and hangs when forked after an engine exists, so
parallel work uses ``spawn``ed worker processes that each own their engines.
Workers write temporary WAVs and check them, then write each checked take's
metadata and analysis (atomically) beside the name it will have; the parent
commits a take by renaming its WAV into place, so a kill at any moment leaves
no half-written take behind (metadata without its WAV is no take).
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import TakeCache, wav_ok
from .engines import Engine, TakeAudio, VoiceInfo, VoiceSettings, create_engine
from .errors import NarrateError, SynthesisError
from .models import SpokenPart

log = logging.getLogger(__name__)

#: Tries per take before the segment is reported as failed.
ATTEMPTS = 3


@dataclass(frozen=True)
class Job:
    """One take to make: ``tmp`` is where the WAV goes."""

    key: str
    segment_id: str
    engine: str
    parts: tuple[SpokenPart, ...]
    spoken: str
    settings: VoiceSettings
    tmp: Path
    #: Analyse the checked take for mastering at this track rate (0: the take's own rate; None: don't).
    analyse_rate: int | None = None
    #: Where the parent will commit the take: the worker writes its metadata and analysis beside
    #: that path (so the parent's share of a take is one rename). None: return them instead.
    final: Path | None = None


@dataclass(frozen=True)
class JobResult:
    job: Job
    audio: TakeAudio | None
    error: str | None = None
    attempts: int = 1
    #: (TakeAnalysis, TakeBlocks) of the take from narrate.loudness, made in the worker (None if not
    #: asked, written beside the take already, or it failed).
    analysis: Any = None
    #: The worker wrote the take's metadata beside its final path (``Job.final``), with this creation time.
    meta_written: bool = False
    created: float = 0.0


def expected_range(spoken: str, rate_wpm: int) -> tuple[float, float]:
    """Seconds a take of ``spoken`` may last at ``rate_wpm``; outside this range it is wrong.

    Engines speak spelled letters and long words at different speeds, so the
    estimate counts both words and letters; the range is wide enough for any
    voice and narrow enough to catch an empty take or another sentence's audio.
    """
    words = max(len(spoken.split()), 1)
    letters = sum(c.isalnum() for c in spoken)
    # ~5.5 letters per word in news English; the mean of both estimates.
    est = 0.5 * (words + letters / 5.5) * 60.0 / max(rate_wpm, 1)
    return 0.4 * est - 0.25, 2.2 * est + 0.8


def check_take(path: Path, spoken: str, rate_wpm: int) -> str | None:
    """None when the take is usable, else why not."""
    info = wav_ok(path)
    if info is None:
        return "the engine wrote an empty or unreadable WAV"
    rate, frames = info
    seconds = frames / rate
    lo, hi = expected_range(spoken, rate_wpm)
    if not lo <= seconds <= hi:
        return f"the take lasts {seconds:.2f} s where {max(lo, 0):.1f}-{hi:.1f} s fits its {len(spoken.split())} words at {rate_wpm} wpm"
    return None


# ---------------------------------------------------------------- in a process

_ENGINES: dict[str, Engine] = {}


def _engine(name: str) -> Engine:
    if name not in _ENGINES:
        _ENGINES[name] = create_engine(name)
    return _ENGINES[name]


def _reset_engine(name: str) -> None:
    eng = _ENGINES.pop(name, None)
    if eng is not None:
        with contextlib.suppress(Exception):
            eng.close()


def run_job(job: Job) -> JobResult:
    """Synthesize, check, retry; never raises for an engine's misbehaviour."""
    problem = "not tried"
    audio: TakeAudio | None = None
    # A new key's folder is made here, not before the job is handed out (cache.new_take_path). Failing to make it
    # (a full disk) is not the engine's fault: the OSError reaches the render, which reports it as before.
    job.tmp.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            audio = _engine(job.engine).synthesize(job.parts, job.settings, job.tmp)
        except NarrateError as exc:
            problem = exc.message
            audio = None
        except Exception as exc:  # an engine's own failure: retry with a fresh engine
            problem = f"{type(exc).__name__}: {exc}"
            audio = None
            _reset_engine(job.engine)
        if audio is not None:
            problem = check_take(job.tmp, job.spoken, job.settings.rate) or ""
            if not problem:
                analysis = _analyse(job)
                if job.final is None:
                    return JobResult(job, audio, None, attempt, analysis)
                created = time.time()
                return JobResult(job, audio, None, attempt, None, _write_beside(job, audio, analysis, created), created)
        log.debug("take for %s rejected (attempt %d): %s", job.segment_id, attempt, problem)
        if attempt == ATTEMPTS - 1:
            _reset_engine(job.engine)
    return JobResult(job, None, problem, ATTEMPTS)


def _write_beside(job: Job, audio: TakeAudio, analysis: Any, created: float) -> bool:
    """Write the take's metadata and analysis beside its final path; whether the metadata got there.

    The analysis is keyed by the take's size and modification time, which the parent's rename
    keeps. A failure here only moves the work back to the parent (metadata) or the stitch (analysis).
    """
    assert job.final is not None
    try:
        TakeCache.write_meta(job.final, audio, job.spoken, created)
    except OSError as exc:
        log.debug("cannot write the metadata of %s: %s", job.segment_id, exc)
        return False
    if analysis is not None:
        from .loudness import store_analysis_for

        store_analysis_for(job.final, job.tmp, analysis)
    return True


def _analyse(job: Job) -> Any:
    """The take's loudness analysis, here in the worker so it runs beside synthesis on every core.

    Any failure only costs speed: the stitch analyses a take that has no stored analysis.
    """
    if job.analyse_rate is None:
        return None
    try:
        from .loudness import compute_analysis

        return compute_analysis(job.tmp, job.tmp.stat(), job.analyse_rate or None)
    except Exception as exc:  # noqa: BLE001 - the stitch will redo it
        log.debug("analysis of %s in the worker failed: %s", job.segment_id, exc)
        return None


#: What a worker forked by the fork server takes on from the render that asked for it (see ``use_forkserver``).
_Context = tuple[dict[str, str], str, int]  # environment, working folder, umask


def _worker_init(parent: int, context: _Context | None = None) -> None:
    import signal

    # Ctrl-C in a terminal reaches every process of the command's group: the render (or watch) stops its workers
    # itself (``WorkerPool.close``), so a worker ignores it rather than print a traceback of wherever it was. (It
    # starts with it ignored already: see WorkerPool.get; this holds for a worker a fork server made.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Nothing an engine prints may reach narrate's output (pyttsx3 prints "Audio saved to …").
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    if context is not None:  # forked by the fork server, which started with another environment and folder
        _let_the_fork_server_go()
        env, cwd, umask = context
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        os.umask(umask)
    logging.basicConfig(level=logging.WARNING)
    _die_with(parent, forked=context is not None)


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int, forked: bool = False) -> None:
    """End this worker when ``parent`` dies, however it dies. Killed with -9, it cannot close the pool, and
    an idle worker waits on the pool's queue for ever (it holds the queue's other end), keeping the stdout
    and stderr it inherited open: whoever reads them (a pipe into a script) would wait too.

    ``forked``: this worker's parent is the fork server, which exits when ``parent`` (the process that
    started it) does, however that dies."""
    import signal
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if forked:
        try:
            os.kill(parent, 0)
        except ProcessLookupError:  # gone already
            os._exit(1)
        except OSError:
            pass
    elif os.getppid() != parent:  # it died before that took hold
        os._exit(1)


def _let_the_fork_server_go() -> None:
    """Close this forked worker's copy of the pipe that keeps the fork server running (multiprocessing hands every
    child the write end, for pools of its own: a worker starts none). Otherwise, when the process that started the
    fork server is killed, its idle workers keep the fork server up and it keeps them (they die with it): both live on."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(fd, int):
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


#: Modules a fork server imports once, so that the workers it forks start with them (see ``use_forkserver``).
_PRELOAD = ["pyttsx3", "narrate.synth", "narrate.loudness", "narrate.stitch", "narrate.splice", "narrate.profiles",
            "narrate.engines.pyttsx3_engine", "narrate.engines.espeak_ng"]
_forkserver = False


def use_forkserver() -> bool:
    """Start this process's worker pools from a fork server (Linux), for a process that starts pools again and again:
    the narrate server, one pool per command. A spawned worker was ready for its first take 0.26 s after its pool
    started, a forked one 0.05 s (measured here: a fresh interpreter importing numpy, narrate and the engine, against
    a fork of one that has imported them). The fork server imports no engine (pyttsx3 hangs in a forked process
    that has started one): each worker starts its own. Each takes on its render's environment, folder and umask,
    as a spawned one inherits them. Whether the fork server runs."""
    global _forkserver
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOAD)
    with single_threaded_blas():  # (numpy loads its BLAS in the fork server: one thread, as in a spawned worker)
        forkserver.ensure_running()
    _forkserver = True
    return True


def engine_version(name: str) -> str:
    return _engine(name).version()


def engine_voices(name: str) -> list[VoiceInfo]:
    """The voices the engine ``name`` has installed (its instance in this process)."""
    return _engine(name).list_voices()


# ---------------------------------------------------------------- the pool


class WorkerPool:
    """Worker processes shared by a render's synthesis and its limiting, started on first use.

    ``start()`` spawns them early (say, while the parent plans), so their interpreter start and
    imports overlap the parent's work instead of delaying the first take.
    """

    def __init__(self, workers: int) -> None:
        #: How many take at once: the worker processes and this one, which synthesizes and masters its share
        #: too (a process of its own cost ~0.25 s of CPU to start, on a machine busy planning and starting).
        self.workers = workers
        self.processes = max(1, workers - 1)
        self._pool: cf.ProcessPoolExecutor | None = None

    def get(self, warm: tuple[Path, str] | None = None) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("forkserver" if _forkserver else "spawn")
            # Processes are spawned on submit: the BLAS setting must hold while they start, and so must SIGINT's being
            # ignored (a process started with it ignored keeps it so from its first instruction: a Ctrl-C while a
            # worker still imported killed it, and the render reported a dead worker; see _worker_init).
            with single_threaded_blas(), _sigint_ignored():
                context = None
                if _forkserver:
                    umask = os.umask(0)
                    os.umask(umask)
                    context = (dict(os.environ), os.getcwd(), umask)
                self._pool = cf.ProcessPoolExecutor(max_workers=self.processes, mp_context=ctx, initializer=_worker_init,
                                                  initargs=(os.getpid(), context))
                for _ in range(self.processes):
                    self._pool.submit(_warm_up, warm)
        return self._pool

    @property
    def started(self) -> bool:
        """Whether the worker processes are running (or starting) already."""
        return self._pool is not None

    def start(self, warm: tuple[Path, str] | None = None) -> None:
        """Spawn the workers now; ``warm`` (script folder, voice name): each also starts that voice's
        engine while the parent plans (70 ms of a worker's first take, on the critical path)."""
        if self.workers > 1:
            self.get(warm)

    def close(self) -> None:
        """Stop the workers. Idle workers are terminated rather than asked to exit: an orderly exit
        (each interpreter tearing down numpy and its engine) kept a finished render waiting 0.14 s."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in processes:
                with contextlib.suppress(Exception):
                    proc.terminate()
            pool.shutdown(wait=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _warm_up(warm: tuple[Path, str] | None = None) -> None:
    """In a fresh worker: the imports every take needs (numpy and the analysis), and the engine of
    the voice the render will most likely use. A guess: any failure is left to the real jobs."""
    from . import loudness  # noqa: F401

    if warm is not None:
        with contextlib.suppress(Exception):
            from .profiles import list_profiles

            profile = list_profiles(warm[0]).get(warm[1])
            if profile is not None:
                _engine(profile.engine)


def synthesize_all(
    jobs: Sequence[Job],
    workers: int,
    on_result: Callable[[JobResult], None],
    pool: WorkerPool | None = None,
) -> None:
    """Run every job, calling ``on_result`` in the parent as each finishes (any order).

    A job whose take fails every check raises SynthesisError naming the segment
    once the others are done, so their takes are kept. ``pool`` (of ``workers``
    processes) is used and left running for the caller; without it one is made.
    """
    failures: list[JobResult] = []

    def handle(res: JobResult) -> None:
        if res.audio is None:
            failures.append(res)
        else:
            on_result(res)

    # Longest first keeps both cores busy to the end.
    ordered = sorted(jobs, key=lambda j: -len(j.spoken))
    if workers <= 1 or len(ordered) < 4:
        with _quiet_stdout():
            for job in ordered:
                handle(run_job(job))
    else:
        with contextlib.ExitStack() as stack:
            if pool is None:
                pool = stack.enter_context(WorkerPool(workers))
            _share(ordered, pool, handle)
    if failures:
        first = failures[0]
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise SynthesisError(
            f"segment {first.job.segment_id}: no usable take after {first.attempts} tries: {first.error}{more}; "
            f"try 'narrate regen SCRIPT {first.job.segment_id}' or another voice"
        )


def _share(ordered: Sequence[Job], pool: WorkerPool, handle: Callable[[JobResult], None]) -> None:
    """Run ``ordered`` (longest first) on the pool's processes and in this one at once.

    The worker processes are kept two jobs ahead from the long end; this process synthesizes from
    the short end (it also commits every take), handling finished jobs between its own, and waits
    once nothing is left to start.
    """
    executor = pool.get()
    pending = collections.deque(ordered)
    running: set[cf.Future[JobResult]] = set()

    def feed() -> None:
        while pending and len(running) < 2 * pool.processes:
            running.add(executor.submit(run_job, pending.popleft()))

    def collect(timeout: float | None) -> None:
        done, _ = cf.wait(running, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        for fut in done:
            running.discard(fut)
            handle(fut.result())

    try:
        feed()
        while pending:
            job = pending.pop()
            with _quiet_stdout():
                result = run_job(job)
            handle(result)
            collect(0)
            feed()
        while running:
            collect(None)
    except cf.process.BrokenProcessPool:
        raise SynthesisError(
            "a synthesis worker died (out of memory, or the engine crashed); finished takes are kept, run the render again or use --jobs 1"
        ) from None
    except BaseException:
        for f in running:
            f.cancel()
        raise


#: Environment variables that set how many threads numpy's BLAS starts.
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_threaded_blas():  # type: ignore[no-untyped-def]
    """Workers spawned inside use one BLAS thread each (they inherit the environment).

    The workers analyse takes with matrix products; with one process per core already, extra BLAS
    threads only compete with the engines (OpenBLAS threads spin while idle): synthesis took twice
    as long with them.
    """
    saved = {k: os.environ.get(k) for k in _BLAS_THREADS}
    for k in _BLAS_THREADS:
        os.environ[k] = "1"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _sigint_ignored():  # type: ignore[no-untyped-def]
    """SIGINT ignored in this process for the block (from the main thread only; elsewhere a no-op)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:  # (None: a handler installed outside Python, which cannot be put back; the default then)
        signal.signal(signal.SIGINT, signal.SIG_DFL if saved is None else saved)


@contextlib.contextmanager
def _quiet_stdout():  # type: ignore[no-untyped-def]
    """Silence fd 1 while an engine runs in this process (its prints are not ours)."""
    import sys

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    try:
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def now() -> float:
    return time.time()
