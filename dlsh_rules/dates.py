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
