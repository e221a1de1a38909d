"""The dates a record holds as facts, and the record's own reference date.

A record is the history of one meeting: every date in it says when something happened, except
the fields that name a plan or a limit — a rectification item's `due`, the meeting's
`planned_date`, a waiver's `expires`. Those are left out. Items marked `todo: true` are already
gone from the validated data (validate.py), so a skeleton's planned dates are not facts either.

Two uses (docs/ci.md, "Check date"):

- **The reference date** (`reference_date`): without `--as-of`, waivers — the record's own and a
  waiver file's alike — are judged at the latest date the record holds (never earlier than the
  meeting). It is a function of the record alone, so an archived record gives the same report
  on any day, and a waiver that was in force when the record's last fact happened stays so.
- **Facts after `--as-of`** (`facts_after`): a check "as of D" of a record that already holds
  later facts is probably given the wrong date; the command line warns, naming the earliest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .validate import RecordData

# Date fields that name a plan or a limit, not something that happened.
PLANNED = frozenset({"due", "planned_date", "expires"})


_ModelDates = tuple[tuple[tuple[str, bool], ...], tuple[tuple[str, str, bool], ...]]


@cache
def _date_plan() -> tuple[str, dict[str, _ModelDates]]:
    """For each record model: its fact-date fields, and its fields holding other models."""
    from .validate import _record_plan

    plan = _record_plan()
    out: dict[str, _ModelDates] = {}
    for name, model in plan.models.items():
        dates = tuple(
            (f.alias, f.many) for f in model.fields if f.kind == "date" and f.alias not in PLANNED
        )
        subs = tuple(
            (f.alias, f.model, f.many)
            for f in model.fields
            if f.kind == "model" and f.model is not None
        )
        out[name] = (dates, subs)
    return plan.root, out


def _dated(data: Any) -> Iterator[tuple[Any, str | int, dt.date]]:
    """(container, key, date) of every fact-date in validated record data.

    Guided by the record models, so that only date fields and sub-objects are visited (not the
    lists of ids, the texts, the enumerations), and no pointer is built on the way: on a record
    of 40 people (9,000 objects) it takes about 8 ms, a walk of every value building pointers
    took longer than the check itself."""
    root, plan = _date_plan()
    stack: list[tuple[str, Any]] = [(root, data)]
    while stack:
        model, obj = stack.pop()
        if not isinstance(obj, dict):
            continue
        dates, subs = plan[model]
        for alias, many in dates:
            value = obj.get(alias)
            if value is None:
                continue
            if many and isinstance(value, list):
                for i, day in enumerate(value):
                    if isinstance(day, dt.date):
                        yield value, i, day
            elif isinstance(value, dt.date):
                yield obj, alias, value
        for alias, sub, many in subs:
            value = obj.get(alias)
            if value is None:
                continue
            if many and isinstance(value, list):
                stack.extend((sub, item) for item in value)
            else:
                stack.append((sub, value))


def dated_facts(record: RecordData) -> list[tuple[str, dt.date]]:
    """(JSON pointer, date) of every fact-date of a record, by date then pointer."""
    return sorted(
        ((_pointer(record, holder, key), day) for holder, key, day in _dated(record.data)),
        key=lambda f: (f[1], f[0]),
    )


def reference_date(record: RecordData) -> dt.date:
    """The day a record is judged at when no day is given: its latest fact, or its meeting."""
    meeting: dt.date = record.meeting["date"]
    return max((day for _, _, day in _dated(record.data)), default=meeting)


# The meeting's own date is its plan until it is held: checking "as of" a day in the preparation
# is what --as-of is for, so it is no sign of a wrong check date.
NOT_LATE = frozenset({"/meeting/date"})


def facts_after(record: RecordData, day: dt.date) -> list[tuple[str, dt.date]]:
    """The record's facts dated after ``day`` (the meeting's date aside), earliest first."""
    late = [
        (_pointer(record, holder, key), date)
        for holder, key, date in _dated(record.data)
        if date > day
    ]
    return sorted(((p, d) for p, d in late if p not in NOT_LATE), key=lambda f: (f[1], f[0]))


def _pointer(record: RecordData, holder: Any, key: str | int) -> str:
    base = record.pointer_of(holder) or ""
    return f"{base}/{str(key).replace('~', '~0').replace('/', '~1')}"
