from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlsh_rules.dates import (
    Offset,
    Steps,
    academic_year,
    add_days,
    add_months,
    add_working_days,
    date_part,
    end_date,
    offset_range_problem,
    parse_date,
    period_bounds,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),  # the catalog's own example: leap year clip
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-01-30", 1, "2024-02-29"),
        ("2024-01-29", 1, "2024-02-29"),
        ("2024-01-28", 1, "2024-02-28"),
        ("2024-03-31", 1, "2024-04-30"),
        ("2024-12-15", 1, "2025-01-15"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2024-01-15", -1, "2023-12-15"),
        ("2024-05-31", 12, "2025-05-31"),
        ("2024-02-29", 12, "2025-02-28"),
    ],
)
def test_add_months_clips_to_month_end(start: str, months: int, expected: str) -> None:
    assert add_months(parse_date(start), months) == parse_date(expected)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (Offset(days=-21), "2024-01-09"),  # 动员部署 1月9日
        (Offset(days=-15), "2024-01-15"),  # 1月15日
        (Offset(days=-10), "2024-01-20"),  # 会前10天 = 1月20日
        (Offset(days=15), "2024-02-14"),  # 会后15天内
        (Offset(months=1), "2024-02-29"),  # 会后1个月内
        (Offset(), "2024-01-30"),
    ],
)
def test_plan_offsets_from_the_seed_meeting_date(offset: Offset, expected: str) -> None:
    assert offset.apply(parse_date("2024-01-30")) == parse_date(expected)


def test_end_date_counts_the_first_day() -> None:
    assert end_date(parse_date("2024-01-14"), 2) == parse_date("2024-01-15")
    assert end_date(parse_date("2024-01-14"), 1) == parse_date("2024-01-14")
    assert end_date(parse_date("2024-01-14"), 0) == parse_date("2024-01-14")


@pytest.mark.parametrize("text", ["2024-02-30", "2024-13-01", "2024-1-5", "20240130", "", "abc"])
def test_parse_date_rejects_impossible_or_loose_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_offset_descriptions_in_both_languages() -> None:
    assert Offset(days=-10).describe("zh") == "会前10天"
    assert Offset(days=-10).describe("en") == "10 days before the meeting"
    assert Offset(months=1).describe("zh") == "会后1个月"
    assert Offset(months=1).describe("en") == "1 month after the meeting"


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 1, 1)), st.integers(-40, 40))
def test_add_months_properties(date: dt.date, months: int) -> None:
    moved = add_months(date, months)
    assert (moved.year * 12 + moved.month) - (date.year * 12 + date.month) == months
    assert moved.day <= date.day
    if moved.day < date.day:  # only clipped when the target month is shorter
        assert add_days(moved, 1).month != moved.month


@given(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 1, 1)), st.integers(-400, 400)
)
def test_add_days_round_trips(date: dt.date, days: int) -> None:
    assert add_days(add_days(date, days), -days) == date


# --- computed bounds, periods and working days (rule language 2) -------------------------------


D = dt.date(2024, 1, 30)  # a Tuesday


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (Steps(month=3, day=1), "2024-03-01"),  # 1 March of the meeting year
        (Steps(years=1, month=6, day=30), "2025-06-30"),  # 30 June of the next year
        (Steps(month=2, day="last"), "2024-02-29"),
        (Steps(month=2, day=31), "2024-02-29"),  # clipped to the month's end
        (Steps(month=4), "2024-04-30"),  # the day kept, clipped
        (Steps(day=5), "2024-01-05"),
        (Steps(start_of="quarter"), "2024-01-01"),
        (Steps(end_of="quarter"), "2024-03-31"),
        (Steps(end_of="half"), "2024-06-30"),
        (Steps(start_of="year", days=-1), "2023-12-31"),
        (Steps(end_of="month", days=1), "2024-02-01"),
        (Steps(start_of="academic_year"), "2023-09-01"),
        (Steps(end_of="academic_year"), "2024-08-31"),
        (Steps(working_days=5), "2024-02-05"),  # 2024-02-04, a Sunday, was a make-up working day
        (Steps(working_days=-3), "2024-01-25"),
        (Steps(working_days=0), "2024-01-30"),  # a working day stays
        (Steps(month=2, day=10, working_days=0), "2024-02-18"),  # Spring Festival: next working day
        (Steps(months=1, month=1), "2024-01-29"),  # months first, then the month replaced
    ],
)
def test_steps_apply_in_the_documented_order(steps: Steps, expected: str) -> None:
    assert steps.apply(D) == parse_date(expected)


def test_years_clip_the_29th_of_february() -> None:
    assert Steps(years=1).apply(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert Steps(years=-4).apply(dt.date(2024, 2, 29)) == dt.date(2020, 2, 29)


@pytest.mark.parametrize(
    ("start", "day", "year", "first", "last"),
    [
        ((9, 1), "2024-08-31", 2023, "2023-09-01", "2024-08-31"),
        ((9, 1), "2024-09-01", 2024, "2024-09-01", "2025-08-31"),
        ((2, 15), "2024-02-14", 2023, "2023-02-15", "2024-02-14"),
        ((1, 1), "2024-06-01", 2024, "2024-01-01", "2024-12-31"),
    ],
)
def test_academic_years(start: tuple[int, int], day: str, year: int, first: str, last: str) -> None:
    date = parse_date(day)
    assert academic_year(date, start) == year
    assert period_bounds(date, "academic_year", start) == (parse_date(first), parse_date(last))


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 1, 1)))
def test_periods_contain_their_date(date: dt.date) -> None:
    for period in ("month", "quarter", "half", "year", "academic_year"):
        first, last = period_bounds(date, period)
        assert first <= date <= last
        assert period_bounds(first, period) == period_bounds(last, period) == (first, last)
        assert period_bounds(add_days(first, -1), period)[1] == add_days(first, -1)


@given(
    st.dates(min_value=dt.date(2004, 1, 15), max_value=dt.date(2026, 12, 15)), st.integers(-8, 8)
)
def test_working_days_land_on_working_days(date: dt.date, n: int) -> None:
    moved = add_working_days(date, n)
    assert date_part("working_day", moved) is True
    if n > 0:
        assert moved > date
    elif n < 0:
        assert moved < date
    else:
        assert moved >= date


def test_calendar_parts() -> None:
    parts = {name: date_part(name, D) for name in ("year", "month", "quarter", "half", "weekday")}
    assert parts == {"year": 2024, "month": 1, "quarter": 1, "half": 1, "weekday": 2}
    assert date_part("academic_year", D) == 2023
    assert date_part("working_day", dt.date(2024, 2, 4)) is True  # a make-up Sunday
    assert date_part("working_day", dt.date(2024, 2, 12)) is False  # Spring Festival, a Monday


def test_offset_ranges() -> None:
    assert offset_range_problem({"days": 36600, "months": -1200, "years": 100}) is None
    assert offset_range_problem({"working_days": -36600}) is None
    for key, value in (("days", 36601), ("working_days", 36601), ("months", 1201), ("years", -101)):
        assert f"not {key} {value}" in (offset_range_problem({key: value}) or "")
    assert "whole number" in (offset_range_problem({"days": True}) or "")


def test_step_descriptions() -> None:
    assert Steps(years=1, month=6, day=30).describe("zh") == ["后1年", "6月30日"]
    assert Steps(end_of="quarter", working_days=-2).describe("en") == [
        "last day of that quarter",
        "the 2nd working day before",
    ]
