"""`narrate normalize [TEXT]`: print the spoken form of TEXT (stdin when absent)."""

from __future__ import annotations

import argparse
import sys

from ..normalize import normalize


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("normalize", help="print the spoken form of TEXT (stdin when absent)", description="Print the spoken form of TEXT, or of standard input when TEXT is absent.")
    p.add_argument("text", nargs="?", help="text to normalize; read from stdin when absent")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = args.text if args.text is not None else sys.stdin.read()
    for line in text.splitlines() or [""]:
        print(normalize(line))
    return 0
