"""The rule language and the pack manifest as pydantic models: what a rule file may say.

Rule files and manifests are validated against these models (and the JSON Schemas made from
them), then frozen (frozen.py) into plain objects that the engine reads. Only loading a pack
from its files, and generating schemas, imports this module and so pydantic; a run whose pack
comes from the disk cache never does.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from ..errors import Severity, Text
from .normalise import SpecError
from .paths import Path
from .query import Condition, DateSpec, Selection

if TYPE_CHECKING:
    from collections.abc import Callable

RULE_ID = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"

# --- spec field types: compiled at pack load, validated with a clear message --------------------


def _compiler(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def compile_(value: Any) -> Any:
        if not isinstance(value, (dict, list, str, int)):
            return value  # already compiled (model_construct / copy)
        try:
            return parse(value)
        except SpecError as exc:
            where = f" (at {exc.where})" if exc.where else ""
            raise PydanticCustomError(
                "rule_query", "{msg}{where}", {"msg": str(exc), "where": where}
            ) from None

    return compile_


def _fraction(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction)):
        raise PydanticCustomError("ratio", "a share such as 0.5 or '2/3'")
    try:
        ratio = Fraction(str(value)) if not isinstance(value, Fraction) else value
    except (ValueError, ZeroDivisionError):
        raise PydanticCustomError("ratio", "a share such as 0.5 or '2/3'") from None
    if not 0 < ratio <= 1:
        raise PydanticCustomError("ratio", "a share greater than 0 and at most 1")
    return ratio


def _ref(name: str) -> WithJsonSchema:
    # pydantic resolves "$ref"s it did not make; a marker is swapped for the real $ref afterwards
    return WithJsonSchema({"x-dlsh-ref": name})


Sel = Annotated[Selection, BeforeValidator(_compiler(Selection.parse)), _ref("selection")]
Cond = Annotated[Condition, BeforeValidator(_compiler(Condition.parse)), _ref("condition")]
PathT = Annotated[Path, BeforeValidator(_compiler(Path.parse)), _ref("path")]
DateT = Annotated[DateSpec, BeforeValidator(_compiler(DateSpec.parse)), _ref("date_bound")]


# Every model of the rule language is defer_build: pydantic builds a validator when a rule file
# is first validated, not at import, so a run whose pack comes from the disk cache (cache.py)
# never pays for it.


class I18n(BaseModel):
    """A text in Chinese and English."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    zh: str
    en: str

    def text(self) -> Text:
        return Text(self.zh, self.en)


class Part(BaseModel):
    """A part of a rule: unknown keys refused, read-only, holding compiled query objects."""

    model_config = ConfigDict(
        extra="forbid", arbitrary_types_allowed=True, frozen=True, defer_build=True
    )


class Spec(Part):
    severity: Severity | None = Field(
        default=None, description="Overrides the rule's severity for findings of this check."
    )
    what: I18n | None = Field(default=None, description="What is required, as a noun phrase.")
    message: I18n | None = Field(
        default=None,
        description="Finding message template; {subject}, {expected}, {found}, {due}, {what}.",
    )
    applies_when: Sel | None = Field(
        default=None,
        description="The check applies only when this selection is not empty (else not applicable).",
    )


class EachSpec(Spec):
    """Every selected object satisfies `require` (objects failing `when` are skipped)."""

    kind: Literal["each"]
    select: Sel
    when: Cond | None = None
    require: Cond
    min_items: int = Field(default=0, ge=0, description="Fewer selected objects is a finding.")
    subject: PathT | None = Field(default=None, description="Path naming each object's subject.")


class ExistsSpec(Spec):
    """At least `min` selected objects satisfy `require`."""

    kind: Literal["exists"]
    select: Sel
    require: Cond | None = None
    min: int = Field(default=1, ge=1)


class ExcuseSpec(Part):
    select: Sel
    key: PathT
    reason: PathT | None = None
    severity: Severity = "warning"


class CoverageSpec(Spec):
    """Each subject is named (through `key`) by at least one item that satisfies `require`."""

    kind: Literal["coverage"]
    subjects: Sel
    items: Sel
    key: PathT | None = Field(
        default=None,
        description="Path on an item to the subject key(s) it covers (default: the item).",
    )
    same: dict[str, str] = Field(
        default_factory=dict,
        description="Item path -> subject path: a covering item must share a value with the subject.",
    )
    require: Cond | None = None
    normalize: Literal["exact", "whitespace", "text", "title"] = "exact"
    sum: PathT | None = Field(default=None, description="Add up this number over covering items…")
    min_sum: int | None = Field(default=None, description="…and require at least this total.")
    excused: ExcuseSpec | None = None
    min_ratio: (
        Annotated[
            Fraction,
            BeforeValidator(_fraction),
            WithJsonSchema(
                {
                    "type": ["string", "number"],
                    "description": 'Share of subjects needed: 0.5 or "2/3".',
                }
            ),
        ]
        | None
    ) = None
    min_covered: int | None = Field(default=None, ge=1, description="Number of subjects needed.")

    def model_post_init(self, _context: Any) -> None:
        if self.excused is not None and (
            self.min_ratio is not None or self.min_covered is not None
        ):
            # A quota gives one finding for the whole set; an excuse has no subject to attach to.
            raise ValueError("excused cannot be combined with min_ratio or min_covered")


class StarSpec(Part):
    center: Sel
    others: Sel


class RelationSpec(Part):
    left: Sel
    right: PathT = Field(description="Path from each left person to the people paired with him.")


class PairGen(Part):
    """One way of making the required pairs; give exactly one field."""

    all_pairs: Sel | None = Field(default=None, description="Every unordered pair within a set.")
    ordered_pairs: Sel | None = Field(default=None, description="Every ordered pair within a set.")
    star: StarSpec | None = Field(default=None, description="The centre with each of the others.")
    relation: RelationSpec | None = Field(
        default=None, description="Each person with related ones."
    )

    def model_post_init(self, _context: Any) -> None:
        given = [n for n in ("all_pairs", "ordered_pairs", "star", "relation") if getattr(self, n)]
        if len(given) != 1:
            raise ValueError("give exactly one of all_pairs, ordered_pairs, star, relation")


class PairsSpec(Spec):
    """Every required pair has an item whose people are that pair and that satisfies `qualify`."""

    kind: Literal["pairs"]
    pairs: list[PairGen] = Field(min_length=1)
    items: Sel
    participants: PathT | None = Field(default=None, description="Unordered: the item's people.")
    from_: PathT | None = Field(default=None, alias="from", description="Ordered: first person.")
    to: PathT | None = Field(default=None, description="Ordered: second person.")
    qualify: Cond | None = None
    due: DateT | None = Field(
        default=None,
        description="The deadline: shown on findings; with report 'late', pairs whose qualifying "
        "items are all later than it are the findings.",
    )
    date: PathT = Field(default_factory=lambda: Path.parse("date"))
    report: Literal["missing", "late"] = Field(
        default="missing", description="Report pairs with no qualifying item, or only late ones."
    )

    def model_post_init(self, _context: Any) -> None:
        if (self.participants is None) == (self.from_ is None or self.to is None):
            raise ValueError("give either participants (unordered) or from and to (ordered)")


class StepSpec(Part):
    id: str | None = Field(
        default=None, description="How findings name the step (default: its number)."
    )
    match: Cond
    require: Cond | None = None
    label: I18n


class SequenceSpec(Spec):
    """The selected list holds the steps in this order (`in_order`), or starts with them (`prefix`)."""

    kind: Literal["sequence"]
    select: Sel
    steps: list[StepSpec] = Field(min_length=1)
    mode: Literal["in_order", "prefix"] = "in_order"


class DocumentSpec(Part):
    kind: str
    owners: Sel = Field(description="Whose document: the value 'group' and/or person ids.")


class DeliveredSpec(Spec):
    """Each listed document exists and is sent to a body of each listed kind."""

    kind: Literal["delivered"]
    documents: list[DocumentSpec] = Field(min_length=1)
    to: list[str] = Field(min_length=1, description="Org kinds that must each receive them.")
    submissions: Sel = Field(
        default_factory=lambda: Selection.parse({"from": "submissions"}),
        description="The submissions that count (e.g. filtered by purpose).",
    )
    due: DateT | None = None
    report: Literal["presence", "deadline", "both"] = "both"


Check = Annotated[
    EachSpec | ExistsSpec | CoverageSpec | PairsSpec | SequenceSpec | DeliveredSpec,
    Field(discriminator="kind"),
]


SPECS: dict[str, type[Spec]] = {
    "each": EachSpec,
    "exists": ExistsSpec,
    "coverage": CoverageSpec,
    "pairs": PairsSpec,
    "sequence": SequenceSpec,
    "delivered": DeliveredSpec,
}


# --- the pack: rules and manifest ----------------------------------------------------------------

# The pack models are defer_build, as the rule language's (kinds.py): built on first validation.


class Param(BaseModel):
    """A pack parameter: a number, list or text of the plan, with the clause it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    value: Any
    clause: str | None = None
    description: I18n | None = None

    @field_validator("value")
    @classmethod
    def _offset_in_range(cls, value: Any) -> Any:
        # A date offset is checked where the rules use it too, but reported here first, at the
        # line that sets it: a parameter used by several rules is one mistake, not several.
        if isinstance(value, dict) and ("days" in value or "months" in value):
            try:
                DateSpec.parse(value)
            except SpecError as exc:
                raise PydanticCustomError(
                    "offset_range" if "100 years" in str(exc) else "value_error", str(exc)
                ) from None
        return value


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    description: I18n
    patch: list[dict[str, Any]] = Field(
        description="JSON Patch (RFC 6902) ops on the example record."
    )


class Rule(BaseModel):
    """One requirement of the plan and how to check it."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, defer_build=True
    )
    id: str = Field(pattern=RULE_ID)
    phase: Literal["prep", "meeting", "followup"]
    title: I18n
    clause: str = Field(min_length=1, description="The plan's section number, e.g. 四（四）.")
    quote: str = Field(min_length=1, description="The plan's own words.")
    severity: Severity = "error"
    rationale: I18n
    due: DateT | None = Field(default=None, description="When the rule falls due (for --as-of).")
    checks: list[Check] = Field(min_length=1)
    notes: I18n | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["dlsh-pack/1"]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: str
    title: I18n
    description: I18n | None = None
    source: str | None = Field(default=None, description="The plan this pack encodes.")
    enums: dict[str, dict[str, str]] = Field(default_factory=dict)
    sets: dict[str, Any] = Field(default_factory=dict)
    set_labels: dict[str, I18n] = Field(
        default_factory=dict, description="How messages name a set, e.g. secretary: 党组书记."
    )
    params: dict[str, Param] = Field(default_factory=dict)
    rules: list[str] = Field(min_length=1, description="Rule files, in report order.")
    example: str | None = Field(
        default=None, description="A compliant record shipped with the pack; the base of its cases."
    )


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    rules: list[dict[str, Any]] = Field(min_length=1)


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
    schema["$id"] = "https://dlsh-rules.invalid/schemas/pack.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dlsh_rules pack manifest"
    return schema


_SCALAR = {"type": ["string", "number", "integer", "boolean"]}
QUERY_DEFS: dict[str, Any] = {
    "path": {
        "type": "string",
        "pattern": r"^(@self|@end|[A-Za-z_][A-Za-z0-9_]*)(\.(@self|@end|[A-Za-z_][A-Za-z0-9_]*))*$",
        "description": "Dotted field path; ids are followed to their objects, lists flattened.",
    },
    "date_bound": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "days": {"type": "integer"},
            "months": {"type": "integer"},
            "anchor": {"$ref": "#/$defs/selection"},
            "pick": {"enum": ["min", "max"]},
        },
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
                    "min_count": {"type": "integer", "minimum": 0},
                    "max_count": {"type": "integer", "minimum": 0},
                    "min_distinct": {"type": "integer", "minimum": 0},
                    "gte": {"type": "number"},
                    "lte": {"type": "number"},
                    "contains_all": {"type": "array"},
                    "text_contains_any": {"type": "array", "items": {"type": "string"}},
                    "text_contains_none": {"type": "array", "items": {"type": "string"}},
                    "eq_field": {"$ref": "#/$defs/path"},
                    "in_set": {"type": "string"},
                    "includes_field": {"$ref": "#/$defs/path"},
                    "on_or_before": {"$ref": "#/$defs/date_bound"},
                    "before": {"$ref": "#/$defs/date_bound"},
                    "on_or_after": {"$ref": "#/$defs/date_bound"},
                    "after": {"$ref": "#/$defs/date_bound"},
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
        "propertyNames": {
            "pattern": r"^(all|any|not|(@self|@end|[A-Za-z_][A-Za-z0-9_]*)(\.(@self|@end|[A-Za-z_][A-Za-z0-9_]*))*)$"
        },
        "additionalProperties": {"$ref": "#/$defs/test"},
    },
}
