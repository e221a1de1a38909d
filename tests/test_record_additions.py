"""The record-format additions of language 2 (design section C): optional fields, validated alike
by the fast path and by pydantic, their references checked like every other, the enumeration
`meeting_method` and the new `role` values with their Chinese labels, exactly one of `org`/`by` on
an approval, and the generated record schema saying the same."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st
from strategies import PROPERTY_SETTINGS
from test_record_fastpath import (
    EXTENDED,
    _assert_validate_record_unchanged,
    _check_agreement,
    _mutate,
)

from dlsh_rules.cli.main import main
from dlsh_rules.errors import InputError
from dlsh_rules.record.enums import DEFAULT
from dlsh_rules.record.validate import load_record, validate_record

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded


def _set(data: dict[str, Any], pointer: str, value: Any) -> None:
    *path, last = pointer.strip("/").split("/")
    node: Any = data
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[int(last) if isinstance(node, list) else last] = value


def _get(data: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


# (where, what the record gives, what the validated data holds)
ADDITIONS: list[tuple[str, Any, Any]] = [
    (
        "/documents/2/states",
        {
            "theme": "认真学习",
            "meeting_date": "2024-01-30",
            "method": "现场会议",
            "topics": ["学习贯彻"],
            "markers": ["严肃认真"],
        },
        {
            "theme": "认真学习",
            "meeting_date": D("2024-01-30"),
            "method": "in_person",
            "topics": ["学习贯彻"],
            "markers": ["严肃认真"],
        },
    ),
    (
        "/documents/2/states",
        {},
        {"theme": None, "meeting_date": None, "method": None, "topics": [], "markers": []},
    ),
    ("/documents/2/text", "会议拟于1月30日召开。", "会议拟于1月30日召开。"),
    (
        "/documents/2/approvals",
        [
            {"by": "p1", "date": "2024-01-20", "level": 1},
            {"by": "o1", "level": 2, "result": "退回修改"},
            {"by": "o1", "level": 2, "result": "approved", "date": "2024-01-25"},
        ],
        [
            {"by": "p1", "date": D("2024-01-20"), "level": 1, "result": "approved"},
            {"by": "o1", "date": None, "level": 2, "result": "returned"},
            {"by": "o1", "date": D("2024-01-25"), "level": 2, "result": "approved"},
        ],
    ),
    (
        "/documents/2/archived",
        {"date": "2024-03-01", "place": "局档案室"},
        {"date": D("2024-03-01"), "place": "局档案室"},
    ),
    ("/documents/2/presided_by", "p1", "p1"),
    ("/approvals/0/document", "plan1", "plan1"),
    (
        "/notices",
        [
            {
                "id": "nt1",
                "date": "2024-01-20",
                "to": ["p1", "p2"],
                "document": "plan1",
                "about": "会议时间",
            },
            {"id": "nt2", "date": "2024-01-21", "to": []},
        ],
        [
            {
                "id": "nt1",
                "date": D("2024-01-20"),
                "to": ["p1", "p2"],
                "document": "plan1",
                "about": "会议时间",
            },
            {"id": "nt2", "date": D("2024-01-21"), "to": [], "document": None, "about": None},
        ],
    ),
    ("/meeting/method", "hybrid", "hybrid"),
    ("/meeting/method", "现场与视频结合", "hybrid"),
    ("/meeting/method", "视频会议", "video"),
    (
        "/meeting/absences",
        [{"person": "p2", "reason": "出差", "leave_approved": True, "written_statement": "plan1"}],
        [{"person": "p2", "reason": "出差", "leave_approved": True, "written_statement": "plan1"}],
    ),
    ("/meeting/agenda/0/reads", "plan1", "plan1"),
    ("/meeting/agenda/0/on_behalf_of", "p2", "p2"),
    ("/talks/0/leader", "p1", "p1"),
    ("/talks/0/kind", "约谈", "约谈"),
    ("/invitations/0/addressed_to", "p1", "p1"),
    ("/activities/0/topics", ["党的二十大精神", "党章"], ["党的二十大精神", "党章"]),
    ("/people/5/role", "party_member", "party_member"),
    ("/people/5/role", "普通党员", "party_member"),
    ("/people/5/role", "下属单位负责人", "unit_head"),
    ("/people/5/role", "支部委员", "branch_committee_member"),
]


@pytest.mark.parametrize(
    ("where", "given", "expected"),
    ADDITIONS,
    ids=[f"{w}={json.dumps(g, ensure_ascii=False)[:20]}" for w, g, _ in ADDITIONS],
)
def test_each_new_field_is_accepted_alike_by_both_paths(
    base: dict[str, Any], where: str, given: Any, expected: Any
) -> None:
    data = copy.deepcopy(base)
    _set(data, where, given)
    assert _check_agreement(data), "the fast path declined a valid record"
    _assert_validate_record_unchanged(data, DEFAULT)
    assert _get(validate_record(data).data, where) == expected


def test_every_addition_at_once(base: dict[str, Any]) -> None:
    data = copy.deepcopy(base)
    for where, value, _ in ADDITIONS:
        _set(data, where, copy.deepcopy(value))
    assert _check_agreement(data)
    record = validate_record(data)
    assert record.index["nt1"].kind == "notice" and record.index["nt1"].pointer == "/notices/0"
    assert record.data["approvals"][1] == {
        "id": "ap2", "org": "o2", "date": D("2024-02-21"), "subject": "briefing",
        "document": None, "by": None, "todo": False,
    }  # fmt: skip


def test_records_without_the_additions_get_their_defaults(base: dict[str, Any]) -> None:
    record = validate_record(copy.deepcopy(base))
    assert record.data["notices"] == [] and record.data["meeting"]["method"] is None
    document = record.data["documents"][0]
    assert [document[k] for k in ("states", "text", "approvals", "archived", "presided_by")] == [
        None, None, [], None, None,
    ]  # fmt: skip
    assert (
        record.data["talks"][0]["leader"] is None and record.data["activities"][0]["topics"] == []
    )


# A small record that gives every addition, for mutations.
SMALL: dict[str, Any] = {
    "format": "dlsh-record/1",
    "unit": {"name": "某支部"},
    "meeting": {
        "date": "2024-06-20",
        "method": "现场会议",
        "absences": [{"person": "p3", "written_statement": "ws"}],
        "agenda": [{"kind": "summary", "by": "p1", "reads": "ws", "on_behalf_of": "p3"}],
    },
    "people": [
        {"id": "p1", "name": "甲", "role": "secretary"},
        {"id": "p2", "name": "乙", "role": "支部委员"},
        {"id": "p3", "name": "丙", "role": "party_member"},
    ],
    "orgs": [{"id": "o1", "name": "上级党委", "kind": "other"}],
    "invitations": [{"org": "o1", "addressed_to": "p2"}],
    "activities": [{"id": "a1", "kind": "group_study", "topics": ["党章"]}],
    "talks": [{"id": "t1", "participants": ["p1", "p2", "p3"], "leader": "p1", "kind": "集体谈话"}],
    "documents": [
        {
            "id": "ws",
            "kind": "other",
            "text": "书面发言",
            "states": {"theme": "主题", "meeting_date": "2024-06-20", "method": "hybrid",
                       "topics": ["学习"], "markers": ["严肃"]},
            "approvals": [{"by": "p1", "level": 1, "date": "2024-06-01"},
                          {"by": "o1", "level": 2, "result": "returned"}],
            "archived": {"date": "2024-07-01", "place": "档案室"},
            "presided_by": "p1",
        }
    ],
    "approvals": [{"id": "ap1", "by": "p1", "document": "ws"}],
    "notices": [{"id": "n1", "date": "2024-06-10", "to": ["p2", "p3"], "document": "ws",
                 "about": "会议"}],
}  # fmt: skip


def test_a_small_record_of_every_addition() -> None:
    assert _check_agreement(copy.deepcopy(SMALL))
    _assert_validate_record_unchanged(SMALL, DEFAULT)


@settings(PROPERTY_SETTINGS, max_examples=max(200, 8 * PROPERTY_SETTINGS.max_examples))
@given(st.data())
def test_mutations_of_the_additions_are_judged_alike(data: st.DataObject) -> None:
    record = copy.deepcopy(SMALL)
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(record, data.draw)
    enums = data.draw(st.sampled_from([DEFAULT, EXTENDED]))
    event("accepted" if _check_agreement(record, enums) else "declined")
    _assert_validate_record_unchanged(record, enums)


# --- references ---------------------------------------------------------------------------------

# (where, a bad reference, words of the English message: the kind wanted, the kind found)
BAD_REFERENCES: list[tuple[str, Any, str, list[str]]] = [
    ("/documents/2/presided_by", "d1", "/documents/2/presided_by", ["person", "department"]),
    ("/documents/2/approvals", [{"by": "plan1"}], "/documents/2/approvals/0/by",
     ["person or body", "document"]),
    ("/documents/2/approvals", [{"by": "p99"}], "/documents/2/approvals/0/by", ["'p99'"]),
    ("/approvals/0/document", "p1", "/approvals/0/document", ["document", "person"]),
    ("/notices", [{"id": "nt1", "date": "2024-01-20", "to": ["p1", "p99"]}], "/notices/0/to/1",
     ["person", "'p99'"]),
    ("/notices", [{"id": "nt1", "date": "2024-01-20", "to": [], "document": "o1"}],
     "/notices/0/document", ["document", "body"]),
    ("/meeting/absences", [{"person": "p2", "written_statement": "p2"}],
     "/meeting/absences/0/written_statement", ["document", "person"]),
    ("/meeting/agenda/0/reads", "t1", "/meeting/agenda/0/reads", ["document", "talk"]),
    ("/meeting/agenda/0/on_behalf_of", "plan1", "/meeting/agenda/0/on_behalf_of",
     ["person", "document"]),
    ("/talks/0/leader", "d1", "/talks/0/leader", ["person", "department"]),
    ("/invitations/0/addressed_to", "o1", "/invitations/0/addressed_to", ["person", "body"]),
]  # fmt: skip


@pytest.mark.parametrize(("where", "value", "pointer", "words"), BAD_REFERENCES)
def test_a_bad_reference_is_refused_at_its_line(
    base: dict[str, Any], tmp_path: Path, where: str, value: Any, pointer: str, words: list[str]
) -> None:
    data = copy.deepcopy(base)
    _set(data, where, value)
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_record(path)
    problems = [p for p in info.value.problems if p.pointer == pointer]
    assert problems and problems[0].code == "reference", info.value.render("en")
    assert problems[0].line is not None and problems[0].column is not None
    text = info.value.render("en")
    for word in words:
        assert word in text
    _assert_validate_record_unchanged(data, DEFAULT)


def test_a_bad_reference_on_the_command_line(
    base: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = copy.deepcopy(base)
    _set(data, "/talks/0/leader", "p99")
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if "/talks/0/leader" in x)
    assert line.startswith(f"{path}:") and line.split(":")[1].isdigit(), line
    assert "'p99'" in line and "Traceback" not in err


def test_a_notice_id_is_unique_across_the_record(base: dict[str, Any]) -> None:
    data = copy.deepcopy(base)
    data["notices"] = [{"id": "p1", "date": "2024-01-20", "to": ["p2"]}]
    with pytest.raises(InputError) as info:
        validate_record(data)
    assert [p.code for p in info.value.problems] == ["duplicate_id"]
    assert info.value.problems[0].pointer == "/notices/0/id"


# --- enumerations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "choices"),
    [
        ("/meeting/method", "telepathy", ["in_person（现场会议）", "video（视频会议）",
                                          "hybrid（现场与视频结合）"]),
        ("/documents/2/states", {"method": "现场"}, ["in_person（现场会议）"]),
        ("/documents/2/approvals", [{"by": "p1", "result": "ok"}],
         ["approved（审核通过）", "returned（退回修改）"]),
        ("/people/5/role", "群众", ["party_member（普通党员）", "unit_head（下属单位负责人）",
                                  "branch_committee_member（支部委员）", "secretary（党组书记）"]),
    ],
)  # fmt: skip
def test_a_bad_enumerated_value_lists_the_chinese_labels(
    base: dict[str, Any], where: str, value: Any, choices: list[str]
) -> None:
    data = copy.deepcopy(base)
    _set(data, where, value)
    with pytest.raises(InputError) as info:
        validate_record(data, "rec.json")
    (problem,) = info.value.problems
    assert problem.code == "enum"
    zh, en = info.value.render("zh"), info.value.render("en")
    for choice in choices:
        value_, label = choice.rstrip("）").split("（")
        # Chinese names the label first (what a reader recognises), then the identifier.
        assert f"{label}（{value_}）" in zh
        assert f"{value_} ({label})" in en
    _assert_validate_record_unchanged(data, DEFAULT)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("/documents/2/approvals", [{"by": "p1", "level": 0}]),
        ("/documents/2/approvals", [{"level": 1}]),  # `by` is required
        ("/documents/2/archived", {"place": 3}),
        ("/notices", [{"id": "nt1", "to": ["p1"]}]),  # a notice has a date
        ("/activities/0/topics", "党章"),  # a list of texts
        ("/talks/0/kind", ["约谈"]),
    ],
)
def test_bad_values_of_new_fields_are_refused_alike(
    base: dict[str, Any], where: str, value: Any
) -> None:
    data = copy.deepcopy(base)
    _set(data, where, value)
    assert not _check_agreement(data)
    with pytest.raises(InputError) as info:
        validate_record(data)
    assert all(p.pointer.startswith(where) for p in info.value.problems), info.value.render("en")
    _assert_validate_record_unchanged(data, DEFAULT)


# --- approvals: exactly one of org and by ------------------------------------------------------


def test_an_approval_by_a_person(base: dict[str, Any]) -> None:
    data = copy.deepcopy(base)
    del data["approvals"][0]["org"]
    data["approvals"][0]["by"] = "p1"
    assert _check_agreement(data)
    record = validate_record(data)
    assert record.data["approvals"][0]["by"] == "p1" and record.data["approvals"][0]["org"] is None


@pytest.mark.parametrize(
    ("change", "found"),
    [({"org": None}, "neither"), ({"by": "p1"}, "both: org, by")],
)
def test_an_approval_needs_exactly_one_of_org_and_by(
    base: dict[str, Any], tmp_path: Path, change: dict[str, Any], found: str
) -> None:
    data = copy.deepcopy(base)
    data["approvals"][1].update(change)
    _assert_validate_record_unchanged(data, DEFAULT)
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_record(path)
    (problem,) = info.value.problems
    assert (problem.pointer, problem.code, problem.found) == ("/approvals/1", "exactly_one", found)
    assert problem.line is not None
    assert "exactly one of org, by" in info.value.render("en")
    assert "恰好给出 org、by 之一" in info.value.render("zh")


# --- the generated schema says the same -----------------------------------------------------------


def test_the_record_schema_knows_the_additions(base: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schemas" / "record.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    data = copy.deepcopy(base)
    for where, value, _ in ADDITIONS:
        if not (isinstance(value, str) and not value.isascii()):  # labels: the schema lists them
            _set(data, where, copy.deepcopy(value))
    data["meeting"]["method"] = "现场与视频结合"
    assert not list(validator.iter_errors(data))
    neither = copy.deepcopy(data)
    del neither["approvals"][0]["org"]
    assert list(validator.iter_errors(neither))
    both = copy.deepcopy(data)
    both["approvals"][0]["by"] = "p1"
    assert list(validator.iter_errors(both))
    nulls = copy.deepcopy(data)
    nulls["approvals"][0].update(org=None, by="p1")
    assert not list(validator.iter_errors(nulls))
    nulls["approvals"][0]["by"] = None
    assert list(validator.iter_errors(nulls))
    bad = copy.deepcopy(data)
    bad["meeting"]["method"] = "telepathy"
    assert list(validator.iter_errors(bad))
