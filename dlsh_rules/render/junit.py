"""JUnit XML: the report as a test run, for CI test reporters.

One <testsuite> per phase of the pack (会前准备, 会议召开, 会后工作), one <testcase> per rule.
Status mapping (docs/formats.md):

    passed          -> <testcase/>
    failed          -> <failure type="{level}">  with every open finding in the body
    error           -> <error type="rule_error">  (the rule could not be evaluated)
    waived          -> <skipped message="waived: ...">
    not_applicable  -> <skipped message="not applicable: ...">
    pending         -> <skipped message="pending: ...">  (not yet due at --as-of)

Waived, not-applicable and pending rules are *skipped*, not passed: a reader of the test report
should see that nothing was verified for them. The output has no timestamps, host names or
durations other than time="0", so the same report always gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..evaluate.results import FindingResult, Organisations, RuleResult
from ..pack.loader import PHASES
from . import BatchEntry, RenderContext, batch_lang, visible

# XML 1.0 cannot carry most C0 controls, even escaped; records are untrusted text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_SKIP_WORD = {
    "waived": ("已豁免", "waived"),
    "not_applicable": ("不适用", "not applicable"),
    "pending": ("待到期", "pending"),
}


def _clean(text: str) -> str:
    # XML could carry DEL, C1 and bidi controls escaped, but its readers (CI pages, terminals)
    # would obey them: shown as escapes, like every other view.
    return _NOT_XML.sub("\ufffd", visible(text, lines=True))


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _finding_text(f: FindingResult, source: str, lang: str) -> str:
    """A finding as a few indented lines: what, about whom, where, by when."""
    lines = [f"- {f.message.get(lang)}"]
    if f.subject is not None:
        lines.append(f"  {_t(lang, '对象', 'subject')}: {f.subject}")
    if f.path is not None:
        where = f.path or "/"
        if f.line is not None:
            where += f" ({source}:{f.line}:{f.column})"
        lines.append(f"  {_t(lang, '位置', 'path')}: {where}")
    if f.due is not None:
        lines.append(f"  {_t(lang, '截止', 'due')}: {f.due.isoformat()}")
    if f.expected is not None:
        lines.append(f"  {_t(lang, '应为', 'expected')}: {f.expected.get(lang)}")
    if f.found is not None:
        lines.append(f"  {_t(lang, '实际', 'found')}: {f.found.get(lang)}")
    if f.severity:
        lines.append(f"  {_t(lang, '级别', 'severity')}: {f.severity}")
    if f.waived and f.waiver is not None:
        who = f.waiver.approved_by or "—"
        lines.append(
            f"  {_t(lang, '已豁免', 'waived')}: {f.waiver.reason} "
            f"({_t(lang, '批准', 'approved by')} {who})"
        )
    if f.pending:
        lines.append(f"  {_t(lang, '尚未到期', 'not yet due')}")
    if f.records is not None:
        counted = ", ".join(f.records) or "—"
        lines.append(f"  {_t(lang, '计入的记录', 'records counted')}: {counted}")
    return "\n".join(lines)


def _testcase(parent: ET.Element, r: RuleResult, source: str, lang: str) -> str:
    """Add the rule's <testcase>; return its outcome: passed, failure, error or skipped."""
    title = r.title.get(lang)
    case = ET.SubElement(
        parent,
        "testcase",
        {
            # The dotted prefix groups rules the way --select does (prep.talks.*).
            "classname": r.rule.rsplit(".", 1)[0] if "." in r.rule else r.phase,
            "name": _clean(f"{r.rule} · {title}"),
            "file": _clean(source),
            "time": "0",
        },
    )
    head = _clean(f"{title} [{r.clause}]: {r.message.get(lang)}")
    if r.status == "failed":
        body = "\n".join(_finding_text(f, source, lang) for f in r.findings)
        node = ET.SubElement(case, "failure", {"message": head, "type": r.level or r.severity})
        node.text = _clean(body)
        return "failure"
    if r.status == "error":
        node = ET.SubElement(
            case, "error", {"message": _clean(r.error or r.message.get(lang)), "type": "rule_error"}
        )
        node.text = head
        return "error"
    if r.status in _SKIP_WORD:
        word = _SKIP_WORD[r.status][1]  # the attribute stays English: reporters filter on it
        reason = r.message.get(lang)
        waivers = [f.waiver for f in r.findings if f.waived and f.waiver is not None]
        if waivers:
            reason = "; ".join(
                f"{w.reason} ({_t(lang, '批准', 'approved by')} {w.approved_by or '—'})"
                for w in waivers
            )
        node = ET.SubElement(case, "skipped", {"message": _clean(f"{word}: {reason}")})
        if r.findings:
            node.text = _clean("\n".join(_finding_text(f, source, lang) for f in r.findings))
        return "skipped"
    return "passed"


def _suites(root: ET.Element, ctx: RenderContext, prefix: str) -> None:
    """Append one <testsuite> per phase of the report to ``root``."""
    report, lang = ctx.report, ctx.lang
    summary = report.summary
    for phase, label in PHASES.items():
        results = [r for r in report.results if r.phase == phase]
        if not results:
            continue
        suite = ET.Element("testsuite", {"name": _clean(f"{prefix}{report.pack_id} · {phase}")})
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("phase", label.get(lang)),
            ("pack", f"{report.pack_id} v{report.pack_version}"),
            ("record", report.source),
            ("unit", report.unit),
            ("meeting_date", report.meeting_date.isoformat()),
            ("as_of", report.as_of.isoformat() if report.as_of else ""),
            ("compliant", "true" if summary.compliant else "false"),
        ):
            ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        counts = {"failure": 0, "error": 0, "skipped": 0, "passed": 0}
        for r in results:
            counts[_testcase(suite, r, report.source, lang)] += 1
        _set_counts(suite, len(results), counts["failure"], counts["error"], counts["skipped"])
        root.append(suite)


def _set_counts(node: ET.Element, tests: int, failures: int, errors: int, skipped: int) -> None:
    # Attribute order is insertion order: set the counts before anything else would shift them.
    node.set("tests", str(tests))
    node.set("failures", str(failures))
    node.set("errors", str(errors))
    node.set("skipped", str(skipped))
    node.set("time", "0")


def _total(root: ET.Element) -> None:
    sums = [0, 0, 0, 0]
    for suite in root.findall("testsuite"):
        for i, key in enumerate(("tests", "failures", "errors", "skipped")):
            sums[i] += int(suite.get(key, "0"))
    _set_counts(root, *sums)


def _serialise(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _organisation_suites(root: ET.Element, orgs: Organisations | None, lang: str) -> None:
    """One <testsuite> per party organisation, `"{organisation} · organisation"`, a test case
    per organisation rule; its `file` is the organisation's first record."""
    if not orgs:
        return
    for org in orgs.entries:
        suite = ET.Element("testsuite", {"name": _clean(f"{org.name} · organisation")})
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("unit", org.unit),
            ("party_org", org.party_org or ""),
            ("records", ", ".join(org.records)),
            ("compliant", "true" if org.summary.compliant else "false"),
        ):
            ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        counts = {"failure": 0, "error": 0, "skipped": 0, "passed": 0}
        first = org.records[0] if org.records else ""
        for r in org.results:
            counts[_testcase(suite, r, first, lang)] += 1
        _set_counts(suite, len(org.results), counts["failure"], counts["error"], counts["skipped"])
        root.append(suite)


def render(ctx: RenderContext) -> str:
    root = ET.Element("testsuites", {"name": "dlsh_rules"})
    _suites(root, ctx, "")
    _organisation_suites(root, ctx.organisations, ctx.lang)
    _total(root)
    return _serialise(root)


def _broken_suite(entry: BatchEntry, lang: str) -> ET.Element:
    """A record that could not be checked: one suite with one errored test case."""
    assert entry.error is not None
    problems = entry.error.problems
    suite = ET.Element("testsuite", {"name": _clean(f"{entry.source} · input")})
    _set_counts(suite, 1, 0, 1, 0)
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": "input",
            "name": _clean(
                f"{entry.source} · {_t(lang, '记录无法检查', 'record cannot be checked')}"
            ),
            "file": _clean(entry.source),
            "time": "0",
        },
    )
    first = problems[0].render(lang) if problems else entry.error.render(lang)
    node = ET.SubElement(case, "error", {"message": _clean(first), "type": "input_error"})
    node.text = _clean("\n".join(p.render(lang) for p in problems) or entry.error.render(lang))
    return suite


def render_batch(entries: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    root = ET.Element("testsuites", {"name": "dlsh_rules"})
    lang = batch_lang(entries)
    for entry in entries:
        if entry.context is not None:
            _suites(root, entry.context, f"{entry.source} · ")
        else:
            root.append(_broken_suite(entry, lang))
    _organisation_suites(root, organisations, lang)
    _total(root)
    return _serialise(root)
