"""narrate: offline text-to-speech narration, from a news script to a finished voiceover track."""

from __future__ import annotations

from .normalize import normalize

__all__ = ["normalize", "__version__"]
__version__ = "0.1.0"
