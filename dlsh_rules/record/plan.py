"""The record format's rules that need no pydantic, and a validator of valid records built on them.

`validate_record` (record.py) used to hand every record to pydantic; importing pydantic and
pydantic-core costs a `check` run about 75 ms, more than the rest of its cold start. This module
holds what the record models (models.py) and the fast path share — the id pattern, the year
bounds, the `Ref` marker, the date rules — and the *plan*: plain data derived from the models
(planner.py, kept in the disk cache by record.py) that says, per model, each field's alias,
whether it is required, its default and what its values must be.

`fast_validate` interprets a plan. It accepts only inputs for which its result is certainly what
pydantic's validator and serializer make of them (the same dict, key order and value types) and
*declines* everything else: a value of any type but the exact one expected (a bool or float for
an int, a tuple for a list, a str subclass…), a key the model does not define or a field given
by its Python name, a missing required field, a value out of range, an unknown enumerated value.
`validate_record` then asks pydantic, which accepts the record after all (it converts "3" to 3)
or words the errors. Nothing here imports pydantic, and neither does unpickling a plan.
"""

from __future__ import annotations

import datetime as dt
import marshal
import re
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from types import CodeType
from typing import Any

from ..dates import parse_date
from ..errors import FrozenValue
from ..load import cache as disk_cache
from .enums import EnumTable

# Ids are written by hand and appear in finding subjects such as "p2~p3" and "p2>p3", so they
# may not contain white space, "~", ">" or "/"; letters of any script are allowed.
ID_PATTERN = r"^[^\s~>/]{1,64}$"
ID_RE = re.compile(ID_PATTERN)
GROUP = "group"

# Deadlines are computed months and days away from record dates; a year far outside any
# meeting's would overflow the calendar, so it is refused as input.
MIN_YEAR, MAX_YEAR = 1900, 2999


class Ref:
    """Marks a field whose value is the id of an object of one of ``kinds``."""

    def __init__(self, *kinds: str, group: bool = False) -> None:
        self.kinds = kinds
        self.group = group  # the string "group" (the party group) is allowed too

    def __repr__(self) -> str:
        return f"Ref({', '.join(map(repr, self.kinds))}{', group=True' if self.group else ''})"


class DateRefused(ValueError):
    """A value that is not a record date; ``code`` and ``message`` become pydantic's error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def to_date(value: Any) -> dt.date:
    """A record date from a ``YYYY-MM-DD`` string or a date (not a datetime) of years 1900–2999.

    The one definition of what a record date is: the model's validator (`models._date`) turns
    `DateRefused` into pydantic's error, the fast path declines the record.
    """
    if isinstance(value, dt.datetime):
        raise DateRefused("date_type", "a date without time, YYYY-MM-DD")
    if isinstance(value, str):
        try:
            value = parse_date(value)
        except ValueError:
            raise DateRefused("date_format", "a real calendar date written YYYY-MM-DD") from None
    if isinstance(value, dt.date):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise DateRefused("date_range", "a date in the years 1900 to 2999")
        return value
    raise DateRefused("date_type", "a date string YYYY-MM-DD")


# --- the plan: what pydantic's record models accept, as plain data --------------------------------

# What a field's values are (FieldPlan.kind).
STR = "str"
ID = "id"  # a string matching ID_PATTERN
ENUM = "enum"  # a string that the EnumTable normalises (FieldPlan.enum names the enumeration)
INT = "int"  # within FieldPlan.ge and .le when they are set
BOOL = "bool"
DATE = "date"  # to_date's rules
LITERAL = "literal"  # one of FieldPlan.literal
MODEL = "model"  # an object of the model FieldPlan.model names
OPAQUE = "opaque"  # beyond the fast path: a record that gives this field a value is declined


class FieldPlan(FrozenValue):
    """One field of a model: where it is read from and written to, and what its values must be.

    For a list field (``many``), ``kind`` and its details describe the items and ``min_length``
    the list; ``optional`` says whether the field (not an item) may be null.
    """

    name: str  # the Python name, for messages; never read from the input
    alias: str  # the key in the input and in the validated data
    kind: str
    many: bool
    optional: bool
    required: bool
    default: Any  # plain data; a list or dict is copied for every record
    min_length: int
    ge: int | None
    le: int | None
    enum: str | None
    literal: tuple[str, ...]
    model: str | None
    ref: Ref | None  # index_record checks the reference
    excluded: bool  # validated but left out of the data, as `$schema` is

    def __init__(
        self,
        name: str,
        alias: str,
        kind: str,
        many: bool = False,
        optional: bool = False,
        required: bool = True,
        default: Any = None,
        min_length: int = 0,
        ge: int | None = None,
        le: int | None = None,
        enum: str | None = None,
        literal: tuple[str, ...] = (),
        model: str | None = None,
        ref: Ref | None = None,
        excluded: bool = False,
    ) -> None:
        self.__dict__.update(
            name=name,
            alias=alias,
            kind=kind,
            many=many,
            optional=optional,
            required=required,
            default=default,
            min_length=min_length,
            ge=ge,
            le=le,
            enum=enum,
            literal=literal,
            model=model,
            ref=ref,
            excluded=excluded,
        )


class ModelPlan(FrozenValue):
    name: str
    object_kind: str | None  # the kind of object its `id` names in the record's index
    fields: tuple[FieldPlan, ...]
    # Groups of fields (by alias) of which exactly one must be given; index_record checks them.
    exactly_one: tuple[tuple[str, ...], ...]
    # What index_record walks into: fields holding sub-objects or references.
    walk: tuple[FieldPlan, ...]
    _hidden = _derived = ("walk",)

    def __init__(
        self,
        name: str,
        object_kind: str | None,
        fields: tuple[FieldPlan, ...],
        exactly_one: tuple[tuple[str, ...], ...] = (),
    ) -> None:
        walk = tuple(f for f in fields if f.model is not None or f.ref is not None)
        self.__dict__.update(
            name=name, object_kind=object_kind, fields=fields, exactly_one=exactly_one, walk=walk
        )


class RecordPlan(FrozenValue):
    """Every model of the record by name, starting at ``root``."""

    root: str
    models: Mapping[str, ModelPlan]
    # equal only to itself, hashed by identity (the dataclass was eq=False)
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __init__(self, root: str, models: Mapping[str, ModelPlan]) -> None:
        self.__dict__.update(root=root, models=models)

    @property
    def top(self) -> ModelPlan:
        return self.models[self.root]


# --- the fast path -------------------------------------------------------------------------------


class _Declined(Exception):
    """The input is not certainly valid; pydantic is to decide."""


_MISSING = object()
Normalise = Callable[[str, str], "str | None"]
Check = Callable[[Any, Normalise], Any]


def fast_validate(plan: RecordPlan, data: Any, enums: EnumTable) -> dict[str, Any] | None:
    """What pydantic would make of ``data`` (validated, dumped by alias), or None: declined.

    None means nothing about the record's validity, only that pydantic must be asked.
    """
    if not isinstance(enums, EnumTable):
        return None
    try:
        result: dict[str, Any] = _compiled(plan)[plan.root](data, enums.alias_table())
    except (_Declined, KeyError):  # KeyError: an enumeration the table lacks
        return None
    return result


@cache
def _compiled(plan: RecordPlan) -> dict[str, Generated]:
    """A validating function per model, made once per plan (functions do not pickle): the
    generated ones (`_generate`), which decide what the interpreter (`_interpreted`) does."""
    return _generate(plan)


# A generated validator: the value, and the enumerations' alias tables (EnumTable.alias_table).
Generated = Callable[[Any, Mapping[str, Mapping[str, str]]], Any]


@cache
def _interpreted(plan: RecordPlan) -> dict[str, Check]:
    """The plan interpreted: a closure per field and per value (the reference of `_generate`)."""
    compiled: dict[str, Check] = {}
    for name, model in plan.models.items():
        compiled[name] = _model_check(model, compiled)
    return compiled


def _model_check(model: ModelPlan, compiled: Mapping[str, Check]) -> Check:
    if any(f.kind == OPAQUE for f in model.fields):
        return _decline
    specs = tuple(
        (
            f.alias,
            f.required,
            f.optional,
            f.many,
            f.min_length,
            not f.excluded,
            f.default,
            isinstance(f.default, (list, dict)),
            _value_check(f, compiled),
        )
        for f in model.fields
    )

    def check(value: Any, normalise: Normalise) -> dict[str, Any]:
        if type(value) is not dict:
            raise _Declined
        out: dict[str, Any] = {}
        found = 0
        for alias, required, optional, many, min_length, keep, default, fresh, item in specs:
            given = value.get(alias, _MISSING)
            if given is _MISSING:
                if required:
                    raise _Declined
                if keep:
                    out[alias] = _fresh(default) if fresh else default
                continue
            found += 1
            if given is None:
                if not optional:
                    raise _Declined
                result = None
            elif many:
                if type(given) is not list or len(given) < min_length:
                    raise _Declined
                result = [item(one, normalise) for one in given]
            else:
                result = item(given, normalise)
            if keep:
                out[alias] = result
        # A key no field reads: unknown, or a field given by its Python name (`from_`).
        if found != len(value):
            raise _Declined
        return out

    return check


def _decline(value: Any, normalise: Normalise) -> Any:
    raise _Declined


def _fresh(value: Any) -> Any:
    # Every list and dict of the validated data must be its own object (RecordData.pointers).
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    return value


def _value_check(plan: FieldPlan, compiled: Mapping[str, Check]) -> Check:
    """The check of one value (one item of a list field)."""
    kind = plan.kind
    if kind in (STR, BOOL):
        # Exactly this type: pydantic would also take, e.g., bytes for a str or 1 for a bool.
        exact = str if kind == STR else bool

        def check(value: Any, normalise: Normalise) -> Any:
            if type(value) is exact:
                return value
            raise _Declined

    elif kind == ID:
        fullmatch = ID_RE.fullmatch

        def check(value: Any, normalise: Normalise) -> Any:
            if type(value) is str and fullmatch(value):
                return value
            raise _Declined

    elif kind == ENUM:
        name = plan.enum
        assert name is not None

        def check(value: Any, normalise: Normalise) -> Any:
            if type(value) is str:
                normal = normalise(name, value)
                if normal is not None:
                    return normal
            raise _Declined

    elif kind == INT:
        low = plan.ge
        high = plan.le

        def check(value: Any, normalise: Normalise) -> Any:
            # Exactly int: pydantic would also take a bool, a float or a numeric string.
            if (
                type(value) is int
                and (low is None or value >= low)
                and (high is None or value <= high)
            ):
                return value
            raise _Declined

    elif kind == DATE:

        def check(value: Any, normalise: Normalise) -> Any:
            # A date subclass or a str subclass is left to pydantic: what it does with them is
            # not worth the doubt.
            if type(value) is str or type(value) is dt.date:
                try:
                    return to_date(value)
                except DateRefused:
                    pass
            raise _Declined

    elif kind == LITERAL:
        allowed = frozenset(plan.literal)

        def check(value: Any, normalise: Normalise) -> Any:
            if type(value) is str and value in allowed:
                return value
            raise _Declined

    elif kind == MODEL:
        target = plan.model
        assert target is not None

        def check(value: Any, normalise: Normalise) -> Any:
            return compiled[target](value, normalise)

    else:
        return _decline
    return check


# --- the plan as generated code -------------------------------------------------------------


def _generate(plan: RecordPlan) -> dict[str, Generated]:
    """The plan's models as straight-line Python: one function per model, whose fields are
    read, tested and copied inline and whose output dict is built in one expression.

    The interpreter costs a function call and a tuple unpacking for every field of every
    object, most of the validation of a large record (issue 13). Only the package's own record
    models become code, through their plan; nothing of a record or a rule pack does. And no
    text of the plan is written into the source: every alias, default, enumeration name and
    literal is bound to a generated name (`a3_1`, `d3_1`…), so the source is made of fixed
    templates and numbers only.
    """
    names = {name: f"m{i}" for i, name in enumerate(plan.models)}
    space: dict[str, Any] = {
        "Declined": _Declined,
        "MISSING": _MISSING,
        "fullmatch": ID_RE.fullmatch,
        "fresh": _fresh,
        "date_of": _date_of,
        "day": _day,
        "decline": _raise_declined,
    }
    lines: list[str] = []
    for i, model in enumerate(plan.models.values()):
        fn = names[model.name]
        lines.append(f"def {fn}(value, aliases):")
        if any(f.kind == OPAQUE for f in model.fields):
            lines.append("    raise Declined")
            continue
        lines += [
            "    if type(value) is not dict:",
            "        raise Declined",
            "    get = value.get",
            "    found = 0",
        ]
        kept: list[tuple[str, str]] = []
        for j, f in enumerate(model.fields):
            tag = f"{i}_{j}"
            space[f"a{tag}"] = f.alias
            var = f"f{j}"
            lines.append(f"    {var} = get(a{tag}, MISSING)")
            lines.append(f"    if {var} is MISSING:")
            if f.required:
                lines.append("        raise Declined")
            elif f.excluded:
                lines.append("        pass")
            else:
                space[f"d{tag}"] = f.default
                fresh = isinstance(f.default, (list, dict))
                lines.append(
                    f"        {var} = fresh(d{tag})" if fresh else f"        {var} = d{tag}"
                )
            lines.append("    else:")
            lines.append("        found += 1")
            lines.append(f"        if {var} is None:")
            lines.append("            pass" if f.optional else "            raise Declined")
            if f.many:
                lines.append(
                    f"        elif type({var}) is not list or len({var}) < {int(f.min_length)}:"
                )
                lines.append("            raise Declined")
                lines.append("        else:")
                item = _value_expr(f, "x", tag, names, space)
                lines.append(f"            {var} = [{item} for x in {var}]")
            else:
                lines.append("        else:")
                lines.append(f"            {var} = {_value_expr(f, var, tag, names, space)}")
            if not f.excluded:
                kept.append((f"a{tag}", var))
        lines += [
            "    # A key no field reads: unknown, or a field given by its Python name.",
            "    if found != len(value):",
            "        raise Declined",
            "    return {" + ", ".join(f"{a}: {v}" for a, v in kept) + "}",
        ]
    source = "\n".join(lines) + "\n"
    # Fixed templates and generated names only (see the docstring).
    exec(compiled_source(source, "<dlsh_rules record plan>"), space)
    return {name: space[fn] for name, fn in names.items()}


def _value_expr(
    f: FieldPlan, x: str, tag: str, names: dict[str, str], space: dict[str, Any]
) -> str:
    """An expression that is the validated value of ``x`` or raises (through ``decline()``)."""
    kind = f.kind
    if kind == STR:
        return f"({x} if type({x}) is str else decline())"
    if kind == BOOL:
        return f"({x} if type({x}) is bool else decline())"
    if kind == ID:
        return f"({x} if type({x}) is str and fullmatch({x}) else decline())"
    if kind == ENUM:
        assert f.enum is not None
        space[f"e{tag}"] = f.enum
        return (
            f"(n if type({x}) is str and (n := aliases[e{tag}].get({x})) is not None "
            "else decline())"
        )
    if kind == INT:
        test = f"type({x}) is int"
        if f.ge is not None:
            space[f"lo{tag}"] = f.ge
            test += f" and {x} >= lo{tag}"
        if f.le is not None:
            space[f"hi{tag}"] = f.le
            test += f" and {x} <= hi{tag}"
        return f"({x} if {test} else decline())"
    if kind == DATE:
        return f"(day({x}) if type({x}) is str else date_of({x}))"
    if kind == LITERAL:
        space[f"l{tag}"] = frozenset(f.literal)
        return f"({x} if type({x}) is str and {x} in l{tag} else decline())"
    if kind == MODEL:
        assert f.model is not None
        return f"{names[f.model]}({x}, aliases)"
    return "decline()"


def compiled_source(source: str, filename: str) -> CodeType:
    """``compile(source)``, kept in the disk cache under the digest of the source itself.

    Compiling the generated validator and walk took 20 ms, a sixth of a cold `check`; reading
    the compiled code back takes well under one. The entry is found by the source it was
    compiled from (and the code fingerprint, which includes Python's version), so it can never
    be the code of another source."""
    name = disk_cache.key("generated code", filename, source) if disk_cache.enabled() else None
    if name is not None:
        entry = disk_cache.read(name)
        if isinstance(entry, bytes):
            try:
                code = marshal.loads(entry)
            except (EOFError, ValueError, TypeError):
                code = None
            if isinstance(code, CodeType):
                return code
    code = compile(source, filename, "exec")
    if name is not None:
        disk_cache.write(name, marshal.dumps(code))
    return code


def _raise_declined() -> Any:
    raise _Declined


@lru_cache(maxsize=1024)
def _day(text: str) -> dt.date:
    """`_date_of` of a string, remembered: a record writes the same few dates many times, and
    a date is immutable, so the validated data may share it."""
    return _date_of(text)


def _date_of(value: Any) -> dt.date:
    """A date field's value, as `_value_check` validates it."""
    # A date subclass or a str subclass is left to pydantic: what it does with them is not
    # worth the doubt.
    if type(value) is str or type(value) is dt.date:
        try:
            return to_date(value)
        except DateRefused:
            pass
    raise _Declined
