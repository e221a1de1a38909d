"""Rule tests as data, as `semgrep --test` and `opa test` do: each case is a small JSON Patch of
the pack's compliant example record plus the statuses (and finding subjects) it must give.

Case files live in a pack's `cases/` directory:

    cases:
      - rule: prep.talks.member_pairs
        name: a pair of members never talked
        patch: [{op: remove, path: /talks/4}]
        expect: {prep.talks.member_pairs: failed}
        subjects: [p2~p3]

A case about an organisation rule (`scope: organisation`, judged over all records of one party
organisation) may give `records` instead of `patch`: a list of patches, each making one record
from the example. The records must belong to one organisation, and `expect`, `subjects` and
`levels` then name organisation rules only. A case with `patch` (or neither) is a run of one
record, which is then one organisation: its `expect` may name both kinds of rule.

      - rule: org.meetings.each_half
        name: no meeting in the second half
        records:
          - [{op: replace, path: /meeting/date, value: "2024-03-20"}]
          - [{op: replace, path: /meeting/date, value: "2024-05-16"}]
        expect: {org.meetings.each_half: failed}
        subjects: [2024-H2]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError, Problem, Text
from ..evaluate.engine import check
from ..evaluate.organisations import evaluate_organisations
from ..evaluate.results import Status
from ..load.source import load_path
from ..pack.loader import Pack
from ..record.validate import validate_record
from .patch import PatchError, apply_patch


class CaseModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    name: str
    patch: list[dict[str, Any]] = Field(default_factory=list)
    records: list[list[dict[str, Any]]] | None = Field(
        default=None,
        min_length=1,
        description="Several records of one organisation, each a patch of the example, for "
        "organisation rules (instead of patch).",
    )
    expect: dict[str, Literal["passed", "failed", "pending", "waived", "not_applicable", "error"]]
    subjects: list[str | None] | None = Field(
        default=None, description="Exactly the subjects of the findings of `rule`, in any order."
    )
    levels: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Rule id -> the level a failed result must have."
    )
    as_of: str | None = None

    def model_post_init(self, _context: Any) -> None:
        if self.records is not None and self.patch:
            raise ValueError("give patch (one record) or records (several), not both")


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cases: list[CaseModel] = Field(min_length=1)


@dataclass(frozen=True)
class Case:
    file: str
    index: int
    model: CaseModel

    @property
    def id(self) -> str:
        return f"{self.model.rule}: {self.model.name}"


def load_cases(pack: Pack) -> list[Case]:
    cases: list[Case] = []
    directory = Path(pack.root) / "cases"
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        doc = load_path(path)
        try:
            parsed = CaseFile.model_validate(doc.data)
        except ValidationError as exc:
            raise InputError(
                [
                    Problem(
                        doc.name,
                        "/" + "/".join(map(str, e["loc"])),
                        Text("合法的测试用例", "a valid test case"),
                        str(e["msg"]),
                    )
                    for e in exc.errors(include_url=False)
                ]
            ) from None
        cases.extend(Case(doc.name, i, c) for i, c in enumerate(parsed.cases))
    return cases


def example_data(pack: Pack) -> dict[str, Any]:
    if pack.example_path is None:
        raise InputError(
            [
                Problem(
                    pack.root,
                    "/example",
                    Text("规则包的示例记录", "the pack's example record"),
                    "none declared",
                )
            ]
        )
    data: dict[str, Any] = load_path(pack.example_path).data
    return data


def run_case(pack: Pack, base: dict[str, Any], case: Case) -> list[str]:
    """Mismatches between what the case expects and what the engine reports ([] = the case holds)."""
    import datetime as dt

    several = case.model.records is not None
    patches = case.model.records if case.model.records is not None else [case.model.patch]
    as_of = dt.date.fromisoformat(case.model.as_of) if case.model.as_of else None
    reports = []
    for k, patch in enumerate(patches):
        where = f" (record {k + 1})" if several else ""
        try:
            data = apply_patch(base, patch)
        except PatchError as exc:
            return [f"patch does not apply{where}: {exc}"]
        name = f"{case.file}#{case.index}" + (f".{k + 1}" if several else "")
        try:
            record = validate_record(data, name, pack.enums)
        except InputError as exc:
            return [f"patched record is invalid{where}: {exc.render('en')}"]
        reports.append(check(record, pack, as_of=as_of))
    organisations = evaluate_organisations(reports, pack, as_of=as_of)
    problems = []
    if len(organisations.entries) > 1:
        return [f"the records form {len(organisations.entries)} organisations; a case judges one"]
    by_id = {} if several else {r.rule: r for r in reports[0].results}
    for org in organisations.entries:
        by_id.update({r.rule: r for r in org.results})
    if several:
        for rule_id in [*case.model.expect, *case.model.levels]:
            rule = pack.rule(rule_id)
            if rule is not None and getattr(rule, "scope", "record") != "organisation":
                problems.append(f"{rule_id}: a case with records expects organisation rules only")
    for rule_id, status in case.model.expect.items():
        result = by_id.get(rule_id)
        if result is None:
            problems.append(f"{rule_id}: no such rule in pack {pack.id}")
            continue
        got: Status = result.status
        if got != status:
            detail = "; ".join(f.message.en for f in result.findings[:3]) or result.error or ""
            problems.append(f"{rule_id}: expected {status}, got {got} {detail}".rstrip())
    for rule_id, level in case.model.levels.items():
        result = by_id.get(rule_id)
        if result is not None and result.level != level:
            problems.append(f"{rule_id}: expected level {level}, got {result.level}")
    if case.model.subjects is not None and case.model.rule in by_id:
        # null names a finding about the whole selection (no single subject)
        got_subjects = sorted(str(f.subject) for f in by_id[case.model.rule].findings)
        want_subjects = sorted(str(s) for s in case.model.subjects)
        if got_subjects != want_subjects:
            problems.append(
                f"{case.model.rule}: expected subjects {want_subjects}, got {got_subjects}"
            )
    return problems
