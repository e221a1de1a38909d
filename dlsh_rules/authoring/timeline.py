"""A calendar of obligations: every rule of a pack with the day it falls due, in date order.

A rule's due date is what the engine judges `--as-of` by: its `due` bound resolved for the
meeting, else the earliest `due` of its checks, else the meeting day. Nothing here names a rule:
the obligations are read off the pack. From a record, each obligation also carries the rule's
status in that record (met, open); under an as-of date the list starts with what is due next,
and obligations past their day and not met are marked overdue.

Formats: text, Markdown, CSV (UTF-8 with a byte order mark, so that Excel reads the Chinese) and
ICS (RFC 5545, written here: a calendar of all-day events is a few lines of text, and a
dependency for it would be one more package to install; tests parse the output with the
icalendar package).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Text
from ..evaluate.context import Context
from ..pack.loader import PHASES

if TYPE_CHECKING:
    from ..evaluate.results import Report
    from ..pack.loader import Pack
    from ..record.validate import RecordData

FORMATS = ("text", "markdown", "csv", "ics")
_DONE = ("passed", "waived", "not_applicable")


@dataclass(frozen=True)
class Obligation:
    rule: str
    clause: str
    phase: str
    title: Text
    quote: str
    severity: str
    due: dt.date
    declared: bool  # the rule (or a check) names its due date; else it is the meeting day
    status: str | None = None  # the rule's status in the record, when there is one

    def state(self, as_of: dt.date | None) -> str:
        """done, overdue, open (due on or after as_of) or '' (no as-of, no record)."""
        if self.status in _DONE:
            return "done"
        if as_of is None:
            return "open" if self.status is not None else ""
        return "overdue" if self.due < as_of else "open"


@dataclass(frozen=True)
class Timeline:
    pack_id: str
    pack_version: str
    unit: str | None
    meeting_date: dt.date
    as_of: dt.date | None
    source: str | None
    obligations: tuple[Obligation, ...]

    def ordered(self) -> list[Obligation]:
        """Date order; under as-of, what is due next first, then the overdue, then the done."""
        if self.as_of is None:
            return list(self.obligations)
        as_of = self.as_of
        rank = {"open": 0, "": 0, "overdue": 1, "done": 2}
        return sorted(self.obligations, key=lambda o: rank[o.state(as_of)])


def build_timeline(
    pack: Pack,
    record: RecordData,
    *,
    as_of: dt.date | None = None,
    report: Report | None = None,
    source: str | None = None,
) -> Timeline:
    """The obligations of ``pack`` for the meeting of ``record``; with ``report``, their status."""
    ctx = Context(record, pack)
    status = {r.rule: r.status for r in report.results} if report is not None else {}
    order = {name: i for i, name in enumerate(PHASES)}
    items: list[tuple[Any, ...]] = []
    for i, rule in enumerate(pack.rules):
        due, declared = _due(ctx, rule)
        ob = Obligation(
            rule.id,
            rule.clause,
            rule.phase,
            Text.of(rule.title),
            rule.quote,
            rule.severity,
            due,
            declared,
            status.get(rule.id) if report is not None else None,
        )
        items.append((due, order.get(rule.phase, 9), i, ob))
    items.sort(key=lambda t: t[:3])
    return Timeline(
        pack.id,
        pack.version,
        record.data["unit"].get("name"),
        ctx.meeting_date,
        as_of,
        source,
        tuple(t[3] for t in items),
    )


def _due(ctx: Context, rule: Any) -> tuple[dt.date, bool]:
    bounds = [rule.due] if rule.due is not None else [c.due for c in rule.checks]
    days = []
    for bound in bounds:
        if bound is None:
            continue
        try:
            day = bound.resolve(ctx)
        except Exception:  # a working-day bound outside the calendar's years: the meeting day
            day = None
        if day is not None:
            days.append(day)
    if days:
        return min(days), True
    return ctx.meeting_date, False


# --- rendering ---------------------------------------------------------------------------------

_WORDS = {
    "due": Text("截止日期", "Due"),
    "clause": Text("条款", "Clause"),
    "rule": Text("规则", "Rule"),
    "title": Text("事项", "Obligation"),
    "phase": Text("阶段", "Phase"),
    "state": Text("状态", "State"),
    "meeting_day": Text("会议当日", "meeting day"),
    "done": Text("已完成", "done"),
    "overdue": Text("已逾期", "overdue"),
    "open": Text("待办", "to do"),
    "": Text("", ""),
    "as_of": Text("检查日期", "as of"),
    "next": Text("下一项", "next"),
    "meeting": Text("民主生活会", "democratic life meeting"),
    "pack": Text("规则包", "pack"),
    "count": Text("共 {n} 项义务", "{n} obligations"),
    "marks": Text(
        "“会议当日”：规则未写截止日期，按会议当天计。",
        "“meeting day”: the rule names no due date and falls due on the meeting day.",
    ),
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key].get(lang)


def _header(t: Timeline, lang: str) -> str:
    parts = [
        t.unit or "",
        f"{_w('meeting', lang)} {t.meeting_date.isoformat()}",
        f"{_w('pack', lang)} {t.pack_id} v{t.pack_version}",
    ]
    if t.as_of is not None:
        parts.append(f"{_w('as_of', lang)} {t.as_of.isoformat()}")
    return " · ".join(p for p in parts if p)


def _when(o: Obligation, lang: str) -> str:
    return o.due.isoformat() + ("" if o.declared else f"（{_w('meeting_day', lang)}）")


def render_text(t: Timeline, lang: str = "zh") -> str:
    marks = {"done": "✓", "overdue": "!", "open": "…", "": " "}
    lines = [_header(t, lang)]
    if t.source:
        lines.append(("记录：" if lang != "en" else "record: ") + t.source)
    lines.append("")
    for o in t.ordered():
        state = o.state(t.as_of)
        tail = f"  {_w(state, lang)}" if state else ""
        lines.append(
            f"{marks[state]} {_when(o, lang)}  ［{o.clause}］ {o.title.get(lang)}  {o.rule}{tail}"
        )
    lines.append("")
    lines.append(_w("count", lang).format(n=len(t.obligations)))
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(t: Timeline, lang: str = "zh") -> str:
    cols = ["due", "clause", "title", "rule", "phase"] + (["state"] if _has_state(t) else [])
    out = [f"# {_md_cell(_header(t, lang))}", ""]
    out.append("| " + " | ".join(_w(c, lang) for c in cols) + " |")
    out.append("|" + "---|" * len(cols))
    for o in t.ordered():
        row = [
            _when(o, lang),
            o.clause,
            o.title.get(lang),
            f"`{o.rule}`",
            PHASES[o.phase].get(lang) if o.phase in PHASES else o.phase,
        ]
        if _has_state(t):
            row.append(_w(o.state(t.as_of), lang))
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    out += ["", _w("marks", lang), ""]
    return "\n".join(out)


def _has_state(t: Timeline) -> bool:
    return t.as_of is not None or any(o.status is not None for o in t.obligations)


def render_csv(t: Timeline, lang: str = "zh") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_w(c, lang) for c in ("due", "clause", "title", "rule", "phase", "state")])
    for o in t.ordered():
        writer.writerow(
            [
                o.due.isoformat(),
                o.clause,
                o.title.get(lang),
                o.rule,
                PHASES[o.phase].get(lang) if o.phase in PHASES else o.phase,
                _w(o.state(t.as_of), lang),
            ]
        )
    return "\ufeff" + buffer.getvalue()


def _ics_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines of at most 75 octets, continued with CRLF and a space; a UTF-8
    character is never split."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def render_ics(t: Timeline, lang: str = "zh") -> str:
    """An iCalendar file: one all-day event per obligation, with a reminder the day before.

    DTSTAMP must be given; it is the as-of date, else the meeting date (never the clock), so
    that the same input gives the same bytes.
    """
    stamp = (t.as_of or t.meeting_date).strftime("%Y%m%dT000000Z")
    name = _header(t, lang)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//dlsh-rules//timeline//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_escape(name)}",
    ]
    for o in t.obligations:
        state = o.state(t.as_of)
        summary = f"［{o.clause}］{o.title.get(lang)}"
        if state in ("done", "overdue"):
            summary = f"{_w(state, lang)}：{summary}" if lang != "en" else f"{state}: {summary}"
        description = f"{o.quote}\n{o.rule}" + ("" if o.declared else f"\n{_w('marks', lang)}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{o.rule}-{o.due.strftime('%Y%m%d')}@{t.pack_id}.dlsh-rules",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{o.due.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(o.due + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{_ics_escape(summary)}",
            f"DESCRIPTION:{_ics_escape(description)}",
            f"CATEGORIES:{_ics_escape(PHASES[o.phase].get(lang) if o.phase in PHASES else o.phase)}",
            "TRANSP:TRANSPARENT",
        ]
        if state != "done":
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{_ics_escape(summary)}",
                "TRIGGER:-P1D",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


RENDERERS = {
    "text": render_text,
    "markdown": render_markdown,
    "csv": render_csv,
    "ics": render_ics,
}
