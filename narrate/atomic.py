"""Atomic file writes: a temp file beside the target, then a rename — readers see old or new, never a part."""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

#: Replaced files at least this large are swapped out and freed in the background (see ``replace_large``).
LARGE_BYTES = 16 << 20


@contextlib.contextmanager
def replacing(path: Path, suffix: str = ".tmp", large: bool = False) -> Iterator[Path]:
    """A temp path beside ``path`` that replaces it when the block succeeds and is removed on any error.

    ``large``: the file may be large (a track); see ``replace_large``.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        if large:
            replace_large(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_large(tmp: Path, path: Path) -> None:
    """``os.replace(tmp, path)`` for a large ``path``, without paying for the old file on the way.

    Renaming over an existing 100 MB track cost 110-170 ms here (ext4): the old file's blocks are
    freed inside the rename, and ext4 starts writing the new file back when a rename replaces a
    file (``auto_da_alloc``). Exchanging the two names (``renameat2(RENAME_EXCHANGE)``) is just as
    atomic, since ``path`` holds the old or the new track at every moment, and cost 0.1 ms. The old
    track, now at the temp name, is renamed to ``.NAME.XXXX.old`` and unlinked by a detached
    process, which also sweeps ``.old`` names a killed run left. A plain replace where there is no
    ``renameat2``, the file system refuses the exchange, or the old file is small or missing.
    """
    try:
        big = os.stat(path).st_size >= LARGE_BYTES
    except OSError:
        big = False
    if not (big and _exchange(tmp, path)):
        os.replace(tmp, path)
        return
    stash = path.with_name(f".{path.name}.{os.urandom(4).hex()}.old")
    try:
        os.rename(tmp, stash)
    except OSError:
        stash = tmp
    old = [stash] + [p for p in path.parent.glob(f".{glob.escape(path.name)}.*.old") if p != stash]
    _unlink_detached(old)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap the names ``a`` and ``b`` (Linux renameat2); False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28, some musl)
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


#: Set by a process that keeps running after a render (``narrate watch``): replaced tracks are then
#: unlinked by a thread of its own, which costs nothing to start (a fork cost 3-10 ms here).
free_in_thread = False


def _unlink_detached(paths: list[Path]) -> None:
    """Unlink ``paths`` in a grandchild process nobody waits for (the child exits at once and is
    reaped, so a long-running process collects no zombies), or a thread (``free_in_thread``).
    Without fork, here and now."""
    if free_in_thread:
        threading.Thread(target=_unlink_all, args=(paths,), name="narrate-free", daemon=True).start()
        return
    pid = -1
    if hasattr(os, "fork"):
        try:
            pid = os.fork()
        except OSError:
            pid = -1
    if pid < 0:
        _unlink_all(paths)
        return
    if pid == 0:  # the child: only system calls and os._exit from here (a copy of a threaded process)
        try:
            if os.fork() == 0:
                _unlink_all(paths)
        finally:  # whatever happens, the copy goes no further
            os._exit(0)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _unlink_all(paths: list[Path]) -> None:
    for p in paths:
        with contextlib.suppress(OSError):
            os.unlink(p)


def write_bytes(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (``durable``: fsync before the rename)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
        if durable:
            f.flush()
            os.fsync(f.fileno())


def write_text(path: Path, text: str, *, durable: bool = False) -> None:
    write_bytes(path, text.encode("utf-8"), durable=durable)
