"""The output formats (junit, sarif, github, markdown, html), each checked with the tool that
consumes it: a JUnit parser, the official SARIF schema, the workflow-command grammar, a
Markdown table parser, and an HTML parser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

import dlsh_rules
from dlsh_rules.errors import InputError
from dlsh_rules.evaluate.results import Report
from dlsh_rules.pack.loader import PHASES, Pack
from dlsh_rules.record.validate import RecordData, load_record
from dlsh_rules.render import (
    FORMATS,
    BatchEntry,
    RenderContext,
    batch_renderer,
    github,
    html,
    junit,
    markdown,
    renderer,
    sarif,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
NEW_FORMATS = ("junit", "sarif", "github", "markdown", "html")
EVIL = "<script>alert(1)</script>"


# --- inputs -------------------------------------------------------------------------------------


def _failing_data() -> dict[str, Any]:
    """The example with the kinds of failure each view must show."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    # p2~p3 never talk (t5 removed): a missing member pair
    data["talks"] = [t for t in data["talks"] if t["id"] not in ("t5", "t6")]
    # p2~p4 never talk either (t6 removed), but a waiver in the record covers it
    # p1~p4 talk by phone only: does not count, and prep.talks.form (waived for t3) lists it
    next(t for t in data["talks"] if t["id"] == "t3")["mode"] = "phone"
    crit = data["meeting"]["criticisms"]
    # c6 (p3 -> p2) is only a hope, over two lines; c13 (p1 -> p4) is gone
    next(c for c in crit if c["id"] == "c6")["text"] = "希望张建国同志\n今后多学习，|加强|沟通"
    data["meeting"]["criticisms"] = [c for c in crit if c["id"] != "c13"]
    for item in data["rectification"]["items"]:
        item["sources"] = [s for s in item["sources"] if s.get("ref") != "c13"]
    # p5 is absent with approved leave: a warning, and exempt from mutual criticism
    data["meeting"]["attendees"].remove("p5")
    data["meeting"]["absences"] = [{"person": "p5", "reason": "出差", "leave_approved": True}]
    # untrusted text in a name that every view shows
    next(p for p in data["people"] if p["id"] == "p3")["name"] = EVIL
    data["waivers"] = [
        {
            "rule": "prep.talks.member_pairs",
            "subject": "p2~p4",
            "reason": "张建国同志住院 | 无法谈话",
            "approved_by": "o2",
            "date": dt.date(2024, 1, 18),
        },
        {
            "rule": "prep.talks.form",
            "subject": "t3",
            "reason": "陈志强同志在外地，经批准电话谈话",
            "approved_by": "o1",
            "date": dt.date(2024, 1, 11),
        },
        # matches no finding: every view lists it as a waiver that did not apply
        {"rule": "meeting.chair", "reason": "不再需要", "approved_by": "o1"},
    ]
    # the filing is late: many findings for one rule (views must summarise)
    next(s for s in data["submissions"] if s["purpose"] == "filing")["date"] = dt.date(2024, 2, 20)
    return data


@pytest.fixture(scope="module")
def pack() -> Pack:
    return dlsh_rules.load_pack("provincial-bureau-2024")


@pytest.fixture(scope="module")
def failing_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("records") / "failing.yaml"
    path.write_text(yaml.safe_dump(_failing_data(), allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def broken_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("records") / "broken.yaml"
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["meeting"]["date"] = "2024-13-01"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example_record(pack: Pack) -> RecordData:
    return load_record(EXAMPLE, pack.enums)


@pytest.fixture(scope="module")
def failing_record(pack: Pack, failing_path: Path) -> RecordData:
    return load_record(failing_path, pack.enums)


def _ctx(record: RecordData, pack: Pack, lang: str = "zh", **kw: Any) -> RenderContext:
    return RenderContext(dlsh_rules.check(record, pack, **kw), lang, False, record, pack)


@pytest.fixture(scope="module")
def example(example_record: RecordData, pack: Pack) -> RenderContext:
    return _ctx(example_record, pack)


@pytest.fixture(scope="module")
def failing(failing_record: RecordData, pack: Pack) -> RenderContext:
    return _ctx(failing_record, pack)


@pytest.fixture(scope="module")
def failing_en(failing_record: RecordData, pack: Pack) -> RenderContext:
    return _ctx(failing_record, pack, "en")


@pytest.fixture(scope="module")
def pending(failing_record: RecordData, pack: Pack) -> RenderContext:
    """As of 1 February the late filing is not yet due: pending."""
    return _ctx(failing_record, pack, as_of=dt.date(2024, 2, 1))


@pytest.fixture(scope="module")
def with_error(failing: RenderContext) -> RenderContext:
    """A report where one rule could not be evaluated (the engine's error status)."""
    results = tuple(
        dataclasses.replace(r, status="error", error="boom: <b>", findings=(), level=None)
        if r.rule == "prep.study.materials"
        else r
        for r in failing.report.results
    )
    return dataclasses.replace(failing, report=dataclasses.replace(failing.report, results=results))


@pytest.fixture(scope="module")
def batch(
    example: RenderContext, failing: RenderContext, broken_path: Path, pack: Pack
) -> list[BatchEntry]:
    with pytest.raises(InputError) as caught:
        load_record(broken_path, pack.enums)
    return [
        BatchEntry(example.report.source, example),
        BatchEntry(failing.report.source, failing),
        BatchEntry(str(broken_path), error=caught.value),
    ]


def test_failing_variant_has_what_the_views_must_show(failing: RenderContext) -> None:
    status = {r.rule: r.status for r in failing.report.results}
    assert status["prep.talks.member_pairs"] == "failed"
    assert status["prep.talks.form"] == "waived"
    assert status["meeting.criticism_quality"] == "failed"
    assert status["meeting.mutual_criticism"] == "failed"
    assert status["attendance.members"] == "failed"
    assert status["followup.report"] == "failed"
    assert failing.report.summary.waived_findings == 2
    assert [w.rule for w in failing.report.unused_waivers] == ["meeting.chair"]


def test_registry_has_every_format() -> None:
    for name in NEW_FORMATS:
        assert name in FORMATS
        assert callable(renderer(name))
        assert batch_renderer(name) is not None


# --- determinism ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_same_input_same_bytes(
    name: str, failing: RenderContext, failing_path: Path, pack: Pack, batch: list[BatchEntry]
) -> None:
    again = _ctx(load_record(failing_path, pack.enums), pack)
    assert renderer(name)(failing) == renderer(name)(failing) == renderer(name)(again)
    render_batch = batch_renderer(name)
    assert render_batch is not None
    assert render_batch(batch) == render_batch(list(batch))
    assert "2024-" in renderer(name)(failing)  # dates from the record, never today's
    assert dt.date.today().isoformat() not in renderer(name)(failing)


# --- JUnit ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def junitparser() -> Any:
    return pytest.importorskip("junitparser")


def _expected_counts(report: Report, phase: str) -> tuple[int, int, int, int]:
    results = [r for r in report.results if r.phase == phase]
    failures = sum(r.status == "failed" for r in results)
    errors = sum(r.status == "error" for r in results)
    skipped = sum(r.status in ("waived", "not_applicable", "pending") for r in results)
    return len(results), failures, errors, skipped


@pytest.mark.parametrize("which", ["example", "failing", "pending", "with_error"])
def test_junit_parses_and_counts(
    which: str, request: pytest.FixtureRequest, junitparser: Any
) -> None:
    ctx: RenderContext = request.getfixturevalue(which)
    text = junit.render(ctx)
    xml = junitparser.JUnitXml.fromstring(text)
    suites = list(xml)
    assert [s.name for s in suites] == [f"provincial-bureau-2024 · {p}" for p in PHASES]
    total = [0, 0, 0, 0]
    for suite, phase in zip(suites, PHASES, strict=True):
        want = _expected_counts(ctx.report, phase)
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == want
        cases = list(suite)
        assert len(cases) == want[0]
        kinds = [type(res).__name__ for case in cases for res in case.result]
        assert kinds.count("Failure") == want[1]
        assert kinds.count("Error") == want[2]
        assert kinds.count("Skipped") == want[3]
        total = [t + w for t, w in zip(total, want, strict=True)]
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == tuple(total)


def test_junit_failure_and_skip_details(failing: RenderContext, pending: RenderContext) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(junit.render(failing).encode("utf-8"))
    assert root.tag == "testsuites"
    cases = {c.get("name", "").split(" · ")[0]: c for c in root.iter("testcase")}
    assert len(cases) == 78
    pairs = cases["prep.talks.member_pairs"]
    assert pairs.get("classname") == "prep.talks"
    failure = pairs.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert "p2~p3" in (failure.text or "") and "2024-01-20" in (failure.text or "")
    assert EVIL in (failure.text or "")  # XML-escaped on the wire, intact once parsed
    warn = cases["attendance.members"].find("failure")
    assert warn is not None and warn.get("type") == "warning"
    skipped = cases["prep.talks.form"].find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("waived: ")
    assert "经批准电话谈话" in skipped.get("message", "")
    assert cases["meeting.theme"].find("*") is None  # passed: an empty test case
    proot = ET.fromstring(junit.render(pending).encode("utf-8"))
    pcase = next(
        c for c in proot.iter("testcase") if c.get("name", "").startswith("followup.report ")
    )
    pskip = pcase.find("skipped")
    assert pskip is not None and pskip.get("message", "").startswith("pending: ")


def test_junit_error_status(with_error: RenderContext) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(junit.render(with_error).encode("utf-8"))
    case = next(
        c for c in root.iter("testcase") if c.get("name", "").startswith("prep.study.materials ")
    )
    err = case.find("error")
    assert err is not None and err.get("message") == "boom: <b>"


def test_junit_batch(batch: list[BatchEntry], junitparser: Any) -> None:
    xml = junitparser.JUnitXml.fromstring(junit.render_batch(batch))
    names = [s.name for s in xml]
    assert len(names) == 3 * 2 + 1
    assert names[0] == f"{batch[0].source} · provincial-bureau-2024 · prep"
    assert names[3].startswith(batch[1].source)
    broken = list(xml)[-1]
    assert broken.name == f"{batch[2].source} · input"
    assert (broken.tests, broken.errors) == (1, 1)
    (case,) = list(broken)
    (err,) = case.result
    assert type(err).__name__ == "Error" and "2024-13-01" in (err.message or "")
    assert xml.errors == 1 and xml.tests == 78 * 2 + 1


def test_junit_strips_characters_xml_cannot_carry(failing: RenderContext) -> None:
    import xml.etree.ElementTree as ET

    report = dataclasses.replace(failing.report, unit="单位\x01\x0b")
    text = junit.render(dataclasses.replace(failing, report=report))
    ET.fromstring(text.encode("utf-8"))  # still well-formed
    assert "\x01" not in text


# --- SARIF ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema(data: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (data / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    return schema


def _validate_sarif(doc: dict[str, Any], schema: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    # The schema declares draft-04; check with that validator and with Draft 7 as well.
    for cls in {jsonschema.validators.validator_for(schema), jsonschema.Draft7Validator}:
        errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize("which", ["example", "failing", "failing_en", "pending", "with_error"])
def test_sarif_is_valid(
    which: str, request: pytest.FixtureRequest, sarif_schema: dict[str, Any]
) -> None:
    ctx: RenderContext = request.getfixturevalue(which)
    doc = json.loads(sarif.render(ctx))
    _validate_sarif(doc, sarif_schema)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.rule for r in ctx.report.results]
    expected = sum(
        len(r.findings) for r in ctx.report.results if r.status in ("failed", "pending", "waived")
    )
    assert len(run["results"]) == expected
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_content(failing: RenderContext, sarif_schema: dict[str, Any]) -> None:
    run = json.loads(sarif.render(failing))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    pairs = rules["prep.talks.member_pairs"]
    assert pairs["name"] == "PrepTalksMemberPairs"
    assert pairs["shortDescription"]["text"] == "党组成员相互之间必谈"
    assert pairs["fullDescription"]["text"] == "党组成员相互之间必谈"  # the plan's own words
    assert "四（四）" in pairs["help"]["text"]
    assert pairs["properties"] == {
        "clause": "四（四）",
        "phase": "prep",
        "severity": "error",
        "tags": ["dlsh", "prep"],
    }
    assert rules["meeting.criticism_quality"]["defaultConfiguration"]["level"] == "warning"
    by_subject = {(r["ruleId"], r["properties"]["subject"]): r for r in run["results"]}
    missing = by_subject[("prep.talks.member_pairs", "p2~p3")]
    assert missing["level"] == "error" and "suppressions" not in missing
    loc = missing["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("failing.yaml")
    finding = next(
        f
        for r in failing.report.results
        if r.rule == "prep.talks.member_pairs"
        for f in r.findings
        if f.subject == "p2~p3"
    )
    assert loc["physicalLocation"]["region"]["startLine"] == finding.line
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "/talks"
    waived = by_subject[("prep.talks.member_pairs", "p2~p4")]
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "张建国同志住院 | 无法谈话",
            "properties": {
                "approved_by": "o2",
                "date": "2024-01-18",
                "expires": None,
                "origin": "record",
            },
        }
    ]
    assert by_subject[("attendance.members", "p5")]["level"] == "warning"
    prints = [r["partialFingerprints"][sarif.FINGERPRINT] for r in run["results"]]
    assert len(set(prints)) == len(prints)  # one alert per finding


def test_sarif_fingerprint_ignores_lines() -> None:
    a = sarif.fingerprint("prep.talks.member_pairs", "r.yaml", "p2~p3", "/talks")
    assert a == sarif.fingerprint("prep.talks.member_pairs", "r.yaml", "p2~p3", "/talks/9")
    assert a != sarif.fingerprint("prep.talks.member_pairs", "r.yaml", "p2~p4", "/talks")
    assert sarif.rule_name("followup.briefing.attendees") == "FollowupBriefingAttendees"
    assert sarif.artifact_uri("docs/记录 1.yaml") == "docs/%E8%AE%B0%E5%BD%95%201.yaml"


def test_sarif_pending_and_error(
    pending: RenderContext, with_error: RenderContext, sarif_schema: dict[str, Any]
) -> None:
    run = json.loads(sarif.render(pending))["runs"][0]
    late = [r for r in run["results"] if r["ruleId"] == "followup.report"]
    assert late and all(r["kind"] == "open" and r["level"] == "none" for r in late)
    run = json.loads(sarif.render(with_error))["runs"][0]
    error, unused = run["invocations"][0]["toolExecutionNotifications"]
    assert error["level"] == "error" and error["associatedRule"]["id"] == "prep.study.materials"
    assert unused["level"] == "note" and unused["message"]["text"].startswith("meeting.chair")
    assert unused["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "/waivers/2"
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_batch(batch: list[BatchEntry], sarif_schema: dict[str, Any]) -> None:
    doc = json.loads(sarif.render_batch(batch))
    _validate_sarif(doc, sarif_schema)
    run = doc["runs"][0]
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert len(uris) == 3 and uris[2].endswith("broken.yaml")
    notes = [
        n
        for n in run["invocations"][0]["toolExecutionNotifications"]
        if n.get("properties", {}).get("record") == batch[2].source
    ]
    assert notes and all(n["level"] == "error" for n in notes)
    date_problem = next(n for n in notes if "2024-13-01" in n["message"]["text"])
    region = date_problem["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] > 1
    assert run["invocations"][0]["executionSuccessful"] is False
    assert [r.get("error", False) for r in run["properties"]["records"]] == [False, False, True]
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["index"] for r in run["results"]
    } == {1}


# --- GitHub workflow commands ----------------------------------------------------------------

# ::kind key=value,key=value::message — no raw CR/LF anywhere, no ':' or ',' inside a value.
COMMAND = re.compile(
    r"^::(?P<kind>error|warning|notice)"
    r"(?: (?P<props>[a-z]+=[^,:\r\n]*(?:,[a-z]+=[^,:\r\n]*)*))?"
    r"::(?P<message>[^\r\n]*)$"
)


def _commands(text: str) -> list[dict[str, Any]]:
    assert text.endswith("\n")
    out = []
    for line in text.splitlines():
        m = COMMAND.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m["props"].split(",")) if m["props"] else {}
        out.append({"kind": m["kind"], "props": props, "message": m["message"]})
    return out


def _unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def test_github_escaping() -> None:
    assert github.escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = github.command("error", "x\ny", file="d:/a,b.yaml", line=3, col=4, title="r.x")
    assert line == "::error file=d%3A/a%2Cb.yaml,line=3,col=4,title=r.x::x%0Ay"


def test_github_compliant_is_one_notice(example: RenderContext) -> None:
    (cmd,) = _commands(github.render(example))
    assert cmd["kind"] == "notice" and "合规" in cmd["message"]


def test_github_failing(failing: RenderContext) -> None:
    cmds = _commands(github.render(failing))
    open_findings = [
        (r, f)
        for r in failing.report.results
        if r.status in ("failed", "pending")
        for f in r.findings
        if not f.waived
    ]
    # + the unused waiver and the summary notice
    assert len(cmds) == len(open_findings) + 2
    waiver = cmds[-2]
    assert waiver["kind"] == "notice" and waiver["message"].startswith("meeting.chair")
    assert int(waiver["props"]["line"]) > 1  # at the waiver in the record
    for cmd, (r, f) in zip(cmds[:-2], open_findings, strict=True):
        assert cmd["kind"] == {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
        assert _unescape(cmd["props"]["file"]) == failing.report.source
        assert cmd["props"]["line"] == str(f.line or 1)
        assert cmd["props"]["title"] == r.rule
        assert _unescape(cmd["message"]).startswith(f.message.get("zh"))
    # the criticism text had a line break: escaped, and the command stays on one line
    quality = next(c for c in cmds if c["props"].get("title") == "meeting.criticism_quality")
    assert "%0A" in quality["message"]
    assert not any(
        "p2~p4" in c["message"] or "张建国（p2）与陈志强（p4）" in c["message"] for c in cmds
    )
    assert cmds[-1]["kind"] == "notice" and "不合规" in cmds[-1]["message"]


def test_github_pending_is_notice(pending: RenderContext) -> None:
    cmds = _commands(github.render(pending))
    late = [c for c in cmds if c["props"].get("title") == "followup.report"]
    assert late and all(c["kind"] == "notice" for c in late)


def test_github_batch(batch: list[BatchEntry]) -> None:
    cmds = _commands(github.render_batch(batch))
    summaries = [c for c in cmds if c["props"].get("title") == "dlsh_rules"]
    assert len(summaries) == 2
    broken = [c for c in cmds if _unescape(c["props"].get("file", "")) == batch[2].source]
    assert broken and all(c["kind"] == "error" for c in broken)
    assert any(c["props"]["line"] != "1" for c in broken)
    assert any("2024-13-01" in _unescape(c["message"]) for c in broken)


# --- Markdown -------------------------------------------------------------------------------


def _split_row(line: str) -> list[str]:
    """GFM table row cells: split on pipes not escaped with a backslash."""
    assert line.startswith("| ") and line.endswith(" |"), line
    cells = re.split(r"(?<!\\)\|", line[1:-1])
    return [c.strip() for c in cells]


def _tables(text: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(_split_row(line))
        elif current:
            tables.append(current)
            current = []
    for table in tables:
        width = len(table[0])
        assert all(len(row) == width for row in table), table
        assert all(re.fullmatch(r"-{3,}:?", c) for c in table[1]), table[1]
    return tables


def test_markdown_compliant(example: RenderContext) -> None:
    text = markdown.render(example)
    assert text.startswith(
        "## ✅ 省移民局 · 民主生活会 2024-01-30 · 规则包 provincial-bureau-2024 v1"
    )
    tables = _tables(text)
    assert len(tables) == 1 + len(PHASES)
    assert tables[0][2] == ["78", "78", "0", "0", "0", "0", "0", "0"]
    assert sum(len(t) - 2 for t in tables[1:]) == 78


def test_markdown_failing(failing: RenderContext) -> None:
    text = markdown.render(failing)
    assert text.startswith("## ❌ ")
    tables = _tables(text)
    order = list(markdown.STATUS)
    for table in tables[1:]:
        statuses = [row[0] for row in table[2:]]
        ranks = [
            next(i for i, s in enumerate(order) if markdown.STATUS[s][1] in cell)
            for cell in statuses
        ]
        assert ranks == sorted(ranks), statuses  # failures first
    prep = tables[1]
    pairs = next(row for row in prep if row[1] == "`prep.talks.member_pairs`")
    assert "张建国（p2）与刘秀芳" not in pairs[4]  # p3's name is the evil one, escaped
    assert "\\<script\\>alert\\(1\\)\\</script\\>（p3）" in pairs[4]
    assert "张建国同志住院 \\| 无法谈话" in pairs[4]  # the waiver reason's pipe is escaped
    assert "省委组织部（o2）" in pairs[4]  # approver by name
    report_row = next(row for t in tables for row in t if row[1] == "`followup.report`")
    # One late filing is one finding (evaluate/grouping.py), so nothing is cut here…
    assert report_row[4].startswith(
        "局党组的情况报告等14份材料报送省纪委、省委组织部、省直机关工委"
    )
    assert "……另有" not in report_row[4]
    # …but a cell still lists at most MAX_FINDINGS and counts the rest.
    many = dataclasses.replace(
        failing.report,
        results=tuple(
            dataclasses.replace(r, findings=r.findings[0].items)
            if r.rule == "followup.report"
            else r
            for r in failing.report.results
        ),
    )
    cut = _tables(markdown.render(dataclasses.replace(failing, report=many)))
    cut_row = next(row for t in cut for row in t if row[1] == "`followup.report`")
    assert f"……另有 {42 - markdown.MAX_FINDINGS} 项" in cut_row[4]
    assert EVIL not in text
    assert "### 未生效的豁免\n\n- `meeting.chair`" in text


def test_markdown_with_a_real_parser(failing_en: RenderContext, batch: list[BatchEntry]) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    for text in (markdown.render(failing_en), markdown.render_batch(batch)):
        tokens = md.parse(text)
        tables: list[set[int]] = []
        cells = 0
        for tok in tokens:
            if tok.type == "table_open":
                tables.append(set())
            elif tok.type == "tr_open":
                cells = 0
            elif tok.type in ("th_open", "td_open"):
                cells += 1
            elif tok.type == "tr_close":
                tables[-1].add(cells)
            elif tok.type == "html_block":
                assert "script" not in tok.content, tok.content  # only our <details>
            for child in tok.children or []:
                if child.type == "html_inline":
                    assert child.content == "<br>", child.content
                assert child.type != "link_open"
        # every row of a table has the header's width: no '|' from the record split a cell
        assert tables and all(len(widths) == 1 for widths in tables), tables
        html_out = md.render(text)
        assert "<script>" not in html_out
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_out


def test_markdown_batch(batch: list[BatchEntry]) -> None:
    text = markdown.render_batch(batch)
    tables = _tables(text)
    summary = tables[0]
    assert len(summary) == 2 + 3
    assert summary[2][3].startswith("✅") and summary[3][3].startswith("❌")
    assert "⚠️" in summary[4][3]
    assert text.count("<details><summary>") == 3 and text.count("</details>") == 3
    assert "2024-13-01" in text


# --- HTML -------------------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}


class _Page(HTMLParser):
    """Checks nesting and collects what the tests look at: ids, resources, matrix cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: list[str] = []
        self.matrices: dict[str, list[tuple[str, list[str]]]] = {}
        self._matrix: str | None = None
        self._row: tuple[list[str], list[str]] | None = None
        self._in_th = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        if tag not in VOID:
            self.stack.append(tag)
        classes = a.get("class", "").split()
        if tag == "table" and "matrix" in classes:
            self._matrix = classes[1]
            self.matrices[self._matrix] = []
        if self._matrix and tag == "tr" and self.stack.count("tbody"):
            self._row = ([], [])
        if self._row is not None:
            if tag == "th":
                self._in_th = True
            elif tag == "td":
                self._row[1].append(a.get("class", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "th":
            self._in_th = False
        if tag == "tr" and self._row is not None and self._matrix:
            self.matrices[self._matrix].append(("".join(self._row[0]), self._row[1]))
            self._row = None
        if tag == "table":
            self._matrix = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._row is not None and self._in_th and not self._row[0]:
            self._row[0].append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    assert not page.errors, page.errors[:5]
    assert page.stack == [], page.stack
    return page


def _self_contained(text: str, page: _Page) -> None:
    assert not re.search(r"https?:|//[a-z]", text, re.I)  # no URL of any kind
    assert not any(tag == "script" for tag, _ in page.tags)
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "poster", "data"):
            assert not attrs.get(name, "#").strip() or attrs.get(name, "#").startswith("#"), (
                tag,
                attrs,
            )
    assert "@import" not in text and "url(" not in text and "@font-face" not in text


def test_html_compliant(example: RenderContext) -> None:
    text = html.render(example)
    assert text.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    page = _parse(text)
    _self_contained(text, page)
    assert len(page.ids) == len(set(page.ids))
    cells = [c for rows in page.matrices.values() for _, row in rows for c in row]
    assert cells and not any(c in ("missing", "flag", "waived") for c in cells)
    assert "@media print" in text
    body = "".join(page.text)
    for needed in (
        "省移民局",
        "局党组",
        "2024-01-30",
        "李新连",
        "合规",
        "谈心谈话矩阵",
        "相互批评矩阵",
    ):
        assert needed in body


def _grid(page: _Page, name: str) -> dict[str, list[str]]:
    return {head.strip(): cells for head, cells in page.matrices[name]}


def test_html_failing(failing: RenderContext) -> None:
    text = html.render(failing)
    page = _parse(text)
    _self_contained(text, page)
    assert EVIL not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert len(page.ids) == len(set(page.ids))
    # talk grid: rows p1..p5; columns p1..p5 then the heads h1..h8
    talks = _grid(page, "talks")
    names = ["李新连", "张建国", EVIL, "陈志强", "赵文斌"]
    assert list(talks) == names
    members = {n: i for i, n in enumerate(names)}

    def talk(a: str, b: str) -> str:
        return talks[a][members[b]]

    assert talk("李新连", "李新连") == "self"
    assert talk("张建国", EVIL) == talk(EVIL, "张建国") == "missing"  # t5 removed
    assert talk("李新连", "陈志强") == talk("陈志强", "李新连") == "missing"  # by phone only
    assert talk("张建国", "陈志强") == "waived"  # the record's waiver
    assert talk("李新连", "张建国") == "ok"
    missing = sum(c == "missing" for _, row in page.matrices["talks"] for c in row)
    assert missing == 4
    assert talks["李新连"][5] == "ok" and talks["李新连"][6] == "na"  # h1 is p1's; h2 is not
    # criticism grid: c13 (p1 -> p4) missing; c6 (p3 -> p2) only a hope; p5 exempt
    crit = _grid(page, "criticisms")
    crit_names = [n for n in crit]
    assert [n.replace("请假", "") for n in crit_names][:4] == names[:4]
    rows = list(crit.values())
    assert rows[0][3] == "missing"
    assert rows[2][1] == "flag"
    assert rows[0][0] == "self"
    assert sum(c == "missing" for row in rows for c in row) == 1
    body = "".join(page.text)
    assert "缺少的必谈（2）" in body and "缺少的批评（1）" in body
    assert "张建国同志住院 | 无法谈话" in body and "省委组织部" in body
    # timeline: the talks' deadline, failed; the late filing; findings with their clauses
    assert "D-10" in body and "D+15" in body and "D+21" in body
    for rule in ("prep.talks.member_pairs", "meeting.mutual_criticism", "followup.report"):
        assert rule in body
    assert "四（四）" in body and "六（二）" in body
    assert "未生效的豁免" in body and "meeting.chair" in body


def test_html_english_and_error(failing_en: RenderContext, with_error: RenderContext) -> None:
    text = html.render(failing_en)
    assert '<html lang="en">' in text
    page = _parse(text)
    assert "Talk matrix" in "".join(page.text)
    text = html.render(with_error)
    _parse(text)
    assert "boom: &lt;b&gt;" in text


def test_html_without_record(failing: RenderContext) -> None:
    """A view of the report alone still works: no grids, deadlines from the findings."""
    ctx = RenderContext(failing.report, "zh", False, None, None)
    text = html.render(ctx)
    page = _parse(text)
    assert not page.matrices
    assert "2024-01-20" in "".join(page.text)


def test_html_matrices_without_pack(failing: RenderContext) -> None:
    """Without a pack the grids use the record format's defaults and agree on this record."""
    ctx = dataclasses.replace(failing, pack=None)
    page = _parse(html.render(ctx))
    with_pack = _parse(html.render(failing))
    assert page.matrices == with_pack.matrices


def test_html_batch(batch: list[BatchEntry]) -> None:
    text = html.render_batch(batch)
    page = _parse(text)
    _self_contained(text, page)
    assert len(page.ids) == len(set(page.ids))
    assert {"index", "r1-record", "r2-record", "r3-record", "r2-talks"} <= set(page.ids)
    links = [a["href"] for tag, a in page.tags if tag == "a" and "href" in a]
    assert all(href[1:] in page.ids for href in links)
    body = "".join(page.text)
    assert "无法检查" in body and "2024-13-01" in body
    assert sum(1 for tag, a in page.tags if tag == "table" and "matrix" in a.get("class", "")) == 4


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_every_format_is_utf8_text(name: str, failing_en: RenderContext) -> None:
    text = renderer(name)(failing_en)
    assert text.endswith("\n")
    text.encode("utf-8")
    assert "\r" not in text


def test_html_escape_helper() -> None:
    check: Callable[[str], str] = html.esc
    assert check('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"


def test_html_batch_reads_records_the_batch_did_not_carry(batch: list[BatchEntry]) -> None:
    """The batch layer hands views reports without records (they were checked in workers)."""
    stripped = [
        BatchEntry(e.source, dataclasses.replace(e.context, record=None)) if e.context else e
        for e in batch
    ]
    assert html.render_batch(stripped) == html.render_batch(batch)


@dataclasses.dataclass(frozen=True)
class _RunEntry(BatchEntry):
    """Like the batch layer's entries: the run's language rides along for refused records."""

    lang: str = "zh"


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_batch_of_refused_records_speaks_the_run_language(
    name: str, batch: list[BatchEntry]
) -> None:
    broken = batch[2]
    render_batch = batch_renderer(name)
    assert render_batch is not None
    text = render_batch([_RunEntry(broken.source, None, broken.error, lang="en")])
    assert "expected a real calendar date" in text
    assert "应为" not in text


def test_html_in_progress(pack: Pack, tmp_path: Path) -> None:
    """Checked before the talks' deadline: a talk not yet held is '…', not '✗'."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["talks"] = [t for t in data["talks"] if t["id"] != "t9"]  # p3~p5
    path = tmp_path / "in-progress.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    record = load_record(path, pack.enums)
    ctx = _ctx(record, pack, as_of=dt.date(2024, 1, 18))
    page = _parse(html.render(ctx))
    talks = _grid(page, "talks")
    assert talks["刘秀芳"][4] == talks["赵文斌"][2] == "pending"
    assert not any(c == "missing" for row in talks.values() for c in row)
    body = "".join(page.text)
    assert "检查日期（此后的截止尚未到期）" in body and "尚未到期的（1）" in body
