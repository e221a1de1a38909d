"""GitHub Actions workflow commands: one annotation per open finding, on the record's line.

    ::error file=record.yaml,line=652,col=1,title=prep.talks.member_pairs::张建国（p2）与…

Finding severity error -> ::error, warning -> ::warning, info -> ::notice. A finding not yet due
(pending at --as-of) is a ::notice. Waived findings are not annotated (they are accepted); a
rule that could not be evaluated is an ::error. Each record ends with one ::notice carrying the
summary line, so the job log says the verdict even when nothing failed. A finding without a
line points at line 1 of the record. Values are escaped as the runner expects: in the message
% CR LF; in properties also ':' and ','.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InputError
from ..evaluate.results import FindingResult, Organisations, Report, RuleResult
from . import BatchEntry, RenderContext, batch_lang, visible

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """The message part of a workflow command; other control characters are shown, not sent to
    the log (ESC, BEL, NUL reached the runner as they were)."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"), lines=True)


def escape_property(text: str) -> str:
    """A property value (file, title): the message escapes plus the command's own separators."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(
    kind: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    props: list[str] = []
    if file is not None:
        props.append(f"file={escape_property(file)}")
        props.append(f"line={line or 1}")
        if line is not None and col is not None:
            props.append(f"col={col}")
    if title is not None:
        props.append(f"title={escape_property(title)}")
    head = f"::{kind} {','.join(props)}" if props else f"::{kind}"
    return f"{head}::{escape_data(message)}"


def _finding(report: Report, r: RuleResult, f: FindingResult, lang: str) -> str:
    en = lang == "en"
    text = f"{f.message.get(lang)} — {r.title.get(lang)} " + (
        f"[{r.clause}]" if en else f"［{r.clause}］"
    )
    if f.due is not None:
        text += (" due " if en else " 截止 ") + f.due.isoformat()
    kind = _COMMAND.get(f.severity, "warning")
    if f.pending:
        kind = "notice"
        text += " (not yet due)" if en else "（尚未到期）"
    return command(kind, text, file=report.source, line=f.line, col=f.column, title=r.rule)


def summary_line(report: Report, lang: str) -> str:
    s = report.summary
    if lang == "en":
        verdict = "compliant" if s.compliant else "NOT compliant"
        return (
            f"{report.source}: {report.unit} {report.meeting_date.isoformat()}, {s.rules} rules, {s.passed} passed, "
            f"{s.failed} failed, {s.pending} pending, {s.waived} waived, "
            f"{s.not_applicable} not applicable, {s.error} error — {verdict}"
        )
    verdict = "合规" if s.compliant else "不合规"
    return (
        f"{report.source}：{report.unit} {report.meeting_date.isoformat()}，共 {s.rules} 条规则，通过 {s.passed}，"
        f"不符合 {s.failed}，待到期 {s.pending}，已豁免 {s.waived}，不适用 {s.not_applicable}，"
        f"出错 {s.error} —— {verdict}"
    )


def _lines(ctx: RenderContext) -> list[str]:
    report, lang = ctx.report, ctx.lang
    out: list[str] = []
    for r in report.results:
        if r.status == "error":
            out.append(
                command("error", r.error or r.message.get(lang), file=report.source, title=r.rule)
            )
        for f in r.findings:
            if not f.waived and r.status in ("failed", "pending"):
                out.append(_finding(report, r, f, lang))
    for w in report.unused_waivers:
        # A stale exception is worth a look but is not a failure of the record.
        pos = ctx.waiver_position(w)
        subject = f" {w.subject}" if w.subject else ""
        out.append(
            command(
                "notice",
                f"{w.rule}{subject}: {w.reason.get(lang)}",
                file=report.source if w.origin == "record" else w.origin,
                line=pos.line if pos else None,
                col=pos.column if pos else None,
                title="waiver" if lang == "en" else "豁免",
            )
        )
    out.append(command("notice", summary_line(report, lang), title="dlsh_rules"))
    return out


def organisation_lines(orgs: Organisations | None, lang: str) -> list[str]:
    """Organisation rules: a command per open finding (at the organisation's first record,
    line 1: the period has no line of its own), then one summary notice per organisation."""
    if not orgs:
        return []
    en = lang == "en"
    out: list[str] = []
    for org in orgs.entries:
        first = org.records[0] if org.records else None
        for r in org.results:
            if r.status == "error":
                out.append(command("error", f"{org.name}: {r.error}", file=first, title=r.rule))
            for f in r.findings:
                if f.waived or r.status not in ("failed", "pending"):
                    continue
                text = f"{org.name}: {f.message.get(lang)} — {r.title.get(lang)} " + (
                    f"[{r.clause}]" if en else f"［{r.clause}］"
                )
                kind = _COMMAND.get(f.severity, "warning")
                if f.pending:
                    kind = "notice"
                    text += " (not yet due)" if en else "（尚未到期）"
                out.append(command(kind, text, file=first, title=r.rule))
        s = org.summary
        verdict = (
            ("compliant" if en else "合规")
            if s.compliant
            else ("NOT compliant" if en else "不合规")
        )
        n = len(org.records)
        summary = (
            f"{org.name} ({n} records): {s.rules} organisation rules, {s.passed} passed, "
            f"{s.failed} failed, {s.pending} pending, {s.waived} waived — {verdict}"
            if en
            else f"{org.name}（{n} 份记录）：共 {s.rules} 条组织规则，通过 {s.passed}，"
            f"不符合 {s.failed}，待到期 {s.pending}，已豁免 {s.waived} —— {verdict}"
        )
        out.append(command("notice", summary, title="dlsh_rules"))
    for w in orgs.unused_waivers:
        subject = f" {w.subject}" if w.subject else ""
        out.append(
            command(
                "notice",
                f"{w.rule}{subject}: {w.reason.get(lang)}",
                file=w.origin,
                title="waiver" if en else "豁免",
            )
        )
    return out


def render(ctx: RenderContext) -> str:
    return "\n".join(_lines(ctx) + organisation_lines(ctx.organisations, ctx.lang)) + "\n"


def _broken(source: str, error: InputError, lang: str) -> list[str]:
    title = "input error" if lang == "en" else "输入错误"
    lines = [
        command("error", p.render(lang), file=p.file, line=p.line, col=p.column, title=title)
        for p in error.problems
    ]
    return lines or [command("error", error.render(lang), file=source, title=title)]


def render_batch(entries: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    lang = batch_lang(entries)
    out: list[str] = []
    for entry in entries:
        if entry.context is not None:
            out.extend(_lines(entry.context))
        elif entry.error is not None:
            out.extend(_broken(entry.source, entry.error, lang))
    out.extend(organisation_lines(organisations, lang))
    return "\n".join(out) + "\n"
