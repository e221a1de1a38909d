"""Pydantic models of the meeting record (record-format.md, version 1).

The models check shape and values; `validate_record` adds what a schema cannot say: unique ids,
references that resolve to an object of the right kind, exactly one secretary. Enumerations are
plain strings checked against an `EnumTable` given in the validation context, because a rule pack
may add values of its own and Chinese labels are accepted as aliases.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    StrictInt,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError, core_schema

from .enums import BASE, DEFAULT, EnumTable

# What the fast record validator shares with the models lives in recordplan.py, which does not
# import pydantic; the names stay importable from here.
from .plan import GROUP as GROUP
from .plan import ID_PATTERN as ID_PATTERN
from .plan import ID_RE, DateRefused, to_date
from .plan import MAX_YEAR as MAX_YEAR
from .plan import MIN_YEAR as MIN_YEAR
from .plan import Ref as Ref

RECORD_FORMAT = "dlsh-record/1"


def _date(value: Any) -> dt.date:
    try:
        return to_date(value)
    except DateRefused as exc:
        raise PydanticCustomError(exc.code, exc.message) from None


def _iso(value: dt.date) -> str:
    return value.isoformat()


Date = Annotated[
    dt.date,
    PlainValidator(_date),
    # A named function, not a lambda, so that the record validator can be pickled (cache.py).
    PlainSerializer(_iso, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]


def _id(value: str) -> str:
    if not ID_RE.fullmatch(value):
        raise PydanticCustomError(
            "id_format", "an id of 1 to 64 characters without white space, '~', '>' or '/'"
        )
    return value


Id = Annotated[str, AfterValidator(_id), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})]


class EnumValue:
    """Marks a string field whose value must be in the named enumeration (aliases accepted)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _check(self, value: str, info: ValidationInfo) -> str:
        table: EnumTable = (info.context or {}).get("enums", DEFAULT)
        normal = table.normalise(self.name, value)
        if normal is None:
            raise PydanticCustomError(
                "enum",
                "one of {allowed}",
                {
                    "allowed": ", ".join(table.values(self.name)),
                    "enum": self.name,
                    # With the Chinese labels, which are accepted too (record-format.md).
                    "choices_zh": table.choices(self.name),
                    "choices_en": table.choices(self.name, zh=False),
                    "suggestions": "\n".join(table.suggest(self.name, value)),
                },
            )
        return normal

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        values = BASE[self.name]
        return {
            "type": "string",
            "enum": [*values, *[label for label in values.values() if label not in values]],
            "x-dlsh-enum": self.name,
            "description": "; ".join(f"{k} = {v}" for k, v in values.items()),
        }


PersonRef = Annotated[str, Ref("person")]
DocumentRef = Annotated[str, Ref("document")]
OwnerRef = Annotated[str, Ref("person", group=True)]


# Integers are StrictInt: the record format says integer, and pydantic's lax mode took true,
# 1.0 and "1" for one (record/plan.py's fast path declines those and leaves them to this model).


# `todo: true` marks an item `init` wrote as a plan, not a fact: it is validated like any other,
# then checked as if absent (validate.py drops it), so a skeleton record is pending or failed,
# never compliant, until each item is done and its mark removed (record-format.md, 开始一份记录).


class Model(BaseModel):
    # defer_build: records are validated by `record._codec()`'s validator, built once and then
    # read from the disk cache (cache.py); building one per class at import would be wasted.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False, defer_build=True)


# --- people and bodies -------------------------------------------------------------------------


class Unit(Model):
    name: str
    party_org: str | None = None


class Person(Model):
    id: Id
    name: str
    role: Annotated[str, EnumValue("role")]
    title: str | None = None
    supervises: list[Annotated[str, Ref("department")]] = Field(default_factory=list)
    department: Annotated[str, Ref("department")] | None = None
    org: Annotated[str, Ref("org")] | None = None
    represents: Annotated[str, EnumValue("represents")] | None = None
    has_inspection_feedback: bool = False
    has_inquiry_letters: bool = False


class Org(Model):
    id: Id
    name: str
    kind: Annotated[str, EnumValue("org_kind")]


class Department(Model):
    id: Id
    name: str
    head: PersonRef | None = None


class Invitation(Model):
    id: Id | None = None
    org: Annotated[str, Ref("org")]
    date: Date | None = None
    attended_by: list[PersonRef] = Field(default_factory=list)
    addressed_to: PersonRef | None = None
    todo: bool = False


# --- the meeting -------------------------------------------------------------------------------


class Absence(Model):
    person: PersonRef
    reason: str | None = None
    leave_approved: bool = False
    written_statement: DocumentRef | None = None


class AgendaItem(Model):
    kind: Annotated[str, EnumValue("agenda_kind")]
    by: PersonRef | None = None
    reads: DocumentRef | None = None
    on_behalf_of: PersonRef | None = None
    # --- issue 10 (the seed plan to the letter): what the item covered and said --------------
    covers: list[Annotated[str, EnumValue("agenda_topic")]] = Field(default_factory=list)
    text: str | None = None


class SelfCriticism(Model):
    person: PersonRef
    on_behalf_of_group: bool = False
    text: str | None = None
    todo: bool = False


class Criticism(Model):
    id: Id
    from_: PersonRef = Field(alias="from")
    to: PersonRef
    text: str | None = None
    todo: bool = False


class ReportedItem(Model):
    item: Annotated[str, Ref("prior_item")]
    status: Annotated[str, EnumValue("item_status")]
    explanation: str | None = None


class MeetingReport(Model):
    person: PersonRef
    kind: Annotated[str, EnumValue("report_kind")]
    items: list[ReportedItem] = Field(default_factory=list)
    text: str | None = None
    todo: bool = False


class Meeting(Model):
    year: StrictInt | None = None
    theme: str | None = None
    planned_date: Date | None = None
    date: Date
    days: StrictInt = Field(default=1, ge=0, le=366)
    chair: PersonRef | None = None
    attendees: list[PersonRef] = Field(default_factory=list)
    absences: list[Absence] = Field(default_factory=list)
    agenda: list[AgendaItem] = Field(default_factory=list)
    self_criticisms: list[SelfCriticism] = Field(default_factory=list)
    criticisms: list[Criticism] = Field(default_factory=list)
    reports: list[MeetingReport] = Field(default_factory=list)
    method: Annotated[str, EnumValue("meeting_method")] | None = None


# --- before and after --------------------------------------------------------------------------


class Activity(Model):
    """One activity; the fields after `participants` belong to particular kinds."""

    id: Id
    kind: Annotated[str, EnumValue("activity_kind")]
    date: Date | None = None
    days: StrictInt = Field(default=1, ge=0, le=366)
    title: str | None = None
    chair: PersonRef | None = None
    participants: list[PersonRef] = Field(default_factory=list)
    conveyed: list[Annotated[str, Ref("document")]] = Field(default_factory=list)
    plan_deployed: bool | None = None
    person: PersonRef | None = None
    materials: list[str] = Field(default_factory=list)
    form: Annotated[str, EnumValue("form")] | None = None
    audiences: list[Annotated[str, EnumValue("audience")]] = Field(default_factory=list)
    scope: list[Annotated[str, EnumValue("scope")]] = Field(default_factory=list)
    opinions: list[Annotated[str, Ref("opinion")]] = Field(default_factory=list)
    attendee_groups: list[Annotated[str, EnumValue("attendee_group")]] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    # --- issue 10 (the seed plan to the letter): who organised it, what a briefing reported -----
    organized_by: Annotated[str, EnumValue("represents")] | None = None
    covers: list[Annotated[str, EnumValue("briefing_topic")]] = Field(default_factory=list)
    todo: bool = False


class Feedback(Model):
    by: PersonRef | None = None
    date: Date | None = None
    text: str | None = None


class Opinion(Model):
    id: Id
    text: str
    form: Annotated[str, EnumValue("form")] | None = None
    audience: Annotated[str, EnumValue("audience")] | None = None
    activity: Annotated[str, Ref("activity")] | None = None
    target: OwnerRef | None = None
    feedback: Feedback | None = None
    # --- issue 10 (the seed plan to the letter): when the opinion was received --------------
    date: Date | None = None


class Talk(Model):
    id: Id
    date: Date | None = None
    participants: list[PersonRef] = Field(default_factory=list)
    mode: Annotated[str, EnumValue("talk_mode")] | None = None
    topic: str | None = None
    leader: PersonRef | None = None
    kind: str | None = None
    # --- issue 10 (the seed plan to the letter): what a talk covered -------------------------
    covers: list[Annotated[str, EnumValue("talk_topic")]] = Field(default_factory=list)
    todo: bool = False


class TalkRequest(Model):
    id: Id
    member: PersonRef
    requested_by: str | None = None
    date: Date | None = None
    talk: Annotated[str, Ref("talk")] | None = None
    # --- issue 10 (the seed plan to the letter): who asked, as an audience --------------------
    audience: Annotated[str, EnumValue("audience")] | None = None


class DocumentStates(Model):
    """What a document states, for rules that compare it with the record."""

    theme: str | None = None
    meeting_date: Date | None = None
    method: Annotated[str, EnumValue("meeting_method")] | None = None
    topics: list[str] = Field(default_factory=list)
    markers: list[str] = Field(default_factory=list)


class DocumentApproval(Model):
    """One step of a document's review and approval chain."""

    by: Annotated[str, Ref("person", "org")]
    date: Date | None = None
    level: Annotated[int, Field(ge=1)] | None = None
    result: Annotated[str, EnumValue("approval_result")] = "approved"


class Archive(Model):
    date: Date | None = None
    place: str | None = None


class Document(Model):
    id: Id
    kind: Annotated[str, EnumValue("document_kind")]
    owner: OwnerRef | None = None
    date: Date | None = None
    title: str | None = None
    author: PersonRef | None = None
    reviewed_by: PersonRef | None = None
    review_date: Date | None = None
    aspects: list[Annotated[int, Field(ge=1, le=6)]] = Field(default_factory=list)
    topics: list[Annotated[str, EnumValue("topic")]] = Field(default_factory=list)
    includes_superior_issues: bool | None = None
    states: DocumentStates | None = None
    text: str | None = None
    approvals: list[DocumentApproval] = Field(default_factory=list)
    archived: Archive | None = None
    presided_by: PersonRef | None = None
    # --- issue 10 (the seed plan to the letter) ----------------------------------------------
    # a notice's level (the central notice or the provincial transmittal)
    level: Annotated[str, EnumValue("notice_level")] | None = None
    # whom a plan applies to (a special rectification plan: the group, division-level leaders)
    applies_to: list[Annotated[str, EnumValue("plan_scope")]] = Field(default_factory=list)
    # the opinions an opinion list sorts
    opinions: list[Annotated[str, Ref("opinion")]] = Field(default_factory=list)
    todo: bool = False


class Submission(Model):
    id: Id
    date: Date | None = None
    to: list[Annotated[str, Ref("org")]] = Field(default_factory=list)
    documents: list[Annotated[str, Ref("document")]] = Field(default_factory=list)
    purpose: Annotated[str, EnumValue("purpose")] | None = None
    todo: bool = False


class Approval(Model):
    """An approval by a body (`org`) or a person (`by`): exactly one of them, which
    `validate_record` checks (EXACTLY_ONE), so that the model stays plain for the fast path."""

    model_config = ConfigDict(
        json_schema_extra={
            # Given means not null, as for the validator: one a string, the other absent or null.
            "oneOf": [
                {
                    "required": ["org"],
                    "properties": {"org": {"type": "string"}, "by": {"type": "null"}},
                },
                {
                    "required": ["by"],
                    "properties": {"by": {"type": "string"}, "org": {"type": "null"}},
                },
            ]
        }
    )

    id: Id
    org: Annotated[str, Ref("org")] | None = None
    date: Date | None = None
    subject: Annotated[str, EnumValue("approval_subject")] | None = None
    document: DocumentRef | None = None
    by: PersonRef | None = None
    todo: bool = False


class Notice(Model):
    """A notice to participants (of the meeting's date, or of a document)."""

    id: Id
    date: Date
    to: list[PersonRef]
    document: DocumentRef | None = None
    about: str | None = None


class PriorItem(Model):
    id: Id
    owner: OwnerRef
    text: str | None = None


class Source(Model):
    kind: Annotated[str, EnumValue("source_kind")]
    ref: Annotated[str, Ref("opinion", "criticism")] | None = None


class RectificationItem(Model):
    id: Id
    owner: OwnerRef
    problem: str | None = None
    sources: list[Source] = Field(default_factory=list)
    measure: str | None = None
    responsible: PersonRef | None = None
    due: Date | None = None
    status: Annotated[str, EnumValue("rectification_status")] | None = None
    closed_on: Date | None = None
    todo: bool = False


class Rectification(Model):
    prior_items: list[PriorItem] = Field(default_factory=list)
    items: list[RectificationItem] = Field(default_factory=list)


class Institution(Model):
    id: Id | None = None
    title: str
    date: Date | None = None
    todo: bool = False


class Waiver(Model):
    rule: str
    subject: str | None = None
    reason: str
    approved_by: Annotated[str, Ref("org", "person")] | None = None
    date: Date | None = None
    expires: Date | None = None


class Record(Model):
    """One meeting record, `dlsh-record/1`."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        defer_build=True,
        json_schema_extra={"$id": "https://dlsh-rules.invalid/schemas/record.schema.json"},
    )

    schema_: str | None = Field(default=None, alias="$schema")
    format: Literal["dlsh-record/1"]
    unit: Unit
    meeting: Meeting
    people: list[Person] = Field(min_length=1)
    orgs: list[Org] = Field(default_factory=list)
    departments: list[Department] = Field(default_factory=list)
    invitations: list[Invitation] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    opinions: list[Opinion] = Field(default_factory=list)
    talks: list[Talk] = Field(default_factory=list)
    talk_requests: list[TalkRequest] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    submissions: list[Submission] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    rectification: Rectification = Field(default_factory=Rectification)
    institutions: list[Institution] = Field(default_factory=list)
    waivers: list[Waiver] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)


# The kind of object an id names, by model class; `Ref` fields are checked against it.
OBJECT_KINDS: dict[type[BaseModel], str] = {
    Person: "person",
    Org: "org",
    Department: "department",
    Activity: "activity",
    Opinion: "opinion",
    Talk: "talk",
    TalkRequest: "talk_request",
    Document: "document",
    Submission: "submission",
    Approval: "approval",
    Criticism: "criticism",
    PriorItem: "prior_item",
    RectificationItem: "rectification_item",
    Invitation: "invitation",
    Institution: "institution",
    Notice: "notice",
}

# Fields of which exactly one must be given (not null), by model class; `validate_record` checks
# them for both validation paths, as it checks references.
EXACTLY_ONE: dict[type[BaseModel], tuple[tuple[str, ...], ...]] = {
    Approval: (("org", "by"),),
}
