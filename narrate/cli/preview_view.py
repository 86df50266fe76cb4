"""Lay out preview segments with rich: spans coloured by class with a legend, then the spoken text and IPA."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from ..preview import PreviewSegment

#: Span class -> (legend group, style). Classes not listed fall into "other".
GROUPS: dict[str, tuple[str, str]] = {
    "cardinal": ("number", "bold cyan"),
    "decimal": ("number", "bold cyan"),
    "percent": ("number", "bold cyan"),
    "ordinal": ("number", "bold cyan"),
    "fraction": ("number", "bold cyan"),
    "range": ("number", "bold cyan"),
    "roman": ("number", "bold cyan"),
    "measure": ("unit", "bold green"),
    "money": ("money", "bold yellow"),
    "date": ("date", "bold magenta"),
    "time": ("date", "bold magenta"),
    "year": ("date", "bold magenta"),
    "acronym": ("acronym", "bold blue"),
    "abbreviation": ("acronym", "bold blue"),
    "lexicon": ("lexicon", "bold bright_green underline"),
    "symbol": ("symbol", "bold bright_cyan"),
    "electronic": ("symbol", "bold bright_cyan"),
    "address": ("address", "bold bright_magenta"),
    "unknown": ("unknown", "bold white on red"),
}
OTHER = ("other", "bold bright_white")


def group_of(cls: str) -> tuple[str, str]:
    return GROUPS.get(cls, OTHER)


def make_console() -> Any:
    """A Console writing plain text (no ANSI at all) to pipes and under NO_COLOR, colour to terminals."""
    from rich.console import Console

    plain = bool(os.environ.get("NO_COLOR")) or not sys.stdout.isatty()
    return Console(color_system=None if plain else "auto", highlight=False, emoji=False, soft_wrap=False, no_color=plain)


def _legend(segments: Iterable[PreviewSegment], plain: bool) -> Any:
    from rich.text import Text

    seen: dict[str, str] = {}
    for seg in segments:
        for span in seg.spans:
            group, style = group_of(span.cls)
            seen.setdefault(group, style)
    legend = Text("legend: ", style="dim")
    if not seen:
        legend.append("no normalized spans", style="dim")
    elif plain:
        legend.append("[normalized spans] in brackets; classes: " + ", ".join(seen))
        return legend
    for i, (group, style) in enumerate(seen.items()):
        if i:
            legend.append("  ")
        legend.append(f" {group} ", style=style)
    return legend


def _written(seg: PreviewSegment, plain: bool) -> Any:
    from rich.text import Text

    text = Text()
    for run in seg.runs:
        if run.cls is None:
            text.append(run.text)
        elif plain:
            text.append(f"[{run.text}]")  # without colour, brackets show where a span is
        else:
            text.append(run.text, style=group_of(run.cls)[1])
    return text


def _spans(seg: PreviewSegment, plain: bool) -> Any:
    from rich.text import Text

    text = Text()
    for i, span in enumerate(seg.spans):
        if i:
            text.append("\n")
        group, style = group_of(span.cls)
        text.append(span.written, style=None if plain else style)
        text.append(" → ")
        text.append(span.spoken)
        text.append(f"  ({span.cls})", style="dim")
    return text


LABEL = 9  # "written: " and the hanging indent under it


def _row(con: Any, label: str, body: Any) -> None:
    """``label`` then ``body`` wrapped to the console width, continuation lines indented under the body."""
    from rich.text import Text

    width = max(con.width - LABEL, 20)
    lines = body.wrap(con, width, overflow="fold") if body.plain else [Text("")]
    for i, line in enumerate(lines):
        line.rstrip()
        prefix = Text(f"{label:<{LABEL}}" if i == 0 else " " * LABEL, style="dim")
        con.print(prefix + line, soft_wrap=True)


def render_preview(segments: list[PreviewSegment], console: Any | None = None) -> None:
    """Print each segment: id and line, the written text highlighted, its spans, then spoken and IPA."""
    from rich.text import Text

    con = console or make_console()
    plain = con.color_system is None
    con.print(_legend(segments, plain))
    for seg in segments:
        con.print()
        head = Text(f"{seg.id}", style="bold")
        head.append(f"  line {seg.line}", style="dim")
        if seg.kind != "narration":
            head.append(f"  {seg.kind}: not narrated", style="yellow")
        con.print(head)
        _row(con, "written:", _written(seg, plain))
        if seg.kind != "narration":
            continue
        if seg.spans:
            _row(con, "spans:", _spans(seg, plain))
        _row(con, "spoken:", Text(seg.spoken))
        if seg.ipa is not None:
            _row(con, "IPA:", Text(seg.ipa, style="" if plain else "italic"))
