"""Organisation rules (`scope: organisation`, kind `frequency`): periods, grouping a run's
records by party organisation, statuses, waivers, --as-of, every output format, exit status,
determinism across --jobs, and the load errors of the rule form.

The pack's own cases (tests/packs/frequency/cases/, run by `test` and test_cases.py) hold the
data-driven cases of each rule; here the records folder of the pack is checked as one run and
compared with tests/packs/frequency/expected.yaml.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from dlsh_rules.cli import batch as batch_module
from dlsh_rules.cli.batch import check_many, check_organisations
from dlsh_rules.cli.main import main
from dlsh_rules.dates import period_label, period_of, periods_between
from dlsh_rules.pack.loader import load_pack

PACK = Path(__file__).resolve().parent / "packs" / "frequency"
RECORDS = PACK / "records"
EXPECTED = yaml.safe_load((PACK / "expected.yaml").read_text(encoding="utf-8"))


# --- periods ---------------------------------------------------------------------------------

D = dt.date


@pytest.mark.parametrize(
    ("day", "unit", "start", "label", "first", "last"),
    [
        (D(2024, 9, 30), "month", (9, 1), "2024-09", D(2024, 9, 1), D(2024, 9, 30)),
        (D(2024, 2, 29), "month", (9, 1), "2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        (D(2024, 12, 31), "quarter", (9, 1), "2024-Q4", D(2024, 10, 1), D(2024, 12, 31)),
        (D(2024, 4, 1), "quarter", (9, 1), "2024-Q2", D(2024, 4, 1), D(2024, 6, 30)),
        (D(2024, 6, 30), "half", (9, 1), "2024-H1", D(2024, 1, 1), D(2024, 6, 30)),
        (D(2024, 7, 1), "half", (9, 1), "2024-H2", D(2024, 7, 1), D(2024, 12, 31)),
        (D(2024, 7, 1), "year", (9, 1), "2024", D(2024, 1, 1), D(2024, 12, 31)),
        (D(2024, 9, 1), "academic_year", (9, 1), "AY2024", D(2024, 9, 1), D(2025, 8, 31)),
        (D(2025, 8, 31), "academic_year", (9, 1), "AY2024", D(2024, 9, 1), D(2025, 8, 31)),
        (D(2024, 8, 31), "academic_year", (9, 1), "AY2023", D(2023, 9, 1), D(2024, 8, 31)),
        (D(2024, 2, 28), "academic_year", (2, 28), "AY2024", D(2024, 2, 28), D(2025, 2, 27)),
        (D(2024, 8, 19), "academic_year", (8, 20), "AY2023", D(2023, 8, 20), D(2024, 8, 19)),
    ],
)
def test_period_of(
    day: dt.date, unit: str, start: tuple[int, int], label: str, first: dt.date, last: dt.date
) -> None:
    period = period_of(day, unit, start)
    assert (period.label, period.start, period.end) == (label, first, last)
    assert period_label(day, unit, start) == label


def test_periods_between_overlap_both_ends() -> None:
    got = periods_between(D(2024, 3, 15), D(2024, 7, 1), "quarter")
    assert [p.label for p in got] == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert periods_between(D(2024, 3, 15), D(2024, 3, 14), "month") == []
    months = periods_between(D(2024, 1, 1), D(2024, 12, 31), "month")
    assert [p.label for p in months][::11] == ["2024-01", "2024-12"] and len(months) == 12


def test_period_words_do_not_follow_the_locale() -> None:
    p = period_of(D(2024, 9, 3), "month")
    assert (p.describe("zh"), p.describe("en")) == ("2024年9月", "September 2024")
    assert period_of(D(2024, 11, 3), "half").describe("zh") == "2024年下半年"
    assert period_of(D(2024, 11, 3), "quarter").describe("zh") == "2024年第四季度"
    assert period_of(D(2024, 11, 3), "academic_year").describe("zh") == "2024—2025学年"


# --- a run over the records folder -----------------------------------------------------------


def _organisations(jobs: int = 1, **options: Any) -> Any:
    pack = load_pack(PACK)
    results = check_many([RECORDS], pack, jobs=jobs, **options)
    return results, check_organisations(results, pack, **options)


def test_records_folder_gives_the_expected_organisation_results() -> None:
    _, orgs = _organisations()
    got: dict[str, Any] = {}
    for org in orgs.entries:
        rules: dict[str, Any] = {}
        for r in org.results:
            entry: dict[str, Any] = {"status": r.status}
            if r.level is not None:
                entry["level"] = r.level
            if r.findings:
                entry["subjects"] = [f.subject for f in r.findings]
            entry["periods"] = {p.period: [Path(s).name for s in p.records] for p in r.periods}
            rules[r.rule] = entry
        got[org.name] = rules
    assert got == EXPECTED


def test_findings_list_the_records_counted_and_fall_due_at_the_period_end() -> None:
    _, orgs = _organisations()
    college = next(o for o in orgs.entries if o.party_org == "外国语学院党委")
    (finding,) = next(r for r in college.results if r.rule == "org.meetings.academic_year").findings
    assert finding.subject == "AY2024" and finding.records == ()
    assert finding.due == D(2025, 8, 19)  # the pack's academic year starts on 20 August
    assert finding.severity == "warning"
    assert "2024—2025学年（AY2024）" in finding.message.zh


def test_as_of_makes_a_period_not_yet_over_pending() -> None:
    _, orgs = _organisations(as_of=D(2024, 7, 1))
    office = next(o for o in orgs.entries if o.party_org == "机关党委")
    result = next(r for r in office.results if r.rule == "org.meetings.each_half")
    assert result.status == "pending" and result.findings[0].pending
    _, later = _organisations(as_of=D(2025, 1, 1))
    office = next(o for o in later.entries if o.party_org == "机关党委")
    assert next(r for r in office.results if r.rule == "org.meetings.each_half").status == "failed"


def test_same_bytes_whatever_jobs(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setattr(batch_module, "MIN_RECORDS_PER_WORKER", 1)
    outputs = []
    for jobs in ("1", "2"):
        code = main(
            ["check", str(RECORDS), "--pack", str(PACK), "--format", "json", "--jobs", jobs]
        )
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][1])["organisations"][2]["party_org"] == "机关党委"


def test_records_that_cannot_be_checked_count_for_no_organisation(tmp_path: Path) -> None:
    shutil.copytree(RECORDS, tmp_path / "records")
    (tmp_path / "records" / "a-2024-10.yaml").write_text("format: [", encoding="utf-8")
    pack = load_pack(PACK)
    results = check_many([tmp_path / "records"], pack, jobs=1)
    orgs = check_organisations(results, pack)
    college = orgs.entries[0]
    assert len(college.records) == 1
    each_half = next(r for r in college.results if r.rule == "org.meetings.each_half")
    assert [f.subject for f in each_half.findings] == ["2024-H2"]


# --- command line: exit status, selection, waivers -------------------------------------------


def _run(args: list[str], capsys: Any) -> tuple[int, str]:
    code = main(["check", *args, "--pack", str(PACK)])
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ([], 1),  # a record fails meeting.chair, and 机关党委 misses 2024-H2
        (["--ignore", "meeting.chair"], 1),  # the organisation rule alone fails the run
        (["--ignore", "meeting.chair,org.meetings.each_half"], 0),  # only a warning is left
        (["--ignore", "meeting.chair,org.meetings.each_half", "--fail-on", "warning"], 1),
        (["--ignore", "meeting.chair", "--fail-on", "never"], 0),
        (["--ignore", "meeting.chair", "--as-of", "2024-07-01"], 0),  # 2024-H2 not yet over
    ],
)
def test_exit_status_accounts_for_organisation_rules(
    extra: list[str], code: int, capsys: Any
) -> None:
    assert _run([str(RECORDS), *extra, "--format", "json"], capsys)[0] == code


def test_single_record_is_one_organisation(capsys: Any) -> None:
    code, out = _run([str(RECORDS / "c-2024-05.yaml"), "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 1 and report["format"] == "dlsh-report/1"
    assert [r["rule"] for r in report["results"]] == ["meeting.chair"]  # record rules only
    (org,) = report["organisations"]
    assert org["records"] == [str(RECORDS / "c-2024-05.yaml")]
    assert {r["rule"]: r["status"] for r in org["results"]} == {
        "org.meetings.each_half": "failed",
        "org.meetings.academic_year": "passed",
        "org.meetings.year_2024": "passed",
    }
    finding = org["results"][0]["findings"][0]
    assert finding["subject"] == "2024-H2" and finding["records"] == []


def test_select_limits_the_organisation_rules(capsys: Any) -> None:
    code, out = _run(
        [str(RECORDS), "--format", "json", "--select", "org.meetings.year_2024"], capsys
    )
    data = json.loads(out)
    assert code == 0
    assert all(r["results"] == [] for r in data["records"])
    assert {r["rule"] for o in data["organisations"] for r in o["results"]} == {
        "org.meetings.year_2024"
    }
    code, out = _run([str(RECORDS), "--format", "json", "--select", "meeting"], capsys)
    assert "organisations" not in json.loads(out)


def _waivers(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        yaml.safe_dump({"format": "dlsh-waivers/1", "waivers": list(entries)}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


WAIVER = {
    "rule": "org.meetings.each_half",
    "subject": "2024-H2",
    "reason": "机关党委2024年下半年并入上级党委召开",
    "approved_by": "校党委组织部",
    "date": "2024-06-01",
}


def test_a_waiver_file_waives_a_period(tmp_path: Path, capsys: Any) -> None:
    other = {**WAIVER, "subject": "2023-H1"}
    waivers = _waivers(tmp_path, WAIVER, other)
    code, out = _run(
        [str(RECORDS), "--ignore", "meeting.chair", "--waivers", str(waivers), "--format", "json"],
        capsys,
    )
    data = json.loads(out)
    assert code == 0
    office = data["organisations"][2]
    result = office["results"][0]
    assert result["status"] == "waived" and result["findings"][0]["waiver"]["origin"].endswith(
        "waivers.yaml"
    )
    # the waiver that matched no organisation's finding is listed once, for the run
    assert [(w["rule"], w["subject"]) for w in data["unused_waivers"]] == [
        ("org.meetings.each_half", "2023-H1")
    ]


@pytest.mark.parametrize(
    ("lang", "opening", "closing"), [("zh", "（", "）："), ("en", " (", "): ")]
)
def test_markdown_names_an_unused_organisation_waiver_by_file_line_and_column(
    tmp_path: Path, capsys: Any, lang: str, opening: str, closing: str
) -> None:
    # The same form as a record's unused waiver: where it is written, not "origin pointer".
    waivers = _waivers(tmp_path, WAIVER, {**WAIVER, "subject": "2023-H1"})
    args = ["--ignore", "meeting.chair", "--waivers", str(waivers), "--format", "markdown"]
    code, out = _run([str(RECORDS), *args, "--lang", lang], capsys)
    assert code == 0
    heading = "未生效的组织规则豁免" if lang == "zh" else "Organisation waivers that did not apply"
    lines = out.splitlines()
    start = next(i for i, x in enumerate(lines) if x.endswith(heading))
    line = next(x for x in lines[start + 1 :] if x.startswith("- "))
    # the second entry of the list: its mapping starts on line 8 of the file (keys sorted)
    where = str(waivers).replace("_", "\\_")  # Markdown escapes the test's directory name
    assert line.startswith(f"- `org.meetings.each_half` 2023-H1{opening}{where}:8:3 ")
    assert "/waivers/1" + closing in line


def test_a_records_own_waiver_does_not_waive_an_organisation_rule(
    tmp_path: Path, capsys: Any
) -> None:
    data = yaml.safe_load((RECORDS / "c-2024-05.yaml").read_text(encoding="utf-8"))
    data["waivers"] = [{**WAIVER, "approved_by": "p1"}]
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out = _run([str(path), "--format", "json", "--lang", "en"], capsys)
    report = json.loads(out)
    assert code == 1
    assert report["organisations"][0]["results"][0]["status"] == "failed"
    (unused,) = report["unused_waivers"]
    assert unused["origin"] == "record" and "organisation rule" in unused["message"]


# --- every format has the section ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "github", "junit", "sarif", "json"])
def test_every_format_shows_the_organisations(fmt: str, capsys: Any) -> None:
    code, out = _run([str(RECORDS), "--format", fmt, "--lang", "en"], capsys)
    assert code == 1
    assert "机关党委" in out and "2024-H2" in out
    single_code, single = _run([str(RECORDS / "c-2024-05.yaml"), "--format", fmt], capsys)
    assert single_code == 1 and "机关党委" in single and "2024-H2" in single
    if fmt == "junit":
        root = ET.fromstring(out.encode("utf-8"))
        suite = root.find("testsuite[@name='某大学 · 机关党委 · organisation']")
        assert suite is not None and suite.get("failures") == "1" and suite.get("tests") == "3"
    if fmt == "sarif":
        run = json.loads(out)["runs"][0]
        org_results = [r for r in run["results"] if r["ruleId"].startswith("org.")]
        assert {r["properties"]["period"] for r in org_results} == {"2024-H2", "AY2024"}
        assert len({r["partialFingerprints"]["dlshFinding/v1"] for r in org_results}) == 2
    if fmt == "github":
        assert any(
            line.startswith("::error ") and "title=org.meetings.each_half" in line
            for line in out.splitlines()
        )


def test_reports_with_organisations_validate_against_the_report_schema(capsys: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    root = Path(__file__).resolve().parent.parent
    schema = json.loads((root / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    _, out = _run([str(RECORDS / "c-2024-05.yaml"), "--format", "json"], capsys)
    jsonschema.validate(json.loads(out), schema)
    _, out = _run([str(RECORDS), "--format", "json"], capsys)
    for org in json.loads(out)["organisations"]:
        jsonschema.validate(org, {"$defs": schema["$defs"], "$ref": "#/$defs/organisation"})


def test_packs_without_organisation_rules_report_as_before(capsys: Any) -> None:
    root = Path(__file__).resolve().parent.parent
    main(["check", str(root / "docs" / "examples" / "bureau-2024.yaml"), "--format", "json"])
    assert "organisations" not in json.loads(capsys.readouterr().out)


# --- the rule form: load errors --------------------------------------------------------------


def _pack_with(tmp_path: Path, rule: dict[str, Any]) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(PACK, target)
    rules = yaml.safe_load((target / "rules.yaml").read_text(encoding="utf-8"))
    rules["rules"][1] = {**rules["rules"][1], **rule}
    (target / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    shutil.rmtree(target / "cases")
    return target


FREQ = {"kind": "frequency", "per": "half", "min": "$meetings_per_half"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": "record"}, "a frequency check belongs in a rule with scope: organisation"),
        (
            {"checks": [{"kind": "exists", "select": {"from": "talks"}}], "min": None},
            "holds frequency checks only",
        ),
        ({"due": {"days": 0}}, "has no due"),
        (
            {"checks": [{**FREQ, "per": "week"}]},
            "'month', 'quarter', 'half', 'year' or 'academic_year'",
        ),
        ({"checks": [{**FREQ, "min": 0}]}, "greater than or equal to 1"),
        (
            {"checks": [{**FREQ, "periods": {"from": "2024-02-30", "to": "2024-12-31"}}]},
            "a real date",
        ),
        ({"checks": [{**FREQ, "periods": {"from": 2024, "to": "2024-12-31"}}]}, "a real date"),
        (
            {"checks": [{**FREQ, "periods": {"from": "2024-12-31", "to": "2024-01-01"}}]},
            "ends (to) before",
        ),
        ({"checks": [{**FREQ, "applies_when": {"from": "talks"}}]}, "use where"),
        ({"checks": [{**FREQ, "due": {"days": 0}}]}, "a frequency check has no due"),
        ({"checks": [{**FREQ, "date": "meeting.dat"}]}, "did you mean date?"),
    ],
)
def test_load_errors(tmp_path: Path, change: dict[str, Any], message: str, capsys: Any) -> None:
    change = {k: v for k, v in change.items() if v is not None}
    pack = _pack_with(tmp_path, change)
    code = main(["check", str(RECORDS / "a-2024-03.yaml"), "--pack", str(pack), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "rules.yaml:" in err and message in err, err


# --- the `test` command's case form `records`, and explain ---------------------------------


def _case(**fields: Any) -> Any:
    from dlsh_rules.authoring.testing import Case, CaseModel

    return Case("cases/x.yaml", 0, CaseModel(rule="org.meetings.each_half", name="x", **fields))


def test_a_records_case_that_does_not_hold_says_why() -> None:
    from dlsh_rules.authoring.testing import example_data, run_case

    pack = load_pack(PACK)
    base = example_data(pack)
    late = [{"op": "replace", "path": "/meeting/date", "value": "2024-10-15"}]
    ok = _case(records=[[], late], expect={"org.meetings.each_half": "passed"})
    assert run_case(pack, base, ok) == []
    wrong = _case(records=[[], late], expect={"org.meetings.each_half": "failed"})
    assert run_case(pack, base, wrong) == ["org.meetings.each_half: expected failed, got passed"]
    other_org = [{"op": "replace", "path": "/unit/party_org", "value": "机关党委"}]
    two = _case(records=[[], other_org], expect={"org.meetings.each_half": "failed"})
    assert run_case(pack, base, two) == ["the records form 2 organisations; a case judges one"]
    record_rule = _case(records=[[]], expect={"meeting.chair": "passed"})
    assert "organisation rules only" in " ".join(run_case(pack, base, record_rule))
    with pytest.raises(ValueError, match="not both"):
        _case(records=[[]], patch=late, expect={})


def test_explain_shows_the_scope_and_the_records_of_a_case() -> None:
    from dlsh_rules.authoring.explain import explain

    pack = load_pack(PACK)
    rule = pack.rule("org.meetings.each_half")
    assert rule is not None
    text = explain(pack, rule, "en")
    assert "Scope: the organisation" in text
    assert "records:" in text and "(2024-H2): expected at least 1 meeting(s), found 0" in text
