"""narrate's command line: parse options, call one library function, render the result.

Each command group lives in its own module exposing ``register(subparsers)``;
library errors (NarrateError) become one line on stderr and the error's exit code.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (not importing typing: see narrate.server, which runs before the rest)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

# Before numpy is imported: narrate's matrix products are small (128-sample blocks), and idle
# OpenBLAS threads spin, so a second BLAS thread burnt a core beside the engine for nothing
# (a --jobs 1 render used 27 s of CPU instead of 16). A user's own setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from .. import __version__  # noqa: E402
from ..errors import INTERRUPTED, NarrateError  # noqa: E402

#: Command modules, in the order ``narrate --help`` lists them.
COMMAND_MODULES = (
    "render",
    "watch",
    "segments",
    "regen",
    "takes",
    "normalize",
    "preview",
    "say",
    "check",
    "voices",
    "lexicon",
    "cache",
    "server",
)


def _command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs, when that is plain: the first word after narrate's own options is a command name."""
    for word in argv:
        if word == "--debug":
            continue
        return word if word in COMMAND_MODULES else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: when it names a command, only that command's module is imported and registered.

    Importing every command module imports the whole library (check, preview, say, lexicon …): ~60-100 ms of every
    run before it does anything. Help, a missing or unknown command, or no ``argv`` get the full parser.
    """
    only = _command_in(argv) if argv is not None else None
    # Built once per process and command: the narrate server runs many commands, and building a command's parser
    # took 1.5-2.5 ms of each. Parsing leaves a parser as it was.
    if only not in _PARSERS:
        _PARSERS[only] = _parser(only)
    return _PARSERS[only]


_PARSERS: dict[str | None, argparse.ArgumentParser] = {}


def _parser(only: str | None) -> argparse.ArgumentParser:
    """The parser with command ``only`` (None: every command)."""
    import argparse
    import importlib

    parser = argparse.ArgumentParser(
        prog="narrate",
        description="Offline text-to-speech narration: a news script in, a finished voiceover track out.",
    )
    parser.add_argument("--version", action="version", version=f"narrate {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"{__name__}.cmd_{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="narrate: %(message)s")
    try:
        rc = args.func(args)
        return int(rc or 0)
    except NarrateError as exc:
        if args.debug:
            raise
        print(f"narrate: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stdout closed early (e.g. piped into head): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except MemoryError:
        if args.debug:
            raise
        print("narrate: error: out of memory; split the script into smaller files", file=sys.stderr)
        return 2
    except OSError as exc:
        if args.debug:
            raise
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"narrate: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


def run() -> None:  # pragma: no cover - console entry
    """The ``narrate`` command: in a running narrate server when there is one (see narrate.server), else here."""
    from .. import server

    rc = server.forward(sys.argv[1:])
    if rc is None:
        from .. import interrupt

        interrupt.install()  # (Ctrl-C while an engine speaks: see narrate.interrupt)
        rc = main()
        server.start_if_wanted()
        sys.exit(rc)
    # The server ran it: this process only forwarded (nothing to clean up), so it skips the interpreter's
    # teardown (3 ms of a 0.1 s re-render).
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(rc)
