"""Input problems: what was wrong, where, what was expected and what was found."""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning", "info"]


class Text(NamedTuple):
    """A message in both languages the tool speaks; Chinese first."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    @classmethod
    def of(cls, i18n: Any) -> Text:
        """The text of a rule file's ``{zh, en}`` (a `language.I18n`, or its frozen form)."""
        return cls(i18n.zh, i18n.en)


# What a problem found: a string when it is the same in both languages (a value as the user
# wrote it, quoted), a Text when it is words.
Found = str | Text


def found_text(found: Found, lang: str) -> str:
    return found.get(lang) if isinstance(found, Text) else found


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file (record, rule file, pack manifest, waiver file)."""

    file: str
    pointer: str  # JSON pointer inside the document; "" is the whole document
    expected: Text
    found: Found
    line: int | None = None  # 1-based, where the source text allows
    column: int | None = None  # 1-based
    code: str = "invalid"
    # What was found, in Chinese, where it is words rather than the user's own value. A
    # `Text` given as `found` is kept here and in `found` (its English), which stays a string.
    found_zh: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.found, Text):
            object.__setattr__(self, "found_zh", self.found.zh)
            object.__setattr__(self, "found", self.found.en)

    def location(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def found_both(self) -> Found:
        """What was found, as given: for a copy of this problem at another place."""
        return (
            self.found
            if self.found_zh is None
            else Text(self.found_zh, found_text(self.found, "en"))
        )

    def found_in(self, lang: str) -> str:
        if lang != "en" and self.found_zh is not None:
            return self.found_zh
        return found_text(self.found, lang)

    def where(self, lang: str) -> str:
        """The place inside the file: its JSON pointer; in Chinese, 文件本身 for a problem with
        the file as such (missing, unreadable), which has neither pointer nor line."""
        if lang == "en":
            # English keeps `at /`, which scripts parsing the English lines rely on.
            return f"at {self.pointer or '/'}"
        if self.pointer or self.line is not None:
            return f"位置 {self.pointer or '/'}"
        return "文件本身"

    def render(self, lang: str = "zh", also: Sequence[Problem] = ()) -> str:
        """One line; ``also`` are the same problem at other places (`InputError.render`)."""
        found = self.found_in(lang)
        if lang == "en":
            line = (
                f"{self.location()}: {self.where(lang)}: expected {self.expected.en}; found {found}"
            )
        else:
            line = f"{self.location()}：{self.where(lang)}：应为{self.expected.zh}；实际为 {found}"
        if also:
            line += _elsewhere(also, lang)
        # A key or file name may hold control characters (that is often the problem itself):
        # shown, not sent to the terminal, and one problem stays one line.
        return line.translate(_SHOWN)

    def same_as(self) -> tuple[str, Text, Found, str | None, str]:
        """What makes two problems the same problem at different places."""
        return (self.file, self.expected, self.found, self.found_zh, self.code)


# How many other places of a repeated problem are listed; the rest are counted.
SHOWN_PLACES = 5


def _elsewhere(also: Sequence[Problem], lang: str) -> str:
    def place(p: Problem) -> str:
        at = f"{p.line}:{p.column}" if p.line is not None and p.column is not None else p.line
        if at is None:
            return p.pointer or "/"
        return f"{p.pointer or '/'} ({at})" if lang == "en" else f"{p.pointer or '/'}（{at}）"

    shown = [place(p) for p in also[:SHOWN_PLACES]]
    rest = len(also) - len(shown)
    total = len(also) + 1
    if lang == "en":
        more = f" and {rest} more" if rest else ""
        return f"; the same in {total} places, also at {', '.join(shown)}{more}"
    more = f"等，另有 {rest} 处" if rest else ""
    return f"；同样的问题共 {total} 处，另见 {'、'.join(shown)}{more}"


# As dlsh_rules.render.visible: C0, DEL, C1, bidirectional controls, line/paragraph separators.
_SHOWN = {
    c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"
    for c in (
        *range(0x00, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x2028,
        0x2029,
    )
}


@dataclass
class InputError(Exception):
    """Raised when an input cannot be checked. Carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render("en"))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem]]]:
        # Exceptions pickle through their args; this one is rebuilt from its problems, so it can
        # cross a process boundary in batch runs.
        return (type(self), (self.problems,))

    def render(self, lang: str = "zh") -> str:
        return "\n".join(self.lines(lang))

    def lines(self, lang: str = "zh") -> list[str]:
        """One line per problem, the same problem at many places in one line (the same wrong
        label in 12 talks is one thing to fix), in the order of their first place."""
        groups: dict[tuple[str, Text, Found, str | None, str], list[Problem]] = {}
        for p in self.problems:
            groups.setdefault(p.same_as(), []).append(p)
        return [first.render(lang, rest) for first, *rest in groups.values()]


def describe(value: object, limit: int = 60) -> str:
    """A short, quoted rendering of a found value for messages."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 1] + "…"
        return repr(text)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, dict):
        return "an object" if len(value) else "an empty object"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, float) and value != value:
        return "NaN"  # as JSON writes it (YAML: .nan); Python's "nan" is no word of either
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_found(value: object, limit: int = 60) -> Found:
    """`describe` for what a problem found: an object or a list is named in both languages,
    a value the user wrote is shown as written."""
    if isinstance(value, dict):
        return Text("一个对象", "an object") if value else Text("一个空对象", "an empty object")
    if isinstance(value, list):
        return Text(f"含 {len(value)} 项的列表", f"a list of {len(value)} items")
    return describe(value, limit)


# The system's error texts in Chinese, for the errors reading an input or writing a report meets
# most; others keep the system's own words (and the error's number, which a search finds).
_STRERROR_ZH = {
    errno.ENOENT: "没有这个文件或目录",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "不允许的操作",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.ENOTDIR: "路径中的某一级不是目录",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ELOOP: "符号链接的层数太多",
    errno.ENOSPC: "设备上没有空间",
    errno.EIO: "输入/输出错误",
    errno.EROFS: "只读文件系统",
    errno.EFBIG: "文件过大",
    errno.ENXIO: "没有那个设备或地址",
    errno.EBUSY: "设备或资源忙",
    errno.EMFILE: "打开的文件太多",
    errno.EINVAL: "无效的参数",
}


def os_error_text(exc: OSError) -> Text:
    """An OS error's text in both languages."""
    en = exc.strerror or type(exc).__name__
    zh = _STRERROR_ZH.get(exc.errno) if exc.errno is not None else None
    if zh is None:
        zh = f"系统错误 {exc.errno}" if exc.errno else "系统错误"
    return Text(zh, en)


# What a validator's error type asks for, shared by the record and waiver file messages (the
# error types are pydantic's; the texts are what users read).
EXPECTED_BY_TYPE: dict[str, Text] = {
    "missing": Text("必填字段", "a required field"),
    "string_type": Text("字符串", "a string"),
    "list_type": Text("列表", "a list"),
    "model_type": Text("对象（键值映射）", "an object (mapping)"),
    "dict_type": Text("对象（键值映射）", "an object (mapping)"),
    "model_attributes_type": Text("对象（键值映射）", "an object (mapping)"),
    "date_format": Text(
        "真实存在的日期，格式为 YYYY-MM-DD", "a real calendar date written YYYY-MM-DD"
    ),
    "date_type": Text("不含时间的日期，格式为 YYYY-MM-DD", "a date without time, YYYY-MM-DD"),
}
