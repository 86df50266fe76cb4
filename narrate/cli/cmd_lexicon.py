"""`narrate lexicon list|add|remove|import|export`: edit the project lexicon; W3C PLS in and out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ..lexicon import (
    Entry,
    add_entry,
    dumps,
    export_pls,
    import_pls,
    load_lexicon,
    merge,
    project_lexicon_path,
    read_or_empty,
    remove_entry,
    write_lexicon_file,
)


def _target(args: argparse.Namespace) -> Path:
    """The project lexicon: --file, or lexicon.toml beside --script, or in the current directory."""
    if args.file:
        return Path(args.file)
    if args.script:
        script = Path(args.script)
        if not script.exists():
            raise InputError(f"{script}: no such script; give an existing script or use --file")
        return project_lexicon_path(script.resolve().parent)
    return project_lexicon_path(Path.cwd())


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "lexicon",
        help="the project lexicon: list, add, remove, import, export (W3C PLS)",
        description="Edit the project lexicon (lexicon.toml in the current directory, beside --script, or --file).",
    )
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--file", metavar="FILE", help="the lexicon file to use (default: ./lexicon.toml)")
    where.add_argument("--script", metavar="SCRIPT", help="use lexicon.toml beside this script")
    cmds = p.add_subparsers(dest="lexicon_command", metavar="ACTION")
    cmds.required = True

    ls = cmds.add_parser("list", parents=[where], help="list the project's terms (--all: with the package lexicon)")
    ls.add_argument("--all", action="store_true", help="also list the package lexicon's terms the project does not override")
    ls.set_defaults(func=run_list)

    add = cmds.add_parser("add", parents=[where], help="add or replace a term")
    add.add_argument("term", help="the written form, e.g. ISF or Qayrawan")
    how = add.add_mutually_exclusive_group(required=True)
    how.add_argument("--say", metavar="TEXT", help="words to say instead")
    how.add_argument("--spell", action="store_true", help="say it letter by letter")
    how.add_argument("--phonemes", metavar="PH", help="espeak-ng mnemonics or IPA (engines without phonemes say the term)")
    add.add_argument("--also-say", metavar="TEXT", dest="also_say", help="with --phonemes: the words engines without phonemes say")
    add.add_argument("--expand", metavar="TEXT", help="the expansion spoken when a profile sets expand_acronyms")
    add.add_argument("--case-insensitive", action="store_true", help="match the term in any case")
    add.set_defaults(func=run_add)

    rm = cmds.add_parser("remove", parents=[where], help="remove a term from the project lexicon")
    rm.add_argument("term")
    rm.set_defaults(func=run_remove)

    imp = cmds.add_parser("import", parents=[where], help="merge a W3C PLS file into the project lexicon")
    imp.add_argument("pls", metavar="FILE.pls")
    imp.set_defaults(func=run_import)

    exp = cmds.add_parser("export", parents=[where], help="print the project lexicon (TOML, or W3C PLS with --pls)")
    exp.add_argument("--pls", action="store_true", help="W3C PLS 1.0 XML (ElevenLabs, Azure, Polly)")
    exp.add_argument("--all", action="store_true", help="include the package lexicon")
    exp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    exp.set_defaults(func=run_export)


def run_list(args: argparse.Namespace) -> int:
    path = _target(args)
    entries = list(load_lexicon([path]).entries) if args.all else read_or_empty(path)
    if not entries:
        print(f"no terms in {path}; add one with `narrate lexicon add TERM --say TEXT`", file=sys.stderr)
        return 0
    width = max(len(e.written) for e in entries)
    for e in sorted(entries, key=lambda e: e.written.casefold()):
        print(f"{e.written:<{width}}  {e.describe()}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    path = _target(args)
    entry = Entry(
        written=args.term,
        say=args.say if args.say is not None else args.also_say,
        spell=bool(args.spell),
        phonemes=args.phonemes,
        case_sensitive=not args.case_insensitive,
        expand=args.expand,
    )
    old = add_entry(path, entry)
    print(f"{'replaced' if old else 'added'} {entry.written}: {entry.describe()} ({path})")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    path = _target(args)
    removed = remove_entry(path, args.term)
    print(f"removed {removed.written} ({path})")
    return 0


def run_import(args: argparse.Namespace) -> int:
    path = _target(args)
    new = import_pls(Path(args.pls))
    write_lexicon_file(path, merge(read_or_empty(path), new))
    print(f"imported {len(new)} term(s) from {args.pls} into {path}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    path = _target(args)
    entries = list(load_lexicon([path]).entries) if args.all else read_or_empty(path)
    text = export_pls(entries) if args.pls else dumps(entries)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
