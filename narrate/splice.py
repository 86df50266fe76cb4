"""A WAV track written take by take at known offsets: split across processes, or copied from the last render.

Once the layout is known every take's place in the track is known, so the track's temp file is sized
up front (its pauses are the file's zeros) and each take is written at its own offset. That lets
worker processes master disjoint groups of takes at once, and lets a re-render copy, byte for byte,
every take that the last render of the same output already wrote at the same gain: a record of that
render (where each take went, what it measured) is kept in the take cache. The record is trusted only
while the output file is exactly the one it describes (path, size, modification time).

A long track (see ``padding_for``) has a ``JUNK`` chunk, zeros that every WAV reader skips, before its data.
Its size moves where the data starts, so a re-render writing into an exact copy of the last track (a
replica: see ``atomic.replicate``) can leave in place whichever stretch of takes is longer, before or
after an edit that changed the track's length, and copy only the other.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import atomic
from .errors import OutputError
from .filememo import Signature, signature
from .loudness import ANALYSIS_VERSION, TakeAnalysis

log = logging.getLogger(__name__)

#: A plain 16-bit mono header: RIFF, fmt, data. With a JUNK chunk the data starts JUNK_HEAD + its size later.
HEADER_BYTES = 44
JUNK_HEAD = 8
#: The JUNK chunk's size in a long track rendered from scratch: the most a later edit may lengthen the track
#: by and still leave the takes after it in place (1 MiB: 24 s at 22,050 Hz), at most 1/32 of the data.
JUNK_BYTES = 1 << 20
#: The largest JUNK chunk a re-render may leave (edits that shortened the track grow it).
JUNK_MAX = 4 << 20
_MAGIC = b"NRM1"
#: Bump when anything that changes a take's written samples changes.
RECORD_VERSION = 2


@dataclass(frozen=True)
class Written:
    """What writing one take produced: its K-weighted energy per piece (see loudness.piece_len), true
    peak (full scale 1) and unweighted energy, all as written (after limiting and gain)."""

    energies: np.ndarray
    peak: float
    sumsq: float
    limited: bool


def take_identity(take: Path, a: TakeAnalysis) -> tuple[str, int, int, int, int]:
    """What makes a take's prepared samples the same: its file (path, size, mtime) and trim points.

    The path is made absolute, not resolved (a resolve is a stat per path component, per take):
    a cache reached through another symlinked path only costs the copies, never their correctness.
    """
    return (os.path.abspath(take), a.size, a.mtime_ns, a.trim_start, a.trim_end)


# ---------------------------------------------------------------- the positional file


def padding_for(samples: int) -> int | None:
    """The JUNK chunk's size for a track of ``samples`` written from scratch; None (no chunk) for a short one.

    Only tracks as large as those whose replaced file is kept as a spare (``atomic.LARGE_BYTES``): a short
    track is written in milliseconds anyway and keeps the plain 44-byte header.
    """
    data = 2 * samples
    if data < atomic.LARGE_BYTES:
        return None
    return min(JUNK_BYTES, data // 32) & ~1


def data_offset(junk: int | None) -> int:
    """Where the samples start in a track with a JUNK chunk of ``junk`` bytes (None: none)."""
    return HEADER_BYTES if junk is None else HEADER_BYTES + JUNK_HEAD + junk


def junk_at(at: int) -> int | None:
    """The JUNK chunk's size that puts the data at byte ``at`` (inverse of ``data_offset``)."""
    return None if at == HEADER_BYTES else at - HEADER_BYTES - JUNK_HEAD


def valid_offset(at: int) -> bool:
    """Whether a track's data can start at byte ``at``: right after the fmt chunk or after a JUNK chunk of
    an even size up to ``JUNK_MAX``."""
    return at == HEADER_BYTES or (at % 2 == 0 and 0 <= at - HEADER_BYTES - JUNK_HEAD <= JUNK_MAX)


def wav_header(rate: int, samples: int, riff_extra: int = 0, junk: int | None = None) -> bytes:
    """The header of 16-bit mono PCM with ``samples`` samples (``riff_extra``: chunks after the data), with a
    JUNK chunk of ``junk`` zero bytes before the data (None: none, a 44-byte header)."""
    head, data = _header_parts(rate, samples, riff_extra, junk)
    return head if junk is None else head + bytes(junk) + data


def _header_parts(rate: int, samples: int, riff_extra: int, junk: int | None) -> tuple[bytes, bytes]:
    """The header without a JUNK chunk's zeros: what comes before them (44 bytes with the chunk's own header,
    else the whole header) and the data chunk's header after them (empty without a JUNK chunk)."""
    data = 2 * samples
    pad = data % 2
    chunk = 0 if junk is None else JUNK_HEAD + junk
    riff = (b"RIFF" + struct.pack("<I", 36 + chunk + data + pad + riff_extra) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, 2 * rate, 2, 16))
    data_head = b"data" + struct.pack("<I", data)
    if junk is None:
        return riff + data_head, b""
    return riff + b"JUNK" + struct.pack("<I", junk), data_head


def check_size(rate: int, samples: int, extra: int = 0) -> None:
    """An OutputError when a WAV of ``samples`` samples cannot hold them (its sizes are 32-bit)."""
    if 36 + 2 * samples + extra + JUNK_HEAD + JUNK_MAX + 1024 > 0xFFFFFFFF:
        hours = samples / rate / 3600
        raise OutputError(f"a {hours:.1f}-hour track is too long for a WAV file (4 GB at most); "
                          "render to .flac, .mp3 or another format")


def create(tmp: Path, rate: int, samples: int, info: bytes, at: int = HEADER_BYTES) -> int:
    """Size ``tmp`` for the whole track, its data at byte ``at``, with its header and tag chunk.

    ``tmp`` is an empty new file (its samples read as zeros until written) or a spare track being reused
    (see ``atomic.replacing``). Returns how many samples at the start of the data may still hold the
    spare's bytes: the caller writes, zeroes or (in a replica) knowingly keeps every one of them.
    """
    check_size(rate, samples, len(info))
    fd = os.open(tmp, os.O_RDWR)
    try:
        before = os.fstat(fd).st_size
        end = at + 2 * samples
        os.ftruncate(fd, end)
        head, data_head = _header_parts(rate, samples, len(info), junk_at(at))
        os.pwrite(fd, head, 0)
        if data_head:  # a JUNK chunk: its zeros written only where the file held bytes, from a shared buffer
            _zero(fd, len(head), min(at - len(data_head), before))
            os.pwrite(fd, data_head, at - len(data_head))
        if info:
            os.pwrite(fd, info, end)
    finally:
        os.close(fd)
    return max(0, min(samples, -(-(before - at) // 2)))


_ZEROS = bytes(1 << 20)


def zero_gaps(fd: int, written: Iterable[tuple[int, int]], upto: int, at: int = HEADER_BYTES) -> None:
    """Zero the samples in ``[0, upto)`` of the track open as ``fd`` (data at byte ``at``) that no
    (offset, length) of ``written`` covers."""
    pos = 0
    for offset, length in sorted(written):
        if pos >= upto:
            return
        if offset > pos:
            _zero(fd, at + 2 * pos, at + 2 * min(offset, upto))
        pos = max(pos, offset + length)
    if pos < upto:
        _zero(fd, at + 2 * pos, at + 2 * upto)


def _zero(fd: int, start: int, end: int) -> None:
    while start < end:
        start += os.pwrite(fd, memoryview(_ZEROS)[: min(len(_ZEROS), end - start)], start)


def write_at(fd: int, offset: int, pcm: bytes | bytearray, at: int = HEADER_BYTES) -> None:
    """Write ``pcm`` at sample ``offset`` of the track open as ``fd`` (data at byte ``at``)."""
    view = memoryview(pcm)
    pos = at + 2 * offset
    while view:
        n = os.pwrite(fd, view, pos)
        view, pos = view[n:], pos + n


def copy_range(src: int, dst: int, src_pos: int, dst_pos: int, samples: int) -> None:
    """Copy ``samples`` samples from byte ``src_pos`` of one track to byte ``dst_pos`` of another."""
    atomic.copy_bytes(src, dst, 2 * samples, src_pos, dst_pos)


def write_group(tmp: str, rate: int, gain: float, threshold: float,
                items: Sequence[tuple[int, str, TakeAnalysis, int]], at: int = HEADER_BYTES) -> list[tuple[int, Written]]:
    """Master the takes ``items`` ((slot index, take, analysis, sample offset)) into the track ``tmp``, its
    data at byte ``at``.

    Runs in a worker process, or in the renderer's own for small jobs.
    """
    from .stitch import master_take_pcm

    out = []
    fd = os.open(tmp, os.O_WRONLY)
    try:
        for index, take, a, offset in items:
            pcm, w = master_take_pcm(take, a, rate, gain, threshold)
            write_at(fd, offset, pcm, at)
            out.append((index, w))
    finally:
        os.close(fd)
    return out


# ---------------------------------------------------------------- the record of the last render


@dataclass(frozen=True)
class Record:
    """Where the last render put each take in its WAV output, and what each measured."""

    output: str
    size: int
    mtime_ns: int
    rate: int
    gain_db: float
    ceiling: float
    takes: dict[tuple[str, int, int, int, int], tuple[int, int, Written]]  # identity -> (offset, length, written)
    #: Where every take in the track starts, in order (a take placed twice is in ``takes`` once, here twice).
    starts: tuple[int, ...] = ()
    #: The byte where the track's data starts (see ``data_offset``).
    data_at: int = HEADER_BYTES

    def adjacent(self, first: int, second: int) -> bool:
        """Whether the take at offset ``second`` is the next one after the take at ``first`` (only a pause,
        zeros, between them)."""
        i = bisect.bisect_left(self.starts, first)
        return i + 1 < len(self.starts) and self.starts[i] == first and self.starts[i + 1] == second

    def usable_for(self, out: Path, rate: int, ceiling: float) -> bool:
        """Whether ``out`` still is the file this record describes, at this rate and ceiling."""
        try:
            st = out.stat()
        except OSError:
            return False
        return (self.output, self.size, self.mtime_ns, self.rate, self.ceiling) == (
            str(out.resolve()), st.st_size, st.st_mtime_ns, rate, ceiling)


def save(path: Path, out: Path, rate: int, gain_db: float, ceiling: float,
         placed: Iterable[tuple[tuple[str, int, int, int, int], int, int, Written]], at: int = HEADER_BYTES) -> None:
    """Record the render just written to ``out`` (its data at byte ``at``): each take's identity, offset,
    length and measures."""
    st = out.stat()
    rows: list[list[Any]] = []
    arrays: list[bytes] = []
    takes: dict[tuple[str, int, int, int, int], tuple[int, int, Written]] = {}
    starts: list[int] = []
    for ident, offset, length, w in placed:
        rows.append([*ident, offset, length, w.peak, w.sumsq, w.limited, int(w.energies.size)])
        arrays.append(np.asarray(w.energies, dtype="<f8").tobytes())
        takes[ident] = (offset, length, w)
        starts.append(offset)
    resolved = str(out.resolve())
    head = json.dumps({
        "version": RECORD_VERSION, "analysis_version": ANALYSIS_VERSION, "output": resolved,
        "size": st.st_size, "mtime_ns": st.st_mtime_ns, "rate": rate, "gain_db": gain_db, "ceiling": ceiling,
        "data_at": at, "takes": rows,
    }, separators=(",", ":")).encode()
    _SAVED.pop(str(path), None)
    try:
        atomic.write_bytes(path, b"".join([_MAGIC, len(head).to_bytes(4, "little"), head, *arrays]))
        _SAVED[str(path)] = (signature(path), Record(resolved, st.st_size, st.st_mtime_ns, rate, gain_db, ceiling, takes,
                                                     tuple(sorted(starts)), at))
    except OSError as exc:  # only costs the next re-render its speed
        log.debug("cannot keep the render record %s: %s", path, exc)


#: record file -> (its inode, size and mtime when this process saved it, the record): a process that
#: renders again (``narrate watch``) does not read back the record it wrote itself.
_SAVED: dict[str, tuple[Signature | None, Record]] = {}


def load(path: Path) -> Record | None:
    """The record at ``path``, or None when missing, damaged or from another version."""
    saved = _SAVED.get(str(path))
    if saved is not None and saved[0] is not None and saved[0] == signature(path):
        return saved[1]
    try:
        raw = path.read_bytes()
        if raw[:4] != _MAGIC:
            return None
        n = int.from_bytes(raw[4:8], "little")
        doc = json.loads(raw[8 : 8 + n])
        if doc.get("version") != RECORD_VERSION or doc.get("analysis_version") != ANALYSIS_VERSION:
            return None
        values = np.frombuffer(raw, dtype="<f8", offset=8 + n)
        takes: dict[tuple[str, int, int, int, int], tuple[int, int, Written]] = {}
        starts: list[int] = []
        at = 0
        for take, size, mtime, t0, t1, offset, length, peak, sumsq, limited, ne in doc["takes"]:
            energies = values[at : at + ne]
            if energies.size != ne:
                return None
            at += ne
            takes[(str(take), int(size), int(mtime), int(t0), int(t1))] = (
                int(offset), int(length), Written(energies, float(peak), float(sumsq), bool(limited)))
            starts.append(int(offset))
        if at != values.size:
            return None
        return Record(str(doc["output"]), int(doc["size"]), int(doc["mtime_ns"]), int(doc["rate"]),
                      float(doc["gain_db"]), float(doc["ceiling"]), takes, tuple(sorted(starts)), int(doc["data_at"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


# ---------------------------------------------------------------- the record of encoded outputs

#: Outputs remembered per script (the most recent first).
_ENCODED_KEEP = 8


def encoded_record_path(record: Path) -> Path:
    """Beside the WAV record of the same script: what its encoded outputs were made from."""
    return record.with_suffix(".encoded")


def load_encoded(record: Path, out: Path, key: str) -> dict[str, Any] | None:
    """The measures of ``out`` when it still is the file the last render made from inputs ``key``; else None."""
    try:
        doc = json.loads(encoded_record_path(record).read_text(encoding="utf-8"))
        entry = doc["outputs"][str(out.resolve())]
        st = out.stat()
        if (entry["key"], entry["size"], entry["mtime_ns"]) != (key, st.st_size, st.st_mtime_ns):
            return None
        measures = entry["measures"]
        return measures if isinstance(measures, dict) else None
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save_encoded(record: Path, out: Path, key: str, measures: dict[str, Any]) -> None:
    """Remember that ``out``, as it is on disk now, was made from inputs ``key`` and measured ``measures``."""
    path = encoded_record_path(record)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        outputs = doc.get("outputs") if isinstance(doc, dict) else None
        outputs = outputs if isinstance(outputs, dict) else {}
    except (OSError, ValueError):
        outputs = {}
    try:
        st = out.stat()
        resolved = str(out.resolve())
        outputs.pop(resolved, None)
        kept = dict(list({resolved: {"key": key, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "measures": measures},
                          **outputs}.items())[:_ENCODED_KEEP])
        atomic.write_bytes(path, json.dumps({"version": RECORD_VERSION, "outputs": kept}).encode())
    except OSError as exc:  # only costs the next render its shortcut
        log.debug("cannot keep the record of %s: %s", out, exc)
