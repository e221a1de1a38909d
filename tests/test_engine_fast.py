"""The engine's own shortcuts (issue 13) against the code they stand beside.

`check` keeps the rules a (pack, select, ignore) chooses, so that a check of a few rules no
longer reads every rule id of the pack; it takes a tuple of texts as the selection as it is,
and no waivers as none, without `arguments.selectors` and `waiver_list`. A pack whose rules
change must be asked again (and may then be refused), and arguments of the wrong type must be
refused with the same message as before.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from functools import partial
from pathlib import Path as FilePath
from typing import Any

import pytest
from strategies import compliant

from dlsh_rules.evaluate import engine
from dlsh_rules.evaluate.context import Context
from dlsh_rules.evaluate.engine import check, rule_selected
from dlsh_rules.evaluate.kinds import delivered
from dlsh_rules.language.query import DateSpec
from dlsh_rules.pack.loader import Pack, load_pack
from dlsh_rules.record.validate import RecordData, validate_record

# The benchmark's nine rules (bench/handwritten.py's), whose path these fast paths serve.
sys.path.insert(0, str(FilePath(__file__).resolve().parent.parent / "bench"))
from handwritten import RULES as NINE


def record_of(pack: Pack, members: int = 5) -> RecordData:
    return validate_record(copy.deepcopy(compliant(members)), "r", pack.enums)


def text(report: Any) -> str:
    return report.to_json("zh") + report.to_json("en") + repr(report)


def pack_copy() -> Pack:
    """A pack of its own, so that changing its rules touches no other test's."""
    pack = copy.copy(load_pack("provincial-bureau-2024"))
    pack.rules = list(pack.rules)
    return pack


@pytest.mark.parametrize(
    ("select", "ignore"),
    [
        (NINE, ()),
        (("prep.talks",), ("prep.talks.form",)),
        (("prep.talks.",), ()),
        ((), ("meeting", "followup.report")),
        (("followup",), ("followup.report",)),
    ],
)
def test_the_kept_selection_is_the_selector(
    select: tuple[str, ...], ignore: tuple[str, ...]
) -> None:
    pack = pack_copy()
    record = record_of(pack)
    for _ in range(2):  # made, then kept
        report = check(record, pack, select=select, ignore=ignore)
        want = [r.id for r in pack.rules if rule_selected(r.id, select, ignore)]
        assert [r.rule for r in report.results] == want
        # The same selection as lists (the general argument path) gives the same report.
        assert text(check(record, pack, select=list(select), ignore=list(ignore))) == text(report)


def test_a_pack_whose_rules_change_is_asked_again() -> None:
    pack = pack_copy()
    record = record_of(pack)
    first = [r.rule for r in check(record, pack, select=("prep.talks",)).results]
    assert "prep.talks.form" in first
    # The same number of rules, one of them another: the form rule's place taken by a copy
    # of a meeting rule.
    at = next(i for i, r in enumerate(pack.rules) if r.id == "prep.talks.form")
    other = pack.rule("meeting.mutual_criticism")
    pack.rules[at] = copy.copy(other)
    again = [r.rule for r in check(record, pack, select=("prep.talks",)).results]
    assert again == [i for i in first if i != "prep.talks.form"]
    # In place: the same list without the talks rules; the selection now names no rule.
    pack.rules[:] = [r for r in pack.rules if not r.id.startswith("prep.talks")]
    with pytest.raises(ValueError, match="names no rule id"):
        check(record, pack, select=("prep.talks",))
    # A new list with one talks rule back, and an equal copy of it: the pack's own objects.
    talks = load_pack("provincial-bureau-2024").rule("prep.talks.form")
    assert talks is not None
    pack.rules = [*pack.rules, copy.copy(talks)]
    report = check(record, pack, select=("prep.talks",))
    assert [r.rule for r in report.results] == ["prep.talks.form"]


@pytest.mark.parametrize(
    ("select", "message"),
    [
        (("prep.talks", ""), "select[1] must be a non-empty str rule id, not ''"),
        (("prep.talks", 3), "select[1] must be a non-empty str rule id, not 3"),
        ((b"prep",), "select[0] must be a non-empty str rule id, not b'prep'"),
        (b"prep", "select must be a rule id, or an iterable of rule ids, not bytes"),
    ],
)
def test_wrong_selections_are_refused_as_before(select: Any, message: str) -> None:
    pack = load_pack("provincial-bureau-2024")
    record = record_of(pack, 2)
    with pytest.raises(TypeError) as raised:
        check(record, pack, select=select)
    assert str(raised.value) == message
    with pytest.raises(TypeError) as raised:
        check(record, pack, ignore=select)
    assert str(raised.value) == message.replace("select", "ignore")


def test_waivers_refused_as_before() -> None:
    pack = load_pack("provincial-bureau-2024")
    record = record_of(pack, 2)
    for wrong in ((1,), [None], "w", {}):
        with pytest.raises(TypeError, match="waivers"):
            check(record, pack, waivers=wrong)
    assert text(check(record, pack, waivers=())) == text(check(record, pack, waivers=[]))


def test_the_collector_is_left_as_it_was() -> None:
    import gc

    pack = load_pack("provincial-bureau-2024")
    record = record_of(pack, 2)
    assert gc.isenabled()
    check(record, pack, select=NINE)
    assert gc.isenabled()
    gc.disable()
    try:
        check(record, pack, select=NINE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_kept_selections_are_bounded() -> None:
    pack = load_pack("provincial-bureau-2024")
    record = record_of(pack, 2)
    ids = [r.id for r in pack.rules]
    for rule_id in ids[:70]:
        check(record, pack, select=(rule_id,), as_of=dt.date(2024, 1, 1))
    assert len(engine._SELECTED) <= 64


@pytest.mark.parametrize("members", [2, 5, 13])
def test_quiet_reads_only_the_reach_table(members: int) -> None:
    """`check_delivered` asks `_quiet` once per reach table for a document with a text id:
    its answer for every such document is the one for its table."""
    pack = load_pack("provincial-bureau-2024")
    record = record_of(pack, members)
    data = record.data
    # A second submission of one document, on its own, so that tables differ.
    again = copy.deepcopy(data["submissions"][0])
    again["id"] = "s-again"
    again["documents"] = again["documents"][:1]
    again["date"] = again["date"] + dt.timedelta(days=1)
    data["submissions"].append(again)
    compared = 0
    for rule in pack.rules:
        for spec in rule.checks:
            if getattr(spec, "kind", None) != "delivered":
                continue
            ctx = Context(record, pack)
            reach = delivered._reach(ctx, spec)
            due = spec.due.resolve(ctx) if spec.due is not None else None
            start = spec.not_before.resolve(ctx) if spec.not_before is not None else None
            for presence in (True, False):
                for deadline in (True, False):
                    by_table: dict[int, Any] = {}
                    for doc in data["documents"]:
                        answer = delivered._quiet(
                            [doc], reach, spec.to, presence, deadline, due, start
                        )
                        table = reach.get(doc["id"])
                        assert by_table.setdefault(id(table), answer) == answer
                        compared += 1
    assert compared


def _outcome_of(resolve: Any, ctx: Context) -> tuple[str, Any]:
    try:
        return ("date", resolve(ctx))
    except Exception as exc:  # the same exception, with the same text
        return ("raised", f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("meeting", [None, "1990-03-01"])
def test_a_rules_due_is_what_resolve_gives(meeting: str | None) -> None:
    """`_rule_due` reads the date an equal bound left in the record's context, else resolves
    it: for every rule of every shipped pack, in the order the engine asks, the date (or the
    exception) each rule's bound gives alone in a fresh context. 1990 is before the working-day
    calendar, where some bounds raise."""
    from dlsh_rules.pack.loader import available_packs

    raised = 0
    for name in available_packs():
        pack = load_pack(name)
        data = compliant(5)
        if meeting is not None:
            data["meeting"]["date"] = meeting
        try:
            record = validate_record(data, "r", pack.enums)
        except Exception:  # this pack's enums refuse the generated record
            continue
        shared = Context(record, pack)
        dues = [r.due for r in pack.rules if r.due is not None]
        assert dues
        # Two equal bounds past the working-day calendar's start in 1990, which raise.
        dues += [DateSpec.parse({"working_days": -3}), DateSpec.parse({"working_days": -3})]
        for due in dues * 2:  # asked again: read back
            alone = _outcome_of(due.resolve, Context(record, pack))
            assert _outcome_of(partial(engine._rule_due, due=due), shared) == alone
            raised += alone[0] == "raised"
    assert raised if meeting is not None else not raised


RELATIONS = [
    {"relation": {"left": {"set": "members"}, "right": "supervises.head"}},
    {"relation": {"left": {"set": "members"}, "right": "supervises"}},
    {"relation": {"left": {"from": "people"}, "right": "supervises.head"}},
    {"relation": {"left": {"values": ["p1", "nobody", "d1"]}, "right": "head"}},
    {"relation": {"left": {"set": "members"}, "right": "supervises.@self.head"}},  # general
]


@pytest.mark.parametrize("members", [2, 5, 13])
@pytest.mark.parametrize("gen_spec", RELATIONS)
def test_relation_pairs_are_the_generators(members: int, gen_spec: dict[str, Any]) -> None:
    """`generated_pairs` of a relation with a plain right path (`relation_pairs`) makes what
    `required_pairs` yields through `Path.values`, as keys, in its order: on odd data too
    (an unknown id, None and a number among the ids, a head that is himself, an object)."""
    from dlsh_rules.evaluate.kinds import pairs

    pack = load_pack("provincial-bureau-2024")
    gen = pairs_gen(gen_spec)
    record = record_of(pack, members)
    variants = [record]
    odd = record_of(pack, members)  # changed in place: its index holds the same objects
    for person in odd.data["people"]:
        if person.get("supervises"):
            person["supervises"] = [*person["supervises"], "nowhere", None, 7]
            break
    for dept in odd.data.get("departments", []):
        dept["head"] = "p1" if dept is odd.data["departments"][0] else dept["head"]
    if odd.data.get("departments"):
        odd.data["departments"][-1]["head"] = {"id": "h-obj"}
    variants.append(odd)
    for data in variants:
        for ordered in (True, False):
            want = [
                pairs.pair_key(a, b, ordered)
                for a, b in pairs.required_pairs(Context(data, pack), gen, ordered)
            ]
            assert pairs.generated_pairs(Context(data, pack), gen, ordered) == want


def pairs_gen(spec: dict[str, Any]) -> Any:
    """A pair generator as a pack's rule holds it (frozen)."""
    from dlsh_rules.language.models import PairGen
    from dlsh_rules.pack.frozen import freeze

    return freeze(PairGen.model_validate(spec))
