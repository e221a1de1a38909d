"""The command line: argument parsing, `check` (one record or a batch), and the other commands.

`dlsh_rules.cli:main` is the console script's entry point (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from .main import main as run

    return run(argv)
