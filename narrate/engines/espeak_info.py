"""Facts about the installed espeak-ng, asked once per process."""

from __future__ import annotations

import functools
import shutil
import subprocess

from ..errors import DependencyError


def espeak_binary() -> str:
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not exe:
        raise DependencyError("espeak-ng is not installed: sudo apt-get install espeak-ng")
    return exe


@functools.lru_cache(maxsize=1)
def espeak_version() -> str:
    try:
        out = subprocess.run([espeak_binary(), "--version"], capture_output=True, text=True, timeout=20).stdout
    except DependencyError:
        return "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    parts = out.split()
    for i, w in enumerate(parts):
        if w.endswith(":") and i + 1 < len(parts) and parts[i + 1][:1].isdigit():
            return parts[i + 1]
    return out.strip().splitlines()[0] if out.strip() else "unknown"
