"""One self-contained, printable HTML page for the organiser and the supervising bodies.

Sections per record: the meeting at a glance and the verdict; a timeline of preparation and
follow-up (what the record shows was done, and each rule's deadline with whether it was met);
the talk matrix (三必谈); the criticism matrix (相互批评); and every rule with its findings,
grouped by phase. A batch page starts with an index of the records and their verdicts.

The page loads nothing: inline CSS, system fonts, no script, no external URL, so it can be
mailed, archived or printed as it is. Record text is untrusted: everything taken from the
record or the report goes through html.escape.

Which pairs the matrices require comes from the rule pack when the context carries one (the
pack's `pairs` checks over talks and criticisms, evaluated on this record), so the grids agree
with the report; without a pack, from the record format's defaults: every two party group
members and each member with the heads of the departments he supervises talk one-on-one and
face to face; every present member criticises every other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..errors import InputError, Text
from ..evaluate.context import Context

# The engine's own pair generator: the grids must show exactly the pairs the pack's rules check.
from ..evaluate.kinds.pairs import required_pairs
from ..evaluate.results import FindingResult, Report, RuleResult
from ..pack.loader import PHASES
from ..record.enums import DEFAULT
from ..record.validate import load_record
from . import BatchEntry, RenderContext, batch_lang

Pair = tuple[str, str]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


# Punctuation: full-width in Chinese, ASCII with spaces in English.
_PUNCT = {
    "zh": {"colon": "：", "open": "（", "close": "）", "list": "、", "semi": "；", "comma": "，"},
    "en": {"colon": ": ", "open": " (", "close": ")", "list": ", ", "semi": "; ", "comma": ", "},
}


def _p(lang: str, key: str) -> str:
    return _PUNCT["en" if lang == "en" else "zh"][key]


def _clause(lang: str, clause: str) -> str:
    return f"[{esc(clause)}]" if lang == "en" else f"［{esc(clause)}］"


def _paren(lang: str, text: str) -> str:
    return f"{_p(lang, 'open')}{text}{_p(lang, 'close')}"


# --- words -------------------------------------------------------------------------------------

_W: dict[str, Text] = {
    "report": Text("民主生活会合规检查报告", "Democratic life meeting: compliance report"),
    "meeting": Text("民主生活会", "democratic life meeting"),
    "unit": Text("单位", "Unit"),
    "party_org": Text("党组织", "Party organisation"),
    "date": Text("会议日期", "Meeting date"),
    "planned": Text("计划日期", "planned"),
    "theme": Text("会议主题", "Theme"),
    "chair": Text("主持人", "Chair"),
    "pack": Text("规则包", "Rule pack"),
    "source": Text("记录文件", "Record file"),
    "as_of": Text("检查日期", "Checked as of"),
    "verdict": Text("结论", "Verdict"),
    "compliant": Text("合规", "Compliant"),
    "not_compliant": Text("不合规", "Not compliant"),
    "broken": Text("无法检查", "Cannot be checked"),
    "timeline": Text("时间线：会前准备与会后工作", "Timeline: preparation and follow-up"),
    "talks": Text("谈心谈话矩阵（三必谈）", "Talk matrix (the mandatory talks)"),
    "criticisms": Text("相互批评矩阵", "Criticism matrix"),
    "findings": Text("逐条结论与问题", "Rules and findings"),
    "unused": Text("未生效的豁免", "Waivers that did not apply"),
    "index": Text("记录一览", "Records"),
    "no_record": Text(
        "未提供记录内容，无法绘制本节。", "The record itself was not provided; nothing to draw."
    ),
    "deadline": Text("截止", "Deadline"),
    "event": Text("记录中的事项", "In the record"),
    "status": Text("状态", "Status"),
    "rule": Text("规则", "Rule"),
    "title": Text("要求", "Requirement"),
    "clause": Text("条款", "Clause"),
    "subject": Text("对象", "Subject"),
    "problem": Text("问题", "Finding"),
    "expected": Text("应为", "Expected"),
    "found": Text("实际", "Found"),
    "due": Text("截止", "Due"),
    "where": Text("位置", "Location"),
    "critic": Text("批评者 ＼ 被批评者", "critic \\ criticised"),
    "talker": Text("党组成员 ＼ 谈话对象", "member \\ talked with"),
    "members": Text("党组成员", "Party group members"),
    "heads": Text("分管处室（中心）主要负责人", "Heads of supervised departments"),
    "missing_talks": Text("缺少的必谈", "Missing mandatory talks"),
    "missing_criticisms": Text("缺少的批评", "Missing criticisms"),
    "flagged": Text("有问题的", "Flagged"),
    "waived_pairs": Text("已豁免的", "Waived"),
    "pending_pairs": Text("尚未到期的", "Not yet due"),
    "all_passed": Text("本阶段全部规则通过。", "Every rule of this phase passed."),
    "generated": Text("由 dlsh_rules {v} 生成", "Made by dlsh_rules {v}"),
    "on_leave": Text("请假", "on leave"),
    "not_counted": Text("，不计入", ", does not count"),
    "day": Text("日期", "Date"),
    "absent": Text("缺席", "absent"),
    "meeting_held": Text("召开民主生活会", "The meeting is held"),
    "meeting_planned": Text("计划召开日期", "Planned meeting date"),
    "as_of_row": Text(
        "检查日期（此后的截止尚未到期）", "Checked as of (later deadlines not yet due)"
    ),
    "talk_word": Text("谈心谈话", "talks"),
    "in_person": Text("面对面", "in person"),
    "submission": Text("报送", "Sent"),
    "documents_n": Text("份材料", "documents"),
    "approval": Text("审查同意", "approves"),
    "invitation": Text("邀请上级机关到会指导", "Bodies invited to guide the meeting"),
    "feedback": Text("个人意见反馈本人", "Opinions fed back to members"),
    "review": Text("审阅", "Reviewed: "),
    "institution": Text("完善修订制度", "Institution revised"),
    "waived_by": Text("已豁免：{r}；批准：{a}", "waived: {r}; approved by {a}"),
    "more": Text("另有 {n} 项", "{n} more"),
}

_STATUS: dict[str, tuple[str, Text]] = {
    "passed": ("✓", Text("通过", "passed")),
    "failed": ("✗", Text("不符合", "failed")),
    "pending": ("…", Text("待到期", "pending")),
    "waived": ("~", Text("已豁免", "waived")),
    "not_applicable": ("–", Text("不适用", "not applicable")),
    "error": ("!", Text("出错", "error")),
}
_SEVERITY = {
    "error": Text("错误", "error"),
    "warning": Text("警告", "warning"),
    "info": Text("提示", "info"),
}
COUNTS = (
    ("rules", Text("规则", "rules")),
    ("passed", Text("通过", "passed")),
    ("failed", Text("不符合", "failed")),
    ("pending", Text("待到期", "pending")),
    ("waived", Text("已豁免", "waived")),
    ("not_applicable", Text("不适用", "n/a")),
    ("error", Text("出错", "error")),
)

# --- styles: screen and print, no external resources -----------------------------------------

CSS = """
:root { --ok:#1a7f37; --ok-bg:#dafbe1; --bad:#cf222e; --bad-bg:#ffebe9; --warn:#9a6700;
  --warn-bg:#fff8c5; --wv:#0550ae; --wv-bg:#ddf4ff; --na:#6e7781; --na-bg:#f6f8fa;
  --line:#d0d7de; --ink:#1f2328; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5; font-size: 15px;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
  "WenQuanYi Micro Hei", system-ui, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6em; margin: 0 0 .3em; }
h2 { font-size: 1.25em; margin: 2em 0 .6em; padding-bottom: .25em; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.08em; margin: 1.4em 0 .5em; }
h4 { font-size: 1em; margin: 1em 0 .3em; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
thead th { background: var(--na-bg); }
nav.sections { margin: .6em 0 0; font-size: .92em; }
nav.sections a { margin-right: 1.2em; }
.verdict { display: inline-block; font-weight: 700; font-size: 1.15em; padding: 2px 14px;
  border-radius: 4px; border: 2px solid; margin: .2em 0 .6em; }
.verdict.ok { color: var(--ok); background: var(--ok-bg); }
.verdict.bad { color: var(--bad); background: var(--bad-bg); }
.verdict.broken { color: var(--warn); background: var(--warn-bg); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: .4em 0 1em; }
dl.facts dt { font-weight: 600; color: #57606a; }
dl.facts dd { margin: 0; }
table.counts td, table.counts th { text-align: center; min-width: 4.2em; }
.st { white-space: nowrap; font-weight: 600; }
.st-passed { color: var(--ok); } .st-failed { color: var(--bad); } .st-pending { color: var(--warn); }
.st-waived { color: var(--wv); } .st-not_applicable { color: var(--na); } .st-error { color: #8250df; }
.st-warn { color: var(--warn); }
tr.deadline td { background: #fbfbfc; }
tr.meeting td { background: #eef2ff; font-weight: 700; }
tr.asof td { background: var(--warn-bg); }
td.date, td.rel { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.rel { color: #57606a; }
table.timeline { width: 100%; }
.small { font-size: .85em; color: #57606a; }
table.matrix { font-size: .92em; }
table.matrix th, table.matrix td { text-align: center; vertical-align: middle; padding: 2px; }
table.matrix tbody th { text-align: left; white-space: nowrap; padding: 3px 8px; background: var(--na-bg); }
table.matrix thead th.col { writing-mode: vertical-rl; white-space: nowrap; padding: 6px 2px;
  min-width: 2.4em; font-weight: 600; }
table.matrix thead th.col .small { font-weight: 400; }
table.matrix td { width: 2.4em; height: 2.1em; font-weight: 700; font-size: 1.05em; }
.ok { color: var(--ok); background: var(--ok-bg); }
.missing { color: #fff; background: var(--bad); }
.flag { color: var(--warn); background: var(--warn-bg); outline: 2px solid var(--warn); outline-offset: -3px; }
.waived { color: var(--wv); background: var(--wv-bg); }
.pending { color: var(--warn); background: var(--warn-bg); }
td.self { background: repeating-linear-gradient(45deg, #eaeef2 0 4px, #f6f8fa 4px 8px); }
.na { background: #fff; color: #afb8c1; font-weight: 400; }
.tag { display: inline-block; font-size: .8em; padding: 0 6px; border-radius: 3px;
  background: #57606a; color: #fff; }
th.group { background: #eaeef2; font-weight: 600; }
.legend { font-size: .88em; color: #57606a; margin: 0 0 .6em; }
.legend span.key { display: inline-block; min-width: 1.8em; text-align: center; font-weight: 700;
  border: 1px solid var(--line); margin: 0 .25em 0 .9em; }
ul.gaps { margin: .2em 0 1em; padding-left: 1.4em; }
article.rule { border: 1px solid var(--line); border-left: 5px solid var(--line); padding: 6px 12px;
  margin: .7em 0; break-inside: avoid; }
article.rule.failed { border-left-color: var(--bad); }
article.rule.warn { border-left-color: var(--warn); }
article.rule.pending { border-left-color: var(--warn); }
article.rule.waived { border-left-color: var(--wv); }
article.rule.error { border-left-color: #8250df; }
article.rule.not_applicable { border-left-color: var(--na); }
article.rule h4 { margin: .2em 0; }
blockquote { margin: .3em 0 .5em; padding: 2px 10px; border-left: 3px solid var(--line); color: #57606a; }
table.findings { width: 100%; font-size: .92em; }
tr.waived td { color: var(--wv); background: var(--wv-bg); }
table.findings td:first-child { white-space: nowrap; }
table.findings td:nth-child(2) { width: 38%; }
table.rules { width: 100%; font-size: .92em; }
section.record + section.record { border-top: 4px double var(--ink); margin-top: 3em; padding-top: 1em; }
table.index { width: 100%; }
table.index .verdict { margin: 0; padding: 0 8px; font-size: .95em; border-width: 1px; }
section#index + section.record { border-top: 4px double var(--ink); margin-top: 2em; padding-top: 1em; }
footer { margin-top: 3em; font-size: .85em; color: #57606a; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  nav.sections, .noprint { display: none; }
  a { color: inherit; text-decoration: none; }
  h2, h3, h4 { break-after: avoid; }
  tr, article.rule, table.matrix { break-inside: avoid; }
  section.record + section.record { break-before: page; border-top: none; margin-top: 0; }
  section.matrix-block { break-inside: avoid; }
  section#index { break-after: page; }
  section#index + section.record { border-top: none; margin-top: 0; }
}
"""


# --- what the views need from the report and the record ---------------------------------------


def _pair_key(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


@dataclass
class _Marks:
    """The report's findings about one subject: open, waived, pending."""

    open: list[tuple[RuleResult, FindingResult]] = field(default_factory=list)
    waived: list[tuple[RuleResult, FindingResult]] = field(default_factory=list)
    pending: list[tuple[RuleResult, FindingResult]] = field(default_factory=list)


def _merge(*parts: _Marks | None) -> _Marks:
    out = _Marks()
    for part in parts:
        if part is not None:
            out.open += part.open
            out.waived += part.waived
            out.pending += part.pending
    return out


def _marks(report: Report) -> dict[str, _Marks]:
    """Findings by subject; unordered pairs ("a~b") under their sorted key."""
    out: dict[str, _Marks] = defaultdict(_Marks)
    for r in report.results:
        for f in r.findings:
            if f.subject is None:
                continue
            key = f.subject
            if "~" in key:
                a, _, b = key.partition("~")
                key = "~".join(_pair_key(a, b))
            bucket = out[key]
            if f.waived:
                bucket.waived.append((r, f))
            elif f.pending:
                bucket.pending.append((r, f))
            else:
                bucket.open.append((r, f))
    return out


@dataclass
class _PairRules:
    """What the pack requires of talks or criticisms on this record."""

    required: set[Pair]
    qualifies: Callable[[dict[str, Any]], bool]


def _pack_pairs(ctx: RenderContext, items: list[Any], ordered: bool) -> _PairRules | None:
    """The pairs that the pack's `pairs` checks over ``items`` require, evaluated on this
    record; None when there is no pack or no such check (then the record format's defaults)."""
    if ctx.pack is None or ctx.record is None or not items:
        return None
    engine_ctx = Context(ctx.record, ctx.pack)
    selected = {r.rule for r in ctx.report.results if r.status != "error"}
    wanted = {id(x) for x in items}
    required: set[Pair] = set()
    qualify = None
    found = False
    for rule in ctx.pack.rules:
        if rule.id not in selected:
            continue
        for check in rule.checks:
            if check.kind != "pairs" or (check.participants is None) != ordered:
                continue
            picked = check.items.items(engine_ctx)
            if not picked or any(id(x) not in wanted for x in picked):
                continue
            found = True
            for gen in check.pairs:
                for a, b in required_pairs(engine_ctx, gen, ordered):
                    required.add((a, b) if ordered else _pair_key(a, b))
            if qualify is None and check.qualify is not None:
                qualify = check.qualify
    if not found:
        return None
    cond = qualify
    return _PairRules(
        required,
        (lambda item: not cond.failures(engine_ctx, item))
        if cond is not None
        else (lambda _: True),
    )


@dataclass
class _Lists:
    """A grid's problem cells by subject, so that a pair shown twice is listed once."""

    missing: dict[str, str] = field(default_factory=dict)
    flagged: dict[str, str] = field(default_factory=dict)
    waived: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)


def _face_to_face(talk: dict[str, Any]) -> bool:
    return talk.get("mode") == "in_person" and len(set(talk.get("participants") or [])) == 2


class _View:
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
        self.marks = _marks(self.report)
        self.engine_ctx: Context | None = None

    # small helpers

    def w(self, key: str, **kw: object) -> str:
        text = _W[key].get(self.lang)
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
            return esc(value.replace("_", " "))
        if self.ctx.record is not None:
            return esc(self.ctx.record.enums.label(enum, value))
        return esc(value)

    def rel(self, day: dt.date) -> str:
        delta = (day - self.report.meeting_date).days
        return "D" if delta == 0 else f"D{delta:+d}"

    def status(self, r: RuleResult) -> str:
        mark, label = _STATUS[r.status]
        css = f"st st-{r.status}"
        text = label.get(self.lang)
        if r.status == "failed":
            level = r.level or r.severity
            text += _paren(self.lang, _SEVERITY[level].get(self.lang))
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
            date += _paren(self.lang, f"{self.w('planned')} {planned.isoformat()}")
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
            f'<p class="verdict {verdict_css}">{esc(self.w("verdict"))}{_p(lang, "colon")}'
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
                span = _paren(self.lang, f"{days[0].isoformat()} – {last.isoformat()}")
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
            ids = _p(self.lang, "list").join(esc(a.get("id", "")) for a in acts[:3]) + (
                "…" if len(acts) > 3 else ""
            )
            grouped(self.label("activity_kind", kind), [a.get("date") for a in acts], ends, ids)
        talks = d.get("talks", [])
        if talks:
            good = sum(1 for t in talks if _face_to_face(t))
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
            to = _p(self.lang, "list").join(self.name(o) for o in s.get("to", []))
            n = len(s.get("documents", []))
            out.append(
                (
                    s["date"],
                    0,
                    esc(self.w("submission"))
                    + _paren(self.lang, self.label("purpose", s.get("purpose", "")))
                    + f" → {to}"
                    + '<span class="small">'
                    + _paren(
                        self.lang,
                        f"{n} {esc(self.w('documents_n'))}{_p(self.lang, 'comma')}"
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
                        f"{self.name(a.get('org'))} {esc(self.w('approval'))}{_p(self.lang, 'colon')}"
                        f"{self.label('approval_subject', a.get('subject', ''))}",
                    )
                )
        for inst in d.get("institutions", []):
            if isinstance(inst.get("date"), dt.date):
                out.append(
                    (
                        inst["date"],
                        0,
                        f"{esc(self.w('institution'))}{_p(self.lang, 'colon')}"
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
                    f'<span class="small">{_clause(self.lang, r.clause)} <code>{esc(r.rule)}</code></span>'
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
        marks: _Marks,
        good: list[str],
        bad: list[str],
        required: bool,
        lists: _Lists,
        label: str,
    ) -> str:
        """One grid cell: ✓ done, ✓! done but flagged, ✗ missing, ~ waived, … not yet due.
        ``marks`` are the report's findings on the pair and on the items that make it."""
        colon, semi = _p(self.lang, "colon"), _p(self.lang, "semi")
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
                lists.waived.setdefault(subject, label + _paren(self.lang, esc(reason)))
                return f'<td class="waived" title="{esc(reason)}">~</td>'
            if marks.pending and not marks.open:
                due = marks.pending[0][1].due
                when = f"{self.w('due')} {due.isoformat()}" if due else self.w("due")
                lists.pending.setdefault(subject, label + _paren(self.lang, esc(when)))
                return f'<td class="pending" title="{esc(when)}">…</td>'
            why = semi.join(f"{b}{self.w('not_counted')}" for b in bad)
            lists.missing.setdefault(subject, label + (_paren(self.lang, why) if why else ""))
            return f'<td class="missing" title="{why}">✗</td>'
        if bad:
            return f'<td class="na" title="{"; ".join(bad)}">·</td>'
        return '<td class="na"></td>'

    def talks(self) -> str:
        title = f"<h2>{esc(self.w('talks'))}</h2>"
        if self.ctx.record is None or not self.members:
            return f'<section id="{self.id("talks")}">{title}<p>{esc(self.w("no_record"))}</p></section>'
        talks = [t for t in self.data.get("talks", []) if isinstance(t, dict)]
        rules = _pack_pairs(self.ctx, talks, ordered=False)
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
                _pair_key(a, b) for i, a in enumerate(self.members) for b in self.members[i + 1 :]
            }
            for m in self.members:
                for dep in self.people[m].get("supervises") or []:
                    head = (departments.get(dep) or {}).get("head")
                    if head:
                        required.add(_pair_key(m, head))
            qualifies = _face_to_face
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
        lists = _Lists()
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
                key = _pair_key(a, b)
                good, bad, ids = by_pair.get(key, ([], [], []))
                subject = "~".join(key)
                # A talk that counts may still be flagged by itself (e.g. a rule on its date).
                marks = _merge(self.marks.get(subject), *(self.marks.get(i) for i in ids))
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
        rules = _pack_pairs(self.ctx, items, ordered=True)
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
        lists = _Lists()
        rows = []
        for a in self.members:
            cells = []
            for b in self.members:
                if a == b:
                    cells.append('<td class="self"></td>')
                    continue
                crits = by_pair.get((a, b), [])
                good = [
                    esc(f"{c.get('id', '')}{_p(self.lang, 'colon')}{str(c.get('text', ''))[:60]}")
                    for c in crits
                ]
                # A criticism can be flagged by itself (e.g. only a hope): fold those marks in.
                subject = f"{a}>{b}"
                marks = _merge(
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

    def lists(self, lists: _Lists, missing_key: str) -> str:
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
                    f"<h4>{esc(self.w(key))}{_paren(self.lang, str(len(items)))}</h4>"
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
            message += f'<div class="small">{esc(_STATUS["pending"][1].get(lang))}</div>'
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
            f"{esc(r.title.get(lang))} {_clause(lang, r.clause)}</h4>"
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
            parts.append(f"<h3>{esc(label.get(lang))}{_paren(lang, f'{ok}/{len(results)}')}</h3>")
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
                f'<span class="small">{esc(w.origin)} {esc(w.pointer)}</span>{_p(lang, "colon")}'
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


# --- pages -------------------------------------------------------------------------------------


def _page(title: str, lang: str, body: str) -> str:
    footer = esc(_W["generated"].get(lang).format(v=__version__))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"en" if lang == "en" else "zh-CN"}">\n'
        '<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n<footer>{footer}</footer>\n</main>\n</body>\n</html>\n"
    )


def _title(report: Report, lang: str) -> str:
    return esc(f"{report.unit} · {report.meeting_date.isoformat()} · {_W['report'].get(lang)}")


def render(ctx: RenderContext) -> str:
    return _page(_title(ctx.report, ctx.lang), ctx.lang, _View(ctx, "").section())


def _broken_section(anchor: str, source: str, error: InputError, lang: str) -> str:
    problems = "".join(f"<li>{esc(p.render(lang))}</li>" for p in error.problems) or (
        f"<li>{esc(error.render(lang))}</li>"
    )
    return (
        f'<section class="record" id="{anchor}record"><header id="{anchor}summary">'
        f'<h1 class="mono">{esc(source)}</h1>'
        f'<p class="verdict broken">{esc(_W["verdict"].get(lang))}{_p(lang, "colon")}'
        f"{esc(_W['broken'].get(lang))}</p>"
        f"<ul>{problems}</ul></header></section>"
    )


def _with_record(ctx: RenderContext, source: str) -> RenderContext:
    """The context with its record: a batch run checks records in worker processes and hands
    the views reports only, but the grids and the timeline are drawn from the record. Read it
    again (it was valid a moment ago); if that fails, the page says the record is missing."""
    if ctx.record is not None or not os.path.isfile(source):
        return ctx
    try:
        record = load_record(source, ctx.pack.enums if ctx.pack is not None else DEFAULT)
    except (InputError, OSError):
        return ctx
    return dataclasses.replace(ctx, record=record)


def render_batch(entries: Sequence[BatchEntry]) -> str:
    lang = batch_lang(entries)
    rows: list[str] = []
    sections: list[str] = []
    for n, entry in enumerate(entries, 1):
        anchor = f"r{n}-"
        link = f'<a href="#{anchor}record" class="mono">{esc(entry.source)}</a>'
        if entry.context is None:
            rows.append(
                f"<tr><td>{n}</td><td>{link}</td><td>—</td><td>—</td>"
                f'<td><span class="verdict broken">{esc(_W["broken"].get(lang))}</span></td>'
                + "<td>—</td>" * (len(COUNTS) - 1)
                + "</tr>"
            )
            sections.append(
                _broken_section(anchor, entry.source, entry.error or InputError([]), lang)
            )
            continue
        rep = entry.context.report
        s = rep.summary
        counts = s.to_dict()
        css, verdict = ("ok", "compliant") if s.compliant else ("bad", "not_compliant")
        rows.append(
            f"<tr><td>{n}</td><td>{link}</td><td>{esc(rep.unit)}</td>"
            f"<td>{rep.meeting_date.isoformat()}</td>"
            f'<td><span class="verdict {css}">{esc(_W[verdict].get(lang))}</span></td>'
            + "".join(f"<td>{counts[key]}</td>" for key, _ in COUNTS[1:])
            + "</tr>"
        )
        sections.append(_View(_with_record(entry.context, entry.source), anchor).section())
    head = (
        f"<tr><th>#</th><th>{esc(_W['source'].get(lang))}</th><th>{esc(_W['unit'].get(lang))}</th>"
        f"<th>{esc(_W['date'].get(lang))}</th><th>{esc(_W['verdict'].get(lang))}</th>"
        + "".join(f"<th>{esc(label.get(lang))}</th>" for _, label in COUNTS[1:])
        + "</tr>"
    )
    index = (
        f'<section id="index"><h1>{esc(_W["index"].get(lang))}{_paren(lang, str(len(entries)))}</h1>'
        f'<table class="index counts"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
        "</section>"
    )
    title = esc(f"dlsh_rules · {_W['index'].get(lang)} ({len(entries)})")
    return _page(title, lang, index + "".join(sections))
