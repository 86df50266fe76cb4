"""``python -m narrate``: the same as the ``narrate`` command."""

from .cli import run

if __name__ == "__main__":  # spawned workers import this module as __mp_main__
    run()
