"""`narrate render SCRIPT [-o OUT] [--voice NAME] [--jobs N] [--json]`: the whole pipeline, incremental."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..render import RenderOptions, render
from .common import print_json
from .ui import progress_bar, summary, waiting_note


def add_output_options(p: argparse.ArgumentParser) -> None:
    """Options shared by render and regen."""
    p.add_argument("script", type=Path, help="the narration script (UTF-8 text)")
    p.add_argument("-o", "--output", type=Path, help="output audio file; the extension picks the format (default: SCRIPT.wav)")
    p.add_argument("--voice", help="voice profile for the script (default: front matter or 'default')")
    p.add_argument("--jobs", type=int, default=None, help="takes synthesized at once: N-1 worker processes and this one (default: number of cores)")
    p.add_argument("--loudness", help="target loudness: podcast (-16), broadcast (-23), audiobook, or LUFS as a number")
    p.add_argument("--sample-rate", type=int, help="output sample rate in Hz (default: the engine's)")
    p.add_argument("--bitrate", help="bitrate for lossy formats, e.g. 128k")
    p.add_argument("--no-subtitles", action="store_true", help="do not write .srt, .vtt and .timings.json")
    p.add_argument("--music", type=Path, help="a music bed laid under the voice, ducked while it speaks")
    p.add_argument("--music-gain", type=float, default=-20.0, metavar="DB", help="music bed level in dB (default -20)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of progress and a summary")


def options_from(args: argparse.Namespace) -> RenderOptions:
    from ..errors import InputError

    if args.jobs is not None and not 1 <= args.jobs <= 64:
        raise InputError(f"--jobs {args.jobs} is out of range 1..64")
    if args.sample_rate is not None and not 8000 <= args.sample_rate <= 192000:
        raise InputError(f"--sample-rate {args.sample_rate} is out of range 8000..192000")
    if args.music is not None and not args.music.is_file():
        raise InputError(f"--music {args.music}: no such file")
    return RenderOptions(
        output=args.output,
        voice=args.voice,
        jobs=args.jobs,
        loudness=args.loudness,
        sample_rate=args.sample_rate,
        bitrate=args.bitrate,
        subtitles=not args.no_subtitles,
        music=args.music,
        music_gain_db=args.music_gain,
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("render", help="render a script to a voiceover track (only what changed is synthesized)",
                       description="Render SCRIPT to an audio track with subtitles and timings. Takes are cached: a re-render synthesizes only what changed.")
    add_output_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = options_from(args)
    show = not args.json and sys.stderr.isatty()
    with progress_bar(show) as on_progress:
        result = render(args.script, options, on_progress=on_progress, on_wait=None if args.json else waiting_note)
    if args.json:
        print_json(result.as_json())
    else:
        summary(result)
    return 0
