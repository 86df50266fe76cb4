"""A word or phrase -> a WAV in a voice with that voice's lexicons; the first audio player found plays it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .engines import VoiceSettings
from .errors import DependencyError, InputError, OutputError, SynthesisError
from .normalize import normalize_spans
from .plan import Voices
from .synth import Job, _quiet_stdout, run_job

#: Players tried in order, with the arguments that make them play one file and exit quietly.
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aplay", ("-q",)),
    ("paplay", ()),
    ("ffplay", ("-nodisp", "-autoexit", "-loglevel", "error")),
    ("afplay", ()),
)

#: Extensions ffmpeg converts to; anything else is refused before synthesis.
FORMATS = (".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac")

#: Longest text ``say`` accepts; longer texts belong in a script and ``narrate render``.
MAX_CHARS = 2000


@dataclass(frozen=True)
class Said:
    """What ``say`` made: the file, its length and the words the engine was given."""

    path: Path
    duration_s: float
    spoken: str
    voice: str
    engine: str


def find_player() -> list[str] | None:
    """The command line (without the file) of the first installed player, or None."""
    for name, args in PLAYERS:
        exe = shutil.which(name)
        if exe:
            return [exe, *args]
    return None


def require_player() -> list[str]:
    """The first installed player, or a DependencyError (exit 3) that says what to install."""
    cmd = find_player()
    if cmd is None:
        names = ", ".join(n for n, _ in PLAYERS)
        raise DependencyError(f"no audio player found (tried {names}); install one (sudo apt-get install alsa-utils) or write a file with -o")
    return cmd


def play(path: Path) -> str:
    """Play a WAV with the first player found; returns the player's name."""
    cmd = require_player()
    try:
        proc = subprocess.run([*cmd, str(path)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DependencyError(f"{Path(cmd[0]).name} could not play {path} ({exc})") from None
    if proc.returncode != 0:
        raise DependencyError(f"{Path(cmd[0]).name} could not play {path}: {proc.stderr.strip()[:200] or f'exit {proc.returncode}'}")
    return Path(cmd[0]).name


@contextlib.contextmanager
def _temp_wav(folder: Path) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix=".narrate-say-", suffix=".wav", dir=folder)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _convert(src: Path, out: Path) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise DependencyError(f"writing {out.suffix} needs ffmpeg: sudo apt-get install ffmpeg (or use -o FILE.wav)")
    tmp = out.with_name(f".{out.stem}.narrate-tmp{out.suffix}")
    proc = subprocess.run([ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-i", str(src), str(tmp)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{out}: ffmpeg cannot write '{out.suffix}' ({proc.stderr.strip()[:200]}); use .wav, .mp3, .flac or .ogg")
    os.replace(tmp, out)


def say(text: str, out: Path, voice: str | None = None, script_dir: Path | None = None) -> Said:
    """Synthesize ``text`` with ``voice`` (default profile when None) and its lexicons (plus ``script_dir``'s project lexicon) to ``out``.

    The audio goes to a temporary WAV beside ``out`` first and is renamed (or converted
    by ffmpeg for other extensions), so a failure never leaves a half-written file.
    """
    if not text.strip():
        raise InputError("nothing to say: give a word or phrase")
    if len(text) > MAX_CHARS:
        raise InputError(f"the text is {len(text)} characters; say takes up to {MAX_CHARS} (put longer text in a script and use 'narrate render')")
    out = Path(out)
    if out.is_dir():
        raise OutputError(f"{out}: is a folder; give a file name such as {out / 'say.wav'}")
    if not out.parent.exists():
        raise OutputError(f"{out.parent}: no such folder")
    if out.suffix.lower() not in FORMATS:
        raise OutputError(f"{out}: cannot write '{out.suffix or 'no extension'}' audio; use one of {', '.join(FORMATS)}")
    voices = Voices(script_dir if script_dir is not None else Path.cwd())
    name = voice or "default"
    profile = voices.get(name)
    norm = normalize_spans(text, voices.lexicon(name), profile.normalize_options())
    if not norm.spoken.strip():
        raise InputError(f"'{text}' has nothing to say once normalized")
    settings = VoiceSettings(voice=profile.voice, rate=profile.rate, pitch=profile.pitch, volume=profile.volume, language=profile.language)
    with _temp_wav(out.parent) as tmp:
        job = Job(key="say", segment_id="say", engine=profile.engine, parts=norm.utterance(), spoken=norm.spoken, settings=settings, tmp=tmp)
        with _quiet_stdout():
            result = run_job(job)
        if result.audio is None:
            raise SynthesisError(f"the {profile.engine} engine made no usable audio for '{text}': {result.error}")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the result is an ordinary file
        if out.suffix.lower() == ".wav":
            os.replace(tmp, out)
        else:
            _convert(tmp, out)
    return Said(out, result.audio.duration_s, norm.spoken, name, profile.engine)
