"""A loaded document: its data, the position of every value, the limits it was read under,
and the problems reported against it."""

from __future__ import annotations

import os
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from ..errors import Found, FrozenValue, InputError, Problem, Text, describe


class Limits(FrozenValue):
    """Bounds that keep a hostile or broken input from exhausting time or memory."""

    max_bytes: int
    max_depth: int
    max_nodes: int
    max_alias_expansions: int
    # Characters of scalar text once YAML aliases are expanded. Counting expansions alone let
    # 9,000 aliases of one 100 KB string through: 900 MB of text for the record validator to
    # normalise, a minute at 690 MB. Without aliases a document's text is never longer than
    # the file, so only an alias can cross this; `from_env` raises it with DLSH_MAX_BYTES.
    max_expanded_chars: int
    DEFAULT_EXPANDED_CHARS: ClassVar[int] = 20 * 1024 * 1024

    def __init__(
        self,
        max_bytes: int = 20 * 1024 * 1024,
        max_depth: int = 64,
        max_nodes: int = 2_000_000,
        max_alias_expansions: int = 10_000,
        max_expanded_chars: int = DEFAULT_EXPANDED_CHARS,
    ) -> None:
        self.__dict__.update(
            max_bytes=max_bytes,
            max_depth=max_depth,
            max_nodes=max_nodes,
            max_alias_expansions=max_alias_expansions,
            max_expanded_chars=max_expanded_chars,
        )

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
                raise fail_input(var, "environment", "", expected, describe(text))
            values[attr] = int(text)
        if values.get("max_bytes", 0) > cls.DEFAULT_EXPANDED_CHARS:
            # A larger file may hold more text, and aliases of it may expand to as much.
            values["max_expanded_chars"] = values["max_bytes"]
        return cls(**values)


class Position(FrozenValue):
    """A 1-based line and column; columns count characters, not bytes."""

    __slots__ = ("column", "line")
    line: int
    column: int

    def __init__(self, line: int, column: int) -> None:
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)

    # Pickled as its fields, and set back past the frozen __setattr__ (a dataclass with slots
    # does the same).
    def __getstate__(self) -> tuple[int, int]:
        return (self.line, self.column)

    def __setstate__(self, state: tuple[int, int]) -> None:
        object.__setattr__(self, "line", state[0])
        object.__setattr__(self, "column", state[1])


class Document(FrozenValue):
    """A loaded document: its data and where each value and key sits in the source."""

    name: str
    data: Any
    positions: Mapping[str, Position]
    key_positions: Mapping[str, Position]
    _hidden = ("positions", "key_positions")

    def __init__(
        self,
        name: str,
        data: Any,
        positions: Mapping[str, Position],
        key_positions: Mapping[str, Position],
    ) -> None:
        self.__dict__.update(name=name, data=data, positions=positions, key_positions=key_positions)

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
MAX_INT_DIGITS = 4300
# One broken generated file can hold thousands of the same mistake; list the first ones.
_MAX_PROBLEMS = 100

BOM_UTF8 = b"\xef\xbb\xbf"
# UTF-32 first: its little-endian mark starts with the UTF-16 one.
FOREIGN_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
LEADING_SPACE = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")

EXPECT_UTF8 = Text(zh="UTF-8 编码的文本", en="UTF-8 encoded text")
EXPECT_UTF8_NOT_WIDE = Text(
    zh="UTF-8 编码的文本（该文件像是 UTF-16 或 UTF-32 编码，请另存为 UTF-8）",
    en="UTF-8 encoded text (this looks like UTF-16 or UTF-32; save it as UTF-8)",
)
EXPECT_JSON = Text(zh="符合 JSON 语法的文本", en="valid JSON")
EXPECT_YAML = Text(zh="符合 YAML 语法的文本", en="valid YAML")
EXPECT_UNIQUE_KEY = Text(zh="每个键在同一对象中只出现一次", en="each key only once per object")
EXPECT_FINITE_JSON = Text(
    zh="有限的数值（JSON 中不能写 NaN 或 Infinity）",
    en="a finite number (JSON has no NaN or Infinity)",
)
EXPECT_FINITE = Text(zh="有限的数值", en="a finite number")
EXPECT_NUMBER_SIZE = Text(
    zh=f"大小合理的数值（整数不超过 {MAX_INT_DIGITS} 位，浮点数不溢出）",
    en=f"a number of sensible size (at most {MAX_INT_DIGITS} digits, no float overflow)",
)
EXPECT_UNICODE = Text(zh="有效的 Unicode 文本", en="valid Unicode text")
EXPECT_PLAIN_TAG = Text(
    zh="不带自定义标签的普通值（字符串、数字、布尔值、null、日期、列表或映射）",
    en="a plain value without a custom tag (string, number, boolean, null, date, list or mapping)",
)
EXPECT_DATE = Text(
    zh="只含日期的 YYYY-MM-DD 值（不能带时间）", en="a date YYYY-MM-DD without a time"
)
EXPECT_STRING_KEY = Text(
    zh="字符串形式的键（数字、日期、true、null 等作键时请加引号）",
    en="a string key (quote keys that look like numbers, dates, true or null)",
)
EXPECT_NO_MERGE = Text(
    zh="逐项写出的键（不支持合并键 <<）", en="keys written out (merge keys << are not supported)"
)
EXPECT_ONE_DOCUMENT = Text(zh="每个文件只含一个 YAML 文档", en="a single YAML document per file")
EXPECT_PRINTABLE = Text(zh="不含控制字符的文本", en="text without control characters")
EXPECT_READABLE = Text(zh="可以读取的文件", en="a readable file")


def too_many_bytes(name: str, size: int, limit: int) -> InputError:
    expected = Text(zh=f"不超过 {limit} 字节的文件", en=f"a file of at most {limit} bytes")
    return fail_input(name, "too_large", "", expected, Text(f"{size} 字节", f"{size} bytes"))


def expect_depth(limit: int) -> Text:
    return Text(
        zh=f"嵌套不超过 {limit} 层的列表和对象",
        en=f"lists and objects nested at most {limit} levels deep",
    )


def expect_nodes(limit: int) -> Text:
    return Text(
        zh=f"不超过 {limit} 个值（YAML 别名按展开后计）",
        en=f"at most {limit} values (YAML aliases counted as expanded)",
    )


class ProblemList:
    """Collects the non-fatal problems of one document, up to a cap."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Problem] = []
        self.dropped = 0

    def add(
        self, code: str, pointer: str, expected: Text, found: Found, pos: Position | None
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
                    Text(
                        f"另有 {self.dropped} 个问题未列出",
                        f"{self.dropped} more problems not listed",
                    ),
                    None,
                )
            )
        raise InputError(problems)


def _problem(
    name: str, code: str, pointer: str, expected: Text, found: Found, pos: Position | None
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


def fail_input(
    name: str, code: str, pointer: str, expected: Text, found: Found, pos: Position | None = None
) -> InputError:
    return InputError([_problem(name, code, pointer, expected, found, pos)])


def text_position(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


# A lone surrogate, which only an escape in a JSON string or a double-quoted YAML scalar can make.
SURROGATE = re.compile("[\ud800-\udfff]")
_NEWLINE = re.compile("\n")


class LineIndex:
    """Where each line starts, to turn a character offset into a line and column."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        self._starts = array("q", [0])
        self._starts.extend(match.end() for match in _NEWLINE.finditer(text))

    def position(self, offset: int) -> Position:
        line = bisect_right(self._starts, offset)
        return Position(line, offset - self._starts[line - 1] + 1)


class OffsetPositions(Mapping[str, Position]):
    """Positions kept as character offsets, made into lines and columns when looked up.

    A large JSON document has hundreds of thousands of values and its positions are only
    read when something is wrong, so building them all eagerly would waste most of the load.
    """

    __slots__ = ("_lines", "_offsets")

    def __init__(self, offsets: dict[str, int], lines: LineIndex) -> None:
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


def problem_at(doc: Document, pointer: str, expected: Text, found: Found, code: str) -> Problem:
    """A problem at ``pointer`` of ``doc``, with the line and column the text gives it."""
    return problem_in(doc.name, doc.positions, pointer, expected, found, code)


def problem_in(
    source: str,
    positions: Mapping[str, Position],
    pointer: str,
    expected: Text,
    found: Found,
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
