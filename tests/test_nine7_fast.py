"""The seventh round's fast paths around the nine rules of issue 13, against the code they stand
beside.

* `delivered` counts an entry's usual owners (one document each, with a text id, whose reach
  table has a quiet verdict) in one tight loop, and starts the entry again in the per-owner
  loop at the first other owner; its bounds are read from the record's memo.
* `Context.set_items` keeps the pack's sets in a dict of its own, not under `cached`.
* `compact_index` and `_reach` take the token their callers keep; the engine skips reading an
  empty `waivers` list and an empty `ignore`.

Each is compared with the general path on records made to reach both: reports as text (both
languages, every field) with `delivered.FAST` on and off, outcomes check by check, and values.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from fastpaths import pack_of, report_text, validated
from strategies import compliant

from dlsh_rules.evaluate.context import Context
from dlsh_rules.evaluate.engine import check
from dlsh_rules.evaluate.kinds import delivered, pairs, pairs_usual
from dlsh_rules.evaluate.kinds.base import shared_bound
from dlsh_rules.pack.loader import Pack
from dlsh_rules.record.validate import RecordData

PACK = "provincial-bureau-2024"
DAYS = (None, dt.date(2024, 1, 15), dt.date(2024, 2, 10))


def _delivered_specs(pack: Pack) -> list[Any]:
    return [
        spec
        for rule in pack.rules
        for spec in rule.checks
        if getattr(spec, "kind", None) == "delivered"
    ]


def _docs(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["documents"]  # type: ignore[no-any-return]


def _second_document(data: dict[str, Any]) -> None:
    # An owner with two documents of one kind: the tight loop stops, the per-owner loop decides.
    doc = next(d for d in _docs(data) if d.get("owner") not in (None, "group"))
    again = copy.deepcopy(doc)
    again["id"] = doc["id"] + "-again"
    _docs(data).append(again)


def _missing_document(data: dict[str, Any]) -> None:
    # An owner's document gone: a finding, after owners counted by the tight loop.
    people = {p["id"] for p in data["people"]}
    doc = [d for d in _docs(data) if d.get("owner") in people][-1]
    _docs(data).remove(doc)


def _document_id_not_text(data: dict[str, Any]) -> None:
    doc = next(d for d in _docs(data) if d.get("owner") not in (None, "group"))
    doc["id"] = 7


def _owner_without_id(data: dict[str, Any]) -> None:
    # A person without an id selected as an owner: keyed by its identity in the general loop.
    person = next(p for p in data["people"] if p.get("role") == "member")
    del person["id"]


def _late_submission(data: dict[str, Any]) -> None:
    for sub in data["submissions"]:
        sub["date"] = sub["date"] + dt.timedelta(days=60)


def _unsent_body(data: dict[str, Any]) -> None:
    sub = data["submissions"][0]
    sub["to"] = sub["to"][:1]


def _never_submitted(data: dict[str, Any]) -> None:
    # Documents no submission carries: a deadline-only check counts them as not checked
    # (`_quiet` says False), a presence check has a finding.
    people = {p["id"] for p in data["people"]}
    gone = {d["id"] for d in _docs(data) if d.get("owner") in people}
    for sub in data["submissions"]:
        sub["documents"] = [d for d in sub["documents"] if d not in gone]


ODD: list[Callable[[dict[str, Any]], None] | None] = [
    None,
    _second_document,
    _missing_document,
    _document_id_not_text,
    _owner_without_id,
    _late_submission,
    _unsent_body,
    _never_submitted,
]


def _record(members: int, odd: Callable[[dict[str, Any]], None] | None) -> RecordData:
    pack = pack_of(PACK)
    record = validated(pack, compliant(members), f"nine7-{members}")
    assert record is not None
    if odd is not None:
        odd(record.data)  # after validation: values the validator may refuse
    return record


def _delivered_rules(pack: Pack) -> tuple[str, ...]:
    return tuple(
        r.id
        for r in pack.rules
        if r.scope != "organisation"
        and any(getattr(c, "kind", None) == "delivered" for c in r.checks)
    )


@pytest.mark.parametrize("members", [2, 5, 12])
@pytest.mark.parametrize("odd", ODD, ids=lambda f: getattr(f, "__name__", "compliant"))
def test_delivered_owner_loop_is_the_general_loop(
    members: int, odd: Callable[[dict[str, Any]], None] | None
) -> None:
    """Reports and each check's outcome with the fast paths on and off, byte for byte."""
    pack = pack_of(PACK)
    record = _record(members, odd)
    for as_of in DAYS:
        for select in (None, _delivered_rules(pack)):
            fast = report_text(record, pack, as_of, select)
            with mock.patch.object(delivered, "FAST", False):
                general = report_text(record, pack, as_of, select)
            assert fast == general
    for spec in _delivered_specs(pack):
        fast_outcome = _outcome(record, pack, spec)
        with mock.patch.object(delivered, "FAST", False):
            assert _outcome(record, pack, spec) == fast_outcome


def _outcome(record: RecordData, pack: Pack, spec: Any) -> Any:
    try:
        out = delivered.check_delivered(Context(record, pack), spec)
    except Exception as exc:  # the general steps raise on some odd values: so must the fast
        return ("raised", type(exc).__name__, str(exc))
    return (out.checked, _shown(out.findings))


def _shown(findings: list[Any]) -> list[str]:
    # A merged finding's message maker is a closure, shown with its address: left out.
    return [re.sub(r" at 0x[0-9a-f]+", "", repr(f)) for f in findings]


def test_the_tight_loop_counts_what_it_decides() -> None:
    """On a compliant record every owner is counted by the tight loop: `_quiet` is asked once
    per reach table, never per owner (a broken loop that counted nothing would fail here)."""
    pack = pack_of(PACK)
    record = _record(5, None)
    calls = 0
    real = delivered._quiet

    def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args)

    owners = 0
    for spec in _delivered_specs(pack):
        ctx = Context(record, pack)
        with mock.patch.object(delivered, "_quiet", counting):
            out = delivered.check_delivered(ctx, spec)
        assert not out.findings
        owners += sum(len(d.owners.items(ctx)) for d in spec.documents)
        assert out.checked > 0
    assert 0 < calls < owners


def test_bounds_read_from_the_memo_are_the_resolved_ones() -> None:
    """The date a check reads from the record's memo is `DateSpec.resolve`'s, filled by
    another rule first or not."""
    pack = pack_of(PACK)
    record = _record(5, _late_submission)
    for spec in _delivered_specs(pack):
        for bound in (spec.due, spec.not_before):
            if bound is None:
                continue
            shared = shared_bound(bound)
            assert shared is None or shared == bound
            ctx = Context(record, pack)
            want = bound.resolve(Context(record, pack))
            cold = delivered.check_delivered(ctx, spec)
            assert shared is None or ctx.memos[id(shared)] == (shared, want)
            warm = delivered.check_delivered(ctx, spec)
            assert _shown(cold.findings) == _shown(warm.findings)


def test_set_items_are_the_sets_selections() -> None:
    pack = pack_of(PACK)
    record = _record(5, None)
    ctx = Context(record, pack)
    for name, selection in pack.sets.items():
        want = selection.items(Context(record, pack))
        assert ctx.set_items(name) == want
        assert ctx.set_items(name) is ctx.set_items(name)  # once per record
        assert ctx.set_keys(name) == {
            v.get("id", id(v)) if isinstance(v, dict) else v for v in want
        }
    ctx.release()
    assert not ctx._sets


def test_a_set_that_raises_raises_again() -> None:
    """Not kept when its selection raises, as `cached` kept nothing."""
    pack = pack_of(PACK)
    record = _record(5, None)
    ctx = Context(record, pack)
    name = next(iter(pack.sets))
    boom = mock.Mock(side_effect=RuntimeError("boom"))
    with mock.patch.dict(pack.sets, {name: mock.Mock(items=boom)}):
        for _ in range(2):
            with pytest.raises(RuntimeError):
                ctx.set_items(name)
    assert boom.call_count == 2


def test_shared_builds_with_the_kept_token() -> None:
    """`compact_index` and `_reach` given their token are what they make looking it up."""
    pack = pack_of(PACK)
    for odd in ODD:
        record = _record(5, odd)
        for rule in pack.rules:
            for spec in rule.checks:
                kind = getattr(spec, "kind", None)
                if kind == "pairs":
                    _, ordered, _, token, _ = pairs._plan(spec)
                    got = pairs_usual.compact_index(Context(record, pack), spec, ordered, token)
                    assert got == pairs_usual.compact_index(Context(record, pack), spec, ordered)
                elif kind == "delivered":
                    token = delivered._plan(spec)[1]
                    got = delivered._reach(Context(record, pack), spec, token)
                    assert got == delivered._reach(Context(record, pack), spec)


@pytest.mark.parametrize("waivers", ["absent", "empty", "one"])
def test_record_waivers_read_as_before(waivers: str) -> None:
    """An empty `waivers` list is not read; a record's waiver still waives, and a record
    without the key reports as one with an empty list."""
    pack = pack_of(PACK)
    record = _record(5, _missing_document)
    reports = []
    for shape in ("absent", waivers):
        data = copy.deepcopy(record.data)
        data.pop("waivers", None)
        if shape == "empty":
            data["waivers"] = []
        elif shape == "one":
            failed = next(
                r for r in check(record, pack).results if r.status == "failed" and r.findings
            )
            data["waivers"] = [
                {"rule": failed.rule, "subject": failed.findings[0].subject, "reason": "test"}
            ]
        copy_record = RecordData(
            data, record.source, record.index, record.pointers, record.positions, record.enums
        )
        reports.append(check(copy_record, pack))
    if waivers == "one":
        assert reports[0].summary != reports[1].summary
    else:
        assert repr(reports[0]) == repr(reports[1])
    with pytest.raises(TypeError):
        bad = RecordData(
            {**record.data, "waivers": None},
            record.source,
            record.index,
            record.pointers,
            record.positions,
            record.enums,
        )
        check(bad, pack)
