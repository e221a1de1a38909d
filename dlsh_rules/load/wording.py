"""What the parsers found, in both languages.

The JSON and YAML parsers word their errors in English. The English stays as they wrote it (a
search engine finds it); the Chinese is looked up here from the parser's own message, part by
part, so that a message this table does not know says in Chinese that the syntax is wrong
rather than showing English in a Chinese line.
"""

from __future__ import annotations

import re
from functools import cache

from ..errors import Text, describe
from .document import Position

# --- JSON ---------------------------------------------------------------------------------

_JSON: dict[str, str] = {
    "Expecting value": "此处应有一个值（可能多了逗号，或少了引号）",
    "Expecting property name enclosed in double quotes": (
        "此处应有用双引号括起的键（可能最后一项后面多了逗号）"
    ),
    "Expecting ':' delimiter": "键后面应有冒号 ':'",
    "Expecting ',' delimiter": "两项之间应有逗号 ','",
    "Extra data": "文档结束后还有多余的内容",
    "Unterminated string starting at": "字符串缺少结尾的双引号",
    "Invalid control character at": "字符串中有控制字符（换行须写作 \\n）",
    "Invalid \\escape": "无效的转义序列",
    "Invalid \\uXXXX escape": "无效的 \\u 转义序列",
}


def json_syntax(msg: str) -> Text:
    """A `json.JSONDecodeError` message (without its position) in both languages."""
    for english, chinese in _JSON.items():
        if msg.startswith(english):
            return Text(chinese, msg)
    return Text("不符合 JSON 语法", msg)


# --- YAML ---------------------------------------------------------------------------------

# PyYAML names tokens in angle brackets; in Chinese they are named by what they are.
_TOKENS: dict[str, str] = {
    "<block end>": "缩进的结束",
    "<block mapping start>": "新的一层键值",
    "<block sequence start>": "新的列表",
    "<block entry>": "列表项 '-'",
    "<flow mapping start>": "'{'",
    "<flow mapping end>": "'}'",
    "<flow sequence start>": "'['",
    "<flow sequence end>": "']'",
    "<flow entry>": "','",
    "<key>": "一个键",
    "<value>": "冒号 ':'",
    "<scalar>": "一个值",
    "<alias>": "别名 '*'",
    "<anchor>": "锚点 '&'",
    "<tag>": "标签 '!'",
    "<document start>": "文档开始 '---'",
    "<document end>": "文档结束 '...'",
    "<stream end>": "文件结尾",
    "<directive>": "指令 '%'",
}


def _token(found: str) -> str:
    bare = found.strip("'\"")
    if bare in _TOKENS:
        return _TOKENS[bare]
    return found


def _tab_or_char(found: str) -> str:
    if found in ("'\\t'", '"\\t"'):
        return "制表符（Tab）不能用来缩进，请改用空格"
    return f"字符 {found} 不能出现在这里（含有它的值请加引号）"


# The parser's problems, compiled when a syntax error is first worded (`_problems`): a valid
# file never needs them, and compiling them cost every run 1.4 ms at import (issue 13).
_PROBLEM_PATTERNS: tuple[tuple[str, object], ...] = (
    (
        r"mapping values are not allowed here",
        "此处不能出现冒号 ':'（上一行的缩进可能不对，或值中含有 ': ' 需要加引号）",
    ),
    (r"could not find expected ':'", "找不到键后面应有的冒号 ':'"),
    (r"mapping keys are not allowed here", "此处不能出现键"),
    (r"found character (.+) that cannot start any token", lambda m: _tab_or_char(m[1])),
    (r"found unexpected end of stream", "文件意外结束（可能缺少结尾的引号或括号）"),
    (r"found unexpected document separator", "意外的文档分隔符 '---'"),
    (r"found unknown escape character (.+)", lambda m: f"未知的转义字符 {m[1]}"),
    (
        r"expected ',' or '([}\]])', but got (.+)",
        lambda m: f"应为逗号 ',' 或 '{m[1]}'，实际为 {_token(m[2])}",
    ),
    (
        r"expected <block end>, but found (.+)",
        lambda m: f"缩进不一致：此处应回到上一层的缩进，实际为{_token(m[1])}",
    ),
    (
        r"expected the node content, but found (.+)",
        lambda m: f"应有一个值，实际为{_token(m[1])}",
    ),
    (
        r"expected '<document start>', but found (.+)",
        lambda m: f"应为文档开始 '---'，实际为{_token(m[1])}",
    ),
    (
        r"expected a comment or a line break, but found (.+)",
        lambda m: f"此处只能是注释或换行，实际为 {m[1]}",
    ),
    (
        r"expected alphabetic or numeric character, but found (.+)",
        lambda m: f"锚点或别名的名称应为字母或数字，实际为 {m[1]}",
    ),
    (r"found undefined tag handle (.+)", lambda m: f"未定义的标签前缀 {m[1]}"),
    (
        r"expected escape sequence of (\d+) hexadecimal numbers, but found (.+)",
        lambda m: f"转义序列应有 {m[1]} 位十六进制数字，实际为 {m[2]}",
    ),
    (r"found duplicate YAML directive", "重复的 %YAML 指令"),
    (r"found incompatible YAML document.*", "不兼容的 YAML 版本（须为 1.x）"),
    (r"special characters are not allowed", "不允许的特殊字符"),
)


@cache
def _problems() -> tuple[tuple[re.Pattern[str], object], ...]:
    return tuple((re.compile(pattern + "$"), zh) for pattern, zh in _PROBLEM_PATTERNS)


_CONTEXTS: dict[str, str] = {
    "while scanning a simple key": "读取一个键时",
    "while scanning a quoted scalar": "读取带引号的文字时",
    "while scanning a double-quoted scalar": "读取带双引号的文字时",
    "while scanning a single-quoted scalar": "读取带单引号的文字时",
    "while scanning a plain scalar": "读取一个值时",
    "while scanning a block scalar": "读取多行文字（| 或 >）时",
    "while scanning an anchor": "读取锚点时",
    "while scanning an alias": "读取别名时",
    "while scanning a tag": "读取标签时",
    "while scanning a directive": "读取指令时",
    "while parsing a block mapping": "读取键值（对象）时",
    "while parsing a block collection": "读取列表时",
    "while parsing a flow mapping": "读取花括号 {…} 中的对象时",
    "while parsing a flow sequence": "读取方括号 […] 中的列表时",
    "while parsing a block node": "读取一个值时",
    "while parsing a flow node": "读取一个值时",
    "while parsing a node": "读取一个值时",
    "while parsing a tag": "读取标签时",
}


def yaml_syntax(context: str | None, problem: str | None) -> Text:
    """A PyYAML scanner or parser error (its context and problem) in both languages."""
    en = "; ".join(part for part in (context, problem) if part) or "invalid YAML"
    zh = ""
    for pattern, chinese in _problems():
        match = pattern.match(problem or "")
        if match is not None:
            zh = chinese(match) if callable(chinese) else str(chinese)
            break
    if not zh:
        return Text("不符合 YAML 语法", en)
    return Text(_CONTEXTS.get(context or "", "") + zh, en)


# A key of the record format (always ASCII) followed by a full-width colon: YAML reads
# `name：x` as one plain text, and the error surfaces lines later, or not at all.
@cache
def _full_width_key() -> re.Pattern[str]:
    # compiled when first asked (a syntax error, an unknown key), not by every run at import
    return re.compile(r"(?:^[ \t]*(?:-[ \t]+)*|[{,][ \t]*)[A-Za-z_$][A-Za-z0-9_]*[ \t]*(：)")


FULL_WIDTH_COLON = Text(
    "键后面用了全角冒号 '：'，请使用半角冒号 ':'（其后加一个空格）",
    "a full-width colon '：' after a key; write an ASCII colon ':' followed by a space",
)


def full_width_colon(text: str, last_line: int) -> Position | None:
    """Where the last key written with a full-width colon is, up to line ``last_line``
    (1-based), or None: the cause of a syntax error reported there or later."""
    lines = text.split("\n", last_line)[:last_line]
    for number in range(len(lines), 0, -1):
        line = lines[number - 1]
        if line.lstrip().startswith("#"):
            continue
        match = _full_width_key().search(line)
        if match is not None:
            return Position(number, match.start(1) + 1)
    return None


def key_with_full_width_colon(key: str) -> bool:
    return _full_width_key().match(key) is not None


# --- what loaders found ----------------------------------------------------------------------


def key_again(key: str, first: Position | None) -> Text:
    if first is None:
        return Text(f"键 {describe(key)} 再次出现", f"key {describe(key)} again")
    return Text(
        f"键 {describe(key)} 再次出现（第一次在第 {first.line} 行第 {first.column} 列）",
        f"key {describe(key)} again (first at line {first.line}, column {first.column})",
    )


def character_in(code: int, value: str, key: bool = False) -> Text:
    where = "键" if key else ""
    return Text(
        f"{where}{describe(value)} 中的字符 U+{code:04X}",
        f"character U+{code:04X} in {'the key ' if key else ''}{describe(value)}",
    )


def lone_surrogate(token: str | None = None) -> Text:
    if token is None:
        return Text("不成对的代理码位", "a lone surrogate")
    return Text(f"{describe(token)} 中不成对的代理码位", f"a lone surrogate in {describe(token)}")


def more_values(limit: int) -> Text:
    return Text(f"超过 {limit} 个值", f"more than {limit} values")


def deeper_than(limit: int) -> Text:
    return Text(f"嵌套超过 {limit} 层", f"nesting deeper than {limit} levels")
