"""Helpers shared by the command modules: JSON output and console creation."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def print_json(doc: Any) -> None:
    """Exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def console(stderr: bool = False) -> Any:
    """A rich Console that honours NO_COLOR and plain pipes."""
    from rich.console import Console

    return Console(stderr=stderr, no_color=bool(os.environ.get("NO_COLOR")), highlight=False)
