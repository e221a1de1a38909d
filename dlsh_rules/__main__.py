import gc
import os
import sys

# The cyclic garbage collector is off while the tool starts (issue 13). Importing the package and
# unpickling the cached pack make tens of thousands of objects that live until exit, and each
# collection walks them again; `check RECORD` frees what it drops by reference counting (the
# check already pauses the collector around its own work, load/perf.py), so for that command it
# stays off. Every other command, a batch above all, turns it back on before it starts.
gc.disable()

# `python -m` puts the current directory first on sys.path; the files being checked often sit
# there, and a yaml.py among them must never be imported. The package itself is already loaded.
_cwd = os.getcwd()
sys.path[:] = [p for p in sys.path if p not in ("", ".", _cwd)]

from .cli.main import main, one_record_checked  # noqa: E402

if not one_record_checked(sys.argv[1:]):
    gc.enable()
_status = main()
# Objects still alive now live until the process ends; frozen, the collections the interpreter
# makes while it shuts down no longer walk them (about 8 ms of a 90 ms `check`). Nothing is
# lost: the operating system takes the memory back, and output is flushed and files are closed
# as before (atexit handlers run first).
gc.freeze()
sys.exit(_status)
