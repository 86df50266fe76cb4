"""The one place rich draws progress and summaries (the library only calls back)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from .common import console

_LABELS = {"plan": "Planning", "synthesize": "Synthesizing", "stitch": "Stitching"}


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Any]:
    """Yields an ``on_progress(stage, done, total)`` callback drawing a bar on stderr."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    con = console(stderr=True)
    bar = Progress(TextColumn("{task.description:<13}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=con, transient=True)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(_LABELS.get(stage, stage), total=max(total, 1))
        bar.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

    with bar:
        yield update


def waiting_note() -> None:
    print("narrate: another render is using this cache; waiting for it to finish…", file=sys.stderr)


def summary(result: Any, verb: str = "Rendered") -> None:
    from rich.table import Table

    con = console()
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    minutes, seconds = divmod(result.duration_s, 60)
    t.add_row("segments", f"{result.segments} narrated ({result.synthesized} synthesized, {result.reused} reused)")
    t.add_row("audio", f"{int(minutes)}:{seconds:04.1f}")
    if result.loudness_lufs is not None:
        t.add_row("loudness", f"{result.loudness_lufs:.1f} LUFS (target {result.loudness_target_lufs:g})")
    t.add_row("took", f"{result.elapsed_s:.1f} s")
    t.add_row("output", str(result.output))
    for kind, path in sorted(result.subtitles.items()):
        t.add_row(kind, str(path))
    con.print(f"[bold green]{verb}[/]")
    con.print(t)
