"""The optional record fields of issue 10 (F1–F11 of docs/design/seed-to-the-letter.md): validated alike
by the fast path and by pydantic, with Chinese labels as aliases, references checked, bad values
refused at their pointer, and the generated record schema knowing them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_record_additions import _get, _set
from test_record_fastpath import _assert_validate_record_unchanged, _check_agreement

from dlsh_rules.errors import InputError
from dlsh_rules.record.enums import DEFAULT
from dlsh_rules.record.validate import validate_record

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    """The example record as plain JSON data (dates as strings)."""
    return dict(json.loads(json.dumps(yaml.safe_load(EXAMPLE.read_text("utf-8")), default=str)))


# (where, what the record gives, what the validated data holds)
FIELDS: list[tuple[str, Any, Any]] = [
    ("/documents/0/level", "central", "central"),  # F1
    ("/documents/1/level", "省级", "provincial"),
    ("/opinions/0/date", "2024-01-12", "2024-01-12"),  # F2
    (
        "/documents/2/applies_to",
        ["党组班子", "division_leaders"],
        ["leading_group", "division_leaders"],
    ),  # F4
    ("/activities/1/organized_by", "机关党委", "organ_party_committee"),  # F5
    ("/talk_requests/0/audience", "群众", "public"),  # F6
    ("/talks/0/covers", ["工作问题", "thought"], ["work", "thought"]),  # F6b
    ("/activities/0/kind", "宣传", "publicity"),  # F7
    ("/activities/0/kind", "special_rectification", "special_rectification"),  # F8
    ("/documents/2/opinions", ["op1", "op2"], ["op1", "op2"]),  # F9
    ("/meeting/agenda/0/covers", ["整改态度"], ["rectification_attitude"]),  # F10
    ("/meeting/agenda/0/text", "表明整改态度", "表明整改态度"),
    (
        "/activities/0/covers",
        ["民主生活会情况", "rectification_measures"],
        ["meeting_situation", "rectification_measures"],
    ),  # F11
]


@pytest.mark.parametrize(("where", "given", "expected"), FIELDS, ids=[f[0] for f in FIELDS])
def test_each_field_is_accepted_alike_by_both_paths(
    base: dict[str, Any], where: str, given: Any, expected: Any
) -> None:
    data = copy.deepcopy(base)
    _set(data, where, given)
    assert _check_agreement(data), "the fast path declined a valid record"
    _assert_validate_record_unchanged(data, DEFAULT)
    got = _get(validate_record(data).data, where)
    assert (got.isoformat() if hasattr(got, "isoformat") else got) == expected


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("/documents/0/level", "national"),
        ("/documents/2/applies_to", ["everyone"]),
        ("/talks/0/covers", "work"),  # a list
        ("/talks/0/covers", ["meeting_situation"]),  # a briefing's topic, not a talk's
        ("/meeting/agenda/0/covers", ["work"]),
        ("/activities/0/covers", ["rectification_attitude"]),
        ("/activities/1/organized_by", "someone"),
        ("/talk_requests/0/audience", "everyone"),
        ("/opinions/0/date", "2024-02-30"),
        ("/documents/2/opinions", ["no-such-opinion"]),  # a reference
        ("/documents/2/opinions", ["p1"]),  # a person is not an opinion
    ],
)
def test_bad_values_are_refused_alike(base: dict[str, Any], where: str, value: Any) -> None:
    data = copy.deepcopy(base)
    _set(data, where, value)
    with pytest.raises(InputError) as info:
        validate_record(data)
    assert all(p.pointer.startswith(where) for p in info.value.problems), info.value.render("en")
    _assert_validate_record_unchanged(data, DEFAULT)


def test_the_record_schema_knows_the_fields() -> None:
    schema = json.loads((ROOT / "schemas" / "record.schema.json").read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert {"level", "applies_to", "opinions"} <= set(defs["Document"]["properties"])
    assert {"organized_by", "covers"} <= set(defs["Activity"]["properties"])
    assert "date" in defs["Opinion"]["properties"]
    assert "audience" in defs["TalkRequest"]["properties"]
    assert "covers" in defs["Talk"]["properties"]
    assert {"covers", "text"} <= set(defs["AgendaItem"]["properties"])
