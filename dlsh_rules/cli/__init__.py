"""The command line: argument parsing, `check` (one record or a batch), and the other commands.

`dlsh_rules.cli:main` is the console script's entry point (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the console script, or a caller who means sys.argv
        return run_program()
    from .main import main as run

    # Importing the submodule `cli.main` binds the package's attribute `main` to that module;
    # bind it back to this function, so `dlsh_rules.cli.main(...)` works on every call.
    globals()["main"] = _entry
    return run(argv)


_entry = main
_FREEZE_AT_EXIT: list[bool] = []


def run_program() -> int:
    """The command line of ``sys.argv``, as `dlsh-rules` and `python -m dlsh_rules` run it.

    The cyclic garbage collector is off while the tool starts (issue 13): importing the package
    and unpickling the cached pack make tens of thousands of objects that live until exit, and
    each collection walked them again. `check RECORD` of one file frees what it drops by
    reference counting (its heavy steps already pause the collector, load/perf.py), so for that
    command line it stays off; every other one, a batch above all, turns it back on before
    running. Afterwards the collector is as it was.

    At exit, what is still alive is frozen (an atexit handler, which runs before the
    interpreter's own collections as it shuts down): those collections no longer walk the
    package, the pack, the record and the report, about 8 ms of a 90 ms `check`. Nothing is
    lost: the memory goes back to the operating system, output is flushed and files closed
    as before.
    """
    import atexit
    import gc
    import sys

    collector = gc.isenabled()
    gc.disable()
    try:
        from .main import main as run
        from .main import one_record_checked

        globals()["main"] = _entry
        if collector and not one_record_checked(sys.argv[1:]):
            gc.enable()
        return run(None)
    finally:
        if collector and not gc.isenabled():
            # Switched on now, it would first walk every object made while it was off: what is
            # alive is frozen first (as at exit, below).
            gc.freeze()
            gc.enable()
        if not _FREEZE_AT_EXIT:
            _FREEZE_AT_EXIT.append(True)
            atexit.register(gc.freeze)
