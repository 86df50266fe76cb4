"""Writing a WAV take by take at its offset: copied from the last render, or mastered on worker processes.

Real espeak-ng takes; every spliced or parallel track is compared byte for byte with one mastered
from scratch in one process.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import data_and_tags, espeak_takes, require_tool, wav_int16
from narrate import splice
from narrate.stitch import MasterOptions, Placement, master_track
from narrate.synth import WorkerPool

TEXTS = [
    "The council voted on Tuesday to approve the new budget.",
    "It includes funding for twelve schools and two clinics.",
    "Critics say the plan arrives too late for this winter.",
    "The mayor said work would begin in the spring.",
    "Residents will be able to comment until the end of the month.",
]


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return espeak_takes(tmp_path_factory.mktemp("splice-takes"), TEXTS)


def plan(takes: list[Path], pause: float = 0.4) -> list[Placement]:
    return [Placement(f"s{i}", t, pause + 0.1 * (i % 3), text=f"Segment {i}.") for i, t in enumerate(takes)]


class Spy:
    """Counts the takes mastered (not copied) through splice.write_group."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.mastered = 0
        real = splice.write_group

        def counting(tmp, rate, gain, threshold, items, at=splice.HEADER_BYTES):  # type: ignore[no-untyped-def]
            self.mastered += len(items)
            return real(tmp, rate, gain, threshold, items, at)

        monkeypatch.setattr(splice, "write_group", counting)


def read(path: Path) -> np.ndarray:
    return wav_int16(path)[0].astype(np.float64)


def cut(cue) -> slice:  # type: ignore[no-untyped-def]
    return slice(round(cue.start_s * 22050), round(cue.end_s * 22050))


def fresh(pl: list[Placement], path: Path) -> bytes:
    master_track(pl, path, MasterOptions(subtitles=False))
    return path.read_bytes()


def test_rerender_copies_unchanged_takes(takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "render.master"
    out = tmp_path / "track.wav"
    opts = MasterOptions(subtitles=False, record=record)
    many = takes * 4  # a 20-segment script: one edit moves its loudness by far less than 0.1 LU
    first = master_track(plan(many), out, opts)
    assert record.exists()
    spy = Spy(monkeypatch)
    # New pauses move every take: all copied, none mastered, and the track is the one made from scratch.
    moved = plan(many, pause=0.9)
    again = master_track(moved, out, opts)
    assert spy.mastered == 0
    assert again.gain_db == first.gain_db
    assert out.read_bytes() == fresh(moved, tmp_path / "scratch.wav")
    # One take replaced by a new one: exactly that one is mastered; all the others are copied.
    other = tmp_path / "other.wav"
    subprocess.run([require_tool("espeak-ng"), "-w", str(other), "Critics say the plan comes too late."], check=True)
    edited = plan(many[:7] + [other] + many[8:], pause=0.9)
    before = read(out)
    spy.mastered = 0
    third = master_track(edited, out, opts)
    assert spy.mastered == 1
    # The last render's gain is kept (the track is still within 0.1 LU of its target), so every
    # unchanged take is the very same samples, only moved.
    assert third.gain_db == first.gain_db
    assert third.loudness_lufs is not None and abs(third.loudness_lufs - (-16.0)) <= 0.15
    after = read(out)
    for old, new in zip(again.cues, third.cues):
        a, b = after[cut(new)], before[cut(old)]
        if new.segment_id != "s7":
            assert np.array_equal(a, b)
    # And the new take is mastered as a render from scratch masters it (up to the gain it picks).
    scratch = master_track(edited, tmp_path / "scratch2.wav", MasterOptions(subtitles=False))
    ref = read(tmp_path / "scratch2.wav")[cut(scratch.cues[7])]
    mine = after[cut(third.cues[7])]
    assert mine.size == ref.size and np.corrcoef(mine, ref)[0, 1] > 0.999


def test_record_is_not_trusted_for_a_changed_output(takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "render.master"
    out = tmp_path / "track.wav"
    opts = MasterOptions(subtitles=False, record=record)
    master_track(plan(takes), out, opts)
    # Someone else rewrote the output (same size, other bytes): nothing may be copied from it.
    data = bytearray(out.read_bytes())
    data[200:4000] = bytes(3800)
    out.write_bytes(bytes(data))
    spy = Spy(monkeypatch)
    master_track(plan(takes), out, opts)
    assert spy.mastered == len(takes)
    assert out.read_bytes() == fresh(plan(takes), tmp_path / "scratch.wav")
    # A damaged record: ignored, the track still right.
    record.write_bytes(record.read_bytes()[:-12])
    assert splice.load(record) is None
    spy.mastered = 0
    master_track(plan(takes), out, opts)
    assert spy.mastered == len(takes)
    assert out.read_bytes() == (tmp_path / "scratch.wav").read_bytes()
    # The record is good again; another ceiling (another preset) is another track: not copied.
    spy.mastered = 0
    master_track(plan(takes), out, opts)
    assert spy.mastered == 0
    master_track(plan(takes), out, MasterOptions(subtitles=False, record=record, true_peak_dbtp=-3.0))
    assert spy.mastered == len(takes)


def test_an_unchanged_track_is_left_as_it_is(takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A render that would write the very same WAV leaves the file alone (inode, bytes, modification time),
    and reports what the file measures; any difference in takes, offsets, tags or the file itself rewrites it."""
    record = tmp_path / "render.master"
    out = tmp_path / "track.wav"
    opts = MasterOptions(subtitles=False, record=record, title="Briefing")
    first = master_track(plan(takes), out, opts)
    st = out.stat()
    data = out.read_bytes()
    copies = []
    real_copy = splice.copy_range
    monkeypatch.setattr(splice, "copy_range", lambda *a: copies.append(a) or real_copy(*a))
    spy = Spy(monkeypatch)
    again = master_track(plan(takes), out, opts)
    after = out.stat()
    assert (after.st_ino, after.st_mtime_ns) == (st.st_ino, st.st_mtime_ns)
    assert out.read_bytes() == data and spy.mastered == 0 and not copies
    assert (again.duration_s, again.loudness_lufs, again.true_peak_dbtp, again.gain_db) == (
        first.duration_s, first.loudness_lufs, first.true_peak_dbtp, first.gain_db)
    assert [(c.segment_id, c.start_s, c.end_s) for c in again.cues] == [(c.segment_id, c.start_s, c.end_s) for c in first.cues]

    def rewritten(placements: list[Placement], options: MasterOptions) -> bool:
        before = out.stat()
        master_track(placements, out, options)
        now = out.stat()
        return (now.st_ino, now.st_mtime_ns) != (before.st_ino, before.st_mtime_ns)

    # Another title is another tag chunk; other pauses move the takes; one take fewer leaves a gap.
    assert rewritten(plan(takes), MasterOptions(subtitles=False, record=record, title="Evening briefing"))
    assert out.read_bytes() == fresh_with(plan(takes), tmp_path / "scratch.wav", title="Evening briefing")
    assert not rewritten(plan(takes), MasterOptions(subtitles=False, record=record, title="Evening briefing"))
    assert rewritten(plan(takes, pause=0.7), MasterOptions(subtitles=False, record=record, title="Evening briefing"))
    shorter = plan(takes, pause=0.7)
    shorter[2] = Placement("s2", None, shorter[2].pause_after_s)
    assert rewritten(shorter, MasterOptions(subtitles=False, record=record, title="Evening briefing"))
    assert out.read_bytes() == fresh_with(shorter, tmp_path / "scratch2.wav", title="Evening briefing")
    # The same size and time but other bytes in the file (a tool that keeps the mtime): the header check
    # catches a changed header; the record's signature catches any write that moves the mtime.
    raw = bytearray(out.read_bytes())
    raw[24:28] = (8000).to_bytes(4, "little")  # another sample rate in the header
    st = out.stat()
    out.write_bytes(bytes(raw))
    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    master_track(shorter, out, MasterOptions(subtitles=False, record=record, title="Evening briefing"))
    assert out.read_bytes() == (tmp_path / "scratch2.wav").read_bytes()


def fresh_with(pl: list[Placement], path: Path, title: str) -> bytes:
    master_track(pl, path, MasterOptions(subtitles=False, title=title))
    return path.read_bytes()


def test_parallel_write_equals_one_process(takes: list[Path], tmp_path: Path) -> None:
    many = plan(takes * 4)  # 20 takes: enough to go to the workers
    serial = fresh(many, tmp_path / "serial.wav")
    with WorkerPool(2) as pool:
        pool.start()
        result = master_track(many, tmp_path / "parallel.wav", MasterOptions(subtitles=False), pool=pool)
        assert pool._pool is not None  # the workers did run
    assert (tmp_path / "parallel.wav").read_bytes() == serial
    assert result.limited_takes > 0  # the limiter ran in the workers too


def test_a_worker_dying_mid_write_leaves_a_right_track_and_an_honest_progress(takes: list[Path], tmp_path: Path) -> None:
    import concurrent.futures as cf

    class DeadPool:
        """A started pool whose worker died: each group handed to it fails as a broken pool does."""

        workers, started = 2, True

        def get(self) -> DeadPool:
            return self

        def submit(self, *args: object) -> cf.Future[object]:
            fut: cf.Future[object] = cf.Future()
            fut.set_exception(cf.process.BrokenProcessPool("a worker died"))
            return fut

    many = plan(takes * 4)
    serial = fresh(many, tmp_path / "serial.wav")
    seen: list[tuple[int, int]] = []
    master_track(many, tmp_path / "broken.wav", MasterOptions(subtitles=False), on_progress=lambda d, t: seen.append((d, t)),
                 pool=DeadPool())  # type: ignore[arg-type]
    assert (tmp_path / "broken.wav").read_bytes() == serial
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)


def test_a_wav_over_4_gb_is_refused_in_one_line(tmp_path: Path) -> None:
    from narrate.errors import OutputError

    with pytest.raises(OutputError, match="too long for a WAV") as err:
        splice.create(tmp_path / "long.wav", 22050, 2**31, b"")  # 27 hours
    assert "\n" not in err.value.message
    assert not (tmp_path / "long.wav").exists()


def test_takes_in_the_same_order_are_copied_in_one_piece_and_a_noisy_spare_makes_no_difference(
        takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Takes that follow one another in the last track and in the new one, the same distance apart, are one copy
    (the pause between them comes along). Each track goes into the spare the render before last left, first filled
    with noise; every one is byte for byte the track a render from scratch writes into a new file."""
    from narrate import atomic

    monkeypatch.setattr(atomic, "LARGE_BYTES", 1)
    record, out, spare = tmp_path / "render.master", tmp_path / "track.wav", tmp_path / "render.spare"
    opts = MasterOptions(subtitles=False, record=record, spare=spare)
    many = takes * 4  # each take four times: the record knows the last of each

    def even(order: list[Path]) -> list[Placement]:
        return [Placement(f"s{i}", t, 0.5, text=f"Segment {i}.") for i, t in enumerate(order)]

    master_track(even(many), out, opts)
    copies: list[int] = []
    real_copy = splice.copy_range
    def counting(src: int, dst: int, src_pos: int, dst_pos: int, samples: int) -> None:
        copies.append(samples)
        real_copy(src, dst, src_pos, dst_pos, samples)

    monkeypatch.setattr(splice, "copy_range", counting)
    spy = Spy(monkeypatch)
    rng = np.random.default_rng(3)
    for order, runs in [(many[10:] + many[:10], 4), (many[::-1], 20), (many[::-1][:15], 3)]:
        if spare.exists():
            spare.write_bytes(rng.integers(0, 256, out.stat().st_size + 50_000, dtype=np.uint8).tobytes())
        copies.clear()
        spy.mastered = 0
        master_track(even(order), out, opts)
        assert len(copies) == runs and spy.mastered == 0
        assert out.read_bytes() == fresh(even(order), tmp_path / "scratch.wav")


def test_a_replica_of_the_track_leaves_the_longer_side_of_each_edit_in_place(
        takes: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real espeak-ng takes. When the spare is an exact copy of the track (atomic.replicate, done by a process that outlives its command)
    a re-render writes its new takes and copies only the takes on the shorter side of the edit: the JUNK chunk before
    the data grows or shrinks by what the edit changed, so the takes after an early edit stay where they are. Each
    track's samples and tags are those the same render writes into a new file, and the `wave` module and ffprobe
    read them.
    A spare changed after it was stamped is not taken for a copy."""
    from narrate import atomic

    monkeypatch.setattr(atomic, "LARGE_BYTES", 1)
    record, out, spare = tmp_path / "render.master", tmp_path / "track.wav", tmp_path / "render.spare"
    opts = MasterOptions(subtitles=False, record=record, spare=spare, title="Briefing")
    # Twenty different takes (a take placed twice is copied from where the record last saw it), and three new ones.
    order = espeak_takes(tmp_path, [f"Point {n}. {TEXTS[n % 5]}" for n in range(20)])
    (tmp_path / "new").mkdir()
    new = espeak_takes(tmp_path / "new", ["Critics object.", "Point 3. The mayor said that the work would begin in the spring.",
                                          "Residents will be able to comment on every part of the plan until the end of the month."])
    # The same renders into a second track, with a record but no spare: every one a new file.
    ref, ref_opts = tmp_path / "ref.wav", MasterOptions(subtitles=False, record=tmp_path / "ref.master", title="Briefing")

    def both() -> None:
        master_track(even(order), out, opts)
        master_track(even(order), ref, ref_opts)

    both()
    copied: list[int] = []
    real_copy = splice.copy_range
    monkeypatch.setattr(splice, "copy_range", lambda *a: copied.append(a[4]) or real_copy(*a))
    spy = Spy(monkeypatch)
    ffprobe = require_tool("ffprobe")

    def rerender(at: int, take: Path) -> float:
        """Replace the take at ``at``: the share of the track's samples copied."""
        order[at] = take
        assert atomic.replicate(out, spare) and spare.read_bytes() == out.read_bytes()
        inode = spare.stat().st_ino
        copied.clear()
        spy.mastered = 0
        master_track(even(order), out, opts)
        assert out.stat().st_ino == inode and spy.mastered == 1
        share = sum(copied) / wav_int16(out)[0].size
        master_track(even(order), ref, ref_opts)
        assert data_and_tags(out) == data_and_tags(ref)
        samples, rate = wav_int16(out)
        probed = subprocess.run([ffprobe, "-v", "error", "-show_entries", "stream=duration_ts", "-of", "csv=p=0", str(out)],
                                capture_output=True, text=True, check=True).stdout
        assert int(probed) == samples.size and rate == 22050
        return share

    head = out.read_bytes()[36:40]
    assert head == b"JUNK"  # (long tracks only; LARGE_BYTES is 1 here)
    assert rerender(2, new[0]) < 0.15  # shorter: the 17 takes after it stay, the 2 before it move
    assert rerender(3, new[1]) < 0.2  # a little longer: the same
    assert rerender(18, new[2]) < 0.1  # near the end: the 18 takes before it stay
    # The spare changed in place after its stamp: its bytes are not trusted, every take is copied.
    order[5] = new[0]
    assert atomic.replicate(out, spare)
    time.sleep(0.05)  # (file times move in clock ticks of a few ms: a write in the same tick keeps the mtime)
    with open(spare, "r+b") as f:
        f.seek(spare.stat().st_size // 2)
        f.write(b"\x7f" * 4096)
    copied.clear()
    master_track(even(order), out, opts)
    assert sum(copied) > 0.8 * wav_int16(out)[0].size
    master_track(even(order), ref, ref_opts)
    assert data_and_tags(out) == data_and_tags(ref)


def even(order: list[Path]) -> list[Placement]:
    return [Placement(f"s{i}", t, 0.5, text=f"Segment {i}.") for i, t in enumerate(order)]
