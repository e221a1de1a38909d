"""Findings that share a cause are listed as one (evaluate/grouping.py), and messages name the
bodies as the record names them (issue 11, item 4).

The late-filing record is the shipped example with its filing submission (s3: 14 documents to 3
bodies) dated after the deadline D+15: 42 findings before, one per submission now, in every
format; the JSON keeps the 42 as `items`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import tempfile
from html import escape
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import dlsh_rules
from dlsh_rules.evaluate.engine import Waiver
from dlsh_rules.evaluate.results import FindingResult, Report, RuleResult
from dlsh_rules.pack.loader import Pack, load_pack
from dlsh_rules.record.validate import load_record
from dlsh_rules.render import RenderContext, github, html, junit, markdown, sarif, text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
ENTERPRISE = ROOT / "rules" / "enterprise-committee-2024" / "example.yaml"
SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
LATE = dt.date(2024, 2, 26)  # the meeting is on 2024-01-30; filing is due by 2024-02-14
MERGED = (
    "局党组的情况报告等14份材料报送省纪委、省委组织部、省直机关工委，2024-02-26，"
    "晚于截止日 2024-02-14"
)
ONE = "局党组的情况报告报送省纪委的日期 2024-02-26 晚于 2024-02-14"  # a member's own message
COUNTY = {"o1": "县纪委监委", "o2": "县委组织部", "o3": "县直机关工委"}


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("provincial-bureau-2024")


def _example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def _filing(data: dict[str, Any]) -> dict[str, Any]:
    sub: dict[str, Any] = next(s for s in data["submissions"] if s["purpose"] == "filing")
    return sub


def late_filing() -> dict[str, Any]:
    data = _example()
    _filing(data)["date"] = LATE
    return data


def two_late_filings() -> dict[str, Any]:
    """The filing split in two submissions, both late, on different days."""
    data = late_filing()
    s3 = _filing(data)
    s4 = copy.deepcopy(s3)
    s4["id"], s4["date"] = "s4", dt.date(2024, 2, 27)
    s3["documents"], s4["documents"] = s3["documents"][:6], s3["documents"][6:]
    data["submissions"].append(s4)
    return data


def renamed(data: dict[str, Any]) -> dict[str, Any]:
    for org in data["orgs"]:
        org["name"] = COUNTY.get(org["id"], org["name"])
    return data


def _check(pack: Pack, data: dict[str, Any], **kw: Any) -> tuple[Report, RenderContext]:
    """Checked from YAML text, as the command line does, so findings have lines."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "late.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        record = load_record(path, pack.enums)
    report = dlsh_rules.check(record, pack, **kw)
    return report, RenderContext(report, "zh", False, record, pack)


def _rule(report: Report, rule: str = "followup.report") -> RuleResult:
    return next(r for r in report.results if r.rule == rule)


def _lines_of(output: str, needle: str) -> list[str]:
    return [line for line in output.splitlines() if needle in line]


# --- done when: one finding per submission in text, HTML, Markdown and GitHub output ----------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (late_filing, [MERGED]),
        (
            two_late_filings,
            [
                "局党组的情况报告等6份材料报送省纪委、省委组织部、省直机关工委，2024-02-26，"
                "晚于截止日 2024-02-14",
                "刘秀芳（p3）的发言提纲等8份材料报送省纪委、省委组织部、省直机关工委，2024-02-27，"
                "晚于截止日 2024-02-14",
            ],
        ),
    ],
    ids=["one-submission", "two-submissions"],
)
def test_one_finding_per_late_submission_in_every_view(
    pack: Pack, make: Any, expected: list[str]
) -> None:
    report, ctx = _check(pack, make())
    result = _rule(report)
    assert result.status == "failed" and result.level == "error"
    assert [f.message.zh for f in result.findings] == expected
    assert sum(f.count for f in result.findings) == 42  # 14 documents x 3 bodies, judged each
    assert result.message.zh == "检查 14 项，42 项不符合"  # the rule's counts do not change

    outputs = {
        "text": text.render(ctx),
        "html": html.render(ctx),
        "markdown": markdown.render(ctx),
        "github": github.render(ctx),
    }
    for name, out in outputs.items():
        for message in expected:
            # HTML shows a rule's first finding in the timeline too, at the rule's deadline
            assert out.count(message) == 1 or (name == "html" and out.count(message) == 2), name
        late = set(re.findall(r"[^>\s·|:]*?晚于截止日 2024-02-14", out))
        assert len(late) == len(expected), (name, late)  # one finding per submission
        assert ONE not in out, name  # no member is listed on its own
        assert not re.search(r"的日期 2024-02-2[67] 晚于", out), name
    annotations = _lines_of(outputs["github"], "title=followup.report")
    assert len(annotations) == len(expected)
    assert all(re.match(r"::error file=.*late\.yaml,line=\d+,", a) for a in annotations)
    assert len(_lines_of(outputs["text"], "晚于截止日")) == len(expected)


def test_before_grouping_the_record_gave_42_findings(pack: Pack) -> None:
    """The issue's count, kept as the members of the one finding, one per document and body."""
    report, _ = _check(pack, late_filing())
    (finding,) = _rule(report).findings
    assert len(finding.items) == 42
    kinds = ("discipline_commission", "organization_department", "organs_work_committee")
    assert [i.subject for i in finding.items] == [
        f"{doc}>{kind}" for doc in _filing(_example())["documents"] for kind in kinds
    ]
    assert finding.subject == "s3" and finding.path == "/submissions/2"
    assert finding.expected is not None and finding.expected.zh == "不晚于 2024-02-14"
    assert ONE in [i.message.zh for i in finding.items]


def test_json_keeps_the_detail_and_validates(pack: Pack) -> None:
    report, _ = _check(pack, late_filing())
    for lang in ("zh", "en"):
        data = json.loads(report.to_json(lang))
        jsonschema.validate(data, SCHEMA)
        (finding,) = next(r for r in data["results"] if r["rule"] == "followup.report")["findings"]
        assert finding["subject"] == "s3"
        assert len(finding["items"]) == 42
        first = finding["items"][0]
        assert first["subject"] == "sr1>discipline_commission"
        assert first["path"] == "/submissions/2" and first["line"] == finding["line"]
    en = json.loads(report.to_json("en"))
    (finding,) = next(r for r in en["results"] if r["rule"] == "followup.report")["findings"]
    assert finding["message"] == (
        "the party group's situation report and 13 other documents reached 省纪委 (discipline "
        "commission), 省委组织部 (organization department), 省直机关工委 (organs work committee) "
        "on 2024-02-26, after the deadline 2024-02-14"
    )


def test_sarif_and_junit_list_one_per_cause(pack: Pack) -> None:
    _, ctx = _check(pack, late_filing())
    log = json.loads(sarif.render(ctx))
    results = [r for r in log["runs"][0]["results"] if r["ruleId"] == "followup.report"]
    assert len(results) == 1
    assert len(results[0]["properties"]["items"]) == 42
    assert results[0]["properties"]["subject"] == "s3"
    xml = junit.render(ctx)
    assert xml.count(MERGED) == 1 and ONE not in xml


def test_a_single_late_document_keeps_its_own_message(pack: Pack) -> None:
    """A cause with one member is not merged: its finding is exactly as before."""
    data = _example()
    s3 = _filing(data)
    s3["documents"] = s3["documents"][1:]
    late = copy.deepcopy(s3)
    late.update(id="s4", date=LATE, to=["o1"], documents=["sr1"])
    in_time = copy.deepcopy(s3)
    in_time.update(id="s5", to=["o2", "o3"], documents=["sr1"])
    data["submissions"] += [late, in_time]
    report, _ = _check(pack, data)
    findings = _rule(report).findings
    assert [f.message.zh for f in findings] == [ONE]
    assert findings[0].items == () and findings[0].subject == "sr1>discipline_commission"


def test_unsent_documents_are_one_finding_per_body(pack: Pack) -> None:
    data = _example()
    _filing(data)["to"] = ["o1", "o2"]  # nothing reached the organs work committee
    report, _ = _check(pack, data)
    (finding,) = _rule(report).findings
    assert finding.message.zh == "局党组的情况报告等14份材料未报送省直机关工委"
    assert finding.expected is not None and finding.expected.zh == "报送省直机关工委"
    assert len(finding.items) == 14
    assert {i.expected.zh for i in finding.items if i.expected} == {"报送省直机关工委"}
    assert _rule(report).status == "failed"


def test_merged_findings_are_rectangles(pack: Pack) -> None:
    """Documents that reached different bodies late are not named together."""
    data = late_filing()
    s2 = copy.deepcopy(_filing(data))
    s2.update(id="s9", date=dt.date(2024, 2, 10), to=["o3"], documents=["sr1", "mi1"])
    data["submissions"].append(s2)  # sr1 and mi1 reached o3 in time
    report, _ = _check(pack, data)
    assert [(f.message.zh, f.count) for f in _rule(report).findings] == [
        (
            "局党组的情况报告、局党组的会议记录报送省纪委、省委组织部，2024-02-26，"
            "晚于截止日 2024-02-14",
            4,
        ),
        (
            "局党组的对照检查材料等12份材料报送省纪委、省委组织部、省直机关工委，2024-02-26，"
            "晚于截止日 2024-02-14",
            36,
        ),
    ]
    assert sum(f.count for f in _rule(report).findings) == 40


# --- judged one by one: waivers, pending, statuses ---------------------------------------------


def test_a_waiver_of_the_submission_waives_the_whole_cause(pack: Pack) -> None:
    waiver = Waiver("followup.report", "s3", "已说明", None, None, None, "file", "/waivers/0")
    report, _ = _check(pack, late_filing(), waivers=[waiver])
    result = _rule(report)
    assert result.status == "waived"
    (finding,) = result.findings
    assert finding.waived and len(finding.items) == 42
    assert report.summary.waived_findings == 42  # members, as before the grouping
    assert not report.unused_waivers


def test_a_waiver_of_one_member_splits_it_out(pack: Pack) -> None:
    waiver = Waiver(
        "followup.report", "sr1>discipline_commission", "已说明", None, None, None, "file", "/w/0"
    )
    report, _ = _check(pack, late_filing(), waivers=[waiver])
    result = _rule(report)
    assert result.status == "failed"
    waived = [f for f in result.findings if f.waived]
    assert [f.subject for f in waived] == ["sr1>discipline_commission"]
    assert sum(f.count for f in result.findings) == 42
    assert report.summary.waived_findings == 1
    # sr1 still went late to two bodies; the other 13 documents to three: two rectangles.
    assert sorted(f.count for f in result.findings if not f.waived) == [2, 39]


def test_pending_members_merge_as_pending(pack: Pack) -> None:
    data = _example()
    data["submissions"] = [s for s in data["submissions"] if s["purpose"] != "filing"]
    data["submissions"].append(
        {"id": "s3", "date": LATE, "to": ["o1", "o2", "o3"], "purpose": "filing",
         "documents": _filing(_example())["documents"]}
    )  # fmt: skip
    report, _ = _check(pack, data, as_of=dt.date(2024, 2, 1))
    result = _rule(report)
    # 2024-02-26 is a recorded date after as_of: the deadline is still ahead, so pending.
    assert result.status == "pending"
    assert len(result.findings) == 1 and result.findings[0].pending


def test_same_input_same_bytes(pack: Pack) -> None:
    a, _ = _check(pack, two_late_filings())
    b, _ = _check(pack, two_late_filings())
    for lang in ("zh", "en"):
        assert a.to_json(lang).replace(a.source, "") == b.to_json(lang).replace(b.source, "")


# --- names from the record --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_messages_name_the_bodies_as_the_record_does(pack: Pack, lang: str) -> None:
    report, ctx = _check(pack, renamed(late_filing()))
    (finding,) = _rule(report).findings
    message = finding.message.get(lang)
    if lang == "zh":
        assert message == (
            "局党组的情况报告等14份材料报送县纪委监委（省纪委）、县委组织部（省委组织部）、"
            "县直机关工委（省直机关工委），2024-02-26，晚于截止日 2024-02-14"
        )
    else:
        assert message == (
            "the party group's situation report and 13 other documents reached 县纪委监委 "
            "(discipline commission), 县委组织部 (organization department), 县直机关工委 "
            "(organs work committee) on 2024-02-26, after the deadline 2024-02-14"
        )
    for item in finding.items:
        assert any(name in item.message.get(lang) for name in COUNTY.values())
    rendered = html.render(RenderContext(report, lang, False, ctx.record, pack))
    assert "报送省纪委" not in rendered and "reached the provincial" not in rendered
    assert "县纪委监委" in rendered


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_required_body_is_named_as_the_record_names_it(pack: Pack, lang: str) -> None:
    """coverage over org kinds (invitations): the missing body by the record's name."""
    data = renamed(_example())
    data["invitations"] = [i for i in data["invitations"] if i["org"] != "o1"]
    report, _ = _check(pack, data)
    result = next(
        r for r in report.results if any("邀请" in f.message.zh for f in r.findings) and r.findings
    )
    (finding,) = result.findings
    if lang == "zh":
        assert finding.message.zh.startswith("县纪委监委（省纪委）：")
    else:
        assert finding.message.en.startswith("县纪委监委 (")


def test_a_body_named_as_its_label_shows_the_name_once(pack: Pack) -> None:
    data = _example()
    _filing(data)["to"] = ["o1", "o2"]
    report, _ = _check(pack, data)
    (finding,) = _rule(report).findings
    assert "省直机关工委（省直机关工委）" not in finding.message.zh


def test_no_body_of_the_kind_shows_the_label(pack: Pack) -> None:
    data = _example()
    data["orgs"] = [o for o in data["orgs"] if o["id"] != "o3"]
    for p in data["people"]:
        if p.get("org") == "o3":
            p.pop("org")
    for sub in data["submissions"]:
        sub["to"] = [o for o in sub["to"] if o != "o3"]
    data["invitations"] = [i for i in data["invitations"] if i["org"] != "o3"]
    report, _ = _check(pack, data)
    (finding,) = _rule(report).findings
    assert finding.message.zh == "局党组的情况报告等14份材料未报送省直机关工委"


def test_enterprise_example_names_the_higher_committee() -> None:
    """The enterprise pack's kind 上级党委 is, in its example, 省国资委党委."""
    pack = load_pack("enterprise-committee-2024")
    data: dict[str, Any] = yaml.safe_load(ENTERPRISE.read_text(encoding="utf-8"))
    for sub in data.get("submissions", []):
        sub["date"] = dt.date(2024, 3, 30)
    report, _ = _check(pack, data)
    (finding,) = _rule(report).findings
    assert finding.message.zh == (
        "集团公司党委的情况报告、集团公司党委的会议记录报送省国资委党委（上级党委），2024-03-30，"
        "晚于截止日 2024-02-02"
    )


def test_finding_result_count() -> None:
    one = FindingResult("a", dlsh_rules.errors.Text("甲", "a"), None, None, "error")
    assert one.count == 1


def test_an_authors_message_names_the_members(tmp_path: Path) -> None:
    """A check with its own `message`: the merged finding fills {subject} with the members."""
    root = tmp_path / "pack"
    shutil.copytree(
        ROOT / "rules" / "provincial-bureau-2024", root, ignore=shutil.ignore_patterns("cases")
    )
    rules = root / "followup.yaml"
    lines = rules.read_text(encoding="utf-8").splitlines(keepends=True)
    at = [i for i, line in enumerate(lines) if line.strip() == "report: both"][1]
    lines.insert(
        at + 1,
        "        message: {zh: '逾期备案：{subject}（{found}）', en: 'filed late: {subject} ({found})'}\n",
    )
    rules.write_text("".join(lines), encoding="utf-8")
    pack = load_pack(str(root))
    report, _ = _check(pack, late_filing())
    (finding,) = _rule(report).findings
    assert finding.message.zh == "逾期备案：局党组的情况报告等14份材料（2024-02-26）"
    assert finding.message.en == (
        "filed late: the party group's situation report and 13 other documents (2024-02-26)"
    )
    assert finding.items[0].message.zh == "逾期备案：局党组的情况报告（2024-02-26）"


def test_the_html_appendix_lists_what_a_merged_finding_stands_for(pack: Pack) -> None:
    report, ctx = _check(pack, late_filing())
    out = html.render(ctx)
    appendix = out[out.index('class="appendix"') :]
    finding = _rule(report).findings[0]
    assert len(finding.items) == 42
    for item in finding.items:
        assert f"↳ {escape(item.subject or '')}" in appendix, item.subject
    body = out[: out.index('class="appendix"')]
    assert "↳" not in body
