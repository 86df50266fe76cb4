"""`narrate regen SCRIPT ID… [--match TEXT] [--take N] [-o OUT] [--json]`: new takes of chosen segments, then re-stitch."""

from __future__ import annotations

import argparse
import sys

from ..render import regen
from .cmd_render import add_output_options, options_from
from .common import print_json
from .ui import progress_bar, summary, waiting_note


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("regen", help="new takes of chosen segments (or pick an earlier take), then re-stitch",
                       description="Make new takes of the named segments even when cached, then re-stitch the track. Earlier takes are kept: see 'narrate takes'.")
    add_output_options(p)
    p.add_argument("ids", nargs="*", metavar="ID", help="segment ids as 'narrate segments' shows them (e.g. p03-s02)")
    p.add_argument("--match", metavar="TEXT", help="also every narrated segment whose text contains TEXT")
    p.add_argument("--take", type=int, metavar="N", help="use take N of the (one) segment instead of a new take")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = options_from(args)
    show = not args.json and sys.stderr.isatty()
    with progress_bar(show) as on_progress:
        result = regen(args.script, args.ids, match=args.match, pick=args.take, options=options, on_progress=on_progress,
                       on_wait=None if args.json else waiting_note)
    if args.json:
        print_json(result.as_json())
    else:
        summary(result, verb=f"Regenerated {', '.join(result.regenerated)}")
    return 0
