"""The sections of one record's page: verdict, timeline, talk and criticism matrices, rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ...errors import Text
from ...evaluate.context import Context

# The engine's own pair generator: the grids must show exactly the pairs the pack's rules check.
from ...evaluate.results import FindingResult, RuleResult
from ...pack.loader import PHASES
from .. import RenderContext
from .data import (
    RecordLists,
    RuleMarks,
    face_to_face,
    merge_marks,
    pack_pairs,
    pair_key,
    rule_marks,
)
from .words import COUNTS, SEVERITY, STATUS, Pair, W, clause_text, esc, paren, punct


class View:
    """One record's sections."""

    def __init__(self, ctx: RenderContext, anchor: str) -> None:
        self.ctx = ctx
        self.report = ctx.report
        self.lang = ctx.lang
        self.anchor = anchor
        self.data: dict[str, Any] = ctx.record.data if ctx.record is not None else {}
        self.people: dict[str, dict[str, Any]] = {
            p["id"]: p for p in self.data.get("people", []) if isinstance(p, dict) and "id" in p
        }
        self.members = [pid for pid, p in self.people.items() if p.get("role") == "secretary"] + [
            pid for pid, p in self.people.items() if p.get("role") == "member"
        ]
        self.marks = rule_marks(self.report)
        self.engine_ctx: Context | None = None

    # small helpers

    def w(self, key: str, **kw: object) -> str:
        text = W[key].get(self.lang)
        return text.format(**kw) if kw else text

    def id(self, name: str) -> str:
        return f"{self.anchor}{name}"

    def raw_name(self, oid: str | None) -> str:
        """A record id as a name (person, org, department); not escaped."""
        if oid is None:
            return "—"
        if self.ctx.record is not None:
            found = self.ctx.record.index.get(oid)
            if found is not None and isinstance(found.obj.get("name"), str):
                return str(found.obj["name"])
        return oid

    def name(self, oid: str | None) -> str:
        return esc(self.raw_name(oid))

    def label(self, enum: str, value: str) -> str:
        if self.lang == "en":
            if self.ctx.record is not None:
                return esc(self.ctx.record.enums.en_label(enum, value))
            return esc(value.replace("_", " "))
        if self.ctx.record is not None:
            return esc(self.ctx.record.enums.label(enum, value))
        return esc(value)

    def rel(self, day: dt.date) -> str:
        delta = (day - self.report.meeting_date).days
        return "D" if delta == 0 else f"D{delta:+d}"

    def status(self, r: RuleResult) -> str:
        mark, label = STATUS[r.status]
        css = f"st st-{r.status}"
        text = label.get(self.lang)
        if r.status == "failed":
            level = r.level or r.severity
            text += paren(self.lang, SEVERITY[level].get(self.lang))
            if level != "error":
                css = "st st-warn"
        return f'<span class="{css}">{esc(mark)} {esc(text)}</span>'

    # sections

    def summary(self) -> str:
        rep, lang = self.report, self.lang
        unit = self.data.get("unit") or {}
        meeting = self.data.get("meeting") or {}
        s = rep.summary
        verdict_css, verdict = (
            ("ok", self.w("compliant")) if s.compliant else ("bad", self.w("not_compliant"))
        )
        year = meeting.get("year")
        heading = (
            f"{esc(rep.unit)} {esc(unit.get('party_org') or '')} "
            + (f"{esc(year)}年度" if year and lang != "en" else "")
            + self.w("report")
            + (f" {esc(year)}" if year and lang == "en" else "")
        )
        date = rep.meeting_date.isoformat()
        planned = meeting.get("planned_date")
        if isinstance(planned, dt.date) and planned != rep.meeting_date:
            date += paren(self.lang, f"{self.w('planned')} {planned.isoformat()}")
        facts: list[tuple[str, str]] = [
            (self.w("unit"), esc(rep.unit)),
            (self.w("party_org"), esc(unit.get("party_org") or "—")),
            (self.w("date"), esc(date)),
        ]
        if meeting.get("theme"):
            facts.append((self.w("theme"), esc(meeting["theme"])))
        if meeting.get("chair"):
            facts.append((self.w("chair"), self.name(meeting["chair"])))
        facts += [
            (self.w("pack"), esc(f"{rep.pack_id} v{rep.pack_version}")),
            (self.w("source"), f'<span class="mono">{esc(rep.source)}</span>'),
        ]
        if rep.as_of:
            facts.append((self.w("as_of"), esc(rep.as_of.isoformat())))
        dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
        counts = s.to_dict()
        head = "".join(f"<th>{esc(label.get(lang))}</th>" for _, label in COUNTS)
        row = "".join(f"<td>{esc(counts[key])}</td>" for key, _ in COUNTS)
        nav = "".join(
            f'<a href="#{self.id(name)}">{esc(self.w(name))}</a>'
            for name in ("timeline", "talks", "criticisms", "findings")
        )
        return (
            f'<header id="{self.id("summary")}">'
            f"<h1>{heading}</h1>"
            f'<p class="verdict {verdict_css}">{esc(self.w("verdict"))}{punct(lang, "colon")}'
            f"{esc(verdict)}</p>"
            f'<dl class="facts">{dl}</dl>'
            f'<table class="counts"><thead><tr>{head}</tr></thead><tbody><tr>{row}</tr></tbody></table>'
            f'<nav class="sections">{nav}</nav>'
            "</header>"
        )

    # timeline ---------------------------------------------------------------------------------

    def rule_due(self, r: RuleResult) -> dt.date | None:
        """The rule's own deadline: from the pack on this record, else the one its findings
        share."""
        if self.ctx.pack is not None and self.ctx.record is not None:
            rule = self.ctx.pack.rule(r.rule)
            if rule is not None and rule.due is not None:
                if self.engine_ctx is None:
                    self.engine_ctx = Context(self.ctx.record, self.ctx.pack)
                return rule.due.resolve(self.engine_ctx)
            if rule is not None:
                return None
        dues = {f.due for f in r.findings if f.due is not None}
        return dues.pop() if len(dues) == 1 else None

    def events(self) -> list[tuple[dt.date, int, str]]:
        """What the record shows was done, by date: (date, sort rank, escaped text)."""
        d = self.data
        out: list[tuple[dt.date, int, str]] = []

        def grouped(
            label: str, dates: Iterable[Any], ends: Iterable[Any] | None = None, ids: str = ""
        ) -> None:
            days = sorted(x for x in dates if isinstance(x, dt.date))
            if not days:
                return
            last = max([x for x in (ends or []) if isinstance(x, dt.date)] + days)
            text = label if len(days) == 1 else f"{label} ×{len(days)}"
            if ids:
                text += f' <span class="small mono">{ids}</span>'
            if last != days[0]:
                span = paren(self.lang, f"{days[0].isoformat()} – {last.isoformat()}")
                text += f'<span class="small">{span}</span>'
            out.append((days[0], 0, text))

        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for a in d.get("activities", []):
            by_kind[a.get("kind", "")].append(a)
        for kind, acts in by_kind.items():
            ends = [
                a["date"] + dt.timedelta(days=max(int(a.get("days") or 1), 1) - 1)
                for a in acts
                if isinstance(a.get("date"), dt.date)
            ]
            ids = punct(self.lang, "list").join(esc(a.get("id", "")) for a in acts[:3]) + (
                "…" if len(acts) > 3 else ""
            )
            grouped(self.label("activity_kind", kind), [a.get("date") for a in acts], ends, ids)
        talks = d.get("talks", [])
        if talks:
            good = sum(1 for t in talks if face_to_face(t))
            grouped(
                esc(self.w("talk_word")),
                [t.get("date") for t in talks],
                ids=f"{esc(self.w('in_person'))} {good}",
            )
        docs: dict[str, list[Any]] = defaultdict(list)
        reviews: dict[str, list[Any]] = defaultdict(list)
        for doc in d.get("documents", []):
            docs[doc.get("kind", "other")].append(doc.get("date"))
            if doc.get("review_date"):
                reviews[doc.get("kind", "other")].append(doc.get("review_date"))
        for kind, dates in docs.items():
            grouped(self.label("document_kind", kind), dates)
        for kind, dates in reviews.items():
            grouped(esc(self.w("review")) + self.label("document_kind", kind), dates)
        feedback = [
            (o.get("feedback") or {}).get("date")
            for o in d.get("opinions", [])
            if o.get("feedback")
        ]
        grouped(esc(self.w("feedback")), feedback)
        grouped(esc(self.w("invitation")), [i.get("date") for i in d.get("invitations", [])])
        for s in d.get("submissions", []):
            if not isinstance(s.get("date"), dt.date):
                continue
            to = punct(self.lang, "list").join(self.name(o) for o in s.get("to", []))
            n = len(s.get("documents", []))
            out.append(
                (
                    s["date"],
                    0,
                    esc(self.w("submission"))
                    + paren(self.lang, self.label("purpose", s.get("purpose", "")))
                    + f" → {to}"
                    + '<span class="small">'
                    + paren(
                        self.lang,
                        f"{n} {esc(self.w('documents_n'))}{punct(self.lang, 'comma')}"
                        f'<span class="mono">{esc(s.get("id", ""))}</span>',
                    )
                    + "</span>",
                )
            )
        for a in d.get("approvals", []):
            if isinstance(a.get("date"), dt.date):
                out.append(
                    (
                        a["date"],
                        0,
                        f"{self.name(a.get('org'))} {esc(self.w('approval'))}{punct(self.lang, 'colon')}"
                        f"{self.label('approval_subject', a.get('subject', ''))}",
                    )
                )
        for inst in d.get("institutions", []):
            if isinstance(inst.get("date"), dt.date):
                out.append(
                    (
                        inst["date"],
                        0,
                        f"{esc(self.w('institution'))}{punct(self.lang, 'colon')}"
                        f"{esc(inst.get('title', ''))}",
                    )
                )
        meeting = d.get("meeting") or {}
        planned = meeting.get("planned_date")
        if isinstance(planned, dt.date) and planned != self.report.meeting_date:
            out.append((planned, 1, esc(self.w("meeting_planned"))))
        out.append((self.report.meeting_date, 1, esc(self.w("meeting_held"))))
        return out

    def timeline(self) -> str:
        rows: list[tuple[dt.date, int, int, str]] = []
        for i, (day, rank, text) in enumerate(self.events()):
            css = "meeting" if rank == 1 and day == self.report.meeting_date else "event"
            rows.append(
                (
                    day,
                    rank,
                    i,
                    f'<tr class="{css}"><td class="date">{day.isoformat()}</td>'
                    f'<td class="rel">{self.rel(day)}</td><td>{text}</td><td></td></tr>',
                )
            )
        if self.report.as_of:
            day = self.report.as_of
            rows.append(
                (
                    day,
                    3,
                    0,
                    f'<tr class="asof"><td class="date">{day.isoformat()}</td>'
                    f'<td class="rel">{self.rel(day)}</td><td>{esc(self.w("as_of_row"))}</td><td></td></tr>',
                )
            )
        for i, r in enumerate(self.report.results):
            due = self.rule_due(r)
            if due is None:
                continue
            detail = ""
            open_f = [f for f in r.findings if not f.waived]
            if r.status in ("failed", "pending") and open_f:
                first = esc(open_f[0].message.get(self.lang))
                more = f"<br>{esc(self.w('more', n=len(open_f) - 1))}" if len(open_f) > 1 else ""
                detail = f'<div class="small">{first}{more}</div>'
            rows.append(
                (
                    due,
                    2,
                    i,
                    f'<tr class="deadline"><td class="date">{due.isoformat()}</td>'
                    f'<td class="rel">{self.rel(due)}</td>'
                    f'<td><span class="tag">{esc(self.w("deadline"))}</span> {esc(r.title.get(self.lang))} '
                    f'<span class="small">{clause_text(self.lang, r.clause)} <code>{esc(r.rule)}</code></span>'
                    f"{detail}</td><td>{self.status(r)}</td></tr>",
                )
            )
        rows.sort(key=lambda row: (row[0], row[1], row[2]))
        head = (
            f"<tr><th>{esc(self.w('day'))}</th><th></th>"
            f"<th>{esc(self.w('event'))} / {esc(self.w('deadline'))}</th>"
            f"<th>{esc(self.w('status'))}</th></tr>"
        )
        body = "".join(row[3] for row in rows)
        return (
            f'<section id="{self.id("timeline")}"><h2>{esc(self.w("timeline"))}</h2>'
            f'<table class="timeline"><thead>{head}</thead><tbody>{body}</tbody></table></section>'
        )

    # matrices ---------------------------------------------------------------------------------

    def person_header(self, pid: str, extra: str = "") -> str:
        p = self.people.get(pid, {})
        sub = extra or esc(p.get("title") or "")
        return f'{self.name(pid)}<br><span class="small">{sub}</span>' if sub else self.name(pid)

    def absence_note(self, pid: str) -> str:
        for a in (self.data.get("meeting") or {}).get("absences", []) or []:
            if a.get("person") == pid:
                return esc(self.w("on_leave") if a.get("leave_approved") else self.w("absent"))
        return ""

    def cell(
        self,
        subject: str,
        marks: RuleMarks,
        good: list[str],
        bad: list[str],
        required: bool,
        lists: RecordLists,
        label: str,
    ) -> str:
        """One grid cell: ✓ done, ✓! done but flagged, ✗ missing, ~ waived, … not yet due.
        ``marks`` are the report's findings on the pair and on the items that make it."""
        colon, semi = punct(self.lang, "colon"), punct(self.lang, "semi")
        notes = [esc(r.rule) + colon + esc(f.message.get(self.lang)) for r, f in marks.open]
        if good:
            title = "; ".join(good + notes)
            if marks.open:
                lists.flagged.setdefault(subject, label + colon + semi.join(notes))
                return f'<td class="flag" title="{title}">✓!</td>'
            return f'<td class="ok" title="{title}">✓</td>'
        if required or marks.open or marks.waived or marks.pending:
            if marks.waived and not marks.open:
                w = marks.waived[0][1].waiver
                reason = (
                    self.w("waived_by", r=w.reason, a=self.raw_name(w.approved_by)) if w else ""
                )
                lists.waived.setdefault(subject, label + paren(self.lang, esc(reason)))
                return f'<td class="waived" title="{esc(reason)}">~</td>'
            if marks.pending and not marks.open:
                due = marks.pending[0][1].due
                when = f"{self.w('due')} {due.isoformat()}" if due else self.w("due")
                lists.pending.setdefault(subject, label + paren(self.lang, esc(when)))
                return f'<td class="pending" title="{esc(when)}">…</td>'
            why = semi.join(f"{b}{self.w('not_counted')}" for b in bad)
            lists.missing.setdefault(subject, label + (paren(self.lang, why) if why else ""))
            return f'<td class="missing" title="{why}">✗</td>'
        if bad:
            return f'<td class="na" title="{"; ".join(bad)}">·</td>'
        return '<td class="na"></td>'

    def talks(self) -> str:
        title = f"<h2>{esc(self.w('talks'))}</h2>"
        if self.ctx.record is None or not self.members:
            return f'<section id="{self.id("talks")}">{title}<p>{esc(self.w("no_record"))}</p></section>'
        talks = [t for t in self.data.get("talks", []) if isinstance(t, dict)]
        rules = pack_pairs(self.ctx, talks, ordered=False)
        heads: list[str] = []
        dept_of: dict[str, str] = {}
        departments = {d.get("id"): d for d in self.data.get("departments", [])}
        for m in self.members:
            for dep in self.people[m].get("supervises") or []:
                head = (departments.get(dep) or {}).get("head")
                if head and head not in heads and head not in self.members:
                    heads.append(head)
                    dept_of[head] = str((departments.get(dep) or {}).get("name") or dep)
        if rules is not None:
            required = rules.required
            qualifies = rules.qualifies
            for a, b in sorted(required):
                for x, y in ((a, b), (b, a)):
                    if x in self.members and y not in self.members and y not in heads:
                        heads.append(y)
        else:
            required = {
                pair_key(a, b) for i, a in enumerate(self.members) for b in self.members[i + 1 :]
            }
            for m in self.members:
                for dep in self.people[m].get("supervises") or []:
                    head = (departments.get(dep) or {}).get("head")
                    if head:
                        required.add(pair_key(m, head))
            qualifies = face_to_face
        # pair -> (qualifying talks, other talks, ids of the qualifying ones)
        by_pair: dict[Pair, tuple[list[str], list[str], list[str]]] = defaultdict(
            lambda: ([], [], [])
        )
        for t in talks:
            people = sorted(set(t.get("participants") or []))
            desc = f"{t.get('id', '')} {t.get('date', '')} " + self.label(
                "talk_mode", str(t.get("mode", ""))
            )
            ok = qualifies(t)
            for i, a in enumerate(people):
                for b in people[i + 1 :]:
                    entry = by_pair[(a, b)]
                    entry[0 if ok else 1].append(esc(desc))
                    if ok:
                        entry[2].append(str(t.get("id")))
        cols = self.members + heads
        lists = RecordLists()
        head_cells = "".join(
            f'<th class="col">{self.name(c)}</th>' for c in self.members
        ) + "".join(
            f'<th class="col">{self.person_header(c, esc(dept_of.get(c, "")))}</th>' for c in heads
        )
        group_row = (
            f'<tr><th rowspan="2">{esc(self.w("talker"))}</th>'
            f'<th class="group" colspan="{len(self.members)}">{esc(self.w("members"))}</th>'
            + (
                f'<th class="group" colspan="{len(heads)}">{esc(self.w("heads"))}</th>'
                if heads
                else ""
            )
            + "</tr>"
        )
        rows = []
        for a in self.members:
            cells = []
            for b in cols:
                if a == b:
                    cells.append('<td class="self"></td>')
                    continue
                key = pair_key(a, b)
                good, bad, ids = by_pair.get(key, ([], [], []))
                subject = "~".join(key)
                # A talk that counts may still be flagged by itself (e.g. a rule on its date).
                marks = merge_marks(self.marks.get(subject), *(self.marks.get(i) for i in ids))
                label = f"{self.name(a)} — {self.name(b)}"
                cells.append(self.cell(subject, marks, good, bad, key in required, lists, label))
            rows.append(f"<tr><th>{self.person_header(a)}</th>{''.join(cells)}</tr>")
        return (
            f'<section id="{self.id("talks")}" class="matrix-block">{title}'
            f'<table class="matrix talks"><thead>{group_row}<tr>{head_cells}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{self.legend()}"
            f"{self.lists(lists, 'missing_talks')}</section>"
        )

    def criticisms(self) -> str:
        title = f"<h2>{esc(self.w('criticisms'))}</h2>"
        if self.ctx.record is None or not self.members:
            return f'<section id="{self.id("criticisms")}">{title}<p>{esc(self.w("no_record"))}</p></section>'
        meeting = self.data.get("meeting") or {}
        items = [c for c in meeting.get("criticisms", []) or [] if isinstance(c, dict)]
        rules = pack_pairs(self.ctx, items, ordered=True)
        if rules is not None:
            required = rules.required
        else:
            leave = {
                a.get("person")
                for a in meeting.get("absences", []) or []
                if a.get("leave_approved")
            }
            present = [m for m in self.members if m not in leave]
            required = {(a, b) for a in present for b in present if a != b}
        by_pair: dict[Pair, list[dict[str, Any]]] = defaultdict(list)
        for c in items:
            by_pair[(str(c.get("from")), str(c.get("to")))].append(c)
        lists = RecordLists()
        rows = []
        for a in self.members:
            cells = []
            for b in self.members:
                if a == b:
                    cells.append('<td class="self"></td>')
                    continue
                crits = by_pair.get((a, b), [])
                good = [
                    esc(
                        f"{c.get('id', '')}{punct(self.lang, 'colon')}{str(c.get('text', ''))[:60]}"
                    )
                    for c in crits
                ]
                # A criticism can be flagged by itself (e.g. only a hope): fold those marks in.
                subject = f"{a}>{b}"
                marks = merge_marks(
                    self.marks.get(subject), *(self.marks.get(str(c.get("id"))) for c in crits)
                )
                label = f"{self.name(a)} → {self.name(b)}"
                cells.append(self.cell(subject, marks, good, [], (a, b) in required, lists, label))
            note = self.absence_note(a)
            rows.append(f"<tr><th>{self.person_header(a, note)}</th>{''.join(cells)}</tr>")
        head_cells = "".join(
            f'<th class="col">{self.name(c)}'
            + (
                f'<br><span class="small">{self.absence_note(c)}</span>'
                if self.absence_note(c)
                else ""
            )
            + "</th>"
            for c in self.members
        )
        return (
            f'<section id="{self.id("criticisms")}" class="matrix-block">{title}'
            f'<table class="matrix criticisms"><thead><tr><th>{esc(self.w("critic"))}</th>'
            f"{head_cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"{self.legend()}{self.lists(lists, 'missing_criticisms')}</section>"
        )

    def legend(self) -> str:
        keys = (
            (("ok", "✓"), Text("已完成", "done")),
            (("flag", "✓!"), Text("已完成但有问题（见下）", "done, but flagged (below)")),
            (("missing", "✗"), Text("缺少（必须）", "missing (required)")),
            (("waived", "~"), Text("已豁免", "waived")),
            (("pending", "…"), Text("尚未到期", "not yet due")),
            (("na", ""), Text("不要求", "not required")),
        )
        parts = "".join(
            f'<span class="key {css}">{mark or "&nbsp;"}</span>{esc(t.get(self.lang))}'
            for (css, mark), t in keys
        )
        return f'<p class="legend">{parts}</p>'

    def lists(self, lists: RecordLists, missing_key: str) -> str:
        """The grid's marks in words: tooltips do not print."""
        out = []
        for key, items in (
            (missing_key, lists.missing),
            ("flagged", lists.flagged),
            ("waived_pairs", lists.waived),
            ("pending_pairs", lists.pending),
        ):
            if items:
                lis = "".join(f"<li>{item}</li>" for item in items.values())
                out.append(
                    f"<h4>{esc(self.w(key))}{paren(self.lang, str(len(items)))}</h4>"
                    f'<ul class="gaps">{lis}</ul>'
                )
        return "".join(out)

    # findings ---------------------------------------------------------------------------------

    def finding_row(self, f: FindingResult) -> str:
        lang = self.lang
        where = esc(f.path or "/") if f.path is not None else ""
        if f.line is not None:
            where += f'<br><span class="small">{esc(self.report.source)}:{f.line}:{f.column}</span>'
        message = esc(f.message.get(lang))
        css = ""
        if f.waived and f.waiver is not None:
            w = f.waiver
            approver = self.name(w.approved_by) if w.approved_by else "—"
            when = f" {w.date.isoformat()}" if w.date else ""
            message += (
                f'<div class="small">{esc(self.w("waived_by", r=w.reason, a=""))}'
                f"{approver}{esc(when)}</div>"
            )
            css = ' class="waived"'
        elif f.pending:
            message += f'<div class="small">{esc(STATUS["pending"][1].get(lang))}</div>'
        return (
            f'<tr{css}><td class="mono">{esc(f.subject or "—")}</td><td>{message}</td>'
            f"<td>{esc(f.expected.get(lang)) if f.expected else ''}</td>"
            f"<td>{esc(f.found.get(lang)) if f.found else ''}</td>"
            f'<td class="date">{f.due.isoformat() if f.due else ""}</td><td>{where}</td></tr>'
        )

    def rule_article(self, r: RuleResult) -> str:
        lang = self.lang
        css: str = r.status
        if r.status == "failed" and (r.level or r.severity) != "error":
            css = "warn"
        head = (
            f"<tr><th>{esc(self.w('subject'))}</th><th>{esc(self.w('problem'))}</th>"
            f"<th>{esc(self.w('expected'))}</th><th>{esc(self.w('found'))}</th>"
            f"<th>{esc(self.w('due'))}</th><th>{esc(self.w('where'))}</th></tr>"
        )
        rows = "".join(self.finding_row(f) for f in r.findings)
        table = (
            f'<table class="findings"><thead>{head}</thead><tbody>{rows}</tbody></table>'
            if rows
            else ""
        )
        error = f"<p>{esc(r.error)}</p>" if r.error else ""
        return (
            f'<article class="rule {css}"><h4>{self.status(r)} <code>{esc(r.rule)}</code> '
            f"{esc(r.title.get(lang))} {clause_text(lang, r.clause)}</h4>"
            f'<p class="small">{esc(r.message.get(lang))}</p>'
            + (f"<blockquote>{esc(r.quote)}</blockquote>" if r.quote else "")
            + f"{error}{table}</article>"
        )

    def findings(self) -> str:
        lang = self.lang
        parts = [f'<section id="{self.id("findings")}"><h2>{esc(self.w("findings"))}</h2>']
        for phase, label in PHASES.items():
            results = [r for r in self.report.results if r.phase == phase]
            if not results:
                continue
            ok = sum(1 for r in results if r.status == "passed")
            parts.append(f"<h3>{esc(label.get(lang))}{paren(lang, f'{ok}/{len(results)}')}</h3>")
            rows = "".join(
                f"<tr><td>{self.status(r)}</td><td><code>{esc(r.rule)}</code></td>"
                f"<td>{esc(r.title.get(lang))}</td><td>{esc(r.clause)}</td>"
                f"<td>{len(r.findings) or ''}</td></tr>"
                for r in results
            )
            parts.append(
                f'<table class="rules"><thead><tr><th>{esc(self.w("status"))}</th>'
                f"<th>{esc(self.w('rule'))}</th><th>{esc(self.w('title'))}</th>"
                f"<th>{esc(self.w('clause'))}</th><th>{esc(self.w('problem'))}</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>"
            )
            detailed = [r for r in results if r.status != "passed"]
            if detailed:
                parts.extend(self.rule_article(r) for r in detailed)
            else:
                parts.append(f"<p>{esc(self.w('all_passed'))}</p>")
        if self.report.unused_waivers:
            items = "".join(
                f"<li><code>{esc(w.rule)}</code> {esc(w.subject or '')} "
                f'<span class="small">{esc(w.origin)} {esc(w.pointer)}</span>{punct(lang, "colon")}'
                f"{esc(w.reason.get(lang))}</li>"
                for w in self.report.unused_waivers
            )
            parts.append(f"<h3>{esc(self.w('unused'))}</h3><ul>{items}</ul>")
        parts.append("</section>")
        return "".join(parts)

    def section(self) -> str:
        return (
            f'<section class="record" id="{self.id("record")}">'
            f"{self.summary()}{self.timeline()}{self.talks()}{self.criticisms()}{self.findings()}"
            "</section>"
        )
