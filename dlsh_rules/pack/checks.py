"""What the loader checks in a pack beyond its schema: paths inside the pack, field names, sets
and their cycles, relabelled enumerations, selections that need an object being checked."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from ..errors import Problem, Text, describe
from ..language.normalise import SpecError
from ..language.paths import Path as QueryPath
from ..language.query import Condition, Selection
from ..load.document import Document, pointer_join
from ..record.enums import BASE, EnumTable
from .frozen import Frozen, kind_of

if TYPE_CHECKING:
    from ..language.models import Rule

# The models of a pack, importable from here as before; they load pydantic, so only on request.
from ..load.document import problem_at as _at


def inside_pack(root: str, rel: str) -> bool:
    """A pack's own file: relative, existing, and inside the pack even after symlinks."""
    path = FsPath(root) / rel
    if FsPath(rel).is_absolute() or ".." in FsPath(rel).parts or not path.is_file():
        return False
    return path.resolve().is_relative_to(FsPath(root).resolve())


def _children(value: Any) -> Iterable[Any]:
    """What a frozen rule or set holds directly: a model's or dataclass's fields, a list's or
    mapping's items; nothing for a leaf."""
    if isinstance(value, Frozen):
        return value.fields().values()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    if isinstance(value, (list, tuple)):
        return value
    if isinstance(value, dict):
        return value.values()
    return ()


def _nodes(value: Any) -> Iterator[Any]:
    """Every object inside a frozen rule or set: models, query objects, lists and their items."""
    yield value
    for child in _children(value):
        yield from _nodes(child)


def sets_of_rule(rule: Rule) -> set[str]:
    """The names of the sets a rule refers to, in any of its checks or its due date."""
    return {
        name
        for node in _nodes([rule.checks, rule.due])
        if callable(getattr(type(node), "sets_used", None))
        for name in node.sets_used()
    }


def _relabel(doc: Document, labels: Any, enums: EnumTable, problems: list[Problem]) -> EnumTable:
    """``enums`` with the manifest's `labels:` applied; a problem for each unknown enumeration or
    value, and for a Chinese label another value of the enumeration already answers to."""
    new: dict[str, dict[str, tuple[str, str]]] = {}
    for name, values in labels.items():
        pointer = pointer_join("/labels", name)
        if name not in enums.labels:
            problems.append(
                _at(
                    doc,
                    pointer,
                    Text(
                        f"记录格式中的枚举名（{', '.join(BASE)}）",
                        f"an enumeration of the record format ({', '.join(BASE)})",
                    ),
                    describe(name),
                    "enum_name",
                )
            )
            continue
        known = enums.labels[name]
        for value, text in values.items():
            where = pointer_join(pointer, value)
            if value not in known:
                problems.append(
                    _at(
                        doc,
                        where,
                        Text(
                            f"枚举 {name} 中的值（{enums.choices(name)}）",
                            f"a value of the enumeration {name} ({enums.choices(name, zh=False)})",
                        ),
                        describe(value),
                        "enum_value",
                    )
                )
                continue
            current = {**known, **{v: zh for v, (zh, _en) in new.get(name, {}).items()}}
            taken = [
                other
                for other, label in current.items()
                if other != value and text.zh in (other, label)
            ]
            if taken:
                problems.append(
                    _at(
                        doc,
                        pointer_join(where, "zh"),
                        Text(
                            f"枚举 {name} 中其他值未使用的中文标签",
                            f"a Chinese label no other value of {name} has",
                        ),
                        Text(
                            f"{text.zh!r}，它已是 {taken[0]!r} 或其标签",
                            f"{text.zh!r}, which is {taken[0]!r} or its label",
                        ),
                        "enum_label",
                    )
                )
                continue
            new.setdefault(name, {})[value] = (text.zh, text.en)
    return enums.relabel(new) if new else enums


def unknown_fields(spec: Any) -> list[tuple[QueryPath, str]]:
    """(path, segment) for every field path in ``spec`` naming a field no record object has.

    A misspelt field would otherwise select nothing: a "must exist" check would fail every
    record, and a "may not" check would pass every record, both without a word.
    """
    from ..record.validate import field_names

    known = field_names()
    found: list[tuple[QueryPath, str]] = []
    seen: set[str] = set()
    for path in _paths_in(spec):
        if path.text in seen:
            continue
        seen.add(path.text)
        found.extend(
            (path, seg) for seg in path.segments if not seg.startswith("@") and seg not in known
        )
        # LIST and FIELD of a reverse reference are field paths too; the problem names the
        # whole path, which is where the rule file writes them.
        for listing, at in path.refs():
            found.extend(
                (path, seg) for part in (listing, at) for seg in part.segments if seg not in known
            )
    return found


def _here_without_object(value: Any) -> Iterator[QueryPath]:
    """The paths of ``{here: …}`` selections evaluated where no object is being checked.

    Inside a condition there is always one (the object the condition is evaluated on); a
    check's own selections, its pair generators, its `applies_when`, a due date and a set are
    evaluated once for the record, where ``here`` means nothing.
    """
    if isinstance(value, Condition):
        return
    if isinstance(value, Selection) and value.here is not None:
        yield value.here
    for child in _children(value):
        yield from _here_without_object(child)


def here_problem(doc: Document, pointer: str, path: QueryPath) -> Problem:
    return _at(
        doc,
        pointer,
        Text(
            "在条件中使用 {here: …}（require、where、qualify 等：相对于被检查的对象）；"
            "检查自身的选择、applies_when、截止日期和集合定义中没有当前对象",
            "{here: …} inside a condition (require, where, qualify…: relative to the object "
            "being checked); a check's own selections, applies_when, due dates and set "
            "definitions have no current object",
        ),
        f"{{here: {path.text}}}",
        "here_without_object",
    )


def pointer_of_key(value: Any, pointer: str, key: str) -> str | None:
    """Where a mapping key ``key`` is first written in raw data."""
    return _first_pointer(value, pointer, key, in_values=False)


def _first_pointer(value: Any, pointer: str, text: str, in_values: bool) -> str | None:
    """The first place ``text`` is written in raw data: as a key, or also as a string value."""
    if isinstance(value, str):
        return pointer if in_values and value == text else None
    if isinstance(value, dict):
        for name, sub in value.items():
            here = pointer_join(pointer, str(name))
            if name == text:
                return here
            got = _first_pointer(sub, here, text, in_values)
            if got is not None:
                return got
    if isinstance(value, list):
        for i, sub in enumerate(value):
            got = _first_pointer(sub, pointer_join(pointer, i), text, in_values)
            if got is not None:
                return got
    return None


def _paths_in(value: Any) -> Iterator[QueryPath]:
    for node in _nodes(value):
        if isinstance(node, QueryPath):
            yield node
        elif kind_of(node) == "CoverageSpec":
            # coverage's `same` maps item paths to subject paths, kept as written
            for pair in node.same.items():
                for text in pair:
                    with contextlib.suppress(SpecError):
                        yield QueryPath.parse(text)


def _unknown_field(
    doc: Document,
    raw: Any,
    base: str,
    path: QueryPath,
    segment: str,
    fallback: str | None = None,
) -> Problem:
    from difflib import get_close_matches

    from ..record.validate import field_names

    guess = get_close_matches(segment, sorted(field_names()), n=1)
    hint_zh = f"；是否应为 {guess[0]}？" if guess else ""
    hint_en = f"; did you mean {guess[0]}?" if guess else ""
    return _at(
        doc,
        _pointer_of_text(raw, base, path.text) or fallback or base,
        Text(f"记录格式中定义的字段名{hint_zh}", f"a field name of the record format{hint_en}"),
        Text(
            f"字段路径 {path.text!r} 中的 {segment!r}",
            f"{segment!r} in the field path {path.text!r}",
        ),
        "unknown_field",
    )


def _pointer_of_text(value: Any, pointer: str, text: str) -> str | None:
    """Where ``text`` is written in raw data: a string equal to it, or a key equal to it."""
    return _first_pointer(value, pointer, text, in_values=True)


def set_cycles(
    sets: dict[str, Selection], docs: Mapping[str, Document], fallback: Document
) -> list[Problem]:
    problems = []
    for start in sets:
        doc = docs.get(start, fallback)
        stack, seen = [start], set()
        while stack:
            name = stack.pop()
            for nxt in sets[name].sets_used() if name in sets else ():
                if nxt == start:
                    problems.append(
                        _at(
                            doc,
                            pointer_join("/sets", start),
                            Text("不循环引用的集合定义", "a set definition without cycles"),
                            Text(f"{start!r} 又引用回自身", f"{start} refers back to itself"),
                            "set_cycle",
                        )
                    )
                    stack = []
                    break
                if nxt not in sets:
                    problems.append(
                        _at(
                            docs.get(name, fallback),
                            pointer_join("/sets", name),
                            Text("清单中定义的集合", "a set defined in the manifest"),
                            Text(f"集合 {nxt!r}", f"set {nxt!r}"),
                            "unknown_set",
                        )
                    )
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return problems
