"""Rule tests as data, as `semgrep --test` and `opa test` do: each case is a small JSON Patch of
the pack's compliant example record plus the statuses (and finding subjects) it must give.

Case files live in a pack's `cases/` directory:

    cases:
      - rule: prep.talks.member_pairs
        name: a pair of members never talked
        patch: [{op: remove, path: /talks/4}]
        expect: {prep.talks.member_pairs: failed}
        subjects: [p2~p3]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError, Problem, Text
from ..evaluate.engine import check
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
    expect: dict[str, Literal["passed", "failed", "pending", "waived", "not_applicable", "error"]]
    subjects: list[str | None] | None = Field(
        default=None, description="Exactly the subjects of the findings of `rule`, in any order."
    )
    levels: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Rule id -> the level a failed result must have."
    )
    as_of: str | None = None


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

    try:
        data = apply_patch(base, case.model.patch)
    except PatchError as exc:
        return [f"patch does not apply: {exc}"]
    try:
        record = validate_record(data, f"{case.file}#{case.index}", pack.enums)
    except InputError as exc:
        return [f"patched record is invalid: {exc.render('en')}"]
    as_of = dt.date.fromisoformat(case.model.as_of) if case.model.as_of else None
    report = check(record, pack, as_of=as_of)
    by_id = {r.rule: r for r in report.results}
    problems = []
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
