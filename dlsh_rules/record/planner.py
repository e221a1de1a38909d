"""The plan of the fast record validator (recordplan.py), derived from the pydantic record models.

Only record.py imports this module, when the plan is not in the disk cache: it reads the models
and pydantic's field information (`model_fields`, `FieldInfo.metadata`, annotations), so it
imports pydantic. What it does not understand becomes an `OPAQUE` field, which the fast path
declines to judge: a model that grows a validator or a type of another sort makes records go to
pydantic, slower but the same, and the test that every example is accepted fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Collection
from typing import Any

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    PlainSerializer,
    PlainValidator,
    Strict,
    WithJsonSchema,
)
from pydantic.fields import FieldInfo

from .models import EXACTLY_ONE, OBJECT_KINDS, EnumValue, Record, _date, _id, _iso
from .plan import (
    BOOL,
    DATE,
    ENUM,
    ID,
    INT,
    LITERAL,
    MODEL,
    OPAQUE,
    STR,
    FieldPlan,
    ModelPlan,
    RecordPlan,
    Ref,
)


def _model_key(model: type[BaseModel]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def build_plan(exclude: Collection[str] = ()) -> RecordPlan:
    """The plan of `models.Record` and every model under it; ``exclude`` names the fields of the
    record left out of the validated data (validated all the same), as the serializer is told.
    """
    models: dict[str, ModelPlan] = {}
    pending: list[type[BaseModel]] = [Record]
    while pending:
        model = pending.pop()
        key = _model_key(model)
        if key in models:
            continue
        trusted = _plain_model(model)
        fields = []
        for name, info in model.model_fields.items():
            plan = _field_plan(name, info, model is Record and name in exclude, trusted)
            fields.append(plan)
            if plan.model is not None:
                pending.append(_submodel(info))
        aliases = {f.name: f.alias for f in fields}
        exactly_one = tuple(
            tuple(aliases[name] for name in group) for group in EXACTLY_ONE.get(model, ())
        )
        models[key] = ModelPlan(key, OBJECT_KINDS.get(model), tuple(fields), exactly_one)
    return RecordPlan(_model_key(Record), models)


def _submodel(info: FieldInfo) -> type[BaseModel]:
    inner = unwrap(info.rebuild_annotation())[1]
    assert isinstance(inner, type) and issubclass(inner, BaseModel)
    return inner


def unwrap(annotation: Any) -> tuple[bool, Any, Ref | None]:
    """(is a list, inner type, Ref marker) of a field annotation."""
    many = False
    ref: Ref | None = None
    current = annotation
    for _ in range(6):
        origin = typing.get_origin(current)
        if origin is typing.Annotated:
            for meta in current.__metadata__:
                if isinstance(meta, Ref):
                    ref = meta
            current = typing.get_args(current)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(current) if a is not type(None)]
            current = args[0]
        elif origin is list:
            many = True
            current = typing.get_args(current)[0]
        else:
            break
    return many, current, ref


# Model settings whose effect on validating a dict the fast path knows, with the values it
# knows: it declines unknown keys and fields given by their Python names whatever `extra` and
# `populate_by_name` say, and the data is dumped with `by_alias=True`. (pydantic adds
# `validate_by_alias` and `validate_by_name` to a model's settings when it builds it.)
_KNOWN_CONFIG: dict[str, Callable[[Any], bool]] = {
    "extra": lambda value: True,
    "populate_by_name": lambda value: True,
    "validate_by_name": lambda value: True,
    "validate_by_alias": lambda value: value is True,
    "serialize_by_alias": lambda value: True,
    "frozen": lambda value: True,
    "defer_build": lambda value: True,
    "json_schema_extra": lambda value: True,
    "title": lambda value: True,
}


def _plain_model(model: type[BaseModel]) -> bool:
    """Whether pydantic validates ``model`` from its fields alone: no validators, serializers or
    settings of the model's own that the fast path would have to imitate."""
    decorators = model.__pydantic_decorators__
    return (
        all(
            name in _KNOWN_CONFIG and _KNOWN_CONFIG[name](value)
            for name, value in model.model_config.items()
        )
        and not any(getattr(decorators, f.name) for f in dataclasses.fields(decorators))
        and not model.model_computed_fields
        and not model.__pydantic_root_model__
        and model.model_post_init is BaseModel.model_post_init
        and model.__get_pydantic_core_schema__.__func__  # type: ignore[attr-defined]
        is BaseModel.__get_pydantic_core_schema__.__func__  # type: ignore[attr-defined]
    )


def _field_plan(name: str, info: FieldInfo, excluded: bool, trusted: bool) -> FieldPlan:
    many, inner, ref = unwrap(info.rebuild_annotation())
    sub = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    walk: dict[str, Any] = {
        "name": name,
        "alias": info.alias or name,
        "many": many,
        "model": _model_key(sub) if sub is not None else None,
        "ref": ref,
        "excluded": excluded,
        "required": info.is_required(),
    }
    if not (trusted and _plain_field(info)):
        return FieldPlan(kind=OPAQUE, **walk)
    shape = _shape(info.rebuild_annotation())
    default = None if info.is_required() else _plain_default(info)
    if (
        shape is None
        or default is _OPAQUE_DEFAULT
        or shape.pop("many", False) != many
        or shape.pop("model", None) != walk["model"]
    ):
        return FieldPlan(kind=OPAQUE, **walk)
    return FieldPlan(default=default, **walk, **shape)


def _plain_field(info: FieldInfo) -> bool:
    """Whether the field has no setting beyond its alias, default and constraints."""
    alias = info.alias
    return (
        info.validation_alias in (None, alias)
        and info.serialization_alias in (None, alias)
        and not info.exclude
        and not info.validate_default
        and info.discriminator is None
        # pydantic 2.10+: a factory given the data validated so far
        and not getattr(info, "default_factory_takes_validated_data", False)
    )


_OPAQUE_DEFAULT = object()
_IMMUTABLE = (type(None), bool, int, str, dt.date)


def _plain_default(info: FieldInfo) -> Any:
    """The field's default as the serializer writes it, or _OPAQUE_DEFAULT."""
    # Not FieldInfo.get_default: it inspects the factory's signature again (_plain_field did).
    factory = info.default_factory
    value = info.default if factory is None else factory()  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    return value if _is_plain(value) else _OPAQUE_DEFAULT


def _is_plain(value: Any) -> bool:
    if type(value) in _IMMUTABLE:
        return True
    if type(value) is list:
        return all(_is_plain(item) for item in value)
    if type(value) is dict:
        return all(type(k) is str and _is_plain(v) for k, v in value.items())
    return False


def _shape(annotation: Any) -> dict[str, Any] | None:
    """What FieldPlan says about the values of an annotation, or None if it is beyond the plan.

    Only what the record models use is understood: str, int, bool, a Literal of strings, a
    model, a date validated by `models._date`, a list of one of them, optional (`| None`), and
    the metadata `Ref`, `EnumValue`, the id validator, ge/le bounds and min_length.
    """
    node = _node(annotation)
    if node is None or node["kind"] == _RAW_DATE:
        return None
    return node


_RAW_DATE = "raw date"  # dt.date before models._date takes it over


def _node(annotation: Any) -> dict[str, Any] | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *metadata = typing.get_args(annotation)
        node = _node(inner)
        for meta in metadata:
            if node is None:
                return None
            node = _apply(node, meta)
        return node
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        rest = [arg for arg in args if arg is not type(None)]
        if len(args) != 2 or len(rest) != 1:
            return None
        node = _node(rest[0])
        if node is None or node.get("optional"):
            return None
        return {**node, "optional": True}
    if origin is list:
        (item,) = typing.get_args(annotation)
        node = _node(item)
        if node is None or node.get("optional") or node.get("many") or node["kind"] == _RAW_DATE:
            return None
        return {**node, "many": True}
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        if not values or not all(type(v) is str for v in values):
            return None
        return {"kind": LITERAL, "literal": tuple(values)}
    if annotation is str:
        return {"kind": STR}
    if annotation is bool:
        return {"kind": BOOL}
    if annotation is int:
        return {"kind": INT}
    if annotation is dt.date:
        return {"kind": _RAW_DATE}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"kind": MODEL, "model": _model_key(annotation)}
    return None


def _apply(node: dict[str, Any], meta: Any) -> dict[str, Any] | None:
    """``node`` with one item of `Annotated` metadata applied, or None if it is not understood.

    Metadata on an optional value would see None too (an `EnumValue` would be asked about it),
    so only `WithJsonSchema`, which does not validate, is taken there.
    """
    if isinstance(meta, WithJsonSchema):
        return node
    if node.get("optional"):
        return None
    kind = node["kind"]
    many = node.get("many", False)
    if isinstance(meta, Ref) and kind == STR and not many:
        return node
    if isinstance(meta, EnumValue) and kind == STR and not many:
        return {**node, "kind": ENUM, "enum": meta.name}
    if isinstance(meta, AfterValidator) and meta.func is _id and kind == STR and not many:
        return {**node, "kind": ID}
    if isinstance(meta, PlainValidator) and meta.func is _date and kind == _RAW_DATE:
        return {**node, "kind": DATE}
    if (
        isinstance(meta, PlainSerializer)
        and meta.func is _iso
        and meta.when_used == "json"  # the data is dumped in Python mode: dates stay dates
        and kind == DATE
        and not many
    ):
        return node
    if kind == INT and not many:
        if isinstance(meta, Strict) and meta.strict:
            return node  # the fast path takes exactly int already (recordplan.py)
        if isinstance(meta, annotated_types.Ge) and type(meta.ge) is int and "ge" not in node:
            return {**node, "ge": meta.ge}
        if isinstance(meta, annotated_types.Le) and type(meta.le) is int and "le" not in node:
            return {**node, "le": meta.le}
    if isinstance(meta, annotated_types.MinLen) and many and "min_length" not in node:
        return {**node, "min_length": meta.min_length}
    if isinstance(meta, FieldInfo) and meta.is_required() and _plain_field(meta):
        # `Annotated[int, Field(ge=1)]` inside a list: its constraints are its metadata.
        if meta.alias is not None:
            return None
        applied: dict[str, Any] | None = node
        for inner in meta.metadata:
            if applied is None:
                return None
            applied = _apply(applied, inner)
        return applied
    return None
