"""Date arithmetic of the plan, in one place.

The rounding rules are the catalog's:

* Offsets in days are calendar days: ``D-21`` is 21 days before the meeting date.
* Offsets in months move to the same day of the target month and clip to that month's end:
  2024-01-31 + 1 month = 2024-02-29, 2023-01-31 + 1 month = 2023-02-28.
* Deadlines are inclusive: "on or before X" (1月15日前, 会前10天, 会后15天内, 会后1个月内) admits X.
* "Before the meeting" is strictly earlier than the meeting date; "after" strictly later.
"""

from __future__ import annotations

import calendar
import datetime as _dt
from dataclasses import dataclass

Date = _dt.date


def parse_date(text: str) -> Date:
    """Parse a strict ISO ``YYYY-MM-DD`` date; raises ValueError otherwise."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return _dt.date.fromisoformat(text)


def add_days(date: Date, days: int) -> Date:
    return date + _dt.timedelta(days=days)


def add_months(date: Date, months: int) -> Date:
    """Same day ``months`` later (or earlier), clipped to the end of the target month."""
    index = date.year * 12 + (date.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return _dt.date(year, month0 + 1, min(date.day, last))


@dataclass(frozen=True)
class Offset:
    """A signed distance from an anchor date: whole months first, then days."""

    days: int = 0
    months: int = 0

    def apply(self, anchor: Date) -> Date:
        return add_days(add_months(anchor, self.months), self.days)

    def describe(self, lang: str = "zh") -> str:
        if self.months == 0 and self.days == 0:
            return "会议当天" if lang != "en" else "the meeting day"
        parts: list[str] = []
        if lang == "en":
            if self.months:
                parts.append(f"{abs(self.months)} month{'s' if abs(self.months) != 1 else ''}")
            if self.days:
                parts.append(f"{abs(self.days)} day{'s' if abs(self.days) != 1 else ''}")
            side = "before" if (self.months or self.days) < 0 else "after"
            return f"{' '.join(parts)} {side} the meeting"
        if self.months:
            parts.append(f"{abs(self.months)}个月")
        if self.days:
            parts.append(f"{abs(self.days)}天")
        side = "会前" if (self.months or self.days) < 0 else "会后"
        return side + "".join(parts)


def end_date(start: Date, days: int) -> Date:
    """Last day of an activity that starts on ``start`` and lasts ``days`` days (at least one)."""
    return add_days(start, max(days, 1) - 1)


def on_or_before(date: Date, bound: Date) -> bool:
    return date <= bound


def before(date: Date, bound: Date) -> bool:
    return date < bound


# --- calendar periods -------------------------------------------------------------------------
#
# "Once a month", "in every quarter": a period is named by its unit, the year it starts in and
# its number within that year. The academic year starts on a configurable day (default 1 September),
# and academic year 2024 is the one that starts in 2024.

PERIOD_UNITS = ("month", "quarter", "half", "year", "academic_year")
ACADEMIC_START = (9, 1)


@dataclass(frozen=True, order=True)
class Period:
    """One calendar period: ``unit``, the year it starts in, and its number (1-based) in it."""

    unit: str
    year: int
    number: int = 1

    @property
    def label(self) -> str:
        """``2024-03``, ``2024-Q1``, ``2024-H2``, ``2024``, ``AY2024``."""
        if self.unit == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.unit == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        if self.unit == "half":
            return f"{self.year:04d}-H{self.number}"
        if self.unit == "academic_year":
            return f"AY{self.year:04d}"
        return f"{self.year:04d}"

    def first_day(self, academic_start: tuple[int, int] = ACADEMIC_START) -> Date:
        if self.unit == "month":
            return _dt.date(self.year, self.number, 1)
        if self.unit == "quarter":
            return _dt.date(self.year, 3 * self.number - 2, 1)
        if self.unit == "half":
            return _dt.date(self.year, 6 * self.number - 5, 1)
        if self.unit == "academic_year":
            return _academic_first_day(self.year, academic_start)
        return _dt.date(self.year, 1, 1)

    def next(self) -> Period:
        per_year = {"month": 12, "quarter": 4, "half": 2}.get(self.unit, 1)
        if self.number < per_year:
            return Period(self.unit, self.year, self.number + 1)
        return Period(self.unit, self.year + 1, 1)


def _academic_first_day(year: int, start: tuple[int, int]) -> Date:
    month, day = start
    return _dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_of(date: Date, unit: str, academic_start: tuple[int, int] = ACADEMIC_START) -> Period:
    """The period of ``unit`` that contains ``date``."""
    if unit == "month":
        return Period(unit, date.year, date.month)
    if unit == "quarter":
        return Period(unit, date.year, (date.month - 1) // 3 + 1)
    if unit == "half":
        return Period(unit, date.year, 1 if date.month <= 6 else 2)
    if unit == "year":
        return Period(unit, date.year)
    if unit == "academic_year":
        year = date.year
        return Period(unit, year if date >= _academic_first_day(year, academic_start) else year - 1)
    raise ValueError(f"unknown period {unit!r}; one of {', '.join(PERIOD_UNITS)}")


def periods_between(
    start: Date, end: Date, unit: str, academic_start: tuple[int, int] = ACADEMIC_START
) -> list[Period]:
    """Every period of ``unit`` that overlaps [start, end], in order; none when end < start."""
    if end < start:
        return []
    last = period_of(end, unit, academic_start)
    current = period_of(start, unit, academic_start)
    out = [current]
    while current < last:
        current = current.next()
        out.append(current)
    return out
