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
  later facts is probably given the wrong date; the command line warns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

# Date fields that name a plan or a limit, not something that happened.
PLANNED = frozenset({"due", "planned_date", "expires"})


def dated_facts(data: Any) -> Iterator[tuple[str, dt.date]]:
    """(JSON pointer, date) of every fact-date in validated record data, in document order."""
    # Iterative: a record at the size limits is deep and wide, and this runs on every check
    # that has waivers or --as-of.
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict):
            items = [
                (f"{pointer}/{_escape(str(k))}", v)
                for k, v in value.items()
                if k not in PLANNED and k != "$schema"
            ]
            stack.extend(reversed(items))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{pointer}/{i}", v) for i, v in enumerate(value)]))
        elif isinstance(value, dt.date):
            yield pointer, value


def reference_date(data: Any, meeting_date: dt.date) -> dt.date:
    """The day a record is judged at when no day is given: its latest fact, or its meeting."""
    return max(meeting_date, max((day for _, day in dated_facts(data)), default=meeting_date))


# The meeting's own date is its plan until it is held: checking "as of" a day in the preparation
# is what --as-of is for, so it is no sign of a wrong check date.
NOT_LATE = frozenset({"/meeting/date"})


def facts_after(data: Any, day: dt.date) -> list[tuple[str, dt.date]]:
    """The record's facts dated after ``day``, in document order (the meeting's date aside)."""
    return [(p, date) for p, date in dated_facts(data) if date > day and p not in NOT_LATE]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
