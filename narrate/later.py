"""Bookkeeping a command may finish after its answer is out.

A render's last steps write what only a later render reads: the record of where each take went in the
track, the take cache's manifest and the normalized sentences; then it releases the script's lock. In a
process of its own they run at once, inside the command, as they always did. A process that outlives
its commands (the narrate server, ``narrate watch``) collects them with ``collecting()`` and runs them
once the command's answer is delivered: the track, its subtitles and its JSON are in place by then, so
the user's command returns that much sooner (6-18 ms of a 0.1 s re-render of a 40-minute track, timed in the
narrate server). The lock is released last, so another render of the same script still waits until they are
done. Work that only speeds up a later render (``when_idle``) is done there and nowhere else.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

_queue: list[Callable[[], object]] | None = None


def defer(task: Callable[[], object]) -> None:
    """Run ``task`` now, or once the command's answer is out when a ``collecting()`` block is open."""
    if _queue is None:
        task()
    else:
        _queue.append(task)


def when_idle(task: Callable[[], object]) -> None:
    """Queue ``task`` like ``defer`` when a ``collecting()`` block is open; otherwise drop it.

    For work that only makes a later command faster (a copy of the track for the next re-render): worth
    doing after the answer in a process that outlives its command, not inside a command that would wait for it.
    """
    if _queue is not None:
        _queue.append(task)


class Pending:
    """Tasks deferred in one ``collecting()`` block, in the order they were deferred."""

    def __init__(self) -> None:
        self.tasks: list[Callable[[], object]] = []

    def run(self) -> None:
        """Run every task, in order; one that fails is logged and the others still run (the last releases a lock)."""
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            try:
                task()
            except Exception as exc:  # the command has answered: nobody to tell but the log
                name = getattr(getattr(task, "func", task), "__qualname__", repr(task))  # (a partial names its function)
                log.warning("after the command, %s failed: %s", name, exc)


@contextlib.contextmanager
def collecting() -> Iterator[Pending]:
    """Within the block ``defer`` queues its tasks on the returned ``Pending``; the caller runs them."""
    global _queue
    pending = Pending()
    outer, _queue = _queue, pending.tasks
    try:
        yield pending
    finally:
        _queue = outer
