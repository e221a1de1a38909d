"""The one-pass validator and indexer (record/onepass.py) against the two passes it stands in for.

Where the one pass accepts a record it must give exactly what plan.py's validator and `_index`
give (data, key order, value types, index in its order, every pointer), and share no dict or
list with the input, with `todo` items left out or kept; it must accept every record those
accept without a problem, so that it is really the path valid records take; and it must
decline all the rest, which then go the old way and are worded as before. `RecordData.pointers`, made on demand,
must be the old map whatever is asked first.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PROPERTY_SETTINGS, compliant
from test_record_fastpath import _containers, _same, mutated
from test_record_generated import broken

from dlsh_rules.authoring.patch import apply_patch
from dlsh_rules.authoring.testing import example_data, load_cases
from dlsh_rules.errors import InputError
from dlsh_rules.load import cache as disk_cache
from dlsh_rules.pack.loader import available_packs, load_pack
from dlsh_rules.record import onepass
from dlsh_rules.record import validate as record_module
from dlsh_rules.record.enums import DEFAULT, EnumTable
from dlsh_rules.record.plan import ID_RE, fast_validate


def _one_pass(
    data: dict[str, Any], enums: EnumTable, keep_todo: bool = False
) -> record_module.RecordData | None:
    plan = record_module._record_plan()
    return record_module._indexed_in_one_pass(plan, data, "r.yaml", enums, {}, keep_todo)


def _two_passes(data: dict[str, Any], enums: EnumTable, keep_todo: bool = False) -> Any:
    """The old path: plan.py's validator then `_index`, with the eager pointer map; or None if
    the validator declines (pydantic would decide), or the problems."""
    plan = record_module._record_plan()
    plain = fast_validate(plan, data, enums)
    if plain is None:
        return None
    try:
        return record_module._index(plan, plain, "r.yaml", enums, {}, keep_todo)
    except InputError as exc:
        return exc.problems


def _entries(record: record_module.RecordData) -> list[Any]:
    return [(key, e.kind, e.pointer, id(e.obj)) for key, e in record.index.items()]


def assert_one_pass_agrees(data: dict[str, Any], enums: EnumTable = DEFAULT) -> str:
    """Whether the one pass accepted ``data``, having compared it with the two passes with
    `todo` items left out (as `check` reads a record) and kept (as `export` does)."""
    kept = _agrees(data, enums, keep_todo=True)
    assert _agrees(data, enums, keep_todo=False) == kept
    return kept


def _agrees(data: dict[str, Any], enums: EnumTable, keep_todo: bool) -> str:
    before = copy.deepcopy(data)
    new = _one_pass(data, enums, keep_todo)
    assert _same(data, before), "the one pass changed its input"
    old = _two_passes(copy.deepcopy(data), enums, keep_todo)
    plainly_valid = isinstance(old, record_module.RecordData)
    if new is None:
        assert not plainly_valid, "the one pass declined a record the two passes accept"
        return "declined"
    assert plainly_valid, f"the one pass accepted what the two passes do not: {old!r:.300}"
    assert isinstance(old, record_module.RecordData)
    assert _same(new.data, old.data)
    assert [(k, e.kind, e.pointer, e.obj) for k, e in new.index.items()] == [
        (k, e.kind, e.pointer, e.obj) for k, e in old.index.items()
    ]
    # The index holds the objects of the data it came with, not copies.
    made = {id(c) for c in _containers(new.data)}
    assert all(id(e.obj) in made for e in new.index.values())
    # Pointers: the same map, found the same way for every container, and none shared.
    old_by_path = {p: i for i, p in old.pointers.items()}
    new_by_path = {p: i for i, p in new.pointers.items()}
    assert old_by_path.keys() == new_by_path.keys()
    assert len(new.pointers) == len(old.pointers)
    given_ids = {id(c) for c in _containers(data)}
    listed = [id(c) for c in _containers(new.data)]
    assert len(set(listed)) == len(listed) and not given_ids.intersection(listed)
    return "accepted"


def _pointer_everywhere(record: record_module.RecordData, old: record_module.RecordData) -> None:
    """`pointer_of` of every container of the data, asked in data order (so that the first
    questions are answered before the map is complete), is the old map's."""
    for new_c, old_c in zip(_containers(record.data), _containers(old.data), strict=True):
        assert record.pointer_of(new_c) == old.pointer_of(old_c)


@pytest.mark.parametrize("members", [2, 5, 20])
def test_compliant_records_take_the_one_pass(members: int) -> None:
    data = compliant(members)
    assert assert_one_pass_agrees(data) == "accepted"
    new = _one_pass(data, DEFAULT)
    old = _two_passes(copy.deepcopy(data), DEFAULT)
    assert new is not None and isinstance(old, record_module.RecordData)
    _pointer_everywhere(new, old)


def test_validate_record_takes_it_and_answers_pointers_on_demand() -> None:
    record = record_module.validate_record(compliant(3))
    pointers = record.pointers
    assert isinstance(pointers, record_module._Pointers)
    assert pointers._step == 0  # nothing made yet
    assert record.pointer_of(record.data["talks"]) == "/talks"
    assert pointers._step == 1  # the top-level containers answered it
    talk = record.data["talks"][2]
    assert record.pointer_of(talk) == "/talks/2" and pointers._step == 2
    assert record.pointer_of(talk["participants"]) == "/talks/2/participants"
    assert pointers._step == 3
    assert record.pointer_of(talk["covers"]) is None  # not a list the walk visits, as before
    assert record.pointer_of(object()) is None
    with pytest.raises(KeyError):
        pointers[id(talk["covers"])]
    assert pointers[id(talk)] == "/talks/2" and id(talk) in pointers


def test_pack_cases_and_examples() -> None:
    outcomes: set[str] = set()
    for name in available_packs():
        pack = load_pack(name)
        base = example_data(pack)
        outcomes.add(assert_one_pass_agrees(base, pack.enums))
        for case in load_cases(pack):
            for patch in case.model.records or [case.model.patch]:
                outcomes.add(assert_one_pass_agrees(apply_patch(base, patch), pack.enums))
    assert "accepted" in outcomes


def test_values_that_need_the_old_path() -> None:
    """Explicit nulls, defaults given, aliases, dates as objects: each agrees or declines."""
    cases: list[tuple[tuple[Any, ...], Any]] = [
        (("talks", 0, "todo"), None),  # not optional: refused
        (("talks", 0, "todo"), False),  # the default, given
        (("talks", 0, "participants"), None),
        (("talks", 0, "mode"), None),  # optional: null is kept
        (("talks", 0, "mode"), "电话"),  # a Chinese label
        (("meeting", "days"), None),
        (("meeting", "days"), 2),
        (("meeting", "date"), "2024-02-30"),
        (("rectification",), None),
        (("rectification",), {"items": []}),
        (("people", 0, "supervises"), None),
        (("people", 0, "id"), "a b"),
        (("people", 0, "id"), "x" * 65),
        (("people", 0, "id"), ""),
        (("people", 1, "id"), "p1"),  # a duplicate
        (("talks", 0, "id"), "group"),
    ]
    outcomes = set()
    for path, value in cases:
        data = compliant(2)
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        outcomes.add(assert_one_pass_agrees(data))
    assert outcomes == {"accepted", "declined"}


@settings(PROPERTY_SETTINGS, max_examples=max(200, 6 * PROPERTY_SETTINGS.max_examples))
@given(mutated())
def test_mutated_records(generated: tuple[dict[str, Any], list[str], EnumTable]) -> None:
    data, _steps, enums = generated
    assert_one_pass_agrees(data, enums)


@settings(PROPERTY_SETTINGS, max_examples=max(150, 4 * PROPERTY_SETTINGS.max_examples))
@given(broken())
def test_ids_references_groups_and_todo(data: dict[str, Any]) -> None:
    assert_one_pass_agrees(data)


_ID_CHARS = st.characters(codec="utf-8") | st.sampled_from(" \t\n\x0b\x0c\r\x85\xa0\u3000~>/")


@settings(PROPERTY_SETTINGS, max_examples=max(300, 6 * PROPERTY_SETTINGS.max_examples))
@given(st.lists(st.text(_ID_CHARS, max_size=70), max_size=6, unique=True))
def test_ids_valid_is_the_id_pattern(ids: list[str]) -> None:
    table = dict.fromkeys(ids)
    assert onepass.ids_valid(table) == all(ID_RE.fullmatch(i) for i in ids)


def test_ids_valid_splits_where_the_pattern_sees_white_space() -> None:
    space = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        assert (len(f"a{char}b".split()) != 1) == bool(space.match(char)), hex(code)
    assert onepass.ids_valid({"p1": 1, "运": 2, "x" * 64: 3})
    assert not onepass.ids_valid({"p1": 1, "x" * 65: 3})
    assert not onepass.ids_valid({"p1": 1, "": 3})


def test_the_generated_source_holds_no_text_of_the_plan() -> None:
    plan = record_module._record_plan()
    sources: list[str] = []
    real = onepass.compiled_source

    def spy(source: str, filename: str) -> Any:
        sources.append(source)
        return real(source, filename)

    with (
        mock.patch.object(onepass, "compiled_source", spy),
        mock.patch.object(disk_cache, "enabled", lambda: False),
    ):
        assert onepass.generate(plan, record_module.Indexed) is not None
    (source,) = sources
    texts = {f.alias for m in plan.models.values() for f in m.fields}
    texts |= {m.object_kind for m in plan.models.values() if m.object_kind}
    texts |= {f.enum for m in plan.models.values() for f in m.fields if f.enum}
    for text in texts:
        assert f'"{text}"' not in source and f"'{text}'" not in source, text


def test_a_plan_it_cannot_fuse_keeps_the_two_passes() -> None:
    plan = record_module._record_plan()
    with mock.patch.object(onepass, "_fusable", lambda plan: False):
        assert onepass.generate(plan, record_module.Indexed) is None
    data = compliant(2)
    with mock.patch.object(record_module, "_one_pass", lambda plan: None):
        record = record_module.validate_record(copy.deepcopy(data))
    assert isinstance(record.pointers, dict)
    assert record.data == record_module.validate_record(copy.deepcopy(data)).data


def test_dates_are_parsed_once_and_the_table_stays_bounded() -> None:
    onepass._DAYS.clear()
    with mock.patch.object(onepass, "_DAYS_MAX", 3):
        for day in ("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"):
            assert onepass._new_day(day).isoformat() == day
        assert len(onepass._DAYS) <= 3
    onepass._DAYS.clear()


def _iter_pointers(record: record_module.RecordData) -> Iterator[str]:
    return iter(record.pointers.values())


def test_todo_items_are_left_out_and_the_others_keep_their_pointers() -> None:
    data = compliant(3)
    data["talks"][1]["todo"] = True
    data["documents"][0]["todo"] = True
    assert assert_one_pass_agrees(data) == "accepted"
    record = _one_pass(copy.deepcopy(data), DEFAULT)
    assert record is not None and isinstance(record.pointers, dict)
    assert data["talks"][1]["id"] not in record.index
    assert record.index[data["talks"][2]["id"]].pointer == "/talks/2"
    assert record.pointer_of(record.data["talks"][1]) == "/talks/2"
    kept = _one_pass(copy.deepcopy(data), DEFAULT, keep_todo=True)
    assert kept is not None and data["talks"][1]["id"] in kept.index


def test_pointers_iterate_as_a_mapping() -> None:
    data = compliant(2)
    new = record_module.validate_record(copy.deepcopy(data))
    with mock.patch.object(record_module, "_one_pass", lambda plan: None):
        old = record_module.validate_record(copy.deepcopy(data))
    assert sorted(_iter_pointers(new)) == sorted(_iter_pointers(old))
    assert set(new.pointers) <= {id(c) for c in _containers(new.data)}


def _each_ref_right(targets: list[Any], index: dict[str, Any], kinds: Any, group: bool) -> bool:
    """`_index`'s test of each reference, one by one (and the validator's: exactly a str)."""
    for target in targets:
        if type(target) is not str:
            return False
        if group and target == "group":
            continue
        found = index.get(target)
        if found is None or found[0] not in kinds:
            return False
    return True


_TARGETS = st.one_of(
    st.sampled_from(["p1", "p2", "d1", "group", "nobody", ""]),
    st.integers(0, 2),
    st.none(),
    st.builds(lambda: ["p1"]),
)


@settings(PROPERTY_SETTINGS, max_examples=max(300, 6 * PROPERTY_SETTINGS.max_examples))
@given(
    st.lists(_TARGETS, min_size=1, max_size=6),
    st.sampled_from([frozenset({"person"}), frozenset({"person", "department"})]),
    st.booleans(),
)
def test_refs_valid_is_each_reference_tested(targets: list[Any], kinds: Any, group: bool) -> None:
    index = {"p1": ("person",), "p2": ("person",), "d1": ("department",)}
    expected = _each_ref_right(targets, index, kinds, group)
    assert onepass.refs_valid(targets, index, kinds, group) == expected
