"""`python -m dlsh_rules.docgen [--check]`: regenerate (or check) the schemas and rule references.

The command's documented name; the generator lives in `authoring.docgen`.
"""

from __future__ import annotations

import sys

from .authoring.docgen import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
