"""`narrate check SCRIPT [--json] [--strict] [--voice NAME]`: findings to act on before rendering."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..check import CheckReport, check_report
from .common import console, print_json

_STYLE = {"warning": "yellow", "info": "dim"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="report what to fix before rendering: unknown acronyms, misspellings, ambiguous forms, skips",
                       description="Check SCRIPT before rendering: all-caps terms with no lexicon entry, probable misspellings, "
                                   "ambiguous forms ('300m'), digits left unspoken, sentences that will be split, credit lines and "
                                   "appeals that will be skipped, and per-paragraph readability and duration.")
    p.add_argument("script", type=Path, help="the narration script")
    p.add_argument("--voice", help="voice profile for the script (its lexicons and rate apply)")
    p.add_argument("--json", action="store_true", help='print {"findings": [...], "paragraphs": [...]} as JSON')
    p.add_argument("--strict", action="store_true", help="exit 1 when there is any warning (info findings such as skipped credits do not count)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    report = check_report(args.script, voice=args.voice)
    if args.json:
        print_json(report.as_json())
    else:
        render_report(report, str(args.script))
    return 1 if args.strict and report.warnings else 0


def render_report(report: CheckReport, name: str) -> None:
    from rich.table import Table
    from rich.text import Text

    con = console()
    if report.findings:
        t = Table(title=f"narrate check: {name}", title_justify="left", expand=True, show_lines=False)
        t.add_column("line", justify="right", no_wrap=True)
        t.add_column("kind", no_wrap=True)
        t.add_column("text", ratio=1, max_width=28, overflow="fold")
        t.add_column("what narrate will do → fix", ratio=3, overflow="fold")
        for f in report.findings:
            body = Text(f.message)
            if f.suggestion:
                body.append("\n→ ")
                body.append(f.suggestion, style="bold")
            t.add_row(str(f.line), Text(f.kind, style=_STYLE.get(f.severity, "")), Text(f.text), body)  # Text: never markup
        con.print(t)
    p = Table(title="paragraphs", title_justify="left", expand=False)
    for col in ("¶", "line", "words", "reading ease", "grade", "duration"):
        p.add_column(col, justify="right", no_wrap=True)
    for s in report.paragraphs:
        minutes, seconds = divmod(s.estimated_s, 60)
        ease = Text(f"{s.reading_ease:.0f}", style="yellow" if s.reading_ease < 30 else "")
        p.add_row(str(s.paragraph), str(s.line), str(s.words), ease, f"{s.grade:.1f}", f"{int(minutes)}:{seconds:04.1f}")
    con.print(p)
    total = sum(s.estimated_s for s in report.paragraphs)
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in counts.items()) or "nothing to fix"
    con.print(Text(f"{len(report.warnings)} warnings, {len(report.findings) - len(report.warnings)} info ({summary}); "
              f"about {total / 60:.1f} min of narration. Reading ease: 60+ plain, under 30 hard to follow by ear."))
