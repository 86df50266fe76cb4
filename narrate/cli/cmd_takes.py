"""`narrate takes SCRIPT ID`: the takes kept for a segment."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..render import list_takes
from .common import console, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("takes", help="list the takes kept for a segment", description="List the takes kept for segment ID of SCRIPT; '*' marks the one renders use.")
    p.add_argument("script", type=Path)
    p.add_argument("id", help="segment id (see 'narrate segments')")
    p.add_argument("--voice", help="voice profile for the script")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    seg, takes, current = list_takes(args.script, args.id, voice=args.voice)
    rows = [{"take": t.number, "current": current is not None and t.number == current.number, "duration_s": round(t.duration_s, 3),
             "path": str(t.path), "created": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t.created))} for t in takes]
    if args.json:
        print_json({"id": seg.id, "text": seg.text, "takes": rows})
        return 0
    con = console()
    con.print(f"{seg.id}: {seg.text}")
    if not rows:
        con.print("no takes yet: run 'narrate render' first")
    for r in rows:
        mark = "*" if r["current"] else " "
        con.print(f" {mark} take {r['take']:>3}  {r['duration_s']:6.2f} s  {r['created']}  {r['path']}")
    return 0
