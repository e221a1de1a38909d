"""`diff OLD.json NEW.json`, `check --baseline` / `--write-baseline`, and the warning of
`check --as-of` about facts dated after it (issue 11, items 7 and 8)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from dlsh_rules.authoring.schemas import REPORT_SCHEMA
from dlsh_rules.authoring.synth import compliant_record
from dlsh_rules.cli.main import main
from dlsh_rules.record.dated import dated_facts, facts_after, reference_date
from dlsh_rules.record.validate import validate_record

PAIRS = ("prep.talks.secretary_members", "prep.talks.member_pairs")


def _record(tmp_path: Path, name: str, drop: tuple[int, ...] = (), **changes: Any) -> Path:
    data = compliant_record(3)
    data["talks"] = [t for i, t in enumerate(data["talks"]) if i not in drop]
    for key, value in changes.items():
        data[key] = value
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _report(tmp_path: Path, record: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    main(["check", str(record), "--format", f"json:{out}", *extra])
    return out


@pytest.fixture()
def reports(tmp_path: Path) -> tuple[Path, Path]:
    # old: p1~p2 missing; new: p1~p2 still missing, p1~p3 missing too
    old = _report(tmp_path, _record(tmp_path, "a.json", drop=(0,)), "old.json")
    new = _report(tmp_path, _record(tmp_path, "b.json", drop=(0, 1)), "new.json")
    return old, new


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["diff", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_diff_sorts_new_fixed_and_still_failing(
    reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = reports
    code, out = _diff(capsys, str(old), str(new))
    assert code == 1  # something new fails
    assert out["format"] == "dlsh-diff/1"
    assert out["summary"] == {"new": 2, "fixed": 0, "still_failing": 2, "unchecked": 0}
    assert {(i["rule"], i["subject"]) for i in out["new_failures"]} == {
        (rule, "p1~p3") for rule in PAIRS
    }
    assert {(i["rule"], i["subject"]) for i in out["still_failing"]} == {
        (rule, "p1~p2") for rule in PAIRS
    }
    # the other way round: the new ones are fixed, nothing is new, exit 0
    code, back = _diff(capsys, str(new), str(old))
    assert code == 0 and back["summary"] == {
        "new": 0,
        "fixed": 2,
        "still_failing": 2,
        "unchecked": 0,
    }


def test_diff_text_markdown_and_english(
    reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = reports
    assert main(["diff", str(old), str(new)]) == 1
    text = capsys.readouterr().out
    assert "新增的不符合项（2 项）" in text and "仍不符合（2 项）" in text
    assert f"  + [error] {PAIRS[0]} p1~p3: " in text
    assert text.rstrip().endswith("新增 2 项，已修复 0 项，仍不符合 2 项，未再检查 0 项")
    main(["diff", str(old), str(new), "--lang", "en"])
    text = capsys.readouterr().out
    assert "New failures (2)" in text and "2 new, 0 fixed, 2 still failing" in text
    main(["diff", str(old), str(new), "--format", "markdown"])
    md = capsys.readouterr().out
    assert md.startswith("# 报告比较") and "| 2 | 0 | 2 | 0 |" in md
    # deterministic: the same inputs, the same bytes
    main(["diff", str(old), str(new), "--format", "markdown"])
    assert capsys.readouterr().out == md


def test_diff_fail_on(reports: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new = reports
    assert main(["diff", str(old), str(new), "--fail-on", "never"]) == 0
    assert main(["diff", str(old), str(old)]) == 0  # nothing changed
    out = old.with_name("diff.md")
    assert main(["diff", str(old), str(new), "--format", "markdown", "-o", str(out)]) == 1
    assert out.read_text(encoding="utf-8").startswith("# 报告比较")
    capsys.readouterr()


def test_identity_is_the_subject_not_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Renaming a person changes every message about them, not which finding it is."""
    old = _report(tmp_path, _record(tmp_path, "a.json", drop=(0,)), "old.json")
    data = compliant_record(3)
    data["talks"] = data["talks"][1:]
    data["people"][0]["name"] = "改名后"
    renamed = tmp_path / "renamed.json"
    renamed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    new = _report(tmp_path, renamed, "new.json")
    code, out = _diff(capsys, str(old), str(new))
    assert code == 0 and out["summary"]["still_failing"] == 2 and out["summary"]["new"] == 0
    assert "改名后" in out["still_failing"][0]["message"]  # shown as the newer report says


def test_a_rule_not_checked_any_more_is_not_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _record(tmp_path, "a.json", drop=(0,))
    old = _report(tmp_path, record, "old.json")
    new = _report(tmp_path, record, "new.json", "--select", PAIRS[0])
    code, out = _diff(capsys, str(old), str(new))
    assert code == 0
    assert out["summary"] == {"new": 0, "fixed": 0, "still_failing": 1, "unchecked": 1}
    assert out["unchecked"][0]["rule"] == PAIRS[1]


def test_diff_of_batch_reports_pairs_records_by_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _record(tmp_path, "good.json")
    bad = _record(tmp_path, "bad.json", drop=(0,))
    old = tmp_path / "old.json"
    main(["check", str(good), str(bad), "--format", f"json:{old}"])
    bad.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")  # bad gets corrected
    good.write_text("{", encoding="utf-8")  # and good becomes unreadable
    new = tmp_path / "new.json"
    main(["check", str(good), str(bad), "--format", f"json:{new}"])
    code, out = _diff(capsys, str(old), str(new))
    assert code == 1
    assert [(i["record"], i["rule"]) for i in out["new_failures"]] == [(str(good), "(input)")]
    assert {(i["record"], i["rule"]) for i in out["fixed"]} == {(str(bad), r) for r in PAIRS}


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ('{"format": "dlsh-waivers/1"}', "/format"),
        ("[1, 2]", ""),
        ('{"format": "dlsh-report/1"}', ""),
    ],
)
def test_diff_of_what_is_not_a_report_exits_2(
    tmp_path: Path,
    reports: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    text: str,
    pointer: str,
) -> None:
    bad = tmp_path / "not-a-report.json"
    bad.write_text(text, encoding="utf-8")
    assert main(["diff", str(bad), str(reports[1])]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:1:") and "dlsh-report/1" in err and "Traceback" not in err
    assert f"位置 {pointer or '/'}" in err
    assert main(["diff", str(tmp_path / "missing.json"), str(reports[1])]) == 2


def test_baseline_lets_old_findings_pass_and_new_ones_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    record = _record(tmp_path, "record.json", drop=(0,))
    base = tmp_path / "baseline.json"
    assert main(["check", str(record), "--write-baseline", str(base)]) == 1
    capsys.readouterr()
    written = json.loads(base.read_text(encoding="utf-8"))
    assert written["format"] == "dlsh-baseline/1"
    assert [(f["rule"], f["subject"]) for f in written["findings"]] == [
        (rule, "p1~p2") for rule in PAIRS
    ]
    # the same record against its baseline passes; the findings are shown as baselined
    assert main(["check", str(record), "--baseline", str(base)]) == 0
    text = capsys.readouterr().out
    assert "［已豁免：基线 " in text and "中已有的问题，不计为不符合" in text
    main(["check", str(record), "--baseline", str(base), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, REPORT_SCHEMA)
    result = next(r for r in report["results"] if r["rule"] == PAIRS[0])
    assert result["status"] == "waived" and result["findings"][0]["baselined"] is True
    assert result["findings"][0]["waiver"]["origin"] == str(base)
    assert report["summary"]["compliant"] is True
    # a new failure in the same record still fails
    worse = _record(tmp_path, "record.json", drop=(0, 1))
    assert main(["check", str(worse), "--baseline", str(base), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    result = next(r for r in report["results"] if r["rule"] == PAIRS[0])
    assert result["status"] == "failed"
    assert [(f["subject"], f.get("baselined", False)) for f in result["findings"]] == [
        ("p1~p2", True),
        ("p1~p3", False),
    ]
    assert result["message"] == "检查 2 项，1 项不符合（另有 1 项已豁免）"


def test_a_json_report_serves_as_a_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _record(tmp_path, "record.json", drop=(0,))
    old = _report(tmp_path, record, "old.json")
    # another file name: a baseline of one record applies to a run of one record
    moved = tmp_path / "moved.json"
    moved.write_text(record.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(moved), "--baseline", str(old)]) == 0
    capsys.readouterr()


def test_baseline_in_a_batch_pairs_by_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _record(tmp_path, "a.json", drop=(0,))
    b = _record(tmp_path, "b.json")
    base = tmp_path / "base.json"
    assert main(["check", str(a), str(b), "--write-baseline", str(base)]) == 1
    assert main(["check", str(a), str(b), "--baseline", str(base)]) == 0
    _record(tmp_path, "b.json", drop=(0,))  # b now has a's problem: not in the baseline for b
    assert main(["check", str(a), str(b), "--baseline", str(base)]) == 1
    capsys.readouterr()


def test_baseline_that_is_not_one_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _record(tmp_path, "record.json", drop=(0,))
    bad = tmp_path / "b.yaml"
    bad.write_text("format: dlsh-baseline/1\nfindings: 3\n", encoding="utf-8")
    assert main(["check", str(record), "--baseline", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2:11" in err and "/findings" in err
    assert main(["check", str(record), "--write-baseline", str(record)]) == 2
    assert "不能是被检查的输入文件" in capsys.readouterr().err
    assert json.loads(record.read_text(encoding="utf-8"))["format"] == "dlsh-record/1"


# --- --as-of and the record's dates ---------------------------------------------------------


def test_facts_and_reference_date_leave_plans_out() -> None:
    record = validate_record(compliant_record(3), "x")
    facts = dict(dated_facts(record))
    assert facts and not any(p.endswith(("/due", "/planned_date", "/expires")) for p in facts)
    assert "/meeting/date" in facts and "/talks/0/date" in facts
    assert reference_date(record) == max(facts.values())
    assert facts_after(record, max(facts.values())) == []
    late = facts_after(record, dt.date(2000, 1, 1))
    assert all(p != "/meeting/date" for p, _ in late)
    assert late == sorted(late, key=lambda f: (f[1], f[0]))  # the earliest first
    # a rectification item's due date is a plan: never the reference date
    data = compliant_record(3)
    data["rectification"]["items"][0]["due"] = "2030-12-31"
    assert reference_date(validate_record(data, "x")) == reference_date(record)


def test_as_of_before_the_records_facts_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _record(tmp_path, "record.json")
    main(["check", str(record), "--as-of", "2024-01-10"])
    err = capsys.readouterr().err
    assert err.startswith(f"{record}：警告：检查日期 2024-01-10（--as-of）之后，记录中已有 ")
    # the earliest three, with their lines
    assert "/date 2024-01-11（第 " in err and "等——检查日期是否给错？" in err
    main(["check", str(record), "--as-of", "2024-01-10", "--lang", "en"])
    assert "warning: the record holds" in capsys.readouterr().err
    # a check date after every fact: no warning; nor in a batch run without late facts
    main(["check", str(record), "--as-of", "2025-01-01"])
    assert capsys.readouterr().err == ""
    main(["check", str(record), str(record.with_name("x.json")), "--as-of", "2024-01-10"])
    assert f"{record}：警告：" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_schema_help_names_every_schema(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--help", "--lang", lang]) == 0
    text = capsys.readouterr().out
    description = text.split("\n\n")[1]  # the sentence under the usage, not the choices
    for name in ("record", "rule", "pack", "report"):
        assert name in description
    assert main(["--help", "--lang", lang]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("schema"))
    assert "report" in line


def test_diff_is_listed_and_documented(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--help"]) == 0
    text = capsys.readouterr().out
    assert "新增" in text and "--fail-on" in text and "退出码" in text
    assert main(["check", "--help", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "--baseline" in text and "--write-baseline" in text


def test_rewriting_a_baseline_keeps_what_remains_and_drops_what_was_fixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _record(tmp_path, "record.json", drop=(0, 1))  # p1~p2 and p1~p3 missing
    base = tmp_path / "base.json"
    main(["check", str(record), "--write-baseline", str(base)])
    _record(tmp_path, "record.json", drop=(0,))  # p1~p3 is fixed
    assert main(["check", str(record), "--baseline", str(base), "--write-baseline", str(base)]) == 0
    capsys.readouterr()
    kept = json.loads(base.read_text(encoding="utf-8"))["findings"]
    assert {(f["rule"], f["subject"]) for f in kept} == {(rule, "p1~p2") for rule in PAIRS}


def _late_filing(tmp_path: Path, name: str, documents: int | None = None) -> Path:
    """The shipped example with its filing (s3: 14 documents to 3 bodies) after the deadline:
    one merged finding of followup.report standing for 42 (evaluate/grouping.py)."""
    import yaml

    root = Path(__file__).resolve().parent.parent
    data = yaml.safe_load((root / "docs/examples/bureau-2024.yaml").read_text(encoding="utf-8"))
    filing = next(s for s in data["submissions"] if s["purpose"] == "filing")
    filing["date"] = dt.date(2024, 2, 26)
    if documents is not None:
        # the others were filed on time, in a submission of their own
        on_time = {**filing, "id": "s-on-time", "date": dt.date(2024, 2, 10)}
        on_time["documents"] = filing["documents"][documents:]
        filing["documents"] = filing["documents"][:documents]
        data["submissions"].append(on_time)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_merged_finding_is_compared_and_baselined_by_what_it_stands_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fewer = _late_filing(tmp_path, "fewer.yaml", documents=13)  # 13 documents late
    more = _late_filing(tmp_path, "more.yaml")  # all 14 late: one more document
    base = tmp_path / "base.json"
    assert main(["check", str(fewer), "--write-baseline", str(base)]) == 1
    capsys.readouterr()
    written = json.loads(base.read_text(encoding="utf-8"))["findings"]
    late = [f for f in written if f["rule"] == "followup.report"]
    assert len(late) == 39 and all(">" in f["subject"] for f in late)  # 13 × 3, one by one
    # the same late filing is baselined as a whole, and its rule passes the run
    assert main(["check", str(fewer), "--baseline", str(base), "--format", "json"]) == 0
    result = next(
        r for r in json.loads(capsys.readouterr().out)["results"] if r["rule"] == "followup.report"
    )
    assert result["status"] == "waived" and result["findings"][0]["baselined"] is True
    assert len(result["findings"][0]["items"]) == 39
    # one more late document: the merged finding is not all in the baseline, so it fails
    assert main(["check", str(more), "--baseline", str(base)]) == 1
    capsys.readouterr()
    old = _report(tmp_path, fewer, "old.json")
    new = _report(tmp_path, more, "new.json")
    code, out = _diff(capsys, str(old), str(new))
    assert code == 1
    new_late = [i for i in out["new_failures"] if i["rule"] == "followup.report"]
    assert [i["subject"].split(">")[0] for i in new_late] == ["rl-p5"] * 3  # the 14th document
    assert len([i for i in out["still_failing"] if i["rule"] == "followup.report"]) == 39
    assert {i["subject"].split(">")[1] for i in new_late} == {
        "discipline_commission",
        "organization_department",
        "organs_work_committee",
    }
