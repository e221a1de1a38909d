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

from ..errors import InputError, Problem, Text, describe
from ..evaluate.engine import check
from ..evaluate.results import Status
from ..load.document import Document, pointer_join, problem_at
from ..load.source import load_path
from ..pack.compose import closest
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
    # Rule ids the case names that the pack does not have: the case fails with these, as a
    # misspelt id would otherwise check nothing and pass (wrong result 4 of issue 9).
    unknown: tuple[Problem, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.model.rule}: {self.model.name}"


def load_cases(pack: Pack) -> list[Case]:
    cases: list[Case] = []
    directory = Path(pack.root) / "cases"
    ids = [r.id for r in pack.rules]
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        doc = load_path(path)
        try:
            parsed = CaseFile.model_validate(doc.data)
        except ValidationError as exc:
            raise InputError(
                [
                    problem_at(
                        doc,
                        "".join(pointer_join("", part) for part in e["loc"]),
                        Text("合法的测试用例", "a valid test case"),
                        str(e["msg"]),
                        "case",
                    )
                    for e in exc.errors(include_url=False)
                ]
            ) from None
        for i, model in enumerate(parsed.cases):
            unknown = tuple(_unknown_rules(pack, ids, doc, i, model))
            cases.append(Case(doc.name, i, model, unknown))
    return cases


def _unknown_rules(
    pack: Pack, ids: list[str], doc: Document, index: int, model: CaseModel
) -> list[Problem]:
    at = pointer_join("/cases", index)
    named = [(pointer_join(at, "rule"), model.rule)]
    named += [(pointer_join(pointer_join(at, "expect"), r), r) for r in model.expect]
    named += [(pointer_join(pointer_join(at, "levels"), r), r) for r in model.levels]
    found = []
    for pointer, rule_id in named:
        if pack.rule(rule_id) is not None:
            continue
        guess = closest(rule_id, ids)
        zh = f"；是否应为 {guess}？" if guess else ""
        en = f"; did you mean {guess}?" if guess else ""
        found.append(
            problem_at(
                doc,
                pointer,
                Text(f"规则包 {pack.id} 中的规则 id{zh}", f"a rule id of pack {pack.id}{en}"),
                describe(rule_id),
                "unknown_rule",
            )
        )
    return found


def coverage(pack: Pack, cases: list[Case]) -> dict[str, list[str]]:
    """Rule id -> what it lacks: "failing" (no case whose `rule` it is expects it failed),
    "passing" (none with a patch expects it passed). Rules lacking nothing are left out.

    A passing case needs a patch: the unchanged example passes every rule, which shows nothing
    about where one rule's boundary lies.
    """
    lacking: dict[str, list[str]] = {}
    for rule in pack.rules:
        mine = [c.model for c in cases if c.model.rule == rule.id]
        missing = []
        if not any(c.expect.get(rule.id) == "failed" for c in mine):
            missing.append("failing")
        if not any(c.expect.get(rule.id) == "passed" and c.patch for c in mine):
            missing.append("passing")
        if missing:
            lacking[rule.id] = missing
    return lacking


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


def run_case(pack: Pack, base: dict[str, Any], case: Case, lang: str = "en") -> list[str]:
    """Mismatches between what the case expects and what the engine reports ([] = the case holds)."""
    import datetime as dt

    if case.unknown:
        return [p.render(lang) for p in case.unknown]

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
