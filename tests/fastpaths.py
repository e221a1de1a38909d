"""What the comparisons of fast paths with the general code share (`test_pairs_fast.py`,
`test_kinds_fast.py`): a record's report as text with the fast paths on and off, the valid
records of a pack's cases, and the three comparisons both make (`Comparison`): every case of
every pack, generated records and damaged records."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from strategies import Case, compliant, records

from dlsh_rules.authoring.patch import PatchError, apply_patch
from dlsh_rules.authoring.testing import example_data, load_cases
from dlsh_rules.errors import InputError
from dlsh_rules.evaluate.engine import check
from dlsh_rules.language import compiled, selecting
from dlsh_rules.pack.loader import Pack, available_packs, load_pack
from dlsh_rules.record.validate import RecordData, validate_record


@contextmanager
def fast_paths_off(*modules: Any) -> Iterator[None]:
    """The ``FAST`` switch of each module off, with the closures built from the fast paths
    dropped (they are kept per process, and a condition's closure holds the path readers it
    was built with)."""
    with ExitStack() as stack:
        for module in modules:
            stack.enter_context(mock.patch.object(module, "FAST", False))
        compiled._COMPILED.clear()
        selecting.SELECTIONS.clear()
        try:
            yield
        finally:
            compiled._COMPILED.clear()
            selecting.SELECTIONS.clear()


def report_text(
    record: RecordData, pack: Pack, as_of: dt.date | None, select: Sequence[str] | None = None
) -> str:
    """Everything a report says, in both languages and as its repr."""
    try:
        # No selection is (), every rule: `check` refuses None with a TypeError, which the
        # line below took for the datetime's and so compared two refusals (since d85e249).
        report = check(record, pack, as_of=as_of, select=() if select is None else select)
    except TypeError as exc:
        if as_of is None:
            raise
        # --as-of on a record holding a datetime: refused before any rule runs.
        return f"check raised {exc}"
    return report.to_json("zh") + report.to_json("en") + repr(report)


def same_report(
    record: RecordData,
    pack: Pack,
    as_of: dt.date | None,
    general: Callable[[], AbstractContextManager[None]],
    select: Sequence[str] | None = None,
) -> str:
    """The report's text, asserted the same with the fast paths as under ``general()``."""
    fast = report_text(record, pack, as_of, select)
    with general():
        slow = report_text(record, pack, as_of, select)
    assert fast == slow
    return fast


def validated(pack: Pack, data: dict[str, Any], name: str) -> RecordData | None:
    try:
        return validate_record(copy.deepcopy(data), name, pack.enums)
    except InputError:
        return None


def case_records(pack: Pack) -> Iterator[tuple[RecordData, set[dt.date | None]]]:
    """The valid record of each single-record case of ``pack`` (its patch on the pack's example),
    with the days to check it at: the case's as-of date and none."""
    base = example_data(pack)
    for case in load_cases(pack):
        if case.model.records is not None:
            continue
        try:
            data = apply_patch(base, case.model.patch)
        except PatchError:
            continue
        record = validated(pack, data, case.id)
        if record is not None:
            as_of = dt.date.fromisoformat(case.model.as_of) if case.model.as_of else None
            yield record, {as_of, None}


ROOT = Path(__file__).resolve().parent.parent
PACK_DIRS = sorted(
    p.parent
    for pattern in ("docs/examples/packs/*/pack.yaml", "tests/packs/*/pack.yaml")
    for p in ROOT.glob(pattern)
)
SHIPPED = ("provincial-bureau-2024", "enterprise-committee-2024")


@cache
def pack_of(source: str) -> Pack:
    return load_pack(source)


@dataclass(frozen=True)
class Comparison:
    """The fast paths of one module set against the general code on whole reports.

    ``general`` turns the fast paths off; ``rules`` names the rules of a pack to check (those
    the fast paths are in), or ``None`` for every rule. A pack is compared when it has an
    example and a rule to check: the others have nothing to compare (left out, not skipped, so
    that a skip always means a real gap). The as-of days and the number of damaged records are
    each module's own: a day inside or after the windows its fast paths decide."""

    general: Callable[[], AbstractContextManager[None]]
    rules: Callable[[Pack], tuple[str, ...]] | None
    generated_days: tuple[dt.date | None, ...]
    damaged_days: tuple[dt.date | None, ...]
    damaged_examples: int

    def select(self, pack: Pack) -> tuple[str, ...] | None:
        return None if self.rules is None else self.rules(pack)

    def assert_same(self, record: RecordData, pack: Pack, as_of: dt.date | None = None) -> str:
        return same_report(record, pack, as_of, self.general, self.select(pack))

    def pack_sources(self) -> list[Any]:
        sources = [*available_packs(), *(str(d) for d in PACK_DIRS)]
        return [
            pytest.param(s, id=s.rsplit("/", 1)[-1])
            for s in sources
            if pack_of(s).example_path is not None and self.select(pack_of(s)) != ()
        ]

    def tests(self) -> tuple[Callable[..., None], ...]:
        """The module's four tests, to bind to the names pytest collects: the packs compared,
        every case of every pack, generated records, damaged records."""
        sources = self.pack_sources()

        def test_the_comparison_covers_both_shipped_packs() -> None:
            assert set(SHIPPED) <= {p.id for p in sources}

        @pytest.mark.parametrize("source", sources)
        def test_every_case_of_every_pack(source: str) -> None:
            pack = pack_of(source)
            compared = 0
            for record, days in case_records(pack):
                for day in days:
                    self.assert_same(record, pack, day)
                compared += 1
            assert compared > 0

        @pytest.mark.parametrize("members", [2, 5, 13, 40])
        def test_generated_records(members: int) -> None:
            for name in SHIPPED:
                pack = pack_of(name)
                record = validated(pack, compliant(members), f"{members} members")
                assert record is not None
                for as_of in self.generated_days:
                    self.assert_same(record, pack, as_of)

        @settings(max_examples=self.damaged_examples, deadline=None, derandomize=True)
        @given(records(max_mutations=6))
        def test_damaged_records(case: Case) -> None:
            for name in SHIPPED:
                pack = pack_of(name)
                record = validated(pack, case.data, " ".join(case.steps))
                if record is None:
                    continue
                for as_of in self.damaged_days:
                    self.assert_same(record, pack, as_of)

        return (
            test_the_comparison_covers_both_shipped_packs,
            test_every_case_of_every_pack,
            test_generated_records,
            test_damaged_records,
        )
