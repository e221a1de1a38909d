"""Documented import path (docs/api.md, docs/security.md) of the loader: it lives in `load.source`."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Resolved on first use, so importing this package costs nothing until a name is read.
    import importlib

    module = importlib.import_module("dlsh_rules.load.source")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
