"""Markdown for a pull-request comment (GitHub-flavoured): verdict, counts, then one table per
phase with the failures first, each rule with its clause and its findings summarised.

Record text is untrusted and lands in table cells: every piece of it is escaped so that a `|`
cannot split a cell, and `<`, `[`, `*` and the like cannot become HTML, links or emphasis.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..errors import InputError
from ..evaluate.results import FindingResult, Organisations, Report, RuleResult, UnusedWaiver
from ..pack.loader import PHASES
from . import BATCH_HEAD, BatchEntry, RenderContext, batch_lang, visible

MAX_FINDINGS = 5  # per cell; a comment must stay readable (and under GitHub's 65536 characters)

# status -> (emoji, zh, en); the emoji alone is not the message (screen readers, plain diffs).
STATUS = {
    "failed": ("❌", "不符合", "failed"),
    "error": ("❗", "出错", "error"),
    "pending": ("⏳", "待到期", "pending"),
    "waived": ("🔕", "已豁免", "waived"),
    "not_applicable": ("⚪", "不适用", "n/a"),
    "passed": ("✅", "通过", "passed"),
}
_ORDER = {status: i for i, status in enumerate(STATUS)}  # failures first
_NOT_PASSED = ("failed", "error", "pending")  # what the failures-only view (--quiet) keeps
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def md(text: str) -> str:
    """Inline Markdown text: ASCII punctuation that could start markup is backslash-escaped
    (CommonMark allows that for any of it) and line breaks fold to spaces."""
    return _MD_SPECIAL.sub(r"\\\1", visible(" ".join(text.split())))


def _h(text: str) -> str:
    """Text in an HTML element of the Markdown (a blank line in it would end the element)."""
    return html.escape(visible(text))


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _status(r: RuleResult, lang: str) -> str:
    emoji, zh, en = STATUS[r.status]
    if r.status == "failed" and (r.level or r.severity) != "error":
        emoji = "⚠️"  # failed at warning level: does not make the record non-compliant
    return f"{emoji} {_t(lang, zh, en)}"


def _name(ctx: RenderContext, oid: str | None) -> str:
    """An id of the record (person, org) as its name, when the record is at hand."""
    if oid is None:
        return "—"
    if ctx.record is not None:
        found = ctx.record.index.get(oid)
        if found is not None and isinstance(found.obj.get("name"), str):
            return (
                f"{found.obj['name']}（{oid}）"
                if ctx.lang != "en"
                else f"{found.obj['name']} ({oid})"
            )
    return oid


def _finding(ctx: RenderContext, f: FindingResult) -> str:
    lang = ctx.lang
    text = md(f.message.get(lang))
    extra: list[str] = []
    if f.due is not None:
        extra.append(_t(lang, "截止 ", "due ") + f.due.isoformat())
    if f.line is not None:
        extra.append(f"L{f.line}")
    if f.waived and f.waiver is not None:
        w = f.waiver
        approved = _name(ctx, w.approved_by)
        when = (_t(lang, "，", ", ") + w.date.isoformat()) if w.date else ""
        return (
            f"🔕 {text}（"
            + _t(lang, "已豁免：", "waived: ")
            + md(w.reason)
            + _t(lang, "；批准：", "; approved by ")
            + md(approved + when)
            + "）"
        )
    if f.pending:
        extra.append(_t(lang, "尚未到期", "not yet due"))
    if not extra:
        return text
    return text + (f" ({', '.join(extra)})" if lang == "en" else f"（{'，'.join(extra)}）")


def _findings_cell(ctx: RenderContext, r: RuleResult) -> str:
    if r.status == "error":
        return md(r.error or r.message.get(ctx.lang))
    if not r.findings:
        return "—" if r.status == "passed" else md(r.message.get(ctx.lang))
    # Open findings before waived ones: the cell is cut at MAX_FINDINGS.
    ordered = sorted(r.findings, key=lambda f: f.waived)
    parts = [_finding(ctx, f) for f in ordered[:MAX_FINDINGS]]
    rest = len(ordered) - MAX_FINDINGS + r.findings_omitted
    if rest > 0:
        parts.append(_t(ctx.lang, f"……另有 {rest} 项", f"… and {rest} more"))
    return "<br>".join(parts)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _counts_table(report: Report, lang: str) -> list[str]:
    s = report.summary
    head = (
        ["rules", "passed", "failed", "pending", "waived", "n/a", "error", "waived findings"]
        if lang == "en"
        else ["规则", "通过", "不符合", "待到期", "已豁免", "不适用", "出错", "已豁免问题"]
    )
    values = [
        s.rules,
        s.passed,
        s.failed,
        s.pending,
        s.waived,
        s.not_applicable,
        s.error,
        s.waived_findings,
    ]
    return [_row(head), _row(["---:"] * len(head)), _row([str(v) for v in values])]


def _verdict(report: Report, lang: str) -> tuple[str, str]:
    if report.summary.compliant:
        return "✅", _t(lang, "合规", "compliant")
    return "❌", _t(lang, "不合规", "NOT compliant")


def _heading(report: Report, lang: str) -> str:
    emoji, _ = _verdict(report, lang)
    meeting = _t(lang, "民主生活会", "meeting")
    pack = _t(lang, "规则包", "pack")
    return (
        f"{emoji} {md(report.unit)} · {meeting} {report.meeting_date.isoformat()} · "
        f"{pack} {md(report.pack_id)} v{md(report.pack_version)}"
    )


def _body(ctx: RenderContext, level: int) -> list[str]:
    report, lang = ctx.report, ctx.lang
    h = "#" * level
    _, verdict = _verdict(report, lang)
    lines = [f"{h} {_heading(report, lang)}", ""]
    facts = [f"**{verdict}**", _t(lang, "记录 ", "record ") + md(report.source)]
    if report.as_of:
        facts.append(_t(lang, "检查日期 ", "as of ") + report.as_of.isoformat())
    lines += [" · ".join(facts), "", *_counts_table(report, lang)]
    if ctx.statistics:  # counts instead of the rules (check --statistics)
        from .statistics import markdown_lines, statistics

        return lines + markdown_lines(statistics([report], lang), lang, level + 1, md)
    head = (
        ["status", "rule", "title", "clause", "findings"]
        if lang == "en"
        else ["状态", "规则", "标题", "条款", "问题"]
    )
    for phase, label in PHASES.items():
        results = [r for r in report.results if r.phase == phase]
        shown = [r for r in results if r.status in _NOT_PASSED] if ctx.quiet else results
        if not shown:
            continue
        ok = sum(1 for r in results if r.status == "passed")
        lines += [
            "",
            f"{h}# {label.get(lang)}"
            + _t(lang, f"（{ok}/{len(results)} 通过）", f" ({ok}/{len(results)} passed)"),
            "",
            _row(head),
            _row(["---"] * len(head)),
        ]
        # sorted() is stable: within a status the pack's order stays.
        for r in sorted(shown, key=lambda r: _ORDER[r.status]):
            lines.append(
                _row(
                    [
                        _status(r, lang),
                        f"`{r.rule}`",
                        md(r.title.get(lang)),
                        md(r.clause),
                        _findings_cell(ctx, r),
                    ]
                )
            )
    if report.unused_waivers:
        lines += ["", f"{h}# " + _t(lang, "未生效的豁免", "Waivers that did not apply"), ""]
        lines += [_unused_waiver_line(w, lang) for w in report.unused_waivers]
    return lines


def _unused_waiver_line(w: UnusedWaiver, lang: str) -> str:
    """One waiver that did not apply: where it is written (file:line:column when a waiver file
    has it, else its origin and pointer), and why; a record's and an organisation's alike."""
    subject = f" {md(w.subject)}" if w.subject else ""
    where = md(w.where) if w.line and w.origin != "record" else None
    place = where or f"{md(w.origin)} {md(w.pointer)}"
    if lang != "en":
        return f"- `{w.rule}`{subject}（{place}）：{md(w.reason.get(lang))}"
    return f"- `{w.rule}`{subject} ({place}): {md(w.reason.get(lang))}"


def _periods_cell(r: RuleResult) -> str:
    return " ".join(f"{md(p.period)} {p.count}/{p.min}" for p in r.periods) or "—"


def organisation_lines(orgs: Organisations | None, lang: str, level: int) -> list[str]:
    """The organisation rules of the run: a table per party organisation (status, rule, title,
    clause, meetings per period, findings). Nothing when the run judged none."""
    if not orgs:
        return []
    h = "#" * level
    lines = [
        "",
        f"{h} "
        + _t(
            lang,
            "组织规则（按党组织统计本次检查的全部记录）",
            "Organisation rules (over the records of each party organisation in this run)",
        ),
    ]
    head = (
        ["status", "rule", "title", "clause", "meetings per period", "findings"]
        if lang == "en"
        else ["状态", "规则", "标题", "条款", "各时段会议数", "问题"]
    )
    for org in orgs.entries:
        emoji = "✅" if org.summary.compliant else "❌"
        n = len(org.records)
        lines += [
            "",
            f"{h}# {emoji} {md(org.name)}"
            + _t(lang, f"（{n} 份记录）", f" ({n} record{'s' if n != 1 else ''})"),
            "",
            _row(head),
            _row(["---"] * len(head)),
        ]
        for r in sorted(org.results, key=lambda r: _ORDER[r.status]):
            if r.status == "error":
                cell = md(r.error or r.message.get(lang))
            elif not r.findings:
                cell = "—" if r.status == "passed" else md(r.message.get(lang))
            else:
                cell = "<br>".join(_org_finding(f, lang) for f in r.findings)
            lines.append(
                _row(
                    [
                        _status(r, lang),
                        f"`{r.rule}`",
                        md(r.title.get(lang)),
                        md(r.clause),
                        _periods_cell(r),
                        cell,
                    ]
                )
            )
    if orgs.unused_waivers:
        lines += [
            "",
            f"{h}# " + _t(lang, "未生效的组织规则豁免", "Organisation waivers that did not apply"),
            "",
        ]
        lines += [_unused_waiver_line(w, lang) for w in orgs.unused_waivers]
    return lines


def _org_finding(f: FindingResult, lang: str) -> str:
    text = md(f.message.get(lang))
    if f.waived and f.waiver is not None:
        w = f.waiver
        return (
            f"🔕 {text} ("
            + _t(lang, "已豁免：", "waived: ")
            + md(w.reason)
            + _t(lang, "；批准：", "; approved by ")
            + md(w.approved_by or "—")
            + ")"
        )
    extra = [_t(lang, "截止 ", "due ") + f.due.isoformat()] if f.due else []
    if f.pending:
        extra.append(_t(lang, "尚未到期", "not yet due"))
    return text + (f" ({', '.join(extra)})" if extra else "")


def render(ctx: RenderContext) -> str:
    lines = _body(ctx, 2) + organisation_lines(ctx.organisations, ctx.lang, 2)
    return "\n".join(lines) + "\n"


def _broken_lines(source: str, error: InputError, lang: str) -> list[str]:
    lines = [
        f"**{_t(lang, '记录无法检查', 'The record cannot be checked')}**：{md(source)}"
        if lang != "en"
        else f"**The record cannot be checked**: {md(source)}",
        "",
    ]
    lines += [f"- {md(p.render(lang))}" for p in error.problems] or [f"- {md(error.render(lang))}"]
    return lines


def render_batch(entries: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    lang = batch_lang(entries)
    checked = [e.context.report for e in entries if e.context is not None]
    good = sum(1 for r in checked if r.summary.compliant)
    broken = len(entries) - len(checked)
    title = (
        f"## dlsh_rules: {len(entries)} records, {good} compliant, {len(checked) - good} not, "
        f"{broken} could not be checked"
        if lang == "en"
        else f"## dlsh_rules：{len(entries)} 份记录，合规 {good}，不合规 {len(checked) - good}，"
        f"无法检查 {broken}"
    )
    head = list(BATCH_HEAD["en" if lang == "en" else "zh"])
    lines = [title, "", _row(head), _row(["---"] * 4 + ["---:"] * 6)]
    for e in entries:
        if e.context is None:
            broken_cell = "⚠️ " + _t(lang, "无法检查", "cannot be checked")
            lines.append(_row([md(e.source), "—", "—", broken_cell] + ["—"] * 6))
            continue
        rep = e.context.report
        s = rep.summary
        emoji, verdict = _verdict(rep, lang)
        lines.append(
            _row(
                [md(e.source), md(rep.unit), rep.meeting_date.isoformat(), f"{emoji} {verdict}"]
                + [
                    str(v)
                    for v in (s.passed, s.failed, s.pending, s.waived, s.not_applicable, s.error)
                ]
            )
        )
    # Organisation rules right after the table: they are about the whole run, not one record.
    lines += organisation_lines(organisations, lang, 2)
    contexts = [e.context for e in entries if e.context is not None]
    if contexts and contexts[0].statistics:  # counts over the run instead of each record
        from .statistics import markdown_lines, statistics

        lines += markdown_lines(statistics(checked, lang), lang, 2, md)
        entries = [e for e in entries if e.context is None]
    elif contexts and contexts[0].quiet:  # the records with a rule not passed, or broken
        entries = [
            e
            for e in entries
            if e.context is None or any(r.status in _NOT_PASSED for r in e.context.report.results)
        ]
    for e in entries:
        # <summary> is HTML, not Markdown: escape it as HTML. The blank lines let GitHub render
        # the Markdown inside <details>.
        if e.context is None:
            summary = f"⚠️ {_h(e.source)}"
            body = _broken_lines(e.source, e.error or InputError([]), lang)
        else:
            rep = e.context.report
            emoji, _ = _verdict(rep, lang)
            summary = f"{emoji} {_h(e.source)} — {_h(rep.unit)} {rep.meeting_date.isoformat()}"
            body = _body(e.context, 3)
        lines += ["", f"<details><summary>{summary}</summary>", "", *body, "", "</details>"]
    return "\n".join(lines) + "\n"
