"""The rule language and the pack manifest as pydantic models: what a rule file may say.

Rule files and manifests are validated against these models (and the JSON Schemas made from
them), then frozen (frozen.py) into plain objects that the engine reads. Only loading a pack
from its files, and generating schemas, imports this module and so pydantic; a run whose pack
comes from the disk cache never does.
"""

from __future__ import annotations

import calendar
import datetime as dt
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from ..errors import Severity, Text
from .normalise import SpecError
from .paths import Path
from .query import Condition, DateSpec, Ratio, Selection

if TYPE_CHECKING:
    from collections.abc import Callable

RULE_ID = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"

# --- spec field types: compiled at pack load, validated with a clear message --------------------


def _compiler(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def compile_(value: Any) -> Any:
        if not isinstance(value, (dict, list, str, int, dt.date)):
            return value  # already compiled (model_construct / copy)
        try:
            return parse(value)
        except SpecError as exc:
            where = f" (at {exc.where})" if exc.where else ""
            # The Chinese rides in the context, which the template does not show: the loader
            # words the problem from it (language/validation.py).
            where_zh = f"（位置 {exc.where}）" if exc.where else ""
            raise PydanticCustomError(
                "rule_query",
                "{msg}{where}",
                {"msg": str(exc), "where": where, "zh": exc.zh + where_zh},
            ) from None

    return compile_


_SHARE = {"zh": '比例，如 0.5 或 "2/3"'}


def _fraction(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction)):
        raise PydanticCustomError("ratio", "a share such as 0.5 or '2/3'", _SHARE)
    try:
        ratio = Fraction(str(value)) if not isinstance(value, Fraction) else value
    except (ValueError, ZeroDivisionError):
        raise PydanticCustomError("ratio", "a share such as 0.5 or '2/3'", _SHARE) from None
    if not 0 < ratio <= 1:
        raise PydanticCustomError(
            "ratio", "a share greater than 0 and at most 1", {"zh": "大于 0 且不超过 1 的比例"}
        )
    return ratio


def _count_or_ratio(minimum: int) -> Callable[[Any], Any]:
    """A whole number ≥ `minimum`, or ``{ratio: "2/3", of: SELECTION}``."""

    def parse(value: Any) -> Any:
        if isinstance(value, Ratio):
            return value
        if isinstance(value, dict):
            return _compiler(Ratio.parse)(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise PydanticCustomError(
                "count_or_ratio",
                "a whole number ≥ {minimum}, or a ratio such as {{ratio: '2/3', of: {{set: members}}}}",
                {
                    "minimum": minimum,
                    "zh": f"不小于 {minimum} 的整数，或如 {{ratio: '2/3', of: {{set: members}}}} 的比例",
                },
            )
        return value

    return parse


def _count_or_ratio_schema(minimum: int, description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [{"type": "integer", "minimum": minimum}, {"x-dlsh-ref": "ratio"}],
            "description": description,
        }
    )


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
    due: DateT | None = Field(
        default=None,
        description="The due date of this check's findings that have none of their own (drives "
        "pending under --as-of); the rule's due is the default.",
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
    min: Annotated[
        int | Ratio,
        BeforeValidator(_count_or_ratio(1)),
        _count_or_ratio_schema(1, 'How many must qualify: a number, or {ratio: "2/3", of: SEL}.'),
    ] = 1


class ExcuseSpec(Part):
    select: Sel
    key: PathT
    reason: PathT | None = None
    severity: Severity = "warning"


PERIODS = ("month", "quarter", "half", "year", "academic_year")


class PeriodSpec(Part):
    """Every period of a range: `coverage.per_period`."""

    unit: Literal["month", "quarter", "half", "year", "academic_year"]
    from_: DateT = Field(alias="from", description="The range's first day (a date bound).")
    to: DateT = Field(description="The range's last day (a date bound).")
    date: PathT = Field(
        default_factory=lambda: Path.parse("date"), description="Path to an item's date."
    )


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
    max_sum: int | None = Field(default=None, description="…and allow at most this total.")
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
    min_covered: (
        Annotated[
            int | Ratio,
            BeforeValidator(_count_or_ratio(1)),
            _count_or_ratio_schema(
                1, 'Number of subjects needed: a number, or {ratio: "2/3", of: SEL}.'
            ),
        ]
        | None
    ) = None
    min_items: int | None = Field(
        default=None,
        ge=1,
        description="Covering items each subject needs (default 1; with `sum`, no minimum).",
    )
    per_period: PeriodSpec | None = Field(
        default=None, description="Each subject must be covered in every period of a range."
    )

    def model_post_init(self, _context: Any) -> None:
        if self.excused is not None and (
            self.min_ratio is not None or self.min_covered is not None
        ):
            # A quota gives one finding for the whole set; an excuse has no subject to attach to.
            raise SpecError(
                "excused cannot be combined with min_ratio or min_covered",
                zh="excused 不能与 min_ratio 或 min_covered 同用",
            )
        if self.per_period is not None and self.sum is not None:
            # A total per period is another requirement; neither reading is obvious.
            raise SpecError(
                "per_period cannot be combined with sum", zh="per_period 不能与 sum 同用"
            )
        if self.max_sum is not None and self.sum is None:
            # a bound on a total that is never added up
            raise SpecError("max_sum needs sum", zh="写了 max_sum 就须写 sum")


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
            raise SpecError(
                "give exactly one of all_pairs, ordered_pairs, star, relation",
                zh="all_pairs、ordered_pairs、star、relation 须写且只写一个",
            )


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
    not_before: DateT | None = Field(
        default=None,
        description="Inclusive lower bound: with report 'late', an item dated before it does not "
        "count (too early).",
    )
    date: PathT = Field(default_factory=lambda: Path.parse("date"))
    report: Literal["missing", "late", "unqualified"] = Field(
        default="missing",
        description="Report pairs with no qualifying item, or only late ones; or (unqualified) "
        "the items that do not qualify, at the check's severity when a required pair they name "
        "has no qualifying item, else at unneeded_severity.",
    )
    unneeded_severity: Literal["info", "omit"] = Field(
        default="omit",
        description="With report 'unqualified': an item that does not qualify but that no "
        "required pair needs is reported at info, or not at all (omit).",
    )
    min_items: int = Field(default=1, ge=1, description="Qualifying items each pair needs.")
    hub: PathT | None = Field(
        default=None,
        description="With participants: an item covers only the pairs between the person(s) at "
        "this path (e.g. a talk's leader) and each other participant.",
    )

    def model_post_init(self, _context: Any) -> None:
        if (self.participants is None) == (self.from_ is None or self.to is None):
            raise SpecError(
                "give either participants (unordered) or from and to (ordered)",
                zh="写 participants（不分先后），或同时写 from 和 to（分先后），二者取一",
            )
        if self.hub is not None and self.participants is None:
            raise SpecError(
                "hub needs participants (an item's people around the hub)",
                zh="写了 hub 就须写 participants（每项中围绕 hub 的人）",
            )
        if "unneeded_severity" in self.model_fields_set and self.report != "unqualified":
            raise SpecError(
                "unneeded_severity needs report: unqualified",
                zh="写了 unneeded_severity 就须写 report: unqualified",
            )


class StepSpec(Part):
    id: str | None = Field(
        default=None, description="How findings name the step (default: its number)."
    )
    match: Cond
    require: Cond | None = None
    label: I18n
    repeat: bool = Field(
        default=False, description="With mode 'exact': the step is one or more items."
    )


class SequenceSpec(Spec):
    """The selected list holds the steps in this order (`in_order`), or starts with them (`prefix`)."""

    kind: Literal["sequence"]
    select: Sel
    steps: list[StepSpec] = Field(min_length=1)
    mode: Literal["in_order", "prefix", "exact"] = "in_order"

    def model_post_init(self, _context: Any) -> None:
        if self.mode != "exact" and any(s.repeat for s in self.steps):
            raise SpecError("repeat needs mode: exact", zh="写了 repeat 就须写 mode: exact")


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
    not_before: DateT | None = Field(
        default=None,
        description="Inclusive lower bound: with report 'deadline' or 'both', a submission dated "
        "before it does not count (too early).",
    )
    report: Literal["presence", "deadline", "both"] = "both"


def _iso_date(value: Any) -> Any:
    # Only a date or its ISO text: pydantic alone would read a number as a Unix timestamp.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "date", "a real date written YYYY-MM-DD", {"zh": "真实存在的日期，格式为 YYYY-MM-DD"}
    )


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class PeriodRange(Part):
    """The periods a `frequency` check requires: those overlapping from..to (both inclusive)."""

    from_: IsoDate = Field(alias="from", description="First day of the range, YYYY-MM-DD.")
    to: IsoDate = Field(description="Last day of the range, YYYY-MM-DD.")

    def model_post_init(self, _context: Any) -> None:
        if self.to < self.from_:
            raise SpecError(
                "the range ends (to) before it starts (from)",
                zh="范围的结束日（to）早于开始日（from）",
            )


class FrequencySpec(Spec):
    """Across the records of one party organisation in a run: at least `min` records (meetings)
    in every period of `per` (only in a rule with `scope: organisation`)."""

    kind: Literal["frequency"]
    per: Literal["month", "quarter", "half", "year", "academic_year"] = Field(
        description="The period meetings are counted in."
    )
    min: int = Field(default=1, ge=1, description="Meetings needed in each period.")
    date: PathT = Field(
        default_factory=lambda: Path.parse("meeting.date"),
        description="Path from each record's root to the date that places it in a period.",
    )
    where: Cond | None = Field(
        default=None, description="Only records whose root satisfies this condition count."
    )
    periods: Literal["years"] | PeriodRange = Field(
        default="years",
        description="'years': every period of each calendar year (academic year for "
        "per: academic_year) that a record's date falls in; or {from, to}: the periods "
        "overlapping that range.",
    )

    def model_post_init(self, _context: Any) -> None:
        if self.applies_when is not None:
            # applies_when reads one record; an organisation check reads many (use `where`).
            raise SpecError(
                "a frequency check has no applies_when; use where",
                zh="frequency 检查没有 applies_when，请改用 where",
            )
        if self.due is not None:
            # A bound counts from one meeting's date; a period's last day is its due date.
            raise SpecError(
                "a frequency check has no due (each period's last day is its due)",
                zh="frequency 检查没有 due（每个周期的最后一天就是其截止日）",
            )


Check = Annotated[
    EachSpec | ExistsSpec | CoverageSpec | PairsSpec | SequenceSpec | DeliveredSpec | FrequencySpec,
    Field(discriminator="kind"),
]


SPECS: dict[str, type[Spec]] = {
    "each": EachSpec,
    "exists": ExistsSpec,
    "coverage": CoverageSpec,
    "pairs": PairsSpec,
    "sequence": SequenceSpec,
    "delivered": DeliveredSpec,
    "frequency": FrequencySpec,
}

# Kinds judged over all records of one party organisation in a run (`scope: organisation`),
# after the per-record checks; every other kind reads one record.
ORGANISATION_KINDS = frozenset({"frequency"})


# --- the pack: rules and manifest ----------------------------------------------------------------

# The pack models are defer_build, as the rule language's (kinds.py): built on first validation.


class Param(BaseModel):
    """A pack parameter: a number, list or text of the plan, with the clause it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    value: Any
    clause: str | None = None
    description: I18n | None = None


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
    scope: Literal["record", "organisation"] = Field(
        default="record",
        description="record: judged on each record; organisation: judged over all records of "
        "one party organisation that a run is given (frequency checks only).",
    )
    phase: Literal["prep", "meeting", "followup"]
    title: I18n
    clause: str = Field(min_length=1, description="The plan's section number, e.g. 四（四）.")
    quote: str = Field(min_length=1, description="The plan's own words.")
    severity: Severity = "error"
    rationale: I18n
    due: DateT | None = Field(default=None, description="When the rule falls due (for --as-of).")
    checks: list[Check] = Field(min_length=1)
    notes: I18n | None = None

    def model_post_init(self, _context: Any) -> None:
        kinds = {getattr(c, "kind", "") for c in self.checks}
        if self.scope == "organisation":
            if kinds - ORGANISATION_KINDS:
                found = sorted(kinds - ORGANISATION_KINDS)
                raise SpecError(
                    "a rule with scope: organisation holds frequency checks only; found "
                    + ", ".join(found),
                    zh="scope: organisation 的规则只能含 frequency 检查；实际含有 "
                    + "、".join(repr(k) for k in found),
                )
            if self.due is not None:
                # There is no meeting date to count from: a period's last day is its due date.
                raise SpecError(
                    "a rule with scope: organisation has no due (each period's "
                    "last day is its due date)",
                    zh="scope: organisation 的规则没有 due（每个周期的最后一天就是其截止日）",
                )
        elif kinds & ORGANISATION_KINDS:
            raise SpecError(
                "a frequency check belongs in a rule with scope: organisation",
                zh="frequency 检查只能写在 scope: organisation 的规则中",
            )


PACK_ID = r"^[a-z0-9][a-z0-9._-]*$"


class MonthDay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    def model_post_init(self, _context: Any) -> None:
        # A day every year has: 29 February would move in three years of four.
        if self.day > calendar.monthrange(2023, self.month)[1]:
            raise SpecError(
                f"month {self.month} has no day {self.day} in every year",
                zh=f"并非每年的 {self.month} 月都有 {self.day} 日",
            )


class CalendarSpec(BaseModel):
    """How the pack's calendar periods are cut (docs/rule-language.md §7)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    academic_year_start: MonthDay | None = Field(
        default=None,
        description="First day of the academic year (default 9-1): the academic year 2024 is "
        "2024-09-01..2025-08-31.",
    )


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    # dlsh-pack/2 is a synonym: packs using the composition keys may say either
    format: Literal["dlsh-pack/1", "dlsh-pack/2"]
    id: str = Field(pattern=PACK_ID)
    version: str
    title: I18n
    description: I18n | None = None
    source: str | None = Field(default=None, description="The plan this pack encodes.")
    source_text: str | None = Field(
        default=None,
        description="The plan's text (a file in the pack); `lint` finds every rule's quote in it.",
    )
    extends: str | None = Field(
        default=None,
        description="The pack this one builds on: an installed pack name or a directory path "
        "relative to this pack.",
    )
    abstract: bool = Field(
        default=False,
        description="A base for other packs only: not checked against records, needs no cases.",
    )
    disable: list[str] = Field(
        default_factory=list, description="Inherited rule ids this pack drops."
    )
    replace: list[str] = Field(
        default_factory=list,
        description="Inherited rule ids that a rule of this pack's files replaces, in place.",
    )
    order: list[str] = Field(
        default_factory=list,
        description="Rule ids or dotted prefixes moved to the front of the report, in this order.",
    )
    enums: dict[str, dict[str, str]] = Field(default_factory=dict)
    labels: dict[str, dict[str, I18n]] = Field(
        default_factory=dict,
        description="New Chinese and English labels of enumeration values, shown in every message "
        "and report and accepted on input, e.g. org_kind: {discipline_commission: "
        "{zh: 县纪委监委, en: county discipline commission}}.",
    )
    sets: dict[str, Any] = Field(default_factory=dict)
    set_labels: dict[str, I18n] = Field(
        default_factory=dict, description="How messages name a set, e.g. secretary: 党组书记."
    )
    params: dict[str, Param] = Field(default_factory=dict)
    calendar: CalendarSpec | None = Field(
        default=None, description="Calendar settings: the academic year's first day."
    )
    rules: list[str] = Field(
        default_factory=list,
        description="Rule files, in report order (after the inherited rules). Required unless "
        "the pack extends another or is abstract.",
    )
    example: str | None = Field(
        default=None, description="A compliant record shipped with the pack; the base of its cases."
    )


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    rules: list[dict[str, Any]] = Field(min_length=1)
