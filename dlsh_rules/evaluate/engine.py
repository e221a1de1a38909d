"""The engine: runs every rule of a pack on a record and builds the report.

The kinds return findings; the engine decides everything that is the same for all rules: which
rules run (--select / --ignore), the rule's status, waivers, the as-of date, and a rule that
raises is reported as `error` while the rest still run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..dates import CalendarCoverageError, Offset
from ..errors import Text
from ..load.perf import gc_paused
from ..pack.loader import DEFAULT_PACK, Pack, load_pack
from ..record.validate import RecordData, load_record
from .context import Context
from .kinds import run
from .kinds.base import Finding, Outcome
from .kinds.frequency import record_facts
from .results import (
    SEVERITY_RANK,
    FindingResult,
    OrgFact,
    Report,
    RuleResult,
    Status,
    UnusedWaiver,
    WaiverRef,
)

if TYPE_CHECKING:
    from ..language.models import Rule


def rule_selected(rule_id: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """ruff-style selection: an entry names a rule id or a dotted prefix of ids."""

    def matches(prefix: str) -> bool:
        return rule_id == prefix or rule_id.startswith(prefix.rstrip(".") + ".")

    if select and not any(matches(p) for p in select):
        return False
    return not any(matches(p) for p in ignore)


@dataclass(frozen=True)
class Waiver:
    rule: str
    subject: str | None
    reason: str
    approved_by: str | None
    date: dt.date | None
    expires: dt.date | None
    origin: str
    pointer: str

    def note(self, reason: Text) -> UnusedWaiver:
        """This waiver listed as one that did not apply, and why."""
        return UnusedWaiver(self.rule, self.subject, self.origin, self.pointer, reason)

    def covers(self, rule_id: str, subject: str | None) -> bool:
        if self.rule != rule_id:
            return False
        return self.subject is None or _same_subject(self.subject, subject)


def expired_text(expires: dt.date) -> Text:
    return Text(
        f"豁免已于 {expires.isoformat()} 过期，不再生效",
        f"expired on {expires.isoformat()}; no longer waives",
    )


def _same_subject(a: str, b: str | None) -> bool:
    if b is None:
        return False
    if a == b:
        return True
    if "~" in a and "~" in b:  # unordered pairs are the same whichever way round
        return sorted(a.split("~")) == sorted(b.split("~"))
    return False


def record_waivers(record: RecordData) -> list[Waiver]:
    return [
        Waiver(
            w["rule"],
            w.get("subject"),
            w["reason"],
            w.get("approved_by"),
            w.get("date"),
            w.get("expires"),
            "record",
            f"/waivers/{i}",
        )
        for i, w in enumerate(record.data.get("waivers", []))
    ]


def check(
    record: RecordData | Mapping[str, Any] | str | os.PathLike[str],
    pack: Pack | str | os.PathLike[str] | None = None,
    *,
    as_of: dt.date | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    waivers: Iterable[Waiver] = (),
    today: dt.date | None = None,
) -> Report:
    """Check a record against a pack (the default pack when none is given)."""
    if not isinstance(pack, Pack):
        pack = load_pack(pack if pack is not None else DEFAULT_PACK)
    if not isinstance(record, RecordData):
        record = load_record(record, pack.enums)
    ctx = Context(record, pack)
    all_waivers = [*record_waivers(record), *waivers]
    # Expiry is judged at the as-of date when one is given, else at the meeting's own follow-up:
    # a report must not change from one day to the next unless the caller asks for "today".
    judge_day = as_of or today
    live = [w for w in all_waivers if not (w.expires and judge_day and w.expires < judge_day)]
    used: set[int] = set()
    results = []
    facts: list[OrgFact] = []
    with gc_paused():  # perf.py: the rules allocate much and leave no cycles
        for rule in pack.rules:
            if not rule_selected(rule.id, select, ignore):
                continue
            if rule.scope == "organisation":
                # Judged over the run's records (organisations.py); this record gives its facts.
                facts.extend(record_facts(ctx, rule))
                continue
            results.append(_evaluate(ctx, rule, live, used, as_of))
        # The shared selections and indexes are garbage now. Freed while the collector is still
        # off, they are not walked by the collection that switching it on sets off: on a large
        # record that collection took longer than freeing them.
        ctx.release()
    unused = []
    for w in all_waivers:
        if pack.rule(w.rule) is None:  # a misspelt id waives nothing: say so, whatever --select
            unused.append(
                w.note(
                    Text(
                        f"规则包 {pack.id} 中没有规则 {w.rule}，豁免无效",
                        f"pack {pack.id} has no rule {w.rule}; the waiver has no effect",
                    )
                )
            )
        elif w.expires and judge_day and w.expires < judge_day:
            unused.append(w.note(expired_text(w.expires)))
        elif _scope(pack, w.rule) == "organisation":
            # A record speaks for its own meeting, not for how often its organisation meets.
            if w.origin == "record":
                unused.append(w.note(RECORD_WAIVER_OF_ORG_RULE))
            # a standing waiver of an organisation rule is judged with the organisation
        elif id(w) not in used and rule_selected(w.rule, select, ignore):
            unused.append(
                w.note(Text("豁免未匹配任何发现项，可删除", "matches no finding; remove it"))
            )
    unit = record.data["unit"]["name"]
    return Report(
        __version__,
        pack.id,
        pack.version,
        record.source,
        unit,
        ctx.meeting_date,
        as_of,
        tuple(results),
        tuple(unused),
        (tuple(select), tuple(ignore)),
        party_org=record.data["unit"].get("party_org"),
        org_facts=tuple(facts),
    )


RECORD_WAIVER_OF_ORG_RULE = Text(
    "记录自身的豁免不适用于组织规则（按组织判断的规则只能用豁免文件豁免）",
    "a record's own waiver does not apply to an organisation rule (use a waiver file)",
)


def _scope(pack: Pack, rule_id: str) -> str:
    rule = pack.rule(rule_id)
    return getattr(rule, "scope", "record") if rule is not None else "record"


def _evaluate(
    ctx: Context, rule: Rule, waivers: list[Waiver], used: set[int], as_of: dt.date | None
) -> RuleResult:
    base: dict[str, Any] = dict(
        rule=rule.id,
        title=Text.of(rule.title),
        clause=rule.clause,
        severity=rule.severity,
        phase=rule.phase,
        quote=rule.quote,
        rationale=Text.of(rule.rationale),
    )
    outcomes: list[Outcome] = []
    try:
        for spec in rule.checks:
            outcomes.append(run(ctx, spec))
        # Resolved here, as a bound may ask the working-day calendar about a year it lacks.
        declared_due = rule.due.resolve(ctx) if rule.due else None
    except CalendarCoverageError as exc:
        return RuleResult(
            status="error",
            message=Text(exc.zh, exc.en),
            error=f"{type(exc).__name__}: {exc}",
            **base,
        )
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        return RuleResult(
            status="error",
            message=Text(f"规则无法评估：{reason}", f"rule could not be evaluated: {reason}"),
            error=reason,
            **base,
        )

    rule_due = declared_due or Offset().apply(ctx.meeting_date)
    findings: list[FindingResult] = []
    for outcome in outcomes:
        for f in outcome.findings:
            findings.append(
                _finding_result(ctx, rule, f, waivers, used, as_of, rule_due, declared_due)
            )
    checked = sum(o.checked for o in outcomes)
    status, level = status_of(findings, checked)
    return RuleResult(
        status=status,
        message=summary_message(status, findings, checked),
        findings=tuple(findings),
        level=level,
        **base,
    )


def status_of(findings: Sequence[FindingResult], checked: int) -> tuple[Status, str | None]:
    """A rule's status from its findings (docs/rule-language.md §10), and its level if failed."""
    open_ = [f for f in findings if not f.waived]
    if not findings:
        return ("passed" if checked else "not_applicable"), None
    if not open_:
        return "waived", None
    if all(f.pending for f in open_):
        return "pending", None
    level = max((f.severity for f in open_ if not f.pending), key=lambda s: SEVERITY_RANK[s])
    return "failed", level


def _finding_result(
    ctx: Context,
    rule: Rule,
    f: Finding,
    waivers: list[Waiver],
    used: set[int],
    as_of: dt.date | None,
    rule_due: dt.date,
    declared_due: dt.date | None,
) -> FindingResult:
    waiver = next((w for w in waivers if w.covers(rule.id, f.subject)), None)
    if waiver is not None:
        used.add(id(waiver))
    due = f.due or rule_due
    pos = ctx.record.position(f.path) if f.path is not None else None
    return FindingResult(
        subject=f.subject,
        message=f.message,
        path=f.path,
        due=f.due or declared_due,
        severity=f.severity or rule.severity,
        waived=waiver is not None,
        waiver=WaiverRef(
            waiver.reason, waiver.approved_by, waiver.date, waiver.expires, waiver.origin
        )
        if waiver
        else None,
        # Time can cure a finding only while its due date is ahead and the date it judged, if
        # any, is a plan still ahead too: a bound broken by a recorded past date is failed now.
        pending=as_of is not None and due > as_of and (f.judged is None or f.judged > as_of),
        expected=f.expected,
        found=f.found,
        line=pos.line if pos else None,
        column=pos.column if pos else None,
    )


def summary_message(status: Status, findings: Sequence[FindingResult], checked: int) -> Text:
    if status == "passed":
        return Text(f"符合要求（检查 {checked} 项）", f"compliant ({checked} checked)")
    if status == "not_applicable":
        return Text("记录中没有适用此规则的对象", "nothing in the record is subject to this rule")
    n = len(findings)
    waived = sum(1 for f in findings if f.waived)
    if status == "waived":
        return Text(f"{n} 项问题均已豁免", f"all {n} findings are waived")
    if status == "pending":
        return Text(
            f"{n} 项尚未到期，记录中尚未体现完成", f"{n} not yet due and not yet shown as met"
        )
    extra_zh = f"（另有 {waived} 项已豁免）" if waived else ""
    extra_en = f" ({waived} more waived)" if waived else ""
    return Text(
        f"检查 {checked} 项，{n - waived} 项不符合{extra_zh}",
        f"{n - waived} of {checked} checked fail{extra_en}",
    )
