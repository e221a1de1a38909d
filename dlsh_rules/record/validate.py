"""Loading and validating a meeting record into the form the engine reads."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import (
    EXPECTED_BY_TYPE,
    Found,
    InputError,
    Problem,
    Text,
    Value,
    describe,
    describe_found,
)
from ..load import cache as disk_cache
from ..load.document import Document, Position, nearest_position, pointer_join, problem_in
from ..load.perf import gc_paused
from ..load.source import load_path
from ..load.wording import FULL_WIDTH_COLON, key_with_full_width_colon
from .enums import DEFAULT, EnumTable, enum_found
from .onepass import OnePass
from .onepass import generate as generate_one_pass
from .plan import GROUP, RecordPlan, Ref, fast_validate
from .plan import _Declined as Declined
from .walkcode import Fallback, Walk
from .walkcode import generate as generate_walk

# pydantic is imported only where a record is validated by it (a record the fast path of
# recordplan.py declines) or the plan is built from the models: importing it costs ~75 ms.
if TYPE_CHECKING:
    from pydantic.plugin._schema_validator import PluggableSchemaValidator
    from pydantic_core import SchemaSerializer, SchemaValidator

KIND_LABELS: dict[str, Text] = {
    "person": Text("人员", "person"),
    "org": Text("机构", "body"),
    "department": Text("处室（中心）", "department"),
    "activity": Text("活动", "activity"),
    "opinion": Text("意见", "opinion"),
    "talk": Text("谈话", "talk"),
    "talk_request": Text("约谈", "talk request"),
    "document": Text("材料", "document"),
    "submission": Text("报送", "submission"),
    "approval": Text("审批", "approval"),
    "criticism": Text("批评意见", "criticism"),
    "prior_item": Text("上年度整改事项", "prior rectification item"),
    "rectification_item": Text("整改事项", "rectification item"),
    "invitation": Text("邀请", "invitation"),
    "institution": Text("制度", "institution"),
    "notice": Text("通知", "notice"),
}


class Indexed(NamedTuple):
    """An object of the record by its id. A named tuple, not a frozen dataclass: a large record
    has tens of thousands, and a frozen dataclass took a third of the walk to make them."""

    kind: str
    obj: dict[str, Any]
    pointer: str


class RecordData(Value):
    """A validated record: plain data (aliases resolved, defaults filled) plus its indexes."""

    data: dict[str, Any]
    source: str
    index: dict[str, Indexed]
    # id() of every dict and list in `data` that the walk visits -> its JSON pointer; made on
    # demand for a record validated in one pass (`_Pointers`)
    pointers: Mapping[int, str]
    positions: Mapping[str, Position]
    enums: EnumTable

    def __init__(
        self,
        data: dict[str, Any],
        source: str,
        index: dict[str, Indexed],
        pointers: Mapping[int, str],
        positions: Mapping[str, Position] | None = None,
        enums: EnumTable = DEFAULT,
    ) -> None:
        self.data = data
        self.source = source
        self.index = index
        self.pointers = pointers
        self.positions = {} if positions is None else positions
        self.enums = enums

    @property
    def meeting(self) -> dict[str, Any]:
        meeting: dict[str, Any] = self.data["meeting"]
        return meeting

    def pointer_of(self, obj: object) -> str | None:
        return self.pointers.get(id(obj))

    def position(self, pointer: str) -> Position | None:
        return nearest_position(self.positions, pointer)


class _Pointers(Mapping[int, str]):
    """`RecordData.pointers` of a record validated in one pass (onepass.py), made on demand.

    Recording the pointer of every dict and list cost as much as validating them, and a check
    of a compliant record asks for a few: those of top-level lists and of indexed objects. So
    the map is widened in steps, each only when what is asked is not in it yet: the objects
    outside any list (the record, `meeting`, `/talks`…), then every indexed object (its index
    entry holds its pointer), then everything, by the walk `validate_record` used to make
    eagerly (walkcode.py). Each step adds only what the full map holds, with the same pointer,
    and the full map is exactly the old one: an object missing from it is missing here.
    """

    __slots__ = ("_data", "_index", "_known", "_plan", "_step")

    def __init__(self, plan: RecordPlan, data: dict[str, Any], index: dict[str, Indexed]):
        self._plan, self._data, self._index = plan, data, index
        self._known: dict[int, str] = {}
        self._step = 0

    def get(self, key: int, default: Any = None) -> Any:
        found = self._known.get(key)
        while found is None and self._step < 3:
            self._widen()
            found = self._known.get(key)
        return default if found is None else found

    def __getitem__(self, key: int) -> str:
        found: str | None = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())

    def _everything(self) -> dict[int, str]:
        while self._step < 3:
            self._widen()
        return self._known

    def _widen(self) -> None:
        self._step += 1
        if self._step == 1:
            _spine(self._plan, self._plan.root, self._data, "", self._known)
        elif self._step == 2:
            for entry in self._index.values():
                self._known[id(entry.obj)] = entry.pointer
        else:
            self._known = _all_pointers(self._plan, self._data)


def _spine(
    plan: RecordPlan, model: str, obj: dict[str, Any], pointer: str, out: dict[int, str]
) -> None:
    """The pointers of the objects and lists reached from ``obj`` through no list, as the walk
    records them (it records every list it walks into and every object it walks)."""
    out[id(obj)] = pointer
    for f in plan.models[model].walk:
        value = obj.get(f.alias)
        if value is None:
            continue
        if f.many:
            if isinstance(value, list):
                out[id(value)] = f"{pointer}/{f.alias}"
        elif f.model is not None and isinstance(value, dict):
            _spine(plan, f.model, value, f"{pointer}/{f.alias}", out)


def _all_pointers(plan: RecordPlan, data: dict[str, Any]) -> dict[int, str]:
    """The pointer of every dict and list the walk visits in valid ``data``."""
    pointers: dict[int, str] = {}
    try:
        _generated_walk(plan)(data, pointers, {}, [], [])
    except Fallback:  # not for valid data; `_walk` records the same pointers regardless
        pointers = {}
        _walk(_walker(plan), data, "", pointers, {}, [], [], "", [])
    return pointers


# --- the walk: ids and references ---------------------------------------------------------------


class _Walker:
    """A model's plan as `_walk` reads it: the kind of object it is, and the fields to walk into
    as (alias, is a list, the sub-model's walker, Ref marker) with sub-models linked directly."""

    __slots__ = ("exactly_one", "kind", "steps")

    def __init__(self, kind: str | None, exactly_one: tuple[tuple[str, ...], ...] = ()) -> None:
        self.kind = kind
        self.exactly_one = exactly_one
        self.steps: tuple[tuple[str, bool, _Walker | None, Ref | None], ...] = ()


@cache
def _walker(plan: RecordPlan) -> _Walker:
    made = {
        name: _Walker(model.object_kind, model.exactly_one) for name, model in plan.models.items()
    }
    for name, model in plan.models.items():
        made[name].steps = tuple(
            (f.alias, f.many, made[f.model] if f.model is not None else None, f.ref)
            for f in model.walk
        )
    return made[plan.root]


# (pointer of the object, field, index in the list or None, the id referred to, the marker)
_Reference = tuple[str, str, int | None, str, Ref]


def _walk(
    walker: _Walker,
    obj: dict[str, Any],
    pointer: str,
    pointers: dict[int, str],
    index: dict[str, Indexed],
    refs: list[_Reference],
    problems: list[Problem],
    source: str,
    todo: list[tuple[str, dict[str, Any]]],
) -> None:
    pointers[id(obj)] = pointer
    kind = walker.kind
    if kind is not None and obj.get("todo") is True:
        todo.append((pointer, obj))
    if kind is not None and obj.get("id") is not None:
        oid = obj["id"]
        if oid in index or oid == GROUP:
            first = index[oid].pointer if oid in index else "(reserved)"
            used = f"已用于 {first}" if oid in index else "是保留字，不能用作 id"
            problems.append(
                Problem(
                    source,
                    pointer_join(pointer, "id"),
                    Text(
                        f"在整个记录中唯一的 id（{oid!r} {used}）",
                        f"an id unique across the whole record ({oid!r} is already used at {first})",
                    ),
                    describe(oid),
                    code="duplicate_id",
                )
            )
        else:
            index[oid] = Indexed(kind, obj, pointer)
    for group in walker.exactly_one:
        given = [alias for alias in group if obj.get(alias) is not None]
        if len(given) != 1:
            problems.append(
                Problem(
                    source,
                    pointer,
                    Text(
                        f"恰好给出 {'、'.join(group)} 之一",
                        f"exactly one of {', '.join(group)}",
                    ),
                    Text(f"同时给出了 {'、'.join(given)}", f"both: {', '.join(given)}")
                    if given
                    else Text("一个也没有给出", "neither"),
                    code="exactly_one",
                )
            )
    for alias, many, sub, ref in walker.steps:
        value = obj.get(alias)
        if value is None:
            continue
        # A reference's pointer is made only if it turns out wrong: a large record has hundreds
        # of thousands of them. Field names have no '~' or '/' to escape.
        if not many:
            if sub is not None and isinstance(value, dict):
                _walk(
                    sub, value, f"{pointer}/{alias}", pointers, index, refs, problems, source, todo
                )
            elif ref is not None and isinstance(value, str):
                refs.append((pointer, alias, None, value, ref))
            continue
        here = f"{pointer}/{alias}"
        pointers[id(value)] = here
        for i, item in enumerate(value):
            if sub is not None and isinstance(item, dict):
                _walk(sub, item, f"{here}/{i}", pointers, index, refs, problems, source, todo)
            elif ref is not None and isinstance(item, str):
                refs.append((pointer, alias, i, item, ref))


@cache
def _generated_walk(plan: RecordPlan) -> Walk:
    """`_walk` for the whole record as one function (walkcode.py)."""
    return generate_walk(plan, Indexed)


# --- pydantic errors to problems --------------------------------------------------------------

_EXPECTED: dict[str, Text] = {
    **EXPECTED_BY_TYPE,
    "int_type": Text("整数", "an integer"),
    "int_parsing": Text("整数", "an integer"),
    "int_from_float": Text("整数", "an integer"),
    "bool_type": Text("布尔值 true 或 false", "a boolean, true or false"),
    "bool_parsing": Text("布尔值 true 或 false", "a boolean, true or false"),
    "date_range": Text("1900 至 2999 年之间的日期", "a date in the years 1900 to 2999"),
    "id_format": Text(
        "1 至 64 个字符、不含空白和 '~' '>' '/' 的 id",
        "an id of 1 to 64 characters without white space, '~', '>' or '/'",
    ),
}


def _expected(error: Mapping[str, Any]) -> Text:
    etype = error["type"]
    ctx = error.get("ctx") or {}
    if etype == "extra_forbidden":
        return Text(
            "记录格式中定义的字段（此字段不存在，可能拼写有误）",
            "a field the record format defines",
        )
    if etype == "enum":
        return Text(
            f"以下值之一：{ctx.get('choices_zh', ctx.get('allowed'))}",
            f"one of {ctx.get('choices_en', ctx.get('allowed'))}",
        )
    if etype == "literal_error":
        return Text(f"值 {ctx.get('expected')}", f"the value {ctx.get('expected')}")
    if etype in ("greater_than_equal", "less_than_equal"):
        op = "≥" if etype == "greater_than_equal" else "≤"
        bound = ctx.get("ge", ctx.get("le"))
        return Text(f"{op} {bound} 的数", f"a number {op} {bound}")
    if etype == "too_short":
        return Text(f"至少 {ctx.get('min_length')} 项", f"at least {ctx.get('min_length')} items")
    return _EXPECTED.get(etype, Text("合法的值", str(error["msg"])))


def _found(error: Mapping[str, Any]) -> Found:
    if error["type"] == "missing":
        return Text("无（缺少此字段）", "nothing (missing)")
    if error["type"] == "extra_forbidden":
        key = error["loc"][-1]
        if isinstance(key, str) and key_with_full_width_colon(key):
            return Text(
                f"未知字段 {key!r}：{FULL_WIDTH_COLON.zh}",
                f"unknown field {key!r}: {FULL_WIDTH_COLON.en}",
            )
        return Text(f"未知字段 {key!r}", f"unknown field {key!r}")
    if error["type"] == "enum":
        return enum_found(error.get("input"), error.get("ctx") or {})
    return describe_found(error.get("input"))


def _with_positions(problems: list[Problem], positions: Mapping[str, Position]) -> list[Problem]:
    return [
        problem_in(p.file, positions, p.pointer, p.expected, p.found_both(), p.code)
        if p.line is None
        else p
        for p in problems
    ]


# Pair rules look at every ordered pair of a group: 500 people are 249,500 pairs, which a check
# goes through in about 3 s of CPU and 72 MB (docs/security.md). Refused before validation,
# from the raw list's length, so that neither validator nor the rules ever see more.
MAX_PEOPLE = 500


def validate_record(
    data: Any,
    source: str = "<record>",
    enums: EnumTable = DEFAULT,
    positions: Mapping[str, Position] | None = None,
    *,
    keep_todo: bool = False,
) -> RecordData:
    """Validate plain data as a record; raise InputError listing every problem found.

    Items marked `todo: true` are validated, then left out of the data the rules read, unless
    ``keep_todo`` (for tools that rewrite the record, such as `export`).
    """
    positions = positions or {}
    if not isinstance(data, dict):
        raise InputError(
            [
                problem_in(
                    source,
                    positions,
                    "",
                    Text("一个对象（记录）", "an object (the record)"),
                    describe_found(data),
                    "type",
                )
            ]
        )
    people = data.get("people")
    if isinstance(people, list) and len(people) > MAX_PEOPLE:
        raise InputError(
            [
                problem_in(
                    source,
                    positions,
                    f"/people/{MAX_PEOPLE}",
                    Text(
                        f"不超过 {MAX_PEOPLE} 人（规则按人两两检查，人数的平方决定用时）",
                        f"at most {MAX_PEOPLE} people (rules check pairs of people: time grows "
                        "with the square of their number)",
                    ),
                    Text(f"{len(people)} 人", f"{len(people)} people"),
                    "too_large",
                )
            ]
        )
    plan = _record_plan()
    with gc_paused():  # perf.py: a large record is millions of objects, and no cycles
        # The fast path gives exactly what pydantic would, or declines (recordplan.py); pydantic
        # then decides, and words the errors of an invalid record.
        indexed = _indexed_in_one_pass(plan, data, source, enums, positions, keep_todo)
        if indexed is not None:
            return indexed
        plain = fast_validate(plan, data, enums)
        if plain is None:
            plain = _pydantic_validate(data, source, enums, positions)
        return _index(plan, plain, source, enums, positions, keep_todo)


@cache
def _one_pass(plan: RecordPlan) -> OnePass | None:
    """Validation and indexing as one generated function (onepass.py), or None."""
    return generate_one_pass(plan, Indexed)


def _indexed_in_one_pass(
    plan: RecordPlan,
    data: dict[str, Any],
    source: str,
    enums: EnumTable,
    positions: Mapping[str, Position],
    keep_todo: bool = False,
) -> RecordData | None:
    """The record validated and indexed in one pass, or None if it is not plainly valid (then
    the two passes decide it, and word its problems)."""
    run = _one_pass(plan)
    if run is None or not isinstance(enums, EnumTable):
        return None
    index: dict[str, Indexed] = {}
    todo: list[dict[str, Any]] = []
    try:
        plain = run(data, enums.alias_table(), index, todo)
    except (Declined, KeyError):  # KeyError: an enumeration the table lacks
        return None
    secretaries = 0
    for person in plain["people"]:
        if person["role"] == "secretary":
            secretaries += 1
    if secretaries != 1:
        return None
    if todo:
        # Items left out keep their pointers (`_drop_todo`): the map is made before, as `_index`
        # makes it.
        pointers = _all_pointers(plan, plain)
        if not keep_todo:
            _drop_todo(plain, [(pointers[id(obj)], obj) for obj in todo], pointers, index)
        return RecordData(plain, source, index, pointers, positions, enums)
    return RecordData(plain, source, index, _Pointers(plan, plain, index), positions, enums)


# Fields validated but left out of the data (the serializer's `exclude`): `$schema` only names
# the JSON Schema an editor checks the file with.
_EXCLUDE = frozenset({"schema_"})


def _pydantic_validate(
    data: dict[str, Any], source: str, enums: EnumTable, positions: Mapping[str, Position]
) -> dict[str, Any]:
    from pydantic import ValidationError

    validator, serializer = _codec()
    try:
        # What Record.model_validate and model_dump do, with the validator from _codec.
        record = validator.validate_python(data, context={"enums": enums})
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = [part for part in error["loc"] if not (isinstance(part, str) and "[" in part)]
            pointer = ""
            for part in loc:
                pointer = pointer_join(pointer, part)
            problems.append(
                problem_in(
                    source,
                    positions,
                    pointer,
                    _expected(error),
                    _found(error),
                    str(error["type"]),
                )
            )
        raise InputError(problems) from None
    plain: dict[str, Any] = serializer.to_python(record, by_alias=True, exclude=set(_EXCLUDE))
    return plain


@cache
def _codec() -> tuple[SchemaValidator | PluggableSchemaValidator, SchemaSerializer]:
    """pydantic's validator and serializer of `Record`, read from the disk cache if they can be.

    pydantic builds them from the model classes in about as long as the rest of a `check` run
    takes; they depend only on the code, which keys the cache entry (cache.py). A pickled
    validator is rebuilt from its core schema, which is what pydantic would make.
    """
    from pydantic_core import SchemaSerializer, SchemaValidator

    from .models import Record

    name = disk_cache.key("record-codec") if disk_cache.enabled() else None
    if name is not None:
        entry = disk_cache.read(name)
        if (
            isinstance(entry, tuple)
            and len(entry) == 2
            and isinstance(entry[0], SchemaValidator)
            and isinstance(entry[1], SchemaSerializer)
        ):
            return entry[0], entry[1]
    Record.model_rebuild()  # the models are defer_build
    validator, serializer = Record.__pydantic_validator__, Record.__pydantic_serializer__
    if name is not None and isinstance(validator, SchemaValidator):  # not a plugin's wrapper
        disk_cache.write(name, (validator, serializer))
    return validator, serializer


# --- the plan of the fast path, derived from the models ------------------------------------------


def record_plan() -> RecordPlan:
    """The plan of the record models (plan.py): what tools that read the record format's shape
    (the workbook, `init`) derive it from."""
    return _record_plan()


@cache
def _record_plan() -> RecordPlan:
    """The record models as plain data (recordplan.py), read from the disk cache if it can be.

    Unpickling it imports nothing but recordplan; building it imports the models, and so
    pydantic. It depends only on the code and pydantic's, which key the cache entry.
    """
    name = disk_cache.key("record-plan") if disk_cache.enabled() else None
    if name is not None:
        entry = disk_cache.read(name)
        if isinstance(entry, RecordPlan):
            return entry
    from .planner import build_plan

    plan = build_plan(_EXCLUDE)
    if name is not None:
        disk_cache.write(name, plan)
    return plan


@cache
def field_names() -> frozenset[str]:
    """Every field name (as written in a record) of every object of the record format."""
    plan = _record_plan()
    return frozenset(f.alias for model in plan.models.values() for f in model.fields)


@cache
def field_enums() -> dict[str, str]:
    """Field name -> its enumeration, for the fields that have the same one in every object."""
    found: dict[str, set[str]] = {}
    for model in _record_plan().models.values():
        for f in model.fields:
            if f.enum is not None:
                found.setdefault(f.alias, set()).add(f.enum)
    return {alias: next(iter(enums)) for alias, enums in found.items() if len(enums) == 1}


def enum_at(pointer: str, alias: str) -> str | None:
    """The enumeration of field ``alias`` of the object at ``pointer`` in a record, or None.

    The same field name can hold different enumerations (`kind` of a document, of a body, of an
    activity): the object's place in the record says which model it is, and so which one."""
    plan = _record_plan()
    model = plan.models.get(plan.root)
    for segment in pointer.split("/")[1:]:
        if model is None:
            return None
        if segment.isdigit():
            continue
        f = next((f for f in model.fields if f.alias == segment), None)
        model = plan.models.get(f.model) if f is not None and f.model is not None else None
    if model is None:
        return None
    return next((f.enum for f in model.fields if f.alias == alias), None)


def index_record(
    plain: dict[str, Any],
    source: str,
    enums: EnumTable = DEFAULT,
    positions: Mapping[str, Position] | None = None,
) -> RecordData:
    """Index validated plain data and check what the models cannot: ids, references, secretary."""
    return _index(_record_plan(), plain, source, enums, positions or {})


def _index(
    plan: RecordPlan,
    plain: dict[str, Any],
    source: str,
    enums: EnumTable,
    positions: Mapping[str, Position],
    keep_todo: bool = False,
) -> RecordData:
    pointers: dict[int, str] = {}
    index: dict[str, Indexed] = {}
    refs: list[_Reference] = []
    problems: list[Problem] = []
    todo: list[tuple[str, dict[str, Any]]] = []
    try:
        _generated_walk(plan)(plain, pointers, index, refs, todo)
    except Fallback:  # a problem: walked again by _walk, which words it (walkcode.py)
        pointers, index, refs, todo = {}, {}, [], []
        _walk(_walker(plan), plain, "", pointers, index, refs, problems, source, todo)
    for parent, alias, item, target, ref in refs:
        if ref.group and target == GROUP:
            continue
        found = index.get(target)
        if found is not None and found.kind in ref.kinds:
            continue
        pointer = f"{parent}/{alias}" if item is None else pointer_join(f"{parent}/{alias}", item)
        wanted = [KIND_LABELS[k] for k in ref.kinds]
        zh = "或".join(w.zh for w in wanted) + ("或 'group'（党组）" if ref.group else "")
        en = " or ".join(w.en for w in wanted) + (" or 'group'" if ref.group else "")
        if found is None:
            got = Text(
                f"{target!r}，但记录中没有以它为 id 的对象",
                f"{target!r}, which no object in the record has as its id",
            )
        else:
            kind = KIND_LABELS[found.kind]
            got = Text(
                f"{target!r}，它是一个{kind.zh}（{found.pointer}）",
                f"{target!r}, which is a {kind.en} ({found.pointer})",
            )
        problems.append(
            Problem(
                source, pointer, Text(f"某个{zh}的 id", f"the id of a {en}"), got, code="reference"
            )
        )
    secretaries = [
        pointer_join("/people", i)
        for i, person in enumerate(plain["people"])
        if person["role"] == "secretary"
    ]
    if len(secretaries) != 1:
        problems.append(
            Problem(
                source,
                "/people",
                Text(
                    "恰好一名党组书记（role: secretary）", "exactly one person with role secretary"
                ),
                Text(
                    f"{len(secretaries)} 名（{'、'.join(secretaries) or '无'}）",
                    f"{len(secretaries)} ({', '.join(secretaries) or 'none'})",
                ),
                code="secretary_count",
            )
        )
    if problems:
        raise InputError(_with_positions(problems, positions))
    if todo and not keep_todo:
        _drop_todo(plain, todo, pointers, index)
    return RecordData(plain, source, index, pointers, positions, enums)


def _drop_todo(
    plain: dict[str, Any],
    todo: list[tuple[str, dict[str, Any]]],
    pointers: dict[int, str],
    index: dict[str, Indexed],
) -> None:
    """Leave the items marked `todo: true` out of what the rules read, as if not yet recorded.

    They were validated (ids, references) with the rest, so a record keeps its meaning when an
    item is done and its mark removed. The lists that held them are replaced by shorter copies
    that keep the original's pointer, and every object keeps its own: findings still point at
    the lines the file has, not at positions shifted by the removal.
    """
    dropped = {id(obj) for _, obj in todo}
    prefixes = tuple(f"{pointer}/" for pointer, _ in todo)
    for oid in [k for k, entry in index.items() if id(entry.obj) in dropped]:
        del index[oid]
    for oid in [k for k, entry in index.items() if entry.pointer.startswith(prefixes)]:
        del index[oid]

    def prune(node: Any) -> Any:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    node[key] = prune(value)
            return node
        if isinstance(node, list) and any(id(v) in dropped for v in node):
            kept = [prune(v) for v in node if id(v) not in dropped]
            pointers[id(kept)] = pointers.get(id(node), "")
            return kept
        if isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    node[i] = prune(value)
        return node

    prune(plain)


def load_record(
    source: str | os.PathLike[str] | Mapping[str, Any] | Document,
    enums: EnumTable = DEFAULT,
    *,
    keep_todo: bool = False,
) -> RecordData:
    """Load a record from a path (JSON, YAML, or an .xlsx workbook), a parsed `Document`, or
    plain data (a dict)."""
    from ..load.arguments import record_source

    record_source(source, "source")
    if isinstance(source, Document):
        return validate_record(
            source.data, source.name, enums, source.positions, keep_todo=keep_todo
        )
    if isinstance(source, Mapping):
        return validate_record(dict(source), "<record>", enums, keep_todo=keep_todo)
    if os.fspath(source).lower().endswith(WORKBOOK_SUFFIX):
        # Imported here: openpyxl is an optional extra and the check of a YAML record never
        # needs it (cold start).
        from .workbook import at_cell, read_workbook

        name = os.fspath(source)
        data, cells = read_workbook(source, _record_plan())
        try:
            return validate_record(data, name, enums, keep_todo=keep_todo)
        except InputError as exc:
            raise InputError([at_cell(p, name, cells) for p in exc.problems]) from None
    doc = load_path(source)
    return validate_record(doc.data, doc.name, enums, doc.positions, keep_todo=keep_todo)


WORKBOOK_SUFFIX = ".xlsx"
