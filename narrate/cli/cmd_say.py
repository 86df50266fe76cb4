"""`narrate say TEXT [--voice NAME] [-o FILE] [--play]`: hear one word or phrase as a script would say it."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ..say import play, require_player, say
from .common import console, print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("say", help="synthesize a word or phrase with a voice and its lexicons; write it or play it",
                       description="Synthesize TEXT with the voice profile and lexicons a script would use (the project lexicon "
                                   "in the current folder included). Without -o or --play the audio is written to say.wav.")
    p.add_argument("text", help="the word or phrase")
    p.add_argument("--voice", help="voice profile (default: 'default')")
    p.add_argument("-o", "--output", type=Path, help="write the audio here (.wav; other extensions are converted with ffmpeg)")
    p.add_argument("--play", action="store_true", help="play it with the first of aplay, paplay, ffplay, afplay found")
    p.add_argument("--json", action="store_true", help="print one JSON object describing the file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    con = console(stderr=args.json)
    if args.play:
        require_player()  # no player: say so (exit 3) before synthesizing anything
    if args.output is None and args.play:
        with tempfile.TemporaryDirectory(prefix="narrate-say-") as tmp:
            said = say(args.text, Path(tmp) / "say.wav", voice=args.voice)
            used = play(said.path)
        if args.json:
            print_json({"output": None, "duration_s": round(said.duration_s, 3), "spoken": said.spoken, "voice": said.voice, "played_with": used})
        else:
            con.print(f'played "{said.spoken}" ({said.duration_s:.2f} s, voice {said.voice}) with {used}', markup=False)
        return 0
    out = args.output if args.output is not None else Path("say.wav")
    said = say(args.text, out, voice=args.voice)
    player = play(said.path) if args.play else None
    if args.json:
        print_json({"output": str(said.path), "duration_s": round(said.duration_s, 3), "spoken": said.spoken, "voice": said.voice, "played_with": player})
        return 0
    where = "" if args.output is not None else " in the current folder (no -o given)"
    con.print(f'wrote {said.path}{where}: "{said.spoken}", {said.duration_s:.2f} s, voice {said.voice}', markup=False)
    if player:
        con.print(f"played with {player}", markup=False)
    return 0
