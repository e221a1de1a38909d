"""The fast record validator (recordplan.py) against pydantic's, which it stands in for.

For generated records and many mutations of them, the fast path either declines or gives exactly
what pydantic's validator and serializer give: the same dict, the same key order, the same value
types. `validate_record` must report the same data or the same problems whether the fast path is
there or not. And the fast path must be worth having: every valid record among the examples and
the pack cases is accepted by it, and validating a record with a warm cache imports neither
pydantic nor pydantic-core.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from unittest import mock

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, field_validator
from strategies import PROPERTY_SETTINGS, compliant, records

from dlsh_rules.authoring.patch import apply_patch
from dlsh_rules.authoring.testing import example_data, load_cases
from dlsh_rules.errors import InputError
from dlsh_rules.load.source import load_path
from dlsh_rules.pack.loader import Pack, available_packs, load_pack
from dlsh_rules.record import validate as record_module
from dlsh_rules.record.enums import BASE, DEFAULT, EnumTable
from dlsh_rules.record.plan import OPAQUE, RecordPlan, fast_validate
from dlsh_rules.record.planner import _field_plan, _plain_model, build_plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"

# A pack may add enumerated values (record-format.md); these are what the mutations write.
EXTENDED = DEFAULT.extend(
    {"talk_mode": {"wechat": "微信"}, "org_kind": {"higher_party_committee": "上级党委"}}
)
ENUM_WORDS = sorted(
    {word for values in BASE.values() for pair in values.items() for word in pair}
    | {"wechat", "微信", "higher_party_committee", "上级党委", "SECRETARY", "secretary "}
)
DATE_TEXTS = [
    "2024-02-29",
    "2023-02-29",
    "2024-13-01",
    "1899-12-31",
    "1900-01-01",
    "2999-12-31",
    "3000-01-01",
    "2024-1-1",
    "20240101",
    "2024-01-01T00:00:00",
    "2024-01-01 ",
    " 2024-01-01",
    "２０２４-01-01",
]
ID_TEXTS = ["p1", "group", "a b", "a~b", "a>b", "a/b", "x" * 64, "x" * 65, "", "\n", "p1\n", "人员"]
KEYS = ["from", "from_", "$schema", "schema_", "id", "kind", "date", "unknown", "", 1, None]


class Text(str):
    """A str subclass: pydantic turns it into a str, the fast path leaves it to pydantic."""


class Number(int):
    pass


class Day(dt.date):
    pass


class Mapping(dict[str, Any]):
    pass


class Items(list[Any]):
    pass


# --- the two paths ---------------------------------------------------------------------------------


@cache
def _plan() -> RecordPlan:
    return record_module._record_plan()


def _fast(data: Any, enums: EnumTable = DEFAULT) -> dict[str, Any] | None:
    return fast_validate(_plan(), data, enums)


def _pydantic(data: dict[str, Any], enums: EnumTable = DEFAULT) -> dict[str, Any] | str:
    """pydantic's validated data, or the name of what it raised."""
    try:
        return record_module._pydantic_validate(data, "<record>", enums, {})
    except InputError:
        return "InputError"
    except Exception as exc:  # e.g. KeyError: an enumeration the table lacks
        return type(exc).__name__


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types everywhere and the same key order in every dict."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) or (a != a and b != b)  # NaN is itself


def _containers(value: Any) -> Iterator[Any]:
    if isinstance(value, (dict, list)):
        yield value
        for item in value.values() if isinstance(value, dict) else value:
            yield from _containers(item)


def _check_agreement(data: dict[str, Any], enums: EnumTable = DEFAULT) -> bool:
    """Assert the fast path declines or agrees with pydantic; whether it accepted."""
    before = copy.deepcopy(data)
    fast = _fast(data, enums)
    assert _same(data, before), "the fast path changed its input"
    if fast is None:
        return False
    slow = _pydantic(data, enums)
    assert isinstance(slow, dict), f"the fast path accepted what pydantic refuses ({slow})"
    assert _same(fast, slow), "the fast path's data differs from pydantic's"
    # RecordData.pointers tells objects apart by id(): none may be shared, with the input either.
    given = {id(c) for c in _containers(data)}
    made = [id(c) for c in _containers(fast)]
    assert len(set(made)) == len(made) and not given.intersection(made)
    return True


@contextmanager
def _pydantic_only() -> Iterator[None]:
    with (
        mock.patch.object(record_module, "fast_validate", lambda *args: None),
        mock.patch.object(record_module, "_one_pass", lambda plan: None),
    ):
        yield


def _validated(data: dict[str, Any], enums: EnumTable) -> Any:
    """What validate_record makes of ``data``: its data and index, or its problems."""
    try:
        result = record_module.validate_record(copy.deepcopy(data), "r.yaml", enums)
    except InputError as exc:
        return ("problems", exc.problems, exc.render("en"), exc.render("zh"))
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))
    index = {key: (v.kind, v.pointer, v.obj) for key, v in result.index.items()}
    pointers = sorted(result.pointers.values())
    return ("valid", result.data, index, pointers)


def _assert_validate_record_unchanged(data: dict[str, Any], enums: EnumTable) -> None:
    with_fast = _validated(data, enums)
    with _pydantic_only():
        without = _validated(data, enums)
    assert with_fast[0] == without[0]
    if with_fast[0] == "valid":
        assert _same(with_fast[1], without[1]) and with_fast[2:] == without[2:]
    else:
        assert with_fast == without


# --- mutations ---------------------------------------------------------------------------------------


def _places(data: Any) -> list[tuple[Any, Any]]:
    """(container, key or index) of every value below the root."""
    places: list[tuple[Any, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        keys = list(node) if isinstance(node, dict) else range(len(node))
        for key in keys:
            places.append((node, key))
            if isinstance(node[key], (dict, list)):
                stack.append(node[key])
    return places


def _dicts(data: Any) -> list[dict[str, Any]]:
    return [c for c in _containers(data) if isinstance(c, dict)]


def _replacement(draw: st.DrawFn, current: Any) -> Any:
    options: list[st.SearchStrategy[Any]] = [
        st.none(),
        st.booleans(),
        st.integers(-2, 400),
        st.sampled_from([2**63, -(2**63) - 1, 2**80]),
        st.sampled_from([0.0, 1.0, 2.0, 1.5, float("nan")]),
        st.sampled_from(["0", "1", "2", "367", "true", "yes", "null", ""]),
        st.sampled_from(DATE_TEXTS),
        st.dates(dt.date(1850, 1, 1), dt.date(3050, 12, 31)),
        st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1)),
        st.just(Day(2024, 3, 1)),
        st.sampled_from(ENUM_WORDS),
        st.sampled_from(ID_TEXTS),
        st.text(max_size=4),
        st.builds(Text, st.sampled_from(ENUM_WORDS + ID_TEXTS)),
        st.just(Number(1)),
        st.just(b"p1"),
        st.just([]),
        st.just({}),
        st.just(["p1"]),
        st.just(("p1",)),
        st.just({"p1"}),
        st.just("dlsh-record/1"),
    ]
    if isinstance(current, str):
        options += [st.just(Text(current)), st.just(current.upper()), st.just(current + " ")]
    if isinstance(current, list):
        options += [
            st.just(tuple(current)),
            st.just(Items(current)),
            st.just(current[:1]),
            st.just([*current, None]),
            st.just([*current, *current]),
        ]
    if isinstance(current, dict):
        options += [st.just(Mapping(current)), st.just(dict(reversed(current.items())))]
    return draw(st.one_of(options))


def _mutate(data: dict[str, Any], draw: st.DrawFn) -> str:
    """Change ``data`` in one drawn way; a description of the change."""
    how = draw(
        st.sampled_from(
            [
                "replace",
                "replace",
                "replace",
                "delete",
                "add_key",
                "rename_key",
                "none_everywhere",
                "date_objects",
                "chinese_labels",
                "clear_lists",
                "schema",
            ]
        )
    )
    places = _places(data)
    if how == "replace":
        parent, key = places[draw(st.integers(0, len(places) - 1))]
        parent[key] = _replacement(draw, parent[key])
        return f"replace {key!r} with {parent[key]!r:.60}"
    dicts = _dicts(data)
    target = dicts[draw(st.integers(0, len(dicts) - 1))]
    if how == "delete" and target:
        key = draw(st.sampled_from(list(target)))
        del target[key]
        return f"delete {key!r}"
    if how == "add_key":
        key = draw(st.sampled_from(KEYS))
        target[key] = _replacement(draw, None)
        return f"add {key!r}"
    if how == "rename_key" and target:
        key = draw(st.sampled_from(list(target)))
        new = draw(st.sampled_from([f"{key}_", str(key).upper(), Text(key), "from_", "from"]))
        target[new] = target.pop(key)
        return f"rename {key!r} to {new!r}"
    if how == "none_everywhere":
        for key in target:
            target[key] = None
        return "None everywhere in one object"
    if how == "date_objects":
        for parent, key in places:
            value = parent[key]
            if isinstance(value, str) and len(value) == 10 and value[4] == "-":
                with suppress(ValueError):
                    parent[key] = dt.date.fromisoformat(value)
        return "dates as date objects"
    if how == "chinese_labels":
        labels = {v: label for values in BASE.values() for v, label in values.items()}
        for parent, key in places:
            if isinstance(parent[key], str) and parent[key] in labels and draw(st.booleans()):
                parent[key] = labels[parent[key]]
        return "Chinese labels"
    if how == "clear_lists":
        for key, value in list(target.items()):
            if isinstance(value, list):
                target[key] = []
        return "empty lists"
    data["$schema"] = draw(st.sampled_from(["../schemas/record.schema.json", None, 1, Text("s")]))
    return f"$schema = {data['$schema']!r}"


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], list[str], EnumTable]:
    case = draw(records(members=st.integers(2, 5), max_mutations=2))
    data = case.data
    steps = [_mutate(data, draw) for _ in range(draw(st.integers(1, 3)))]
    enums = draw(st.sampled_from([DEFAULT, EXTENDED]))
    return data, steps, enums


MANY = settings(PROPERTY_SETTINGS, max_examples=max(300, 12 * PROPERTY_SETTINGS.max_examples))


# --- differential tests ---------------------------------------------------------------------------


@MANY
@given(mutated())
def test_fast_path_declines_or_agrees_with_pydantic(
    generated: tuple[dict[str, Any], list[str], EnumTable],
) -> None:
    data, _steps, enums = generated
    event("accepted" if _check_agreement(data, enums) else "declined")


@settings(PROPERTY_SETTINGS, max_examples=max(100, 4 * PROPERTY_SETTINGS.max_examples))
@given(mutated())
def test_validate_record_reports_what_it_did_without_the_fast_path(
    generated: tuple[dict[str, Any], list[str], EnumTable],
) -> None:
    data, _steps, enums = generated
    _assert_validate_record_unchanged(data, enums)


@settings(PROPERTY_SETTINGS, max_examples=max(60, 2 * PROPERTY_SETTINGS.max_examples))
@given(records())
def test_generated_records_are_accepted(case: Any) -> None:
    assert _check_agreement(case.data), case.steps


@pytest.mark.parametrize("members", [2, 5, 20])
def test_compliant_records_are_accepted(members: int) -> None:
    assert _check_agreement(compliant(members))


def test_values_pydantic_would_convert_are_declined() -> None:
    base = compliant(2)
    changes: list[tuple[str, Any]] = [
        ("/meeting/days", True),  # a bool for an int
        ("/meeting/days", 2.0),  # an int-valued float
        ("/meeting/days", "2"),  # a numeric string
        ("/meeting/days", Number(2)),
        ("/meeting/days", 367),  # out of range
        ("/meeting/year", 2024.0),
        ("/meeting/date", dt.datetime(2024, 1, 5, 9, 0)),
        ("/meeting/date", Day(2024, 1, 5)),
        ("/meeting/date", "2023-02-29"),
        ("/meeting/date", "1899-12-31"),
        ("/meeting/attendees", ("p1",)),
        ("/people/0/name", Text("张三")),
        ("/people/0/role", "chairman"),
        ("/people/0/has_inspection_feedback", 1),
        ("/unit", Mapping({"name": "x"})),
        ("/format", "dlsh-record/2"),
    ]
    for where, value in changes:
        data = copy.deepcopy(base)
        node: Any = data
        *path, last = where.strip("/").split("/")
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
        assert _fast(data) is None, where
        _check_agreement(data)


def test_keys_the_models_do_not_name_are_declined() -> None:
    data = compliant(2)
    criticism = data["meeting"]["criticisms"][0]
    criticism["from_"] = criticism.pop("from")  # the Python name: pydantic accepts it
    assert _fast(data) is None
    assert isinstance(_pydantic(data), dict)
    data = compliant(2)
    data["schema_"] = "x"
    assert _fast(data) is None
    data = compliant(2)
    data["talks"][0]["note"] = "x"
    assert _fast(data) is None
    data = compliant(2)
    del data["people"]
    assert _fast(data) is None
    data = compliant(2)
    data["people"] = []  # min_length=1
    assert _fast(data) is None


def test_what_the_fast_path_accepts_and_how() -> None:
    data = compliant(2)
    data["$schema"] = "../schemas/record.schema.json"
    data["meeting"]["date"] = dt.date.fromisoformat(data["meeting"]["date"])
    data["talks"][0]["mode"] = "电话"
    data["talks"][1]["mode"] = None
    data["meeting"]["year"] = 2**80
    del data["institutions"]
    del data["rectification"]
    assert _check_agreement(data)
    fast = _fast(data)
    assert fast is not None
    assert "$schema" not in fast and next(iter(fast)) == "format"
    assert type(fast["meeting"]["date"]) is dt.date
    assert fast["talks"][0]["mode"] == "phone" and fast["talks"][1]["mode"] is None
    assert fast["institutions"] == [] and fast["rectification"] == {"prior_items": [], "items": []}
    assert fast["meeting"]["criticisms"][0]["from"]  # by alias
    # Defaults are made afresh for every record: no list is shared between two of them.
    other = _fast(compliant(2))
    assert other is not None and other["waivers"] is not fast["waivers"]


def test_enumerations_follow_the_table() -> None:
    data = compliant(2)
    data["talks"][0]["mode"] = "微信"
    assert _fast(data) is None
    assert _check_agreement(data, EXTENDED)
    fast = _fast(data, EXTENDED)
    assert fast is not None and fast["talks"][0]["mode"] == "wechat"
    # A table without an enumeration the record uses: pydantic raises KeyError, the fast path
    # leaves it to do so.
    partial = EnumTable({name: values for name, values in BASE.items() if name != "talk_mode"})
    assert _fast(data, partial) is None
    assert _pydantic(data, partial) == "KeyError"


# --- the fast path must be used ----------------------------------------------------------------


@cache
def _pack(name: str) -> Pack:
    return load_pack(name)


def _case_records() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for name in available_packs():
        pack = _pack(name)
        base = example_data(pack)
        found.append((name, "example", copy.deepcopy(base)))
        for case in load_cases(pack):
            found.append((name, case.id, apply_patch(base, case.model.patch)))
    return found


def test_every_valid_pack_case_and_example_is_accepted() -> None:
    valid = declined = 0
    for name, case_id, data in _case_records():
        enums = _pack(name).enums
        if isinstance(_pydantic(data, enums), dict):
            assert _check_agreement(data, enums), f"{name}: {case_id} was declined"
            valid += 1
        else:
            assert _fast(data, enums) is None, f"{name}: {case_id}"
            declined += 1
    for path in sorted((ROOT / "docs" / "examples").glob("*.yaml")):  # the default pack's
        assert _check_agreement(load_path(path).data), path
        valid += 1
    assert valid > 500  # nearly all cases are valid records that break a rule
    assert declined < valid


def test_the_plan_understands_every_field() -> None:
    opaque = [
        (model.name, f.name) for model in _plan().models.values() for f in model.fields
        if f.kind == OPAQUE
    ]  # fmt: skip
    assert opaque == []


def test_the_planner_leaves_what_it_does_not_know_to_pydantic() -> None:
    class Checked(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str

        @field_validator("name")
        @classmethod
        def _strip(cls, value: str) -> str:
            return value.strip()

    class Stripped(BaseModel):
        model_config = ConfigDict(str_strip_whitespace=True)
        name: str

    class Fields(BaseModel):
        short: Annotated[str, Field(max_length=3)]
        floating: float
        renamed: str = Field(validation_alias="other")
        listed: list[str | None] = Field(default_factory=list)

    assert not _plain_model(Checked) and not _plain_model(Stripped) and _plain_model(Fields)
    for name, info in Fields.model_fields.items():
        assert _field_plan(name, info, False, True).kind == OPAQUE, name
    assert _field_plan("name", Checked.model_fields["name"], False, False).kind == OPAQUE


def test_the_plan_is_built_the_same_from_the_cache() -> None:
    import pickle

    built = build_plan(record_module._EXCLUDE)
    again = pickle.loads(pickle.dumps(built))
    data = compliant(3)
    assert _same(fast_validate(built, data, DEFAULT), fast_validate(again, data, DEFAULT))


# --- no pydantic on the way --------------------------------------------------------------------


PROBE = textwrap.dedent(
    """
    import sys

    import dlsh_rules.record
    from dlsh_rules.source import load_path

    doc = load_path(sys.argv[1])
    record = dlsh_rules.record.validate_record(doc.data, doc.name, positions=doc.positions)
    print(len(record.index), "pydantic" in sys.modules, "pydantic_core" in sys.modules)
    """
)


def test_validating_with_a_warm_cache_imports_no_pydantic(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DLSH_NO_CACHE", None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", PROBE, str(EXAMPLE)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0][0] == runs[1][0] != "0"
    assert runs[0][1:] == ["True", "True"]  # a cold cache: the plan is built from the models
    assert runs[1][1:] == ["False", "False"]  # a warm one: read back without pydantic


def test_the_check_command_reports_the_same_with_a_warm_cache(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DLSH_NO_CACHE", None)
    command = [sys.executable, "-m", "dlsh_rules", "check", str(EXAMPLE), "--format", "json"]
    outputs = [
        subprocess.run(command, env=env, capture_output=True, cwd=tmp_path, check=False)
        for _ in range(2)
    ]
    assert outputs[0].returncode == outputs[1].returncode == 0
    assert json.loads(outputs[0].stdout) == json.loads(outputs[1].stdout)
