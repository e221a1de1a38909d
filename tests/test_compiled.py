"""The compiled conditions (compiled.op_filter, compiled_checks.op_checker) agree with the
interpreted ones.

`Condition.holds` and `Condition.failures` are the reference; the kinds use closures built from
them for speed (docs/performance.md). Every condition of every installed pack, plus conditions
written to trip the closures' fast paths (lists, absent fields, blank texts, unhashable values,
ids instead of objects, `any`/`not` whose operators raise), is applied to every object of
generated records and must give the same verdict, the same failures and the same exception.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from strategies import PROPERTY_SETTINGS, Case, compliant, records

from dlsh_rules.errors import InputError
from dlsh_rules.evaluate.context import Context
from dlsh_rules.language.bulk import op_failing, op_passing
from dlsh_rules.language.compiled import op_filter
from dlsh_rules.language.compiled_checks import op_checker
from dlsh_rules.language.messages import Failure
from dlsh_rules.language.query import Condition
from dlsh_rules.pack.loader import Pack, available_packs, load_pack
from dlsh_rules.record.validate import RecordData, validate_record

T = TypeVar("T")


def specs_of(value: Any, cls: type[T], seen: set[int]) -> Iterator[T]:
    """Every object of ``cls`` in a pack's rule specs, once each (conditions, date bounds…)."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, cls):
        yield value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from specs_of(getattr(value, f.name), cls, seen)
    elif isinstance(value, BaseModel):  # a spec of the rule language
        for name in type(value).model_fields:
            yield from specs_of(getattr(value, name), cls, seen)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from specs_of(v, cls, seen)
    elif isinstance(value, dict):
        for v in value.values():
            yield from specs_of(v, cls, seen)


def _conditions(value: Any, seen: set[int]) -> Iterator[Condition]:
    return specs_of(value, Condition, seen)


EXTRA = [
    {"mode": "in_person", "participants": {"count": 2}},
    {"participants": {"min_count": 1, "max_count": 3}},
    {"participants": {"in_set": "members"}},
    {"participants": ["p1", "p2"]},
    {"participants": {"in": ["p1", "p2", None]}},
    {"participants": {"not_in": ["p3"]}, "mode": {"ne": "phone"}},
    {"participants": {"eq": "p1"}},
    {"participants": {"ne": "p1"}},
    {"participants": {"exists": False}},
    {"text": {"exists": True}},
    {"text": {"exists": False}},
    {"theme": {"eq": "x", "normalize": "text"}},
    {"role": {"in": ["secretary", "member"]}},
    {"kind": {"any_of": ["self_study", "group_study"]}},
    {"sources": {"in": ["x"]}},
    {"sources": {"count": 1}},
    {"items": {"any_of": ["x"]}},
    {"feedback": {"not_in": ["x"]}},
    {"feedback": {"eq": "x"}},
    {"feedback": {"exists": True}},
    {"owner": {"in": [["unhashable"]]}},
    {"owner": {"any_of": [{"a": 1}]}},
    {"any": [{"status": "open"}, {"sources": {"in": ["x"]}}]},
    {"any": [{"sources": {"in": ["x"]}}, {"status": "open"}]},
    {"not": {"items": {"not_in": ["x"]}}},
    {"not": {"mode": "in_person"}},
    {"all": [{"person": {"exists": True}}, {"items": {"in": ["x"]}}]},
    {"kind": "personal_matters", "all": [{"items": {"in": ["x"]}}]},
    {"days": {"gte": 1, "lte": 2}, "date": {"on_or_before": {"days": -10}}},
    {"text": {"text_contains_any": ["问题", "不足"], "text_contains_none": ["希望"]}},
    {"participants": {"count": 2, "where": {"role": "member"}}},
    {"person.role": "secretary", "person": {"exists": True}},
    {"@self": {"exists": True}},
    {"date": {"after": {"days": -30}}, "any": [{"mode": "phone"}, {"mode": "video"}]},
    {"any": [{"any": [{"status": "open"}, {"sources": {"in": ["x"]}}]}, {"kind": "x"}]},
    {"any": [{"kind": "x", "all": [{"status": "open"}, {"sources": {"in": ["x"]}}]}, {"a": 1}]},
    {"not": {"any": [{"status": "open"}, {"sources": {"in": ["x"]}}]}},
    {"status": "closed", "not": {"sources": {"in": ["x"]}}},
    {"status": "closed", "any": [{"sources": {"in": ["x"]}}, {"a": 1}]},
    {"text": {"text_contains_any": [1, "问题"]}},
    {"text": {"text_contains_none": ["希望", 2]}},
    {"text": {"text_contains_none": ["希 望"], "normalize": "text"}},
    {"text": {"text_contains_any": ["（问题）"], "normalize": "title"}},
    {"text": {"text_contains_any": []}},
    {"text": {"text_contains_none": [""]}},
    {"text": {"text_contains_any": ["a.b", "问题|不足"]}},
    {"sources.ref": {"exists": True}},
    {"sources.ref": {"in": ["x", "c-p1-p2"]}},
    {"sources.kind": "criticism"},
    {"feedback.by": {"in_set": "secretary"}},
    {"feedback.text": {"text_contains_any": ["偏少"]}},
    {"to.kind": {"any_of": ["discipline_commission"]}},
    {"owner": {"in": ["p1", "group"]}, "status": {"exists": True}},
    {"status": {"exists": True}, "owner": {"any_of": ["p1"]}, "text": {"not_in": ["x"]}},
    {"mode": "in_person", "participants": {"min_count": 2}, "text": {"exists": False}},
    {"kind": True, "days": 1, "role": {"ne": None}},
    {"participants": {"count": 0}, "feedback": {"exists": False}, "owner": {"not_in": [1]}},
    {"owner": {"in": [{"a": 1}]}, "status": {"exists": True}},
]

# Each operator that a group of plain-field tests reads in place, first in a group of two (the
# second, about a field no object has, always holds), on fields of every shape.
EXTRA += [
    {name: {kind: arg}, "no_such_field": {"exists": False}}
    for name in ("mode", "text", "participants", "owner", "status", "days")
    for kind, arg in (
        ("exists", True),
        ("exists", False),
        ("eq", "in_person"),
        ("ne", "in_person"),
        ("eq", 1),
        ("in", ["p1", "open", 1]),
        ("any_of", ["p1", "open"]),
        ("not_in", ["p1", "open"]),
        ("count", 1),
        ("min_count", 2),
        ("max_count", 1),
    )
]

# Mappings no valid record holds, for the corners of the fast paths: blank and absent texts,
# lists with gaps, values of another type than the field's usual one.
ODD_OBJECTS: list[Any] = [
    {},
    {"text": ""},
    {"text": " \u3000\n"},
    {"text": ["", None, " "]},
    {"text": [None, "问题"]},
    {"text": 3},
    {"text": False},
    {"participants": []},
    {"participants": [None]},
    {"participants": [None, "p1", "p1"]},
    {"participants": "p1"},
    {"participants": ["p1", ["p2"]]},
    {"mode": ["in_person"], "participants": ["p1", "p2"]},
    {"mode": "in_person", "participants": ["p1", "p2", None]},
    {"status": "open", "sources": []},
    {"status": "closed", "sources": [{"ref": "x"}]},
    {"status": "closed", "sources": "x"},
    {"status": ["closed"], "sources": ["x", None]},
    {"owner": {"id": "p1"}},
    {"owner": ["unhashable"]},
    {"role": None, "kind": True, "days": 1.0, "date": "2024-01-01"},
    {"feedback": None, "items": [None]},
    {"sources": [{"ref": "x"}, None, "p1", {"ref": ["a", None]}, 5]},
    {"sources": [{"ref": "x"}, {"kind": "criticism"}, [{"ref": "y"}]]},
    {"sources": {"ref": "y"}},
    {"sources": "p1"},
    {"feedback": {"by": ["p1", None], "text": ["问题", 3]}},
    {"text": "a.b 问题|不足"},
    {"text": ["希望", "p1同志问题"]},
    {"text": "", "status": "open", "mode": "phone", "days": True},
    {"text": "  ", "owner": "p1", "mode": "in_person", "days": 1},
    {"status": " ", "participants": ["p1", None], "mode": None},
]


def _record(data: dict[str, Any], pack: Pack) -> RecordData | None:
    try:
        return validate_record(data, "generated.json", pack.enums)
    except InputError:  # a record another pack's enums refuse is not a case here
        return None


def _objects(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v)


def _sample(record: RecordData) -> list[Any]:
    """Every mapping of the record, and some ids (which paths follow to their objects)."""
    objects = list(_objects(record.data))
    ids = sorted(record.index)[:: max(1, len(record.index) // 20)]
    return objects + ids + ["", "group", *ODD_OBJECTS]


def _outcome(fn: Any, ctx: Context, obj: Any) -> Any:
    try:
        return ("ok", fn(ctx, obj))
    except Exception as exc:  # the same exception is part of what must agree
        return ("raised", type(exc), str(exc))


def _agree(pack: Pack, record: RecordData) -> None:
    conditions = list(_conditions([rule.checks for rule in pack.rules], set()))
    conditions += [Condition.parse(spec) for spec in EXTRA]
    assert conditions
    ctx = Context(record, pack)
    objects = _sample(record)
    mappings = [o for o in objects if type(o) is dict]
    mappings += mappings[:7]  # the same object met twice
    for cond in conditions:
        holds, check = op_filter(cond), op_checker(cond)
        raised = False
        for obj in objects:
            assert _outcome(holds, ctx, obj) == _outcome(cond.holds, ctx, obj), (cond.spec, obj)
            got = _outcome(check, ctx, obj)
            want = _outcome(cond.failures, ctx, obj)
            assert got == want, (cond.spec, obj)
            if got[0] == "ok":
                assert all(isinstance(f, Failure) for f in got[1])
            raised = raised or got[0] == "raised"
        # All at once: only for conditions that cannot raise, and the same objects pass.
        passing, failing = op_passing(cond, ctx, mappings), op_failing(cond, ctx, mappings)
        assert (passing is None) == (failing is None)
        if passing is not None and failing is not None:
            assert not raised, cond.spec
            verdicts = [(o, cond.holds(ctx, o)) for o in mappings]
            assert [id(o) for o in passing] == [id(o) for o, v in verdicts if v]
            assert [id(o) for o in failing] == [id(o) for o, v in verdicts if not v]
            assert op_passing(cond, ctx, [*mappings, "p1"]) is None  # an id: one by one


@pytest.mark.parametrize("pack_name", available_packs())
def test_compiled_conditions_agree_on_the_example(pack_name: str) -> None:
    from dlsh_rules.authoring.testing import example_data

    pack = load_pack(pack_name)
    record = _record(example_data(pack), pack)
    assert record is not None
    _agree(pack, record)


@settings(PROPERTY_SETTINGS, max_examples=min(PROPERTY_SETTINGS.max_examples, 8))
@given(case=records(members=st.integers(2, 5), max_mutations=6))
def test_compiled_conditions_agree_on_generated_records(case: Case) -> None:
    for pack_name in available_packs():
        pack = load_pack(pack_name)
        record = _record(case.data, pack)
        if record is not None:
            _agree(pack, record)


def test_compiled_conditions_agree_on_a_compliant_record() -> None:
    pack = load_pack()
    record = _record(compliant(3), pack)
    assert record is not None
    _agree(pack, record)
