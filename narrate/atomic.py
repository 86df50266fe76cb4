"""Atomic file writes: a temp file beside the target, then a rename — readers see old or new, never a part."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


#: Replaced files at least this large are freed in the background (see ``replace_freeing_later``).
FREE_LATER_BYTES = 16 << 20


@contextlib.contextmanager
def replacing(path: Path, suffix: str = ".tmp", free_later: bool = False) -> Iterator[Path]:
    """A temp path beside ``path`` that replaces it when the block succeeds and is removed on any error.

    ``free_later``: a large file replaced is freed by a detached process (``replace_freeing_later``).
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        if free_later:
            replace_freeing_later(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_freeing_later(tmp: Path, path: Path) -> None:
    """``os.replace(tmp, path)``, leaving the freeing of the old ``path`` to a detached process.

    Freeing a file's blocks is synchronous, and on file systems that discard freed blocks (ext4
    mounted with ``discard``, common on virtual machines and SSDs) replacing a 100-250 MB track
    took 0.02-0.5 s here: most of a re-render. So the old file is first linked to a hidden name
    beside it (``.NAME.XXXX.old``), the replace then frees nothing, and a detached grandchild
    process unlinks the hidden name while the command returns. It also sweeps such names a killed
    run left. Where there is no fork or no hard link, or the old file is small, a plain replace.
    """
    old: list[Path] = []
    try:
        big = os.stat(path).st_size >= FREE_LATER_BYTES
    except OSError:
        big = False
    if big and hasattr(os, "fork"):
        stash = path.with_name(f".{path.name}.{os.urandom(4).hex()}.old")
        try:
            os.link(path, stash)
            old.append(stash)
        except OSError:
            pass
    os.replace(tmp, path)
    if old:
        old += [p for p in path.parent.glob(f".{glob.escape(path.name)}.*.old") if p != old[0]]
        _unlink_detached(old)


def _unlink_detached(paths: list[Path]) -> None:
    """Unlink ``paths`` in a grandchild process nobody waits for (the child exits at once and is reaped)."""
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid < 0:
        for p in paths:
            with contextlib.suppress(OSError):
                p.unlink()
        return
    if pid == 0:  # the child: only system calls and os._exit from here (a copy of a threaded process)
        try:
            if os.fork() == 0:
                for p in paths:
                    with contextlib.suppress(BaseException):
                        os.unlink(p)
        finally:
            os._exit(0)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


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
