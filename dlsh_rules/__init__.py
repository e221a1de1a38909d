"""dlsh_rules: check a democratic life meeting (民主生活会) record against its implementation plan.

>>> import dlsh_rules
>>> report = dlsh_rules.check("docs/examples/bureau-2024.yaml")
>>> report.summary.compliant
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "1.0.0"

__all__ = [
    "InputError",
    "Pack",
    "RecordData",
    "Report",
    "__version__",
    "check",
    "load_pack",
    "load_record",
]

if TYPE_CHECKING:
    from .errors import InputError
    from .evaluate.engine import check
    from .evaluate.results import Report
    from .pack.loader import Pack, load_pack
    from .record.validate import RecordData, load_record

_LAZY = {
    "check": ("evaluate.engine", "check"),
    "InputError": ("errors", "InputError"),
    "Pack": ("pack.loader", "Pack"),
    "load_pack": ("pack.loader", "load_pack"),
    "RecordData": ("record.validate", "RecordData"),
    "load_record": ("record.validate", "load_record"),
    "Report": ("evaluate.results", "Report"),
}


def __getattr__(name: str) -> Any:
    # Imports are deferred so that `python -m dlsh_rules --help` does not pay for pydantic.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
