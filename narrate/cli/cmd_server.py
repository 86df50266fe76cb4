"""`narrate server start|stop|status [--json]`: the warm process that runs renders (see narrate.server)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from .. import server
from ..errors import InputError
from .common import console, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "server", help="the warm process that runs renders: start, stop, status",
        description="narrate keeps a warm process that runs 'render' and 'regen' for the command line, so a re-render "
                    "skips the start-up work. The first render starts it; it exits after NARRATE_SERVER_IDLE seconds "
                    "(default 600) without a command. NARRATE_SERVER=0 turns it off.")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "start":
        if not server.enabled():
            raise InputError("the narrate server is turned off here (NARRATE_SERVER=0, or no Unix sockets)")
        info = server.start()
        if info is None:
            raise InputError("the narrate server did not start; renders run in their own processes")
        doc: dict[str, Any] = {"running": [info], "started": True}
    elif args.action == "stop":
        doc = {"stopped": server.stop_all()}
    else:
        doc = {"enabled": server.enabled(), "running": server.running()}
    if args.json:
        print_json(doc)
        return 0
    con = console()
    if args.action == "stop":
        con.print(f"stopped {doc['stopped']} narrate server(s)")
        return 0
    if args.action == "status" and not doc["enabled"]:
        con.print("the narrate server is off (NARRATE_SERVER=0): every command runs in its own process")
    for s in doc["running"]:
        age = time.time() - float(s.get("started", time.time()))
        tag = "" if s.get("current", True) else " (of another narrate installation or version; exits when idle)"
        con.print(f"narrate server pid {s['pid']}, up {age:.0f} s{tag}")
    if not doc["running"]:
        con.print("no narrate server is running; the next render starts one")
    return 0
