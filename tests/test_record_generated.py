"""The generated record validator and walk (issue 13) against the code they stand in for.

plan.py's generated validator must accept and make exactly what its interpreter does, and
walkcode.py's walk must leave `validate_record` with the same data, index, pointers and
problems as `_walk`: on valid records, and on records with duplicate ids, wrong, forward and
`group` references, broken "exactly one of" groups and `todo` items.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import PROPERTY_SETTINGS, compliant
from test_record_fastpath import _same, _validated, mutated

from dlsh_rules.authoring.patch import apply_patch
from dlsh_rules.authoring.testing import example_data, load_cases
from dlsh_rules.load import cache as disk_cache
from dlsh_rules.pack.loader import available_packs, load_pack
from dlsh_rules.record import plan as plan_module
from dlsh_rules.record import validate as record_module
from dlsh_rules.record import walkcode
from dlsh_rules.record.enums import DEFAULT, EnumTable


def _fallback(*_args: Any) -> None:
    raise walkcode.Fallback


@contextmanager
def _reference_code() -> Iterator[None]:
    """validate_record with the interpreted validator and `_walk`, as before issue 13 (and
    without the one pass of onepass.py, which stands in for both)."""

    def interpreted(plan: Any) -> dict[str, Any]:
        table = plan_module._interpreted(plan)
        return {
            name: (lambda value, aliases, check=check: check(value, _normalise(aliases)))
            for name, check in table.items()
        }

    with (
        mock.patch.object(plan_module, "_compiled", interpreted),
        mock.patch.object(record_module, "_generated_walk", lambda plan: _fallback),
        mock.patch.object(record_module, "_one_pass", lambda plan: None),
    ):
        yield


def _normalise(aliases: Any) -> Any:
    return lambda name, value: aliases[name].get(value)


def assert_same_validation(data: dict[str, Any], enums: EnumTable = DEFAULT) -> str:
    new = _validated(copy.deepcopy(data), enums)
    with _reference_code():
        old = _validated(copy.deepcopy(data), enums)
    assert new[0] == old[0]
    if new[0] == "valid":
        assert _same(new[1], old[1]) and new[2:] == old[2:]
    else:
        assert new == old
    return str(new[0])


def test_the_reference_is_the_old_code() -> None:
    """The comparison is worth something only if the mock really switches code."""
    calls: list[str] = []
    original = record_module._walk

    def spy(*args: Any) -> None:
        calls.append("walk")
        original(*args)

    with _reference_code(), mock.patch.object(record_module, "_walk", spy):
        _validated(compliant(3), DEFAULT)
    assert calls  # _walk walks (recursively)
    calls.clear()
    with mock.patch.object(record_module, "_walk", spy):
        _validated(compliant(3), DEFAULT)
    assert calls == []


@pytest.mark.parametrize("members", [2, 5, 20])
def test_compliant_records(members: int) -> None:
    assert assert_same_validation(compliant(members)) == "valid"


def test_pack_cases_and_examples() -> None:
    outcomes: set[str] = set()
    for name in available_packs():
        pack = load_pack(name)
        base = example_data(pack)
        outcomes.add(assert_same_validation(base, pack.enums))
        for case in load_cases(pack):
            for patch in case.model.records or [case.model.patch]:
                outcomes.add(assert_same_validation(apply_patch(base, patch), pack.enums))
    assert outcomes == {"valid"}  # every case is a valid record


@st.composite
def broken(draw: st.DrawFn) -> dict[str, Any]:
    """A compliant record with what only the walk finds: ids, references, todo, groups."""
    data = compliant(draw(st.integers(2, 4)))
    people = data["people"]
    for _ in range(draw(st.integers(1, 4))):
        how = draw(
            st.sampled_from(
                [
                    "dup_id",
                    "group_id",
                    "bad_ref",
                    "wrong_kind",
                    "group_ref",
                    "forward",
                    "todo",
                    "approval",
                ]
            )
        )
        if how == "dup_id":
            talk = draw(st.sampled_from(data["talks"]))
            talk["id"] = draw(st.sampled_from([p["id"] for p in people] + ["t1"]))
        elif how == "group_id":
            draw(st.sampled_from(data["talks"]))["id"] = "group"
        elif how == "bad_ref":
            draw(st.sampled_from(data["talks"]))["participants"][0] = "nobody"
        elif how == "wrong_kind":
            draw(st.sampled_from(data["talks"]))["participants"][1] = data["talks"][0]["id"]
        elif how == "group_ref":
            draw(st.sampled_from(data["documents"]))["owner"] = draw(
                st.sampled_from(["group", "nobody", people[0]["id"]])
            )
        elif how == "forward":
            # People last: every reference to a person is met before the person.
            data["people"] = data.pop("people")
        elif how == "approval":
            # Exactly one of `org` and `by`: give both, or neither.
            approval = draw(st.sampled_from(data["approvals"]))
            if draw(st.booleans()):
                approval["org"], approval["by"] = data["orgs"][0]["id"], people[0]["id"]
            else:
                approval.pop("org", None)
                approval.pop("by", None)
        else:
            draw(st.sampled_from(data["talks"] + data["documents"]))["todo"] = True
    return data


@settings(PROPERTY_SETTINGS, max_examples=max(150, 4 * PROPERTY_SETTINGS.max_examples))
@given(broken())
def test_ids_references_and_todo(data: dict[str, Any]) -> None:
    assert_same_validation(data)


@settings(PROPERTY_SETTINGS, max_examples=max(150, 4 * PROPERTY_SETTINGS.max_examples))
@given(mutated())
def test_mutated_records(generated: tuple[dict[str, Any], list[str], EnumTable]) -> None:
    data, _steps, enums = generated
    assert_same_validation(data, enums)


def test_the_generated_source_holds_no_text_of_the_plan() -> None:
    """Aliases and kinds are bound to names, never written into the source."""
    plan = record_module._record_plan()
    sources: list[str] = []
    real_compile = compile

    def spy(source: str, *args: Any) -> Any:
        sources.append(source)
        return real_compile(source, *args)

    with (
        mock.patch("builtins.compile", spy),
        mock.patch.object(disk_cache, "enabled", lambda: False),
    ):
        plan_module._generate(plan)
        walkcode.generate(plan, record_module.Indexed)
    assert len(sources) == 2
    # "id" and "todo" are the walk's own words, as in `_walk`.
    aliases = {f.alias for m in plan.models.values() for f in m.fields} - {"id", "todo"}
    for source in sources:
        for alias in aliases:
            assert f'"{alias}"' not in source and f"'{alias}'" not in source


def test_compiled_code_comes_back_from_the_disk_cache(tmp_path: Any, monkeypatch: Any) -> None:
    """The second process compiles nothing; an entry of other bytes is not trusted."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("DLSH_NO_CACHE", raising=False)
    source = "def f():\n    return 41 + 1\n"
    first = plan_module.compiled_source(source, "<test>")
    with mock.patch("builtins.compile", side_effect=AssertionError("compiled again")):
        again = plan_module.compiled_source(source, "<test>")
    assert again == first and again is not first
    space: dict[str, Any] = {}
    exec(again, space)
    assert space["f"]() == 42
    name = disk_cache.key("generated code", "<test>", source)
    disk_cache.write(name, b"not code")
    space = {}
    exec(plan_module.compiled_source(source, "<test>"), space)
    assert space["f"]() == 42
