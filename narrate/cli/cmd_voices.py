"""`narrate voices`: the voice profiles, or one engine's installed voices."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from .common import console, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "voices",
        help="list voice profiles, or an engine's installed voices",
        description="Without --engine: the voice profiles (voices/*.toml) a script can name. "
        "With --engine E: the voices engine E has installed (ids to put in a profile's 'voice').",
    )
    p.add_argument("--engine", metavar="E", help="list this engine's installed voices (pyttsx3, espeak-ng, piper, …)")
    p.add_argument("--dir", type=Path, default=None, help="also look for profiles in DIR/voices (a script's folder)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.engine:
        return _engine_voices(args.engine, args.json)
    from ..profiles import list_profiles

    profiles = list_profiles(args.dir)
    if args.json:
        print_json({"profiles": [p.as_json() for p in profiles.values()]})
        return 0
    from rich.table import Table

    table = Table(title="Voice profiles", title_justify="left")
    for col in ("name", "engine", "voice", "rate", "loudness"):
        table.add_column(col, justify="right" if col in {"rate", "loudness"} else "left", no_wrap=True)
    table.add_column("description", min_width=18)
    for p in profiles.values():
        table.add_row(p.name, p.engine, p.voice or "(default)", str(p.rate), f"{p.loudness_target:g} LUFS", p.description)
    console().print(table)
    return 0


def _engine_voices(name: str, as_json: bool) -> int:
    from ..engines import create_engine

    engine = create_engine(name)
    try:
        voices = engine.list_voices()
    finally:
        engine.close()
    if as_json:
        rows = [{**asdict(v), "languages": list(v.languages)} for v in voices]
        print_json({"engine": name, "voices": rows})
        return 0
    from rich.table import Table

    table = Table(title=f"Voices installed for {name}", title_justify="left")
    for col in ("id", "name", "languages", "gender"):
        table.add_column(col, no_wrap=col != "languages")
    for v in voices:
        table.add_row(v.id, v.name, ", ".join(v.languages), v.gender or "")
    out = console()
    out.print(table)
    if not voices:
        out.print(f"{name} lists no voices of its own" + (": a profile's voice is a model file path" if name == "piper" else ""))
    return 0
