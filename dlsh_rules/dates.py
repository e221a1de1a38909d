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


# --- periods: the calendar periods plans count meetings in -----------------------------------
#
# "At least once a year", "once in each half", "once per academic year": a `frequency` check
# (and `coverage.per_period`) cuts time into periods and names each one. Labels sort in time
# order within a unit and are what findings use as subjects: 2024-09 (month), 2024-Q4
# (quarter), 2024-H2 (half), 2024 (year), AY2024 (the academic year that starts in 2024).

PERIOD_UNITS = ("month", "quarter", "half", "year", "academic_year")
# Not calendar.month_name: it follows the process locale, and output must not.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True, order=True)
class Period:
    """One period of a unit: its first and last day (inclusive) and its label."""

    start: Date
    end: Date
    unit: str
    label: str

    def describe(self, lang: str = "zh") -> str:
        """The period in words: 2024年下半年 / second half of 2024."""
        y = self.start.year
        en = lang == "en"
        if self.unit == "month":
            return f"{_MONTHS[self.start.month - 1]} {y}" if en else f"{y}年{self.start.month}月"
        if self.unit == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return f"Q{q} {y}" if en else f"{y}年第{'一二三四'[q - 1]}季度"
        if self.unit == "half":
            first = self.start.month < 7
            if en:
                return f"{'first' if first else 'second'} half of {y}"
            return f"{y}年{'上' if first else '下'}半年"
        if self.unit == "academic_year":
            return f"academic year {y}/{y + 1}" if en else f"{y}—{y + 1}学年"
        return str(y) if en else f"{y}年"


def _academic_first_day(year: int, start: tuple[int, int]) -> Date:
    month, day = start
    return _dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_of(date: Date, unit: str, academic_start: tuple[int, int] = (9, 1)) -> Period:
    """The period of ``unit`` (month, quarter, half, year, academic_year) that contains a date.

    ``academic_start`` is (month, day) of the academic year's first day; the academic year is
    named by the calendar year it starts in: with 9-1, 2025-03-10 is in AY2024.
    """
    y = date.year
    if unit == "academic_year":
        first = _academic_first_day(y, academic_start)
        if date < first:
            y -= 1
            first = _academic_first_day(y, academic_start)
        end = add_days(_academic_first_day(y + 1, academic_start), -1)
        return Period(first, end, unit, f"AY{y}")
    if unit == "month":
        first_month, months, label = date.month, 1, f"{y}-{date.month:02d}"
    elif unit == "quarter":
        q = (date.month - 1) // 3 + 1
        first_month, months, label = 3 * q - 2, 3, f"{y}-Q{q}"
    elif unit == "half":
        h = 1 if date.month <= 6 else 2
        first_month, months, label = 6 * h - 5, 6, f"{y}-H{h}"
    elif unit == "year":
        first_month, months, label = 1, 12, str(y)
    else:
        raise ValueError(f"unknown period unit {unit!r}; expected one of {PERIOD_UNITS}")
    first = _dt.date(y, first_month, 1)
    return Period(first, add_days(add_months(first, months), -1), unit, label)


def periods_between(
    first: Date, last: Date, unit: str, academic_start: tuple[int, int] = (9, 1)
) -> list[Period]:
    """Every period of ``unit`` that overlaps the days ``first``..``last`` (inclusive), in
    time order; empty when ``last`` is before ``first``."""
    out: list[Period] = []
    day = first
    while day <= last:
        period = period_of(day, unit, academic_start)
        out.append(period)
        day = add_days(period.end, 1)
    return out


def period_label(date: Date, unit: str, academic_start: tuple[int, int] = (9, 1)) -> str:
    """The label of the period of ``unit`` that contains a date (``2024-H2``, ``AY2024``…)."""
    return period_of(date, unit, academic_start).label
