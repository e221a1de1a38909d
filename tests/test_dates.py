from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlsh_rules.dates import Offset, add_days, add_months, end_date, parse_date


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
