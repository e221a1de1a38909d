"""Organisation rules: judged over all records of one party organisation that a run is given.

A plan may say "at least once a year" or "twice a year, one in each half" (`frequency` checks
in a rule with `scope: organisation`). One record cannot show that; the records of a run can.
After every record is checked, its report carries the facts each organisation rule needs
(`Report.org_facts`, computed by engine.check while the record was at hand, in whatever worker
process); here the reports are grouped by organisation — `unit.name` + `unit.party_org` — and
each organisation rule is judged on its group. Reports come in input order, so the result is
the same whatever the number of workers.

Waivers: only standing ones (a waiver file) apply, matched by rule id and period (`2024-H2`);
a record's own waivers speak for its meeting and never waive an organisation rule (the engine
lists them as not applied). `--as-of`: a period with too few meetings that ends after the
as-of date is pending — a meeting can still be held in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..dates import DEFAULT_ACADEMIC_START
from ..errors import Text
from .engine import Waiver, rule_fields, rule_selected, status_of, summary_message
from .kinds.frequency import frequency_checks, judge_frequency
from .results import (
    FindingResult,
    OrganisationResult,
    Organisations,
    OrgFact,
    PeriodCount,
    Report,
    RuleResult,
    WaiverRef,
)

if TYPE_CHECKING:
    from ..language.models import Rule
    from ..pack.loader import Pack


NO_FINDING = Text(
    "豁免未匹配任何组织的发现项，可删除", "matches no finding of any organisation; remove it"
)


def academic_start_of(pack: Pack) -> tuple[int, int]:
    """(month, day) the pack's academic year starts on: manifest `calendar`, default 9-1."""
    found = getattr(getattr(pack.manifest, "calendar", None), "academic_year_start", None)
    return (found.month, found.day) if found is not None else DEFAULT_ACADEMIC_START


def organisation_rules(
    pack: Pack, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Rule]:
    return [
        r
        for r in pack.rules
        if getattr(r, "scope", "record") == "organisation" and rule_selected(r.id, select, ignore)
    ]


def evaluate_organisations(
    reports: Sequence[Report],
    pack: Pack,
    *,
    as_of: dt.date | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    waivers: Iterable[Waiver] = (),
    today: dt.date | None = None,
) -> Organisations:
    """Judge the pack's organisation rules on the run's reports (in input order).

    ``waivers`` are the standing ones (a waiver file); those that expired at ``as_of``, else
    ``today``, else the latest day the records' waivers were judged at (each record's reference
    date, engine.check) do not waive (each record's report already lists them as expired).
    """
    rules = organisation_rules(pack, select, ignore)
    if not rules:
        return Organisations()
    days = [r.judged_at for r in reports if r.judged_at is not None]
    day = as_of or today or (max(days) if days else None)
    rule_ids = {r.id for r in rules}
    live = [
        w
        for w in waivers
        if w.origin != "record"
        and w.rule in rule_ids
        and not (w.expires is not None and day is not None and w.expires < day)
    ]
    groups: dict[tuple[str, str | None], list[Report]] = {}
    for report in reports:
        groups.setdefault((report.unit, report.party_org), []).append(report)
    start = academic_start_of(pack)
    used: set[int] = set()
    entries = []
    for (unit, party_org), members in groups.items():
        results = tuple(_judge(rule, members, start, live, used, as_of) for rule in rules)
        entries.append(
            OrganisationResult(unit, party_org, tuple(r.source for r in members), results)
        )
    unused = tuple(w.note(NO_FINDING) for w in live if id(w) not in used)
    return Organisations(tuple(entries), unused)


def _judge(
    rule: Rule,
    members: Sequence[Report],
    academic_start: tuple[int, int],
    waivers: Sequence[Waiver],
    used: set[int],
    as_of: dt.date | None,
) -> RuleResult:
    base = rule_fields(rule)
    findings: list[FindingResult] = []
    periods: list[PeriodCount] = []
    try:
        for i, spec in enumerate(frequency_checks(rule)):
            facts = [(r.source, f) for r in members for f in _facts(r, rule.id, i)]
            for outcome in judge_frequency(spec, facts, academic_start):
                periods.append(outcome.count)
                f = outcome.finding
                if f is None:
                    continue
                waiver = next((w for w in waivers if w.covers(rule.id, f.subject)), None)
                if waiver is not None:
                    used.add(id(waiver))
                findings.append(
                    FindingResult(
                        subject=f.subject,
                        message=f.message,
                        path=None,
                        due=f.due,
                        severity=f.severity or rule.severity,
                        waived=waiver is not None,
                        waiver=WaiverRef(
                            waiver.reason,
                            waiver.approved_by,
                            waiver.date,
                            waiver.expires,
                            waiver.origin,
                        )
                        if waiver
                        else None,
                        pending=as_of is not None and f.due is not None and f.due > as_of,
                        expected=f.expected,
                        found=f.found,
                        records=outcome.count.records,
                    )
                )
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        return RuleResult(
            status="error",
            message=Text(f"规则无法评估：{reason}", f"rule could not be evaluated: {reason}"),
            error=reason,
            **base,
        )
    status, level = status_of(findings, len(periods))
    return RuleResult(
        status=status,
        message=_message(status, findings, len(periods)),
        findings=tuple(findings),
        level=level,
        periods=tuple(periods),
        **base,
    )


def _message(status: str, findings: Sequence[FindingResult], periods: int) -> Text:
    if status == "passed":
        return Text(f"符合要求（检查 {periods} 个时段）", f"compliant ({periods} periods checked)")
    if status == "not_applicable":
        return Text("没有记录落在应检查的时段内", "no record falls in a period to check")
    if status == "failed":
        n = sum(1 for f in findings if not f.waived)
        return Text(
            f"检查 {periods} 个时段，{n} 个不符合", f"{n} of {periods} periods checked fail"
        )
    return summary_message(status, findings, periods)  # type: ignore[arg-type]


def _facts(report: Report, rule_id: str, check: int) -> list[OrgFact]:
    return [f for f in report.org_facts if f.rule == rule_id and f.check == check]
