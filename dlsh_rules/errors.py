"""Input problems: what was wrong, where, what was expected and what was found."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file (record, rule file, pack manifest, waiver file)."""

    file: str
    pointer: str  # JSON pointer inside the document; "" is the whole document
    expected: Text
    found: str
    line: int | None = None  # 1-based, where the source text allows
    column: int | None = None  # 1-based
    code: str = "invalid"

    def location(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def render(self, lang: str = "zh") -> str:
        where = self.pointer or "/"
        if lang == "en":
            line = f"{self.location()}: at {where}: expected {self.expected.en}; found {self.found}"
        else:
            line = f"{self.location()}：位置 {where}：应为{self.expected.zh}；实际为 {self.found}"
        # A key or file name may hold control characters (that is often the problem itself):
        # shown, not sent to the terminal, and one problem stays one line.
        return line.translate(_SHOWN)


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
        return "\n".join(p.render(lang) for p in self.problems)


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
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
