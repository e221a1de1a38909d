"""The fast paths of issue 13's third round agree with the general code they stand in for.

* compiled date bounds (`compiled._date_test`: a bound the same for every object read from the
  record's memo, and `_relative_bound` for ``{anchor: {here: PATH}}``), `in_set` read in place,
  `eq`/`ne` on dotted paths and text tests on an absent field, against `Condition.holds` and
  `Condition.failures` (the interpreter), verdicts and exceptions alike, on every object of
  generated records and on odd mappings (dates that are datetimes, lists of dates, texts where
  dates belong, nested lists);
* selections that take a group of their list by a field's value (`shared.grouped`) against the
  same selections read and filtered object by object (grouping switched off).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PROPERTY_SETTINGS, Case, compliant, records
from test_compiled import ODD_OBJECTS, _conditions, _outcome, _record, _sample

from dlsh_rules.evaluate.context import Context
from dlsh_rules.language import query, shared
from dlsh_rules.language.compiled import op_filter
from dlsh_rules.language.compiled_checks import op_checker
from dlsh_rules.language.query import Condition, Selection
from dlsh_rules.pack.loader import Pack, available_packs, load_pack
from dlsh_rules.record.validate import RecordData

DAY = dt.date(2024, 3, 1)

CONDITIONS = [
    {"date": {"on_or_before": {"days": -10}}},
    {"date": {"before": {"days": 0}, "on_or_after": {"months": -3}}},
    {"date": {"after": {"month": 1, "day": 1}}},
    {"review_date": {"before": {"days": 0}, "on_or_after": {"anchor": {"here": "date"}}}},
    {"review_date": {"after": {"anchor": {"here": "date"}, "days": 2}}},
    {"feedback.date": {"on_or_after": {"anchor": {"here": "activity.@end"}}}},
    {"feedback.date": {"on_or_after": {"anchor": {"here": "date"}, "pick": "max"}}},
    {"date": {"on_or_after": {"anchor": {"here": "opinions.activity.@end"}, "pick": "max"}}},
    {"date": {"on_or_before": {"anchor": {"here": "dates"}, "pick": "min", "days": -1}}},
    {"date": {"on_or_before": {"anchor": {"from": "activities", "path": "date"}}}},
    {"@end": {"on_or_before": {"days": 30}}},
    {"dates": {"after": {"days": -400}}},
    {"owner": {"in_set": "members"}},
    {"participants": {"in_set": "members"}},
    {"feedback.by": {"in_set": "secretary"}},
    {"@self": {"in_set": "members"}},
    {"sources.kind": "criticism", "feedback.by": {"ne": "p1"}},
    {"chair.represents": {"ne": "group"}},
    {"topic": {"text_contains_any": ["问题"]}, "covers": {"text_contains_none": ["x"]}},
    {"any": [{"date": {"before": {"days": -5}}}, {"owner": {"in_set": "secretary"}}]},
    {"not": {"review_date": {"after": {"anchor": {"here": "date"}}}}},
    {"covers": {"contains_all": ["a", "b"]}},
    {"covers": {"contains_all": ["a", None]}},  # None is never a value
    {"covers": {"contains_all": ["a", ["b"]]}},  # an unhashable argument: the general way
    {"covers": {"contains_all": []}, "topics": {"contains_all": ["a"]}},
    {"feedback.date": {"exists": True}, "feedback.text": {"exists": False}},
    {"conveyed.level": {"exists": True}},
]

DATED: list[Any] = [
    {"date": DAY, "review_date": DAY + dt.timedelta(days=3)},
    {"date": DAY, "review_date": DAY},
    {"date": dt.datetime(2024, 3, 1, 9, 0), "review_date": DAY},  # a datetime: comparing raises
    {"date": DAY, "review_date": dt.datetime(2024, 3, 2)},
    {"date": [DAY, None, DAY - dt.timedelta(days=40)], "review_date": [DAY, "x"]},
    {"date": "2024-03-01", "review_date": 3},
    {"date": None, "review_date": DAY},
    {"dates": [DAY, dt.date(2023, 1, 1)], "date": DAY},
    {"dates": [], "date": dt.date(2023, 12, 31)},
    {"date": DAY, "days": 3},
    {"date": DAY, "days": "x"},  # @end of a bad length raises
    {"feedback": {"date": DAY, "by": "p1"}, "activity": "a1", "date": DAY},
    {"feedback": [{"date": DAY}, {"date": [DAY, None]}], "date": [DAY]},
    {"owner": ["p1", ["p2"]], "participants": [{"id": "p1"}, None]},
    {"sources": [{"kind": "criticism"}, {"kind": ["criticism"]}]},
    {"chair": "p1", "topic": None},
    {"covers": ["a", "b", None], "topics": "a"},
    {"covers": ["b", ["a"]], "topics": ["a", None]},
    {"covers": "a", "topics": {"id": "a"}},
    {"covers": [None], "feedback": {"text": " ", "date": None}},
    {"covers": [{"a": 1}, "a", "b"], "feedback": [{"text": "x"}, None]},
]


def _agree(pack: Pack, record: RecordData) -> None:
    conditions = list(_conditions([rule.checks for rule in pack.rules], set()))
    conditions += [Condition.parse(spec) for spec in CONDITIONS]
    ctx = Context(record, pack)
    objects = [*_sample(record), *DATED, *ODD_OBJECTS]
    for cond in conditions:
        holds, check = op_filter(cond), op_checker(cond)
        for obj in objects:
            assert _outcome(holds, ctx, obj) == _outcome(cond.holds, ctx, obj), (cond.spec, obj)
            assert _outcome(check, ctx, obj) == _outcome(cond.failures, ctx, obj), (
                cond.spec,
                obj,
            )


def test_fast_paths_agree_on_a_compliant_record() -> None:
    pack = load_pack()
    record = _record(compliant(4), pack)
    assert record is not None
    _agree(pack, record)


@settings(PROPERTY_SETTINGS, max_examples=min(PROPERTY_SETTINGS.max_examples, 8))
@given(case=records(members=st.integers(2, 5), max_mutations=6))
def test_fast_paths_agree_on_generated_records(case: Case) -> None:
    pack = load_pack()
    record = _record(case.data, pack)
    if record is not None:
        _agree(pack, record)


# --- selections by a field's value ---------------------------------------------------------------


def _selections(pack: Pack) -> list[Selection]:
    found: list[Selection] = []
    seen: set[int] = set()

    def walk(value: Any) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, Selection):
            found.append(value)
        for child in _children(value):
            walk(child)

    walk([rule.checks for rule in pack.rules])
    return found


def _children(value: Any) -> list[Any]:
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    fields = getattr(value, "fields", None)
    if callable(fields):  # a frozen spec
        try:
            return list(fields().values())
        except TypeError:
            return []
    return []


EXTRA_SELECTIONS = [
    {"from": "documents", "where": {"kind": "speech_outline"}},
    {"from": "documents", "where": {"kind": "opinion_list", "owner": {"in_set": "members"}}},
    {"from": "meeting.agenda", "where": {"kind": "summary", "covers": {"exists": True}}},
    {"from": "activities", "where": {"kind": ["study"], "date": {"before": {"days": 0}}}},
    {"from": "people", "where": {"role": True}},
    {"from": "talks", "where": {"mode": "in_person", "any": [{"a": 1}, {"b": 2}]}},
    {"from": "documents", "where": {"kind": "speech_outline"}, "path": "date"},
    {"from": "documents", "where": {"kind": "x", "not": {"owner": "group"}}, "minus": ["d1"]},
]


def _items_of(sel: Selection, ctx: Context) -> Any:
    try:
        return ("ok", [id(i) if isinstance(i, dict) else i for i in sel._items(ctx, None)])
    except Exception as exc:  # the same exception is part of what must agree
        return ("raised", type(exc), str(exc))


def _agree_selections(pack: Pack, record: RecordData, monkeypatch: pytest.MonkeyPatch) -> None:
    sels = [s for s in _selections(pack) if not s.relative]
    sels += [Selection.parse(spec) for spec in EXTRA_SELECTIONS]
    grouped_ctx = Context(record, pack)
    fast = [_items_of(s, grouped_ctx) for s in sels]
    with monkeypatch.context() as patch:
        patch.setattr(query, "grouped", lambda *a: None)
        plain_ctx = Context(record, pack)
        slow = [_items_of(s, plain_ctx) for s in sels]
    for sel, a, b in zip(sels, fast, slow, strict=True):
        assert a == b, sel.spec


@pytest.mark.parametrize("pack_name", available_packs())
def test_grouped_selections_agree_on_the_example(
    pack_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dlsh_rules.authoring.testing import example_data

    pack = load_pack(pack_name)
    record = _record(example_data(pack), pack)
    assert record is not None
    _agree_selections(pack, record, monkeypatch)


@settings(PROPERTY_SETTINGS, max_examples=min(PROPERTY_SETTINGS.max_examples, 10))
@given(case=records(members=st.integers(2, 6), max_mutations=6))
def test_grouped_selections_agree_on_generated_records(case: Case) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        for pack_name in available_packs():
            pack = load_pack(pack_name)
            record = _record(case.data, pack)
            if record is not None:
                _agree_selections(pack, record, monkeypatch)


def test_a_list_with_odd_objects_is_not_grouped() -> None:
    assert shared._group([{"kind": "a"}, {"kind": ["a"]}], "kind") is None
    assert shared._group([{"kind": "a"}, "d1"], "kind") is None
    assert shared._group([{"kind": dt.date(2024, 1, 1)}], "kind") is None
    assert shared._group([{"kind": "a"}, {}, {"kind": "a", "x": 1}], "kind") == {
        "a": [{"kind": "a"}, {"kind": "a", "x": 1}]
    }
