"""`narrate segments SCRIPT [--json]`: the plan — ids, kinds, text, spoken, voice, pauses, estimates."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..plan import build_plan
from .common import console, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("segments", help="show the plan: every segment with id, kind, text, spoken form, voice, pause and estimate",
                       description="Show how SCRIPT is split and what each segment will say.")
    p.add_argument("script", type=Path, help="the narration script")
    p.add_argument("--voice", help="voice profile for the script")
    p.add_argument("--json", action="store_true", help='print {"segments": [...]} as JSON')
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    plan = build_plan(args.script, voice=args.voice)
    if args.json:
        print_json({"segments": [s.as_json() for s in plan.segments], "narrator": plan.narrator, "title": plan.title, "voice": plan.voice,
                    "estimated_s": round(sum(s.estimated_s + s.pause_after_s for s in plan.narrated), 2)})
        return 0
    from rich.table import Table

    t = Table(show_lines=False, expand=True)
    t.add_column("id", no_wrap=True)
    t.add_column("kind", no_wrap=True)
    t.add_column("text / spoken", ratio=1)
    t.add_column("voice", no_wrap=True)
    t.add_column("est s", justify="right", no_wrap=True)
    t.add_column("pause", justify="right", no_wrap=True)
    for s in plan.segments:
        body = s.text if s.spoken == s.text or not s.spoken else f"{s.text}\n[dim]→ {s.spoken}[/]"
        kind = s.kind if s.narrated else f"[yellow]{s.kind}[/]"
        t.add_row(s.id, kind, body, s.voice, f"{s.estimated_s:.1f}", f"{s.pause_after_s:.2f}")
    con = console()
    con.print(t)
    total = sum(s.estimated_s + s.pause_after_s for s in plan.narrated)
    extra = f", narrator {plan.narrator}" if plan.narrator else ""
    con.print(f"{len(plan.narrated)} narrated segments, about {total / 60:.1f} min{extra}")
    return 0
