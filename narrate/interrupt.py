"""Ctrl-C in a command's own process: KeyboardInterrupt in the main thread, never inside an engine's C callback.

While an engine synthesizes, the only Python code the main thread runs is the engine's callbacks from C, so
that is where Python's own handler raises KeyboardInterrupt, and ctypes drops an exception raised there: it
printed "Exception ignored on calling ctypes callback function" with a traceback, and the render went on as
if nothing had happened. ``install`` raises it only outside those callbacks; inside one it sends the same
signal again a moment later, which lands once the take's C call has returned. (The narrate server does the
same for the commands it runs: see narrate.server.)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any

#: How long an interruption that landed in a callback waits before it is sent again.
RETRY_S = 0.02


def in_callback(frame: Any) -> bool:
    """Whether ``frame`` runs inside an engine's callback from C (see engines.base.CALLBACK_CODE)."""
    from .engines.base import CALLBACK_CODE

    while frame is not None:
        if frame.f_code in CALLBACK_CODE:
            return True
        frame = frame.f_back
    return False


def install(signals: Iterable[signal.Signals] = (signal.SIGINT,), on_signal: Callable[[], None] | None = None) -> None:
    """From now on ``signals`` raise KeyboardInterrupt in the main thread, outside engine callbacks.

    ``on_signal`` runs first, every time (``narrate watch`` notes that it must stop). Call from the main thread.
    """
    main = threading.main_thread().ident
    assert main is not None

    def handler(signum: int, frame: Any) -> None:
        if on_signal is not None:
            on_signal()
        if in_callback(frame):
            again = threading.Timer(RETRY_S, signal.pthread_kill, (main, signum))
            again.daemon = True
            again.start()
            return
        raise KeyboardInterrupt

    for sig in signals:
        signal.signal(sig, handler)
