"""Date arithmetic of the plan, in one place.

The rounding rules are the catalog's:

* Offsets in days are calendar days: ``D-21`` is 21 days before the meeting date.
* Offsets in months move to the same day of the target month and clip to that month's end:
  2024-01-31 + 1 month = 2024-02-29, 2023-01-31 + 1 month = 2023-02-28.
* Deadlines are inclusive: "on or before X" (1月15日前, 会前10天, 会后15天内, 会后1个月内) admits X.
* "Before the meeting" is strictly earlier than the meeting date; "after" strictly later.
"""

from __future__ import annotations

import datetime as _dt
from functools import cache

from .errors import FrozenValue

Date = _dt.date


def parse_date(text: str) -> Date:
    """Parse a strict ISO ``YYYY-MM-DD`` date; raises ValueError otherwise."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return _dt.date.fromisoformat(text)


def add_days(date: Date, days: int) -> Date:
    return date + _dt.timedelta(days=days)


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_days(year: int, month: int) -> int:
    """``calendar.monthrange(year, month)[1]`` without importing `calendar` (and the `locale` it
    imports) on every run; a month out of range still goes to `calendar`, for its own error."""
    if type(month) is not int or not 1 <= month <= 12:
        import calendar

        return calendar.monthrange(year, month)[1]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


def add_months(date: Date, months: int) -> Date:
    """Same day ``months`` later (or earlier), clipped to the end of the target month."""
    if not months:  # most offsets are in days only
        return date
    index = date.year * 12 + (date.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _month_days(year, month0 + 1)
    return _dt.date(year, month0 + 1, min(date.day, last))


class Offset(FrozenValue):
    """A signed distance from an anchor date: whole months first, then days."""

    days: int
    months: int

    def __init__(self, days: int = 0, months: int = 0) -> None:
        self.__dict__.update(days=days, months=months)

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


# --- computed bounds (rule language 2) ----------------------------------------------------------
#
# A computed bound applies its steps in one fixed order, whatever order the rule writes them in:
# years, months; month and day; start_of/end_of a period; days; working days. "30 June of the
# year after the meeting" is {years: 1, month: 6, day: 30}; "the end of the meeting's quarter,
# then 5 working days" is {end_of: quarter, working_days: 5}.

PERIODS = ("month", "quarter", "half", "year", "academic_year")
PERIOD_TEXT = {
    "month": ("月", "month"),
    "quarter": ("季度", "quarter"),
    "half": ("半年", "half-year"),
    "year": ("年", "year"),
    "academic_year": ("学年", "academic year"),
}
DEFAULT_ACADEMIC_START = (9, 1)

# Record dates lie in 1900–2999; a century each way keeps every deadline a real date, so date
# arithmetic cannot overflow while a rule runs. One table, checked by `offset_range_problem`.
MAX_OFFSET_DAYS = 36_600
MAX_OFFSET_MONTHS = 1_200
MAX_OFFSET_YEARS = 100
OFFSET_LIMITS = {
    "years": MAX_OFFSET_YEARS,
    "months": MAX_OFFSET_MONTHS,
    "days": MAX_OFFSET_DAYS,
    "working_days": MAX_OFFSET_DAYS,
}


def offset_range_problem(spec: dict[str, object]) -> str | None:
    """What is wrong with the offsets of a date bound as written, or None.

    The only range check of date offsets: rules and parameters are both checked through it
    when a pack loads (issue 12 item 4 checks the same), so a bound that loads always resolves.
    """
    for key, limit in OFFSET_LIMITS.items():
        value = spec.get(key, 0)
        if type(value) is not int:
            return f"{key} must be a whole number, not {value!r}"
        if abs(value) > limit:
            return (
                f"a date offset of at most 100 years (days and working_days within "
                f"±{MAX_OFFSET_DAYS}, months within ±{MAX_OFFSET_MONTHS}, years within "
                f"±{MAX_OFFSET_YEARS}), not {key} {value}"
            )
    return None


def set_month_day(date: Date, month: int | None, day: int | str | None) -> Date:
    """Replace the month and/or day (``"last"``: the month's last day), clipped to the month."""
    month = month if month is not None else date.month
    last = _month_days(date.year, month)
    if day is None:
        day_ = min(date.day, last)
    elif day == "last":
        day_ = last
    else:
        day_ = min(int(day), last)
    return _dt.date(date.year, month, day_)


def academic_year(date: Date, start: tuple[int, int] = DEFAULT_ACADEMIC_START) -> int:
    """The academic year a date belongs to, named by the calendar year it starts in."""
    return date.year if (date.month, date.day) >= start else date.year - 1


def _academic_start(year: int, start: tuple[int, int]) -> Date:
    month, day = start
    return _dt.date(year, month, min(day, _month_days(year, month)))


def period_bounds(
    date: Date, period: str, start: tuple[int, int] = DEFAULT_ACADEMIC_START
) -> tuple[Date, Date]:
    """First and last day of the period (month, quarter, half, year, academic_year) of a date."""
    y = date.year
    if period == "month":
        first_month, months = date.month, 1
    elif period == "quarter":
        first_month, months = 3 * ((date.month - 1) // 3) + 1, 3
    elif period == "half":
        first_month, months = (1 if date.month <= 6 else 7), 6
    elif period == "year":
        first_month, months = 1, 12
    elif period == "academic_year":
        ay = academic_year(date, start)
        return _academic_start(ay, start), add_days(_academic_start(ay + 1, start), -1)
    else:
        raise ValueError(f"unknown period {period!r}")
    first = _dt.date(y, first_month, 1)
    return first, add_days(add_months(first, months), -1)


# --- the Chinese statutory working-day calendar ----------------------------------------------


class CalendarCoverageError(Exception):
    """A working-day question about a year the installed calendar does not cover.

    Never answered with a guess: the rule that asked is reported as `error` with this message,
    and `check` warns once on stderr.
    """

    def __init__(self, year: int, first: int, last: int) -> None:
        self.year, self.first, self.last = year, first, last
        self.zh = f"工作日日历不含 {year} 年（支持 {first}–{last} 年）；请升级 chinesecalendar 或改用自然日"
        self.en = (
            f"the working-day calendar does not cover {year} (it covers {first}–{last}); "
            "upgrade chinesecalendar or use calendar days"
        )
        super().__init__(self.en)


@cache
def calendar_years() -> tuple[int, int]:
    """The first and last year the installed chinesecalendar covers."""
    from chinese_calendar import constants  # imported here: it costs ~35 ms, most runs need none

    days = constants.holidays
    return min(days).year, max(days).year


def is_working_day(date: Date) -> bool:
    """Whether a date is a working day in mainland China (statutory holidays and 调休 included)."""
    first, last = calendar_years()
    if not first <= date.year <= last:
        raise CalendarCoverageError(date.year, first, last)
    from chinese_calendar import is_workday

    return bool(is_workday(date))


def add_working_days(date: Date, n: int) -> Date:
    """The n-th working day after (n < 0: before) a date; n = 0: the date itself if it is a
    working day, else the next working day."""
    if n == 0:
        while not is_working_day(date):
            date = add_days(date, 1)
        return date
    step = 1 if n > 0 else -1
    left = abs(n)
    while left:
        date = add_days(date, step)
        if is_working_day(date):
            left -= 1
    return date


# --- calendar parts of a date: the computed path segments @year … @working_day -----------------


def date_part(name: str, date: Date, start: tuple[int, int] = DEFAULT_ACADEMIC_START) -> object:
    """The value of the computed segment `name` (without the @) of a date."""
    if name == "year":
        return date.year
    if name == "month":
        return date.month
    if name == "quarter":
        return (date.month - 1) // 3 + 1
    if name == "half":
        return 1 if date.month <= 6 else 2
    if name == "academic_year":
        return academic_year(date, start)
    if name == "weekday":
        return date.isoweekday()
    if name == "working_day":
        return is_working_day(date)
    raise ValueError(f"unknown calendar part {name!r}")


DATE_PARTS = ("year", "month", "quarter", "half", "academic_year", "weekday", "working_day")


class Steps(FrozenValue):
    """The steps of a computed bound after its base date, applied in the documented order."""

    years: int
    months: int
    month: int | None
    day: int | str | None
    start_of: str | None
    end_of: str | None
    days: int
    working_days: int | None

    def __init__(
        self,
        years: int = 0,
        months: int = 0,
        month: int | None = None,
        day: int | str | None = None,
        start_of: str | None = None,
        end_of: str | None = None,
        days: int = 0,
        working_days: int | None = None,
    ) -> None:
        self.__dict__.update(
            years=years,
            months=months,
            month=month,
            day=day,
            start_of=start_of,
            end_of=end_of,
            days=days,
            working_days=working_days,
        )

    def apply(self, date: Date, start: tuple[int, int] = DEFAULT_ACADEMIC_START) -> Date:
        if self.years:
            date = add_months(date, 12 * self.years)
        if self.months:
            date = add_months(date, self.months)
        if self.month is not None or self.day is not None:
            date = set_month_day(date, self.month, self.day)
        if self.start_of is not None:
            date = period_bounds(date, self.start_of, start)[0]
        if self.end_of is not None:
            date = period_bounds(date, self.end_of, start)[1]
        if self.days:
            date = add_days(date, self.days)
        if self.working_days is not None:
            date = add_working_days(date, self.working_days)
        return date

    def describe(self, lang: str) -> list[str]:
        """Each step in words, in order of application."""
        en = lang == "en"
        out: list[str] = []

        def signed(n: int, zh_unit: str, en_unit: str) -> str:
            if en:
                return f"{abs(n)} {en_unit}{'s' if abs(n) != 1 else ''} {'later' if n > 0 else 'earlier'}"
            return f"{'后' if n > 0 else '前'}{abs(n)}{zh_unit}"

        if self.years:
            out.append(signed(self.years, "年", "year"))
        if self.months:
            out.append(signed(self.months, "个月", "month"))
        if self.month is not None or self.day is not None:
            if en:
                day = "the last day" if self.day == "last" else f"day {self.day}"
                month = f"month {self.month}" if self.month is not None else "that month"
                out.append(f"{day if self.day is not None else 'same day'} of {month}")
            else:
                month = f"{self.month}月" if self.month is not None else "当月"
                day = "最后一天" if self.day == "last" else (f"{self.day}日" if self.day else "")
                out.append(month + day)
        for period, first in ((self.start_of, True), (self.end_of, False)):
            if period is not None:
                zh_p, en_p = PERIOD_TEXT[period]
                if en:
                    out.append(f"{'first' if first else 'last'} day of that {en_p}")
                else:
                    out.append(f"所在{zh_p}{'首日' if first else '末日'}")
        if self.days:
            out.append(signed(self.days, "天", "day"))
        if self.working_days is not None:
            n = self.working_days
            if n == 0:
                out.append("that day or the next working day" if en else "当日或其后第一个工作日")
            elif en:
                side = "after" if n > 0 else "before"
                out.append(f"the {_ordinal(abs(n))} working day {side}")
            else:
                out.append(f"{'后' if n > 0 else '前'}第{abs(n)}个工作日")
        return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- periods: the calendar periods plans count meetings in -----------------------------------
#
# "At least once a year", "once in each half", "once per academic year": a `frequency` check
# (and `coverage.per_period`) cuts time into periods and names each one. Labels sort in time
# order within a unit and are what findings use as subjects: 2024-09 (month), 2024-Q4
# (quarter), 2024-H2 (half), 2024 (year), AY2024 (the academic year that starts in 2024).

PERIOD_UNITS = PERIODS  # the units a frequency check (or coverage.per_period) counts in
# Not calendar.month_name: it follows the process locale, and output must not.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Period(FrozenValue):
    """One period of a unit: its first and last day (inclusive) and its label; ordered by its
    fields in turn (a dataclass's ``order=True``)."""

    start: Date
    end: Date
    unit: str
    label: str

    def __init__(self, start: Date, end: Date, unit: str, label: str) -> None:
        self.__dict__.update(start=start, end=end, unit=unit, label=label)

    def _key(self) -> tuple[Date, Date, str, str]:
        return (self.start, self.end, self.unit, self.label)

    def __lt__(self, other: Period) -> bool:
        if other.__class__ is self.__class__:
            return self._key() < other._key()
        return NotImplemented

    def __le__(self, other: Period) -> bool:
        if other.__class__ is self.__class__:
            return self._key() <= other._key()
        return NotImplemented

    def __gt__(self, other: Period) -> bool:
        if other.__class__ is self.__class__:
            return self._key() > other._key()
        return NotImplemented

    def __ge__(self, other: Period) -> bool:
        if other.__class__ is self.__class__:
            return self._key() >= other._key()
        return NotImplemented

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


def period_of(
    date: Date, unit: str, academic_start: tuple[int, int] = DEFAULT_ACADEMIC_START
) -> Period:
    """The period of ``unit`` (month, quarter, half, year, academic_year) that contains a date.

    ``academic_start`` is (month, day) of the academic year's first day; the academic year is
    named by the calendar year it starts in: with 9-1, 2025-03-10 is in AY2024.
    """
    if unit not in PERIODS:
        raise ValueError(f"unknown period unit {unit!r}; expected one of {PERIODS}")
    first, last = period_bounds(date, unit, academic_start)
    y = first.year
    if unit == "academic_year":
        label = f"AY{y}"
    elif unit == "month":
        label = f"{y}-{first.month:02d}"
    elif unit == "quarter":
        label = f"{y}-Q{(first.month - 1) // 3 + 1}"
    elif unit == "half":
        label = f"{y}-H{1 if first.month <= 6 else 2}"
    else:
        label = str(y)
    return Period(first, last, unit, label)


def periods_between(
    first: Date, last: Date, unit: str, academic_start: tuple[int, int] = DEFAULT_ACADEMIC_START
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


def period_label(
    date: Date, unit: str, academic_start: tuple[int, int] = DEFAULT_ACADEMIC_START
) -> str:
    """The label of the period of ``unit`` that contains a date (``2024-H2``, ``AY2024``…)."""
    return period_of(date, unit, academic_start).label
