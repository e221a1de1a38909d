"""Comparing reports (`diff OLD.json NEW.json`) and baselines (`check --baseline FILE`).

Both need to know when a finding of one run is "the same" as one of another. Messages are no
good for that — they name people and dates that a corrected record changes, and change with
`--lang` — and JSON pointers into lists shift when an entry is added above. A finding is
identified instead by (docs/ci.md, "Baselines and diffs"):

- the record: its `source` when a side holds several records; nothing when each side holds one
  (so that renaming the only record of a run changes nothing);
- the rule id;
- its anchor: the finding's `subject` (a person, pair, document or item id, stable across runs)
  when it has one, else its `path`; a rule that could not be evaluated is anchored `(error)`;
- the occurrence: the n-th finding with the same rule and anchor in that record.

Only *open* findings take part: not waived, not pending (a pending finding has not failed yet).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, Problem, Text, describe_found, replace
from ..evaluate.engine import status_of, summary_message
from ..evaluate.results import SEVERITY_RANK, FindingResult, Report, RuleResult, WaiverRef
from ..load.document import Document, problem_at

BASELINE_FORMAT = "dlsh-baseline/1"
REPORT_FORMATS = ("dlsh-report/1", "dlsh-batch-report/1")
ERROR_ANCHOR = "(error)"
BROKEN_RULE = "(input)"  # a record of a batch that could not be checked

Key = tuple[str, str, str, int]  # record, rule, anchor, occurrence


@dataclass(frozen=True)
class Item:
    """One open finding of a report, as a diff or a baseline sees it."""

    record: str  # the record's source ("" for a batch's unreadable entry: see BROKEN_RULE)
    rule: str
    subject: str | None
    path: str | None
    severity: str
    message: str
    anchor: str  # see the module's docstring
    title: str = ""
    line: int | None = None


def anchor_of(subject: str | None, path: str | None) -> str:
    if subject is not None:
        return f"subject:{subject}"
    if path is not None:
        return f"path:{path}"
    return "whole"


@dataclass(frozen=True)
class Side:
    """The open findings of one report file, with what is needed to pair them."""

    name: str
    records: tuple[str, ...]  # every record source the report holds (checked or not)
    checked: frozenset[tuple[str, str]]  # (record, rule) pairs that were evaluated
    items: tuple[Item, ...]
    pack: tuple[str, str] | None  # (id, version)

    def keyed(self, single: bool) -> dict[Key, Item]:
        seen: Counter[tuple[str, str, str]] = Counter()
        out: dict[Key, Item] = {}
        for item in self.items:
            record = "" if single else item.record
            base = (record, item.rule, item.anchor)
            out[(record, item.rule, item.anchor, seen[base])] = item
            seen[base] += 1
        return out


# --- reading report files ---------------------------------------------------------------------


def _bad(doc: Document, pointer: str, expected: Text, found: object) -> InputError:
    return InputError([problem_at(doc, pointer, expected, describe_found(found), "report")])


EXPECT_REPORT = Text(
    "dlsh-report/1 或 dlsh-batch-report/1 格式的 JSON 报告（`check --format json` 的输出）",
    "a JSON report, dlsh-report/1 or dlsh-batch-report/1 (the output of check --format json)",
)
EXPECT_BASELINE = Text(
    f"基线文件（{BASELINE_FORMAT}，由 `check --write-baseline` 写出）或 JSON 报告",
    f"a baseline file ({BASELINE_FORMAT}, written by check --write-baseline) or a JSON report",
)


def read_side(path: str | os.PathLike[str], baseline: bool = False) -> Side:
    """Read a report (or, with ``baseline``, also a baseline file); InputError when it is not."""
    from ..load.source import load_path

    doc = load_path(path)
    data = doc.data
    expected = EXPECT_BASELINE if baseline else EXPECT_REPORT
    formats = (*REPORT_FORMATS, BASELINE_FORMAT) if baseline else REPORT_FORMATS
    if not isinstance(data, dict):
        raise _bad(doc, "", expected, data)
    if data.get("format") not in formats:
        raise _bad(doc, "/format" if "format" in data else "", expected, data.get("format", data))
    problems: list[Problem] = []
    try:
        if data["format"] == BASELINE_FORMAT:
            side = _baseline_side(doc, problems)
        elif data["format"] == "dlsh-report/1":
            side = _report_side(doc, [("", data)], problems)
        else:
            side = _report_side(doc, _batch_entries(doc, problems), problems)
    except (KeyError, TypeError, AttributeError):
        problems.append(problem_at(doc, "", expected, describe_found(data), "report"))
    if problems:
        raise InputError(problems)
    return side


def _batch_entries(doc: Document, problems: list[Problem]) -> list[tuple[str, Any]]:
    records = doc.data.get("records")
    if not isinstance(records, list):
        problems.append(
            problem_at(doc, "/records", EXPECT_REPORT, describe_found(records), "report")
        )
        return []
    return [(f"/records/{i}", r) for i, r in enumerate(records)]


def _pack(data: Mapping[str, Any]) -> tuple[str, str] | None:
    pack = data.get("pack")
    if isinstance(pack, dict) and isinstance(pack.get("id"), str):
        return pack["id"], str(pack.get("version", ""))
    return None


def _report_side(
    doc: Document, entries: Sequence[tuple[str, Any]], problems: list[Problem]
) -> Side:
    records: list[str] = []
    checked: set[tuple[str, str]] = set()
    items: list[Item] = []
    for pointer, entry in entries:
        if not isinstance(entry, dict):
            problems.append(
                problem_at(doc, pointer, EXPECT_REPORT, describe_found(entry), "report")
            )
            continue
        if "error" in entry and "results" not in entry:  # a record the batch could not check
            source = str(entry.get("source", ""))
            records.append(source)
            first = (entry["error"].get("problems") or [{}])[0]
            items.append(
                Item(
                    source,
                    BROKEN_RULE,
                    None,
                    None,
                    "error",
                    str(first.get("message", "")),
                    ERROR_ANCHOR,
                )
            )
            continue
        source = str(entry["record"]["source"])
        records.append(source)
        for result in entry["results"]:
            rule = str(result["rule"])
            checked.add((source, rule))
            items.extend(_open_items(source, result))
        for org in entry.get("organisations") or []:
            items.extend(_org_items(org, checked))
    if len(entries) > 1 or doc.data.get("format") != "dlsh-report/1":
        for org in doc.data.get("organisations") or []:
            items.extend(_org_items(org, checked))
    return Side(doc.name, tuple(records), frozenset(checked), tuple(items), _pack(doc.data))


def _org_items(org: Mapping[str, Any], checked: set[tuple[str, str]]) -> Iterator[Item]:
    name = f"organisation:{org['unit']}" + (
        f" · {org['party_org']}" if org.get("party_org") else ""
    )
    for result in org["results"]:
        checked.add((name, str(result["rule"])))
        yield from _open_items(name, result)


def _open_items(source: str, result: Mapping[str, Any]) -> Iterator[Item]:
    rule = str(result["rule"])
    title = str(result.get("title", ""))
    if result["status"] == "error":
        yield Item(
            source, rule, None, None, "error", str(result.get("message", "")), ERROR_ANCHOR, title
        )
        return
    for f in result["findings"]:
        if f.get("waived") or f.get("pending"):
            continue
        severity = str(
            f.get("severity") or result.get("level") or result.get("severity") or "error"
        )
        # A merged finding (one late submission of many documents) is compared by what it
        # stands for: a document added to a late filing is a new finding, not the same one.
        for one in f.get("items") or [f]:
            yield Item(
                source,
                rule,
                one.get("subject"),
                one.get("path"),
                severity,
                str(one.get("message", "")),
                anchor_of(one.get("subject"), one.get("path")),
                title,
                one.get("line"),
            )


def _baseline_side(doc: Document, problems: list[Problem]) -> Side:
    entries = doc.data.get("findings")
    if not isinstance(entries, list):
        problems.append(
            problem_at(doc, "/findings", EXPECT_BASELINE, describe_found(entries), "report")
        )
        entries = []
    items = []
    for i, e in enumerate(entries):
        if not (isinstance(e, dict) and isinstance(e.get("rule"), str)):
            problems.append(
                problem_at(
                    doc,
                    f"/findings/{i}",
                    Text("含 `rule`（规则 id）的对象", "an object with a rule"),
                    describe_found(e),
                    "report",
                )
            )
            continue
        items.append(
            Item(
                str(e.get("record", "")),
                e["rule"],
                e.get("subject"),
                e.get("path"),
                str(e.get("severity", "error")),
                str(e.get("message", "")),
                str(e["anchor"])
                if isinstance(e.get("anchor"), str)
                else anchor_of(e.get("subject"), e.get("path")),
            )
        )
    records = tuple(dict.fromkeys(i.record for i in items))
    return Side(doc.name, records, frozenset(), tuple(items), _pack(doc.data))


# --- diff ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diff:
    """What changed between two reports: each list in the newer report's order (fixed and
    unchecked: the older one's)."""

    old: str
    new: str
    new_items: tuple[Item, ...]
    fixed: tuple[Item, ...]
    still: tuple[Item, ...]
    unchecked: tuple[Item, ...]  # open before; rule or record not checked in the newer report
    packs: tuple[tuple[str, str] | None, tuple[str, str] | None]

    def exit_code(self, fail_on: str = "error") -> int:
        """1 when a new open finding is at or above ``fail_on`` (never: always 0)."""
        if fail_on == "never":
            return 0
        floor = SEVERITY_RANK[fail_on]
        return int(any(SEVERITY_RANK.get(i.severity, 2) >= floor for i in self.new_items))

    def to_dict(self) -> dict[str, Any]:
        def listed(items: Iterable[Item]) -> list[dict[str, Any]]:
            return [item_dict(i) for i in items]

        return {
            "format": "dlsh-diff/1",
            "reports": {"old": self.old, "new": self.new},
            "summary": {
                "new": len(self.new_items),
                "fixed": len(self.fixed),
                "still_failing": len(self.still),
                "unchecked": len(self.unchecked),
            },
            "new_failures": listed(self.new_items),
            "fixed": listed(self.fixed),
            "still_failing": listed(self.still),
            "unchecked": listed(self.unchecked),
        }


def item_dict(i: Item) -> dict[str, Any]:
    out: dict[str, Any] = {
        "record": i.record,
        "rule": i.rule,
        "subject": i.subject,
        "path": i.path,
        "severity": i.severity,
        "message": i.message,
    }
    if i.line is not None:
        out["line"] = i.line
    return out


def diff(old: Side, new: Side) -> Diff:
    single = len(old.records) <= 1 and len(new.records) <= 1
    before = old.keyed(single)
    after = new.keyed(single)
    checked = {("" if single else r, rule) for r, rule in new.checked}
    unchecked = []
    fixed = []
    for key, item in before.items():
        if key in after:
            continue
        record = "" if single else item.record
        if (record, item.rule) in checked or item.rule == BROKEN_RULE:
            fixed.append(item)
        else:
            unchecked.append(item)
    return Diff(
        old.name,
        new.name,
        tuple(item for key, item in after.items() if key not in before),
        tuple(fixed),
        tuple(item for key, item in after.items() if key in before),
        tuple(unchecked),
        (old.pack, new.pack),
    )


# --- baselines ----------------------------------------------------------------------------------


def baseline_dict(reports: Sequence[Report], lang: str) -> dict[str, Any]:
    """The baseline file of a run: every open finding (not waived, not pending) of its records.

    Findings a previous baseline covered are open findings too, so rewriting a baseline with
    `check --baseline OLD --write-baseline NEW` keeps those still present and drops the fixed.
    """
    findings: list[dict[str, Any]] = []
    for report in reports:
        for r in report.results:
            for f in r.findings:
                if (f.waived and not f.baselined) or f.pending:
                    continue
                findings.extend(
                    {
                        "record": report.source,
                        "rule": r.rule,
                        "subject": one.subject,
                        "path": one.path,
                        "severity": f.severity,
                        "message": one.message.get(lang),
                    }
                    for one in f.items or (f,)
                )
    first = reports[0] if reports else None
    return {
        "format": BASELINE_FORMAT,
        "pack": {"id": first.pack_id, "version": first.pack_version} if first else None,
        "findings": findings,
    }


def baseline_reason(name: str, lang: str) -> str:
    return (
        f"in the baseline {name}; not counted as a failure"
        if lang == "en"
        else f"基线 {name} 中已有的问题，不计为不符合"
    )


class Baseline:
    """A baseline as applied to the reports of a run: a multiset of (record, rule, anchor)."""

    def __init__(self, side: Side, records_in_run: int) -> None:
        self.name = side.name
        # A baseline of one record applied to a run of one record pairs them whatever their
        # file names (as `diff` does); otherwise records are paired by source.
        self.single = len(side.records) <= 1 and records_in_run == 1
        self.left: Counter[tuple[str, str, str]] = Counter(
            ("" if self.single else i.record, i.rule, i.anchor) for i in side.items
        )

    def apply(self, report: Report, lang: str) -> Report:
        """``report`` with the open findings the baseline holds marked as baselined: shown as
        waived (reason: the baseline), not failures. The rule's status and message follow."""
        record = "" if self.single else report.source
        results = []
        waiver = WaiverRef(baseline_reason(self.name, lang), None, None, None, self.name)
        changed_any = False
        for r in report.results:
            findings = []
            changed = False
            for f in r.findings:
                # A merged finding is baselined when everything it stands for is in the baseline.
                keys = Counter(
                    (record, r.rule, anchor_of(one.subject, one.path)) for one in f.items or (f,)
                )
                if (
                    not f.waived
                    and not f.pending
                    and all(self.left[k] >= n for k, n in keys.items())
                ):
                    self.left -= keys
                    f = replace(f, waived=True, waiver=waiver, baselined=True)
                    changed = True
                findings.append(f)
            if changed:
                changed_any = True
                results.append(_restated(r, tuple(findings)))
            else:
                results.append(r)
        return replace(report, results=tuple(results)) if changed_any else report

    def apply_all(self, reports: Sequence[Report], lang: str) -> list[Report]:
        return [self.apply(r, lang) for r in reports]


def _restated(r: RuleResult, findings: tuple[FindingResult, ...]) -> RuleResult:
    if r.findings_omitted > r.omitted_waived:
        # Unlisted open findings cannot be matched with the baseline: the rule still fails.
        return replace(r, findings=findings)
    status, level = status_of(findings, r.checked)
    # The message counts what merged findings stand for, as the engine's does.
    counted = [f for f in findings for _ in range(f.count)]
    return replace(
        r,
        findings=findings,
        status=status,
        level=level,
        message=summary_message(status, counted, r.checked),
    )
