"""The value classes that replaced dataclasses on the check path (errors.Value, issue 13) behave
as the dataclasses they replace: the same repr, equality, hash, ordering, pickling, copying,
`replace` and `__match_args__`, and frozen ones refuse assignment. Each is compared with a
dataclass made with the same fields and the flags the old one had."""

from __future__ import annotations

import copy
import dataclasses
import functools
import itertools
import pickle
from typing import Any

import pytest

import dlsh_rules
from dlsh_rules import dates, errors
from dlsh_rules.cli import batch, config
from dlsh_rules.evaluate import engine, results
from dlsh_rules.evaluate.kinds import base, frequency
from dlsh_rules.language import messages, paths, query
from dlsh_rules.load import document
from dlsh_rules.pack import loader
from dlsh_rules.record import enums, plan
from dlsh_rules.render import BatchEntry, RenderContext
from dlsh_rules.render.batch_view import RunEntry

# class: (frozen, order, fields out of the repr, fields out of eq/hash, fields __init__ makes)
SPECS: dict[
    type[errors.Value], tuple[bool, bool, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
]
SPECS = {
    errors.Problem: (True, False, (), (), ()),
    dates.Offset: (True, False, (), (), ()),
    dates.Steps: (True, False, (), (), ()),
    dates.Period: (True, True, (), (), ()),
    results.WaiverRef: (True, False, (), (), ()),
    results.FindingResult: (True, False, ("records", "baselined", "items"), (), ()),
    results.PeriodCount: (True, False, (), (), ()),
    results.RuleResult: (True, False, ("periods", "checked"), (), ()),
    results.Summary: (True, False, (), (), ()),
    results.OrgFact: (True, False, (), (), ()),
    results.UnusedWaiver: (True, False, ("line", "column"), (), ()),
    results.LateFact: (True, False, (), (), ()),
    results.Report: (
        True,
        False,
        ("party_org", "org_facts", "judged_at", "late_facts", "late_count"),
        (),
        (),
    ),
    results.OrganisationResult: (True, False, (), (), ()),
    results.Organisations: (True, False, (), (), ()),
    config.Key: (True, False, (), (), ()),
    config.Config: (False, False, (), (), ()),
    config.Settings: (False, False, (), (), ()),
    batch.BatchResult: (
        True,
        False,
        ("json_entry", "digest"),
        ("json_entry", "digest"),
        ("json_entry", "digest"),
    ),
    batch.Options: (True, False, (), (), ()),
    RenderContext: (True, False, (), (), ()),
    BatchEntry: (True, False, (), (), ()),
    RunEntry: (True, False, (), (), ()),
    document.Limits: (True, False, (), (), ()),
    document.Position: (True, False, (), (), ()),
    document.Document: (True, False, ("positions", "key_positions"), (), ()),
    messages.Failure: (True, False, (), (), ()),
    # the second round: what the check path still made with dataclasses
    query.Selection: (True, False, (), (), ()),
    query.Ratio: (True, False, (), (), ()),
    query.DateSpec: (True, False, (), (), ()),
    query.Window: (True, False, (), (), ()),
    query.Op: (True, False, (), (), ()),
    query.Condition: (True, False, (), ("spec",), ()),
    paths.Path: (
        True,
        False,
        ("single", "has_refs"),
        ("single", "has_refs"),
        ("single", "has_refs"),
    ),
    plan.FieldPlan: (True, False, (), (), ()),
    plan.ModelPlan: (True, False, ("walk",), (), ("walk",)),
    plan.RecordPlan: (True, False, (), (), ()),
    base.Cause: (True, False, (), (), ()),
    base.Finding: (True, False, (), (), ()),
    base.Outcome: (False, False, (), (), ()),
    loader.Pack: (False, False, (), (), ()),
    engine.Waiver: (True, False, (), (), ()),
    frequency.PeriodOutcome: (True, False, (), (), ()),
}
# Values that __init__ reads to compute a field (replace goes through __init__).
READ_BY_INIT: dict[type[errors.Value], dict[str, Any]] = {
    paths.Path: {"segments": ("a", "b")},
    plan.ModelPlan: {"fields": ()},
}
# Classes that were dataclasses with eq=False: equal only to themselves, hashed by identity.
BY_IDENTITY = {plan.RecordPlan}


@functools.cache
def _reference(cls: type[errors.Value]) -> Any:
    """The dataclass the class was: the same name, fields and flags."""
    frozen, order, hidden, uncompared, derived = SPECS[cls]
    fields = [
        (
            name,
            Any,
            dataclasses.field(
                repr=name not in hidden, compare=name not in uncompared, init=name not in derived
            ),
        )
        for name in cls._fields
    ]
    eq = cls not in BY_IDENTITY
    ref = dataclasses.make_dataclass(cls.__name__, fields, frozen=frozen, order=order, eq=eq)
    ref.__qualname__ = cls.__qualname__
    return ref


def _pair(cls: type[errors.Value], values: dict[str, Any]) -> tuple[Any, Any]:
    obj = cls.__new__(cls)
    for name, value in values.items():  # the values as given: no __init__ computing any
        object.__setattr__(obj, name, value)
    ref = _reference(cls)
    other = ref.__new__(ref)
    for name, value in values.items():
        object.__setattr__(other, name, value)
    return obj, other


@pytest.mark.parametrize("cls", list(SPECS), ids=lambda c: c.__qualname__)
def test_a_value_class_is_its_dataclass(cls: type[errors.Value]) -> None:
    frozen, order = SPECS[cls][:2]
    ref = _reference(cls)
    assert cls.__match_args__ == ref.__match_args__
    samples = [
        {name: (i % 2, name, "y" if i == 2 else "x") for name in cls._fields} for i in range(3)
    ]
    built = [_pair(cls, values) for values in samples]
    for (a, ra), (b, rb) in itertools.product(built, built):
        assert repr(a) == repr(ra)
        assert (a == b) == (ra == rb)
        assert (a != b) == (ra != rb)
        if frozen and cls not in BY_IDENTITY:
            assert hash(a) == hash(ra)
        if order:
            assert (a < b, a <= b, a > b, a >= b) == (ra < rb, ra <= rb, ra > rb, ra >= rb)
    obj = built[0][0]
    assert (cls.__hash__ is None) == (ref.__hash__ is None)
    assert obj != built[0][1]  # another class, as a dataclass compares only with its own
    if cls in BY_IDENTITY:  # a copy is another object: compared by what it shows
        assert repr(pickle.loads(pickle.dumps(obj))) == repr(obj)
        assert repr(copy.copy(obj)) == repr(obj) == repr(copy.deepcopy(obj))
        assert obj == obj and hash(obj) == object.__hash__(obj)
    else:
        assert pickle.loads(pickle.dumps(obj)) == obj
        assert copy.copy(obj) == obj and copy.deepcopy(obj) == obj
    if frozen:
        name = cls._fields[0]
        with pytest.raises(AttributeError):
            setattr(obj, name, 1)
        with pytest.raises(AttributeError):
            delattr(obj, name)


def test_values_of_a_real_report_and_replace() -> None:
    pack = dlsh_rules.load_pack()
    report = dlsh_rules.check("docs/examples/bureau-2024.yaml", pack)
    for value in [report, *report.results, report.summary]:
        cls = type(value)
        ref = _reference(cls)
        other = ref(**{n: getattr(value, n) for n in cls._fields})
        assert repr(value) == repr(other)
        if cls is not results.Report:  # a report holds a dict (`extra`): unhashable, as before
            assert hash(value) == hash(other)
        assert pickle.loads(pickle.dumps(value)) == value
    first = report.results[0]
    changed = errors.replace(first, status="failed", checked=3)
    assert (changed.status, changed.checked, changed.rule) == ("failed", 3, first.rule)
    assert changed != first and errors.replace(first) == first
    with pytest.raises(TypeError):
        errors.replace(first, nothing=1)
    assert enums.EnumTable().normalise("talk_mode", "面对面") == "in_person"


def test_the_check_path_imports_no_dataclasses_of_the_replaced_modules() -> None:
    # Those modules no longer import dataclasses when imported (the rest of the check path
    # still may; `__dataclass_fields__` imports it when asked for).
    import ast
    from pathlib import Path

    root = Path(errors.__file__).resolve().parent
    modules = (errors, dates, results, config, batch, document, messages, enums)
    modules += (query, paths, plan, base, loader, engine, frequency)
    for module in modules:
        tree = ast.parse((root.parent / (module.__name__.replace(".", "/") + ".py")).read_text())
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                assert node.module != "dataclasses", module.__name__
            if isinstance(node, ast.Import):
                assert "dataclasses" not in [a.name for a in node.names], module.__name__


@pytest.mark.parametrize("cls", list(SPECS), ids=lambda c: c.__qualname__)
def test_the_dataclasses_functions_still_take_them(cls: type[errors.Value]) -> None:
    ref = _reference(cls)
    assert dataclasses.is_dataclass(cls)
    got = [(f.name, f.repr, f.compare, f.init) for f in dataclasses.fields(cls)]
    assert got == [(f.name, f.repr, f.compare, f.init) for f in dataclasses.fields(ref)]
    values: dict[str, Any] = {name: (1, name) for name in cls._fields}
    values.update(READ_BY_INIT.get(cls, {}))
    obj, _ = _pair(cls, values)
    changed = dataclasses.replace(obj, **{cls._fields[0]: "new"}) if cls is not RunEntry else obj
    assert getattr(changed, cls._fields[0]) in ("new", (1, cls._fields[0]))


DECLARED = [cls for cls in SPECS if issubclass(cls, errors.DeclaredValue)]


@pytest.mark.parametrize("cls", DECLARED, ids=lambda c: c.__qualname__)
def test_a_declared_value_takes_the_arguments_its_dataclass_took(cls: type[Any]) -> None:
    # errors.DeclaredValue's generic __init__ against the dataclass of the same fields, flags
    # and defaults: the same values from the same arguments, a TypeError where it refused.
    frozen, order, hidden, uncompared, _ = SPECS[cls]
    fields = [
        (
            name,
            Any,
            dataclasses.field(
                default=cls._defaults.get(name, dataclasses.MISSING),
                repr=name not in hidden,
                compare=name not in uncompared,
            ),
        )
        for name in cls._fields
    ]
    ref = dataclasses.make_dataclass(cls.__name__, fields, frozen=frozen, order=order)
    names = cls._fields
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (tuple(f"v{i}" for i in range(n)), {}) for n in range(len(names) + 2)
    ]
    calls += [((), {name: name for name in names[:n]}) for n in range(len(names) + 1)]
    calls += [((), {name: 1}) for name in names]
    calls += [(("a",), {names[0]: "b"}), ((), {"nothing": 1}), ((), {names[-1]: 2})]
    for args, kwargs in calls:
        try:
            expected = {n: getattr(ref(*args, **kwargs), n) for n in names}
        except TypeError:
            with pytest.raises(TypeError):
                cls(*args, **kwargs)
            continue
        made = cls(*args, **kwargs)
        assert {n: getattr(made, n) for n in names} == expected
        assert repr(made) == repr(ref(*args, **kwargs))
    assert [(f.name, f.default) for f in dataclasses.fields(cls)] == [
        (f.name, f.default) for f in dataclasses.fields(ref)
    ]
