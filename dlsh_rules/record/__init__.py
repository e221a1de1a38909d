"""The record stage: the record model, its enumerations, validation and the fast validation plan.

`load_record`, `validate_record`, `RecordData` and the rest of `record.validate` are importable from
here, as docs/api.md documents."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Resolved on first use, so importing this package costs nothing until a name is read.
    import importlib

    module = importlib.import_module("dlsh_rules.record.validate")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
