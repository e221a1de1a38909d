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
