"""The layout of a plain PCM WAV from its first bytes, without the ``wave`` module's per-chunk objects.

Takes are read twice per render (checked when looked up, read when mastered); for the plain files
engines write, walking the RIFF chunks here is several times quicker. Anything else (no ``fmt ``
before ``data``, a compressed or extensible format) gives None, and callers hand the file to the
``wave`` module, which reads it or says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PcmLayout:
    rate: int
    channels: int
    width: int  # bytes per sample
    data_offset: int  # where the samples start in the file
    data_bytes: int  # as the data chunk's header says (a truncated file has fewer)
    riff_end: int  # where the RIFF chunk says the file ends (the wave module reads no further)

    @property
    def frames(self) -> int:
        """Frames the header announces, as ``wave.Wave_read.getnframes`` counts them."""
        return self.data_bytes // (self.channels * self.width)


def pcm_layout(head: bytes) -> PcmLayout | None:
    """The layout of the PCM WAV whose first bytes are ``head`` (enough to reach the data chunk's header)."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos = 12
    fmt: tuple[int, int, int] | None = None
    while pos + 8 <= len(head):
        cid = head[pos : pos + 4]
        size = int.from_bytes(head[pos + 4 : pos + 8], "little")
        body = pos + 8
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(head):
                return None
            tag = int.from_bytes(head[body : body + 2], "little")
            channels = int.from_bytes(head[body + 2 : body + 4], "little")
            rate = int.from_bytes(head[body + 4 : body + 8], "little")
            width = (int.from_bytes(head[body + 14 : body + 16], "little") + 7) // 8
            if tag != 1 or not channels or not width:
                return None  # not plain PCM, or what the wave module refuses
            fmt = (rate, channels, width)
        elif cid == b"data":
            if fmt is None:
                return None
            return PcmLayout(fmt[0], fmt[1], fmt[2], body, size, 8 + int.from_bytes(head[4:8], "little"))
        pos = body + size + (size & 1)
    return None
