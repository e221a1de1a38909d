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

from ..errors import InputError, Problem, Text, describe, describe_found
from ..evaluate.engine import check
from ..evaluate.organisations import evaluate_organisations
from ..evaluate.results import Status
from ..language.normalise import SpecError
from ..language.validation import error_text
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
    records: list[list[dict[str, Any]]] | None = Field(
        default=None,
        min_length=1,
        description="Several records of one organisation, each a patch of the example, for "
        "organisation rules (instead of patch).",
    )
    expect: dict[str, Literal["passed", "failed", "pending", "waived", "not_applicable", "error"]]
    subjects: list[str | None] | None = Field(
        default=None,
        description="Exactly the subjects of the findings of `rule`, in any order (a finding "
        "merged from several of one cause counts as those several).",
    )
    levels: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Rule id -> the level a failed result must have."
    )
    as_of: str | None = None

    def model_post_init(self, _context: Any) -> None:
        if self.records is not None and self.patch:
            raise SpecError(
                "give patch (one record) or records (several), not both",
                zh="patch（一份记录）与 records（多份记录）只能写一个",
            )


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
                        Text(f"合法的测试用例：{error_text(e).zh}", "a valid test case"),
                        _case_found(e),
                        "case",
                    )
                    for e in exc.errors(include_url=False)
                ]
            ) from None
        for i, model in enumerate(parsed.cases):
            unknown = tuple(_unknown_rules(pack, ids, doc, i, model))
            cases.append(Case(doc.name, i, model, unknown))
    return cases


def _case_found(error: Any) -> Text:
    """What a case file held where pydantic refused it: in English pydantic's message, as
    always; in Chinese what was written there."""
    if error["type"] == "missing":
        zh = "无（缺少此键）"
    elif error["type"] == "extra_forbidden":
        zh = f"未知的键 {error['loc'][-1]!r}"
    else:
        shown = describe_found(error.get("input"))
        zh = shown.zh if isinstance(shown, Text) else shown
    return Text(zh, str(error["msg"]))


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
        if not any(c.expect.get(rule.id) == "passed" and (c.patch or c.records) for c in mine):
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
                    Text("未声明", "none declared"),
                )
            ]
        )
    data: dict[str, Any] = load_path(pack.example_path).data
    return data


# The words of the text report (render/text.py) for the statuses a case expects.
_STATUS_ZH = {
    "passed": "通过",
    "failed": "不符合",
    "pending": "待到期",
    "waived": "已豁免",
    "not_applicable": "不适用",
    "error": "出错",
}


def run_case(pack: Pack, base: dict[str, Any], case: Case, lang: str = "en") -> list[str]:
    """Mismatches between what the case expects and what the engine reports ([] = the case holds)."""
    import datetime as dt

    if case.unknown:
        return [p.render(lang) for p in case.unknown]

    several = case.model.records is not None
    patches = case.model.records if case.model.records is not None else [case.model.patch]
    as_of = dt.date.fromisoformat(case.model.as_of) if case.model.as_of else None
    reports = []
    for k, patch in enumerate(patches):
        where = f" (record {k + 1})" if several else ""
        where_zh = f"（第 {k + 1} 份记录）" if several else ""
        try:
            data = apply_patch(base, patch)
        except PatchError as exc:
            if lang == "en":
                return [f"patch does not apply{where}: {exc}"]
            return [f"补丁无法应用{where_zh}：{exc.zh}"]
        name = f"{case.file}#{case.index}" + (f".{k + 1}" if several else "")
        try:
            record = validate_record(data, name, pack.enums)
        except InputError as exc:
            if lang == "en":
                return [f"patched record is invalid{where}: {exc.render('en')}"]
            return [f"打补丁后的记录无效{where_zh}：{exc.render(lang)}"]
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
                problems.append(
                    f"{rule_id}: a case with records expects organisation rules only"
                    if lang == "en"
                    else f"{rule_id}：含多份记录的用例只能期望组织规则的结果"
                )
    for rule_id, status in case.model.expect.items():
        result = by_id.get(rule_id)
        if result is None:
            problems.append(
                f"{rule_id}: no such rule in pack {pack.id}"
                if lang == "en"
                else f"{rule_id}：规则包 {pack.id} 中没有这条规则"
            )
            continue
        got: Status = result.status
        if got != status:
            detail = "; ".join(f.message.get(lang) for f in result.findings[:3]) or result.error
            if lang == "en":
                problems.append(f"{rule_id}: expected {status}, got {got} {detail or ''}".rstrip())
            else:
                problems.append(
                    f"{rule_id}：应为{_STATUS_ZH[status]}，实际为{_STATUS_ZH[got]}"
                    + (f"（{detail}）" if detail else "")
                )
    for rule_id, level in case.model.levels.items():
        result = by_id.get(rule_id)
        if result is not None and result.level != level:
            problems.append(
                f"{rule_id}: expected level {level}, got {result.level}"
                if lang == "en"
                else f"{rule_id}：级别应为 {level}，实际为 {result.level}"
            )
    if case.model.subjects is not None and case.model.rule in by_id:
        # null names a finding about the whole selection (no single subject)
        # A finding that stands for several of one cause (a late filing) counts as those several.
        got_subjects = sorted(
            str(one.subject) for f in by_id[case.model.rule].findings for one in f.items or (f,)
        )
        want_subjects = sorted(str(s) for s in case.model.subjects)
        if got_subjects != want_subjects:
            problems.append(
                f"{case.model.rule}: expected subjects {want_subjects}, got {got_subjects}"
                if lang == "en"
                else f"{case.model.rule}：发现项对象应为 {want_subjects}，实际为 {got_subjects}"
            )
    return problems
