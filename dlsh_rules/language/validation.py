"""What pydantic's validation errors of rule files and manifests ask for, in both languages.

pydantic words its errors in English. The English stays exactly as pydantic (or the rule
language's own validators) wrote it, which --lang en shows; the Chinese comes from the error's
type and context: the rule language's validators put their Chinese in the context (``zh``, or a
`SpecError` as the ``error`` of a ``value_error``), pydantic's own types are looked up here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import EXPECTED_BY_TYPE, Text

# pydantic's own error types, by what they ask for; `{name}` is filled from the error's context.
_BUILTIN_ZH: dict[str, str] = {
    "extra_forbidden": "已定义的键（此键未定义，可能拼写有误）",
    "greater_than_equal": "不小于 {ge} 的值",
    "greater_than": "大于 {gt} 的值",
    "less_than_equal": "不大于 {le} 的值",
    "less_than": "小于 {lt} 的值",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "string_too_long": "至多 {max_length} 个字符的文字",
    "string_pattern_mismatch": "符合格式 '{pattern}' 的文字",
    "int_type": "整数",
    "int_parsing": "整数",
    "int_from_float": "整数（不带小数）",
    "float_type": "数字",
    "float_parsing": "数字",
    "bool_type": "true 或 false",
    "bool_parsing": "true 或 false",
    "set_type": "列表（不重复的值）",
    "tuple_type": "列表",
    "date_parsing": "格式为 YYYY-MM-DD 的日期",
    "date_from_datetime_parsing": "格式为 YYYY-MM-DD 的日期",
    "none_required": "null",
    "union_tag_not_found": "含 kind 键的检查",
    "is_instance_of": "规则语言允许的值",
}

# Special shapes of a few types, where the general words would mislead.
_RULE_ID_PATTERNS = {
    r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$": (
        "以点分隔、至少两段的小写 id（小写字母开头，只含小写字母、数字和下划线），如 'prep.talks'"
    ),
    r"^[a-z0-9][a-z0-9._-]*$": "小写字母或数字开头、只含小写字母、数字和 . _ - 的名称",
}


def error_text(error: Mapping[str, Any]) -> Text:
    """What ``error`` (one of a `ValidationError`'s ``errors()``) asks for: Chinese from its type
    and context, English as pydantic wrote it."""
    msg = str(error["msg"])
    return Text(_zh(str(error["type"]), error.get("ctx") or {}), msg)


def _zh(kind: str, ctx: Mapping[str, Any]) -> str:
    if isinstance(ctx.get("zh"), str):
        return str(ctx["zh"])
    zh = getattr(ctx.get("error"), "zh", None)
    if isinstance(zh, str):
        return zh
    if kind == "string_too_short":
        return "非空的文字" if ctx.get("min_length") == 1 else "至少 {min_length} 个字符的文字"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _RULE_ID_PATTERNS:
        return _RULE_ID_PATTERNS[str(ctx["pattern"])]
    if kind in ("literal_error", "enum"):
        return f"以下之一：{_choices(str(ctx.get('expected', '')))}"
    if kind in _BUILTIN_ZH:
        try:
            return _BUILTIN_ZH[kind].format(**ctx)
        except (KeyError, IndexError, ValueError):
            return _BUILTIN_ZH[kind]
    if kind in EXPECTED_BY_TYPE:
        return EXPECTED_BY_TYPE[kind].zh
    # A type this table does not know: said in Chinese, with the type to search for.
    return f"符合规则语言的值（校验错误类型 {kind}，--lang en 显示原文）"


def _choices(expected: str) -> str:
    """pydantic's ``'a', 'b' or 'c'`` as ``'a'、'b'、'c'``."""
    return re.sub(r",\s+|\s+or\s+", "、", expected)
