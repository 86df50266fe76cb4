"""Atomic replacement of large outputs, and file-keyed memos: real files, real renames."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from narrate import atomic
from narrate.filememo import by_file

BIG = atomic.LARGE_BYTES + 4096


def leftovers(folder: Path, *keep: str) -> list[str]:
    """Names beside ``keep`` once the background unlink had time to run."""
    deadline = time.time() + 10
    while True:
        names = sorted(p.name for p in folder.iterdir() if p.name not in keep)
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


linux_only = pytest.mark.skipif(not os.uname().sysname == "Linux", reason="spares need renameat2 and leases (Linux)")


@linux_only
def test_the_replaced_track_is_kept_as_a_spare_and_becomes_the_next_temp_file(tmp_path: Path) -> None:
    out, spare = tmp_path / "track.wav", tmp_path / "cache" / "news.spare"
    spare.parent.mkdir()
    out.write_bytes(b"a" * BIG)
    with atomic.replacing(out, suffix=".part.wav", large=True, spare=spare) as tmp:
        assert tmp.stat().st_size == 0  # no spare yet: a new, empty file
        tmp.write_bytes(b"b" * BIG)
    assert out.read_bytes() == b"b" * BIG and spare.read_bytes() == b"a" * BIG  # the old track, kept
    inode = spare.stat().st_ino
    with atomic.replacing(out, suffix=".part.wav", large=True, spare=spare) as tmp:
        assert tmp.stat().st_ino == inode and tmp.stat().st_size == BIG  # the spare, claimed: the writer overwrites it
        assert not spare.exists() and tmp.parent == out.parent
        with open(tmp, "r+b") as f:
            f.write(b"c" * BIG)
    assert out.stat().st_ino == inode and out.read_bytes() == b"c" * BIG
    assert spare.read_bytes() == b"b" * BIG
    assert leftovers(tmp_path, "track.wav", "cache") == []


@linux_only
@pytest.mark.parametrize("held", ["open", "mapped", "linked"])
def test_a_spare_someone_else_holds_is_never_written_into(tmp_path: Path, held: str) -> None:
    """A player still reading the track the spare once was, a mapping of it, or a hard link the user made:
    the spare's bytes stay as they are, and the render writes a new file."""
    import mmap

    out, spare = tmp_path / "track.wav", tmp_path / "news.spare"
    out.write_bytes(b"a" * BIG)
    spare.write_bytes(b"s" * BIG)
    f = open(spare, "rb")
    mapping = None
    if held == "mapped":
        mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        f.close()
    elif held == "linked":
        f.close()
        os.link(spare, tmp_path / "keep.wav")
    try:
        with atomic.replacing(out, suffix=".part.wav", large=True, spare=spare) as tmp:
            assert tmp.stat().st_size == 0
            tmp.write_bytes(b"b" * BIG)
        assert out.read_bytes() == b"b" * BIG
        if held == "open":
            assert f.read() == b"s" * BIG
        elif held == "mapped":
            assert mapping is not None and mapping[:] == b"s" * BIG
        else:
            assert (tmp_path / "keep.wav").read_bytes() == b"s" * BIG
    finally:
        if mapping is not None:
            mapping.close()
        f.close()
    assert spare.read_bytes() == b"a" * BIG  # the track just replaced is the spare now


@linux_only
def test_a_failed_write_into_a_spare_leaves_the_output_alone(tmp_path: Path) -> None:
    out, spare = tmp_path / "track.wav", tmp_path / "news.spare"
    out.write_bytes(b"a" * BIG)
    spare.write_bytes(b"s" * BIG)
    with pytest.raises(RuntimeError), atomic.replacing(out, suffix=".part.wav", large=True, spare=spare) as tmp:
        with open(tmp, "r+b") as f:
            f.write(b"half")
        raise RuntimeError("the render failed")
    assert out.read_bytes() == b"a" * BIG
    assert leftovers(tmp_path, "track.wav", "news.spare") == []  # the half-written spare went with the temp file
    assert not (tmp_path / "news.spare").exists()


@linux_only
@pytest.mark.parametrize("before", ["none", "free", "open"])
def test_replicate_makes_the_spare_a_stamped_copy_and_a_render_can_tell(tmp_path: Path, before: str) -> None:
    """With no spare, a free one, or one a player still has open (that one keeps its bytes; a new file is made),
    the spare ends up a copy of the track, stamped. A render that claims it knows it holds the track; a change to
    the track or to the copy after the stamp, or a second claim, makes it a plain spare again."""
    out, spare = tmp_path / "track.wav", tmp_path / "cache" / "news.spare"
    spare.parent.mkdir()
    out.write_bytes(os.urandom(BIG))
    f = None
    if before != "none":
        spare.write_bytes(b"s" * (2 * BIG))
        if before == "open":
            f = open(spare, "rb")
    assert atomic.replicate(out, spare)
    assert spare.read_bytes() == out.read_bytes() and atomic.replica_stamp(spare).is_file()
    if f is not None:
        assert f.read() == b"s" * (2 * BIG)
        f.close()
    assert leftovers(spare.parent, "news.spare", "news.replica") == []
    with atomic.replacing(out, suffix=".part.wav", large=True, spare=spare) as tmp:
        assert atomic.take_replica(tmp, out, spare)
        assert not atomic.take_replica(tmp, out, spare)  # the stamp is used up
        with open(tmp, "r+b") as g:
            g.write(b"new")
    # Changed after the stamp: the copy (in place, its size kept), then the track.
    for changed in ("copy", "track"):
        assert atomic.replicate(out, spare)
        time.sleep(0.05)  # (file times move in clock ticks of a few ms: a write in the same tick keeps the mtime)
        with open(spare if changed == "copy" else out, "r+b") as g:
            g.seek(BIG // 2)
            g.write(b"edited")
        with atomic.replacing(out, suffix=".part.wav", large=True, spare=spare) as tmp:
            assert not atomic.take_replica(tmp, out, spare)


@linux_only
def test_a_copy_cut_short_is_never_taken_for_a_replica(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, spare = tmp_path / "track.wav", tmp_path / "news.spare"
    out.write_bytes(os.urandom(BIG))
    spare.write_bytes(b"s" * BIG)

    def full_disk(src: int, dst: int, count: int, src_pos: int, dst_pos: int) -> None:
        os.pwrite(dst, os.pread(src, count // 2, src_pos), dst_pos)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "copy_bytes", full_disk)
    assert not atomic.replicate(out, spare)
    assert not spare.exists() and not atomic.replica_stamp(spare).exists()
    assert leftovers(tmp_path, "track.wav") == []  # the half copy is gone too
