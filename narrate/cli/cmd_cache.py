"""`narrate cache info|prune`: the take cache."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cache import TakeCache, cache_root
from .common import console, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("cache", help="the take cache: info, prune", description="Inspect or prune the take cache (NARRATE_CACHE_DIR or .narrate/ beside the script).")
    p.add_argument("action", choices=["info", "prune"])
    p.add_argument("script", nargs="?", type=Path, help="a script whose cache to use (default: .narrate/ in the current folder)")
    p.add_argument("--dry-run", action="store_true", help="prune: only say what would go")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cache = TakeCache(cache_root(args.script))
    doc = cache.info() if args.action == "info" else {"root": str(cache.root), **cache.prune(dry_run=args.dry_run)}
    if args.json:
        print_json(doc)
        return 0
    con = console()
    if args.action == "info":
        spare = f" (and {doc['spare_bytes'] / 1e6:.1f} MB of spare tracks)" if doc["spare_bytes"] else ""
        con.print(f"{doc['root']}: {doc['takes']} takes of {doc['segments']} segments, {doc['bytes'] / 1e6:.1f} MB{spare}, "
                  f"{doc['renders']} scripts rendered")
    else:
        verb = "would remove" if args.dry_run else "removed"
        con.print(f"{doc['root']}: {verb} {doc['removed_segments']} unused segments ({doc['freed_bytes'] / 1e6:.1f} MB); kept {doc['kept_segments']}")
    return 0
