"""JSON Schemas of rule files and manifests, generated from the models of `language.models`.

Kept apart from the models so that neither module outgrows one sitting (tests/test_layout.py);
`authoring/schemas.py` writes them to schemas/rule.schema.json and schemas/pack.schema.json.
"""

from __future__ import annotations

from typing import Any

from .models import Manifest, Rule, RuleFile

# --- JSON Schemas of rule files and manifests ------------------------------------------------


def rule_schema() -> dict[str, Any]:
    """JSON Schema of a rule file, generated from the models (schemas/rule.schema.json)."""
    schema = RuleFile.model_json_schema()
    rule = Rule.model_json_schema(ref_template="#/$defs/{model}")
    defs = {**rule.pop("$defs", {}), "Rule": rule}
    defs.update(QUERY_DEFS)
    schema["properties"]["rules"]["items"] = {"$ref": "#/$defs/Rule"}
    schema["$defs"] = defs
    schema["$id"] = "https://dlsh-rules.invalid/schemas/rule.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dlsh_rules rule file"
    schema["$defs"]["param_ref"] = {
        "type": "string",
        "pattern": r"^\$[A-Za-z_][A-Za-z0-9_]*$",
        "description": "A pack parameter, replaced by its value when the pack is loaded.",
    }
    result: dict[str, Any] = _allow_params(_swap_refs(schema))
    return result


def _allow_params(value: Any) -> Any:
    """Let any field value be a "$param" reference, as the loader substitutes them first."""
    if isinstance(value, list):
        return [_allow_params(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, sub in value.items():
        if key in ("properties", "patternProperties") and isinstance(sub, dict):
            out[key] = {name: _or_param(_allow_params(s)) for name, s in sub.items()}
        elif key in ("items", "additionalProperties") and isinstance(sub, dict):
            out[key] = _or_param(_allow_params(sub))
        else:
            out[key] = _allow_params(sub)
    return out


def _or_param(schema: Any) -> Any:
    if not isinstance(schema, dict) or (schema.get("type") == "string" and "pattern" not in schema):
        return schema
    return {"anyOf": [schema, {"$ref": "#/$defs/param_ref"}]}


def _swap_refs(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"x-dlsh-ref"}:
            return {"$ref": f"#/$defs/{value['x-dlsh-ref']}"}
        return {k: _swap_refs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_refs(v) for v in value]
    return value


def manifest_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema()
    # A pack that extends another may override an inherited parameter field by field, without
    # its value (`hope_markers: {clause: 五}`); the loader requires a value of new parameters.
    param = schema["$defs"]["Param"]
    param["required"] = [k for k in param.get("required", []) if k != "value"]
    if not param["required"]:
        del param["required"]
    param["description"] = (
        f"{param.get('description', '')} `value` is required unless the parameter overrides "
        "one inherited through `extends`."
    ).strip()
    schema["$id"] = "https://dlsh-rules.invalid/schemas/pack.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dlsh_rules pack manifest"
    return schema


_SCALAR = {"type": ["string", "number", "integer", "boolean"]}
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# A path segment: a field, a computed field, or @refs(LIST:FIELD) with dotted LIST and FIELD.
_SEGMENT = (
    r"(@self|@end|@year|@month|@quarter|@half|@academic_year|@weekday|@working_day"
    rf"|@refs\({_NAME}(\.{_NAME})*:{_NAME}(\.{_NAME})*\)"
    rf"|{_NAME})"
)
_PATH_PATTERN = rf"^{_SEGMENT}(\.{_SEGMENT})*$"
_PERIOD = {"enum": ["month", "quarter", "half", "year", "academic_year"]}
QUERY_DEFS: dict[str, Any] = {
    "path": {
        "type": "string",
        "pattern": _PATH_PATTERN,
        "description": "Dotted field path; ids are followed to their objects, lists flattened.",
    },
    "ratio": {
        "type": "object",
        "additionalProperties": False,
        "required": ["ratio", "of"],
        "properties": {
            "ratio": {"type": ["string", "number"], "description": 'A share: 0.5 or "2/3".'},
            "of": {"$ref": "#/$defs/selection"},
        },
        "description": "At least ceil(ratio × the number of items of `of`).",
    },
    "date_bound": {
        "anyOf": [
            {"type": "string", "format": "date", "description": "An absolute date YYYY-MM-DD."},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "anchor": {"$ref": "#/$defs/selection"},
                    "pick": {"enum": ["min", "max"]},
                    "base": {"$ref": "#/$defs/date_bound"},
                    "years": {"type": "integer", "minimum": -100, "maximum": 100},
                    "months": {"type": "integer", "minimum": -1200, "maximum": 1200},
                    "month": {"type": "integer", "minimum": 1, "maximum": 12},
                    "day": {
                        "anyOf": [
                            {"type": "integer", "minimum": 1, "maximum": 31},
                            {"const": "last"},
                        ]
                    },
                    "start_of": _PERIOD,
                    "end_of": _PERIOD,
                    "days": {"type": "integer", "minimum": -36600, "maximum": 36600},
                    "working_days": {"type": "integer", "minimum": -36600, "maximum": 36600},
                },
            },
        ]
    },
    "selection": {
        "anyOf": [
            {"$ref": "#/$defs/path"},
            {"type": "array", "items": _SCALAR},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "from": {"$ref": "#/$defs/path"},
                    "here": {"$ref": "#/$defs/path"},
                    "set": {"type": "string"},
                    "values": {"type": "array", "items": _SCALAR},
                    "union": {"type": "array", "items": {"$ref": "#/$defs/selection"}},
                    "where": {"$ref": "#/$defs/condition"},
                    "path": {"$ref": "#/$defs/path"},
                    "minus": {"$ref": "#/$defs/selection"},
                },
            },
        ]
    },
    "test": {
        "anyOf": [
            _SCALAR,
            {"type": "array", "items": _SCALAR},
            {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": False,
                "properties": {
                    "eq": _SCALAR,
                    "ne": _SCALAR,
                    "in": {"type": "array"},
                    "any_of": {"type": "array"},
                    "not_in": {"type": "array"},
                    "exists": {"type": "boolean"},
                    "count": {"type": "integer", "minimum": 0},
                    "min_count": {
                        "anyOf": [{"type": "integer", "minimum": 0}, {"$ref": "#/$defs/ratio"}]
                    },
                    "max_count": {"type": "integer", "minimum": 0},
                    "min_distinct": {"type": "integer", "minimum": 0},
                    "gte": {"type": "number"},
                    "lte": {"type": "number"},
                    "contains_all": {"type": "array"},
                    "text_contains_any": {"type": "array", "items": {"type": "string"}},
                    "text_contains_none": {"type": "array", "items": {"type": "string"}},
                    "eq_field": {"$ref": "#/$defs/path"},
                    "in_set": {"type": "string"},
                    "in_selection": {"$ref": "#/$defs/selection"},
                    "includes_field": {"$ref": "#/$defs/path"},
                    "on_or_before": {"$ref": "#/$defs/date_bound"},
                    "before": {"$ref": "#/$defs/date_bound"},
                    "on_or_after": {"$ref": "#/$defs/date_bound"},
                    "after": {"$ref": "#/$defs/date_bound"},
                    "within": {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "properties": {
                            "from": {"$ref": "#/$defs/date_bound"},
                            "to": {"$ref": "#/$defs/date_bound"},
                        },
                    },
                    "normalize": {"enum": ["exact", "whitespace", "text", "title"]},
                    "where": {"$ref": "#/$defs/condition"},
                },
            },
        ]
    },
    "condition": {
        "type": "object",
        "minProperties": 1,
        "properties": {
            "all": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1},
            "any": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1},
            "not": {"$ref": "#/$defs/condition"},
        },
        "propertyNames": {"pattern": r"^(all|any|not|" + _PATH_PATTERN[1:-1] + ")$"},
        "additionalProperties": {"$ref": "#/$defs/test"},
    },
}
