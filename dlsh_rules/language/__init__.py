"""The rule language: its models (`Rule`, `Manifest`, the check specs), paths, selections,
conditions and operators.

The models of `language.models` are importable from here, as docs/api.md documents; reading one
imports pydantic."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Resolved on first use, so importing this package costs nothing until a name is read.
    import importlib

    module = importlib.import_module("dlsh_rules.language.models")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
