"""bench/handwritten.py decides what the pack decides, so that bench/vs_handwritten.py compares
two programs doing the same work (issue 13).

A correctness test, never a timing test: on every case of provincial-bureau-2024 (its own JSON
Patches of its example, with their as-of dates) and on generated and damaged records, the
hand-written 9 rules give each rule the status the engine gives it and the same finding subjects.
They are run on both forms of the data the benchmark gives them: the validated record's data and
the parsed document before validation.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from strategies import compliant, records

from dlsh_rules.authoring.patch import PatchError, apply_patch
from dlsh_rules.authoring.testing import example_data, load_cases
from dlsh_rules.errors import InputError
from dlsh_rules.evaluate.engine import check
from dlsh_rules.pack.loader import Pack, load_pack
from dlsh_rules.record.validate import RecordData, validate_record

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import handwritten

PACK = "provincial-bureau-2024"
PARSED: list[str] = []  # the records compared in their parsed form too


def engine_verdicts(
    record: RecordData, pack: Pack, as_of: dt.date | None
) -> dict[str, handwritten.Verdict]:
    report = check(record, pack, as_of=as_of, select=handwritten.RULES)
    # The subjects of the findings as the rule decided them: a finding that lists several of
    # one cause as one (evaluate/grouping.py) stands for its items.
    return {
        r.rule: (
            r.status,
            r.level,
            tuple(sorted(str(i.subject) for f in r.findings for i in (f.items or (f,)))),
        )
        for r in report.results
    }


# The enumerated fields the hand-written rules read, which the loader also accepts as Chinese
# labels (面对面 for in_person…) and the hand-written rules do not.
ENUM_FIELDS = (
    ("talks", "mode"),
    ("people", "role"),
    ("documents", "kind"),
    ("orgs", "kind"),
    ("submissions", "purpose"),
)


def aliased(raw: dict[str, Any]) -> bool:
    return any(
        isinstance(item, dict) and isinstance(item.get(field), str) and not item[field].isascii()
        for name, field in ENUM_FIELDS
        for item in raw.get(name) or ()
    )


def assert_same(pack: Pack, data: dict[str, Any], as_of: dt.date | None, name: str) -> bool:
    """Compare on one record; False when the record is invalid (nothing to compare)."""
    raw = copy.deepcopy(data)
    try:
        record = validate_record(data, name, pack.enums)
    except InputError:
        return False
    want = engine_verdicts(record, pack, as_of)
    assert set(want) == set(handwritten.RULES)
    assert handwritten.check_record(record.data, as_of) == want, name
    # The parsed document: the hand-written rules read enumerated values as written, so not
    # where one is a Chinese alias.
    if not aliased(raw):
        assert handwritten.check_record(raw, as_of) == want, f"{name} (parsed)"
        PARSED.append(name)
    return True


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(PACK)


def test_the_pack_has_the_nine_rules(pack: Pack) -> None:
    for rule_id in handwritten.RULES:
        assert pack.rule(rule_id) is not None, rule_id


def test_every_case_of_the_pack(pack: Pack) -> None:
    base = example_data(pack)
    compared = 0
    PARSED.clear()
    statuses: set[tuple[str, str]] = set()
    for case in load_cases(pack):
        if case.model.records is not None:
            continue  # organisation rules: several records, none of the 9
        as_of = dt.date.fromisoformat(case.model.as_of) if case.model.as_of else None
        try:
            data = apply_patch(base, case.model.patch)
        except PatchError:
            continue
        if assert_same(pack, data, as_of, case.id):
            compared += 1
            record = validate_record(apply_patch(base, case.model.patch), case.id, pack.enums)
            for rule_id, (status, _, _) in handwritten.check_record(record.data, as_of).items():
                statuses.add((rule_id, status))
    assert compared > 200
    assert len(PARSED) > 200
    # The comparison is worth something only if the cases make every rule fail somewhere.
    for rule_id in handwritten.RULES:
        assert (rule_id, "failed") in statuses, rule_id
        assert (rule_id, "passed") in statuses, rule_id
    assert any(status == "pending" for _, status in statuses)


@pytest.mark.parametrize("members", [2, 5, 20, 40])
def test_generated_records(pack: Pack, members: int) -> None:
    for shift in (0, 3):
        data = compliant(members)
        if shift:
            data = copy.deepcopy(data)
            data["meeting"]["date"] = (
                dt.date.fromisoformat(data["meeting"]["date"]) + dt.timedelta(days=shift)
            ).isoformat()
        for as_of in (None, dt.date(2024, 1, 15), dt.date(2024, 2, 10)):
            assert assert_same(pack, data, as_of, f"{members} members, shift {shift}")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(records(max_mutations=6))
def test_damaged_records(case: Any) -> None:
    pack = load_pack(PACK)
    for as_of in (None, dt.date(2024, 1, 18), dt.date(2024, 2, 10)):
        assert_same(pack, copy.deepcopy(case.data), as_of, " ".join(case.steps))


def test_the_comparison_can_fail(pack: Pack) -> None:
    """A hand-written rule that forgets the form of a talk is caught on the pack's cases."""
    original = handwritten.check_record

    def wrong(data: dict[str, Any], as_of: dt.date | None = None) -> dict[str, Any]:
        data = copy.deepcopy(data)
        for talk in data.get("talks", []):
            talk["mode"] = "in_person"
        return original(data, as_of)

    handwritten.check_record = wrong  # type: ignore[assignment]
    try:
        with pytest.raises(AssertionError):
            test_every_case_of_the_pack(pack)
    finally:
        handwritten.check_record = original
