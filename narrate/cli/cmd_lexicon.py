"""`narrate lexicon list|add|remove|import|export`: the project lexicon (filled in by the lexicon work)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("lexicon", help="the project lexicon: list, add, remove, import, export (W3C PLS)")
    p.set_defaults(func=lambda args: p.print_help() or 0)
