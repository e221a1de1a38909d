"""Bad records: every one gives exit 2 and a message naming file, path (line/column) and problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from dlsh_rules.cli.main import main
from dlsh_rules.errors import InputError
from dlsh_rules.record.validate import load_record, validate_record

EXAMPLE = (
    Path(__file__).resolve().parent.parent / "rules" / "provincial-bureau-2024" / "example.yaml"
)


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def _mutate(base: dict[str, Any], how: str) -> dict[str, Any]:
    data = copy.deepcopy(base)
    if how == "unknown_reference":
        data["talks"][0]["participants"][1] = "p99"
    elif how == "wrong_kind_reference":
        data["talks"][0]["participants"][1] = "d1"  # a department, not a person
    elif how == "impossible_date":
        data["meeting"]["date"] = "2024-02-30"
    elif how == "unknown_enum":
        data["talks"][0]["mode"] = "telepathy"
    elif how == "duplicate_id":
        data["talks"][1]["id"] = data["talks"][0]["id"]
    elif how == "two_secretaries":
        data["people"][1]["role"] = "secretary"
    elif how == "unknown_field":
        data["meeting"]["chairman"] = "p1"
    elif how == "missing_field":
        del data["meeting"]["date"]
    elif how == "bad_format":
        data["format"] = "dlsh-record/9"
    return data


CASES = {
    # how: (expected pointer, words that must appear in the English message)
    "unknown_reference": ("/talks/0/participants/1", ["person", "'p99'"]),
    "wrong_kind_reference": ("/talks/0/participants/1", ["person", "department"]),
    "impossible_date": ("/meeting/date", ["real calendar date", "2024-02-30"]),
    "unknown_enum": ("/talks/0/mode", ["in_person", "telepathy"]),
    "duplicate_id": ("/talks/1/id", ["unique", "t1"]),
    "two_secretaries": ("/people", ["exactly one", "secretary"]),
    "unknown_field": ("/meeting/chairman", ["field", "chairman"]),
    "missing_field": ("/meeting/date", ["required"]),
    "bad_format": ("/format", ["dlsh-record/1"]),
}


@pytest.mark.parametrize("how", sorted(CASES))
def test_bad_record_via_library(base: dict[str, Any], how: str) -> None:
    pointer, words = CASES[how]
    with pytest.raises(InputError) as info:
        validate_record(_mutate(base, how), "rec.json")
    problems = info.value.problems
    assert any(p.pointer == pointer for p in problems), [p.pointer for p in problems]
    text = info.value.render("en")
    for word in words:
        assert word in text
    assert all(p.file == "rec.json" for p in problems)


@pytest.mark.parametrize("how", sorted(CASES))
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_bad_record_via_cli(
    base: dict[str, Any], how: str, suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"record{suffix}"
    data = _mutate(base, how)
    text = (
        json.dumps(data, ensure_ascii=False, indent=2)
        if suffix == ".json"
        else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    code = main(["check", str(path), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    pointer = CASES[how][0]
    assert f"{path}:" in err and f"at {pointer}" in err
    assert "Traceback" not in err
    # line and column of the offending value are given where the text has them
    line = next(ln for ln in err.splitlines() if f"at {pointer}" in ln)
    assert line.split(":")[1].isdigit(), line
    assert path.read_bytes() == before  # the input is never modified


def test_all_problems_are_reported_at_once(base: dict[str, Any]) -> None:
    data = _mutate(_mutate(base, "unknown_enum"), "impossible_date")
    with pytest.raises(InputError) as info:
        validate_record(data)
    pointers = {p.pointer for p in info.value.problems}
    assert {"/talks/0/mode", "/meeting/date"} <= pointers


def test_chinese_is_the_default_language(base: dict[str, Any]) -> None:
    with pytest.raises(InputError) as info:
        validate_record(_mutate(base, "unknown_enum"), "rec.json")
    assert "应为" in info.value.render() and "实际为" in info.value.render()


@pytest.mark.parametrize(
    ("text", "suffix"),
    [('{"format": "dlsh-record/1", ', ".json"), ("format: [unclosed\n", ".yaml")],
)
def test_invalid_syntax(
    tmp_path: Path, text: str, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err


def test_chinese_aliases_are_accepted(base: dict[str, Any]) -> None:
    data = copy.deepcopy(base)
    data["talks"][0]["mode"] = "面对面"
    data["activities"] = [
        dict(a, form="座谈会") if a.get("form") == "symposium" else a for a in data["activities"]
    ]
    record = validate_record(data)
    assert record.data["talks"][0]["mode"] == "in_person"


def test_load_record_accepts_a_mapping(base: dict[str, Any]) -> None:
    assert load_record(base).meeting["date"].isoformat() == "2024-01-30"
