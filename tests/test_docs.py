"""Generated files are current, and the shipped schemas really describe the shipped data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dlsh_rules import check
from dlsh_rules.authoring.docgen import main as docgen
from dlsh_rules.authoring.docgen import outputs
from dlsh_rules.load.source import load_path
from dlsh_rules.pack.loader import available_packs, load_pack

ROOT = Path(__file__).resolve().parent.parent
jsonschema = pytest.importorskip("jsonschema")


def _schema(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
    )
    return data


def test_generated_files_are_current() -> None:
    stale = [
        str(p.relative_to(ROOT))
        for p, text in outputs().items()
        if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"run `python -m dlsh_rules.docgen` to regenerate: {stale}"
    assert docgen(["--check"]) == 0


@pytest.mark.parametrize("name", ["record", "rule", "pack", "report"])
def test_schemas_are_valid_json_schema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(_schema(name))


@pytest.mark.parametrize("pack_name", available_packs())
def test_example_records_validate_against_the_record_schema(pack_name: str) -> None:
    pack = load_pack(pack_name)
    assert pack.example_path is not None
    data = load_path(pack.example_path).data
    validator = jsonschema.Draft202012Validator(_schema("record"))
    errors = [
        e
        for e in validator.iter_errors(data)
        # a pack may extend enumerations; the shipped schema knows the base values only
        if not (e.validator == "enum" and pack.manifest.enums)
    ]
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_record_schema_rejects_what_the_models_reject() -> None:
    data = load_path(ROOT / "docs" / "examples" / "bureau-2024.yaml").data
    data["talks"][0]["mode"] = "telepathy"
    assert list(jsonschema.Draft202012Validator(_schema("record")).iter_errors(data))


_TEST_PACKS = sorted(str(p.parent) for p in (ROOT / "tests" / "packs").glob("*/pack.yaml"))


@pytest.mark.parametrize("pack_name", [*available_packs(), *_TEST_PACKS])
def test_rule_files_and_manifests_validate_against_their_schemas(pack_name: str) -> None:
    pack = load_pack(pack_name)
    manifest = load_path(Path(pack.root) / "pack.yaml").data
    assert not list(jsonschema.Draft202012Validator(_schema("pack")).iter_errors(manifest))
    rule_validator = jsonschema.Draft202012Validator(_schema("rule"))
    for rel in pack.manifest.rules:
        data = load_path(Path(pack.root) / rel).data
        errors = list(rule_validator.iter_errors(data))
        assert not errors, [f"{rel} {list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_rule_schema_rejects_an_unknown_kind() -> None:
    bad = {
        "rules": [
            {
                "id": "a.b",
                "phase": "prep",
                "title": {"zh": "x", "en": "x"},
                "clause": "一",
                "quote": "x",
                "rationale": {"zh": "x", "en": "x"},
                "checks": [{"kind": "python", "code": "import os"}],
            }
        ]
    }
    assert list(jsonschema.Draft202012Validator(_schema("rule")).iter_errors(bad))


def test_json_reports_validate_against_the_report_schema() -> None:
    report = check(ROOT / "docs" / "examples" / "bureau-2024.yaml")
    for lang in ("zh", "en"):
        jsonschema.validate(json.loads(report.to_json(lang)), _schema("report"))


def test_rule_reference_names_every_rule() -> None:
    text = (ROOT / "docs" / "rules" / "provincial-bureau-2024.md").read_text(encoding="utf-8")
    for rule in load_pack("provincial-bureau-2024").rules:
        assert f"### {rule.id}\n" in text and rule.quote in text
