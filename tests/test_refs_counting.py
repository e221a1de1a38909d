"""Language 2, section B: `here`, `@refs`, counting and ratios, periods, `hub`, and no silent
cap on the people of a `pairs` item (wrong result 3). The data-driven cases are in
tests/packs/refs-counting/; these are the load errors, the bounds and the helpers."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from dlsh_rules import check
from dlsh_rules.dates import period_of, periods_between
from dlsh_rules.errors import InputError
from dlsh_rules.evaluate.context import Context
from dlsh_rules.evaluate.kinds.pairs import SMALL, _pair_index
from dlsh_rules.language.paths import Path as QueryPath
from dlsh_rules.pack.loader import load_pack
from dlsh_rules.record.validate import validate_record

MANIFEST = """\
format: dlsh-pack/1
id: sample
version: '1'
title: {zh: 示例, en: Sample}
rules: [rules.yaml]
"""

HEAD = """\
rules:
  - id: prep.sample.rule
    phase: prep
    title: {zh: 示例, en: Sample}
    clause: 四
    quote: 示例
    rationale: {zh: 示例, en: Sample}
    checks:
"""


def _pack(tmp_path: Path, checks: str, manifest_extra: str = "") -> Path:
    root = tmp_path / "pack"
    root.mkdir(exist_ok=True)
    (root / "pack.yaml").write_text(MANIFEST + manifest_extra, encoding="utf-8")
    (root / "rules.yaml").write_text(HEAD + checks, encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_pack(root)
    return [p.render("en") for p in info.value.problems]


def _record(people: int, talks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    roles = ["secretary"] + ["member"] * (people - 1)
    return {
        "format": "dlsh-record/1",
        "unit": {"name": "测试单位"},
        "meeting": {"date": dt.date(2024, 1, 30), "chair": "p0000"},
        "people": [
            {"id": f"p{i:04d}", "name": f"人员{i}", "role": role} for i, role in enumerate(roles)
        ],
        "talks": talks,
        **extra,
    }


PAIRS = """\
      - kind: pairs
        pairs: [{all_pairs: {from: people}}]
        items: {from: talks}
        participants: participants
"""


# --- wrong result 3: no silent cap on the people of an item ----------------------------------


def test_every_participant_of_a_talk_of_13_counts(tmp_path: Path) -> None:
    """A talk of 13 was cut to its first 12 ids: the pairs of the 13th were reported missing."""
    pack = load_pack(_pack(tmp_path, PAIRS))
    everyone = [f"p{i:04d}" for i in range(13)]
    record = validate_record(
        _record(13, [{"id": "t1", "date": dt.date(2024, 1, 10), "participants": everyone}]),
        "r",
        pack.enums,
    )
    result = check(record, pack).results[0]
    assert result.status == "passed", [f.subject for f in result.findings]


def test_a_talk_of_500_is_matched_against_required_pairs_only(tmp_path: Path) -> None:
    """O(participants × required pairs touching them): 500 people (the most a record may name,
    security.md) make 124,750 pairs, of which the 40 members require 780; none of the others is
    ever made."""
    pack = load_pack(
        _pack(
            tmp_path,
            PAIRS.replace("{from: people}", "{from: people, where: {role: [secretary, member]}}"),
        )
    )
    data = _record(40, [])
    data["people"] += [{"id": f"x{i:04d}", "name": f"群众{i}", "role": "other"} for i in range(460)]
    everyone = [p["id"] for p in data["people"]]
    data["talks"] = [{"id": "t1", "date": dt.date(2024, 1, 10), "participants": everyone}]
    record = validate_record(data, "r", pack.enums)
    started = time.perf_counter()
    result = check(record, pack).results[0]
    elapsed = time.perf_counter() - started
    assert result.status == "passed"
    assert elapsed < 5  # expanding every pair took far longer; matching takes milliseconds
    spec = pack.rules[0].checks[0]
    good, bad, large, _ = _pair_index(Context(record, pack), spec, False)
    assert not good and not bad and len(large) == 1  # kept whole, never expanded
    # Without the talk's first person, exactly the pairs with him are missing.
    data["talks"][0]["participants"] = everyone[1:]
    record = validate_record(data, "r", pack.enums)
    result = check(record, pack).results[0]
    assert sorted(f.subject for f in result.findings) == [f"p0000~p{i:04d}" for i in range(1, 40)]


def test_the_expansion_bound_is_twelve_people() -> None:
    assert SMALL == 12 * 11 // 2


def test_hub_with_a_large_group(tmp_path: Path) -> None:
    """A group talk of 100 led by the secretary covers him with each, and no other pair."""
    checks = """\
      - kind: pairs
        pairs: [{all_pairs: {from: people}}]
        items: {from: activities}
        participants: participants
        hub: chair
"""
    pack = load_pack(_pack(tmp_path, checks))
    everyone = [f"p{i:04d}" for i in range(100)]
    activity = {
        "id": "a1",
        "kind": "group_study",
        "date": dt.date(2024, 1, 10),
        "chair": "p0000",
        "participants": everyone[1:],
    }
    record = validate_record(_record(100, [], activities=[activity]), "r", pack.enums)
    result = check(record, pack).results[0]
    subjects = {f.subject for f in result.findings}
    # every pair without the hub; past 1,000 they are counted, not listed (issue 12)
    assert len(subjects) + result.findings_omitted == 99 * 98 // 2
    assert result.findings_omitted == 99 * 98 // 2 - 1000
    assert not any(s.startswith("p0000~") for s in subjects)


# --- here: only where an object is being checked ----------------------------------------------


@pytest.mark.parametrize(
    "checks",
    [
        "      - kind: each\n        select: {here: talks}\n        require: {mode: in_person}\n",
        "      - kind: each\n        select: {from: talks}\n        require: {mode: in_person}\n"
        "        applies_when: {here: talks}\n",
        "      - kind: exists\n        select: {from: talks}\n"
        "        min: {ratio: '1/2', of: {here: participants}}\n",
    ],
    ids=["select", "applies_when", "exists-min-ratio"],
)
def test_here_without_an_object_is_a_load_error(tmp_path: Path, checks: str) -> None:
    problems = _problems(_pack(tmp_path, checks))
    assert len(problems) == 1
    assert "rules.yaml:" in problems[0] and "{here: " in problems[0]
    assert "inside a condition" in problems[0]


def test_here_in_a_set_is_a_load_error(tmp_path: Path) -> None:
    checks = "      - kind: each\n        select: {set: mine}\n        require: {mode: in_person}\n"
    problems = _problems(_pack(tmp_path, checks, "sets:\n  mine: {here: talks}\n"))
    assert len(problems) == 1 and "pack.yaml:" in problems[0] and "/sets/mine" in problems[0]


def test_here_inside_a_condition_loads(tmp_path: Path) -> None:
    checks = """\
      - kind: each
        select: {from: talks, where: {date: {on_or_after: {anchor: {here: date}}}}}
        require:
          participants: {in_selection: {here: participants}}
"""
    assert load_pack(_pack(tmp_path, checks)).rules


# --- @refs: reverse references -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ("@refs(submisions:documents).date", "submisions"),
        ("@refs(talks:participnts)", "participnts"),
    ],
)
def test_refs_list_and_field_are_checked_at_load(tmp_path: Path, path: str, bad: str) -> None:
    checks = (
        "      - kind: each\n        select: {from: documents}\n"
        f'        require: {{"{path}": {{exists: true}}}}\n'
    )
    problems = _problems(_pack(tmp_path, checks))
    assert len(problems) == 1
    assert "a field name of the record format" in problems[0] and repr(bad) in problems[0]


@pytest.mark.parametrize(
    "path", ["@refs(talks)", "@refs(talks:)", "@refs(:x)", "@refs(talks:participants", "@ref(a:b)"]
)
def test_malformed_refs_are_load_errors(tmp_path: Path, path: str) -> None:
    checks = (
        "      - kind: each\n        select: {from: people}\n"
        f'        require: {{"{path}": {{exists: true}}}}\n'
    )
    assert _problems(_pack(tmp_path, checks))


def test_refs_follow_lists_and_are_indexed_once_per_record() -> None:
    pack = load_pack()
    from dlsh_rules.authoring.testing import example_data

    record = validate_record(example_data(pack), "example", pack.enums)
    ctx = Context(record, pack)
    path = QueryPath.parse("@refs(rectification.items:sources.ref).id")
    for opinion in record.data["opinions"]:
        expected = [
            item["id"]
            for item in record.data["rectification"]["items"]
            if opinion["id"] in [s.get("ref") for s in item.get("sources", [])]
        ]
        assert path.values(ctx, opinion) == expected
        assert path.values(ctx, opinion["id"]) == expected  # an id is its object
    built = [key for key in ctx._cache if key[0] == "refs"]
    assert built == [("refs", "@refs(rectification.items:sources.ref)")]


# --- ratios --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ratio", ["0", "3/2", "'abc'", "true", "'1/0'"])
def test_bad_ratios_are_load_errors(tmp_path: Path, ratio: str) -> None:
    checks = (
        "      - kind: exists\n        select: {from: talks}\n"
        f"        min: {{ratio: {ratio}, of: {{from: people}}}}\n"
    )
    assert _problems(_pack(tmp_path, checks))


def test_a_ratio_needs_exactly_ratio_and_of(tmp_path: Path) -> None:
    checks = (
        "      - kind: each\n        select: {from: meeting}\n"
        "        require: {attendees: {min_count: {ratio: '2/3'}}}\n"
    )
    problems = _problems(_pack(tmp_path, checks))
    assert any("exactly these keys" in p for p in problems)


def test_a_ratio_rounds_up_exactly(tmp_path: Path) -> None:
    """2/3 of 3 is 2, not 3 (floating point would say 2.0000000000000004 → 3)."""
    checks = (
        "      - kind: each\n        select: {from: meeting}\n"
        "        require: {attendees: {min_count: {ratio: '2/3', of: {from: people}}}}\n"
    )
    pack = load_pack(_pack(tmp_path, checks))
    data = _record(3, [])
    data["meeting"]["attendees"] = ["p0000", "p0001"]
    assert check(validate_record(data, "r", pack.enums), pack).results[0].status == "passed"
    data["meeting"]["attendees"] = ["p0000"]
    result = check(validate_record(data, "r", pack.enums), pack).results[0]
    assert result.status == "failed"
    assert "至少 2 人（3 人的 2/3）" in result.findings[0].message.zh


# --- periods -------------------------------------------------------------------------------------


def test_periods() -> None:
    d = dt.date
    assert [p.label for p in periods_between(d(2024, 1, 15), d(2024, 12, 1), "quarter")] == [
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
    ]
    assert [p.label for p in periods_between(d(2023, 11, 30), d(2024, 2, 1), "month")] == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]
    assert period_of(d(2024, 8, 31), "academic_year").label == "AY2023"
    assert period_of(d(2024, 9, 1), "academic_year").label == "AY2024"
    assert period_of(d(2024, 2, 29), "academic_year", (3, 1)).label == "AY2023"
    assert period_of(d(2024, 7, 1), "half").label == "2024-H2"
    assert periods_between(d(2024, 2, 1), d(2024, 1, 1), "year") == []


def test_the_rule_schema_describes_the_new_syntax() -> None:
    """here, @refs paths, in_selection, ratios, min_items, per_period and hub, as written in
    the test pack, are valid against schemas/rule.schema.json (what editors check with)."""
    import json

    jsonschema = pytest.importorskip("jsonschema")
    from dlsh_rules.load.source import load_path

    root = Path(__file__).resolve().parent.parent
    schema = json.loads((root / "schemas" / "rule.schema.json").read_text(encoding="utf-8"))
    data = load_path(root / "tests" / "packs" / "refs-counting" / "rules.yaml").data
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    data["rules"][0]["checks"][0]["require"] = {"date": {"on_or_after": {"anchor": {"hear": "x"}}}}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data))
