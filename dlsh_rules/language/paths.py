"""Field paths: walk fields, follow ids to objects, flatten lists; a path always yields a list."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..dates import DATE_PARTS, DEFAULT_ACADEMIC_START, date_part, end_date

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


@dataclass(frozen=True)
class Path:
    """A dotted field path. ``@end`` is the last day of an activity (date + days - 1)."""

    text: str
    segments: tuple[str, ...]
    # The field's name when the path is one plain field, as most are; `values` reads it directly.
    single: str | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.segments) == 1 and not self.segments[0].startswith("@"):
            object.__setattr__(self, "single", self.segments[0])

    @staticmethod
    def parse(text: str) -> Path:
        if not isinstance(text, str) or not text:
            raise SpecError(f"a field path must be a non-empty string, not {text!r}")
        segments = tuple(text.split("."))
        for seg in segments:
            if not re.fullmatch(r"@?[A-Za-z_][A-Za-z0-9_]*|@self", seg):
                raise SpecError(f"bad segment {seg!r} in field path {text!r}")
            if seg.startswith("@") and seg not in COMPUTED_SEGMENTS:
                raise SpecError(
                    f"unknown computed field {seg!r} in {text!r} "
                    f"(use one of {', '.join(COMPUTED_SEGMENTS)})"
                )
        return Path(text, segments)

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
        for seg in self.segments:
            nxt: list[Any] = []
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
                    nxt.extend(g for g in got if g is not None)
                else:
                    nxt.append(got)
            current = nxt
        return current

    def first(self, ctx: Context, start: Any) -> Any:
        found = self.values(ctx, start)
        return found[0] if found else None


def follow_id(ctx: Context, item: Any) -> Any:
    """Follow an id to its object so conditions can read its fields."""
    if isinstance(item, str):
        target = ctx.record.index.get(item)
        if target is not None:
            return target.obj
    return item
