"""The fast paths of the `pairs` and `delivered` kinds (issue 13) against the general steps.

Both kinds decide the usual case (each required pair has its qualifying item, dated in the
window; each document reached each body in time) without the general steps that make
findings, and share more per record (the pair index keeps the failures of `qualify`, which
`report: unqualified` reads). ``FAST = False`` in their modules makes every check take the
general steps, as before. The two must give byte-identical reports, rule errors included: on
every case of every pack with these kinds (the installed ones, the example packs and the test
packs), on generated and damaged records, and on records holding values the validator never
lets through (a datetime or a text for a date, an id that is not a text), on which the general
steps raise or judge in their own way.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from fastpaths import Comparison, pack_of, validated
from hypothesis import given, settings
from strategies import compliant, records

from dlsh_rules.evaluate.context import Context
from dlsh_rules.evaluate.engine import check
from dlsh_rules.evaluate.kinds import delivered, pairs, pairs_usual
from dlsh_rules.pack.loader import Pack

KINDS = ("pairs", "delivered")


@contextmanager
def general_steps() -> Iterator[None]:
    with mock.patch.object(pairs, "FAST", False), mock.patch.object(delivered, "FAST", False):
        yield


def rules_of(pack: Pack) -> tuple[str, ...]:
    """The pack's rules with a check of these kinds."""
    return tuple(
        r.id
        for r in pack.rules
        if r.scope != "organisation" and any(getattr(c, "kind", None) in KINDS for c in r.checks)
    )


COMPARISON = Comparison(
    general=general_steps,
    rules=rules_of,
    generated_days=(None, dt.date(2024, 1, 15), dt.date(2024, 2, 10)),
    damaged_days=(None, dt.date(2024, 1, 18)),
    damaged_examples=120,
)
assert_same = COMPARISON.assert_same
(
    test_the_comparison_covers_both_shipped_packs,
    test_every_case_of_every_pack,
    test_generated_records,
    test_damaged_records,
) = COMPARISON.tests()


# --- values the validator never lets through: the general steps decide, and raise, as before --


def _talks(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["talks"]  # type: ignore[no-any-return]


def _datetime_talk(data: dict[str, Any]) -> None:
    talk = _talks(data)[0]
    day = talk["date"]
    talk["date"] = dt.datetime(day.year, day.month, day.day, 9, 30)


def _text_talk_date(data: dict[str, Any]) -> None:
    _talks(data)[1]["date"] = "2024-01-12"


def _late_talk(data: dict[str, Any]) -> None:
    _talks(data)[2]["date"] = dt.date(2024, 3, 1)


def _numbers_in_talk(data: dict[str, Any]) -> None:
    talk = _talks(data)[0]
    talk["participants"] = [talk["participants"][0], 7]


def _three_in_talk(data: dict[str, Any]) -> None:
    talk = _talks(data)[0]
    talk["participants"] = [*talk["participants"], talk["participants"][0]]


def _everyone_in_one_talk(data: dict[str, Any]) -> None:
    # More people than SMALL pairs: a large item, matched against the required pairs.
    people = [p["id"] for p in data["people"]]
    _talks(data)[0]["participants"] = people


def _self_criticism_pair(data: dict[str, Any]) -> None:
    c = data["meeting"]["criticisms"][0]
    c["to"] = c["from"]


def _datetime_submission(data: dict[str, Any]) -> None:
    sub = data["submissions"][0]
    day = sub["date"]
    sub["date"] = dt.datetime(day.year, day.month, day.day)


def _text_submission_date(data: dict[str, Any]) -> None:
    for sub in data["submissions"]:
        sub["date"] = "2024-01-20"


def _undated_submission(data: dict[str, Any]) -> None:
    for sub in data["submissions"]:
        sub.pop("date", None)


def _number_document_id(data: dict[str, Any]) -> None:
    for doc in data["documents"]:
        if doc["kind"] in ("check_material", "minutes"):
            doc["id"] = 17


def _document_without_id(data: dict[str, Any]) -> None:
    for doc in data["documents"]:
        if doc["kind"] == "situation_report":
            del doc["id"]


ODD = [
    _datetime_talk,
    _text_talk_date,
    _late_talk,
    _numbers_in_talk,
    _three_in_talk,
    _everyone_in_one_talk,
    _self_criticism_pair,
    _datetime_submission,
    _text_submission_date,
    _undated_submission,
    _number_document_id,
    _document_without_id,
]


@pytest.mark.parametrize("members", [5, 14])
@pytest.mark.parametrize("odd", ODD, ids=lambda f: f.__name__.strip("_"))
def test_values_the_validator_refuses(odd: Any, members: int) -> None:
    for name in ("provincial-bureau-2024", "enterprise-committee-2024"):
        pack = pack_of(name)
        record = validated(pack, compliant(members), "odd")
        assert record is not None
        # Changed after validation, as a caller holding a RecordData could.
        odd(record.data)
        for as_of in (None, dt.date(2024, 1, 18)):
            assert_same(record, pack, as_of)


def test_odd_values_reach_errors_and_findings() -> None:
    """The records above are worth comparing: some rules raise on them, others find."""
    pack = pack_of("provincial-bureau-2024")
    statuses: set[tuple[str, str]] = set()
    for odd in ODD:
        record = validated(pack, compliant(5), "odd")
        assert record is not None
        odd(record.data)
        report = check(record, pack, select=rules_of(pack))
        statuses |= {(odd.__name__, r.status) for r in report.results}
    assert ("_datetime_talk", "error") in statuses
    assert ("_datetime_submission", "error") in statuses
    assert ("_text_talk_date", "failed") in statuses
    assert ("_number_document_id", "failed") in statuses


# --- the parts, one by one ---------------------------------------------------------------------


@pytest.mark.parametrize("members", [2, 5, 13])
def test_generated_pairs_are_the_generators(members: int) -> None:
    """`generated_pairs` makes what `required_pairs` yields, as keys, in its order."""
    for name in ("provincial-bureau-2024", "enterprise-committee-2024"):
        pack = pack_of(name)
        record = validated(pack, compliant(members), "generated")
        assert record is not None
        seen = 0
        for rule in pack.rules:
            for spec in rule.checks:
                if getattr(spec, "kind", None) != "pairs":
                    continue
                for ordered in (True, False):
                    for gen in spec.pairs:
                        ctx = Context(record, pack)
                        want = [
                            pairs.pair_key(a, b, ordered)
                            for a, b in pairs.required_pairs(ctx, gen, ordered)
                        ]
                        assert pairs.generated_pairs(Context(record, pack), gen, ordered) == want
                        seen += bool(want)
        assert seen


def test_maybe_late_keeps_what_the_general_steps_judge() -> None:
    day = dt.date(2024, 1, 20)
    good: dict[pairs.Pair, list[Any]] = {
        ("a", "b"): [{"date": dt.date(2024, 1, 10)}],  # in time: decided here
        ("a", "c"): [{"date": dt.date(2024, 1, 25)}],  # late
        ("a", "d"): [{"date": dt.datetime(2024, 1, 10)}],  # not a plain date
        ("a", "e"): [{"date": "2024-01-10"}],  # a text
        ("a", "f"): [{"date": dt.date(2024, 1, 10)}, {"date": dt.date(2024, 1, 11)}],  # two
        ("a", "g"): ["t1"],  # not a mapping
        ("a", "h"): [{"date": dt.date(2024, 1, 1)}],  # too early for not_before
    }
    required = dict.fromkeys([*good, ("a", "z")])  # ("a", "z") has none: `missing`'s finding
    kept = pairs._maybe_late(required, good, "date", day, dt.date(2024, 1, 5))
    assert kept == [("a", "c"), ("a", "d"), ("a", "e"), ("a", "f"), ("a", "g"), ("a", "h")]
    assert pairs._maybe_late(required, good, None, day, None) == list(good)


def test_quiet_leaves_every_doubt_to_the_general_steps() -> None:
    due, start = dt.date(2024, 2, 14), dt.date(2024, 1, 31)
    reach: delivered.Reach = {
        "d1": {"a": [dt.date(2024, 2, 1)], "b": [dt.date(2024, 2, 20), dt.date(2024, 2, 2)]},
        "d2": {"a": [dt.datetime(2024, 2, 1)]},
        "d3": {"a": []},  # sent, undated
    }
    docs = [{"id": "d1"}]

    def quiet(docs: list[dict[str, Any]], presence: bool, deadline: bool) -> bool | None:
        return delivered._quiet(docs, reach, ["a", "b"], presence, deadline, due, start)

    assert quiet(docs, True, True) is True
    assert quiet(docs, False, True) is True
    assert quiet([{"id": "d3"}], True, False) is None  # never reached b
    assert quiet([{"id": "d3"}], False, False) is True  # reached a: checked
    assert quiet([{"id": "d3"}], False, True) is None  # undated
    assert quiet([{"id": "d2"}], False, True) is None  # a datetime
    assert quiet([{"id": "d2"}, {"id": "d1"}], False, True) is None  # d2's datetime comes first
    assert quiet([{"id": "d1"}, {"id": "d2"}], False, True) is True  # d1 is in time before it
    assert quiet([{"id": 3}], True, True) is None  # an id that is not a text
    assert quiet([{"id": "nowhere"}], False, True) is False  # sent nowhere: not checked
    assert quiet([{"id": "nowhere"}], True, True) is None
    # Without a deadline, one document: a question of which body kinds it reached.
    assert quiet(docs, True, False) is True
    assert quiet([{"id": "nowhere"}], False, False) is False
    assert quiet([{"id": "nowhere"}], True, False) is None
    assert quiet([{"id": "d2"}], False, False) is True  # reached a; its datetime is not judged
    assert quiet([{"id": "d2"}, {"id": "d3"}], True, False) is None  # neither reached b


def test_the_comparison_can_fail() -> None:
    """A fast path that wrongly finds nothing is caught on the pack's cases."""
    for module, name, wrong in (
        (pairs, "_maybe_late", lambda *args: []),
        (delivered, "_quiet", lambda *args: True),
    ):
        with mock.patch.object(module, name, wrong), pytest.raises(AssertionError):
            test_every_case_of_every_pack("provincial-bureau-2024")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(records(max_mutations=6))
def test_the_compact_index_is_the_pair_index(case: Any) -> None:
    """Where `compact_index` is made, each pair's first item and whether some pair has more
    are the pair index's, for every pair a check can require."""
    pack = pack_of("provincial-bureau-2024")
    record = validated(pack, case.data, " ".join(case.steps))
    if record is None:
        return
    for rule in pack.rules:
        for spec in rule.checks:
            if getattr(spec, "kind", None) != "pairs":
                continue
            ordered = spec.participants is None
            ctx = Context(record, pack)
            compact = pairs_usual.compact_index(ctx, spec, ordered)
            good, _, large, _, items, failed = pairs._indexed(ctx, spec, ordered)
            if compact is None:
                continue
            first, multi, count = compact
            assert not large and not failed and count == len(items)
            assert {k: v for k, v in first.items() if k[0] != k[1]}.keys() == good.keys()
            for pair, found in good.items():
                assert first[pair] is found[0]
            assert multi or all(len(found) == 1 for found in good.values())


def _reach_from_by_document(by_doc: delivered.ByDocument) -> delivered.Reach:
    """`Reach` as its docstring defines it, from `_by_document`."""
    reach: delivered.Reach = {}
    for doc, entries in by_doc.items():
        bodies: dict[str, list[Any]] = {}
        for sub, kinds in entries:
            for kind in kinds:
                bodies.setdefault(kind, [])
                if sub.get("date") is not None:
                    bodies[kind].append(sub["date"])
        reach[doc] = bodies
    return reach


def _resubmitted(data: dict[str, Any]) -> None:
    """Every document of the first submission sent again, later, to other bodies too."""
    first = data["submissions"][0]
    again = copy.deepcopy(first)
    again["id"] = "s-again"
    again["date"] = first["date"] + dt.timedelta(days=3)
    again["to"] = [o["id"] for o in data["orgs"]]
    data["submissions"].append(again)


@pytest.mark.parametrize("odd", [None, _resubmitted, _undated_submission])
def test_reach_is_the_submissions_by_document(odd: Any) -> None:
    pack = pack_of("provincial-bureau-2024")
    record = validated(pack, compliant(5), "reach")
    assert record is not None
    if odd is not None:
        odd(record.data)
    seen = 0
    for rule in pack.rules:
        for spec in rule.checks:
            if getattr(spec, "kind", None) == "delivered":
                ctx = Context(record, pack)
                want = _reach_from_by_document(delivered._by_document(ctx, spec))
                assert delivered._reach(Context(record, pack), spec) == want
                seen += len(want)
    assert seen
    if odd is _resubmitted:
        assert_same(record, pack)
