"""Field paths: walk fields, follow ids to objects, flatten lists; a path always yields a list."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..dates import DATE_PARTS, DEFAULT_ACADEMIC_START, date_part, end_date
from ..errors import FrozenValue, pydantic_instance_schema

if TYPE_CHECKING:
    from ..evaluate.context import Context
from .normalise import SpecError

# --- paths ------------------------------------------------------------------------------------

# Computed segments on a date value (`date.@month`): the part's name without the @.
_DATE_SEGMENTS = {f"@{name}": name for name in DATE_PARTS}
COMPUTED_SEGMENTS = ("@end", "@self", *_DATE_SEGMENTS)


def academic_start(ctx: Context) -> tuple[int, int]:
    """(month, day) on which the pack's academic year starts (manifest `calendar`; default 9-1)."""
    found = getattr(getattr(ctx.pack.manifest, "calendar", None), "academic_year_start", None)
    return (found.month, found.day) if found is not None else DEFAULT_ACADEMIC_START


def key_of(value: Any) -> Any:
    """The identity of a selected thing: an object's id, or the value itself."""
    if isinstance(value, dict):
        return value.get("id", id(value))
    return value


_FIELDS = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
# `@refs(LIST:FIELD)`: the objects of LIST (a path from the root) whose FIELD names this one.
REFS_RE = re.compile(rf"@refs\(({_FIELDS}):({_FIELDS})\)")
_SEGMENT_RE = re.compile(r"@refs\([^()]*\)|[^.]+")


def split_segments(text: str) -> tuple[str, ...]:
    """The segments of a dotted path; the dots inside ``@refs(…)`` do not split it."""
    if "(" not in text:
        return tuple(text.split("."))
    out: list[str] = []
    pos = 0
    while pos <= len(text):
        m = _SEGMENT_RE.match(text, pos)
        if m is None:  # an empty segment, as "a..b" or a trailing dot
            out.append("")
            pos += 1
            continue
        out.append(m.group(0))
        pos = m.end()
        if pos < len(text) and text[pos] != ".":
            out[-1] += text[pos:]  # stray text after a segment: refused as a bad segment
            break
        pos += 1
    return tuple(out)


@lru_cache(maxsize=256)
def refs_parts(segment: str) -> tuple[Path, Path]:
    """LIST and FIELD of a ``@refs(LIST:FIELD)`` segment, which `Path.parse` has checked."""
    m = REFS_RE.fullmatch(segment)
    if m is None:
        raise SpecError(
            f"bad reverse reference {segment!r}; write @refs(LIST:FIELD)",
            zh=f"反向引用 {segment!r} 写法有误，应写作 @refs(LIST:FIELD)",
        )
    return Path.parse(m.group(1)), Path.parse(m.group(2))


class Path(FrozenValue):
    """A dotted field path. ``@end`` is the last day of an activity (date + days - 1);
    ``@refs(LIST:FIELD)`` the objects of LIST whose FIELD names the current object."""

    text: str
    segments: tuple[str, ...]
    # The field's name when the path is one plain field, as most are; `values` reads it directly.
    single: str | None
    # Whether a segment is `@refs(…)`: the walk below then looks for it, else it need not.
    has_refs: bool
    _hidden = _uncompared = _derived = ("single", "has_refs")
    # a field type of the rule language's models (see errors.pydantic_instance_schema)
    __get_pydantic_core_schema__ = staticmethod(pydantic_instance_schema)

    def __init__(self, text: str, segments: tuple[str, ...]) -> None:
        single = segments[0] if len(segments) == 1 and not segments[0].startswith("@") else None
        has_refs = any(seg.startswith("@refs(") for seg in segments)
        self.__dict__.update(text=text, segments=segments, single=single, has_refs=has_refs)

    @staticmethod
    def parse(text: str) -> Path:
        if not isinstance(text, str) or not text:
            raise SpecError(
                f"a field path must be a non-empty string, not {text!r}",
                zh=f"字段路径应为非空字符串，实际为 {text!r}",
            )
        segments = split_segments(text)
        for seg in segments:
            if seg.startswith("@refs("):
                if not REFS_RE.fullmatch(seg):
                    raise SpecError(
                        f"bad reverse reference {seg!r} in {text!r}: write @refs(LIST:FIELD), "
                        "LIST a path from the record's root, FIELD a path on each of its objects",
                        zh=f"{text!r} 中的反向引用 {seg!r} 写法有误，应写作 @refs(LIST:FIELD)："
                        "LIST 为从记录根部起的路径，FIELD 为其中每个对象上的字段路径",
                    )
                continue
            if not re.fullmatch(r"@?[A-Za-z_][A-Za-z0-9_]*|@self", seg):
                raise SpecError(
                    f"bad segment {seg!r} in field path {text!r}",
                    zh=f"字段路径 {text!r} 中的 {seg!r} 不是合法的字段名",
                )
            if seg.startswith("@") and seg not in COMPUTED_SEGMENTS:
                raise SpecError(
                    f"unknown computed field {seg!r} in {text!r} "
                    f"(use one of {', '.join(COMPUTED_SEGMENTS)} or @refs(LIST:FIELD))",
                    zh=f"{text!r} 中有未知的计算字段 {seg!r}"
                    f"（可用 {'、'.join(COMPUTED_SEGMENTS)} 或 @refs(LIST:FIELD)）",
                )
        return Path(text, segments)

    def refs(self) -> list[tuple[Path, Path]]:
        """LIST and FIELD of every ``@refs`` segment, for the loader's field-name check."""
        return [refs_parts(seg) for seg in self.segments if seg.startswith("@refs(")]

    def values(self, ctx: Context, start: Any) -> list[Any]:
        single = self.single
        if single is not None and isinstance(start, dict):
            # One field of an object: the loop below would do the same, at twice the cost, and
            # rules evaluate paths hundreds of thousands of times on a large record.
            found = start.get(single)
            if found is None:
                return []
            if isinstance(found, list):
                return [g for g in found if g is not None]
            return [found]
        index = ctx.record.index
        current: list[Any] = [start]
        refs = self.has_refs
        for seg in self.segments:
            nxt: list[Any] = []
            if refs and seg.startswith("@refs("):
                referring = _reverse_index(ctx, seg)
                for value in current:
                    # An id, or an object with one; a plain value (an org kind, `group`) too.
                    key = value.get("id") if isinstance(value, dict) else value
                    if isinstance(key, (str, int)) and not isinstance(key, bool):
                        nxt.extend(referring.get(key, ()))
                current = nxt
                continue
            part = _DATE_SEGMENTS.get(seg)
            if part is not None:
                # A part of each date value; anything else yields nothing.
                start_on = academic_start(ctx) if part == "academic_year" else None
                for value in current:
                    if isinstance(value, dt.date):
                        nxt.append(date_part(part, value, start_on or DEFAULT_ACADEMIC_START))
                current = nxt
                continue
            for value in current:
                if isinstance(value, str):
                    target = index.get(value)
                    if target is None:
                        continue
                    value = target.obj
                if not isinstance(value, dict):
                    continue
                if seg == "@self":
                    got: Any = value
                elif seg == "@end":
                    start_date = value.get("date")
                    got = end_date(start_date, value.get("days", 1)) if start_date else None
                else:
                    got = value.get(seg)
                if got is None:
                    continue
                if isinstance(got, list):
                    nxt.extend([g for g in got if g is not None])
                else:
                    nxt.append(got)
            current = nxt
        return current

    def first(self, ctx: Context, start: Any) -> Any:
        found = self.values(ctx, start)
        return found[0] if found else None


def _reverse_index(ctx: Context, segment: str) -> dict[Any, list[Any]]:
    """Key -> the objects of LIST whose FIELD names it, in LIST's order, each once per key.

    Built once per record and segment (the context caches it): a path through ``@refs`` on
    every subject of a check is then one look-up per subject, not a scan of LIST.
    """

    def build() -> dict[Any, list[Any]]:
        listing, at = refs_parts(segment)
        read: Callable[[Context, Any], list[Any]] = at.values
        index: dict[Any, list[Any]] = {}
        single = at.single
        for obj in listing.values(ctx, ctx.record.data):
            if not isinstance(obj, dict):
                continue
            if single is not None:
                # FIELD one plain field holding one id (documents:owner): what the loop below
                # does for it, without the path walk and the set (issue 13: ~70 walks a record).
                found = obj.get(single)
                if found is None:
                    continue
                if type(found) is str:
                    same = index.get(found)
                    if same is None:
                        index[found] = [obj]
                    else:
                        same.append(obj)
                    continue
            seen: set[Any] = set()
            for value in read(ctx, obj):
                key = key_of(value)
                try:
                    if key in seen:
                        continue
                    seen.add(key)
                except TypeError:  # an unhashable value names nothing
                    continue
                index.setdefault(key, []).append(obj)
        return index

    return ctx.cached(("refs", segment), build)


def follow_id(ctx: Context, item: Any) -> Any:
    """Follow an id to its object so conditions can read its fields."""
    if isinstance(item, str):
        target = ctx.record.index.get(item)
        if target is not None:
            return target.obj
    return item


# --- paths compiled segment by segment ----------------------------------------------------------

# Off, `compiled.path_reader` gives `Path.values` itself (the reference); tests/test_kinds_fast.py
# compares the two on every path of every pack.
FAST = True


def fast_paths() -> bool:
    return FAST


Step = Callable[["Context", list[Any]], list[Any]]
Reader = Callable[["Context", Any], list[Any]]


def compile_path(path: Path) -> Reader:
    """`path.values` as a chain of one closure per segment (issue 13: about 300 walks of paths
    of several segments a check of the whole pack, each deciding at every segment and every
    value what the segment is). Each step does for its segment what the loop of `values`
    does, in the same order, on the same values."""
    if len(path.segments) == 1:
        return path.values  # one segment: its loop runs once (one plain field: read in place)
    steps = tuple(_step(seg) for seg in path.segments)
    first, rest = steps[0], steps[1:]
    name = path.segments[0]
    plain_first = not name.startswith("@")

    def read(ctx: Context, start: Any) -> list[Any]:
        if plain_first and type(start) is dict:
            # The first step on one object, without its loop.
            got = start.get(name)
            if got is None:
                return []
            current = [g for g in got if g is not None] if isinstance(got, list) else [got]
        else:
            current = first(ctx, [start])
        for step in rest:
            if not current:
                return current
            current = step(ctx, current)
        return current

    return read


def _step(seg: str) -> Step:
    if seg.startswith("@refs("):
        return _refs_step(seg)
    part = _DATE_SEGMENTS.get(seg)
    if part is not None:
        return _date_step(part)
    if seg == "@self" or seg == "@end":
        return _object_step(seg)
    return _field_step(seg)


def field_values(index: Mapping[str, Any], current: list[Any], name: str) -> list[Any]:
    """One plain field's step: an id resolves through the record's ``index`` to its object,
    then the field's value is extended (a list, None left out) or appended; anything else is
    left out. Shared by `_field_step` and the kinds' per-record indexes (`kinds.base.plain_values`)."""
    nxt: list[Any] = []
    for value in current:
        if type(value) is not dict:
            if isinstance(value, str):
                target = index.get(value)
                if target is None:
                    continue
                value = target.obj
            if not isinstance(value, dict):
                continue
        got = value.get(name)
        if got is None:
            continue
        if isinstance(got, list):
            nxt.extend([g for g in got if g is not None])
        else:
            nxt.append(got)
    return nxt


def _field_step(name: str) -> Step:
    def field(ctx: Context, current: list[Any]) -> list[Any]:
        return field_values(ctx.record.index, current, name)

    return field


def _object_step(seg: str) -> Step:
    """``@self`` (the object itself) and ``@end`` (its last day) of each object or id."""

    def step(ctx: Context, current: list[Any]) -> list[Any]:
        objects = _objects(ctx.record.index, current)
        if seg == "@self":
            return objects
        return [end_date(o["date"], o.get("days", 1)) for o in objects if o.get("date")]

    return step


def _objects(index: Mapping[str, Any], current: list[Any]) -> list[dict[str, Any]]:
    """Each object of ``current``, an id resolved through the record's ``index``; anything
    else left out."""
    found: list[dict[str, Any]] = []
    for value in current:
        if isinstance(value, str):
            target = index.get(value)
            if target is None:
                continue
            value = target.obj
        if isinstance(value, dict):
            found.append(value)
    return found


def _date_step(part: str) -> Step:
    def step(ctx: Context, current: list[Any]) -> list[Any]:
        start_on = academic_start(ctx) if part == "academic_year" else None
        return [
            date_part(part, value, start_on or DEFAULT_ACADEMIC_START)
            for value in current
            if isinstance(value, dt.date)
        ]

    return step


def _refs_step(seg: str) -> Step:
    def step(ctx: Context, current: list[Any]) -> list[Any]:
        referring = _reverse_index(ctx, seg)
        nxt: list[Any] = []
        for value in current:
            # An id, or an object with one; a plain value (an org kind, `group`) too.
            key = value.get("id") if isinstance(value, dict) else value
            if isinstance(key, (str, int)) and not isinstance(key, bool):
                nxt.extend(referring.get(key, ()))
        return nxt

    return step
