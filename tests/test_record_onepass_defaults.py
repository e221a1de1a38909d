"""The one pass's shortcuts of session 7 against the code they replace (record/onepass.py).

- A default that the field's own test passes unchanged (a bool, an int within its bounds, a
  str) stands in the merged defaults as it is (`_direct`), where it was a marker replaced by the
  default: the one pass generated with the old rule must give the same data, index and
  outcome on every record, and both must agree with the two passes.
- An empty list is replaced by a new empty one without a list comprehension, a list of one item
  is made without one; a required id is indexed without testing it for None, the reserved id
  is looked for once at the end; `todo` is read from the field's local. Records with
  every list field of an object given empty, absent, null or wrong, and ids and `todo` marks
  changed, must agree with the two passes (`assert_one_pass_agrees`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from strategies import PROPERTY_SETTINGS, compliant
from test_record_fastpath import _containers, _same, mutated
from test_record_onepass import assert_one_pass_agrees

from dlsh_rules.record import onepass
from dlsh_rules.record import validate as record_module
from dlsh_rules.record.enums import DEFAULT, EnumTable
from dlsh_rules.record.plan import FieldPlan, RecordPlan


def _old_direct(f: FieldPlan) -> bool:
    """The rule `_direct` replaced: only required fields, None and empty lists stood as they are."""
    empty_list = f.many and type(f.default) is list and f.default == [] and not f.min_length
    return f.required or (f.default is None and f.optional) or empty_list


def _plan() -> RecordPlan:
    return record_module._record_plan()


def _run(generated: onepass.OnePass, data: Any, enums: EnumTable) -> Any:
    """What a one pass makes of ``data``: (data, index entries, todo objects) or "declined"."""
    index: dict[str, Any] = {}
    todo: list[dict[str, Any]] = []
    try:
        plain = generated(data, enums.alias_table(), index, todo)
    except (onepass.Declined, KeyError):
        return "declined"
    return plain, [(k, e.kind, e.pointer, e.obj) for k, e in index.items()], todo


_NEW = onepass.generate(_plan(), record_module.Indexed)
with mock.patch.object(onepass, "_direct", _old_direct):
    _OLD = onepass.generate(_plan(), record_module.Indexed)


def assert_same_as_old_defaults(data: dict[str, Any], enums: EnumTable = DEFAULT) -> str:
    before = copy.deepcopy(data)
    new = _run(_NEW, data, enums)
    old = _run(_OLD, data, enums)
    assert _same(data, before), "the one pass changed its input"
    if new == "declined" or old == "declined":
        assert new == old
        return "declined"
    assert _same(new[0], old[0])
    assert new[1] == old[1]
    assert len(new[2]) == len(old[2])
    assert all(_same(a, b) for a, b in zip(new[2], old[2], strict=True))
    return "accepted"


def test_the_shortcut_is_taken() -> None:
    plan = _plan()
    shortcut = [
        (name, f.alias)
        for name, model in plan.models.items()
        for f in model.fields
        if onepass._direct(f) and not _old_direct(f)
    ]
    # `todo` of every kind of object, `days`, the person's and self-criticism's flags.
    assert len(shortcut) >= 10
    assert all(onepass._direct(f) for m in plan.models.values() for f in m.fields if _old_direct(f))


def _objects(plan: RecordPlan, model: str, obj: Any, path: tuple[Any, ...]) -> Iterator[Any]:
    """(model name, path) of every object of ``obj`` (validated as ``model``)."""
    if not isinstance(obj, dict):
        return
    yield model, path
    for f in plan.models[model].fields:
        value = obj.get(f.alias)
        if f.model is None or value is None:
            continue
        if f.many and isinstance(value, list):
            for n, item in enumerate(value):
                yield from _objects(plan, f.model, item, (*path, f.alias, n))
        elif not f.many:
            yield from _objects(plan, f.model, value, (*path, f.alias))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _first_objects(members: int) -> list[tuple[str, tuple[Any, ...]]]:
    """One object of each model found in a compliant record, with its path."""
    plan = _plan()
    seen: dict[str, tuple[Any, ...]] = {}
    for model, path in _objects(plan, plan.root, compliant(members), ()):
        seen.setdefault(model, path)
    return list(seen.items())


# What each field is given besides its own valid value: absent, null, its default, and values
# of the wrong type or out of bounds.
_GIVEN: list[Any] = [None, True, False, 0, 1, 2, 400, -1, "", "x", 1.5, [], {}, ["x"], [{}]]
_ABSENT = object()


@pytest.mark.parametrize("members", [2, 3])
def test_every_field_of_every_object_given_anything(members: int) -> None:
    """Each field of one object of every model present, given each of `_GIVEN` or left out:
    the new one pass agrees with the old rule's and with the two passes."""
    plan = _plan()
    outcomes: set[str] = set()
    tried = 0
    for model, path in _first_objects(members):
        for f in plan.models[model].fields:
            for value in [_ABSENT, *_GIVEN]:
                data = compliant(members)
                obj = _at(data, path)
                if value is _ABSENT:
                    obj.pop(f.alias, None)
                else:
                    obj[f.alias] = copy.deepcopy(value)
                outcome = assert_same_as_old_defaults(data)
                assert assert_one_pass_agrees(data) == outcome
                outcomes.add(outcome)
                tried += 1
    assert outcomes == {"accepted", "declined"}
    assert tried > 1000


@pytest.mark.parametrize("members", [2, 5])
def test_empty_lists_are_new_lists(members: int) -> None:
    """Every list field of every object given as an empty list: a new list in the data, no
    container shared with the input (`assert_one_pass_agrees` checks), the same data as the
    two passes."""
    plan = _plan()
    data = compliant(members)
    for model, path in _first_objects(members):
        obj = _at(data, path)
        for f in plan.models[model].fields:
            if f.many and not f.min_length and f.model is None:
                obj[f.alias] = []
    assert assert_one_pass_agrees(data) == "accepted"
    record = record_module.validate_record(data)
    given = {id(c) for c in _containers(data)}
    assert not given.intersection(id(c) for c in _containers(record.data))


def test_todo_marks_and_ids() -> None:
    """`todo` given true, false or absent on objects of each kind, and required ids missing,
    null, of the wrong type or the reserved "group" (now tested once, at the end): the same outcome, data and index as before, with `todo` items
    left out and kept."""
    plan = _plan()
    outcomes: set[str] = set()
    for model, path in _first_objects(5):
        fields = {f.alias for f in plan.models[model].fields}
        for alias, values in (
            ("todo", [True, False, _ABSENT]),
            ("id", [_ABSENT, None, 7, "q q", "group"]),
        ):
            if alias not in fields:
                continue
            for value in values:
                data = compliant(5)
                obj = _at(data, path)
                if value is _ABSENT:
                    obj.pop(alias, None)
                else:
                    obj[alias] = value
                outcome = assert_same_as_old_defaults(data)
                assert assert_one_pass_agrees(data) == outcome
                outcomes.add(outcome)
    assert outcomes == {"accepted", "declined"}


@settings(PROPERTY_SETTINGS, max_examples=max(200, 6 * PROPERTY_SETTINGS.max_examples))
@given(mutated())
def test_mutated_records_as_with_the_old_defaults(
    generated: tuple[dict[str, Any], list[str], EnumTable],
) -> None:
    data, _steps, enums = generated
    assert_same_as_old_defaults(data, enums)


def _lists(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every list in ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _lists(item, (*path, key))
    elif isinstance(value, list):
        yield path
        for n, item in enumerate(value):
            yield from _lists(item, (*path, n))


@pytest.mark.parametrize("members", [2, 4])
def test_lists_of_one_item(members: int) -> None:
    """A list of one item is made without a comprehension: every list of a compliant record
    cut to its first item, or that item replaced by something of another type, agrees with
    the two passes (data, index, pointers)."""
    outcomes: set[str] = set()
    for path in list(_lists(compliant(members))):
        for junk in (_ABSENT, None, 1, "x", {}, []):
            data = compliant(members)
            found = _at(data, path)
            if not found:
                continue
            del found[1:]
            if junk is not _ABSENT:
                found[0] = junk
            outcomes.add(assert_one_pass_agrees(data))
            assert assert_same_as_old_defaults(data) in outcomes
    assert outcomes == {"accepted", "declined"}
