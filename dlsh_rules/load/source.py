"""Load a JSON or YAML input document safely, with the source position of every value.

Every input the tool reads (meeting record, rule file, pack manifest, waiver file) comes
through here. Whatever the bytes, the only exception that leaves this package is
:class:`~dlsh_rules.errors.InputError`, whose problems name the file, the JSON pointer, the
line and column (1-based, counted in characters), what was expected and what was found.

This module holds the entry points (`load_path`, `load_bytes`, `detect_format`) and decoding;
`document.py` the document, its positions and limits; `json_text.py` and `yaml_text.py` the
two parsers (read their docstrings for the choices each makes)."""

from __future__ import annotations

import os
import re
from typing import Any

from ..errors import InputError, Text, os_error_text
from .document import (
    BOM_UTF8,
    EXPECT_PRINTABLE,
    EXPECT_READABLE,
    EXPECT_UTF8,
    EXPECT_UTF8_NOT_WIDE,
    FOREIGN_BOMS,
    LEADING_SPACE,
    Document,
    Limits,
    Position,
    ProblemList,
    expect_depth,
    expect_nodes,
    fail_input,
    pointer_join,
    too_many_bytes,
)
from .perf import gc_paused
from .wording import character_in

__all__ = [
    "Document",
    "Limits",
    "Position",
    "detect_format",
    "load_bytes",
    "load_path",
    "pointer_join",
]


# Bytes to text


def detect_format(name: str, data: bytes) -> str:
    """``'json'`` or ``'yaml'``: by file extension, else by the first non-blank character."""
    ext = os.path.splitext(name)[1].lower()
    if ext == ".json":
        return "json"
    if ext in (".yaml", ".yml"):
        return "yaml"
    start = LEADING_SPACE.match(data)
    first = data[start.end() : start.end() + 1] if start else data[:1]
    return "json" if first in (b"{", b"[") else "yaml"


def _zh_endian(encoding: str) -> str:
    return encoding.replace("(big-endian)", "（大端）").replace("(little-endian)", "（小端）")


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in FOREIGN_BOMS:
        if data.startswith(bom):
            raise fail_input(
                name,
                "encoding",
                "",
                EXPECT_UTF8_NOT_WIDE,
                Text(
                    f"{_zh_endian(encoding)} 的字节顺序标记（BOM）", f"a {encoding} byte order mark"
                ),
                Position(1, 1),
            )
    skip = len(BOM_UTF8) if data.startswith(BOM_UTF8) else 0
    body = data[skip:] if skip else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad_byte(name, body, exc.start, skip, EXPECT_UTF8) from None
    # NUL is valid UTF-8 but never valid JSON or YAML text; it usually means UTF-16 without a BOM.
    nul = body.find(b"\x00")
    if nul >= 0:
        raise _bad_byte(name, body, nul, skip, EXPECT_UTF8_NOT_WIDE)
    return text


def _bad_byte(name: str, body: bytes, offset: int, skip: int, expected: Text) -> InputError:
    line_start = body.rfind(b"\n", 0, offset) + 1
    # The bytes before the first bad one decode cleanly, so the column counts characters.
    column = len(body[line_start:offset].decode("utf-8", "replace")) + 1
    pos = Position(body.count(b"\n", 0, offset) + 1, column)
    found = Text(
        f"第 {offset + skip} 字节处的字节 0x{body[offset]:02x}",
        f"byte 0x{body[offset]:02x} at offset {offset + skip}",
    )
    return fail_input(name, "encoding", "", expected, found, pos)


# Control characters: the same refused in JSON and YAML, raw or escaped

# YAML's reader refuses raw C0 controls (but tab and line breaks), DEL, C1 controls and U+FFFE/F;
# its double-quoted escapes (\e, \0, \x1b, \u202e) and JSON's (\u001b) would let the same
# characters in, and neither refuses the bidirectional controls that reorder what a reader sees.
# Every string and key of either format is held to the one set below.
_CONTROL_CLASS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
# What in the text could decode to one of them; only then is the data walked (most files have
# none, and a walk of a large record costs a tenth of a second). False alarms (\u000a, a "\x"
# in a plain scalar) cost only the walk.
_RAW_CONTROL = "[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
_MAYBE_CONTROL_RAW = re.compile(_RAW_CONTROL)
_MAYBE_CONTROL_YAML = re.compile(
    _RAW_CONTROL + r"|\\(?:[0abefvN]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})"
)
# Compiled when first needed (`_pattern`): a YAML record never reads the JSON one, and a record
# without a control character never the full class (about 0.5 ms of a cold `check`, issue 13).
_LAZY_PATTERNS = {
    "_CONTROL": _CONTROL_CLASS,
    "_MAYBE_CONTROL_JSON": _RAW_CONTROL
    # \b and \f are JSON's own short escapes of two C0 controls (json.dumps writes them)
    + r"|\\[bf]|\\u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[a-eA-E]|206[6-9]|[fF]{3}[eEfF])",
}


def _pattern(name: str) -> re.Pattern[str]:
    found: re.Pattern[str] | None = globals().get(name)
    if found is None:
        found = globals()[name] = re.compile(_LAZY_PATTERNS[name])
    return found


def __getattr__(name: str) -> Any:
    if name in _LAZY_PATTERNS:
        return _pattern(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Every character either scan below could find (YAML's non-printable ones, which its reader
# refuses, and `_RAW_CONTROL`'s) and U+0085: a YAML text in which one scan of this finds
# nothing is known to hold none of them (issue 13: each scan of a 29 KB record cost as much as
# this one, about 0.15 ms). tests/test_batch_start.py checks it against both on every code point.
# Written as the few characters refused rather than the negation of the many allowed: `re`
# compiles a class by walking its ranges in Python, and the negated form's 63,000 characters
# cost 5 ms of every cold `check` of a YAML record (this form: 0.6 ms; its scans ~25 % slower).
_ODD_FOR_YAML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def _refuse_controls(text: str, json_text: bool, doc: Document, plain: bool = False) -> None:
    """Refuse control characters in the data (raw or escaped); ``plain``: the text is known to
    hold none raw (`_ODD_FOR_YAML`)."""
    if plain and "\\" not in text:
        return
    if not json_text and not plain:
        # YAML reads a raw NEL (U+0085) as a line break, so no string keeps it and the walk below
        # would let through what the same record in JSON is refused for.
        nel = text.find("\x85")
        if nel >= 0:
            line_start = text.rfind("\n", 0, nel) + 1
            pos = Position(text.count("\n", 0, nel) + 1, nel - line_start + 1)
            nel_found = Text("字符 U+0085", "character U+0085")
            raise fail_input(doc.name, "encoding", "", EXPECT_PRINTABLE, nel_found, pos)
    # Each escape above starts with a backslash; without one only the characters can be there,
    # and the class alone is scanned in about 40 % of the time of the alternation.
    if "\\" in text:
        maybe = _pattern("_MAYBE_CONTROL_JSON") if json_text else _MAYBE_CONTROL_YAML
    else:
        maybe = _MAYBE_CONTROL_RAW
    if not maybe.search(text):
        return
    problems = ProblemList(doc.name)
    control = _pattern("_CONTROL")
    stack: list[tuple[str, Any]] = [("", doc.data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, str):
            found = control.search(value)
            if found is not None:
                problems.add(
                    "encoding",
                    pointer,
                    EXPECT_PRINTABLE,
                    character_in(ord(found.group()), value),
                    doc.position(pointer),
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                child = pointer_join(pointer, key)
                found = control.search(key)
                if found is not None:
                    problems.add(
                        "encoding",
                        child,
                        EXPECT_PRINTABLE,
                        character_in(ord(found.group()), key, key=True),
                        doc.key_positions.get(child) or doc.position(child),
                    )
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((pointer_join(pointer, i), item) for i, item in enumerate(value))
    problems.raise_if_any()


# Entry points


def load_bytes(
    data: bytes, name: str, fmt: str | None = None, limits: Limits | None = None
) -> Document:
    """Parse ``data`` as JSON or YAML (``fmt``, else :func:`detect_format`).

    Raises :class:`InputError` for anything wrong with the input, and nothing else.
    ``fmt`` other than ``'json'``/``'yaml'``/``'yml'`` is a caller error (``ValueError``).
    """
    if fmt is not None and fmt.lower() not in ("json", "yaml", "yml"):
        raise ValueError(f"unknown format {fmt!r}; expected 'json' or 'yaml'")
    if limits is None:
        limits = Limits.from_env()
    if len(data) > limits.max_bytes:
        raise too_many_bytes(name, len(data), limits.max_bytes)
    kind = detect_format(name, data) if fmt is None else fmt.lower()
    try:
        text = _decode(data, name)
        with gc_paused():  # perf.py: a large document is millions of objects, and no cycles
            # Each reader on demand: a JSON record never imports PyYAML, a YAML one never `json`.
            if kind == "json":
                from .json_text import load_json

                doc = load_json(text, name, limits)
                _refuse_controls(text, True, doc)
                return doc
            from .yaml_direct import load_yaml

            plain = _ODD_FOR_YAML.search(text) is None
            doc = load_yaml(text, name, limits, printable=plain or None)
            _refuse_controls(text, False, doc, plain)
            return doc
    except InputError:
        raise
    except RecursionError:
        # Only reachable when limits.max_depth is set above what the interpreter allows.
        raise fail_input(
            name,
            "too_deep",
            "",
            expect_depth(limits.max_depth),
            Text("嵌套层数超过 Python 能读取的深度", "nesting deeper than Python can parse"),
        ) from None
    except MemoryError:
        raise fail_input(
            name,
            "too_large",
            "",
            expect_nodes(limits.max_nodes),
            Text("超过内存容量", "more than memory allows"),
        ) from None
    except Exception as exc:
        # The contract is that bad input never surfaces as a traceback; a bug here should
        # still be visible, so say plainly that it is one.
        raise fail_input(
            name,
            "internal",
            "",
            Text(
                zh="可以读取的输入（这是本工具的缺陷，请报告）",
                en="a readable input (this is a bug; please report it)",
            ),
            Text(f"程序异常 {type(exc).__name__}", f"{type(exc).__name__}: {exc}"),
        ) from exc


def load_path(path: str | os.PathLike[str], limits: Limits | None = None) -> Document:
    """Read a file (binary, read-only) and load it; the name shown is the path as given."""
    name = os.fspath(path)
    if limits is None:
        limits = Limits.from_env()
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > limits.max_bytes else handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise fail_input(name, "io", "", EXPECT_READABLE, os_error_text(exc)) from None
    if size > limits.max_bytes:
        # Refused from the size alone, without reading a huge file into memory.
        raise too_many_bytes(name, size, limits.max_bytes)
    return load_bytes(data, name, limits=limits)
