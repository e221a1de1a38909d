"""What the comparisons of fast paths with the general code share (`test_pairs_fast.py`,
`test_kinds_fast.py`): a record's report as text with the fast paths on and off, and the valid
records of a pack's cases."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from dlsh_rules.authoring.patch import PatchError, apply_patch
from dlsh_rules.authoring.testing import example_data, load_cases
from dlsh_rules.errors import InputError
from dlsh_rules.evaluate.engine import check
from dlsh_rules.pack.loader import Pack
from dlsh_rules.record.validate import RecordData, validate_record


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
