"""Atomic replacement of large outputs, and file-keyed memos: real files, real renames."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from narrate import atomic
from narrate.filememo import by_file

BIG = atomic.LARGE_BYTES + 4096


def leftovers(folder: Path, keep: str) -> list[str]:
    """Names beside ``keep`` once the background unlink had time to run."""
    deadline = time.time() + 10
    while True:
        names = sorted(p.name for p in folder.iterdir() if p.name != keep)
        if not names or time.time() > deadline:
            return names
        time.sleep(0.05)


@pytest.mark.parametrize("in_thread", [False, True])
def test_a_large_output_is_swapped_in_whole_and_the_old_one_freed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  in_thread: bool) -> None:
    monkeypatch.setattr(atomic, "free_in_thread", in_thread)
    out = tmp_path / "track.wav"
    out.write_bytes(b"a" * BIG)
    stray = tmp_path / ".track.wav.dead.old"  # what a run killed before its unlink leaves
    stray.write_bytes(b"x")
    reader = open(out, "rb")  # a player holding the old track keeps reading the old track
    try:
        with atomic.replacing(out, suffix=".part.wav", large=True) as tmp:
            tmp.write_bytes(b"b" * (BIG + 2))
            assert out.read_bytes() == b"a" * BIG  # nothing changes before the block succeeds
        assert out.read_bytes() == b"b" * (BIG + 2)
        assert reader.read() == b"a" * BIG
    finally:
        reader.close()
    assert leftovers(tmp_path, "track.wav") == []


def test_a_failed_write_leaves_the_large_output_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "track.wav"
    out.write_bytes(b"a" * BIG)
    with pytest.raises(RuntimeError), atomic.replacing(out, suffix=".part.wav", large=True) as tmp:
        tmp.write_bytes(b"b" * 10)
        raise RuntimeError("the render failed")
    assert out.read_bytes() == b"a" * BIG
    assert leftovers(tmp_path, "track.wav") == []


def test_a_small_or_new_output_is_a_plain_replace(tmp_path: Path) -> None:
    for before in (b"small", None):
        out = tmp_path / f"t{before is None}.wav"
        if before is not None:
            out.write_bytes(before)
        with atomic.replacing(out, large=True) as tmp:
            tmp.write_bytes(b"new")
        assert out.read_bytes() == b"new"
    assert not list(tmp_path.glob(".*"))


def test_a_file_memo_rereads_a_changed_file_and_only_then(tmp_path: Path) -> None:
    reads: list[str] = []

    @by_file
    def read(path: Path) -> str:
        reads.append(path.name)
        return path.read_text(encoding="utf-8")

    f = tmp_path / "profile.toml"
    f.write_text("one", encoding="utf-8")
    assert read(f) == read(f) == "one" and reads == ["profile.toml"]
    st = f.stat()
    f.write_text("two", encoding="utf-8")  # same size: the time (forced on past the clock's tick) tells
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert read(f) == "two" and len(reads) == 2
    tmp = tmp_path / "new.toml"
    tmp.write_text("three", encoding="utf-8")
    os.replace(tmp, f)  # saved through a new file: a new inode
    assert read(f) == "three" and len(reads) == 3
    f.unlink()
    with pytest.raises(FileNotFoundError):  # a file that is gone is read (and fails) every time
        read(f)


@pytest.mark.skipif(not os.uname().sysname == "Linux", reason="renameat2 is Linux's")
def test_the_exchange_swaps_two_names_in_one_step(tmp_path: Path) -> None:
    # (a file system without RENAME_EXCHANGE falls back to a plain replace; tmp and ext4 have it)
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"new")
    b.write_bytes(b"old")
    assert atomic._exchange(a, b)
    assert (a.read_bytes(), b.read_bytes()) == (b"old", b"new")
    assert not atomic._exchange(a, tmp_path / "missing")  # refused, nothing moved
    assert a.read_bytes() == b"old"
