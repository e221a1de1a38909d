"""The compliance report as typed objects, and its JSON form (report-format.md, version 1)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import Text

REPORT_FORMAT = "dlsh-report/1"
NO_TEXT = Text("", "")
Status = Literal["passed", "failed", "pending", "waived", "not_applicable", "error"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "pending", "waived", "not_applicable", "error")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class WaiverRef:
    reason: str
    approved_by: str | None = None
    date: dt.date | None = None
    expires: dt.date | None = None
    origin: str = "record"  # "record" or the waiver file's name


@dataclass(frozen=True)
class FindingResult:
    subject: str | None
    message: Text
    path: str | None
    due: dt.date | None
    severity: str
    waived: bool = False
    waiver: WaiverRef | None = None
    pending: bool = False
    expected: Text | None = None
    found: Text | None = None
    line: int | None = None
    column: int | None = None

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
        return out


@dataclass(frozen=True)
class RuleResult:
    rule: str
    title: Text
    clause: str
    severity: str
    status: Status
    message: Text
    findings: tuple[FindingResult, ...] = ()
    phase: str = ""
    quote: str = ""
    rationale: Text = NO_TEXT
    level: str | None = None  # the highest severity among unwaived findings, when failed
    error: str | None = None
    # Findings past MAX_LISTED_FINDINGS (evaluate/engine.py): counted and judged (status,
    # level, waivers) but not kept, so a report's size is bounded whatever the record (a group
    # of n people has n·(n−1) ordered pairs).
    findings_omitted: int = 0
    omitted_waived: int = 0

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
        if self.findings_omitted:
            out["findings_omitted"] = self.findings_omitted
        if self.omitted_waived:
            out["findings_omitted_waived"] = self.omitted_waived
        return out


@dataclass(frozen=True)
class Summary:
    rules: int
    passed: int
    failed: int
    pending: int
    waived: int
    not_applicable: int
    error: int
    compliant: bool
    waived_findings: int = 0

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


@dataclass(frozen=True)
class UnusedWaiver:
    rule: str
    subject: str | None
    origin: str
    pointer: str
    reason: Text  # why it did not apply: matched nothing, or expired

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "subject": self.subject,
            "origin": self.origin,
            "path": self.pointer,
            "message": self.reason.get(lang),
        }


@dataclass(frozen=True)
class Report:
    tool_version: str
    pack_id: str
    pack_version: str
    source: str
    unit: str
    meeting_date: dt.date
    as_of: dt.date | None
    results: tuple[RuleResult, ...]
    unused_waivers: tuple[UnusedWaiver, ...] = ()
    selection: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> Summary:
        counts = {s: 0 for s in STATUSES}
        for r in self.results:
            counts[r.status] += 1
        return Summary(
            rules=len(self.results),
            compliant=not any(r.status == "failed" and r.level == "error" for r in self.results),
            waived_findings=sum(
                sum(1 for f in r.findings if f.waived) + r.omitted_waived for r in self.results
            ),
            **counts,
        )

    def worst_level(self) -> str | None:
        """The highest severity of a failed result, or None when nothing failed."""
        levels = [r.level or r.severity for r in self.results if r.status == "failed"]
        return max(levels, key=lambda s: SEVERITY_RANK[s]) if levels else None

    def exit_code(self, fail_on: str = "error") -> int:
        if fail_on == "never":
            return 0
        worst = self.worst_level()
        if worst is None:
            return 0
        return 1 if SEVERITY_RANK[worst] >= SEVERITY_RANK[fail_on] else 0

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
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=indent) + "\n"
