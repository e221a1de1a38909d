"""Equal date bounds share one resolution per record (`compiled.canonical`, issue 13).

A bound that does not depend on the object checked is kept in the record's context under the
first equal bound of the process, not under its own identity. These tests compare that with
each bound resolved on its own (`DateSpec._resolve`, the general code), dates and exceptions
alike, for every bound of every pack on generated records, and check what counts as equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, compliant, records
from test_compiled import _outcome, _record, specs_of

from dlsh_rules.dates import Offset
from dlsh_rules.evaluate.context import Context
from dlsh_rules.language.compiled import canonical, op_filter
from dlsh_rules.language.paths import _reverse_index, key_of, refs_parts
from dlsh_rules.language.query import Condition, DateSpec
from dlsh_rules.pack.loader import (
    Pack,
    _installed_root,
    _load_pack_files,
    available_packs,
    load_pack,
)
from dlsh_rules.record.validate import RecordData


def _bounds(value: Any, seen: set[int]) -> Iterator[DateSpec]:
    return specs_of(value, DateSpec, seen)


PACKS = {name: load_pack(name) for name in available_packs()}
BOUNDS = {
    name: [b for b in _bounds([r.checks for r in pack.rules] + [r.due for r in pack.rules], set())]
    for name, pack in PACKS.items()
}


def _agree(pack: Pack, bounds: list[DateSpec], record: RecordData) -> None:
    shared = Context(record, pack)
    for bound in bounds:
        if bound.relative:
            continue
        # Each bound on its own, in a fresh context: nothing kept from another bound.
        alone = _outcome(bound._resolve, Context(record, pack), None)
        # Twice in the shared context: resolved, or read as an equal bound left it.
        assert _outcome(bound.resolve, shared, None) == alone, bound
        assert _outcome(bound.resolve, shared, None) == alone, bound


def test_the_default_pack_repeats_bounds() -> None:
    """What the sharing is for: fewer distinct bounds than bound objects, in the pack as its
    files give it. (The disk cache stores equal value objects once, so a pack read back from it
    holds each bound once already: `PACKS` may come from either.)"""
    pack = _load_pack_files(_installed_root("provincial-bureau-2024") or "")
    every = _bounds([r.checks for r in pack.rules] + [r.due for r in pack.rules], set())
    fixed = [b for b in every if not b.relative]
    assert len({id(canonical(b)) for b in fixed}) < len(fixed)


@pytest.mark.parametrize("name", sorted(PACKS))
def test_shared_bounds_agree_on_a_compliant_record(name: str) -> None:
    record = _record(compliant(5), PACKS[name])
    if record is None:
        pytest.skip("this pack's enums refuse the generated record")
    assert BOUNDS[name]
    _agree(PACKS[name], BOUNDS[name], record)


@given(
    case=records(members=st.integers(2, 5), max_mutations=6),
    name=st.sampled_from(sorted(PACKS)),
)
def test_shared_bounds_agree_on_generated_records(case: Case, name: str) -> None:
    record = _record(case.data, PACKS[name])
    if record is not None:
        _agree(PACKS[name], BOUNDS[name], record)


def test_shared_bounds_agree_when_the_calendar_runs_out() -> None:
    """A bound that raises (working days beyond the calendar) is kept by none of its equals:
    each raises, with the same text, as it did alone."""
    pack = PACKS["provincial-bureau-2024"]
    data = compliant(5)
    data["meeting"]["date"] = "1990-03-01"
    record = _record(data, pack)
    assert record is not None
    bounds = [DateSpec.parse({"working_days": -3}), DateSpec.parse({"working_days": -3})]
    assert bounds[0] is not bounds[1] and canonical(bounds[1]) is canonical(bounds[0])
    _agree(pack, bounds, record)
    assert _outcome(lambda ctx, _: bounds[1].resolve(ctx), Context(record, pack), None)[0] == (
        "raised"
    )


def test_compiled_date_tests_read_an_equal_bounds_date() -> None:
    """The compiled test of one bound reads the date an equal bound left in the context, and
    decides as the interpreter does."""
    pack = PACKS["provincial-bureau-2024"]
    record = _record(compliant(5), pack)
    assert record is not None
    first = Condition.parse({"date": {"on_or_before": {"days": -10}}})
    second = Condition.parse({"date": {"on_or_before": {"days": -10}}})
    ctx = Context(record, pack)
    objects = [o for o in record.data["documents"] if isinstance(o, dict)]
    assert objects
    for obj in objects:
        assert op_filter(first)(ctx, obj) == first.holds(Context(record, pack), obj)
        assert op_filter(second)(ctx, obj) == second.holds(Context(record, pack), obj)


def test_equal_means_same_type_and_repr() -> None:
    assert canonical(Offset(days=1)) is canonical(Offset(days=1))
    # == calls them equal; the repr does not, and an int of 1 is not True for every reader.
    assert Offset(days=True) == Offset(days=1)
    assert canonical(Offset(days=True)) is not canonical(Offset(days=1))
    assert canonical(dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)
    assert canonical(DateSpec.parse({"days": 1})) is not canonical(DateSpec.parse({"days": 2}))


# --- in_set on a list read in one pass (compiled._in_set_test) ----------------------------------

VALUES = st.one_of(
    st.sampled_from(["p1", "p2", "p3", "d1", "group", "x", ""]),
    st.none(),
    st.builds(dict, id=st.sampled_from(["p1", "p2", "zz"])),
    st.just({"name": "no id"}),
    st.lists(st.sampled_from(["p1", "x"]), max_size=2),  # unhashable: raises as the interpreter
    st.integers(0, 3),
    st.booleans(),
)


@given(
    found=st.one_of(st.lists(VALUES, max_size=5), VALUES),
    set_name=st.sampled_from(["members", "secretary", "others"]),
)
def test_in_set_on_a_list_agrees_with_the_interpreter(found: Any, set_name: str) -> None:
    pack = PACKS["provincial-bureau-2024"]
    record = _record(compliant(5), pack)
    assert record is not None
    if set_name not in pack.sets:
        set_name = "members"
    cond = Condition.parse({"participants": {"in_set": set_name}})
    obj = {"participants": found}
    fast = _outcome(op_filter(cond), Context(record, pack), obj)
    assert fast == _outcome(cond.holds, Context(record, pack), obj)
    assert (fast[0] == "ok" and fast[1]) == (
        fast[0] == "ok" and _outcome(cond.failures, Context(record, pack), obj) == ("ok", [])
    )


# --- the reverse index of @refs with a one-field FIELD (paths._reverse_index) --------------------


def _general_reverse_index(ctx: Context, segment: str) -> dict[Any, list[Any]]:
    """The index as the general loop builds it, for every FIELD."""
    listing, at = refs_parts(segment)
    index: dict[Any, list[Any]] = {}
    for obj in listing.values(ctx, ctx.record.data):
        if not isinstance(obj, dict):
            continue
        seen: set[Any] = set()
        for value in at.values(ctx, obj):
            key = key_of(value)
            try:
                if key in seen:
                    continue
                seen.add(key)
            except TypeError:
                continue
            index.setdefault(key, []).append(obj)
    return index


OWNERS = st.one_of(VALUES, st.lists(VALUES, max_size=4))
LISTED = st.one_of(
    st.builds(dict, owner=OWNERS, kind=st.sampled_from(["opinion_list", "minutes"])),
    st.builds(dict, kind=st.just("minutes")),
    st.sampled_from(["p1", "d1", 3, None]),
)


@given(listed=st.lists(LISTED, max_size=8))
def test_reverse_index_of_one_field_agrees_with_the_general_loop(listed: list[Any]) -> None:
    pack = PACKS["provincial-bureau-2024"]
    record = _record(compliant(5), pack)
    assert record is not None
    record.data["documents"] = listed + record.data["documents"]
    for segment in ("@refs(documents:owner)", "@refs(documents:kind)", "@refs(talks:participants)"):
        fast = _reverse_index(Context(record, pack), segment)
        general = _general_reverse_index(Context(record, pack), segment)
        assert list(fast) == list(general)
        for key, objs in fast.items():
            assert [id(o) for o in objs] == [id(o) for o in general[key]]
