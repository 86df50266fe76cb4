"""Loudness presets by name: shared by voice profiles and mastering (kept apart so neither imports the other)."""

from __future__ import annotations

#: Integrated loudness targets (LUFS): podcast and online video; EBU R128 broadcast; ACX audiobooks.
LOUDNESS_PRESETS = {"podcast": -16.0, "broadcast": -23.0, "audiobook": -20.0}
