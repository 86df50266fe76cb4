"""Test cases as data: ``input~expected`` lines (``#`` comments and blank lines skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def cases(*parts: str) -> list[object]:
    """pytest params from every ``*.txt`` under ``tests/data/<parts>`` (or that one file)."""
    base = DATA.joinpath(*parts)
    files = sorted(base.glob("*.txt")) if base.is_dir() else [base]
    out: list[object] = []
    for f in files:
        for n, raw in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            written, sep, expected = raw.partition("~")
            if not sep:
                raise ValueError(f"{f}:{n}: no '~' in case line")
            out.append(pytest.param(written, expected, id=f"{f.stem}:{n}"))
    return out
