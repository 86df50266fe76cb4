"""Write a track atomically, chunk by chunk: WAV with the ``wave`` module, other formats through ffmpeg."""

from __future__ import annotations

import errno
import os
import shutil
import struct
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from . import atomic
from .errors import DependencyError, InputError, OutputError


@dataclass(frozen=True)
class Format:
    """How one output extension is encoded."""

    name: str
    codec: str | None  # None: written directly as WAV
    muxer: str
    default_bitrate: str | None = None
    rates: tuple[int, ...] = ()  # the rates the codec accepts (empty: any)
    default_args: tuple[str, ...] = ()  # used when no bitrate is given
    codec_args: tuple[str, ...] = ()  # always given to the encoder


FORMATS: dict[str, Format] = {
    ".wav": Format("WAV", None, "wav"),
    ".mp3": Format("MP3", "libmp3lame", "mp3", "128k", (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)),
    ".flac": Format("FLAC", "flac", "flac"),
    # Vorbis rejects many fixed bitrates at low rates in mono; its quality scale always works.
    ".ogg": Format("Ogg Vorbis", "libvorbis", "ogg", None, (), ("-q:a", "4")),
    # Opus always decodes at 48 kHz (ffprobe reports 48000 whatever the input was): say so.
    ".opus": Format("Opus", "libopus", "opus", "64k", (48000,)),
    # ffmpeg's AAC encoder with its default coder took 55 s for a 40-minute mono track here, its "fast" coder 16 s,
    # with a waveform as close to the source (40 dB SNR against 33 dB at 128 kbit/s).
    ".m4a": Format("AAC (M4A)", "aac", "ipod", "128k", (), (), ("-aac_coder", "fast")),
}

INSTALL_FFMPEG = "install ffmpeg: sudo apt-get install ffmpeg"


def format_for(path: Path) -> Format:
    """The output format named by ``path``'s extension; an unknown one is an InputError listing the known."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        shown = path.suffix or "(none)"
        raise InputError(f"{path}: unknown output format '{shown}'; use one of {', '.join(FORMATS)}")
    return fmt


def encoded_rate(fmt: Format, rate: int) -> int:
    """The rate the file will have: ``rate`` when the codec takes it, else the nearest higher one it takes."""
    if not fmt.rates or rate in fmt.rates:
        return rate
    higher = [r for r in fmt.rates if r >= rate]
    return min(higher) if higher else max(fmt.rates)


def ffmpeg_path() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise DependencyError(f"ffmpeg is needed for this output format; {INSTALL_FFMPEG}")
    return path


def check_output_folder(path: Path) -> None:
    """An OutputError now, before any work, when the folder is missing or not writable."""
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist; create it or choose another output")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: folder {folder} is not writable; choose another output")


def output_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError(f"{path}: disk full while writing; free some space and render again")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"{path}: not allowed to write here ({exc.strerror}); choose another output")
    return OutputError(f"{path}: cannot write ({exc.strerror or exc})")


@contextmanager
def atomic_path(path: Path, spare: Path | None = None) -> Iterator[Path]:
    """A temp path beside ``path`` that replaces it on success and is removed on any error.

    ``spare``: see ``atomic.replacing`` (the temp file may then hold an earlier track's bytes).
    """
    try:
        with atomic.replacing(path, suffix=f".part{path.suffix}", large=True, spare=spare) as tmp:
            yield tmp
    except OSError as exc:
        raise output_error(path, exc) from None


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small text file atomically; OS errors become one-line OutputErrors."""
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise output_error(path, exc) from None


class Sink(Protocol):
    """Where the stitched 16-bit mono PCM goes, chunk by chunk."""

    def write(self, pcm: bytes | bytearray) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


def riff_info(tags: dict[str, str]) -> bytes:
    """A RIFF ``LIST/INFO`` chunk (INAM title, IART artist) that ffprobe and players read as tags."""
    ids = {"title": b"INAM", "artist": b"IART"}
    body = b"INFO"
    for key, value in tags.items():
        data = value.encode("utf-8") + b"\0"
        if len(data) % 2:
            data += b"\0"
        body += ids[key] + struct.pack("<I", len(data)) + data
    return b"LIST" + struct.pack("<I", len(body)) + body


class WavSink:
    """16-bit mono WAV through the standard ``wave`` module, plus INFO tags after the data."""

    def __init__(self, tmp: Path, rate: int, tags: dict[str, str]) -> None:
        self.tmp = tmp
        self.tags = tags
        self._w = wave.open(str(tmp), "wb")
        self._w.setnchannels(1)
        self._w.setsampwidth(2)
        self._w.setframerate(rate)

    def write(self, pcm: bytes | bytearray) -> None:
        self._w.writeframesraw(pcm)

    def close(self) -> None:
        self._w.close()
        if self.tags:
            info = riff_info(self.tags)
            with open(self.tmp, "r+b") as f:
                f.seek(0, os.SEEK_END)
                if f.tell() % 2:
                    f.write(b"\0")
                f.write(info)
                riff_size = f.tell() - 8
                f.seek(4)
                f.write(struct.pack("<I", riff_size))

    def abort(self) -> None:
        try:
            self._w.close()
        except Exception:  # the temp file is being discarded anyway
            pass


def encoder_args(fmt: Format, out_rate: int, bitrate: str | None) -> list[str]:
    """ffmpeg's arguments for the encoder of ``fmt``: codec, rate, bitrate or quality."""
    args = ["-c:a", str(fmt.codec), *fmt.codec_args, "-ar", str(out_rate)]
    if fmt.codec != "flac":
        if bitrate or fmt.default_bitrate:
            args += ["-b:a", str(bitrate or fmt.default_bitrate)]
        else:
            args += list(fmt.default_args)
    return args


class FfmpegSink:
    """Raw PCM piped into ffmpeg, which encodes to the temp path; its errors come back as OutputErrors."""

    def __init__(self, tmp: Path, out: Path, fmt: Format, rate: int, out_rate: int,
                 bitrate: str | None, tags: dict[str, str]) -> None:
        self.out = out
        cmd = [ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
               "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", *encoder_args(fmt, out_rate, bitrate)]
        for key, value in tags.items():
            cmd += ["-metadata", f"{key}={value}"]
        cmd += ["-f", fmt.muxer, str(tmp)]
        self._err: IO[bytes] = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._err)
        except OSError as exc:
            self._err.close()
            raise DependencyError(f"cannot run ffmpeg ({exc.strerror or exc}); {INSTALL_FFMPEG}") from None
        assert self._proc.stdin is not None
        self._stdin = self._proc.stdin

    def _failure(self) -> OutputError:
        self._err.seek(0)
        lines = [ln for ln in self._err.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        reason = lines[-1].strip() if lines else f"exit code {self._proc.returncode}"
        return OutputError(f"{self.out}: ffmpeg could not encode ({reason})")

    def write(self, pcm: bytes | bytearray) -> None:
        try:
            self._stdin.write(pcm)
        except (BrokenPipeError, ValueError):
            self._proc.wait()
            raise self._failure() from None

    def close(self) -> None:
        try:
            self._stdin.close()
        except BrokenPipeError:
            pass
        code = self._proc.wait()
        try:
            if code != 0:
                raise self._failure()
        finally:
            self._err.close()

    def abort(self) -> None:
        try:
            self._stdin.close()
        except OSError:
            pass
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._err.close()


def open_sink(tmp: Path, out: Path, rate: int, sample_rate: int | None, bitrate: str | None,
              tags: dict[str, str]) -> Sink:
    """The sink for ``out``'s format writing to ``tmp``; PCM arrives at ``rate``."""
    fmt = format_for(out)
    if fmt.codec is None:
        return WavSink(tmp, rate, tags)
    out_rate = encoded_rate(fmt, sample_rate or rate)
    return FfmpegSink(tmp, out, fmt, rate, out_rate, bitrate, tags)
