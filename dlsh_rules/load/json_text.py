"""JSON is parsed by the standard ``json`` module, and a linear, non-recursive scan bounds depth
and size and records where each value starts. A valid document is parsed first, checked
against the limits on its data, and scanned only when a position is first read; anything
wrong is scanned up front and reported as the scan finds it (`load_json`)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import describe
from .document import (
    EXPECT_FINITE_JSON,
    EXPECT_JSON,
    EXPECT_NUMBER_SIZE,
    EXPECT_UNICODE,
    EXPECT_UNIQUE_KEY,
    MAX_INT_DIGITS,
    SURROGATE,
    Document,
    Limits,
    LineIndex,
    OffsetPositions,
    Position,
    ProblemList,
    expect_depth,
    expect_nodes,
    fail_input,
    pointer_join,
    text_position,
)
from .wording import deeper_than, json_syntax, key_again, lone_surrogate, more_values

# JSON

# Where the next JSON token starts: a bare word (number, true, false, null, NaN, Infinity), a
# bracket, or the quote that opens a string (read to its end by json's own C string scanner,
# which is linear however many escapes it holds). Blanks, commas and colons are skipped: in text
# that json accepts, keys and values alternate inside an object, which is all the scanner needs.
_JSON_TOKEN = re.compile(r'[-+.0-9A-Za-z]+|[\[\]{}"]')
_JSON_DECODER = json.JSONDecoder()


@dataclass
class _JsonScan:
    offsets: dict[str, int] = field(default_factory=dict)
    key_offsets: dict[str, int] = field(default_factory=dict)
    # (member pointer, key, offset, offset of the first occurrence)
    duplicates: list[tuple[str, str, int, int]] = field(default_factory=list)
    # (pointer, offset, string as written)
    surrogates: list[tuple[str, int, str]] = field(default_factory=list)


def _scan_json(text: str, name: str, limits: Limits, track_keys: bool) -> _JsonScan:
    """Offsets of every value and key, by pointer; refuses excess depth or size.

    Runs before ``json`` so that deep nesting is refused before ``json`` recurses into it.
    One pass, no recursion, exact for text that ``json`` accepts. On malformed text it never
    fails: it stops at a malformed string (``json`` cannot get past it either) and otherwise
    counts brackets as written, leaving ``json`` to report the syntax error. Duplicate keys
    are looked for only when ``track_keys`` (``json`` says whether there are any).
    """
    scan = _JsonScan()
    offsets = scan.offsets
    max_depth = limits.max_depth
    max_nodes = limits.max_nodes
    search = _JSON_TOKEN.search
    decode = _JSON_DECODER.raw_decode
    nodes = 0
    # The innermost open container, and the ones around it.
    in_object = in_array = False
    base = ""
    count = 0
    keys: dict[str, int] | None = None
    stack: list[tuple[bool, bool, str, int, dict[str, int] | None]] = []
    expect_key = False
    pointer = ""
    at = 0
    while True:
        match = search(text, at)
        if match is None:
            return scan
        start = match.start()
        char = text[start]
        if char == "]" or char == "}":
            at = start + 1
            if stack:
                in_object, in_array, base, count, keys = stack.pop()
            expect_key = in_object
            continue
        nodes += 1
        if nodes > max_nodes:
            raise fail_input(
                name,
                "too_large",
                "",
                expect_nodes(max_nodes),
                more_values(max_nodes),
                text_position(text, start),
            )
        string = ""
        if char == '"':
            try:
                string, at = decode(text, start)
            except ValueError:
                return scan
            if expect_key:
                pointer = pointer_join(base, string)
                scan.key_offsets[pointer] = start
                expect_key = False
                if keys is not None:
                    first = keys.get(string)
                    if first is None:
                        keys[string] = start
                    else:
                        scan.duplicates.append((pointer, string, start, first))
                if text.find("\\", start, at) >= 0 and SURROGATE.search(string):
                    scan.surrogates.append((pointer, start, text[start:at]))
                continue
        else:
            at = match.end()
        if in_array:
            pointer = f"{base}/{count}"
            count += 1
        offsets[pointer] = start
        if char == "{" or char == "[":
            if len(stack) >= max_depth:
                raise fail_input(
                    name,
                    "too_deep",
                    pointer,
                    expect_depth(max_depth),
                    deeper_than(max_depth),
                    text_position(text, start),
                )
            stack.append((in_object, in_array, base, count, keys))
            in_object = char == "{"
            in_array = not in_object
            base = pointer
            count = 0
            keys = {} if track_keys and in_object else None
            expect_key = in_object
            continue
        if string and text.find("\\", start, at) >= 0 and SURROGATE.search(string):
            # Valid JSON, but no UTF-8 text can hold it: refuse it before it breaks a report.
            scan.surrogates.append((pointer, start, text[start:at]))
        expect_key = in_object


class _Flagged:
    """Stands in, inside parsed JSON, for a number that must be refused once located."""

    __slots__ = ("code", "text")

    def __init__(self, code: str, text: str) -> None:
        self.code = code
        self.text = text


class _JsonHooks:
    """``json`` callbacks that note what to refuse instead of aborting the parse.

    Aborting would lose the pointer; letting the parse finish lets the position scanner
    locate every offender, so all of them are reported at once.
    """

    def __init__(self) -> None:
        self.duplicates = False
        self.flagged = False

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            self.duplicates = True
        return result

    def constant(self, text: str) -> _Flagged:
        self.flagged = True
        return _Flagged("json_constant", text)

    def integer(self, text: str) -> int | _Flagged:
        if len(text) > MAX_INT_DIGITS:
            self.flagged = True
            return _Flagged("number_range", text)
        return int(text)

    def real(self, text: str) -> float | _Flagged:
        value = float(text)
        if math.isinf(value):
            self.flagged = True
            return _Flagged("number_range", text)
        return value


def _flagged_values(data: Any) -> list[tuple[str, _Flagged]]:
    found: list[tuple[str, _Flagged]] = []
    todo: list[tuple[str, Any]] = [("", data)]
    while todo:
        pointer, value = todo.pop()
        if isinstance(value, _Flagged):
            found.append((pointer, value))
        elif isinstance(value, dict):
            todo.extend((pointer_join(pointer, k), v) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend((f"{pointer}/{i}", v) for i, v in enumerate(value))
    return found


# A JSON escape of a UTF-16 surrogate: the only way a lone surrogate gets into parsed JSON text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _within_limits(data: Any, limits: Limits) -> bool:
    """Whether parsed JSON holds at most `max_nodes` values and keys, `max_depth` levels deep.

    Counts as `_scan_json` does (a key is a value; a container opened inside `max_depth` open
    ones is too deep), so that the two agree on which documents break a limit.
    """
    if not isinstance(data, (dict, list)):
        return limits.max_nodes >= 1  # the document is one value
    nodes = 1
    todo: list[tuple[dict[str, Any] | list[Any], int]] = [(data, 0)]
    while todo:
        container, depth = todo.pop()
        if depth >= limits.max_depth:
            return False
        children = container.values() if isinstance(container, dict) else container
        nodes += 2 * len(container) if isinstance(container, dict) else len(container)
        if nodes > limits.max_nodes:
            return False
        todo.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


class _Deferred:
    """The `_scan_json` of a valid JSON text, made when first asked for."""

    __slots__ = ("_limits", "_lines", "_name", "_scan", "_text")

    def __init__(self, text: str, name: str, limits: Limits) -> None:
        self._text: str | None = text
        self._name = name
        self._limits = limits
        self._scan: _JsonScan | None = None
        self._lines: LineIndex | None = None

    def get(self) -> tuple[_JsonScan, LineIndex]:
        if self._scan is None or self._lines is None:
            assert self._text is not None
            # The text was parsed and found within the limits, so the scan cannot fail.
            self._scan = _scan_json(self._text, self._name, self._limits, track_keys=False)
            self._lines = LineIndex(self._text)
            self._text = None
        return self._scan, self._lines


class _DeferredPositions(Mapping[str, Position]):
    """`OffsetPositions` of a JSON text that is scanned only when a position is first read.

    The scan costs ten times the parse; a record's positions are read only to show where its
    problems and findings are, and a valid, compliant record has none.
    """

    __slots__ = ("_deferred", "_keys")

    def __init__(self, deferred: _Deferred, keys: bool) -> None:
        self._deferred = deferred
        self._keys = keys

    def _positions(self) -> OffsetPositions:
        scan, lines = self._deferred.get()
        return OffsetPositions(scan.key_offsets if self._keys else scan.offsets, lines)

    def __getitem__(self, pointer: str) -> Position:
        return self._positions()[pointer]

    def __contains__(self, pointer: object) -> bool:
        return pointer in self._positions()

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions())

    def __len__(self) -> int:
        return len(self._positions())

    def __repr__(self) -> str:
        return "<positions, scanned on first use>"


def load_json(text: str, name: str, limits: Limits) -> Document:
    """Parse first, scan the text for positions only if needed.

    ``json`` parses in C, so a valid document is read at once and checked against the limits
    afterwards (`_within_limits`); its positions wait until they are read. Whenever something
    is wrong, or might be (a syntax error, too deep or too large, a duplicate key, a number or
    constant to refuse, a surrogate escape), the text is scanned up front and reported on
    exactly as it always was, the scan's limits taking precedence over the parser's errors.
    """
    hooks = _JsonHooks()
    try:
        data = json.loads(
            text,
            object_pairs_hook=hooks.pairs,
            parse_constant=hooks.constant,
            parse_int=hooks.integer,
            parse_float=hooks.real,
        )
    except (json.JSONDecodeError, RecursionError, MemoryError) as exc:
        _scan_json(text, name, limits, track_keys=False)  # its limits come first
        if not isinstance(exc, json.JSONDecodeError):
            raise
        pos = Position(exc.lineno, exc.colno)
        raise fail_input(name, "syntax", "", EXPECT_JSON, json_syntax(exc.msg), pos) from None
    if not (
        hooks.duplicates
        or hooks.flagged
        or _SURROGATE_ESCAPE.search(text)
        or not _within_limits(data, limits)
    ):
        deferred = _Deferred(text, name, limits)
        return Document(
            name, data, _DeferredPositions(deferred, False), _DeferredPositions(deferred, True)
        )
    scan = _scan_json(text, name, limits, track_keys=hooks.duplicates)
    lines = LineIndex(text)
    problems = ProblemList(name)
    for pointer, key, offset, first_offset in scan.duplicates:
        first = lines.position(first_offset)
        found = key_again(key, first)
        problems.add("duplicate_key", pointer, EXPECT_UNIQUE_KEY, found, lines.position(offset))
    for pointer, offset, token in scan.surrogates:
        found = lone_surrogate(token)
        problems.add("encoding", pointer, EXPECT_UNICODE, found, lines.position(offset))
    if hooks.flagged:
        for pointer, flagged in _flagged_values(data):
            expected = EXPECT_FINITE_JSON if flagged.code == "json_constant" else EXPECT_NUMBER_SIZE
            at = scan.offsets.get(pointer)
            where = None if at is None else lines.position(at)
            problems.add(flagged.code, pointer, expected, describe(flagged.text), where)
    problems.raise_if_any()
    return Document(
        name, data, OffsetPositions(scan.offsets, lines), OffsetPositions(scan.key_offsets, lines)
    )
