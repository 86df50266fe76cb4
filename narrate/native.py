"""narrate's compiled kernels (``narrate/_kernels.c``) when they are built, else ``None``.

The take analysis and the mastering of a take spend nearly all their time in per-sample loops.
numpy runs them as dozens of passes over each take (the 36 multiply-adds of the 4x oversampled
true peak, the K-weighting filter); the C kernels run each in one pass, several times faster, and
give the same results (byte-identical PCM; energies within 1e-12). ``setup.py`` builds them where a
C compiler is found; without one, callers fall back to numpy.

``NARRATE_KERNELS=0`` in the environment makes every process use numpy (the tests run both).
"""

from __future__ import annotations

import os
from types import ModuleType

#: The ``VERSION`` of ``_kernels.c`` this code calls; a stale build (older source) is not used.
EXPECTED_VERSION = 2


def _load() -> ModuleType | None:
    if os.environ.get("NARRATE_KERNELS", "1") == "0":
        return None
    try:
        from . import _kernels  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _kernels if getattr(_kernels, "VERSION", None) == EXPECTED_VERSION else None


kernels: ModuleType | None = _load()


def status() -> str:
    """One line for diagnostics: whether the compiled kernels are in use."""
    if kernels is not None:
        return "compiled kernels"
    if os.environ.get("NARRATE_KERNELS", "1") == "0":
        return "numpy (NARRATE_KERNELS=0)"
    return "numpy (compiled kernels not built; run bin/setup with a C compiler installed)"
