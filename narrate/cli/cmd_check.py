"""`narrate check` (placeholder)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="check (not yet built)")
    p.set_defaults(func=lambda args: p.print_help() or 0)
