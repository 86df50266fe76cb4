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
def replacing(path: Path, suffix: str = ".tmp", large: bool = False, spare: Path | None = None) -> Iterator[Path]:
    """A temp path beside ``path`` that replaces it when the block succeeds and is removed on any error.

    ``large``: the file may be large (a track); see ``replace_large``. ``spare`` (with ``large``): where the
    file it replaces is kept, to be this temp file the next time instead of a new one. The temp file then
    already holds an earlier track's bytes (its size says so): the writer must overwrite or zero all of them.
    """
    path = Path(path)
    tmp = (_claim(Path(spare), path, suffix) if spare is not None and large else None) or _new_temp(path, suffix)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        if large:
            replace_large(tmp, path, spare)
        else:
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _new_temp(path: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(name)


# A spare track. Writing a new 100 MB track into a new file cost 40-50 ms here (ext4), into one that exists
# 25 ms: the new file's pages and blocks are allocated as it is written. So the track a render replaces is
# kept (see ``replace_large``) and the next render of the same script writes its track into it. Kept only
# where it is safe to overwrite it in place: a regular file of this user, with no other name (a hard link the
# user made keeps its content), that no process has open, checked with a Linux write lease (a player still
# playing the track it once was). Elsewhere it is dropped as before.


def _claim(spare: Path, path: Path, suffix: str) -> Path | None:
    """The spare, moved to a temp name beside ``path``, when it may be overwritten; else None (it then goes).

    Moved in one step, so two renders never share one spare, and to a name nothing has: a rename over
    an existing file, even an empty one, makes ext4 write the renamed file's dirty pages out at once
    (``auto_da_alloc``: 30-60 ms for a track written a moment ago, measured).
    """
    tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}{suffix}")
    if not _renameat2(spare, tmp, _RENAME_NOREPLACE):  # none kept, on another file system, or no renameat2
        return None
    if _overwritable(tmp):
        return tmp
    _unlink_detached([_stash(tmp, path)])
    return None


def _stash(old: Path, path: Path) -> Path:
    """``old`` (a track ``path`` no longer is) renamed to ``.NAME.XXXX.old``, the name a sweep finds should its
    unlink not happen; ``old`` itself if it cannot be renamed."""
    stash = path.with_name(f".{path.name}.{os.urandom(4).hex()}.old")
    try:
        os.rename(old, stash)
    except OSError:
        return old
    return stash


# A replica. Even written into the spare, a re-render of a 40-minute track spent 25-30 ms copying the 100 MB
# of takes it did not change from the last track. A process that outlives its command (the narrate server,
# narrate watch) therefore makes the spare an exact copy of the track once the command has its answer
# (``replicate``), and stamps it with both files' identities (device, inode, size, modification time).
# The next render that claims the spare and finds the stamp true (``take_replica``) knows the temp file
# already holds the last track: what sits at the same place in both needs no copy (see narrate.splice).


def replica_stamp(spare: Path) -> Path:
    """Where the stamp saying ``spare`` is a copy of a track is kept."""
    return Path(spare).with_suffix(".replica")


def _identity(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def replicate(path: Path, spare: Path) -> bool:
    """Make ``spare`` a byte-for-byte copy of ``path``, stamped; whether it is one now (Linux only).

    The spare is claimed as a render claims it (moved to a temp name, written into only when nobody else
    has it), else a new file is made; it gets its name back only once the copy is whole, and the stamp
    comes last, so a copy cut short (a kill, a full disk) is never taken for a replica.
    """
    import json

    path, spare = Path(path), Path(spare)
    stamp = replica_stamp(spare)
    if not sys.platform.startswith("linux"):
        return False
    try:
        src_st = os.stat(path)
        if _stamped(stamp, os.stat(spare), src_st):
            return True  # (a render that left the track as it was)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        stamp.unlink()
    tmp = spare.with_name(f".{spare.name}.{os.urandom(4).hex()}.tmp")
    claimed = _renameat2(spare, tmp, _RENAME_NOREPLACE)
    if claimed and not _overwritable(tmp):  # someone has it: drop it (its blocks freed elsewhere), make a new one
        _unlink_detached([_stash(tmp, spare)])
        claimed = False
    try:
        src = os.open(path, os.O_RDONLY)
        try:
            before = os.fstat(src)
            flags = os.O_RDWR if claimed else os.O_RDWR | os.O_CREAT | os.O_EXCL
            dst = os.open(tmp, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                copy_bytes(src, dst, before.st_size, 0, 0)
                os.ftruncate(dst, before.st_size)
            finally:
                os.close(dst)
            if _identity(os.fstat(src)) != _identity(before) or _identity(os.stat(path)) != _identity(before):
                raise OSError("the track changed while it was copied")
        finally:
            os.close(src)
        if not _renameat2(tmp, spare, _RENAME_NOREPLACE):
            raise OSError("cannot name the copy")
        write_bytes(stamp, json.dumps({"copy": _identity(os.stat(spare)), "of": _identity(before)}).encode())
        return True
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False


def copy_bytes(src: int, dst: int, count: int, src_pos: int, dst_pos: int) -> None:
    """Copy ``count`` bytes from ``src_pos`` of one open file to ``dst_pos`` of another, in the kernel where it can
    (``copy_file_range``), else through this process."""
    while count > 0:
        try:
            n = os.copy_file_range(src, dst, count, src_pos, dst_pos)
        except (AttributeError, OSError):
            n = 0
        if n <= 0:  # no kernel copy here (or a short file): read and write
            chunk = os.pread(src, min(count, 1 << 22), src_pos)
            if not chunk:
                raise OSError("the file copied from is shorter than expected")
            n = os.pwrite(dst, chunk, dst_pos)
        count, src_pos, dst_pos = count - n, src_pos + n, dst_pos + n


def _stamped(stamp: Path, copy: os.stat_result, of: os.stat_result) -> bool:
    import json

    try:
        doc = json.loads(stamp.read_bytes())
        return bool(doc["copy"] == _identity(copy) and doc["of"] == _identity(of))
    except (OSError, ValueError, TypeError, KeyError):
        return False


def take_replica(tmp: Path, path: Path, spare: Path) -> bool:
    """Whether ``tmp``, the spare a render claimed to replace ``path``, is a stamped copy of ``path`` as it
    is now. The stamp is used up either way: once the render writes into ``tmp`` it is a copy no more."""
    stamp = replica_stamp(spare)
    try:
        return _stamped(stamp, os.stat(tmp), os.stat(path))
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            stamp.unlink()


_F_SETLEASE = 1024  # fcntl.F_SETLEASE (Linux)


def _overwritable(path: Path) -> bool:
    """Whether ``path`` is our own regular file, with one name, that no process has open (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    import fcntl
    import stat

    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_uid != os.geteuid():
            return False
        try:  # granted only when no other open file (or mapping) refers to it
            fcntl.fcntl(fd, _F_SETLEASE, fcntl.F_WRLCK)
        except OSError:
            return False
        fcntl.fcntl(fd, _F_SETLEASE, fcntl.F_UNLCK)
        return True
    finally:
        os.close(fd)


def replace_large(tmp: Path, path: Path, spare: Path | None = None) -> None:
    """``os.replace(tmp, path)`` for a large ``path``, without paying for the old file on the way.

    Renaming over an existing 100 MB track cost 110-170 ms here (ext4): the old file's blocks are
    freed inside the rename, and ext4 starts writing the new file back when a rename replaces a
    file (``auto_da_alloc``). Exchanging the two names (``renameat2(RENAME_EXCHANGE)``) is just as
    atomic, since ``path`` holds the old or the new track at every moment, and cost 0.1 ms. The old
    track, now at the temp name, is renamed to ``.NAME.XXXX.old`` and unlinked by a detached
    process, which also sweeps ``.old`` names a killed run left. A plain replace where there is no
    ``renameat2``, the file system refuses the exchange, or the old file is small or missing.
    ``spare``: where the old track is kept instead (see ``_claim``), when that is a new name on this file system.
    """
    try:
        big = os.stat(path).st_size >= LARGE_BYTES
    except OSError:
        big = False
    if not (big and _exchange(tmp, path)):
        os.replace(tmp, path)
        return
    stash = None if spare is not None and _keep(tmp, spare) else _stash(tmp, path)
    old = [p for p in path.parent.glob(f".{glob.escape(path.name)}.*.old") if p != stash]
    if stash is not None:
        old.insert(0, stash)
    if old:
        _unlink_detached(old)


def _keep(old: Path, spare: Path) -> bool:
    """Move ``old`` to the new name ``spare``; whether that went through (if not, ``old`` is still to drop)."""
    try:
        os.link(old, spare)  # never over another spare (its blocks would be freed here)
        os.unlink(old)
    except OSError:
        return False
    return True


_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap the names ``a`` and ``b`` (Linux renameat2); False where that is not possible."""
    return _renameat2(a, b, _RENAME_EXCHANGE)


def _renameat2(a: Path, b: Path, flags: int) -> bool:
    """Linux renameat2(2) with ``flags``; False where it fails or is missing."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28, some musl)
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), flags) == 0


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
