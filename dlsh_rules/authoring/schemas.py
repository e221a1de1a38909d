"""The JSON Schemas under schemas/, generated from the models so they cannot drift.

`python -m dlsh_rules.docgen` rewrites them; tests/test_docs.py fails when a file is stale.
"""

from __future__ import annotations

from typing import Any

_STRING_OR_NULL = {"type": ["string", "null"]}
_DATE_OR_NULL = {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://dlsh-rules.invalid/schemas/report.schema.json",
    "title": "dlsh_rules compliance report (dlsh-report/1)",
    "type": "object",
    "required": ["format", "tool", "pack", "record", "as_of", "summary", "results"],
    "properties": {
        "format": {"const": "dlsh-report/1"},
        "tool": {
            "type": "object",
            "required": ["name", "version"],
            "properties": {"name": {"const": "dlsh_rules"}, "version": {"type": "string"}},
        },
        "pack": {
            "type": "object",
            "required": ["id", "version"],
            "properties": {"id": {"type": "string"}, "version": {"type": "string"}},
        },
        "record": {
            "type": "object",
            "required": ["source", "unit", "meeting_date"],
            "properties": {
                "source": {"type": "string"},
                "unit": {"type": "string"},
                "meeting_date": {"type": "string", "format": "date"},
            },
        },
        "as_of": _DATE_OR_NULL,
        "lang": {"enum": ["zh", "en"]},
        "summary": {"$ref": "#/$defs/summary"},
        "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
        "unused_waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["rule", "message"],
                "properties": {
                    "rule": {"type": "string"},
                    "subject": _STRING_OR_NULL,
                    "origin": {"type": "string"},
                    "path": {"type": "string"},
                    "message": {"type": "string"},
                    "line": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "Optional addition: where the waiver is written "
                        "(its file, or the record), with column.",
                    },
                    "column": {"type": "integer", "minimum": 1},
                },
            },
        },
        "selection": {
            "type": "object",
            "properties": {
                "select": {"type": "array", "items": {"type": "string"}},
                "ignore": {"type": "array", "items": {"type": "string"}},
            },
        },
        "organisations": {
            "description": "Optional addition: the organisation rules of the run "
            "(scope: organisation), one entry per party organisation.",
            "type": "array",
            "items": {"$ref": "#/$defs/organisation"},
        },
    },
    "$defs": {
        "summary": {
            "type": "object",
            "required": [
                "rules",
                "passed",
                "failed",
                "pending",
                "waived",
                "not_applicable",
                "error",
                "compliant",
            ],
            "properties": {
                **{
                    k: {"type": "integer", "minimum": 0}
                    for k in (
                        "rules",
                        "passed",
                        "failed",
                        "pending",
                        "waived",
                        "not_applicable",
                        "error",
                        "waived_findings",
                    )
                },
                "compliant": {"type": "boolean"},
            },
        },
        "organisation": {
            "type": "object",
            "required": ["unit", "party_org", "records", "summary", "results"],
            "properties": {
                "unit": {"type": "string"},
                "party_org": _STRING_OR_NULL,
                "records": {"type": "array", "items": {"type": "string"}},
                "summary": {"$ref": "#/$defs/summary"},
                "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
            },
        },
        "period": {
            "type": "object",
            "required": ["period", "from", "to", "count", "min", "records"],
            "properties": {
                "period": {"type": "string"},
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "count": {"type": "integer", "minimum": 0},
                "min": {"type": "integer", "minimum": 1},
                "records": {"type": "array", "items": {"type": "string"}},
            },
        },
        "result": {
            "type": "object",
            "required": ["rule", "title", "clause", "severity", "status", "message", "findings"],
            "properties": {
                "rule": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"},
                "title": {"type": "string"},
                "clause": {"type": "string"},
                "severity": {"enum": ["error", "warning", "info"]},
                "level": {"enum": ["error", "warning", "info"]},
                "status": {
                    "enum": ["passed", "failed", "pending", "waived", "not_applicable", "error"]
                },
                "message": {"type": "string"},
                "phase": {"type": "string"},
                "error": {"type": "string"},
                "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
                "periods": {"type": "array", "items": {"$ref": "#/$defs/period"}},
                "findings_omitted": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Findings of this rule beyond the first 1000, counted but "
                    "not listed (present only then).",
                },
                "findings_omitted_waived": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "How many of the omitted findings are waived (present only then).",
                },
            },
        },
        "finding": {
            "type": "object",
            "required": ["subject", "message", "path", "due", "waived"],
            "properties": {
                "subject": _STRING_OR_NULL,
                "message": {"type": "string"},
                "path": _STRING_OR_NULL,
                "due": _DATE_OR_NULL,
                "waived": {"type": "boolean"},
                "severity": {"enum": ["error", "warning", "info"]},
                "line": {"type": "integer", "minimum": 1},
                "column": {"type": "integer", "minimum": 1},
                "expected": {"type": "string"},
                "found": {"type": "string"},
                "pending": {"type": "boolean"},
                "records": {"type": "array", "items": {"type": "string"}},
                "baselined": {
                    "const": True,
                    "description": "Optional addition: waived because the --baseline "
                    "holds it (waiver.origin names the baseline); absent otherwise.",
                },
                "items": {
                    "type": "array",
                    "minItems": 2,
                    "description": (
                        "A finding that stands for several of one cause (one late submission of"
                        " many documents to many bodies): each of them, with its own subject,"
                        " message and place (present only then)."
                    ),
                    "items": {
                        "type": "object",
                        "required": ["subject", "message", "path"],
                        "properties": {
                            "subject": _STRING_OR_NULL,
                            "message": {"type": "string"},
                            "path": _STRING_OR_NULL,
                            "line": {"type": "integer", "minimum": 1},
                            "column": {"type": "integer", "minimum": 1},
                            "expected": {"type": "string"},
                        },
                    },
                },
                "waiver": {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {
                        "reason": {"type": "string"},
                        "approved_by": _STRING_OR_NULL,
                        "date": _DATE_OR_NULL,
                        "expires": _DATE_OR_NULL,
                        "origin": {"type": "string"},
                    },
                },
            },
        },
    },
}


def record_schema() -> dict[str, Any]:
    from ..record.models import Record

    schema = Record.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dlsh_rules meeting record (dlsh-record/1)"
    return schema


def generated() -> dict[str, dict[str, Any]]:
    """Every shipped schema by name: record, rule, pack, report."""
    from ..language.json_schemas import manifest_schema, rule_schema

    return {
        "record": record_schema(),
        "rule": rule_schema(),
        "pack": manifest_schema(),
        "report": REPORT_SCHEMA,
    }
