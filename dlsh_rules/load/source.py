"""Load a JSON or YAML input document safely, with the source position of every value.

Every input the tool reads (meeting record, rule file, pack manifest, waiver file) comes
through here. Whatever the bytes, the only exception that leaves this module is
:class:`~dlsh_rules.errors.InputError`, whose problems name the file, the JSON pointer, the
line and column (1-based, counted in characters), what was expected and what was found.

JSON is parsed by the standard ``json`` module, and a linear, non-recursive scan bounds depth
and size and records where each value starts. A valid document is parsed first, checked
against the limits on its data, and scanned only when a position is first read; anything
wrong is scanned up front and reported as the scan finds it (`_load_json`).

YAML is read with ``yaml.SafeLoader``'s scanner, parser and resolver only; nodes are composed
and turned into plain data here, without recursion, so that depth, alias expansion and node
count are checked before any work grows with them. When PyYAML has libyaml, its C parser makes
the events (about 20 times faster than the Python one, with the same lines and columns); any
document it refuses is read again with the Python parser, so that every error is reported in
the same words as without libyaml. Choices made for YAML:

- Merge keys (``<<: *base``) are refused (code ``merge_key``): a record should say each value
  where it applies, and expanding merges would hide where a value came from.
- Anchors may not be redefined (as in PyYAML) and an alias may not point into the node that
  contains it (code ``alias``).
- Scalars resolve as in ``yaml.safe_load`` (YAML 1.1: ``yes``/``no`` are booleans), except that
  dates become ISO ``YYYY-MM-DD`` strings, an impossible date is kept as the text written, and a
  timestamp with a time is refused (the record format has dates only).
"""

from __future__ import annotations

import json
import math
import os
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, cast

import yaml
from yaml.error import Mark

from ..errors import InputError, Problem, Text, describe
from .perf import gc_paused

__all__ = [
    "Document",
    "Limits",
    "Position",
    "detect_format",
    "load_bytes",
    "load_path",
    "pointer_join",
]


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile or broken input from exhausting time or memory."""

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 2_000_000
    max_alias_expansions: int = 10_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, with ``DLSH_MAX_BYTES`` / ``DLSH_MAX_DEPTH`` taken from the environment.

        This is what `load_bytes` and `load_path` use when given no limits; a bad value is an
        `InputError` naming the variable (see docs/security.md).
        """
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        # Python's json cannot nest much deeper than 1000 levels anyway, and every level
        # lengthens the pointers kept for each value below it.
        for var, attr, top in (
            ("DLSH_MAX_BYTES", "max_bytes", 10**18 - 1),
            ("DLSH_MAX_DEPTH", "max_depth", 1000),
        ):
            text = env.get(var, "").strip()
            if not text:
                continue
            if not re.fullmatch(r"[0-9]{1,18}", text) or not 1 <= int(text) <= top:
                expected = Text(zh=f"1 到 {top} 之间的整数", en=f"an integer from 1 to {top}")
                raise _fail(var, "environment", "", expected, describe(text))
            values[attr] = int(text)
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column; columns count characters, not bytes."""

    line: int
    column: int


@dataclass(frozen=True)
class Document:
    """A loaded document: its data and where each value and key sits in the source."""

    name: str
    data: Any
    positions: Mapping[str, Position] = field(repr=False)
    key_positions: Mapping[str, Position] = field(repr=False)

    def position(self, pointer: str) -> Position | None:
        """Position of ``pointer``, else of its nearest ancestor that has one."""
        return nearest_position(self.positions, pointer)


def nearest_position(positions: Mapping[str, Position], pointer: str) -> Position | None:
    """Position of ``pointer`` in ``positions``, else of its nearest ancestor that has one."""
    while True:
        found = positions.get(pointer)
        if found is not None or pointer == "":
            return found
        pointer = pointer.rsplit("/", 1)[0]


def pointer_join(base: str, key: str | int) -> str:
    """Append one reference token to a JSON pointer (RFC 6901)."""
    token = str(key)
    if "~" in token or "/" in token:
        token = token.replace("~", "~0").replace("/", "~1")
    return f"{base}/{token}"


# Past this many digits int() is quadratic, and Python refuses by default anyway.
_MAX_INT_DIGITS = 4300
# One broken generated file can hold thousands of the same mistake; list the first ones.
_MAX_PROBLEMS = 100

_BOM_UTF8 = b"\xef\xbb\xbf"
# UTF-32 first: its little-endian mark starts with the UTF-16 one.
_FOREIGN_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
_LEADING_SPACE = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")

_EXPECT_UTF8 = Text(zh="UTF-8 编码的文本", en="UTF-8 encoded text")
_EXPECT_UTF8_NOT_WIDE = Text(
    zh="UTF-8 编码的文本（该文件像是 UTF-16 或 UTF-32 编码，请另存为 UTF-8）",
    en="UTF-8 encoded text (this looks like UTF-16 or UTF-32; save it as UTF-8)",
)
_EXPECT_JSON = Text(zh="符合 JSON 语法的文本", en="valid JSON")
_EXPECT_YAML = Text(zh="符合 YAML 语法的文本", en="valid YAML")
_EXPECT_UNIQUE_KEY = Text(zh="每个键在同一对象中只出现一次", en="each key only once per object")
_EXPECT_FINITE_JSON = Text(
    zh="有限的数值（JSON 中不能写 NaN 或 Infinity）",
    en="a finite number (JSON has no NaN or Infinity)",
)
_EXPECT_FINITE = Text(zh="有限的数值", en="a finite number")
_EXPECT_NUMBER_SIZE = Text(
    zh=f"大小合理的数值（整数不超过 {_MAX_INT_DIGITS} 位，浮点数不溢出）",
    en=f"a number of sensible size (at most {_MAX_INT_DIGITS} digits, no float overflow)",
)
_EXPECT_UNICODE = Text(zh="有效的 Unicode 文本", en="valid Unicode text")
_EXPECT_PLAIN_TAG = Text(
    zh="不带自定义标签的普通值（字符串、数字、布尔值、null、日期、列表或映射）",
    en="a plain value without a custom tag (string, number, boolean, null, date, list or mapping)",
)
_EXPECT_DATE = Text(
    zh="只含日期的 YYYY-MM-DD 值（不能带时间）", en="a date YYYY-MM-DD without a time"
)
_EXPECT_STRING_KEY = Text(
    zh="字符串形式的键（数字、日期、true、null 等作键时请加引号）",
    en="a string key (quote keys that look like numbers, dates, true or null)",
)
_EXPECT_NO_MERGE = Text(
    zh="逐项写出的键（不支持合并键 <<）", en="keys written out (merge keys << are not supported)"
)
_EXPECT_ONE_DOCUMENT = Text(zh="每个文件只含一个 YAML 文档", en="a single YAML document per file")
_EXPECT_PRINTABLE = Text(zh="不含控制字符的文本", en="text without control characters")
_EXPECT_READABLE = Text(zh="可以读取的文件", en="a readable file")


def _too_many_bytes(name: str, size: int, limit: int) -> InputError:
    expected = Text(zh=f"不超过 {limit} 字节的文件", en=f"a file of at most {limit} bytes")
    return _fail(name, "too_large", "", expected, f"{size} bytes")


def _expect_depth(limit: int) -> Text:
    return Text(
        zh=f"嵌套不超过 {limit} 层的列表和对象",
        en=f"lists and objects nested at most {limit} levels deep",
    )


def _expect_nodes(limit: int) -> Text:
    return Text(
        zh=f"不超过 {limit} 个值（YAML 别名按展开后计）",
        en=f"at most {limit} values (YAML aliases counted as expanded)",
    )


class _Problems:
    """Collects the non-fatal problems of one document, up to a cap."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Problem] = []
        self.dropped = 0

    def add(
        self, code: str, pointer: str, expected: Text, found: str, pos: Position | None
    ) -> None:
        if len(self.items) >= _MAX_PROBLEMS:
            self.dropped += 1
            return
        self.items.append(_problem(self.name, code, pointer, expected, found, pos))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        # Collected in traversal order; report in file order.
        problems = sorted(self.items, key=lambda p: (p.line or 0, p.column or 0))
        if self.dropped:
            problems.append(
                _problem(
                    self.name,
                    "more_problems",
                    "",
                    Text(zh="更少的问题", en="fewer problems"),
                    f"{self.dropped} more problems not listed",
                    None,
                )
            )
        raise InputError(problems)


def _problem(
    name: str, code: str, pointer: str, expected: Text, found: str, pos: Position | None
) -> Problem:
    return Problem(
        file=name,
        pointer=pointer,
        expected=expected,
        found=found,
        line=None if pos is None else pos.line,
        column=None if pos is None else pos.column,
        code=code,
    )


def _fail(
    name: str, code: str, pointer: str, expected: Text, found: str, pos: Position | None = None
) -> InputError:
    return InputError([_problem(name, code, pointer, expected, found, pos)])


def _text_position(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


_NEWLINE = re.compile("\n")


class _LineIndex:
    """Where each line starts, to turn a character offset into a line and column."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        self._starts = array("q", [0])
        self._starts.extend(match.end() for match in _NEWLINE.finditer(text))

    def position(self, offset: int) -> Position:
        line = bisect_right(self._starts, offset)
        return Position(line, offset - self._starts[line - 1] + 1)


class _OffsetPositions(Mapping[str, Position]):
    """Positions kept as character offsets, made into lines and columns when looked up.

    A large JSON document has hundreds of thousands of values and its positions are only
    read when something is wrong, so building them all eagerly would waste most of the load.
    """

    __slots__ = ("_lines", "_offsets")

    def __init__(self, offsets: dict[str, int], lines: _LineIndex) -> None:
        self._offsets = offsets
        self._lines = lines

    def __getitem__(self, pointer: str) -> Position:
        return self._lines.position(self._offsets[pointer])

    def __contains__(self, pointer: object) -> bool:
        return pointer in self._offsets

    def __iter__(self) -> Iterator[str]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)

    def __repr__(self) -> str:
        return f"<{len(self._offsets)} positions>"


# ---------------------------------------------------------------------------------------------
# Bytes to text


def detect_format(name: str, data: bytes) -> str:
    """``'json'`` or ``'yaml'``: by file extension, else by the first non-blank character."""
    ext = os.path.splitext(name)[1].lower()
    if ext == ".json":
        return "json"
    if ext in (".yaml", ".yml"):
        return "yaml"
    start = _LEADING_SPACE.match(data)
    first = data[start.end() : start.end() + 1] if start else data[:1]
    return "json" if first in (b"{", b"[") else "yaml"


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in _FOREIGN_BOMS:
        if data.startswith(bom):
            raise _fail(
                name,
                "encoding",
                "",
                _EXPECT_UTF8_NOT_WIDE,
                f"a {encoding} byte order mark",
                Position(1, 1),
            )
    skip = len(_BOM_UTF8) if data.startswith(_BOM_UTF8) else 0
    body = data[skip:] if skip else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad_byte(name, body, exc.start, skip, _EXPECT_UTF8) from None
    # NUL is valid UTF-8 but never valid JSON or YAML text; it usually means UTF-16 without a BOM.
    nul = body.find(b"\x00")
    if nul >= 0:
        raise _bad_byte(name, body, nul, skip, _EXPECT_UTF8_NOT_WIDE)
    return text


def _bad_byte(name: str, body: bytes, offset: int, skip: int, expected: Text) -> InputError:
    line_start = body.rfind(b"\n", 0, offset) + 1
    # The bytes before the first bad one decode cleanly, so the column counts characters.
    column = len(body[line_start:offset].decode("utf-8", "replace")) + 1
    pos = Position(body.count(b"\n", 0, offset) + 1, column)
    found = f"byte 0x{body[offset]:02x} at offset {offset + skip}"
    return _fail(name, "encoding", "", expected, found, pos)


# ---------------------------------------------------------------------------------------------
# JSON

# Where the next JSON token starts: a bare word (number, true, false, null, NaN, Infinity), a
# bracket, or the quote that opens a string (read to its end by json's own C string scanner,
# which is linear however many escapes it holds). Blanks, commas and colons are skipped: in text
# that json accepts, keys and values alternate inside an object, which is all the scanner needs.
_JSON_TOKEN = re.compile(r'[-+.0-9A-Za-z]+|[\[\]{}"]')
_JSON_DECODER = json.JSONDecoder()
_SURROGATE = re.compile("[\ud800-\udfff]")


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
            raise _fail(
                name,
                "too_large",
                "",
                _expect_nodes(max_nodes),
                f"more than {max_nodes} values",
                _text_position(text, start),
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
                if text.find("\\", start, at) >= 0 and _SURROGATE.search(string):
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
                raise _fail(
                    name,
                    "too_deep",
                    pointer,
                    _expect_depth(max_depth),
                    f"nesting deeper than {max_depth} levels",
                    _text_position(text, start),
                )
            stack.append((in_object, in_array, base, count, keys))
            in_object = char == "{"
            in_array = not in_object
            base = pointer
            count = 0
            keys = {} if track_keys and in_object else None
            expect_key = in_object
            continue
        if string and text.find("\\", start, at) >= 0 and _SURROGATE.search(string):
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
        if len(text) > _MAX_INT_DIGITS:
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
        self._lines: _LineIndex | None = None

    def get(self) -> tuple[_JsonScan, _LineIndex]:
        if self._scan is None or self._lines is None:
            assert self._text is not None
            # The text was parsed and found within the limits, so the scan cannot fail.
            self._scan = _scan_json(self._text, self._name, self._limits, track_keys=False)
            self._lines = _LineIndex(self._text)
            self._text = None
        return self._scan, self._lines


class _DeferredPositions(Mapping[str, Position]):
    """`_OffsetPositions` of a JSON text that is scanned only when a position is first read.

    The scan costs ten times the parse; a record's positions are read only to show where its
    problems and findings are, and a valid, compliant record has none.
    """

    __slots__ = ("_deferred", "_keys")

    def __init__(self, deferred: _Deferred, keys: bool) -> None:
        self._deferred = deferred
        self._keys = keys

    def _positions(self) -> _OffsetPositions:
        scan, lines = self._deferred.get()
        return _OffsetPositions(scan.key_offsets if self._keys else scan.offsets, lines)

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


def _load_json(text: str, name: str, limits: Limits) -> Document:
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
        raise _fail(name, "syntax", "", _EXPECT_JSON, exc.msg, pos) from None
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
    lines = _LineIndex(text)
    problems = _Problems(name)
    for pointer, key, offset, first_offset in scan.duplicates:
        first = lines.position(first_offset)
        found = f"key {describe(key)} again (first at line {first.line}, column {first.column})"
        problems.add("duplicate_key", pointer, _EXPECT_UNIQUE_KEY, found, lines.position(offset))
    for pointer, offset, token in scan.surrogates:
        found = f"a lone surrogate in {describe(token)}"
        problems.add("encoding", pointer, _EXPECT_UNICODE, found, lines.position(offset))
    if hooks.flagged:
        for pointer, flagged in _flagged_values(data):
            expected = (
                _EXPECT_FINITE_JSON if flagged.code == "json_constant" else _EXPECT_NUMBER_SIZE
            )
            at = scan.offsets.get(pointer)
            where = None if at is None else lines.position(at)
            problems.add(flagged.code, pointer, expected, describe(flagged.text), where)
    problems.raise_if_any()
    return Document(
        name, data, _OffsetPositions(scan.offsets, lines), _OffsetPositions(scan.key_offsets, lines)
    )


# ---------------------------------------------------------------------------------------------
# YAML

_YAML = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP = (
    _YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_SEQ, _MAP, _MERGE, _VALUE = (_YAML + t for t in ("seq", "map", "merge", "value"))
_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP})
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\Z")
_KEY_KINDS = {
    _INT: "number",
    _FLOAT: "number",
    _BOOL: "boolean",
    _NULL: "null",
    _TIMESTAMP: "date",
}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


class _Events(Protocol):
    """The typed slice of ``yaml.SafeLoader`` used here (its stubs leave these untyped)."""

    def get_event(self) -> yaml.Event: ...
    def check_event(self, *choices: type[yaml.Event]) -> bool: ...
    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str: ...


def _node_mark(mark: object) -> Mark | None:
    # The stubs type node marks as yaml.error.Mark; libyaml's parser makes yaml._yaml.Mark, which
    # has the same line and column (counted in characters), and only those are read here.
    return cast("Mark | None", mark)


def _mark(mark: Any) -> Position | None:
    if mark is None:
        return None
    return Position(int(mark.line) + 1, int(mark.column) + 1)


class _AliasNode(yaml.Node):
    """An alias in the composed graph; kept apart so its own position is known."""

    id = "alias"

    def __init__(self, target: yaml.Node, start_mark: Any, end_mark: Any) -> None:
        super().__init__(target.tag, target, start_mark, end_mark)


@dataclass(slots=True)
class _Anchored:
    node: yaml.Node
    size: int  # nodes once aliases are expanded
    aliases: int  # alias dereferences once aliases are expanded
    height: int  # collection nesting levels


@dataclass(slots=True)
class _Open:
    node: yaml.SequenceNode | yaml.MappingNode
    anchor: str | None
    sequence: bool  # node is a SequenceNode
    size: int = 1
    aliases: int = 0
    height: int = 0  # of the deepest child
    key: yaml.Node | None = None


def _compose(loader: _Events, name: str, limits: Limits) -> yaml.Node | None:
    """Compose the single document of the stream into nodes, without recursion.

    PyYAML's own composer recurses once per nesting level and lets an alias share its node,
    so neither depth nor expanded size is known until too late. Here every limit is checked
    at the event that would break it, with the expanded size of each anchor kept alongside.
    """
    events = loader
    events.get_event()  # stream start
    if events.check_event(yaml.StreamEndEvent):
        return None
    events.get_event()  # document start
    anchors: dict[str, _Anchored] = {}
    open_anchors: set[str] = set()
    stack: list[_Open] = []
    nodes = 0
    aliases = 0
    resolved: dict[tuple[str, Any], str] = {}

    def fail(code: str, expected: Text, found: str, mark: Any) -> InputError:
        return _fail(name, code, "", expected, found, _mark(mark))

    def check_anchor(anchor: str | None, mark: Any) -> None:
        if anchor is not None and (anchor in anchors or anchor in open_anchors):
            raise fail(
                "alias",
                Text(zh="不重复的锚点名", en="each anchor name defined once"),
                f"anchor &{anchor} defined again",
                mark,
            )

    while True:
        event = events.get_event()
        node: yaml.Node
        if isinstance(event, yaml.ScalarEvent):  # most events: tested first
            value = event.value
            if event.style == "" and not value and (not stack or stack[-1].node.flow_style):
                # libyaml (plain style "", PyYAML's is None) puts an empty value in a flow
                # collection, or a document's only one, a token later than PyYAML.
                raise _Diverges
            nodes += 1
            if event.anchor is not None:
                check_anchor(event.anchor, event.start_mark)
            tag = event.tag
            if tag is None or tag == "!":
                # The resolver's answer depends on the text and `implicit` alone, and records
                # repeat the same ids, dates and booleans many times.
                memo = (value, event.implicit)
                tag = resolved.get(memo)
                if tag is None:
                    tag = events.resolve(yaml.ScalarNode, value, event.implicit)
                    # A lone plain '=' resolves to the YAML 1.1 'value' tag, which SafeLoader
                    # cannot construct; as text it is harmless.
                    if tag == _VALUE:
                        tag = _STR
                    resolved[memo] = tag
            # Only start marks are read (positions); end marks are not kept.
            node = yaml.ScalarNode(tag, value, _node_mark(event.start_mark), None, event.style)
            size, expansions, height = 1, 0, 0
            if event.anchor is not None:
                anchors[event.anchor] = _Anchored(node, 1, 0, 0)
        elif isinstance(event, yaml.AliasEvent):
            anchor = event.anchor or ""
            target = anchors.get(anchor)
            if target is None:
                if anchor in open_anchors:
                    expected = Text(
                        zh="不引用其所在节点的别名", en="an alias outside the node it names"
                    )
                    raise fail(
                        "alias", expected, f"alias *{anchor} inside &{anchor}", event.start_mark
                    )
                expected = Text(zh="此前已定义的锚点", en="an anchor defined earlier")
                raise fail("alias", expected, f"undefined alias *{anchor}", event.start_mark)
            aliases += 1 + target.aliases
            if aliases > limits.max_alias_expansions:
                raise fail(
                    "alias_bomb",
                    Text(
                        zh=f"别名展开不超过 {limits.max_alias_expansions} 次",
                        en=f"at most {limits.max_alias_expansions} alias expansions",
                    ),
                    f"more than {limits.max_alias_expansions} alias expansions at *{anchor}",
                    event.start_mark,
                )
            nodes += target.size
            if len(stack) + target.height > limits.max_depth:
                raise fail(
                    "too_deep",
                    _expect_depth(limits.max_depth),
                    f"nesting deeper than {limits.max_depth} levels once *{anchor} is expanded",
                    event.start_mark,
                )
            node = _AliasNode(target.node, event.start_mark, None)
            size, expansions, height = target.size, target.aliases + 1, target.height
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            nodes += 1
            if len(stack) + 1 > limits.max_depth:
                raise fail(
                    "too_deep",
                    _expect_depth(limits.max_depth),
                    f"nesting deeper than {limits.max_depth} levels",
                    event.start_mark,
                )
            check_anchor(event.anchor, event.start_mark)
            sequence = isinstance(event, yaml.SequenceStartEvent)
            kind: type[yaml.SequenceNode | yaml.MappingNode] = (
                yaml.SequenceNode if sequence else yaml.MappingNode
            )
            tag = event.tag
            if tag is None or tag == "!":
                tag = events.resolve(kind, None, event.implicit)
            collection = kind(
                tag, [], _node_mark(event.start_mark), None, flow_style=event.flow_style
            )
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            stack.append(_Open(collection, event.anchor, sequence))
            if nodes > limits.max_nodes:
                raise fail(
                    "too_large",
                    _expect_nodes(limits.max_nodes),
                    f"more than {limits.max_nodes} values",
                    event.start_mark,
                )
            continue
        else:  # the end of the innermost open collection
            done = stack.pop()
            node = done.node
            size, expansions, height = done.size, done.aliases, done.height + 1
            if done.anchor is not None:
                open_anchors.discard(done.anchor)
                anchors[done.anchor] = _Anchored(node, size, expansions, height)
        if nodes > limits.max_nodes:
            raise fail(
                "too_large",
                _expect_nodes(limits.max_nodes),
                f"more than {limits.max_nodes} values once aliases are expanded",
                event.start_mark,
            )
        if not stack:
            break
        parent = stack[-1]
        parent.size += size
        if expansions:
            parent.aliases += expansions
        if height > parent.height:
            parent.height = height
        if parent.sequence:
            parent.node.value.append(node)
        elif parent.key is None:
            parent.key = node
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None
    events.get_event()  # document end
    if not events.check_event(yaml.StreamEndEvent):
        extra = events.get_event()
        raise fail(
            "multiple_documents",
            _EXPECT_ONE_DOCUMENT,
            "a second document",
            extra.start_mark,
        )
    return node


class _Refused:
    """Result of a scalar that could not be turned into a value; the problem is recorded."""


_REFUSED = _Refused()


def _scalar(
    loader: yaml.SafeLoader, node: yaml.ScalarNode, pointer: str, problems: _Problems
) -> Any:
    tag = node.tag
    text: str = node.value
    if tag == _STR:
        if node.style == '"' and _SURROGATE.search(text):
            problems.add(
                "encoding", pointer, _EXPECT_UNICODE, "a lone surrogate", _mark(node.start_mark)
            )
            return _REFUSED
        return text
    if tag == _NULL:
        return None
    # Only the rarer scalars get here; the position is made once, for their problems.
    pos = _mark(node.start_mark)
    if tag == _TIMESTAMP:
        match = _DATE.match(text)
        if match is None:
            problems.add("type", pointer, _EXPECT_DATE, describe(text), pos)
            return _REFUSED
        try:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        except ValueError:
            # An impossible date stays as written, for the record model to name precisely.
            return text
    if tag not in _SCALAR_TAGS:
        problems.add("tag", pointer, _EXPECT_PLAIN_TAG, f"tag {_short_tag(tag)}", pos)
        return _REFUSED
    if len(text) > _MAX_INT_DIGITS:
        problems.add("number_range", pointer, _EXPECT_NUMBER_SIZE, describe(text), pos)
        return _REFUSED
    try:
        if tag == _BOOL:
            return loader.bool_values[text.lower()]
        if tag == _INT:
            return loader.construct_yaml_int(node)
        number = loader.construct_yaml_float(node)
    except (ValueError, KeyError, IndexError):
        # Only an explicit tag can put such text here; the implicit resolvers match valid forms.
        expected = Text(
            zh=f"符合标签 {_short_tag(tag)} 的值", en=f"a valid {_short_tag(tag)} value"
        )
        problems.add("type", pointer, expected, describe(text), pos)
        return _REFUSED
    if not math.isfinite(number):
        problems.add("yaml_constant", pointer, _EXPECT_FINITE, describe(text), pos)
        return _REFUSED
    return number


def _key(loader: yaml.SafeLoader, node: yaml.Node, pointer: str, problems: _Problems) -> str | None:
    """The text of a mapping key, or None once the reason it is unusable is recorded."""
    target = node.value if isinstance(node, _AliasNode) else node
    if (
        isinstance(target, yaml.ScalarNode)
        and target.tag == _STR
        and not (target.style == '"' and _SURROGATE.search(target.value))
    ):
        key: str = target.value  # the usual key, plain text: nothing to check or to report
        return key
    pos = _mark(node.start_mark)
    if not isinstance(target, yaml.ScalarNode):
        found = "a list as key" if isinstance(target, yaml.SequenceNode) else "a mapping as key"
        problems.add("key_type", pointer, _EXPECT_STRING_KEY, found, pos)
        return None
    tag = target.tag
    # Name the member by the key as written, so the reader can find it.
    member = pointer_join(pointer, target.value)
    if tag == _MERGE:
        problems.add("merge_key", member, _EXPECT_NO_MERGE, "merge key <<", pos)
        return None
    if tag == _STR:
        value = _scalar(loader, target, member, problems)
        return value if isinstance(value, str) else None
    if tag not in _SCALAR_TAGS:
        problems.add("tag", member, _EXPECT_PLAIN_TAG, f"tag {_short_tag(tag)} on a key", pos)
        return None
    found = f"{_KEY_KINDS[tag]} key {describe(target.value)}"
    problems.add("key_type", member, _EXPECT_STRING_KEY, found, pos)
    return None


class _MarkPositions(Mapping[str, Position]):
    """Positions kept as the parser's marks, made into lines and columns when looked up.

    As with `_OffsetPositions`: positions are read only when something is wrong, so making a
    `Position` for each of the document's values and keys up front would be wasted.
    """

    __slots__ = ("_marks",)

    def __init__(self, marks: dict[str, Any]) -> None:
        self._marks = marks

    def __getitem__(self, pointer: str) -> Position:
        mark = self._marks[pointer]
        return Position(int(mark.line) + 1, int(mark.column) + 1)

    def __contains__(self, pointer: object) -> bool:
        return pointer in self._marks

    def __iter__(self) -> Iterator[str]:
        return iter(self._marks)

    def __len__(self) -> int:
        return len(self._marks)

    def __repr__(self) -> str:
        return f"<{len(self._marks)} positions>"


def _build(
    loader: yaml.SafeLoader, root: yaml.Node, problems: _Problems
) -> tuple[Any, _MarkPositions, _MarkPositions]:
    """Plain data and positions from composed nodes, expanding aliases; no recursion.

    The composer has already bounded the expanded size, so expansion here is safe. Inside an
    expanded alias, positions point at the anchored original; the alias's own pointer points
    at the alias.
    """
    marks: dict[str, Any] = {}
    key_marks: dict[str, Any] = {}
    holder: list[Any] = [None]
    todo: list[tuple[yaml.Node, str, Any, Any]] = [(root, "", holder, 0)]
    while todo:
        node, pointer, container, slot = todo.pop()
        if node.start_mark is not None:
            marks[pointer] = node.start_mark
        if isinstance(node, _AliasNode):
            node = node.value
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = _scalar(loader, node, pointer, problems)
        elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            items: list[yaml.Node] = node.value
            value = [None] * len(items)
            todo.extend(
                (items[i], f"{pointer}/{i}", value, i) for i in range(len(items) - 1, -1, -1)
            )
        elif isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            value = {}
            members: list[tuple[str, str, yaml.Node]] = []
            for key_node, value_node in node.value:
                key = _key(loader, key_node, pointer, problems)
                if key is None:
                    continue
                member = pointer_join(pointer, key)
                if key in value:
                    first = _mark(key_marks.get(member))
                    found = f"key {describe(key)} again" + (
                        f" (first at line {first.line}, column {first.column})" if first else ""
                    )
                    problems.add(
                        "duplicate_key",
                        member,
                        _EXPECT_UNIQUE_KEY,
                        found,
                        _mark(key_node.start_mark),
                    )
                    continue
                if key_node.start_mark is not None:
                    key_marks[member] = key_node.start_mark
                value[key] = None
                members.append((key, member, value_node))
            todo.extend(
                (value_node, member, value, key) for key, member, value_node in reversed(members)
            )
        else:
            pos = _mark(marks.get(pointer))
            problems.add("tag", pointer, _EXPECT_PLAIN_TAG, f"tag {_short_tag(node.tag)}", pos)
            value = None
        container[slot] = None if value is _REFUSED else value
    return holder[0], _MarkPositions(marks), _MarkPositions(key_marks)


# libyaml's parser, when PyYAML was built with it; the resolver stays PyYAML's own.
_CLoader: type[yaml.CSafeLoader] | None = (
    getattr(yaml, "CSafeLoader", None) if getattr(yaml, "__with_libyaml__", False) else None
)
# Text where the two parsers are known to part ways, left to the Python parser: libyaml takes
# tabs, '?' and a comment right after a block scalar's '|' or '>' in places where PyYAML refuses
# them, and reads a byte order mark or a directive after the start differently. (Found by
# comparing both on mutated rule files, cases and records; see docs/performance.md.)
_C_DIVERGES = re.compile(r"[\t?\ufeff]|^%|[|>][-+0-9]*#", re.MULTILINE)


class _Unread:
    """Result of `_compose_fast` when the C parser did not read the document."""


_UNREAD = _Unread()


class _Diverges(Exception):
    """The C parser met something it places differently from the Python parser."""


def _compose_fast(text: str, name: str, limits: Limits) -> yaml.Node | _Unread | None:
    """Compose with libyaml's events; `_UNREAD` if it cannot give what PyYAML would.

    The two parsers agree on the events, lines and columns of ordinary documents, but word
    their errors differently and disagree on a few corners (`_C_DIVERGES`, `_Diverges`); all
    of those, and whatever goes wrong, are left to the Python parser to read or report,
    exactly as it would without libyaml.
    """
    if _CLoader is None or _C_DIVERGES.search(text):
        return _UNREAD
    parser = _CLoader(text)
    try:
        return _compose(cast(_Events, parser), name, limits)
    except (yaml.YAMLError, InputError, _Diverges):
        return _UNREAD
    finally:
        parser.dispose()


def _compose_python(loader: yaml.SafeLoader, name: str, limits: Limits) -> yaml.Node | None:
    try:
        return _compose(cast(_Events, loader), name, limits)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        found = "; ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise _fail(name, "syntax", "", _EXPECT_YAML, found, _mark(mark)) from None
    except yaml.YAMLError as exc:
        raise _fail(name, "syntax", "", _EXPECT_YAML, str(exc)) from None
    finally:
        loader.dispose()


def _load_yaml(text: str, name: str, limits: Limits) -> Document:
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        position = int(exc.position)
        found = f"character U+{ord(text[position]):04X}" if position < len(text) else exc.reason
        raise _fail(
            name, "encoding", "", _EXPECT_PRINTABLE, found, _text_position(text, position)
        ) from None
    fast = _compose_fast(text, name, limits)
    if isinstance(fast, _Unread):
        root = _compose_python(loader, name, limits)
    else:
        root = fast
        loader.dispose()
    if root is None:  # an empty stream, or only comments
        return Document(name, None, {}, {})
    problems = _Problems(name)
    data, positions, key_positions = _build(loader, root, problems)
    problems.raise_if_any()
    return Document(name, data, positions, key_positions)


# ---------------------------------------------------------------------------------------------
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
        raise _too_many_bytes(name, len(data), limits.max_bytes)
    kind = detect_format(name, data) if fmt is None else fmt.lower()
    try:
        text = _decode(data, name)
        with gc_paused():  # perf.py: a large document is millions of objects, and no cycles
            if kind == "json":
                return _load_json(text, name, limits)
            # 'yaml' or 'yml'.
            return _load_yaml(text, name, limits)
    except InputError:
        raise
    except RecursionError:
        # Only reachable when limits.max_depth is set above what the interpreter allows.
        raise _fail(
            name,
            "too_deep",
            "",
            _expect_depth(limits.max_depth),
            "nesting deeper than Python can parse",
        ) from None
    except MemoryError:
        raise _fail(
            name, "too_large", "", _expect_nodes(limits.max_nodes), "more than memory allows"
        ) from None
    except Exception as exc:
        # The contract is that bad input never surfaces as a traceback; a bug here should
        # still be visible, so say plainly that it is one.
        raise _fail(
            name,
            "internal",
            "",
            Text(
                zh="可以读取的输入（这是本工具的缺陷，请报告）",
                en="a readable input (this is a bug; please report it)",
            ),
            f"{type(exc).__name__}: {exc}",
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
        found = exc.strerror or type(exc).__name__
        raise _fail(name, "io", "", _EXPECT_READABLE, found) from None
    if size > limits.max_bytes:
        # Refused from the size alone, without reading a huge file into memory.
        raise _too_many_bytes(name, size, limits.max_bytes)
    return load_bytes(data, name, limits=limits)


def problem_at(doc: Document, pointer: str, expected: Text, found: str, code: str) -> Problem:
    """A problem at ``pointer`` of ``doc``, with the line and column the text gives it."""
    return problem_in(doc.name, doc.positions, pointer, expected, found, code)


def problem_in(
    source: str,
    positions: Mapping[str, Position],
    pointer: str,
    expected: Text,
    found: str,
    code: str,
) -> Problem:
    """A problem at ``pointer`` of the file ``source``, placed by its ``positions``."""
    pos = nearest_position(positions, pointer)
    return Problem(
        source,
        pointer,
        expected,
        found,
        pos.line if pos else None,
        pos.column if pos else None,
        code,
    )
