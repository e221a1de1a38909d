"""The failures-only view (-q/--quiet), --statistics, and the failed rules under a batch table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from dlsh_rules.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"


@pytest.fixture(autouse=True)
def _no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DLSH_LANG", raising=False)
    monkeypatch.chdir(tmp_path)  # no configuration file above a fresh temporary directory


@pytest.fixture()
def one_fault(tmp_path: Path) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["talks"] = [t for t in data["talks"] if set(t["participants"]) != {"p2", "p3"}]
    path = tmp_path / "one-fault.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("flag", ["-q", "--quiet"])
def test_one_fault_prints_under_ten_lines_with_the_failures_only_view(
    one_fault: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, str(one_fault), flag)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) < 10, out
    assert "✓" not in out
    assert "prep.talks.member_pairs" in out and "张建国（p2）与刘秀芳（p3）" in out
    assert lines[-1].endswith("—— 不合规")
    _, full = _run(capsys, str(one_fault))
    assert len(full.splitlines()) > 50 and full.count("✓") > 50


def test_quiet_on_a_compliant_record_is_the_header_and_the_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = _run(capsys, str(EXAMPLE), "-q", "--lang", "en")
    assert code == 0
    assert "✓" not in out and "Preparation" not in out
    assert out.rstrip().endswith("— compliant") and len(out.splitlines()) <= 4


def test_quiet_keeps_pending_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["submissions"] = [s for s in data["submissions"] if s.get("purpose") != "filing"]
    path = tmp_path / "early.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _, out = _run(capsys, str(path), "-q", "--as-of", "2024-02-05")
    assert "followup.report" in out and "待到期" in out and "✓" not in out


def test_quiet_and_statistics_leave_json_unchanged(
    one_fault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, plain = _run(capsys, str(one_fault), "--format", "json")
    _, quiet = _run(capsys, str(one_fault), "--format", "json", "-q", "--statistics")
    assert plain == quiet and "statistics" not in json.loads(quiet)


def _table(out: str, heading: str) -> dict[str, list[str]]:
    """The rows under a heading of the statistics, by their first cell."""
    block = out.split(heading, 1)[1].split("\n\n", 1)[0]
    rows = [line.split() for line in block.splitlines()[1:] if line.strip()]
    return {row[0]: row[1:] for row in rows}


def test_statistics_by_phase_status_and_rule(
    one_fault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = _run(capsys, str(one_fault), "--format", "json")
    results = json.loads(report)["results"]
    code, out = _run(capsys, str(one_fault), "--statistics")
    assert code == 1
    assert "✓" not in out and "张建国" not in out  # counts, not the rules
    phases = _table(out, "统计：按阶段和状态")
    assert phases["阶段"] == ["通过", "不符合", "待到期", "已豁免", "不适用", "出错"]
    for phase, label in (("prep", "会前准备"), ("meeting", "会议召开"), ("followup", "会后工作")):
        passed = sum(1 for r in results if r["phase"] == phase and r["status"] == "passed")
        failed = sum(1 for r in results if r["phase"] == phase and r["status"] == "failed")
        assert phases[label] == [str(passed), str(failed), "0", "0", "0", "0"]
    assert phases["合计"] == [str(len(results) - 1), "1", "0", "0", "0", "0"]
    rules = _table(out, "统计：未通过的规则")
    # failed, error, pending (records), findings, rule, title
    assert rules["1"][:4] == ["0", "0", "1", "prep.talks.member_pairs"]
    assert out.rstrip().endswith("—— 不合规")


def test_statistics_over_a_batch_add_up_the_records(
    one_fault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_bytes(EXAMPLE.read_bytes())
    _, report = _run(capsys, str(EXAMPLE), "--format", "json")
    rules = json.loads(report)["summary"]["rules"]
    code, out = _run(capsys, str(tmp_path), "--statistics", "--lang", "en")
    assert code == 1
    phases = _table(out, "Statistics by phase and status")
    assert phases["total"] == [str(2 * rules - 1), "1", "0", "0", "0", "0"]
    assert "good.yaml" not in out  # the counts replace the lines per record
    assert out.rstrip().endswith("2 records: 1 compliant, 1 NOT compliant, 0 cannot be checked")


def test_batch_text_lists_the_failed_rules_of_each_record(
    one_fault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_bytes(EXAMPLE.read_bytes())
    code, out = _run(capsys, str(tmp_path))
    assert code == 1
    listing = out.split("各记录未通过的规则", 1)[1]
    assert re.search(
        r"one-fault\.yaml\n    ✗ prep\.talks\.member_pairs  党组成员相互之间必谈 ［四（四）］（1 项）",
        listing,
    )
    assert "good.yaml" not in listing
    assert out.rstrip().endswith("共 2 份记录：合规 1，不合规 1，无法检查 0")
    _, quiet = _run(capsys, str(tmp_path), "-q")
    table = quiet.split("各记录未通过的规则", 1)[0]
    assert "one-fault.yaml" in table and "good.yaml" not in table


def test_markdown_statistics_and_quiet(one_fault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from markdown_it import MarkdownIt

    _, out = _run(capsys, str(one_fault), "--format", "markdown", "--statistics")
    html = MarkdownIt("commonmark").enable("table").render(out)
    assert "<th>阶段</th>" in html and "<td><strong>合计</strong></td>" in html
    assert "<code>prep.talks.member_pairs</code>" in html and "✅" not in out
    _, quiet = _run(capsys, str(one_fault), "--format", "markdown", "-q")
    assert "prep.talks.member_pairs" in quiet and "✅ 通过" not in quiet
    _, full = _run(capsys, str(one_fault), "--format", "markdown")
    assert "✅ 通过" in full


def test_quiet_from_the_configuration_and_no_quiet_overrides_it(
    one_fault: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dlsh-rules.toml").write_text("quiet = true\n", encoding="utf-8")
    _, out = _run(capsys, str(one_fault))
    assert "✓" not in out
    _, out = _run(capsys, str(one_fault), "--no-quiet")
    assert "✓" in out
