"""`narrate preview (SCRIPT [--segment ID] | --text TEXT)`: written -> spoken -> IPA, highlighted by class."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError
from ..preview import preview_script, preview_text
from .common import print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("preview", help="show what narrate will say: written text with normalized spans, spoken text, IPA",
                       description="For each segment of SCRIPT (or for --text TEXT): the written text with every normalized span "
                                   "highlighted by class, the spoken text, and its pronunciation in IPA (espeak-ng).")
    p.add_argument("script", nargs="?", type=Path, help="the narration script")
    p.add_argument("--segment", metavar="ID", help="only this segment (ids as 'narrate segments' shows them)")
    p.add_argument("--text", help="preview this text instead of a script")
    p.add_argument("--voice", help="voice profile whose lexicons apply (default: front matter or 'default')")
    p.add_argument("--no-ipa", action="store_true", help="skip the IPA line (no espeak-ng needed)")
    p.add_argument("--json", action="store_true", help='print {"segments": [...]} as JSON')
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if (args.script is None) == (args.text is None):
        raise InputError("give either a SCRIPT or --text TEXT (not both)" if args.script else "give a SCRIPT or --text TEXT to preview")
    if args.segment and args.text is not None:
        raise InputError("--segment applies to a SCRIPT, not to --text")
    if args.text is not None:
        segments = preview_text(args.text, voice=args.voice, ipa=not args.no_ipa)
    else:
        segments = preview_script(args.script, segment=args.segment, voice=args.voice, ipa=not args.no_ipa)
    if args.json:
        print_json({"segments": [s.as_json() for s in segments]})
        return 0
    from .preview_view import render_preview

    render_preview(segments)
    return 0
