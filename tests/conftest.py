"""Every test gets its own narrate cache and voices folder, never the user's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARRATE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("NO_COLOR", "1")
    # Commands run in their own processes, as each test expects; tests/test_server.py turns the server on.
    monkeypatch.setenv("NARRATE_SERVER", "0")


@pytest.fixture(autouse=True)
def _fake_engine_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine named "fake" (tests/fakes.py) exists for tests only."""
    from narrate import engines

    monkeypatch.setitem(engines.BUILTIN, "fake", "fakes:FakeEngine")


def require_tool(name: str) -> str:
    """The path of a system tool; in CI its absence fails the test instead of skipping it."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI but is not installed")
        pytest.skip(f"{name} is not installed")
    return path


def espeak_takes(folder: Path, texts: list[str]) -> list[Path]:
    """One real espeak-ng take per text in ``folder`` (t0.wav, t1.wav, ...)."""
    import subprocess

    exe = require_tool("espeak-ng")
    out = []
    for i, text in enumerate(texts):
        p = folder / f"t{i}.wav"
        subprocess.run([exe, "-w", str(p), text], check=True, capture_output=True)
        out.append(p)
    return out


def wav_int16(path: Path) -> tuple[np.ndarray, int]:
    """A mono 16-bit WAV's samples (int16) and its sample rate."""
    import wave

    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def data_and_tags(path: Path) -> tuple[bytes, bytes]:
    """A track's samples and what follows them (its tag chunk), wherever its header puts the data."""
    from narrate.riff import pcm_layout

    raw = path.read_bytes()
    layout = pcm_layout(raw)
    assert layout is not None
    end = layout.data_offset + layout.data_bytes
    return raw[layout.data_offset : end], raw[end:]


def shared_path(*parts: str) -> Path:
    """A file under ../shared; skips when the folder is absent (a user's clone), fails in CI."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        if IN_CI:
            pytest.fail(f"{p} is missing in CI")
        pytest.skip(f"{p} is absent (no ../shared beside the project)")
    return p
