"""`narrate watch SCRIPT [render options] [--json]`: render now and again on every save, until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from .. import interrupt
from .cmd_render import add_output_options, options_from


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "watch", help="render a script, then again each time it, a profile or a lexicon is saved",
        description="Render SCRIPT, then render it again whenever it (or a voice profile or lexicon it uses) is saved, "
                    "until Ctrl-C. One process stays up, so a re-render after an edit costs little more than "
                    "synthesizing what changed. With --json, one JSON object per render (JSON Lines).")
    add_output_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..watch import Outcome, watch

    options = options_from(args)

    def report(o: Outcome) -> None:
        if args.json:
            doc = o.result.as_json() if o.result is not None else {
                "error": o.error.message if o.error else "unknown", "exit_code": o.error.exit_code if o.error else 2}
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        elif o.result is not None:
            r = o.result
            minutes, seconds = divmod(r.duration_s, 60)
            print(f"narrate: rendered {r.output} ({int(minutes)}:{seconds:04.1f}; {r.synthesized} synthesized, "
                  f"{r.reused} reused) in {r.elapsed_s:.2f} s; watching {args.script} (Ctrl-C stops)", file=sys.stderr)
        else:
            assert o.error is not None
            print(f"narrate: error: {o.error.message}; watching for the next save", file=sys.stderr)

    # Ctrl-C and SIGTERM stop the watch: a render in progress is abandoned, its finished takes kept (the interruption
    # is raised outside the engine's C callbacks: see narrate.interrupt). The flag stops the watch even when an
    # engine ends its take on the interruption instead of raising it.
    stop = threading.Event()
    interrupt.install((signal.SIGINT, signal.SIGTERM), on_signal=stop.set)
    try:
        watch(Path(args.script), options, report, should_stop=stop.is_set)
    except KeyboardInterrupt:
        print("narrate: stopped watching; finished takes are kept", file=sys.stderr)
    return 0
