"""SARIF 2.1.0: the report as static-analysis results, for GitHub code scanning and other viewers.

One run. tool.driver.rules describes every rule of the report (title, the plan's words,
rationale, clause, phase, severity); results carry the findings:

    failed / pending rule, open finding   -> result, level from the finding's own severity
    finding covered by a waiver           -> result with suppressions: [{kind: external}]
    pending finding (not yet due)         -> result with kind "open" (level "none")
    error (rule could not be evaluated)   -> invocations[0].toolExecutionNotifications, level error
    record that could not be checked      -> toolExecutionNotifications at the input problem

Every result points at the record file (the path as given on the command line, so it is relative
when the caller's was) and, where the record text has them, at the finding's line and column.
Results without a line point at line 1: GitHub code scanning requires a start line. The JSON
pointer and the subject go in logicalLocations and properties; partialFingerprints holds a hash of
rule, record and subject that does not move when lines do, so code scanning keeps one alert per
finding across runs.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..errors import InputError
from ..evaluate.results import FindingResult, OrganisationResult, Organisations, RuleResult
from ..load.perf import dumps_indented
from . import BatchEntry, RenderContext, batch_lang

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "dlshFinding/v1"


def rule_name(rule_id: str) -> str:
    """prep.talks.member_pairs -> PrepTalksMemberPairs (SARIF's name is an identifier)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", rule_id) if part)


def artifact_uri(source: str) -> str:
    """The record path as a URI reference: relative paths stay relative (code scanning resolves
    them against the repository root); unsafe characters are percent-encoded."""
    path = source.replace("\\", "/")
    if path.startswith("/"):
        return "file://" + urllib.parse.quote(path)
    return urllib.parse.quote(path)


def fingerprint(rule: str, source: str, subject: str | None, path: str | None) -> str:
    # Not the line: a finding keeps its identity when lines above it are edited. The path stands
    # in for a missing subject (a finding about the selection as a whole).
    key = "\x1f".join((rule, source, subject if subject is not None else f"@{path}"))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _descriptor(r: RuleResult, lang: str) -> dict[str, Any]:
    title = r.title.get(lang)
    rationale = r.rationale.get(lang)
    clause = ("Plan clause " if lang == "en" else "实施方案条款 ") + r.clause
    help_text = f"{rationale}\n{clause}" if rationale else clause
    return {
        "id": r.rule,
        "name": rule_name(r.rule),
        "shortDescription": {"text": title},
        "fullDescription": {"text": r.quote or title},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _LEVEL.get(r.severity, "warning")},
        "properties": {
            "clause": r.clause,
            "phase": r.phase,
            "severity": r.severity,
            "tags": ["dlsh", r.phase],
        },
    }


class _Run:
    """Accumulates one SARIF run over one or more reports (a batch is one run)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.rules: list[dict[str, Any]] = []
        self.rule_index: dict[str, int] = {}
        self.artifacts: list[dict[str, Any]] = []
        self.artifact_index: dict[str, int] = {}
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []
        self.organisations: list[dict[str, Any]] = []
        self.ok = True

    def artifact(self, source: str) -> int:
        if source not in self.artifact_index:
            self.artifact_index[source] = len(self.artifacts)
            self.artifacts.append({"location": {"uri": artifact_uri(source)}})
        return self.artifact_index[source]

    def rule(self, r: RuleResult) -> int:
        # In a batch the first report that names a rule describes it; packs share rule ids only
        # when they mean the same requirement.
        if r.rule not in self.rule_index:
            self.rule_index[r.rule] = len(self.rules)
            self.rules.append(_descriptor(r, self.lang))
        return self.rule_index[r.rule]

    def location(
        self, source: str, line: int | None, column: int | None, pointer: str | None = None
    ) -> dict[str, Any]:
        region: dict[str, Any] = {"startLine": line or 1}
        if line is not None and column is not None:
            region["startColumn"] = column
        loc: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(source), "index": self.artifact(source)},
                "region": region,
            }
        }
        if pointer is not None:
            loc["logicalLocations"] = [{"fullyQualifiedName": pointer or "/", "kind": "object"}]
        return loc

    def finding(self, source: str, pack_id: str, r: RuleResult, f: FindingResult) -> None:
        lang = self.lang
        text = f"{f.message.get(lang)} [{r.title.get(lang)}; {r.clause}]"
        if f.due is not None:
            text += (" due " if lang == "en" else " 截止 ") + f.due.isoformat()
        props: dict[str, Any] = {
            "record": source,
            "pack": pack_id,
            "subject": f.subject,
            "pointer": f.path,
            "due": f.due.isoformat() if f.due else None,
            "severity": f.severity,
            "ruleStatus": r.status,
        }
        if f.expected is not None:
            props["expected"] = f.expected.get(lang)
        if f.found is not None:
            props["found"] = f.found.get(lang)
        if f.items:
            # One result per cause (one alert for one late filing), the detail for programs.
            props["items"] = [i.item_dict(lang) for i in f.items]
        result: dict[str, Any] = {
            "ruleId": r.rule,
            "ruleIndex": self.rule(r),
            "level": _LEVEL.get(f.severity, "warning"),
            "message": {"text": text},
            "locations": [self.location(source, f.line, f.column, f.path)],
            "partialFingerprints": {FINGERPRINT: fingerprint(r.rule, source, f.subject, f.path)},
            "properties": props,
        }
        if f.pending and not f.waived:
            # Not yet due at --as-of: SARIF's "open" kind (undecided) requires level "none".
            result["kind"] = "open"
            result["level"] = "none"
            props["pending"] = True
        if f.waived:
            w = f.waiver
            suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
            if w is not None:
                suppression["justification"] = w.reason
                suppression["properties"] = {
                    "approved_by": w.approved_by,
                    "date": w.date.isoformat() if w.date else None,
                    "expires": w.expires.isoformat() if w.expires else None,
                    "origin": w.origin,
                }
            result["suppressions"] = [suppression]
        self.results.append(result)

    def add_report(self, ctx: RenderContext) -> None:
        report, lang = ctx.report, self.lang
        self.artifact(report.source)
        for r in report.results:
            self.rule(r)
            if r.status == "error":
                self.ok = False
                self.notifications.append(
                    {
                        "level": "error",
                        "message": {"text": f"{r.rule}: {r.error or r.message.get(lang)}"},
                        "associatedRule": {"id": r.rule, "index": self.rule(r)},
                        "locations": [self.location(report.source, None, None)],
                    }
                )
            # Waived rules keep their findings, suppressed; passed and n/a rules have none.
            for f in r.findings:
                if r.status in ("failed", "pending", "waived") or f.waived:
                    self.finding(report.source, report.pack_id, r, f)
        for w in report.unused_waivers:
            pos = ctx.waiver_position(w)
            source = report.source if w.origin == "record" else w.origin
            subject = f" {w.subject}" if w.subject else ""
            self.notifications.append(
                {
                    "level": "note",
                    "message": {"text": f"{w.rule}{subject}: {w.reason.get(lang)}"},
                    "locations": [
                        self.location(
                            source,
                            pos.line if pos else None,
                            pos.column if pos else None,
                            w.pointer,
                        )
                    ],
                }
            )
        self.records.append(
            {
                "source": report.source,
                "unit": report.unit,
                "meeting_date": report.meeting_date.isoformat(),
                "pack": {"id": report.pack_id, "version": report.pack_version},
                "as_of": report.as_of.isoformat() if report.as_of else None,
                "summary": report.summary.to_dict(),
            }
        )

    def add_organisations(self, orgs: Organisations | None, pack_id: str) -> None:
        """Organisation rules: a result per open, pending or waived finding, located at the
        organisation's first record (code scanning needs a file), with the organisation, the
        period and the records counted in its properties; the fingerprint is the rule, the
        organisation and the period."""
        if not orgs:
            return
        for org in orgs.entries:
            first = org.records[0] if org.records else ""
            for r in org.results:
                self.rule(r)
                if r.status == "error":
                    self.ok = False
                    self.notifications.append(
                        {
                            "level": "error",
                            "message": {"text": f"{r.rule} ({org.name}): {r.error}"},
                            "associatedRule": {"id": r.rule, "index": self.rule(r)},
                        }
                    )
                for f in r.findings:
                    if r.status in ("failed", "pending", "waived") or f.waived:
                        self._org_finding(org, first, pack_id, r, f)
            self.organisations.append(
                {
                    "unit": org.unit,
                    "party_org": org.party_org,
                    "records": list(org.records),
                    "summary": org.summary.to_dict(),
                }
            )
        for w in orgs.unused_waivers:
            subject = f" {w.subject}" if w.subject else ""
            self.notifications.append(
                {
                    "level": "note",
                    "message": {"text": f"{w.rule}{subject}: {w.reason.get(self.lang)}"},
                    "locations": [self.location(w.origin, None, None, w.pointer)],
                }
            )

    def _org_finding(
        self, org: OrganisationResult, first: str, pack_id: str, r: RuleResult, f: FindingResult
    ) -> None:
        before = len(self.results)
        self.finding(first, pack_id, r, f)
        result = self.results[before]
        result["message"]["text"] = f"{org.name}: {result['message']['text']}"
        result["partialFingerprints"][FINGERPRINT] = fingerprint(r.rule, org.name, f.subject, None)
        props = result["properties"]
        props.pop("record", None)
        props.pop("pointer", None)
        props["organisation"] = {"unit": org.unit, "party_org": org.party_org}
        props["period"] = f.subject
        props["records"] = list(f.records or ())

    def add_broken(self, source: str, error: InputError) -> None:
        self.ok = False
        self.artifact(source)
        for p in error.problems or []:
            self.notifications.append(
                {
                    "level": "error",
                    "message": {"text": p.render(self.lang)},
                    "locations": [self.location(p.file, p.line, p.column, p.pointer)],
                    "properties": {"record": source, "code": p.code},
                }
            )
        if not error.problems:
            self.notifications.append(
                {"level": "error", "message": {"text": error.render(self.lang)}}
            )
        self.records.append({"source": source, "error": True})

    def sarif(self) -> dict[str, Any]:
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "dlsh_rules",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "rules": self.rules,
                }
            },
            "invocations": [
                {
                    "executionSuccessful": self.ok,
                    "toolExecutionNotifications": self.notifications,
                }
            ],
            "artifacts": self.artifacts,
            "results": self.results,
            "columnKind": "unicodeCodePoints",
            "language": "zh-CN" if self.lang != "en" else "en-US",
            "properties": {"records": self.records},
        }
        if self.organisations:
            run["properties"]["organisations"] = self.organisations
        return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _dump(doc: dict[str, Any]) -> str:
    return dumps_indented(doc) + "\n"


def render(ctx: RenderContext) -> str:
    run = _Run(ctx.lang)
    run.add_report(ctx)
    run.add_organisations(ctx.organisations, ctx.report.pack_id)
    return _dump(run.sarif())


def render_batch(entries: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    lang = batch_lang(entries)
    run = _Run(lang)
    pack_id = ""
    for entry in entries:
        if entry.context is not None:
            run.add_report(entry.context)
            pack_id = entry.context.report.pack_id
        elif entry.error is not None:
            run.add_broken(entry.source, entry.error)
    run.add_organisations(organisations, pack_id)
    return _dump(run.sarif())
