"""The take cache: synthesized segments stored by what changes their audio, written atomically.

Layout under the cache root (``NARRATE_CACHE_DIR`` or ``.narrate/`` beside the script)::

    takes/<k[:2]>/<key>/001.wav     a take (mono 16-bit WAV)
    takes/<k[:2]>/<key>/001.json    its metadata (written before the WAV is renamed in: without its WAV it is no take)
    takes/<k[:2]>/<key>/001.wav.analysis  its loudness and peak analysis (narrate.loudness; redone when stale)
    takes/<k[:2]>/<key>/current     the take number renders use (the newest, or the one picked; absent for a first take)
    renders/<script>-<hash>.json    what the last render of a script used (for ``cache prune``)
    renders/<script>-<hash>.master  where each take lies in that render's WAV, for splicing re-renders
    renders/<script>-<hash>.plan    the script's sentences as last normalized (narrate.normcache)
    lock                            held by a render, so that two renders of one folder take turns
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import re
import shutil
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import atomic, riff
from .engines.base import TakeAudio, VoiceSettings, WordTime
from .errors import OutputError
from .filememo import Signature, signature
from .models import SpokenPart

TAKE_FORMAT = 1  # bump when the take layout or its checks change
_KEY = re.compile(r"[0-9a-f]{16,64}")


def cache_root(script: Path | None) -> Path:
    env = os.environ.get("NARRATE_CACHE_DIR")
    if env:
        return Path(env)
    base = Path(script).resolve().parent if script is not None else Path.cwd()
    return base / ".narrate"


@functools.lru_cache(maxsize=1 << 14)  # a process that renders again asks for the same keys (~25 us each)
def take_key(parts: tuple[SpokenPart, ...], engine: str, engine_version: str, settings: VoiceSettings) -> str:
    """Hash of everything that changes a take's audio — and nothing else (no id, position or pause)."""
    doc = {
        "format": TAKE_FORMAT,
        "parts": [[p.text, p.phonemes] for p in parts],
        "engine": engine,
        "engine_version": engine_version,
        "voice": settings.voice,
        "rate": settings.rate,
        "pitch": settings.pitch,
        "volume": round(settings.volume, 4),
        "language": settings.language,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def atomic_write_text(path: Path, text: str) -> None:
    """Take metadata and manifests, atomically (a take exists once its metadata does).

    No fsync: atomic renames already survive Ctrl-C and kill -9, and after a power
    cut a damaged take fails ``wav_ok`` or its metadata check and is synthesized
    again — an fsync per take cost about a second on a 300-take render.
    """
    atomic.write_text(path, text)


def _stored_words(words: tuple[WordTime, ...]) -> tuple[WordTime, ...]:
    """Word times as a take's metadata keeps them (to 0.1 ms)."""
    return tuple(WordTime(w.word, round(w.start_s, 4)) for w in words)


def wav_ok(path: Path | str) -> tuple[int, int] | None:
    """(sample rate, frames) of a complete, readable mono 16-bit WAV; None for a damaged one."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            # A take's header without the wave module: ~4x faster, and a render reads ~300.
            layout = riff.pcm_layout(f.read(4096))
            found = (layout.rate, layout.frames, layout.width, layout.channels) if layout else None
            if found is None:
                f.seek(0)
                with wave.open(f, "rb") as w:
                    found = w.getframerate(), w.getnframes(), w.getsampwidth(), w.getnchannels()
    except (OSError, EOFError, wave.Error):
        return None
    rate, frames, width, channels = found
    if frames <= 0 or width != 2 or channels != 1 or rate <= 0:
        return None
    # A truncated file still has its header: the data must all be there.
    if size < (layout.data_offset if layout else 44) + frames * 2:
        return None
    return rate, frames


#: How often a render polls a lock held by another before saying it waits, and for how long.
#: key folder -> (its signature, the current take's WAV signature, the take): see ``TakeCache.current``.
_CURRENT: dict[str, tuple[Signature, Signature, "Take"]] = {}


_LOCK_POLL_S = 0.05
_LOCK_QUIET_S = 0.2


def _flock_fd(path: str, on_wait: Any) -> int | None:
    """An open descriptor of ``path`` holding flock(LOCK_EX), after ``on_wait()`` if another holds it for a while;
    None when flock is not available here (the caller uses filelock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + _LOCK_QUIET_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(_LOCK_POLL_S)
        if on_wait:
            on_wait()
        fcntl.flock(fd, fcntl.LOCK_EX)  # a Ctrl-C while waiting still interrupts it
        return fd
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP):
            return None  # no flock on this file system
        raise
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def _filelock(path: str, on_wait: Any) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = FileLock(path)
    try:
        lock.acquire(timeout=_LOCK_QUIET_S)
    except Timeout:
        if on_wait:
            on_wait()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@dataclass(frozen=True)
class Take:
    key: str
    number: int
    path: Path
    sample_rate: int
    frames: int
    words: tuple[WordTime, ...]
    created: float
    spoken: str

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


class TakeCache:
    """Takes under one cache root."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- paths
    def key_dir(self, key: str) -> Path:
        return Path(self._key_dir(key))

    def _key_dir(self, key: str) -> str:
        if not _KEY.fullmatch(key):
            raise ValueError(f"bad take key {key!r}")
        return os.path.join(self.root, "takes", key[:2], key)

    def ensure(self) -> None:
        try:
            (self.root / "takes").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the take cache at {self.root} ({exc.strerror}); set NARRATE_CACHE_DIR to a writable folder") from None

    @contextlib.contextmanager
    def lock(self, on_wait: Any = None) -> Iterator[None]:
        """Exclusive use of the cache for one render; a second render waits (released on any exit, kill -9 included).

        On POSIX this is flock(2) on ``lock``, taken directly: the filelock package takes the same lock (so renders of
        older versions still take turns with this one) but importing it cost ~20 ms of every render's start. Where
        flock is missing (Windows, a file system without it), filelock does it.
        """
        self.ensure()
        path = str(self.root / "lock")
        fd = _flock_fd(path, on_wait)
        if fd is None:
            with _filelock(path, on_wait):
                yield
            return
        try:
            yield
        finally:
            os.close(fd)  # releases the lock

    # -- reading
    def takes(self, key: str) -> list[Take]:
        """Finished, intact takes of a key, oldest first (damaged ones are skipped)."""
        d = self.key_dir(key)
        out: list[Take] = []
        if not d.is_dir():
            return out
        for meta_path in sorted(d.glob("[0-9][0-9][0-9].json")):
            take = self._load(key, meta_path)
            if take is not None:
                out.append(take)
        return out

    def _load(self, key: str, meta_path: Path | str) -> Take | None:
        # Plain strings, not Paths, until a take is found: a render looks up every segment's take (~30 us saved each).
        meta_path = str(meta_path)
        wav = meta_path[: -len(".json")] + ".wav"
        try:
            with open(meta_path, encoding="utf-8") as f:
                meta = json.loads(f.read())
        except (OSError, ValueError):
            return None
        info = wav_ok(wav)
        if info is None or info[1] != meta.get("frames"):
            return None
        words = tuple(WordTime(str(w[0]), float(w[1])) for w in meta.get("words", []))
        number = int(os.path.basename(meta_path)[: -len(".json")])
        return Take(key, number, Path(wav), info[0], info[1], words, float(meta.get("created", 0)), str(meta.get("spoken", "")))

    def current(self, key: str) -> Take | None:
        """The take renders use: the picked one if it is intact, else the newest intact one.

        A process that renders again (``narrate watch``) answers from memory while the key's folder
        and the take's WAV are the ones it looked at (the same inode, size and modification time):
        a new take, a new pointer or a removed take changes the folder's, and a damaged WAV its own.
        """
        d = self._key_dir(key)
        dir_sig = signature(d)
        if dir_sig is None:
            return None
        seen = _CURRENT.get(d)
        if seen is not None and seen[0] == dir_sig and signature(seen[2].path) == seen[1]:
            return seen[2]
        take = self._current(key, d)
        wav_sig = signature(take.path) if take is not None else None
        if take is not None and wav_sig is not None:
            _CURRENT[d] = (dir_sig, wav_sig, take)
        return take

    def _current(self, key: str, d: str) -> Take | None:
        try:
            with open(os.path.join(d, "current"), encoding="utf-8") as f:
                picked: int | None = int(f.read().strip())
        except (OSError, ValueError):
            # No pointer is written for a first take: with no second take, the first is current.
            picked = None if os.path.exists(os.path.join(d, "002.json")) else 1
        if picked is not None and 0 < picked < 1000:
            take = self._load(key, os.path.join(d, f"{picked:03d}.json"))  # the usual case: no listing needed
            if take is not None:
                return take
        takes = self.takes(key)
        return takes[-1] if takes else None

    # -- writing
    def new_take_path(self, key: str) -> tuple[int, Path]:
        """A temp path (in the key's folder) for the next take number; the caller commits it with ``commit``.

        Nothing is created: the engine creates the file and ``synth.run_job`` the folder, in the
        worker, so the parent's share of a take is one rename (making ~260 folders and temp files
        before the first take was handed out cost 0.1-0.25 s of a first render here). The name is
        unique to this call; the cache lock keeps other renders out of the folder.
        """
        d = self._key_dir(key)
        numbers = [int(p.stem) for p in Path(d).glob("[0-9][0-9][0-9].wav")] if os.path.isdir(d) else []
        n = max(numbers, default=0) + 1
        return n, Path(d, f".{n:03d}.{os.urandom(6).hex()}.wav.tmp")

    @staticmethod
    def write_meta(wav: Path, audio: TakeAudio, spoken: str, created: float) -> None:
        """The metadata of the take that will be (or is) at ``wav``, atomically. A worker writes it
        before the parent moves the WAV in: metadata without its WAV is no take (``_load`` skips it)."""
        meta = {
            "frames": audio.frames,
            "sample_rate": audio.sample_rate,
            "words": [[w.word, w.start_s] for w in _stored_words(audio.words)],
            "created": created,
            "spoken": spoken,
        }
        atomic_write_text(wav.with_suffix(".json"), json.dumps(meta, ensure_ascii=False))

    def commit(self, key: str, number: int, tmp: Path, audio: TakeAudio, spoken: str, created: float,
               meta_written: bool = False) -> Take:
        """Move a checked temp WAV into place with its metadata (the take exists once both do).

        ``meta_written``: the worker wrote the metadata already (``write_meta``).
        """
        d = self.key_dir(key)
        wav = d / f"{number:03d}.wav"
        if not meta_written:
            self.write_meta(wav, audio, spoken, created)
        os.replace(tmp, wav)
        if number != 1:  # a first take is current without a pointer (see ``current``)
            atomic_write_text(d / "current", f"{number}\n")
        # As ``_load`` reads it back: word times as stored.
        return Take(key, number, wav, audio.sample_rate, audio.frames, _stored_words(audio.words), created, spoken)

    def remember(self, take: Take) -> None:
        """Note a take just committed as its key's current one, as ``current`` would find it now: a process that
        renders again (the narrate server, ``narrate watch``) then does not read every new take back from disk
        on its next render (~30 ms for 263 takes after a first render, measured). Call it once the key's folder
        is as it stays (after ``commit`` and any analysis stored beside the take)."""
        d = self._key_dir(take.key)
        dir_sig, wav_sig = signature(d), signature(take.path)
        if dir_sig is not None and wav_sig is not None:
            _CURRENT[d] = (dir_sig, wav_sig, take)

    def pick(self, key: str, number: int) -> Take | None:
        for t in self.takes(key):
            if t.number == number:
                atomic_write_text(self.key_dir(key) / "current", f"{number}\n")
                return t
        return None

    # -- manifests and housekeeping
    def manifest_path(self, script: Path) -> Path:
        resolved = str(Path(script).resolve())
        digest = hashlib.sha256(resolved.encode()).hexdigest()[:10]
        stem = re.sub(r"[^\w.-]", "_", Path(script).stem)[:60] or "script"
        return self.root / "renders" / f"{stem}-{digest}.json"

    def master_record_path(self, script: Path) -> Path:
        return self.manifest_path(script).with_suffix(".master")

    def spare_path(self, script: Path) -> Path:
        """Where the WAV track a render of ``script`` replaces is kept for the next render to reuse (see
        atomic.replacing): one per script, dropped by ``prune``."""
        return self.manifest_path(script).with_suffix(".spare")

    def normalized_path(self, script: Path) -> Path:
        return self.manifest_path(script).with_suffix(".plan")

    def write_manifest(self, script: Path, doc: dict[str, Any]) -> None:
        # Compact: with ``indent`` json encodes in Python, not C (7 ms of a 0.1 s re-render of 263 segments).
        atomic_write_text(self.manifest_path(script), json.dumps(doc, ensure_ascii=False, separators=(",", ":")))

    def read_manifest(self, script: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(self.manifest_path(script).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def info(self) -> dict[str, Any]:
        keys = takes = 0
        size = 0
        if (self.root / "takes").is_dir():
            for d in (self.root / "takes").glob("*/*"):
                if not d.is_dir():
                    continue
                keys += 1
                for f in d.iterdir():
                    size += f.stat().st_size
                    takes += f.suffix == ".wav"
        renders = sorted(p.name for p in (self.root / "renders").glob("*.json")) if (self.root / "renders").is_dir() else []
        spare = sum(p.stat().st_size for p in self._spares())
        return {"root": str(self.root), "segments": keys, "takes": takes, "bytes": size, "renders": len(renders),
                "spare_bytes": spare}

    def _spares(self) -> list[Path]:
        return sorted((self.root / "renders").glob("*.spare")) if (self.root / "renders").is_dir() else []

    def prune(self, dry_run: bool = False) -> dict[str, Any]:
        """Drop takes that no script's last render uses (scripts that no longer exist count as unused)."""
        used: set[str] = set()
        dropped_manifests = 0
        for m in sorted((self.root / "renders").glob("*.json")) if (self.root / "renders").is_dir() else []:
            try:
                doc = json.loads(m.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                doc = {}
            script = doc.get("script")
            if not script or not Path(script).exists():
                dropped_manifests += 1
                if not dry_run:
                    m.unlink(missing_ok=True)
                    m.with_suffix(".master").unlink(missing_ok=True)
                    m.with_suffix(".encoded").unlink(missing_ok=True)
                    m.with_suffix(".plan").unlink(missing_ok=True)
                continue
            used.update(str(s.get("key")) for s in doc.get("segments", []))
        removed = freed = 0
        if (self.root / "takes").is_dir():
            for d in (self.root / "takes").glob("*/*"):
                if d.is_dir() and d.name not in used:
                    freed += sum(f.stat().st_size for f in d.iterdir())
                    removed += 1
                    if not dry_run:
                        shutil.rmtree(d, ignore_errors=True)
        # Leftover temp files of interrupted renders, and the spare tracks (they only make the next re-render faster).
        leftover = list((self.root / "takes").glob("*/*/.*.tmp")) if (self.root / "takes").is_dir() else []
        if (self.root / "renders").is_dir():  # (a copy into a spare cut short, a dropped spare not yet freed)
            leftover += (self.root / "renders").glob(".*.spare.*")
        for tmp in leftover + self._spares():
            with contextlib.suppress(OSError):
                freed += tmp.stat().st_size
                if not dry_run:
                    tmp.unlink()
        if not dry_run:
            for stamp in (self.root / "renders").glob("*.replica") if (self.root / "renders").is_dir() else []:
                stamp.unlink(missing_ok=True)  # (stamps of spares that were copies of a track: they went above)
        return {"removed_segments": removed, "freed_bytes": freed, "dropped_renders": dropped_manifests, "kept_segments": len(used)}
