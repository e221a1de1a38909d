"""Performance helpers that are not specific to one module (docs/performance.md)."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a record is loaded, validated or checked.

    These steps allocate millions of objects that stay alive (the record's data, its indexes,
    the rules' selections), and every full collection walks all of them again: on a 200-member
    record that made validation almost three times slower. What they build has no reference
    cycles and what they drop is freed by reference counting, so the collector has nothing to
    find there. It is switched back on afterwards, unless it was off to begin with.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Unusual(Exception):
    """A value `dumps_indented` leaves to `json.dumps`."""


def dumps_indented(value: object, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text, about three times
    faster for the plain data of a report; with ``indent``, every line after the first
    indented by it as well (``.replace("\n", "\n" + indent)`` of that text: each line break of
    indented JSON is its own, a string's being written ``\n``).

    With ``indent`` set, `json` in Python 3.11 writes through its pure-Python encoder, one
    generator per level: the JSON report of a batch spent about a sixth of its CPU there, in the
    parent process, after the workers were done. This writes dicts with text keys, lists,
    tuples, text, int, float, bool and None of exactly those types the way `json` does (strings
    through json's own C escaper, numbers by `int.__repr__` / `float.__repr__`, NaN and
    Infinity as `json` spells them), and hands anything else — other key types, subclasses,
    other objects — to `json.dumps` itself.
    """
    import json

    try:
        parts: list[str] = []
        _write(value, parts, "\n" + indent, json.encoder.encode_basestring)
        return "".join(parts)
    except (_Unusual, RecursionError, ValueError):
        # and a cycle, or an int too long to print: json raises its own error for those
        text = json.dumps(value, ensure_ascii=False, indent=2)
        return text.replace("\n", "\n" + indent) if indent else text


def _write(value: object, parts: list[str], newline: str, text: Callable[[str], str]) -> None:
    kind = type(value)
    if kind is dict:
        mapping: dict[object, object] = value  # type: ignore[assignment]
        if not mapping:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in mapping.items():
            if type(key) is not str:
                raise _Unusual
            parts.append(separator)
            parts.append(text(key))
            # the leaves of a report (text, null) written here, without a call for each
            if type(item) is str:
                parts.append(": ")
                parts.append(text(item))
            elif item is None:
                parts.append(": null")
            else:
                parts.append(": ")
                _write(item, parts, inner, text)
            separator = "," + inner
        parts.append(newline + "}")
    elif kind is list or kind is tuple:
        items: Sequence[object] = value  # type: ignore[assignment]
        if not items:
            parts.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in items:
            parts.append(separator)
            if type(item) is str:
                parts.append(text(item))
            else:
                _write(item, parts, inner, text)
            separator = "," + inner
        parts.append(newline + "]")
    elif kind is str:
        parts.append(text(value))  # type: ignore[arg-type]
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        number: float = value  # type: ignore[assignment]
        if number != number:
            parts.append("NaN")
        elif number == _INF:
            parts.append("Infinity")
        elif number == -_INF:
            parts.append("-Infinity")
        else:
            parts.append(float.__repr__(number))
    else:
        raise _Unusual


_INF = float("inf")
