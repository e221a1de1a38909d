"""A record skeleton for a pack, a meeting date and the people: what `init` writes.

Nothing here knows the default pack. The skeleton is read off the pack's checks, evaluated on a
record that holds only the unit, the meeting date and the people:

* `pairs` checks give one item per required pair (talks for the mandatory talks, criticisms for
  mutual criticism), with the fields their `items` filter and `qualify` test ask for;
* `coverage` checks with a `key` give one item per subject not yet covered (a document per
  owner, a self-study per member, an approval per body);
* `exists` checks, and `each` checks with `min_items`, give one item if none matches;
* `delivered` checks give every listed document and one submission to a body of each kind;
* `each` checks then fill in what their `require` asks of the items made (aspects, topics…).

Fields are filled where a condition names one value (`kind: notice`, `mode: in_person`,
`chair: {in_set: secretary}` of a one-person set, `author: {eq_field: owner}`,
`aspects: {contains_all: …}`); a date is set to the item's deadline: the earliest upper bound
its conditions, its check or its rule give (the rule's `due`, else the meeting day), moved past
a lower bound when one is later. Every item made is marked `todo: true`, which the checker
reads as "not yet done" (record/validate.py), so a skeleton is pending or failed, never passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..dates import add_days
from ..errors import InputError, Problem, Text, describe
from ..evaluate.context import Context
from ..evaluate.kinds.pairs import required_pairs
from ..language.paths import key_of
from ..pack.frozen import kind_of
from ..record.plan import GROUP, STR, RecordPlan
from ..record.validate import record_plan, validate_record

if TYPE_CHECKING:
    from ..language.query import Condition, Selection
    from ..pack.loader import Pack

RECORD_FORMAT = "dlsh-record/1"
PLACEHOLDER = "（待填写）"

# Id prefixes by list, so that ids read as what they are (t3 a talk, k7 a document); any other
# list takes the first letter of its name.
_PREFIX = {
    "talks": "t",
    "meeting.criticisms": "c",
    "documents": "k",
    "submissions": "s",
    "activities": "a",
    "approvals": "ap",
    "invitations": "inv",
    "rectification.items": "r",
    "institutions": "ins",
    "orgs": "o",
    "opinions": "op",
    "talk_requests": "tr",
    "notices": "n",
}


@dataclass
class PersonSpec:
    """One person of the group as `init` is told: a name, a role, what he heads or supervises."""

    name: str
    role: str
    id: str | None = None
    title: str | None = None
    supervises: list[str] = field(default_factory=list)  # department names (or ids)
    department: str | None = None  # the department he heads (name or id)


@dataclass
class _Made:
    """An item made for a list, and the dates its checks allow."""

    path: tuple[str, ...]
    obj: dict[str, Any]
    upper: list[dt.date] = field(default_factory=list)
    lower: list[dt.date] = field(default_factory=list)


class _Builder:
    def __init__(self, pack: Pack, base: dict[str, Any]) -> None:
        self.pack = pack
        self.rec = base
        self.plan: RecordPlan = record_plan()
        record = validate_record(base, "<init>", pack.enums)
        self.ctx = Context(record, pack)
        self.made: list[_Made] = []
        self.used: set[str] = set(record.index) | {GROUP}
        self.counters: dict[str, int] = {}

    # --- the record's shape, from the plan of the record models -----------------------------

    def model_of(self, path: Sequence[str]) -> Any:
        model = self.plan.models[self.plan.root]
        for seg in path:
            found = next((f for f in model.fields if f.alias == seg), None)
            if found is None or found.model is None:
                return None
            model = self.plan.models[found.model]
        return model

    def field_of(self, path: Sequence[str], name: str) -> Any:
        model = self.model_of(path)
        if model is None:
            return None
        return next((f for f in model.fields if f.alias == name), None)

    def items_at(self, path: Sequence[str]) -> list[dict[str, Any]]:
        node: Any = self.rec
        for seg in path[:-1]:
            node = node.setdefault(seg, {})
        found: list[dict[str, Any]] = node.setdefault(path[-1], [])
        return found

    def new_id(self, path: Sequence[str]) -> str:
        name = ".".join(path)
        prefix = _PREFIX.get(name, path[-1][:1])
        while True:
            n = self.counters.get(prefix, 0) + 1
            self.counters[prefix] = n
            candidate = f"{prefix}{n}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate

    # --- making items -----------------------------------------------------------------------

    def can_make(self, path: tuple[str, ...]) -> bool:
        """Only items that can be marked todo are made: anything else would be read as done."""
        return self.field_of(path, "todo") is not None

    def make(self, path: tuple[str, ...], fields: dict[str, Any]) -> _Made:
        obj: dict[str, Any] = {}
        if self.field_of(path, "id") is not None:
            obj["id"] = self.new_id(path)
        obj.update(fields)
        model = self.model_of(path)
        for f in model.fields if model is not None else ():
            if not f.required or f.many or f.alias in obj:
                continue
            # A required field the checks do not fix: the group or the secretary for a reference
            # (to be corrected), a blank to fill for a text (an institution's title).
            if f.ref is not None and f.ref.group:
                obj[f.alias] = GROUP
            elif f.ref is not None and "person" in f.ref.kinds:
                obj[f.alias] = self.rec["people"][0]["id"]
            elif f.kind == STR:
                obj[f.alias] = PLACEHOLDER
        obj["todo"] = True
        self.items_at(path).append(obj)
        made = _Made(path, obj)
        self.made.append(made)
        return made

    def matching(self, path: tuple[str, ...], where: Condition | None) -> list[_Made]:
        return [
            m
            for m in self.made
            if m.path == path and (where is None or _holds(where, self.ctx, m.obj))
        ]

    def fill(self, made: _Made, fields: dict[str, Any]) -> None:
        for name, value in fields.items():
            if self.field_of(made.path, name) is None:
                continue
            if made.obj.get(name) in (None, []):
                made.obj[name] = value

    def bound(self, made: _Made, dates: tuple[list[dt.date], list[dt.date]]) -> None:
        made.upper.extend(dates[0])
        made.lower.extend(dates[1])

    def finish(self) -> dict[str, Any]:
        for made in self.made:
            if self.field_of(made.path, "date") is None:
                continue
            date = min(made.upper) if made.upper else self.ctx.meeting_date
            if made.lower and max(made.lower) > date:
                date = max(made.lower)
            made.obj["date"] = date
            # keep "todo" last, where a reader looks to see what is left to do
            if "todo" in made.obj:
                made.obj["todo"] = made.obj.pop("todo")
        return self.rec


def _holds(cond: Condition, ctx: Context, obj: dict[str, Any]) -> bool:
    try:
        return bool(cond.holds(ctx, obj))
    except Exception:  # a condition on fields the skeleton has not filled yet
        return False


def _list_path(sel: Selection | None) -> tuple[str, ...] | None:
    """The record list a selection reads objects from (`talks`, `meeting.criticisms`)."""
    if sel is None or sel.source is None or sel.path is not None:
        return None
    return tuple(sel.source.segments)


def _values(
    b: _Builder, cond: Condition | None, obj: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The fields a condition fixes to one value, as far as the skeleton can tell."""
    out: dict[str, Any] = {}
    if cond is None:
        return out
    for op in cond.ops:
        name = op.path.single
        if name is None or op.only is not None:
            continue
        if op.name == "eq":
            out[name] = op.arg
        elif op.name == "any_of" and len(op.arg) == 1:
            out[name] = op.arg[0]
        elif op.name == "in_set":
            keys = [str(key_of(v)) for v in b.ctx.set_items(op.arg)]
            if len(keys) == 1:
                out[name] = keys[0]
        elif op.name == "contains_all":
            out[name] = list(op.arg)
        elif op.name == "gte" and isinstance(op.arg, int):
            out[name] = op.arg
        elif (
            op.name == "eq_field"
            and obj is not None
            and op.arg.single is not None
            and obj.get(op.arg.single) is not None
        ):
            out[name] = obj[op.arg.single]
    for sub in cond.all_of:
        out.update(_values(b, sub, obj))
    return out


def _dates(b: _Builder, cond: Condition | None) -> tuple[list[dt.date], list[dt.date]]:
    """Upper and lower bounds a condition puts on an item's `date` (or its last day)."""
    upper: list[dt.date] = []
    lower: list[dt.date] = []
    if cond is None:
        return upper, lower
    for op in cond.ops:
        if op.path.text not in ("date", "@end"):
            continue
        ctx = b.ctx
        if op.name in ("on_or_before", "before", "on_or_after", "after"):
            day = op.arg.resolve(ctx)
            if day is None:
                continue
            if op.name == "on_or_before":
                upper.append(day)
            elif op.name == "before":
                upper.append(add_days(day, -1))
            elif op.name == "on_or_after":
                lower.append(day)
            else:
                lower.append(add_days(day, 1))
        elif op.name == "within":
            if op.arg.upper is not None and (day := op.arg.upper.resolve(ctx)) is not None:
                upper.append(day)
            if op.arg.lower is not None and (day := op.arg.lower.resolve(ctx)) is not None:
                lower.append(day)
    for sub in cond.all_of:
        more = _dates(b, sub)
        upper += more[0]
        lower += more[1]
    return upper, lower


def _due(b: _Builder, rule: Any, spec: Any) -> list[dt.date]:
    """The check's due date, else its rule's; a rule without one falls due on the meeting day
    (as the engine reads it)."""
    for bound in (getattr(spec, "due", None), rule.due):
        if bound is not None:
            day = bound.resolve(b.ctx)
            if day is not None:
                return [day]
    return [b.ctx.meeting_date]


# --- one function per check kind -----------------------------------------------------------


def _pairs(b: _Builder, rule: Any, spec: Any) -> None:
    path = _list_path(spec.items)
    if path is None or not b.can_make(path):
        return
    ordered = spec.participants is None
    if ordered and (spec.from_.single is None or spec.to.single is None):
        return
    if not ordered and spec.participants.single is None:
        return
    fixed = {**_values(b, spec.items.where), **_values(b, spec.qualify)}
    dates = _dates(b, spec.qualify)
    due = _due(b, rule, spec)
    have: dict[tuple[str, str], _Made] = {}

    def pair(a: Any, c: Any) -> tuple[str, str]:
        return (str(a), str(c)) if ordered or str(a) <= str(c) else (str(c), str(a))

    for m in b.matching(path, spec.items.where):
        if ordered:
            have[pair(m.obj.get(spec.from_.single), m.obj.get(spec.to.single))] = m
        else:
            people = m.obj.get(spec.participants.single) or []
            if len(people) == 2:
                have[pair(*people)] = m
    for gen in spec.pairs:
        for a, c in required_pairs(b.ctx, gen, ordered):
            key = pair(a, c)
            made = have.get(key)
            if made is None:
                people = (
                    {spec.from_.single: a, spec.to.single: c}
                    if ordered
                    else {spec.participants.single: [a, c]}
                )
                made = b.make(path, {**people, **fixed})
                have[key] = made
            b.fill(made, fixed)
            b.bound(made, (dates[0] + due, dates[1]))


def _coverage(b: _Builder, rule: Any, spec: Any) -> None:
    path = _list_path(spec.items)
    if path is None or spec.key is None or not b.can_make(path):
        return
    segments = spec.key.segments
    key_field = b.field_of(path, segments[0])
    if key_field is None or len(segments) > 2:
        return
    fixed = _values(b, spec.items.where)
    dates = _dates(b, spec.require)
    due = _due(b, rule, spec)
    subjects = [s for s in spec.subjects.items(b.ctx)]
    for subject in subjects:
        value = str(key_of(subject))
        if len(segments) == 2:
            if key_field.many or key_field.ref is None:
                return
            target = _referenced(b, key_field.ref.kinds, segments[1], value)
            if target is None:
                continue
            value = target
        found = [
            m
            for m in b.matching(path, spec.items.where)
            if (
                value in (m.obj.get(segments[0]) or [])
                if key_field.many
                else m.obj.get(segments[0]) == value
            )
        ]
        made = found[0] if found else None
        if made is None:
            fields: dict[str, Any] = {**fixed, segments[0]: [value] if key_field.many else value}
            for mine, theirs in (spec.same or {}).items():
                obj = b.ctx.as_object(subject)
                if isinstance(obj, dict) and obj.get(theirs) is not None:
                    fields[mine] = obj[theirs]
            made = b.make(path, fields)
        b.fill(made, _values(b, spec.require, made.obj))
        b.bound(made, (dates[0] + due, dates[1]))


def _referenced(b: _Builder, kinds: Sequence[str], name: str, value: str) -> str | None:
    """The id of the object of one of ``kinds`` whose ``name`` field is ``value``; made (with
    its label as its name) if the record has none, as an org of a required kind."""
    for kind in kinds:
        for path, model in _lists_of(b, kind):
            for obj in b.items_at(path):
                if obj.get(name) == value:
                    return str(obj["id"])
            fields = {f.alias: f for f in model.fields}
            needed = {f.alias for f in model.fields if f.required}
            if name not in fields or not needed <= {"id", "name", name}:
                continue
            enum = fields[name].enum
            label = b.ctx.label(enum, value).zh if enum else value
            obj = {"id": b.new_id(path), "name": label, name: value}
            b.items_at(path).append(obj)
            return str(obj["id"])
    return None


def _lists_of(b: _Builder, kind: str) -> Iterable[tuple[tuple[str, ...], Any]]:
    root = b.plan.models[b.plan.root]
    for f in root.fields:
        if f.many and f.model is not None and b.plan.models[f.model].object_kind == kind:
            yield (f.alias,), b.plan.models[f.model]


def _exists(b: _Builder, rule: Any, spec: Any, minimum: int = 1) -> None:
    path = _list_path(spec.select)
    if path is None or minimum < 1 or not b.can_make(path):
        return
    found = b.matching(path, spec.select.where)
    fixed = _values(b, spec.select.where)
    made = found[0] if found else b.make(path, fixed)
    b.fill(made, _values(b, spec.require, made.obj))
    dates = _dates(b, spec.require)
    b.bound(made, (dates[0] + _due(b, rule, spec), dates[1]))


def _each(b: _Builder, rule: Any, spec: Any) -> None:
    path = _list_path(spec.select)
    if path is None:
        return
    if spec.min_items:
        _exists(b, rule, spec, spec.min_items)
    for made in b.matching(path, spec.select.where):
        if spec.when is not None and not _holds(spec.when, b.ctx, made.obj):
            continue
        b.fill(made, _values(b, spec.require, made.obj))
        b.bound(made, _dates(b, spec.require))


def _delivered(b: _Builder, rule: Any, spec: Any) -> None:
    path = _list_path(spec.submissions)
    documents = ("documents",)
    if path is None or b.field_of(path, "documents") is None or not b.can_make(path):
        return
    due = _due(b, rule, spec)
    ids: list[str] = []
    for dspec in spec.documents:
        for owner in dspec.owners.items(b.ctx):
            owner_key = str(key_of(owner))
            found = [
                m
                for m in b.made
                if m.path == documents
                and m.obj.get("kind") == dspec.kind
                and m.obj.get("owner") == owner_key
            ]
            made = (
                found[0] if found else b.make(documents, {"kind": dspec.kind, "owner": owner_key})
            )
            b.bound(made, (due, []))
            ids.append(str(made.obj["id"]))
    orgs = [_referenced(b, ("org",), "kind", kind) for kind in spec.to]
    found_subs = b.matching(path, spec.submissions.where)
    sub = found_subs[0] if found_subs else b.make(path, _values(b, spec.submissions.where))
    sub.obj.setdefault("to", [])
    sub.obj.setdefault("documents", [])
    sub.obj["to"] += [o for o in orgs if o is not None and o not in sub.obj["to"]]
    sub.obj["documents"] += [d for d in ids if d not in sub.obj["documents"]]
    b.bound(sub, (due, []))


_KINDS = {
    "PairsSpec": _pairs,
    "CoverageSpec": _coverage,
    "ExistsSpec": _exists,
    "EachSpec": _each,
    "DeliveredSpec": _delivered,
}


def build_skeleton(
    pack: Pack,
    meeting_date: dt.date,
    people: Sequence[PersonSpec],
    unit: str | None = None,
    party_org: str | None = None,
) -> dict[str, Any]:
    """The record skeleton `init` writes (plain data, dates as `datetime.date`)."""
    base = base_record(meeting_date, people, unit, party_org)
    b = _Builder(pack, base)
    # Twice: an `each` check may come before the check that makes the items it refines.
    for _ in range(2):
        for rule in pack.rules:
            for spec in rule.checks:
                make = _KINDS.get(kind_of(spec) or type(spec).__name__)
                if make is not None:
                    make(b, rule, spec)
    return b.finish()


def base_record(
    meeting_date: dt.date,
    people: Sequence[PersonSpec],
    unit: str | None = None,
    party_org: str | None = None,
) -> dict[str, Any]:
    """The unit, the meeting and the people: what a skeleton is built on."""
    problems = _people_problems(people)
    if problems:
        raise InputError(problems)
    order = {"secretary": 0, "member": 1, "department_head": 2}
    ranked = sorted(people, key=lambda p: order.get(p.role, 3))
    departments: dict[str, dict[str, Any]] = {}

    def department(name: str) -> str:
        if name not in departments:
            departments[name] = {"id": f"d{len(departments) + 1}", "name": name}
        return str(departments[name]["id"])

    out_people = []
    taken = {p.id for p in ranked if p.id}
    n = 0
    for p in ranked:
        pid = p.id
        while pid is None:
            n += 1
            if f"p{n}" not in taken:
                pid = f"p{n}"
        person: dict[str, Any] = {"id": pid, "name": p.name, "role": p.role}
        if p.title:
            person["title"] = p.title
        if p.supervises:
            person["supervises"] = [department(d) for d in p.supervises]
        if p.department:
            dep = department(p.department)
            person["department"] = dep
            departments[p.department].setdefault("head", pid)
        out_people.append(person)
    unit_obj: dict[str, Any] = {"name": unit or "（单位名称）"}
    if party_org:
        unit_obj["party_org"] = party_org
    record: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "unit": unit_obj,
        "meeting": {
            "year": meeting_date.year,
            "planned_date": meeting_date,
            "date": meeting_date,
        },
        "people": out_people,
    }
    if departments:
        record["departments"] = list(departments.values())
    return record


def _people_problems(people: Sequence[PersonSpec]) -> list[Problem]:
    secretaries = [p for p in people if p.role == "secretary"]
    if len(secretaries) == 1:
        return []
    return [
        Problem(
            "--people",
            "/people",
            Text("恰好一名党组书记（--secretary 或 role: secretary）", "exactly one secretary"),
            describe(len(secretaries)),
            code="secretary_count",
        )
    ]
