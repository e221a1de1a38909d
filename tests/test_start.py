"""Starting a record (issue 11, items 1–3): `init`, the workbook, `export`, `timeline`, and the
`todo` mark that makes a skeleton pending or failed until its work is done."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import dlsh_rules
from dlsh_rules.authoring.skeleton import PersonSpec, build_skeleton
from dlsh_rules.cli.main import main
from dlsh_rules.pack.loader import load_pack
from dlsh_rules.record.validate import load_record

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
EXAMPLE_PACKS = ROOT / "docs" / "examples" / "packs"
# every rule of the default pack has a due date, so each has one row, line or event
DEFAULT_RULES = len(load_pack().rules)
FIVE = [
    "--secretary",
    "张三:办公室",
    "--member",
    "李四:规划处",
    "--member",
    "王五",
    "--member",
    "赵六",
    "--member",
    "钱七",
    "--department-head",
    "孙八:办公室",
    "--department-head",
    "周九:规划处",
]
PACKS = [
    "provincial-bureau-2024",
    "enterprise-committee-2024",
    *sorted(str(p) for p in EXAMPLE_PACKS.iterdir() if (p / "pack.yaml").exists()),
]


def _people() -> list[PersonSpec]:
    return [
        PersonSpec("张三", "secretary", supervises=["办公室"]),
        PersonSpec("李四", "member", supervises=["规划处"]),
        PersonSpec("王五", "member"),
        PersonSpec("赵六", "member"),
        PersonSpec("钱七", "member"),
        PersonSpec("孙八", "department_head", department="办公室"),
        PersonSpec("周九", "department_head", department="规划处"),
    ]


# --- todo ------------------------------------------------------------------------------------


def test_a_todo_item_is_checked_as_absent_and_keeps_its_pointers() -> None:
    pack = dlsh_rules.load_pack()
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert dlsh_rules.check(data, pack).summary.compliant
    data["talks"][4]["todo"] = True  # t5: p2 and p3
    record = load_record(data, pack.enums)
    assert "t5" not in record.index and len(record.data["talks"]) == len(data["talks"]) - 1
    assert record.pointer_of(record.data["talks"]) == "/talks"
    assert record.index["t6"].pointer == "/talks/5"  # not renumbered
    report = dlsh_rules.check(record, pack)
    failed = [r.rule for r in report.results if r.status == "failed"]
    assert failed == ["prep.talks.member_pairs"]
    kept = load_record(data, pack.enums, keep_todo=True)
    assert "t5" in kept.index


def test_todo_false_changes_nothing() -> None:
    pack = dlsh_rules.load_pack()
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    before = dlsh_rules.check(data, pack).to_json()
    for talk in data["talks"]:
        talk["todo"] = False
    assert dlsh_rules.check(data, pack).to_json() == before


def test_todo_is_a_boolean() -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["talks"][0]["todo"] = "是"
    with pytest.raises(dlsh_rules.InputError) as exc:
        load_record(data)
    assert exc.value.problems[0].pointer == "/talks/0/todo"


# --- the skeleton ------------------------------------------------------------------------------


@pytest.mark.parametrize("pack_name", PACKS)
def test_a_skeleton_is_pending_or_failed_never_passed_by_its_todo_items(pack_name: str) -> None:
    pack = dlsh_rules.load_pack(pack_name)
    day = dt.date(2025, 1, 20)
    record = build_skeleton(pack, day, _people(), "某县民政局", "局党组")
    whole = dlsh_rules.check(record, pack)
    assert not whole.summary.compliant and whole.summary.error == 0
    early = dlsh_rules.check(record, pack, as_of=dt.date(2024, 11, 1))
    # Before the work is due it is pending (a pack may still fail facts the skeleton states,
    # such as a meeting date outside the plan's window).
    assert early.summary.pending > 0 and early.summary.failed < whole.summary.failed
    # Marking every item done (without filling anything in) passes more rules: the skeleton's
    # todo items are what the rules need, so the checks did read them as missing.
    done = json.loads(json.dumps(record, default=str).replace('"todo": true', '"todo": false'))
    assert dlsh_rules.check(done, pack).summary.passed > whole.summary.passed


def test_the_skeleton_of_the_default_pack() -> None:
    pack = dlsh_rules.load_pack()
    record = build_skeleton(pack, dt.date(2025, 1, 20), _people())
    talks = {tuple(sorted(t["participants"])): t for t in record["talks"]}
    # 4 secretary talks + 6 more member pairs + 2 heads of supervised departments
    assert len(talks) == 12
    assert all(t["mode"] == "in_person" and t["todo"] is True for t in talks.values())
    assert {t["date"] for t in talks.values()} == {dt.date(2025, 1, 10)}  # D-10
    assert len(record["meeting"]["criticisms"]) == 20  # 5 × 4 ordered pairs
    kinds = {(d["kind"], d["owner"]) for d in record["documents"]}
    assert ("check_material", "group") in kinds and ("speech_outline", "p5") in kinds
    pre = next(s for s in record["submissions"] if s["purpose"] == "pre_review")
    assert pre["date"] == dt.date(2025, 1, 10) and len(pre["to"]) == 2
    mobilization = next(a for a in record["activities"] if a["kind"] == "mobilization_meeting")
    assert mobilization["date"] == dt.date(2024, 12, 30)  # D-21
    briefing = next(a for a in record["activities"] if a["kind"] == "briefing_meeting")
    assert briefing["date"] == dt.date(2025, 2, 20) and briefing["chair"] == "p1"  # D+1 month


# --- init ----------------------------------------------------------------------------------------


def test_init_writes_a_yaml_skeleton_that_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "records" / "record.yaml"
    assert main(["init", "--meeting-date", "2025-01-20", *FIVE, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "已写入" in err and "谈心谈话 12（待办 12）" in err
    text = out.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema = (out.parent / first.split("$schema=", 1)[1]).resolve()
    assert schema == (ROOT / "schemas" / "record.schema.json").resolve()
    assert main(["check", str(out)]) == 1
    assert "不合规" in capsys.readouterr().out
    assert main(["check", str(out), "--as-of", "2024-12-01"]) == 0
    assert "待到期" in capsys.readouterr().out


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "record.yaml"
    out.write_text("mine", encoding="utf-8")
    assert (
        main(["init", "--meeting-date", "2025-01-20", "--secretary", "张三", "-o", str(out)]) == 2
    )
    assert "不会覆盖" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "mine"


def test_init_from_a_people_file_and_as_json(tmp_path: Path) -> None:
    people = tmp_path / "people.yaml"
    people.write_text(
        "unit: {name: 某县民政局, party_org: 局党组}\n"
        "people:\n"
        "  - {name: 张三, role: 党组书记, supervises: [办公室]}\n"
        "  - {name: 李四, role: member}\n"
        "  - {name: 孙八, role: department_head, department: 办公室}\n",
        encoding="utf-8",
    )
    out = tmp_path / "record.json"
    assert (
        main(["init", "--meeting-date", "2025-01-20", "--people", str(people), "-o", str(out)]) == 0
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["$schema"].endswith("schemas/record.schema.json")
    assert data["unit"] == {"name": "某县民政局", "party_org": "局党组"}
    assert data["departments"] == [{"id": "d1", "name": "办公室", "head": "p3"}]
    assert main(["check", str(out), "--as-of", "2024-12-01"]) == 0


def test_a_bad_people_file_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    people = tmp_path / "people.yaml"
    people.write_text("people:\n  - {name: 张三, role: 书记}\n", encoding="utf-8")
    assert main(["init", "--meeting-date", "2025-01-20", "--people", str(people)]) == 2
    err = capsys.readouterr().err
    assert f"{people}:2:" in err and "/people/0/role" in err and "党组书记" in err


def test_init_needs_people_and_exactly_one_secretary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--meeting-date", "2025-01-20"]) == 2
    assert "--secretary" in capsys.readouterr().err
    assert main(["init", "--meeting-date", "2025-02-30", "--secretary", "张三"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_init_help_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--help"]) == 0
    out = capsys.readouterr().out
    assert "用法：" in out and "记录框架" in out and "不覆盖已有文件" in out


# --- the workbook ----------------------------------------------------------------------------------


def test_init_writes_a_workbook_that_check_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "台账.xlsx"
    assert main(["init", "--meeting-date", "2025-01-20", *FIVE, "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    for sheet in ("会议", "人员", "谈心谈话", "材料", "报送", "整改"):
        assert sheet in book.sheetnames
    assert [c.value for c in book["谈心谈话"][1]][:4] == ["编号", "日期", "参加人", "形式"]
    assert book["谈心谈话"]["D2"].value == "面对面"
    capsys.readouterr()
    assert main(["check", str(out)]) == 1
    assert main(["check", str(out), "--as-of", "2024-12-01"]) == 0


@pytest.mark.parametrize("pack_name", PACKS)
def test_the_example_round_trips_through_a_workbook(pack_name: str, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    pack = dlsh_rules.load_pack(pack_name)
    example = str(EXAMPLE if pack_name == "provincial-bureau-2024" else pack.example_path)
    book = tmp_path / "台账.xlsx"
    assert main(["export", example, "--pack", pack_name, "-o", str(book)]) == 0
    again = load_record(book, pack.enums)
    assert again.data == load_record(example, pack.enums).data
    first = dlsh_rules.check(example, pack).to_json()
    second = dlsh_rules.check(again, pack).to_json()
    assert second.replace(str(book), "X") == first.replace(example, "X")
    back = tmp_path / "back.yaml"
    assert main(["export", str(book), "--pack", pack_name, "-o", str(back)]) == 0
    assert load_record(back, pack.enums).data == again.data


def test_a_bad_cell_is_named_by_sheet_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    good = tmp_path / "good.xlsx"
    assert main(["export", str(EXAMPLE), "-o", str(good)]) == 0
    book = openpyxl.load_workbook(good)
    book["谈心谈话"]["D5"] = "当面"
    book["谈心谈话"]["B3"] = "2024-02-30"
    bad = tmp_path / "台账.xlsx"
    book.save(bad)
    capsys.readouterr()
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:谈心谈话!D5：位置 /talks/3/mode" in err and "面对面" in err
    assert f"{bad}:谈心谈话!B3：位置 /talks/1/date" in err
    assert main(["check", str(bad), "--lang", "en"]) == 2
    assert f"{bad}:谈心谈话!D5: at /talks/3/mode" in capsys.readouterr().err


def test_an_unknown_column_or_sheet_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    good = tmp_path / "good.xlsx"
    assert main(["export", str(EXAMPLE), "-o", str(good)]) == 0
    book = openpyxl.load_workbook(good)
    book["人员"]["Z1"] = "性别"
    book.create_sheet("备注")
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    capsys.readouterr()
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:人员!Z1" in err and "'性别'" in err and f"{bad}:备注!A1" in err


def test_not_a_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl")
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a zip", encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    assert "Excel 工作簿" in capsys.readouterr().err


def test_without_openpyxl_the_message_says_how_to_install(tmp_path: Path) -> None:
    book = tmp_path / "台账.xlsx"
    book.write_bytes(b"PK")
    code = (
        "import sys; sys.modules['openpyxl'] = None\n"
        "from dlsh_rules.cli.main import main\n"
        f"sys.exit(main(['check', {str(book)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'dlsh-rules[xlsx]'" in done.stderr and "未安装 openpyxl" in done.stderr
    assert "Traceback" not in done.stderr


# Modules the check path never imports: openpyxl (workbooks only) and Jinja2 with MarkupSafe
# (the HTML report only). Every other format, one record or several, is rendered without them.
LAZY = ("openpyxl", "jinja2", "markupsafe")


def _run_python(code: str) -> None:
    """Run ``code`` in a fresh interpreter (so sys.modules shows what it alone imported)."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "sarif", "junit", "github"])
def test_checking_yaml_never_imports_openpyxl(fmt: str) -> None:
    code = (
        "import sys\nfrom dlsh_rules.cli.main import main\n"
        f"main(['check', {str(EXAMPLE)!r}, '--format', {fmt!r}, '-o', '/dev/null'])\n"
        f"main(['check', {str(EXAMPLE)!r}, {str(EXAMPLE)!r}, '-q', '--format', {fmt!r},"
        " '-o', '/dev/null', '--jobs', '1'])\n"
        f"for name in {LAZY!r}:\n"
        "    assert name not in sys.modules, name + ' imported'\n"
    )
    _run_python(code)


def test_the_html_report_imports_jinja2() -> None:
    """The other side of the test above: it would pass vacuously if nothing ever imported it."""
    code = (
        "import sys\nfrom dlsh_rules.cli.main import main\n"
        f"main(['check', {str(EXAMPLE)!r}, '--format', 'html', '-o', '/dev/null'])\n"
        "assert 'jinja2' in sys.modules and 'markupsafe' in sys.modules\n"
    )
    _run_python(code)


# --- timeline ------------------------------------------------------------------------------------


def test_timeline_lists_every_rule_in_date_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "--meeting-date", "2024-01-30", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["截止日期", "条款", "事项", "规则", "阶段", "状态"]
    body = rows[1:]
    assert len(body) == DEFAULT_RULES
    assert [r[0] for r in body] == sorted(r[0] for r in body)
    first = body[0]
    assert (
        first[0] == "2024-01-09" and first[1] == "四（一）" and first[3] == "prep.mobilization.held"
    )
    assert next(r for r in body if r[3] == "followup.report")[:2] == ["2024-02-14", "六（二）"]


def test_timeline_as_of_puts_what_is_due_next_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "--meeting-date", "2024-01-30", "--as-of", "2024-01-16"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "［" in line]
    assert lines[0].lstrip("… ").startswith("2024-01-20")
    overdue = [line for line in lines if "已逾期" in line]
    assert any("prep.mobilization.held" in line for line in overdue)
    assert lines.index(overdue[0]) > lines.index(lines[0])


def test_timeline_of_a_record_marks_what_is_done(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", str(EXAMPLE), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# 省移民局 · 民主生活会 2024-01-30")
    assert out.count("| 已完成 |") == DEFAULT_RULES


def test_timeline_ics_imports(tmp_path: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    out = tmp_path / "dlsh.ics"
    assert (
        main(["timeline", "--meeting-date", "2024-01-30", "--format", "ics", "-o", str(out)]) == 0
    )
    raw = out.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == DEFAULT_RULES
    first = events[0]
    assert first["DTSTART"].dt == dt.date(2024, 1, 9)
    assert str(first["SUMMARY"]) == "［四（一）］按时召开动员部署党组会议"
    assert len({str(e["UID"]) for e in events}) == DEFAULT_RULES
    # the same input, the same bytes (DTSTAMP is the meeting date, not the clock)
    again = tmp_path / "again.ics"
    assert (
        main(["timeline", "--meeting-date", "2024-01-30", "--format", "ics", "-o", str(again)]) == 0
    )
    assert again.read_bytes() == raw


def test_timeline_needs_a_record_or_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline"]) == 2
    assert "--meeting-date" in capsys.readouterr().err


def test_the_workbook_reference_is_current() -> None:
    from dlsh_rules.record.validate import record_plan
    from dlsh_rules.record.workbook import reference_table

    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    table = text.split("<!-- workbook-columns:begin -->\n", 1)[1].split("<!-- workbook-", 1)[0]
    assert table == reference_table(record_plan())


def test_the_timeline_formats_are_the_ones_the_parser_offers() -> None:
    from dlsh_rules.authoring.timeline import FORMATS
    from dlsh_rules.cli import timeline

    assert timeline.FORMATS == FORMATS
