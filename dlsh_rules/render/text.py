"""The terminal view of a report: grouped by phase, each failure with clause, subject, what was
required, what was found and the due date, and a summary line at the end."""

from __future__ import annotations

from collections.abc import Sequence

from ..evaluate.results import FindingResult, Organisations, Report, RuleResult
from ..pack.loader import PHASES
from . import BatchEntry, RenderContext, visible

STATUS = {
    "passed": ("✓", "通过", "passed", "32"),
    "failed": ("✗", "不符合", "failed", "31"),
    "pending": ("…", "待到期", "pending", "33"),
    "waived": ("~", "已豁免", "waived", "36"),
    "not_applicable": ("-", "不适用", "n/a", "90"),
    "error": ("!", "出错", "error", "35"),
}
SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}
# The statuses the failures-only view (--quiet) shows (as render/statistics.py counts them)
NOT_PASSED = ("failed", "error", "pending")


def _safe(text: str) -> str:
    """Record text with control characters shown, not obeyed: a record must not be able to move
    the cursor or erase lines of the report on a terminal, nor start a line of its own (a line
    `::error …` is a command to GitHub Actions, a line `共 53 条规则 …—— 合规` a forged verdict)."""
    return visible(text)


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _heading(line: str, color: bool) -> str:
    """A line of the statistics: its headings (not indented) in bold."""
    return _paint(line, "1", color) if line and not line.startswith(" ") else line


def _rule_line(r: RuleResult, lang: str, color: bool) -> str:
    mark, zh, en, code = STATUS[r.status]
    status = zh if lang != "en" else en
    sev = SEVERITY[r.level or r.severity][0 if lang != "en" else 1]
    title = r.title.get(lang)
    clause = f"［{r.clause}］" if lang != "en" else f"[{r.clause}]"
    head = f"  {_paint(mark, code, color)} {r.rule}  {title} {clause}"
    if r.status == "failed":
        head += " " + _paint(
            f"{status}（{sev}）" if lang != "en" else f"{status} ({sev})", code, color
        )
    elif r.status != "passed":
        head += " " + _paint(status, code, color)
    return head


def render(ctx: RenderContext) -> str:
    text = render_text(ctx.report, ctx.lang, ctx.color, quiet=ctx.quiet, statistics=ctx.statistics)
    return text + organisations_text(ctx.organisations, ctx.lang, ctx.color, quiet=ctx.quiet)


def render_batch(entries: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    """Several records: one table line each, in input order, and a total (dlsh_rules.batch);
    then the organisation rules."""
    from .batch_view import batch_text

    lang = entries[0].lang if entries else "zh"
    color = next((e.context.color for e in entries if e.context is not None), False)
    return batch_text(entries) + organisations_text(organisations, lang, color)


def _finding_lines(
    f: FindingResult, r: RuleResult, source: str, lang: str, color: bool
) -> list[str]:
    en = lang == "en"
    tag = ""
    if f.waived and f.waiver is not None:
        who = f.waiver.approved_by or "—"
        tag = (
            f" [waived: {_safe(f.waiver.reason)}; approved by {_safe(who)}]"
            if en
            else f"［已豁免：{_safe(f.waiver.reason)}；批准：{_safe(who)}］"
        )
    elif f.pending:
        tag = " [not yet due]" if en else "［尚未到期］"
    elif f.severity != r.severity:
        tag = f" [{f.severity}]" if en else f"［{SEVERITY[f.severity][0]}］"
    lines = [f"      · {_safe(f.message.get(lang))}{tag}"]
    where = []
    if f.due:
        where.append(("due " if en else "截止 ") + f.due.isoformat())
    if f.path is not None:
        loc = f.path or "/"
        if f.line is not None:
            loc += f" ({_safe(source)}:{f.line}:{f.column})"
        where.append(("at " if en else "位置 ") + loc)
    if where:
        lines.append("        " + _paint("  ".join(where), "90", color))
    return lines


def organisations_text(
    orgs: Organisations | None, lang: str, color: bool, quiet: bool = False
) -> str:
    """The organisation rules of a run: per organisation, each rule with its periods (count of
    meetings / needed) and its findings; '' when the run judged none. ``quiet``: only the rules
    not passed, and nothing when every rule passed."""
    if not orgs:
        return ""
    if (
        quiet
        and not orgs.unused_waivers
        and not any(r.status in NOT_PASSED for org in orgs.entries for r in org.results)
    ):
        return ""
    en = lang == "en"
    lines = [
        "",
        _paint(
            "Organisation rules (over the records of each party organisation in this run)"
            if en
            else "组织规则（按党组织统计本次检查的全部记录）",
            "1",
            color,
        ),
    ]
    for org in orgs.entries:
        n = len(org.records)
        lines.append("")
        lines.append(
            _paint(
                f"{_safe(org.name)} ({n} record{'s' if n != 1 else ''})"
                if en
                else f"{_safe(org.name)}（{n} 份记录）",
                "1",
                color,
            )
        )
        for r in org.results:
            if quiet and r.status not in NOT_PASSED:
                continue
            lines.append(_rule_line(r, lang, color))
            if r.error:
                lines.append(f"      {_safe(r.message.get(lang))}")
            if r.periods:
                counts = "  ".join(f"{p.period} {p.count}/{p.min}" for p in r.periods)
                lines.append("        " + _paint(counts, "90", color))
            for f in r.findings:
                lines.extend(_finding_lines(f, r, "", lang, color))
    for w in orgs.unused_waivers:
        subject = f" {w.subject}" if w.subject else ""
        lines.append(f"  ~ {w.rule}{subject} ({w.where}): {_safe(w.reason.get(lang))}")
    total = len(orgs.entries)
    good = sum(1 for o in orgs.entries if o.summary.compliant)
    lines.append("")
    text = (
        f"{total} organisation{'s' if total != 1 else ''}: {good} compliant, {total - good} NOT compliant"
        if en
        else f"共 {total} 个党组织：合规 {good}，不合规 {total - good}"
    )
    lines.append(_paint(text, "32" if good == total else "31", color))
    return "\n".join(lines) + "\n"


def render_text(
    report: Report,
    lang: str = "zh",
    color: bool = False,
    *,
    quiet: bool = False,
    statistics: bool = False,
) -> str:
    """The report for a terminal. ``quiet``: only the rules not passed (failed, error, pending);
    ``statistics``: counts by phase, status and rule instead of the rules."""
    en = lang == "en"
    lines: list[str] = []
    header = (
        f"{_safe(report.unit)} · meeting {report.meeting_date.isoformat()} · pack {report.pack_id} v{report.pack_version}"
        if en
        else f"{_safe(report.unit)} · 民主生活会 {report.meeting_date.isoformat()} · 规则包 {report.pack_id} v{report.pack_version}"
    )
    lines.append(_paint(header, "1", color))
    lines.append(("record: " if en else "记录：") + _safe(report.source))
    if report.as_of:
        lines.append(("as of: " if en else "检查日期：") + report.as_of.isoformat())
    if statistics:
        from .statistics import statistics as count
        from .statistics import text_lines

        lines.extend(_heading(line, color) for line in text_lines(count([report], lang), lang))
    for phase, label in () if statistics else PHASES.items():
        results = [r for r in report.results if r.phase == phase]
        shown = [r for r in results if r.status in NOT_PASSED] if quiet else results
        if not shown:
            continue
        ok = sum(1 for r in results if r.status == "passed")
        lines.append("")
        lines.append(
            _paint(
                f"{label.get(lang)} ({ok}/{len(results)} {'passed' if en else '通过'})", "1", color
            )
        )
        for r in shown:
            lines.append(_rule_line(r, lang, color))
            if r.error:
                lines.append(f"      {_safe(r.message.get(lang))}")
            for f in r.findings:
                lines.extend(_finding_lines(f, r, report.source, lang, color))
            if r.findings_omitted:
                n, total = r.findings_omitted, r.findings_omitted + len(r.findings)
                lines.append(
                    f"      … {n} more not listed ({total} in all)"
                    if en
                    else f"      ……另有 {n} 项未列出（共 {total} 项）"
                )
    if report.unused_waivers:
        lines.append("")
        lines.append(_paint("Waivers that did not apply" if en else "未生效的豁免", "1", color))
        for w in report.unused_waivers:
            subject = f" {w.subject}" if w.subject else ""
            lines.append(f"  ~ {w.rule}{subject} ({w.where}): {_safe(w.reason.get(lang))}")
    s = report.summary
    lines.append("")
    if en:
        verdict = "compliant" if s.compliant else "NOT compliant"
        text = (
            f"{s.rules} rules: {s.passed} passed, {s.failed} failed, {s.pending} pending, "
            f"{s.waived} waived, {s.not_applicable} not applicable, {s.error} error — {verdict}"
        )
    else:
        verdict = "合规" if s.compliant else "不合规"
        text = (
            f"共 {s.rules} 条规则：通过 {s.passed}，不符合 {s.failed}，待到期 {s.pending}，"
            f"已豁免 {s.waived}，不适用 {s.not_applicable}，出错 {s.error} —— {verdict}"
        )
    lines.append(_paint(text, "32" if s.compliant else "31", color))
    return "\n".join(lines) + "\n"
