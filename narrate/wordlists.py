"""Word lists kept as data: a file in ``[section]`` parts, words separated by white space, ``#`` comments."""

from __future__ import annotations

from pathlib import Path


def sections(path: Path) -> dict[str, frozenset[str]]:
    """Each ``[section]`` of the file at ``path`` and its words (words before any header go under "")."""
    out: dict[str, set[str]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            out.setdefault(current, set())
            continue
        out.setdefault(current, set()).update(line.split())
    return {k: frozenset(v) for k, v in out.items()}
