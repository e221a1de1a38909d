import os
import sys

# `python -m` puts the current directory first on sys.path; the files being checked often sit
# there, and a yaml.py among them must never be imported. The package itself is already loaded.
_cwd = os.getcwd()
sys.path[:] = [p for p in sys.path if p not in ("", ".", _cwd)]

from .cli import run_program  # noqa: E402

sys.exit(run_program())
