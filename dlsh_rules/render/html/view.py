"""What one record's page shows, as plain values for the templates (templates/record.html.j2):
verdict, timeline, talk and criticism matrices, rules and findings, and the technical appendix.

Nothing here writes HTML: every text is plain and the templates escape it. Officials read the
body; rule ids, JSON pointers, file:line and the record's own ids go to the appendix, which the
body points at by number ("技术附录 3").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...errors import Text
from ...evaluate.context import Context
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
from .words import COUNTS, STATUS, Pair, W, article_css, clause_text, paren, punct, status_of


@dataclass
class Event:
    """Something the record shows was done, for the timeline (plain text)."""

    day: dt.date
    rank: int  # 0 an event, 1 the meeting, 2 a deadline, 3 the day of the check
    text: str
    note: str = ""
    ids: tuple[str, ...] = ()  # the record's ids: shown in the appendix, not the body


@dataclass
class Cell:
    css: str
    mark: str = ""
    title: str = ""


@dataclass
class Grid:
    """A talk or criticism matrix: column heads, then rows of cells, then the marks in words."""

    present: bool
    columns: list[tuple[str, str]] = field(default_factory=list)  # (name, small text)
    rows: list[tuple[str, str, list[Cell]]] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(default_factory=list)  # (label, colspan) over columns
    lists: list[tuple[str, list[str]]] = field(default_factory=list)


LEGEND = (
    ("ok", "✓", Text("已完成", "done")),
    ("flag", "✓!", Text("已完成但有问题（见下）", "done, but flagged (below)")),
    ("missing", "✗", Text("缺少（必须）", "missing (required)")),
    ("waived", "~", Text("已豁免", "waived")),
    ("pending", "…", Text("尚未到期", "not yet due")),
    ("na", "", Text("不要求", "not required")),
)


class View:
    """One record's sections, as values for templates/record.html.j2."""

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
        # Each rule's number in the appendix, in the report's order.
        self.refs = {r.rule: n for n, r in enumerate(self.report.results, 1)}

    # small helpers

    def w(self, key: str, **kw: object) -> str:
        text = W[key].get(self.lang)
        return text.format(**kw) if kw else text

    def id(self, name: str) -> str:
        return f"{self.anchor}{name}"

    def name(self, oid: str | None) -> str:
        """A record id as a name (person, org, department)."""
        if oid is None:
            return "—"
        if self.ctx.record is not None:
            found = self.ctx.record.index.get(oid)
            if found is not None and isinstance(found.obj.get("name"), str):
                return str(found.obj["name"])
        return oid

    def subject_name(self, subject: str | None) -> str:
        """A finding's subject in names: a pair "a~b" as "A — B", an ordered "a>b" as "A → B"."""
        if subject is None:
            return "—"
        for sep, shown in (("~", " — "), (">", " → ")):
            if sep in subject:
                a, _, b = subject.partition(sep)
                return f"{self.name(a)}{shown}{self.name(b)}"
        return self.name(subject)

    def label(self, enum: str, value: str) -> str:
        if self.lang == "en":
            if self.ctx.record is not None:
                return self.ctx.record.enums.en_label(enum, value)
            return value.replace("_", " ")
        if self.ctx.record is not None:
            return self.ctx.record.enums.label(enum, value)
        return value

    def rel(self, day: dt.date) -> str:
        delta = (day - self.report.meeting_date).days
        return "D" if delta == 0 else f"D{delta:+d}"

    def see(self, rule: str) -> dict[str, str]:
        """The body's pointer to a rule's entry in the appendix."""
        n = self.refs.get(rule, 0)
        return {"href": "#" + self.id(f"tech-{n}"), "text": self.w("see_appendix", n=n)}

    # the head of the page ---------------------------------------------------------------------

    def check_date(self) -> dt.date | None:
        """The date of the check: the one given for the report, else --as-of; never the clock."""
        return self.ctx.date or self.report.as_of

    def pack_text(self) -> str:
        rep = self.report
        ident = f"{rep.pack_id} v{rep.pack_version}"
        pack = self.ctx.pack
        if pack is not None and pack.id == rep.pack_id:
            return Text.of(pack.manifest.title).get(self.lang) + paren(self.lang, ident)
        return ident

    def summary(self) -> dict[str, Any]:
        rep, lang = self.report, self.lang
        unit = self.data.get("unit") or {}
        meeting = self.data.get("meeting") or {}
        s = rep.summary
        year = meeting.get("year")
        heading = (
            f"{rep.unit} {unit.get('party_org') or ''} "
            + (f"{year}年度" if year and lang != "en" else "")
            + self.w("report")
            + (f" {year}" if year and lang == "en" else "")
        )
        date = rep.meeting_date.isoformat()
        planned = meeting.get("planned_date")
        if isinstance(planned, dt.date) and planned != rep.meeting_date:
            date += paren(self.lang, f"{self.w('planned')} {planned.isoformat()}")
        facts: list[tuple[str, str]] = [
            (self.w("unit"), rep.unit),
            (self.w("party_org"), unit.get("party_org") or "—"),
            (self.w("date"), date),
        ]
        if meeting.get("theme"):
            facts.append((self.w("theme"), str(meeting["theme"])))
        if meeting.get("chair"):
            facts.append((self.w("chair"), self.name(meeting["chair"])))
        facts.append((self.w("pack"), self.pack_text()))
        checked = self.check_date()
        facts.append(
            (self.w("check_date"), checked.isoformat() if checked else self.w("blank_date"))
        )
        if rep.as_of and rep.as_of != checked:
            facts.append((self.w("judged_as_of"), rep.as_of.isoformat()))
        counts = s.to_dict()
        return {
            "id": self.id("summary"),
            "heading": heading,
            "ok": s.compliant,
            "verdict_label": self.w("verdict") + punct(lang, "colon"),
            "verdict": self.w("compliant") if s.compliant else self.w("not_compliant"),
            "facts": facts,
            "counts": [(label.get(lang), counts[key]) for key, label in COUNTS],
            "nav": [
                ("#" + self.id(name), self.w(name))
                for name in ("timeline", "talks", "criticisms", "findings", "appendix")
            ],
        }

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

    def events(self) -> list[Event]:
        """What the record shows was done, by date."""
        d = self.data
        out: list[Event] = []

        def grouped(
            label: str,
            dates: Iterable[Any],
            ends: Iterable[Any] | None = None,
            ids: Iterable[str] = (),
            note: str = "",
        ) -> None:
            days = sorted(x for x in dates if isinstance(x, dt.date))
            if not days:
                return
            last = max([x for x in (ends or []) if isinstance(x, dt.date)] + days)
            text = label if len(days) == 1 else f"{label} ×{len(days)}"
            if last != days[0]:
                note += paren(self.lang, f"{days[0].isoformat()} – {last.isoformat()}")
            out.append(Event(days[0], 0, text, note, tuple(ids)))

        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for a in d.get("activities", []):
            by_kind[a.get("kind", "")].append(a)
        for kind, acts in by_kind.items():
            ends = [
                a["date"] + dt.timedelta(days=max(int(a.get("days") or 1), 1) - 1)
                for a in acts
                if isinstance(a.get("date"), dt.date)
            ]
            ids = [str(a.get("id", "")) for a in acts]
            grouped(self.label("activity_kind", kind), [a.get("date") for a in acts], ends, ids)
        talks = d.get("talks", [])
        if talks:
            good = sum(1 for t in talks if face_to_face(t))
            grouped(
                self.w("talk_word"),
                [t.get("date") for t in talks],
                note=f"{self.w('in_person')} {good}",
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
            grouped(self.w("review") + self.label("document_kind", kind), dates)
        feedback = [
            (o.get("feedback") or {}).get("date")
            for o in d.get("opinions", [])
            if o.get("feedback")
        ]
        grouped(self.w("feedback"), feedback)
        grouped(self.w("invitation"), [i.get("date") for i in d.get("invitations", [])])
        for s in d.get("submissions", []):
            if not isinstance(s.get("date"), dt.date):
                continue
            to = punct(self.lang, "list").join(self.name(o) for o in s.get("to", []))
            n = len(s.get("documents", []))
            out.append(
                Event(
                    s["date"],
                    0,
                    self.w("submission")
                    + paren(self.lang, self.label("purpose", s.get("purpose", "")))
                    + f" → {to}",
                    paren(self.lang, f"{n} {self.w('documents_n')}"),
                    (str(s.get("id", "")),),
                )
            )
        for a in d.get("approvals", []):
            if isinstance(a.get("date"), dt.date):
                subject = self.label("approval_subject", a.get("subject", ""))
                text = f"{self.name(a.get('org'))} {self.w('approval')}{punct(self.lang, 'colon')}"
                out.append(Event(a["date"], 0, text + subject))
        for inst in d.get("institutions", []):
            if isinstance(inst.get("date"), dt.date):
                text = f"{self.w('institution')}{punct(self.lang, 'colon')}{inst.get('title', '')}"
                out.append(Event(inst["date"], 0, text))
        meeting = d.get("meeting") or {}
        planned = meeting.get("planned_date")
        if isinstance(planned, dt.date) and planned != self.report.meeting_date:
            out.append(Event(planned, 1, self.w("meeting_planned")))
        out.append(Event(self.report.meeting_date, 1, self.w("meeting_held")))
        return out

    def timeline(self, events: list[Event]) -> dict[str, Any]:
        rows: list[tuple[dt.date, int, int, dict[str, Any]]] = []
        row: dict[str, Any]
        for i, e in enumerate(events):
            css = "meeting" if e.rank == 1 and e.day == self.report.meeting_date else "event"
            row = {"css": css, "date": e.day.isoformat(), "rel": self.rel(e.day)}
            rows.append((e.day, e.rank, i, {**row, "text": e.text, "note": e.note}))
        if self.report.as_of:
            day = self.report.as_of
            row = {"css": "asof", "date": day.isoformat(), "rel": self.rel(day)}
            rows.append((day, 3, 0, {**row, "text": self.w("as_of_row"), "note": ""}))
        for i, r in enumerate(self.report.results):
            due = self.rule_due(r)
            if due is None:
                continue
            detail: list[str] = []
            open_f = [f for f in r.findings if not f.waived]
            if r.status in ("failed", "pending") and open_f:
                detail.append(open_f[0].message.get(self.lang))
                if len(open_f) > 1:
                    detail.append(self.w("more", n=len(open_f) - 1))
            row = {
                "css": "deadline",
                "date": due.isoformat(),
                "rel": self.rel(due),
                "tag": self.w("deadline"),
                "text": r.title.get(self.lang),
                "clause": clause_text(self.lang, r.clause),
                "detail": detail,
                "status": status_of(r, self.lang),
            }
            rows.append((due, 2, i, row))
        rows.sort(key=lambda row: (row[0], row[1], row[2]))
        return {
            "id": self.id("timeline"),
            "title": self.w("timeline"),
            "head": (self.w("day"), f"{self.w('event')} / {self.w('deadline')}", self.w("status")),
            "rows": [row[3] for row in rows],
        }

    # matrices ---------------------------------------------------------------------------------

    def person_head(self, pid: str, extra: str = "") -> tuple[str, str]:
        p = self.people.get(pid, {})
        return self.name(pid), extra or str(p.get("title") or "")

    def absence_note(self, pid: str) -> str:
        for a in (self.data.get("meeting") or {}).get("absences", []) or []:
            if a.get("person") == pid:
                return self.w("on_leave") if a.get("leave_approved") else self.w("absent")
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
    ) -> Cell:
        """One grid cell: ✓ done, ✓! done but flagged, ✗ missing, ~ waived, … not yet due.
        ``marks`` are the report's findings on the pair and on the items that make it."""
        colon, semi = punct(self.lang, "colon"), punct(self.lang, "semi")
        notes = [f.message.get(self.lang) for _, f in marks.open]
        if good:
            # The tooltip (screen only) keeps the rule ids; the printed list does not.
            title = "; ".join(
                good + [r.rule + colon + f.message.get(self.lang) for r, f in marks.open]
            )
            if marks.open:
                lists.flagged.setdefault(subject, label + colon + semi.join(notes))
                return Cell("flag", "✓!", title)
            return Cell("ok", "✓", title)
        if required or marks.open or marks.waived or marks.pending:
            if marks.waived and not marks.open:
                w = marks.waived[0][1].waiver
                reason = self.w("waived_by", r=w.reason, a=self.name(w.approved_by)) if w else ""
                lists.waived.setdefault(subject, label + paren(self.lang, reason))
                return Cell("waived", "~", reason)
            if marks.pending and not marks.open:
                due = marks.pending[0][1].due
                when = f"{self.w('due')} {due.isoformat()}" if due else self.w("due")
                lists.pending.setdefault(subject, label + paren(self.lang, when))
                return Cell("pending", "…", when)
            why = semi.join(f"{b}{self.w('not_counted')}" for b in bad)
            lists.missing.setdefault(subject, label + (paren(self.lang, why) if why else ""))
            return Cell("missing", "✗", why)
        if bad:
            return Cell("na", "·", "; ".join(bad))
        return Cell("na")

    def lists(self, lists: RecordLists, missing_key: str) -> list[tuple[str, list[str]]]:
        """The grid's marks in words: tooltips do not print."""
        out = []
        for key, items in (
            (missing_key, lists.missing),
            ("flagged", lists.flagged),
            ("waived_pairs", lists.waived),
            ("pending_pairs", lists.pending),
        ):
            if items:
                out.append((self.w(key) + paren(self.lang, str(len(items))), list(items.values())))
        return out

    def talks(self) -> Grid:
        if self.ctx.record is None or not self.members:
            return Grid(False)
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
                    entry[0 if ok else 1].append(desc)
                    if ok:
                        entry[2].append(str(t.get("id")))
        lists = RecordLists()
        grid = Grid(True)
        grid.columns = [(self.name(c), "") for c in self.members] + [
            self.person_head(c, dept_of.get(c, "")) for c in heads
        ]
        grid.groups = [(self.w("members"), len(self.members))]
        if heads:
            grid.groups.append((self.w("heads"), len(heads)))
        for a in self.members:
            cells = []
            for b in self.members + heads:
                if a == b:
                    cells.append(Cell("self"))
                    continue
                key = pair_key(a, b)
                good, bad, ids = by_pair.get(key, ([], [], []))
                subject = "~".join(key)
                # A talk that counts may still be flagged by itself (e.g. a rule on its date).
                marks = merge_marks(self.marks.get(subject), *(self.marks.get(i) for i in ids))
                label = f"{self.name(a)} — {self.name(b)}"
                cells.append(self.cell(subject, marks, good, bad, key in required, lists, label))
            grid.rows.append((*self.person_head(a), cells))
        grid.lists = self.lists(lists, "missing_talks")
        return grid

    def criticisms(self) -> Grid:
        if self.ctx.record is None or not self.members:
            return Grid(False)
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
        grid = Grid(True)
        grid.columns = [(self.name(c), self.absence_note(c)) for c in self.members]
        for a in self.members:
            cells = []
            for b in self.members:
                if a == b:
                    cells.append(Cell("self"))
                    continue
                crits = by_pair.get((a, b), [])
                good = [
                    f"{c.get('id', '')}{punct(self.lang, 'colon')}{str(c.get('text', ''))[:60]}"
                    for c in crits
                ]
                # A criticism can be flagged by itself (e.g. only a hope): fold those marks in.
                subject = f"{a}>{b}"
                marks = merge_marks(
                    self.marks.get(subject), *(self.marks.get(str(c.get("id"))) for c in crits)
                )
                label = f"{self.name(a)} → {self.name(b)}"
                cells.append(self.cell(subject, marks, good, [], (a, b) in required, lists, label))
            grid.rows.append((*self.person_head(a, self.absence_note(a)), cells))
        grid.lists = self.lists(lists, "missing_criticisms")
        return grid

    def matrices(self) -> dict[str, Any]:
        return {
            "talks": {"id": self.id("talks"), "title": self.w("talks"), "grid": self.talks()},
            "criticisms": {
                "id": self.id("criticisms"),
                "title": self.w("criticisms"),
                "grid": self.criticisms(),
            },
            "corner": {"talks": self.w("talker"), "criticisms": self.w("critic")},
            "legend": [(css, mark or "\u00a0", t.get(self.lang)) for css, mark, t in LEGEND],
            "no_record": self.w("no_record"),
        }

    # findings ---------------------------------------------------------------------------------

    def finding(self, f: FindingResult) -> dict[str, Any]:
        lang = self.lang
        note = ""
        if f.waived and f.waiver is not None:
            w = f.waiver
            approver = self.name(w.approved_by) if w.approved_by else "—"
            when = f" {w.date.isoformat()}" if w.date else ""
            note = self.w("waived_by", r=w.reason, a="") + approver + when
        elif f.pending:
            note = STATUS["pending"][1].get(lang)
        return {
            "waived": bool(f.waived and f.waiver is not None),
            "subject": self.subject_name(f.subject),
            "message": f.message.get(lang),
            "note": note,
            "expected": f.expected.get(lang) if f.expected else "",
            "found": f.found.get(lang) if f.found else "",
            "due": f.due.isoformat() if f.due else "",
        }

    def article(self, r: RuleResult) -> dict[str, Any]:
        return {
            "css": article_css(r),
            "status": status_of(r, self.lang),
            "title": r.title.get(self.lang),
            "clause": clause_text(self.lang, r.clause),
            "see": self.see(r.rule),
            "message": r.message.get(self.lang),
            "quote": r.quote,
            "error": r.error or "",
            "findings": [self.finding(f) for f in r.findings],
        }

    def rule_title(self, rule: str) -> str:
        for r in self.report.results:
            if r.rule == rule:
                return r.title.get(self.lang)
        return rule

    def findings(self) -> dict[str, Any]:
        lang = self.lang
        phases = []
        for phase, label in PHASES.items():
            results = [r for r in self.report.results if r.phase == phase]
            if not results:
                continue
            ok = sum(1 for r in results if r.status == "passed")
            phases.append(
                {
                    "title": label.get(lang) + paren(lang, f"{ok}/{len(results)}"),
                    "rows": [
                        {
                            "status": status_of(r, lang),
                            "see": self.see(r.rule),
                            "title": r.title.get(lang),
                            "clause": r.clause,
                            "count": len(r.findings) or "",
                        }
                        for r in results
                    ],
                    "articles": [self.article(r) for r in results if r.status != "passed"],
                }
            )
        unused = [
            self.rule_title(w.rule)
            + (paren(lang, self.subject_name(w.subject)) if w.subject else "")
            + punct(lang, "colon")
            + w.reason.get(lang)
            for w in self.report.unused_waivers
        ]
        return {
            "id": self.id("findings"),
            "title": self.w("findings"),
            "phases": phases,
            "all_passed": self.w("all_passed"),
            "unused_title": self.w("unused"),
            "unused": unused,
        }

    # the technical appendix -------------------------------------------------------------------

    def appendix(self, events: list[Event]) -> dict[str, Any]:
        rep, lang = self.report, self.lang
        rules = []
        for n, r in enumerate(rep.results, 1):
            findings = []
            for f in r.findings:
                # a finding that stands for several of one cause lists them after it, so the
                # appendix keeps every document and body the body's one line names
                for i, g in enumerate((f, *f.items)):
                    where = f"{rep.source}:{g.line}:{g.column}" if g.line is not None else ""
                    pointer = (g.path or "/") if g.path is not None else ""
                    if g.subject or pointer or where:
                        subject = ("↳ " if i else "") + (g.subject or "")
                        findings.append({"subject": subject, "pointer": pointer, "at": where})
            rules.append(
                {
                    "id": self.id(f"tech-{n}"),
                    "n": n,
                    "rule": r.rule,
                    "title": r.title.get(lang),
                    "status": status_of(r, lang),
                    "findings": findings,
                }
            )
        return {
            "id": self.id("appendix"),
            "title": self.w("appendix"),
            "note": self.w("appendix_note"),
            "facts": [
                (self.w("source"), rep.source),
                (self.w("pack"), f"{rep.pack_id} v{rep.pack_version}"),
                (self.w("tool"), f"dlsh_rules {rep.tool_version}"),
            ],
            "head": (
                self.w("ref"),
                self.w("rule_id"),
                self.w("title"),
                self.w("status"),
                self.w("subject"),
                self.w("pointer"),
                self.w("file_line"),
            ),
            "rules": rules,
            "events_title": self.w("record_ids"),
            "events": [
                (e.day.isoformat(), e.text, punct(lang, "list").join(e.ids))
                for e in sorted(events, key=lambda e: (e.day, e.rank))
                if e.ids
            ],
            "events_head": (self.w("day"), self.w("event"), self.w("ids")),
            "unused_title": self.w("unused"),
            "unused": [
                {
                    "rule": w.rule,
                    "subject": w.subject or "",
                    "origin": w.where,
                    "colon": punct(lang, "colon"),
                    "reason": w.reason.get(lang),
                }
                for w in rep.unused_waivers
            ],
        }

    def signature(self) -> dict[str, Any]:
        colon = punct(self.lang, "colon")
        return {
            "title": self.w("sign"),
            "checker": self.w("checker") + colon,
            "reviewer": self.w("reviewer") + colon,
            "date": self.w("sign_date") + colon,
            "blank_date": self.w("blank_date"),
            "seal": self.w("seal") + colon,
            "seal_note": self.w("seal_note"),
        }

    def values(self) -> dict[str, Any]:
        """Everything templates/record.html.j2 shows of this record."""
        events = self.events()
        return {
            "id": self.id("record"),
            "summary": self.summary(),
            "timeline": self.timeline(events),
            "matrices": self.matrices(),
            "findings": self.findings(),
            "signature": self.signature(),
            "appendix": self.appendix(events),
            "w": {k: self.w(k) for k in ("subject", "problem", "expected", "found", "due")},
            "labels": {
                "status": self.w("status"),
                "title": self.w("title"),
                "clause": self.w("clause"),
                "problem": self.w("problem"),
                "ref": self.w("ref"),
            },
        }
