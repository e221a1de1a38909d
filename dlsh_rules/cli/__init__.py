"""The command line: argument parsing, `check` (one record or a batch), and the other commands.

`dlsh_rules.cli:main` is the console script's entry point (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from .main import main as run

    # Importing the submodule `cli.main` binds the package's attribute `main` to that module;
    # bind it back to this function, so `dlsh_rules.cli.main(...)` works on every call.
    globals()["main"] = _entry
    return run(argv)


_entry = main
