"""Every command has help text and is documented; the README's quick start names real files."""

from __future__ import annotations

import argparse
import re

import pytest

from conftest import ROOT
from narrate.cli import COMMAND_MODULES, build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTRACT_COMMANDS = ["render", "segments", "regen", "takes", "normalize", "preview", "say", "check", "voices", "lexicon", "cache"]
#: Commands added beyond the contract; README documents them.
ADDED_COMMANDS = ["watch", "server"]
ALL_COMMANDS = CONTRACT_COMMANDS + ADDED_COMMANDS


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_contract_command_exists() -> None:
    assert sorted(subcommands()) == sorted(ALL_COMMANDS) == sorted(COMMAND_MODULES)


@pytest.mark.parametrize("name", ALL_COMMANDS)
def test_command_has_help_and_is_in_readme(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = subcommands()[name]
    assert parser.description or parser.format_help()
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([name, "--help"])
    assert exit_info.value.code == 0
    assert len(capsys.readouterr().out) > 80
    assert f"narrate {name}" in README


@pytest.mark.parametrize("name", ALL_COMMANDS)
def test_parser_for_one_command_is_that_command_of_the_full_parser(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    # main() builds a parser with only the command it runs (no import of every command's library).
    full = subcommands()[name].format_help()
    for argv in ([name, "x"], ["--debug", name]):
        parser = build_parser(argv)
        [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        assert list(action.choices) == [name]
        assert action.choices[name].format_help() == full
    # Anything else (help, no command, an unknown one) gets every command, so usage errors list them all.
    for argv in (["--help"], [], ["rendr"], ["--debug"]):
        [action] = [a for a in build_parser(argv)._actions if isinstance(a, argparse._SubParsersAction)]
        assert sorted(action.choices) == sorted(ALL_COMMANDS)


def test_quick_start_is_two_commands_on_real_files() -> None:
    section = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.strip() for line in section.splitlines() if line.startswith("    ") and line.strip()]
    assert len(commands) == 2
    render, test = commands
    assert render.startswith("bin/narrate render ") and test == "bin/test"
    script = render.split()[2]
    assert (ROOT / script).is_file()
    assert (ROOT / "bin" / "setup").is_file() and (ROOT / "bin" / "test").is_file()


def test_no_shell_true_anywhere() -> None:
    offenders = []
    for path in list((ROOT / "narrate").rglob("*.py")) + list((ROOT / "benchmarks").rglob("*.py")) + list((ROOT / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            if re.search(r"shell\s*=\s*True", line) and path.name != "test_docs.py":
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
            if re.search(r"\bos\.system\(|\bos\.popen\(", line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []
