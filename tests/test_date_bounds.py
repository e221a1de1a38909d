"""Date bounds of the rule language (docs/rule-language.md §7): absolute and computed bounds,
working days, calendar parts, windows, `--as-of` and broken bounds, parameters from parameters.

The data-driven cases of these features are in tests/packs/dates-2024/cases/; this file holds what
cases cannot say: loader errors with their file and line, and the two wrong results of issue 9.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import dlsh_rules
from dlsh_rules import InputError

MANIFEST = """\
format: dlsh-pack/1
id: sample
version: '1'
title: {zh: 示例, en: Sample}
rules: [rules.yaml]
"""

RULE = """\
rules:
  - id: meeting.sample
    phase: meeting
    title: {zh: 示例, en: Sample}
    clause: 一
    quote: 示例
    rationale: {zh: 示例, en: Sample}
    checks:
      - kind: each
        select: {from: meeting}
        require:
          date: REQUIRE
"""

RECORD = {
    "format": "dlsh-record/1",
    "unit": {"name": "某单位", "party_org": "第一党支部"},
    "meeting": {"date": "2024-01-30", "days": 1, "chair": "p1", "attendees": ["p1"]},
    "people": [{"id": "p1", "name": "书记甲", "role": "secretary"}],
}


def _pack(tmp_path: Path, require: str, params: str = "", manifest_extra: str = "") -> Path:
    root = tmp_path / "pack"
    root.mkdir(exist_ok=True)
    (root / "pack.yaml").write_text(MANIFEST + manifest_extra + params, encoding="utf-8")
    (root / "rules.yaml").write_text(RULE.replace("REQUIRE", require), encoding="utf-8")
    return root


def _status(root: Path, meeting_date: str = "2024-01-30", as_of: dt.date | None = None) -> str:
    record = {**RECORD, "meeting": {**RECORD["meeting"], "date": meeting_date}}
    report = dlsh_rules.check(record, dlsh_rules.load_pack(root), as_of=as_of)
    return report.results[0].status


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        dlsh_rules.load_pack(root)
    return [p.render("en") for p in info.value.problems]


# --- wrong result 1: a literal date where a bound is expected -----------------------------------


@pytest.mark.parametrize("written", ["{before: 2016-03-01}", '{before: "2016-03-01"}'])
def test_a_literal_date_bound_means_that_date(tmp_path: Path, written: str) -> None:
    root = _pack(tmp_path, written)
    assert _status(root, "2024-01-30") == "failed"
    assert _status(root, "2016-02-29") == "passed"
    assert _status(root, "2016-03-01") == "failed"  # `before` is strict


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ("{before: 2016-02-30}", "2016-02-30"),
        ("{before: soon}", "soon"),
        ("{before: 2016-3-1}", "2016-3-1"),
    ],
)
def test_an_invalid_literal_date_bound_is_a_load_error(
    tmp_path: Path, written: str, found: str
) -> None:
    problems = _problems(_pack(tmp_path, written))
    assert len(problems) == 1, problems
    assert "rules.yaml:12:" in problems[0]  # the line of `date:`
    assert "/rules/0/checks/0/require" in problems[0]
    assert "YYYY-MM-DD" in problems[0] and "{days: -10}" in problems[0]
    assert found in problems[0]


# --- wrong result 2: --as-of and a bound already broken -----------------------------------------

LOWER = "{on_or_after: {days: -20}, on_or_before: {days: -10}}"


def test_a_recorded_date_that_broke_a_lower_bound_is_failed_before_the_due_date(
    tmp_path: Path,
) -> None:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "pack.yaml").write_text(MANIFEST, encoding="utf-8")
    rule = RULE.replace("select: {from: meeting}", "select: {from: talks}").replace(
        "date: REQUIRE", "date: " + LOWER
    )
    (root / "rules.yaml").write_text(rule, encoding="utf-8")
    pack = dlsh_rules.load_pack(root)

    def status(talk_date: str, as_of: str | None) -> str:
        record = {
            **RECORD,
            "people": [*RECORD["people"], {"id": "p2", "name": "委员乙", "role": "member"}],
            "talks": [{"id": "t1", "date": talk_date, "participants": ["p1", "p2"]}],
        }
        day = dt.date.fromisoformat(as_of) if as_of else None
        return dlsh_rules.check(record, pack, as_of=day).results[0].status

    # D = 2024-01-30: the window is 2024-01-10..2024-01-20.
    assert status("2024-01-05", "2024-01-08") == "failed"  # held too early, already: failed now
    assert status("2024-01-05", "2024-01-05") == "failed"  # held that very day: recorded
    assert status("2024-01-05", "2024-01-01") == "pending"  # planned too early, still ahead
    assert status("2024-01-25", "2024-01-08") == "pending"  # planned too late, still ahead
    assert status("2024-01-25", "2024-01-21") == "failed"  # the due date has passed
    assert status("2024-01-15", "2024-01-08") == "passed"


# --- loader errors: ranges, forms, parameters ----------------------------------------------------


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("{on_or_before: {days: 36601}}", "not days 36601"),
        ("{on_or_before: {working_days: -36601}}", "not working_days -36601"),
        ("{on_or_before: {months: 1201}}", "not months 1201"),
        ("{on_or_before: {years: 101}}", "not years 101"),
        ("{on_or_before: {years: 1.5}}", "years must be a whole number"),
        ("{on_or_before: {month: 13}}", "month must be a whole number 1–12"),
        ("{on_or_before: {day: 0}}", "day must be a whole number 1–31 or 'last'"),
        ("{on_or_before: {start_of: week}}", "start_of must be one of month, quarter"),
        ("{on_or_before: {start_of: month, end_of: year}}", "start_of or end_of, not both"),
        ("{on_or_before: {date: 2024-01-01, anchor: talks}}", "at most one of date, anchor"),
        ("{on_or_before: {date: 2024-02-30}}", "not '2024-02-30' (at /date/on_or_before/date)"),
        ("{within: {}}", "within takes {from: BOUND, to: BOUND}"),
        ("{within: {from: 2024-01-01, until: 2024-02-01}}", "within takes"),
    ],
)
def test_bad_bounds_are_load_errors_at_their_line(tmp_path: Path, written: str, words: str) -> None:
    problems = _problems(_pack(tmp_path, written))
    assert len(problems) == 1, problems
    assert "rules.yaml:12:" in problems[0] and words in problems[0], problems[0]


def test_the_largest_offsets_load_and_resolve(tmp_path: Path) -> None:
    root = _pack(tmp_path, "{on_or_before: {years: 100, months: 1200, days: 36600}}")
    assert _status(root) == "passed"


PARAMS = """\
params:
  a:
    value: {base: $b, days: 1}
  b:
    value: {base: $a}
"""


def test_a_parameter_cycle_is_an_error_at_the_parameters_line(tmp_path: Path) -> None:
    problems = _problems(_pack(tmp_path, "{on_or_before: $a}", PARAMS))
    cycle = [p for p in problems if "cycles" in p]
    assert len(cycle) == 1, problems
    assert "pack.yaml:8:12: at /params/a/value" in cycle[0]
    assert "$a → $b → $a" in cycle[0]


@pytest.mark.parametrize(
    ("value", "line", "words"),
    [
        ("{base: $nothing, days: -7}", "pack.yaml:8:19: at /params/due/value/base", "$nothing"),
        ("{days: 40000}", "pack.yaml:8:12: at /params/due/value", "not days 40000"),
        ("{date: 2024-02-30}", "pack.yaml:8:12: at /params/due/value", "'2024-02-30'"),
        ("2024-02-30", "pack.yaml:8:12: at /params/due/value", "'2024-02-30'"),
        ("{base: $other, working_days: 99999}", "pack.yaml:8:12", "working_days 99999"),
    ],
)
def test_a_bad_parameter_is_reported_at_its_own_line(
    tmp_path: Path, value: str, line: str, words: str
) -> None:
    params = f"params:\n  due:\n    value: {value}\n  other:\n    value: {{days: -10}}\n"
    problems = _problems(_pack(tmp_path, "{on_or_before: $due}", params))
    mine = [p for p in problems if line in p]
    assert mine and any(words in p for p in mine), problems


def test_parameters_are_built_from_parameters(tmp_path: Path) -> None:
    params = (
        "params:\n"
        "  offset: {value: -10}\n"
        "  review_due: {value: {days: $offset}}\n"
        "  notice_due: {value: {base: $review_due, working_days: -3}}\n"
    )
    root = _pack(tmp_path, "{on_or_before: $notice_due}", params)
    # D = 2024-01-30: review due 2024-01-20 (a Saturday); 3 working days before: 2024-01-17.
    pack = dlsh_rules.load_pack(root)
    record = {**RECORD, "meeting": {**RECORD["meeting"], "date": "2024-01-30"}}
    result = dlsh_rules.check(record, pack).results[0]
    assert result.status == "failed"
    assert "2024-01-17" in result.findings[0].message.en
    # every parameter counts as used: offset and review_due through notice_due
    assert _status(root, "2024-01-16") == "failed"  # the meeting date itself moves the bound


def test_an_unknown_computed_segment_names_the_known_ones(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "pack.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "rules.yaml").write_text(
        RULE.replace("date: REQUIRE", "date.@week: 3"), encoding="utf-8"
    )
    [problem] = _problems(root)
    assert "'@week'" in problem and "@academic_year" in problem and "@working_day" in problem


@pytest.mark.parametrize(
    ("calendar", "words"),
    [
        ("{academic_year_start: {month: 13, day: 1}}", "less than or equal to 12"),
        ("{academic_year_start: {month: 2, day: 29}}", "no day 29 in every year"),
        ("{first_day: 1}", "first_day"),
    ],
)
def test_a_bad_calendar_is_a_manifest_error(tmp_path: Path, calendar: str, words: str) -> None:
    problems = _problems(
        _pack(tmp_path, "{on_or_before: {days: 0}}", "calendar: " + calendar + "\n")
    )
    assert any("pack.yaml:6:" in p and words in p for p in problems), problems


# --- working days beyond the calendar ------------------------------------------------------------


def test_a_year_the_working_day_calendar_lacks_is_an_error_never_a_guess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dlsh_rules.cli.main import main
    from dlsh_rules.dates import calendar_years

    first, last = calendar_years()
    year = last + 1
    root = _pack(tmp_path, "{on_or_before: {working_days: 3}}")
    record = {**RECORD, "meeting": {**RECORD["meeting"], "date": f"{year}-03-02"}}
    result = dlsh_rules.check(record, dlsh_rules.load_pack(root)).results[0]
    assert result.status == "error"
    assert result.message.zh == (
        f"工作日日历不含 {year} 年（支持 {first}–{last} 年）；请升级 chinesecalendar 或改用自然日"
    )
    path = tmp_path / "record.json"
    import json

    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    code = main(["check", str(path), "--pack", str(root), "--lang", "en", "--format", "json"])
    err = capsys.readouterr().err
    assert code == 0  # as for any rule in `error`: the exit status follows failed rules only
    assert err.count("working-day calendar does not cover") == 1, err


def test_calendar_parts_of_non_dates_yield_nothing(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "pack.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "rules.yaml").write_text(
        RULE.replace("date: REQUIRE", "chair.@year: {exists: false}\n          date.@year: 2024"),
        encoding="utf-8",
    )
    assert _status(root) == "passed"
