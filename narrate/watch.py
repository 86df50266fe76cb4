"""Render a script again each time it (or a profile or lexicon it uses) is saved.

A producer edits a sentence, saves, and hears it: ``narrate watch`` keeps one process running, so
a re-render pays for no interpreter start, no imports, no engine start, and none of the reads a
fresh process makes of the take cache (take metadata, analyses and the last render's record stay
in memory while their files are unchanged). The worker processes stay up between renders too.

What to render again is decided by a fingerprint of the inputs (inode, size and modification time
of the script, the profiles in every voices folder and the lexicons they name): a wake-up that
changes none of them renders nothing. Wake-ups come from inotify on Linux (a save is noticed at
once) and otherwise from polling. A render that fails (a typo in a directive, a half-saved file)
is reported and the watch goes on.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import struct
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import atomic, later
from .errors import InputError, NarrateError
from .filememo import Signature, signature
from .lexicon import project_lexicon_path
from .render import RenderOptions, RenderResult, default_jobs, render
from .synth import WorkerPool

#: Seconds between checks of the inputs where nothing tells us of a change (no inotify, or a
#: watched folder that does not exist yet); with inotify, also the longest a missed event goes unseen.
POLL_S = 0.5


@dataclass(frozen=True)
class Outcome:
    """One render of a watch: its result, or the error that stopped it."""

    result: RenderResult | None
    error: NarrateError | None
    started: float  # time.time() when the change was noticed


def input_files(script: Path) -> list[Path]:
    """Every file a render of ``script`` reads besides the take cache: the script, each profile
    file in the voices folders, the lexicons the profiles name, the project lexicon."""
    from .profiles import list_profiles, voices_dirs

    script = Path(script)
    folder = script.resolve().parent
    files = [script, project_lexicon_path(folder)]
    for d in voices_dirs(folder):
        with contextlib.suppress(OSError):
            files += sorted(d.glob("*.toml"))
    with contextlib.suppress(NarrateError, OSError):
        for profile in list_profiles(folder).values():
            files += list(profile.lexicons)
    return files


Fingerprint = tuple[tuple[str, Signature | None], ...]


def fingerprint(files: Sequence[Path]) -> Fingerprint:
    """What tells one state of ``files`` from another: inode, size and modification time of each."""
    return tuple((str(f), signature(f)) for f in files)


def folders_to_watch(files: Sequence[Path]) -> list[Path]:
    folders: list[Path] = []
    for f in files:
        parent = Path(os.path.abspath(f)).parent
        if parent not in folders:
            folders.append(parent)
    return folders


class Waker:
    """Wakes the watch when something in a set of folders may have changed.

    inotify (Linux) reports files created, written, closed after writing, moved, deleted or changed
    in their attributes; elsewhere, or for a folder that cannot be watched, ``wait`` simply times
    out. The caller checks the fingerprint either way, so a spurious wake-up costs nothing; and
    ``writing`` names the files being written (modified or created, not yet closed or moved away),
    so that a file caught half-saved is not rendered.
    """

    _DONE = 0x8 | 0x40 | 0x80 | 0x200  # CLOSE_WRITE MOVED_FROM MOVED_TO DELETE: a writer is finished with it
    _BUSY = 0x2 | 0x100  # MODIFY CREATE: a writer is at it
    _MASK = _DONE | _BUSY | 0x4  # and ATTRIB
    _EVENT = struct.Struct("iIII")

    def __init__(self, folders: Sequence[Path]) -> None:
        self.fd = -1
        self.watched: dict[int, Path] = {}
        self.writing: set[Path] = set()
        if not sys.platform.startswith("linux"):
            return
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            self._add = libc.inotify_add_watch
            self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
            self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, AttributeError):
            self.fd = -1
        self.add(folders)

    def add(self, folders: Sequence[Path]) -> None:
        """Watch these folders too (those that exist; a missing one is left to polling)."""
        if self.fd < 0:
            return
        for folder in folders:
            if folder not in self.watched.values() and folder.is_dir():
                wd = self._add(self.fd, os.fsencode(folder), self._MASK)
                if wd >= 0:
                    self.watched[wd] = folder

    def busy(self, files: Sequence[Path]) -> bool:
        """Whether any of ``files`` is being written, as the events drained so far show."""
        return bool({Path(os.path.abspath(f)) for f in files} & self.writing)

    @property
    def complete(self) -> bool:
        return self.fd >= 0

    def wait(self, timeout: float) -> None:
        """Return on a change in a watched folder, or after ``timeout`` seconds."""
        if self.fd < 0:
            time.sleep(timeout)
            return
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            self.drain()

    def drain(self) -> None:
        """Read the events so far, keeping track of the files being written."""
        if self.fd < 0:
            return
        while True:
            try:
                data = os.read(self.fd, 65536)
            except (BlockingIOError, OSError):
                return
            if not data:
                return
            at = 0
            while at + self._EVENT.size <= len(data):
                wd, mask, _cookie, size = self._EVENT.unpack_from(data, at)
                raw = data[at + self._EVENT.size : at + self._EVENT.size + size].rstrip(b"\0")
                at += self._EVENT.size + size
                folder = self.watched.get(wd)
                if folder is None or not raw:
                    continue
                path = folder / os.fsdecode(raw)
                if mask & self._DONE:
                    self.writing.discard(path)
                elif mask & self._BUSY:
                    self.writing.add(path)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


#: Longest a file may stay "being written" before it is rendered anyway (a writer that keeps it open).
WRITING_MAX_S = 2.0


def watch(
    script: Path,
    options: RenderOptions,
    on_render: Callable[[Outcome], None],
    should_stop: Callable[[], bool] = lambda: False,
    poll_s: float = POLL_S,
) -> int:
    """Render ``script`` now and after every change to its inputs, until ``should_stop()`` or Ctrl-C.

    ``on_render`` hears of every render (a failed one too). Returns how many renders ran.
    """
    script = Path(script)
    if not script.is_file():  # at the start, a missing script is a mistake, not an editor's save in progress
        raise InputError(f"script {script} not found" if not script.exists() else f"script {script} is not a file")
    atomic.free_in_thread = True  # this process outlives each render: free replaced tracks in a thread
    renders = 0
    with WorkerPool(options.jobs or default_jobs()) as pool, contextlib.closing(Waker([])) as waker:
        last: object = None
        seen_at = 0.0
        while not should_stop():
            files = input_files(script)
            waker.add(folders_to_watch(files))
            now = fingerprint(files)
            if now != last:
                if not _settled(waker, files, now, poll_s):
                    seen_at = seen_at or time.monotonic()
                    if time.monotonic() - seen_at < WRITING_MAX_S:
                        continue
                seen_at = 0.0
                last = now
                started = time.time()
                with later.collecting() as pending:
                    try:
                        try:
                            result = render(script, options, pool=pool)
                            outcome = Outcome(result, None, started)
                        except NarrateError as exc:
                            if _changing(waker, files, now):  # saved again, or still being saved: that save is the one to report on
                                last = None
                                continue
                            outcome = Outcome(None, exc, started)
                        renders += 1
                        on_render(outcome)
                    finally:
                        pending.run()  # the render's bookkeeping (narrate.later), once its line is out
                # Events of the render's own writes (the track beside the script, its bookkeeping) wake nothing worth a look.
                waker.drain()
                continue  # an input saved during the render is seen by the next fingerprint
            waker.wait(poll_s)
    return renders


#: After a failed render, how long the inputs must stay as they were before the failure is reported.
FAILED_SETTLE_S = 0.25


def _changing(waker: Waker, files: Sequence[Path], now: Fingerprint, wait_s: float = FAILED_SETTLE_S) -> bool:
    """After a failed render: whether the inputs changed since ``now``, or are being written, within ``wait_s``.

    A save that truncates the file and then writes it was caught in between although inotify was on (the bench
    saw an empty script rendered, twice in all its runs): the truncation's inotify event is queued only once the
    truncation returns, and ext4 most likely stalled inside it after the file already read as empty. So an input left
    empty waits longer (``WRITING_MAX_S``): emptying a file is how a save in place begins. A broken save stays
    broken and is reported; a half-done one is finished within the wait, or shows a writer at it.
    """
    if any(sig is not None and sig[1] == 0 for _, sig in now):  # (inode, size, mtime): an empty input
        wait_s = max(wait_s, WRITING_MAX_S)
    deadline = time.monotonic() + wait_s
    while fingerprint(files) == now:
        if waker.busy(files):
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        waker.wait(min(left, 0.05))
    return True


def _settled(waker: Waker, files: Sequence[Path], now: Fingerprint, poll_s: float) -> bool:
    """Whether the changed inputs are whole: no input still being written (inotify), or, without
    inotify, the same fingerprint a moment later. Waits a little (for the writer) when not."""
    if waker.complete:
        # Events are queued by the write that causes them: one that began before the fingerprint was taken is here now.
        waker.drain()
        if not waker.busy(files):
            return True
        waker.wait(min(poll_s, 0.05))
        return False
    time.sleep(min(poll_s, 0.1))
    return fingerprint(files) == now
