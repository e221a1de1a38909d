"""JSON Patch (RFC 6902) on plain data, for the rule test cases: each case is a small patch of a
pack's compliant example record. Only the six standard operations; nothing else is interpreted.
One addition to RFC 6901 pointers: a segment `[FIELD=VALUE]` in place of a list index names the
one item of the list whose FIELD is VALUE (`/talks/[id=t3]/mode`).
"""

from __future__ import annotations

import copy
import re
from typing import Any


class PatchError(ValueError):
    """A patch that does not apply: English as ``str(exc)``, Chinese as ``zh``."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _split(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(
            f"a JSON pointer starts with '/': {pointer!r}", f"JSON 指针应以 '/' 开头：{pointer!r}"
        )
    return [_unescape(t) for t in pointer[1:].split("/")]


# `[id=t3]` in place of a list index: the one item whose field `id` is `t3` (any field may be
# named: `[person=p3]`), so that a case keeps patching the object it means when the example
# record gains or loses items before it.
_BY_FIELD = re.compile(r"^\[([A-Za-z_][A-Za-z0-9_]*)=(.*)\]$")


def _by_field(container: list[Any], token: str) -> int | None:
    match = _BY_FIELD.match(token)
    if match is None:
        return None
    name, wanted = match.groups()
    found = [
        i
        for i, item in enumerate(container)
        if isinstance(item, dict) and name in item and _text(item[name]) == wanted
    ]
    if len(found) != 1:
        what = "no item" if not found else f"{len(found)} items"
        items_zh = f"{name} = {wanted!r} 的列表项"
        raise PatchError(
            f"{token}: {what} with {name} = {wanted!r} (exactly one is needed)",
            f"{token}：没有 {items_zh}（须恰有一项）"
            if not found
            else f"{token}：{items_zh}有 {len(found)} 项（须恰有一项）",
        )
    return found[0]


def _kind_zh(value: Any) -> str:
    """What a value is, for a Chinese message (the English names its Python type)."""
    if isinstance(value, str):
        return "文字"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, (int, float)):
        return "数字"
    if value is None:
        return "空值 null"
    return "列表" if isinstance(value, list) else "对象"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _index(container: list[Any], token: str, *, adding: bool) -> int:
    if token == "-" and adding:
        return len(container)
    by_field = _by_field(container, token)
    if by_field is not None:
        return by_field
    if not token.isdigit() or (token.startswith("0") and token != "0"):
        raise PatchError(f"bad list index {token!r}", f"列表下标 {token!r} 写法有误")
    i = int(token)
    if i > len(container) or (i == len(container) and not adding):
        raise PatchError(
            f"list index {i} out of range (length {len(container)})",
            f"列表下标 {i} 超出范围（列表共 {len(container)} 项）",
        )
    return i


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _split(pointer)
    if not tokens:
        raise PatchError(
            "the operation needs a path below the root", "此操作的路径须在根以下（不能是根本身）"
        )
    node = doc
    for token in tokens[:-1]:
        node = get(node, "/" + token.replace("~", "~0").replace("/", "~1"))
    return node, tokens[-1]


def get(doc: Any, pointer: str) -> Any:
    node = doc
    for token in _split(pointer):
        if isinstance(node, dict):
            if token not in node:
                if _BY_FIELD.match(token):
                    raise PatchError(
                        f"{token} selects a list item, and this is not a list",
                        f"{token} 选择列表中的一项，但此处不是列表",
                    )
                raise PatchError(f"no member {token!r}", f"没有成员 {token!r}")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, adding=False)]
        else:
            raise PatchError(
                f"cannot descend into {type(node).__name__} at {token!r}",
                f"{token!r} 处的值是{_kind_zh(node)}，不能再往下",
            )
    return node


def _add(doc: Any, pointer: str, value: Any) -> None:
    parent, token = _parent(doc, pointer)
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, adding=True), value)
    else:
        raise PatchError(
            f"cannot add into {type(parent).__name__}", f"不能在{_kind_zh(parent)}中添加"
        )


def _remove(doc: Any, pointer: str) -> Any:
    parent, token = _parent(doc, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(f"no member {token!r} to remove", f"没有可删除的成员 {token!r}")
        return parent.pop(token)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token, adding=False))
    raise PatchError(
        f"cannot remove from {type(parent).__name__}", f"不能从{_kind_zh(parent)}中删除"
    )


def apply_patch(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """Return a patched deep copy of ``doc``; the input is never modified."""
    out = copy.deepcopy(doc)
    for n, op in enumerate(ops):
        try:
            kind, path = op["op"], op["path"]
            if kind == "add":
                _add(out, path, copy.deepcopy(op["value"]))
            elif kind == "remove":
                _remove(out, path)
            elif kind == "replace":
                _remove(out, path)
                _add(out, path, copy.deepcopy(op["value"]))
            elif kind == "move":
                _add(out, path, _remove(out, op["from"]))
            elif kind == "copy":
                _add(out, path, copy.deepcopy(get(out, op["from"])))
            elif kind == "test":
                if get(out, path) != op["value"]:
                    raise PatchError(f"test failed at {path}", f"{path} 处的值与 test 不符")
            else:
                raise PatchError(f"unknown op {kind!r}", f"未知的操作 {kind!r}")
        except KeyError as exc:
            raise PatchError(
                f"patch operation {n} ({op!r}): {exc}", f"补丁第 {n} 项（{op!r}）缺少键 {exc}"
            ) from None
        except PatchError as exc:
            raise PatchError(
                f"patch operation {n} ({op!r}): {exc}", f"补丁第 {n} 项（{op!r}）：{exc.zh}"
            ) from None
    return out
