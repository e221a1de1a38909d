"""Session 6's fast paths in the kinds and the compiled bounds against the code they replace.

* date bounds whose anchor is a selection from the object with a ``where``, a ``path``, a
  ``minus`` or a ``union`` (``{anchor: {here: target.@refs(documents:owner), where: …, path:
  date}}``), now compiled (`compiled._relative_bound`), against `Condition.holds` and
  `Condition.failures` (the interpreter), verdicts and exceptions alike;
* `sequence._fits`' table read from the matching items' places against the table made item by
  item, also with an object twice in the list;
* `coverage`'s subjects found covered by one comprehension (`coverage.FAST`) and the rest of
  the bulk filters (`bulk._keep_condition` of one or two steps), by the reports of every case
  of the default pack and of generated and damaged records with the switch on and off.
"""

from __future__ import annotations

import copy
import datetime as dt
from contextlib import AbstractContextManager
from typing import Any

import fastpaths
import pytest
from fastpaths import case_records, validated
from hypothesis import given, settings
from strategies import compliant, records
from test_compiled import _outcome, _record, _sample
from test_compiled_fast import DATED

from dlsh_rules.evaluate.context import Context
from dlsh_rules.evaluate.kinds import coverage, sequence
from dlsh_rules.language import compiled
from dlsh_rules.language.compiled import op_filter
from dlsh_rules.language.compiled_checks import op_checker
from dlsh_rules.language.query import Condition
from dlsh_rules.pack.loader import Pack, load_pack
from dlsh_rules.record.validate import RecordData

DAY = dt.date(2024, 3, 1)

ANCHORED = [
    {
        "feedback.date": {
            "on_or_after": {
                "anchor": {
                    "here": "target.@refs(documents:owner)",
                    "where": {"kind": "opinion_list"},
                    "path": "date",
                },
                "pick": "min",
            }
        }
    },
    {"date": {"on_or_after": {"anchor": {"here": "feedback", "path": "date"}}}},
    {"review_date": {"after": {"anchor": {"here": "dates", "minus": {"values": [DAY]}}}}},
    {"date": {"before": {"anchor": {"union": [{"here": "date"}, {"here": "dates"}]}, "days": 3}}},
    {
        "date": {
            "on_or_before": {
                "anchor": {"here": "owner", "where": {"role": "member"}, "path": "date"},
                "pick": "max",
                "days": -1,
            }
        }
    },
    {"feedback.date": {"after": {"anchor": {"here": "activity", "path": "@end"}, "pick": "max"}}},
    {"not": {"date": {"on_or_after": {"anchor": {"here": "opinions", "path": "date"}}}}},
]


def _agree(pack: Pack, record: RecordData) -> None:
    ctx = Context(record, pack)
    objects = [*_sample(record), *DATED, None]
    for spec in ANCHORED:
        cond = Condition.parse(spec)
        holds, check = op_filter(cond), op_checker(cond)
        for obj in objects:
            assert _outcome(holds, ctx, obj) == _outcome(cond.holds, ctx, obj), (spec, obj)
            assert _outcome(check, ctx, obj) == _outcome(cond.failures, ctx, obj), (spec, obj)


def test_anchored_bounds_agree_on_a_compliant_record() -> None:
    pack = load_pack()
    record = _record(compliant(5), pack)
    assert record is not None
    _agree(pack, record)


def test_the_anchored_bounds_are_compiled() -> None:
    for spec in ANCHORED[:3]:
        op = Condition.parse(spec).ops[0]
        assert op.arg.relative and compiled._relative_bound(op.arg) is not None


@settings(max_examples=15, deadline=None, derandomize=True)
@given(records(max_mutations=6))
def test_anchored_bounds_agree_on_generated_records(case: Any) -> None:
    pack = load_pack()
    record = _record(case.data, pack)
    if record is not None:
        _agree(pack, record)


# --- sequence: the table of fits ------------------------------------------------------------


def _reference_fits(ctx: Context, spec: Any, items: list[Any]) -> list[list[int]]:
    table = []
    for step in spec.steps:
        match = op_filter(step.match)
        require = op_filter(step.require) if step.require is not None else None
        table.append(
            [
                (2 if require is None or require(ctx, item) else 1) if match(ctx, item) else 0
                for item in items
            ]
        )
    return table


def test_sequence_fits_agree_with_the_table_made_item_by_item() -> None:
    pack = load_pack()
    record = _record(compliant(5), pack)
    assert record is not None
    ctx = Context(record, pack)
    specs = [s for r in pack.rules for s in r.checks if s.kind == "sequence" and s.mode == "exact"]
    assert specs
    for spec in specs:
        items = [ctx.as_object(i) for i in spec.select.items(ctx)]
        assert len(items) > 2
        variants = [
            items,
            items[::-1],
            [items[0], *items, items[0]],  # one object twice: its places one by one
            [items[1], items[1]],
            [],
            [*items[2:], copy.deepcopy(items[0])],
        ]
        for listed in variants:
            assert sequence._fits(ctx, spec, listed) == _reference_fits(ctx, spec, listed)


# --- coverage and the bulk filters: whole reports -----------------------------------------------


def same_report(record: RecordData, pack: Pack, as_of: dt.date | None) -> str:
    return fastpaths.same_report(record, pack, as_of, general_coverage)


def general_coverage() -> AbstractContextManager[None]:
    return fastpaths.fast_paths_off(coverage)


@pytest.mark.parametrize("name", ["provincial-bureau-2024", "enterprise-committee-2024"])
def test_coverage_reports_agree_on_every_case(name: str) -> None:
    pack = load_pack(name)
    compared = 0
    made: list[str] = []
    for record, days in case_records(pack):
        for day in days:
            made.append(same_report(record, pack, day))
        compared += 1
    assert compared > 0
    assert not [text for text in made if text.startswith("check raised")]  # reports, compared


@settings(max_examples=40, deadline=None, derandomize=True)
@given(records(max_mutations=6))
def test_coverage_reports_agree_on_damaged_records(case: Any) -> None:
    for name in ("provincial-bureau-2024", "enterprise-committee-2024"):
        pack = load_pack(name)
        record = validated(pack, case.data, " ".join(case.steps))
        if record is not None:
            same_report(record, pack, dt.date(2024, 1, 18))
