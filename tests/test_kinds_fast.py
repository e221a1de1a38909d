"""The fast paths of selections, paths and kinds (issue 13, session 5) against the general code.

Each fast path has a switch, ``FAST``, in its module: `language.query` (selections compiled for
their shape, `language/selecting.py`), `language.paths` (paths compiled segment by segment),
`evaluate.kinds.coverage` (failures of items that do not qualify written when a finding cites
them), `evaluate.kinds.each` and `evaluate.kinds.sequence` (each check compiled once for its
spec). Off, every check takes the general code, as before. The two must give byte-identical
reports, rule errors included: on every case of every pack (installed, example and test packs),
on generated and on damaged records. The paths and the selections are also compared directly,
on every path and selection of every installed pack, from every object of a record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any
from unittest import mock

import pytest
from fastpaths import Comparison, fast_paths_off, pack_of, validated
from strategies import compliant
from test_compiled import EXTRA, _conditions, _sample

from dlsh_rules.authoring.testing import example_data
from dlsh_rules.evaluate.context import Context
from dlsh_rules.evaluate.kinds import coverage, each, sequence
from dlsh_rules.evaluate.kinds.base import Outcome
from dlsh_rules.language import paths, query, selecting
from dlsh_rules.language.bulk import filter_keeper, filtered, keeper
from dlsh_rules.language.compiled_checks import cannot_raise, messages_safe, op_exhaustive
from dlsh_rules.language.paths import Path, compile_path
from dlsh_rules.language.query import Condition, Selection
from dlsh_rules.language.selecting import compile_selection
from dlsh_rules.pack.loader import _installed_root, _load_pack_files

SWITCHES = [m for m in (query, paths, coverage, each, sequence) if hasattr(m, "FAST")]


def general_code() -> AbstractContextManager[None]:
    """Every fast path off (`fastpaths.fast_paths_off`)."""
    return fast_paths_off(*SWITCHES)


COMPARISON = Comparison(
    general=general_code,
    rules=None,  # every rule: selections and paths are everywhere
    generated_days=(None, dt.date(2024, 1, 15)),
    damaged_days=(dt.date(2024, 1, 18),),
    damaged_examples=80,
)
(
    test_the_comparison_covers_both_shipped_packs,
    test_every_case_of_every_pack,
    test_generated_records,
    test_damaged_records,
) = COMPARISON.tests()


# --- paths and selections, compared directly ----------------------------------------------------


def _objects(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v)


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # the same exception on both sides is the point
        return ("raised", type(exc), str(exc))


def _parts(value: Any, cls: type[Any], seen: set[int]) -> Iterator[Any]:
    """Every object of `cls` in a pack's rule objects (frozen specs, conditions, selections)."""
    if id(value) in seen or isinstance(value, (str, int, float, dt.date, type(None))):
        return
    seen.add(id(value))
    if isinstance(value, cls):
        yield value
    if isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _parts(v, cls, seen)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _parts(v, cls, seen)
    elif type(value).__module__.startswith("dlsh_rules"):
        fields = getattr(value, "__dict__", None) or {
            name: getattr(value, name, None) for name in getattr(type(value), "__slots__", ())
        }
        for v in fields.values():
            yield from _parts(v, cls, seen)


EXTRA_PATHS = [
    "owner.@refs(rectification.items:owner).sources.kind",
    "target.@refs(documents:owner)",
    "activity.@end",
    "date.@month",
    "date.@academic_year",
    "@self.id",
    "participants.name",
    "documents.@self",
    "@refs(documents:owner).date",
    "feedback.date.@year",
]


@pytest.mark.parametrize("name", ["provincial-bureau-2024", "enterprise-committee-2024"])
def test_compiled_paths_and_selections_agree(name: str) -> None:
    pack = pack_of(name)
    # The pack as its files give it as well: one read back from the disk cache holds equal value
    # objects once, so fewer distinct paths and selections (38 and 33 for the enterprise pack).
    files = _load_pack_files(_installed_root(name) or "")
    specs = [pack.rules, pack.sets, files.rules, files.sets]
    found_paths = list(_parts(specs, Path, set()))
    found_paths += [Path.parse(text) for text in EXTRA_PATHS]
    selections = list(_parts(specs, Selection, set()))
    assert len(found_paths) > 50 and len(selections) > 50
    for data in (compliant(5), example_data(pack)):
        record = validated(pack, data, "r")
        assert record is not None
        starts = [*list(_objects(record.data))[:400], "p1", "group", 3, None, dt.date(2024, 1, 2)]
        for path in found_paths:
            read = compile_path(path)
            for start in starts:
                ctx = Context(record, pack)
                assert _outcome(read, ctx, start) == _outcome(path.values, ctx, start), path.text
        for sel in selections:
            compiled = compile_selection(sel, selecting.selection_entry(sel)[4])
            for obj in starts[:60] if sel.relative else [None]:
                fast, general = Context(record, pack), Context(record, pack)
                assert _outcome(compiled, fast, obj) == _outcome(sel._items, general, obj), sel.spec


def test_a_selection_is_compiled_when_computed_again() -> None:
    """Interpreted the first time in a process (cold start), compiled from the second on."""
    pack = pack_of("provincial-bureau-2024")
    record = validated(pack, compliant(5), "r")
    assert record is not None
    sel = Selection.parse({"from": "documents", "where": {"kind": "opinion_list"}})
    first = selecting.selection_entry(sel)[5]
    assert first(Context(record, pack), None) == sel._items(Context(record, pack), None)
    second = selecting.SELECTIONS[id(sel)][5]
    assert second is not first
    assert second(Context(record, pack), None) == sel._items(Context(record, pack), None)
    third = selecting.SELECTIONS[id(sel)][5]
    assert third not in (first, second)  # the compiled closure itself, from now on
    assert sel.items(Context(record, pack)) == sel._items(Context(record, pack), None)


def test_the_comparison_can_fail() -> None:
    """A fast path that reads one segment too few is caught by the direct comparison."""
    pack = pack_of("provincial-bureau-2024")
    record = validated(pack, compliant(5), "r")
    assert record is not None
    ctx = Context(record, pack)
    path = Path.parse("owner.@refs(rectification.items:owner).sources.kind")
    short = compile_path(Path.parse("owner.@refs(rectification.items:owner).sources"))
    starts = [d for d in record.data["documents"] if d.get("kind") == "rectification_list"]
    assert any(_outcome(short, ctx, s) != _outcome(path.values, ctx, s) for s in starts)


def test_a_report_comparison_can_fail() -> None:
    """An `each` fast path that finds nothing is caught on the pack's cases: what is compared
    are reports, not two refusals of the same call (fastpaths.report_text)."""
    finds_nothing = mock.patch.object(each, "_quiet_check", lambda spec: lambda ctx: Outcome())
    with finds_nothing, pytest.raises(AssertionError):
        test_every_case_of_every_pack("provincial-bureau-2024")


@pytest.mark.parametrize("name", ["provincial-bureau-2024", "enterprise-committee-2024"])
def test_filters_all_at_once_and_exhaustive_tests_agree(name: str) -> None:
    """`bulk.filtered` keeps what `Condition.holds` keeps, or raises what it raises;
    `op_exhaustive` is whether `Condition.failures` is empty, and raises what it raises."""
    pack = pack_of(name)
    conditions = list(_conditions([rule.checks for rule in pack.rules], set()))
    conditions += [Condition.parse(spec) for spec in EXTRA]
    record = validated(pack, compliant(5), "r")
    assert record is not None
    objects = _sample(record)
    mappings = [o for o in objects if type(o) is dict]
    for cond in conditions:
        ctx = Context(record, pack)
        got = _outcome(filtered, filter_keeper(cond), cond, ctx, mappings)
        want = _outcome(lambda c, x: [o for o in mappings if c.holds(x, o)], cond, ctx)
        if got[0] == "ok" and want[0] == "ok":
            assert [id(o) for o in got[1]] == [id(o) for o in want[1]], cond.spec
        else:
            assert got == want, cond.spec
        if cannot_raise(cond):
            assert keeper(cond) is not None, cond.spec  # what bulk tests all at once
        full = op_exhaustive(cond)
        safe = messages_safe(cond)
        for obj in objects:
            failures = _outcome(cond.failures, ctx, obj)
            tested = _outcome(full, ctx, obj)
            if tested[0] == "ok" and failures[0] == "raised":
                # Only the messages raised: a condition coverage writes the failures of at once.
                assert not safe, (cond.spec, obj)
                continue
            expected = ("ok", not failures[1]) if failures[0] == "ok" else failures
            assert tested == expected, (cond.spec, obj)
    assert not messages_safe(Condition.parse({"text": {"text_contains_any": [1, "问题"]}}))
