"""Errors a user can act on: each carries a one-line message and the exit code the CLI uses."""

from __future__ import annotations


class NarrateError(Exception):
    """Base of every error narrate raises on purpose; the CLI prints it as one line."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(NarrateError):
    """A script, option, lexicon or profile the user gave is not usable (exit 2)."""

    exit_code = 2


class DependencyError(NarrateError):
    """A system dependency (espeak-ng, ffmpeg, a Python package) is missing (exit 3)."""

    exit_code = 3


class SynthesisError(NarrateError):
    """The engine failed to produce a usable take for a segment, even after a retry."""

    exit_code = 4


class OutputError(NarrateError):
    """The output could not be written (folder missing, read-only, disk full)."""

    exit_code = 2


#: What a command prints when Ctrl-C (or the narrate server, for its client) interrupts it (exit 130).
INTERRUPTED = "narrate: interrupted; finished takes are kept and reused next time"
