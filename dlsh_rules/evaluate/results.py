"""The compliance report as typed objects, and its JSON form (report-format.md, version 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ..errors import DeclaredValue, FrozenValue, Text
from ..load.perf import dumps_indented

REPORT_FORMAT = "dlsh-report/1"
NO_TEXT = Text("", "")
Status = Literal["passed", "failed", "pending", "waived", "not_applicable", "error"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "pending", "waived", "not_applicable", "error")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
# The default of `Report.extra`: a new dict for each report (a dataclass's default_factory).
_NEW_DICT: dict[str, Any] = {}


# Frozen values (errors.FrozenValue, once dataclasses): each keeps the fields, defaults, repr and
# equality the dataclass had; tests/test_values.py compares them.


class WaiverRef(FrozenValue):
    reason: str
    approved_by: str | None
    date: dt.date | None
    expires: dt.date | None
    origin: str  # "record" or the waiver file's name

    def __init__(
        self,
        reason: str,
        approved_by: str | None = None,
        date: dt.date | None = None,
        expires: dt.date | None = None,
        origin: str = "record",
    ) -> None:
        self.__dict__.update(
            reason=reason, approved_by=approved_by, date=date, expires=expires, origin=origin
        )


class FindingResult(FrozenValue):
    subject: str | None
    message: Text
    path: str | None
    due: dt.date | None
    severity: str
    waived: bool
    waiver: WaiverRef | None
    pending: bool
    expected: Text | None
    found: Text | None
    line: int | None
    column: int | None
    # An organisation finding: the records counted in its period (an empty tuple: none was).
    records: tuple[str, ...] | None
    # Waived because `check --baseline` holds it (waiver.origin names the baseline file); in the
    # JSON only when true, and out of the repr, so that reports without a baseline are unchanged.
    baselined: bool
    # A finding that lists several of one cause as one (evaluate/grouping.py): the findings it
    # stands for, each with its own subject, message and place; empty for a finding of its own.
    items: tuple[FindingResult, ...]
    _hidden = ("records", "baselined", "items")

    def __init__(
        self,
        subject: str | None,
        message: Text,
        path: str | None,
        due: dt.date | None,
        severity: str,
        waived: bool = False,
        waiver: WaiverRef | None = None,
        pending: bool = False,
        expected: Text | None = None,
        found: Text | None = None,
        line: int | None = None,
        column: int | None = None,
        records: tuple[str, ...] | None = None,
        baselined: bool = False,
        items: tuple[FindingResult, ...] = (),
    ) -> None:
        self.__dict__.update(
            subject=subject,
            message=message,
            path=path,
            due=due,
            severity=severity,
            waived=waived,
            waiver=waiver,
            pending=pending,
            expected=expected,
            found=found,
            line=line,
            column=column,
            records=records,
            baselined=baselined,
            items=items,
        )

    @property
    def count(self) -> int:
        """How many findings this one stands for (its items, or itself)."""
        return len(self.items) or 1

    def to_dict(self, lang: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "subject": self.subject,
            "message": self.message.get(lang),
            "path": self.path,
            "due": self.due.isoformat() if self.due else None,
            "waived": self.waived,
            "severity": self.severity,
        }
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        if self.expected is not None:
            out["expected"] = self.expected.get(lang)
        if self.found is not None:
            out["found"] = self.found.get(lang)
        if self.pending:
            out["pending"] = True
        if self.waiver is not None:
            out["waiver"] = {
                "reason": self.waiver.reason,
                "approved_by": self.waiver.approved_by,
                "date": self.waiver.date.isoformat() if self.waiver.date else None,
                "expires": self.waiver.expires.isoformat() if self.waiver.expires else None,
                "origin": self.waiver.origin,
            }
        if self.records is not None:
            out["records"] = list(self.records)
        if self.baselined:
            out["baselined"] = True
        if self.items:
            out["items"] = [i.item_dict(lang) for i in self.items]
        return out

    def item_dict(self, lang: str) -> dict[str, Any]:
        """This finding as one of the items of a merged finding: what tells it from the others."""
        out: dict[str, Any] = {
            "subject": self.subject,
            "message": self.message.get(lang),
            "path": self.path,
        }
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        if self.expected is not None:
            out["expected"] = self.expected.get(lang)
        return out


class PeriodCount(FrozenValue):
    """One period an organisation rule required: how many records counted in it, and which."""

    period: str  # the label: 2024-H2, 2024-Q4, 2024-09, 2024, AY2024
    start: dt.date
    end: dt.date
    count: int
    min: int
    records: tuple[str, ...]

    def __init__(
        self,
        period: str,
        start: dt.date,
        end: dt.date,
        count: int,
        min: int,
        records: tuple[str, ...],
    ) -> None:
        self.__dict__.update(
            period=period, start=start, end=end, count=count, min=min, records=records
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "count": self.count,
            "min": self.min,
            "records": list(self.records),
        }


class RuleResult(FrozenValue):
    rule: str
    title: Text
    clause: str
    severity: str
    status: Status
    message: Text
    findings: tuple[FindingResult, ...]
    phase: str
    quote: str
    rationale: Text
    level: str | None  # the highest severity among unwaived findings, when failed
    error: str | None
    periods: tuple[PeriodCount, ...]  # organisation rules
    # Findings past MAX_LISTED_FINDINGS (evaluate/engine.py): counted and judged (status,
    # level, waivers) but not kept, so a report's size is bounded whatever the record (a group
    # of n people has n·(n−1) ordered pairs).
    findings_omitted: int
    omitted_waived: int
    # How many objects the rule's checks examined (its message says so); for restating a
    # result whose findings a baseline covers (report/compare.py). Not in to_dict.
    checked: int
    _hidden = ("periods", "checked")

    def __init__(
        self,
        rule: str,
        title: Text,
        clause: str,
        severity: str,
        status: Status,
        message: Text,
        findings: tuple[FindingResult, ...] = (),
        phase: str = "",
        quote: str = "",
        rationale: Text = NO_TEXT,
        level: str | None = None,
        error: str | None = None,
        periods: tuple[PeriodCount, ...] = (),
        findings_omitted: int = 0,
        omitted_waived: int = 0,
        checked: int = 0,
    ) -> None:
        self.__dict__.update(
            rule=rule,
            title=title,
            clause=clause,
            severity=severity,
            status=status,
            message=message,
            findings=findings,
            phase=phase,
            quote=quote,
            rationale=rationale,
            level=level,
            error=error,
            periods=periods,
            findings_omitted=findings_omitted,
            omitted_waived=omitted_waived,
            checked=checked,
        )

    @property
    def fails_at(self) -> str | None:
        """The level this result fails at (None: it does not fail)."""
        return (self.level or self.severity) if self.status == "failed" else None

    def to_dict(self, lang: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "title": self.title.get(lang),
            "clause": self.clause,
            "severity": self.severity,
            "status": self.status,
            "message": self.message.get(lang),
            "findings": [f.to_dict(lang) for f in self.findings],
            "phase": self.phase,
        }
        if self.level is not None:
            out["level"] = self.level
        if self.error is not None:
            out["error"] = self.error
        if self.periods:
            out["periods"] = [p.to_dict() for p in self.periods]
        if self.findings_omitted:
            out["findings_omitted"] = self.findings_omitted
        if self.omitted_waived:
            out["findings_omitted_waived"] = self.omitted_waived
        return out


def rule_result(**given: Any) -> RuleResult:
    """``RuleResult(**given)``. (It was the dataclass made without its ``__init__``, which set
    each field through ``object.__setattr__``; `RuleResult.__init__` no longer does.)"""
    return RuleResult(**given)


class Summary(FrozenValue):
    rules: int
    passed: int
    failed: int
    pending: int
    waived: int
    not_applicable: int
    error: int
    compliant: bool
    waived_findings: int

    def __init__(
        self,
        rules: int,
        passed: int,
        failed: int,
        pending: int,
        waived: int,
        not_applicable: int,
        error: int,
        compliant: bool,
        waived_findings: int = 0,
    ) -> None:
        self.__dict__.update(
            rules=rules,
            passed=passed,
            failed=failed,
            pending=pending,
            waived=waived,
            not_applicable=not_applicable,
            error=error,
            compliant=compliant,
            waived_findings=waived_findings,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "passed": self.passed,
            "failed": self.failed,
            "pending": self.pending,
            "waived": self.waived,
            "not_applicable": self.not_applicable,
            "error": self.error,
            "compliant": self.compliant,
            "waived_findings": self.waived_findings,
        }


def summarise(results: tuple[RuleResult, ...]) -> Summary:
    counts = {s: 0 for s in STATUSES}
    for r in results:
        counts[r.status] += 1
    return Summary(
        rules=len(results),
        compliant=not any(r.status == "failed" and r.level == "error" for r in results),
        waived_findings=sum(
            sum(f.count for f in r.findings if f.waived) + r.omitted_waived for r in results
        ),
        **counts,
    )


def worst_level(results: tuple[RuleResult, ...]) -> str | None:
    """The highest severity of a failed result, or None when nothing failed."""
    levels = [lv for r in results if (lv := r.fails_at) is not None]
    return max(levels, key=lambda s: SEVERITY_RANK[s]) if levels else None


def exit_code_of(worst: str | None, fail_on: str) -> int:
    if fail_on == "never" or worst is None:
        return 0
    return 1 if SEVERITY_RANK[worst] >= SEVERITY_RANK[fail_on] else 0


class OrgFact(FrozenValue):
    """What one record gives one `frequency` check of an organisation rule (engine.check
    computes it while the record is at hand, so a batch's workers send back facts, not records)."""

    rule: str
    check: int  # the check's index in the rule
    dates: tuple[dt.date, ...]  # the dates at the check's `date` path, before `where`
    counted: bool  # the record satisfies the check's `where`
    error: str | None  # the check could not be read on this record

    def __init__(
        self,
        rule: str,
        check: int,
        dates: tuple[dt.date, ...],
        counted: bool,
        error: str | None = None,
    ) -> None:
        self.__dict__.update(rule=rule, check=check, dates=dates, counted=counted, error=error)


class UnusedWaiver(DeclaredValue):
    """A waiver that did not apply, one per such waiver and run: the generic ``__init__`` of its
    declared fields (errors.DeclaredValue), positional or by keyword."""

    rule: str
    subject: str | None
    origin: str
    pointer: str
    reason: Text  # why it did not apply: matched nothing, or expired
    # Where the waiver is written, in its file or the record; out of the repr, like the other
    # added fields (the JSON has them when known).
    line: int | None = None
    column: int | None = None
    _hidden = ("line", "column")

    @property
    def where(self) -> str:
        """Where to look: a waiver file's ``file:line:column /waivers/N``; a record's own waiver
        by its pointer (``record/waivers/0``), as reports always showed it."""
        if self.origin != "record" and self.line is not None:
            return f"{self.origin}:{self.line}:{self.column} {self.pointer}"
        return f"{self.origin}{self.pointer}"

    def to_dict(self, lang: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "subject": self.subject,
            "origin": self.origin,
            "path": self.pointer,
            "message": self.reason.get(lang),
        }
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
        return out


class LateFact(FrozenValue):
    """A fact of the record dated after --as-of (the warning of `check --as-of`)."""

    pointer: str
    date: dt.date
    line: int | None

    def __init__(self, pointer: str, date: dt.date, line: int | None = None) -> None:
        self.__dict__.update(pointer=pointer, date=date, line=line)


class Report(FrozenValue):
    tool_version: str
    pack_id: str
    pack_version: str
    source: str
    unit: str
    meeting_date: dt.date
    as_of: dt.date | None
    results: tuple[RuleResult, ...]
    unused_waivers: tuple[UnusedWaiver, ...]
    selection: tuple[tuple[str, ...], tuple[str, ...]]
    extra: dict[str, Any]
    # For the organisation rules of the run (evaluate/organisations.py); not in to_dict.
    party_org: str | None
    org_facts: tuple[OrgFact, ...]
    # The day waivers were judged at (--as-of, else `today`, else the record's reference date;
    # None: there were no waivers), and the record's facts dated after --as-of (the first few,
    # and how many). Not in to_dict: the JSON report stays as it was.
    judged_at: dt.date | None
    late_facts: tuple[LateFact, ...]
    late_count: int
    _hidden = ("party_org", "org_facts", "judged_at", "late_facts", "late_count")

    def __init__(
        self,
        tool_version: str,
        pack_id: str,
        pack_version: str,
        source: str,
        unit: str,
        meeting_date: dt.date,
        as_of: dt.date | None,
        results: tuple[RuleResult, ...],
        unused_waivers: tuple[UnusedWaiver, ...] = (),
        selection: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
        extra: dict[str, Any] = _NEW_DICT,
        party_org: str | None = None,
        org_facts: tuple[OrgFact, ...] = (),
        judged_at: dt.date | None = None,
        late_facts: tuple[LateFact, ...] = (),
        late_count: int = 0,
    ) -> None:
        self.__dict__.update(
            tool_version=tool_version,
            pack_id=pack_id,
            pack_version=pack_version,
            source=source,
            unit=unit,
            meeting_date=meeting_date,
            as_of=as_of,
            results=results,
            unused_waivers=unused_waivers,
            selection=selection,
            extra={} if extra is _NEW_DICT else extra,
            party_org=party_org,
            org_facts=org_facts,
            judged_at=judged_at,
            late_facts=late_facts,
            late_count=late_count,
        )

    @property
    def summary(self) -> Summary:
        return summarise(self.results)

    def worst_level(self) -> str | None:
        """The highest severity of a failed result, or None when nothing failed."""
        return worst_level(self.results)

    def exit_code(self, fail_on: str = "error") -> int:
        return exit_code_of(self.worst_level(), fail_on)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": REPORT_FORMAT,
            "tool": {"name": "dlsh_rules", "version": self.tool_version},
            "pack": {"id": self.pack_id, "version": self.pack_version},
            "record": {
                "source": self.source,
                "unit": self.unit,
                "meeting_date": self.meeting_date.isoformat(),
            },
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "lang": lang,
            "summary": self.summary.to_dict(),
            "results": [r.to_dict(lang) for r in self.results],
        }
        if self.unused_waivers:
            out["unused_waivers"] = [w.to_dict(lang) for w in self.unused_waivers]
        if self.selection != ((), ()):
            out["selection"] = {
                "select": list(self.selection[0]),
                "ignore": list(self.selection[1]),
            }
        return out

    def to_json(self, lang: str = "zh", indent: int | None = 2) -> str:
        if indent == 2:  # the JSON report: the same text as json.dumps, written faster
            return dumps_indented(self.to_dict(lang)) + "\n"
        import json  # the text report never needs it

        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=indent) + "\n"


# --- organisations: rules judged over all records of one party organisation in a run ---------


class OrganisationResult(FrozenValue):
    """The organisation rules of one party organisation (`unit.name` + `unit.party_org`)."""

    unit: str
    party_org: str | None
    records: tuple[str, ...]  # the checked records of this organisation, in input order
    results: tuple[RuleResult, ...]

    def __init__(
        self,
        unit: str,
        party_org: str | None,
        records: tuple[str, ...],
        results: tuple[RuleResult, ...],
    ) -> None:
        self.__dict__.update(unit=unit, party_org=party_org, records=records, results=results)

    @property
    def name(self) -> str:
        return f"{self.unit} · {self.party_org}" if self.party_org else self.unit

    @property
    def summary(self) -> Summary:
        return summarise(self.results)

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "party_org": self.party_org,
            "records": list(self.records),
            "summary": self.summary.to_dict(),
            "results": [r.to_dict(lang) for r in self.results],
        }


class Organisations(FrozenValue):
    """The organisations section of a run: one entry per organisation, in the order its first
    record was given; and the standing waivers of organisation rules that waived nothing."""

    entries: tuple[OrganisationResult, ...]
    unused_waivers: tuple[UnusedWaiver, ...]

    def __init__(
        self,
        entries: tuple[OrganisationResult, ...] = (),
        unused_waivers: tuple[UnusedWaiver, ...] = (),
    ) -> None:
        self.__dict__.update(entries=entries, unused_waivers=unused_waivers)

    def __bool__(self) -> bool:
        return bool(self.entries or self.unused_waivers)

    def worst_level(self) -> str | None:
        return worst_level(tuple(r for o in self.entries for r in o.results))

    def exit_code(self, fail_on: str = "error") -> int:
        return exit_code_of(self.worst_level(), fail_on)

    @property
    def compliant(self) -> bool:
        return all(o.summary.compliant for o in self.entries)

    def to_list(self, lang: str) -> list[dict[str, Any]]:
        return [o.to_dict(lang) for o in self.entries]
