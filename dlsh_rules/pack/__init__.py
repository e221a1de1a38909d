"""The pack stage: locating, loading, checking, compiling and caching rule packs.

`load_pack`, `Pack` and the rest of `pack.loader` (and the language models, as before) are
importable from here, as docs/api.md documents."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Resolved on first use, so importing this package costs nothing until a name is read.
    import importlib

    module = importlib.import_module("dlsh_rules.pack.loader")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
