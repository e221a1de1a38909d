"""Waiver files (`check --waivers FILE`): standing exceptions with an approver, a date and an
optional expiry, applied to every record; expired, unused and misspelt waivers are reported."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from dlsh_rules.authoring.synth import compliant_record
from dlsh_rules.cli.batch import check_many
from dlsh_rules.cli.main import main
from dlsh_rules.errors import InputError
from dlsh_rules.pack.loader import load_pack
from dlsh_rules.record.validate import load_record
from dlsh_rules.report.waivers import check_record, load_waivers

# Removing the first talk (p1 with p2) fails two rules, both for the pair p1~p2.
PAIR_RULES = ("prep.talks.secretary_members", "prep.talks.member_pairs")


def _dump(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture()
def failing(tmp_path: Path) -> Path:
    data = compliant_record(3)
    data["talks"] = data["talks"][1:]
    path = tmp_path / "failing.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture()
def compliant(tmp_path: Path) -> Path:
    path = tmp_path / "compliant.json"
    path.write_text(json.dumps(compliant_record(3), ensure_ascii=False), encoding="utf-8")
    return path


def data_column(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").index(text) + 1


def waiver(rule: str, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "rule": rule,
        "reason": "借调外省，经批准改为视频谈话",
        "approved_by": "省委组织部干部一处",
        "date": "2024-01-10",
    }
    entry.update(extra)
    return entry


def waiver_file(tmp_path: Path, *entries: dict[str, Any], name: str = "waivers.yaml") -> Path:
    return _dump(tmp_path / name, {"format": "dlsh-waivers/1", "waivers": list(entries)})


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_file_waivers_apply_and_show_their_approver(
    failing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = waiver_file(tmp_path, *(waiver(rule, subject="p2~p1") for rule in PAIR_RULES))
    assert main(["check", str(failing)]) == 1
    capsys.readouterr()
    assert main(["check", str(failing), "--waivers", str(w)]) == 0  # all failures are waived
    text = capsys.readouterr().out
    assert "［已豁免：借调外省，经批准改为视频谈话；批准：省委组织部干部一处］" in text
    assert "已豁免 2" in text and "未生效的豁免" not in text

    code, report = _json(capsys, "check", str(failing), "--waivers", str(w))
    assert code == 0 and report["summary"]["waived_findings"] == 2
    assert report["summary"]["waived"] == 2 and report["summary"]["compliant"] is True
    finding = next(r for r in report["results"] if r["rule"] == PAIR_RULES[0])["findings"][0]
    assert finding["waived"] is True
    assert finding["waiver"] == {
        "reason": "借调外省，经批准改为视频谈话",
        "approved_by": "省委组织部干部一处",
        "date": "2024-01-10",
        "expires": None,
        "origin": str(w),
    }
    assert "unused_waivers" not in report

    main(["check", str(failing), "--waivers", str(w), "--lang", "en"])
    assert "[waived: 借调外省，经批准改为视频谈话; approved by 省委组织部干部一处]" in (
        capsys.readouterr().out
    )


def test_expired_waiver_no_longer_waives_and_says_so(
    failing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = waiver_file(tmp_path, waiver(PAIR_RULES[0], expires="2024-06-30"))
    # judged at --today when there is no --as-of (else at the record's latest date)
    code, report = _json(
        capsys, "check", str(failing), "--waivers", str(w), "--today", "2024-07-01"
    )
    assert code == 1 and report["summary"]["waived_findings"] == 0
    assert report["unused_waivers"] == [
        {
            "rule": PAIR_RULES[0],
            "subject": None,
            "origin": str(w),
            "path": "/waivers/0",
            "message": "豁免已于 2024-06-30 过期，不再生效",
            "line": 3,
            "column": 3,
        }
    ]
    code, report = _json(
        capsys, "check", str(failing), "--waivers", str(w), "--today", "2024-06-30"
    )
    assert report["summary"]["waived_findings"] == 1  # the expiry day itself still waives
    # --as-of wins over --today: the record is judged as of that day, waivers too
    code, report = _json(
        capsys,
        *("check", str(failing), "--waivers", str(w)),
        *("--today", "2030-01-01", "--as-of", "2024-03-01"),
    )
    assert report["summary"]["waived_findings"] == 1
    main(["check", str(failing), "--waivers", str(w), "--today", "2024-07-01", "--lang", "en"])
    out = capsys.readouterr().out
    assert "Waivers that did not apply" in out and "expired on 2024-06-30" in out


# The failing record's latest fact is 2024-03-15 (/institutions/1/date): its reference date.
REFERENCE_DATE = dt.date(2024, 3, 15)


def test_without_a_date_waivers_are_judged_at_the_records_latest_fact(
    failing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file waiver that expired long before today, but after the record's last fact: the
    # archived record keeps its report (issue 11, item 8) — and the clock is not read.
    w = waiver_file(tmp_path, waiver(PAIR_RULES[0], expires="2024-03-15"))
    assert dt.date.today() > dt.date(2024, 3, 15)
    _, report = _json(capsys, "check", str(failing), "--waivers", str(w))
    assert report["summary"]["waived_findings"] == 1 and "unused_waivers" not in report
    # a day before the record's latest fact: expired, at the record's date
    w = waiver_file(tmp_path, waiver(PAIR_RULES[0], expires="2024-03-14"))
    _, report = _json(capsys, "check", str(failing), "--waivers", str(w))
    assert report["summary"]["waived_findings"] == 0
    assert report["unused_waivers"][0]["message"] == "豁免已于 2024-03-14 过期，不再生效"


def test_record_and_file_waivers_age_alike(
    failing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same waiver, written in the record or in a file, is judged at the same day."""
    data = json.loads(failing.read_text(encoding="utf-8"))
    entry = waiver(PAIR_RULES[0], approved_by="p1", expires="2024-03-14")
    data["waivers"] = [entry]
    in_record = tmp_path / "in-record.json"
    in_record.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    in_file = waiver_file(tmp_path, {**entry, "approved_by": "省委组织部干部一处"})
    for extra in ([], ["--as-of", "2024-03-01"], ["--today", "2024-03-01"]):
        _, a = _json(capsys, "check", str(in_record), *extra)
        _, b = _json(capsys, "check", str(failing), "--waivers", str(in_file), *extra)
        assert a["summary"]["waived_findings"] == b["summary"]["waived_findings"]
        assert [u["message"] for u in a.get("unused_waivers", [])] == [
            u["message"] for u in b.get("unused_waivers", [])
        ]
    assert a["summary"]["waived_findings"] == 1  # judged at 2024-03-01: still in force
    # and without a date, both expired at the record's reference date
    _, a = _json(capsys, "check", str(in_record))
    assert a["summary"]["waived_findings"] == 0 and "过期" in a["unused_waivers"][0]["message"]


def test_the_library_never_reads_the_clock(failing: Path, tmp_path: Path) -> None:
    pack = load_pack()
    w = load_waivers(waiver_file(tmp_path, waiver(PAIR_RULES[0], expires="2024-06-30")), pack)
    record = load_record(failing, pack.enums)
    report = check_record(record, pack, waivers=w)
    assert report.summary.waived_findings == 1 and report.judged_at == REFERENCE_DATE
    late = check_record(record, pack, waivers=w, today=dt.date(2025, 1, 1))
    assert late.summary.waived_findings == 0 and len(late.unused_waivers) == 1


def test_unused_waivers_point_at_file_line(
    failing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = tmp_path / "w.yaml"
    w.write_text(
        "format: dlsh-waivers/1\n"
        "# a comment, so that line numbers are not list indexes\n"
        "waivers:\n"
        "  - rule: meeting.theme\n"
        "    reason: 主题经批准调整\n"
        "    approved_by: 省委组织部\n"
        "    date: 2024-01-10\n",
        encoding="utf-8",
    )
    assert main(["check", str(failing), "--waivers", str(w)]) == 1
    assert (
        f"~ meeting.theme ({w}:4:5 /waivers/0): 豁免未匹配任何发现项，可删除"
        in capsys.readouterr().out
    )
    _, report = _json(capsys, "check", str(failing), "--waivers", str(w))
    assert (report["unused_waivers"][0]["line"], report["unused_waivers"][0]["column"]) == (4, 5)
    main(["check", str(failing), "--waivers", str(w), "--format", "github"])
    assert f"::notice file={w},line=4,col=5," in capsys.readouterr().out
    main(["check", str(failing), "--waivers", str(w), "--format", "markdown"])
    assert "w.yaml:4:5 /waivers/0" in capsys.readouterr().out
    main(["check", str(failing), "--waivers", str(w), "--format", "html"])
    assert "w.yaml:4:5 /waivers/0" in capsys.readouterr().out


def test_unused_waiver_is_reported_in_every_format(
    failing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = waiver_file(tmp_path, waiver("meeting.theme"), waiver(PAIR_RULES[0], subject="p2~p3"))
    code, report = _json(capsys, "check", str(failing), "--waivers", str(w))
    assert code == 1
    assert [(u["rule"], u["subject"], u["path"]) for u in report["unused_waivers"]] == [
        ("meeting.theme", None, "/waivers/0"),
        (PAIR_RULES[0], "p2~p3", "/waivers/1"),
    ]
    assert report["unused_waivers"][0]["message"] == "豁免未匹配任何发现项，可删除"
    main(["check", str(failing), "--waivers", str(w)])
    text = capsys.readouterr().out
    assert "未生效的豁免" in text
    assert f"~ {PAIR_RULES[0]} p2~p3 ({w}:7:3 /waivers/1): 豁免未匹配任何发现项，可删除" in text


def test_unknown_rule_in_a_waiver_file_is_an_input_error(
    failing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = waiver_file(tmp_path, waiver("meeting.theme"), waiver("prep.talk.member_pairs"))
    assert main(["check", str(failing), "--waivers", str(w)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    # line 7 of the dumped file: format, waivers, the first entry's 4 lines, then this rule
    assert f"{w}:7:" in captured.err and "/waivers/1/rule" in captured.err
    assert "'prep.talk.member_pairs'" in captured.err and "Traceback" not in captured.err
    assert main(["check", str(failing), "--waivers", str(w), "--lang", "en"]) == 2
    assert "expected a rule id of pack provincial-bureau-2024" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        (
            {"format": "dlsh-waivers/1", "waivers": [{"rule": "meeting.theme"}]},
            "/waivers/0/reason",
            "必填字段",
        ),
        (
            {"format": "dlsh-waivers/1", "waivers": [waiver("meeting.theme", approved_by="")]},
            "/waivers/0/approved_by",
            "非空字符串",
        ),
        (
            {"format": "dlsh-waivers/1", "waivers": [waiver("meeting.theme", date="2024-02-30")]},
            "/waivers/0/date",
            "真实存在的日期",
        ),
        (
            {
                "format": "dlsh-waivers/1",
                "waivers": [waiver("meeting.theme", expires="2023-12-31")],
            },
            "/waivers/0/expires",
            "不早于批准日期",
        ),
        (
            {"format": "dlsh-waivers/1", "waivers": [waiver("meeting.theme", approver="x")]},
            "/waivers/0/approver",
            "可能拼写有误",
        ),
        ({"format": "dlsh-waivers/2", "waivers": []}, "/format", "dlsh-waivers/1"),
        ([waiver("meeting.theme")], "位置 /：", "一个对象"),
    ],
)
def test_invalid_waiver_files_exit_2_with_file_line_column(
    data: Any,
    where: str,
    words: str,
    failing: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    w = _dump(tmp_path / "w.yaml", data)
    assert main(["check", str(failing), "--waivers", str(w)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{w}:") and where in err and words in err


def test_waiver_file_in_json(failing: Path, tmp_path: Path) -> None:
    w = tmp_path / "w.json"
    entries = [waiver(rule) for rule in PAIR_RULES]
    w.write_text(json.dumps({"format": "dlsh-waivers/1", "waivers": entries}), encoding="utf-8")
    assert main(["check", str(failing), "--waivers", str(w)]) == 0
    with pytest.raises(InputError) as info:
        load_waivers(tmp_path / "nope.json", load_pack())
    assert "nope.json" in info.value.render("en")


def test_record_waiver_with_unknown_rule_is_reported_not_refused(
    failing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(failing.read_text(encoding="utf-8"))
    data["waivers"] = [{"rule": "prep.talk.member_pairs", "reason": "typo"}]
    path = failing.with_name("typo.json")
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, report = _json(capsys, "check", str(path), "--select", "prep.talks", "--lang", "en")
    assert code == 1
    assert report["unused_waivers"] == [
        {
            "rule": "prep.talk.member_pairs",
            "subject": None,
            "origin": "record",
            "path": "/waivers/0",
            "message": "pack provincial-bureau-2024 has no rule prep.talk.member_pairs; "
            "the waiver has no effect",
            "line": 1,  # where it is written in the record (this JSON is one line)
            "column": data_column(path, '{"rule": "prep.talk.member_pairs"'),
        }
    ]


def test_batch_reports_a_standing_waiver_unused_only_when_no_record_used_it(
    failing: Path, compliant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = waiver_file(
        tmp_path,
        waiver(PAIR_RULES[0]),  # used by the failing record only
        waiver("meeting.theme"),  # used by none
        waiver(PAIR_RULES[1], expires="2024-06-30"),  # expired
    )
    args = ["check", str(compliant), str(failing), "--waivers", str(w), "--today", "2024-07-01"]
    code, report = _json(capsys, *args)
    assert code == 1  # PAIR_RULES[1] is no longer waived
    assert report["summary"]["waived_findings"] == 1
    assert [u["path"] for u in report["unused_waivers"]] == ["/waivers/1", "/waivers/2"]
    # each record's own report still says what did not apply to it
    assert [u["path"] for u in report["records"][0]["unused_waivers"]] == [
        "/waivers/0",
        "/waivers/1",
        "/waivers/2",
    ]
    main(args)
    text = capsys.readouterr().out
    section = text[text.index("未生效的豁免") :]
    assert "/waivers/1" in section and "/waivers/2" in section and "/waivers/0" not in section
    # the same bytes again, and with workers
    again = tmp_path / "again.json"
    main([*args, "--format", f"json:{again}", "--jobs", "1"])
    first = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    assert again.read_text(encoding="utf-8") == first


def test_check_many_applies_standing_waivers_in_workers(failing: Path, tmp_path: Path) -> None:
    pack = load_pack()
    copies = []
    for i in range(8):
        copies.append(tmp_path / f"copy-{i}.json")
        copies[-1].write_bytes(failing.read_bytes())
    w = load_waivers(waiver_file(tmp_path, *(waiver(rule) for rule in PAIR_RULES)), pack)
    results = check_many([str(p) for p in copies], pack, jobs=2, waivers=w)
    assert [r.report.summary.waived_findings for r in results if r.report] == [2] * 8
    assert all(r.exit_code() == 0 for r in results)


def test_record_and_file_waivers_together(
    failing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(failing.read_text(encoding="utf-8"))
    rec = copy.deepcopy(data)
    rec["waivers"] = [{"rule": PAIR_RULES[0], "reason": "会前已报告", "approved_by": "p1"}]
    path = _dump(tmp_path / "both.yaml", rec)
    w = waiver_file(tmp_path, waiver(PAIR_RULES[0]), waiver(PAIR_RULES[1]))
    code, report = _json(capsys, "check", str(path), "--waivers", str(w))
    assert code == 0
    # the record's own waiver comes first and covers its finding; the file's first is unused
    first = next(r for r in report["results"] if r["rule"] == PAIR_RULES[0])["findings"][0]
    assert first["waiver"]["origin"] == "record"
    assert [(u["origin"], u["path"]) for u in report["unused_waivers"]] == [(str(w), "/waivers/0")]


def _yaml_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]


def test_the_documented_waiver_file_is_valid(tmp_path: Path, failing: Path) -> None:
    docs = Path(__file__).resolve().parent.parent / "docs" / "ci.md"
    block = next(b for b in _yaml_blocks(docs) if b.startswith("# waivers.yaml"))
    path = tmp_path / "waivers.yaml"
    path.write_text(block, encoding="utf-8")
    (w,) = load_waivers(path, load_pack())
    assert (w.rule, w.subject, w.approved_by) == (
        "prep.talks.member_pairs",
        "p2~p3",
        "省委组织部干部一处",
    )
    assert w.expires == dt.date(2024, 12, 31)
