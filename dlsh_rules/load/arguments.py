"""The public API's arguments, checked where they come in.

A wrong type used to travel into the engine and fail there (an AttributeError from deep inside,
or worse, no error: a string given for a list of rule ids or of paths was iterated character by
character, and `check(select="prep.talks.form")` returned an empty report marked compliant). Each
public function calls these first, so a mistake is a `TypeError` or `ValueError` that names the
argument, before any work is done. Messages are in English, as Python's own are: they are read
by the programmer who called the function.

They live in the first stage that takes a path (docs/architecture.md), so that every later
stage may use them; the checks that need the pack's rules or the `Waiver` type are in
`evaluate/engine.py` (`check_selection`, `waiver_list`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any


def _type_name(value: object) -> str:
    return type(value).__name__


def path_like(value: object, name: str) -> str | os.PathLike[str]:
    """A single path: ``str`` or ``os.PathLike[str]`` (bytes paths are not supported)."""
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike) and isinstance(os.fspath(value), str):
        return value
    raise TypeError(f"{name} must be a str or os.PathLike path, not {_type_name(value)}")


def paths(value: object, name: str = "paths") -> list[str | os.PathLike[str]]:
    """One path or an iterable of them; a single path stands for itself, not its characters."""
    if isinstance(value, (str, os.PathLike)):
        return [path_like(value, name)]
    if isinstance(value, (bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{name} must be a path or an iterable of paths (str or os.PathLike), "
            f"not {_type_name(value)}"
        )
    return [path_like(item, f"{name}[{i}]") for i, item in enumerate(value)]


def day(value: object, name: str) -> dt.date | None:
    """None or a ``datetime.date``; a datetime (a date subclass) or a string is refused."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    hint = " (use datetime.date.fromisoformat)" if isinstance(value, str) else ""
    if isinstance(value, dt.datetime):
        hint = " (use its .date())"
    raise TypeError(f"{name} must be a datetime.date or None, not {_type_name(value)}{hint}")


def selectors(value: object, name: str) -> tuple[str, ...]:
    """Rule ids or dotted prefixes: one string, or an iterable of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{name} must be a rule id, or an iterable of rule ids, not {_type_name(value)}"
        )
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise TypeError(f"{name}[{i}] must be a non-empty str rule id, not {item!r}")
    return items


def jobs(value: object) -> int | None:
    if value is None:
        return None
    if type(value) is not int:
        raise TypeError(f"jobs must be a positive int or None, not {_type_name(value)}")
    if value < 1:
        raise ValueError(f"jobs must be at least 1, not {value}")
    return value


def record_source(value: Any, name: str = "record") -> None:
    """What `load_record` takes: a path, a mapping, or a loaded `Document`."""
    from .document import Document

    if isinstance(value, (Mapping, Document)):
        return
    try:
        path_like(value, name)
    except TypeError:
        raise TypeError(
            f"{name} must be a path (str or os.PathLike), a mapping or a "
            f"dlsh_rules.source.Document, not {_type_name(value)}"
        ) from None
