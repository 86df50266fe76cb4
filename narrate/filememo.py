"""Results of reading a file, kept while the file is unchanged: for a process that renders again.

``narrate watch`` renders in one long-running process; without this every render parsed every
voice profile and lexicon (TOML) again, ~10 ms each time. A result is kept per file and reused while
the file has the same inode, size and modification time (a save through a new file changes the
inode, an edit in place the size or time). A file that cannot be stat'ed is read each time, so its
errors are reported as before.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


Signature = tuple[int, int, int]


def stat_signature(st: os.stat_result) -> Signature:
    """What tells a file (or folder) apart from an earlier state of it: inode, size, modification time."""
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def signature(path: Path | str) -> Signature | None:
    """``stat_signature`` of ``path`` (None if it cannot be stat'ed)."""
    try:
        return stat_signature(os.stat(path))
    except OSError:
        return None


def by_file(read: Callable[[Path], T]) -> Callable[[Path], T]:
    """``read(path)``, memoized per file while its signature holds. Results are shared: keep them immutable."""
    seen: dict[str, tuple[Signature, T]] = {}

    @functools.wraps(read)
    def cached(path: Path) -> T:
        name = os.path.abspath(path)
        sig = signature(name)
        if sig is None:
            return read(path)
        hit = seen.get(name)
        if hit is not None and hit[0] == sig:
            return hit[1]
        value = read(path)
        seen[name] = (sig, value)
        return value

    cached.cache_clear = seen.clear  # type: ignore[attr-defined]
    return cached
