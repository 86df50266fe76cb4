"""`narrate normalize [TEXT]`: print the spoken form of TEXT (stdin when absent)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..lexicon import load_lexicon, project_lexicon_path
from ..normalize import NormalizeOptions, normalize


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("normalize", help="print the spoken form of TEXT (stdin when absent)", description="Print the spoken form of TEXT, or of standard input when TEXT is absent, one line per input line.")
    p.add_argument("text", nargs="?", help="text to normalize; read from stdin when absent")
    p.add_argument("--lexicon", metavar="FILE", action="append", default=[], help="extra lexicon layer(s); ./lexicon.toml is used when present")
    p.add_argument("--expand-acronyms", action="store_true", help="say acronyms' expansions where the lexicon has one")
    p.add_argument("--read-repeated-acronyms", action="store_true", help='also read "(ISF)" right after its expansion')
    p.add_argument("--and", dest="number_and", action="store_true", help='British numbers, "one hundred and twenty" (the default is American, "one hundred twenty", as in the library)')
    # "--no-and" asked for the American reading when the CLI said "and" by default; that is the default now
    p.add_argument("--no-and", dest="number_and", action="store_false", help=argparse.SUPPRESS)
    p.add_argument("--ungrouped-as-digits", action="store_true", help='read an ungrouped number of five or more digits as a code, "No. 80417" -> "number eight zero four one seven" (for text that writes quantities "16,000")')
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = args.text if args.text is not None else sys.stdin.read()
    lexicon = load_lexicon([project_lexicon_path(Path.cwd()), *map(Path, args.lexicon)])
    options = NormalizeOptions(expand_acronyms=args.expand_acronyms, read_repeated_acronyms=args.read_repeated_acronyms, number_and=args.number_and,
                                ungrouped_as_digits=args.ungrouped_as_digits)
    for line in text.splitlines() or [""]:
        print(normalize(line, lexicon, options))
    return 0
