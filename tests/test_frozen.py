"""Frozen models (frozen.py): what the engine reads instead of the pydantic rule models."""

from __future__ import annotations

import pickle

import pytest

from dlsh_rules.language.models import EachSpec, I18n
from dlsh_rules.pack.frozen import Frozen, freeze, kind_of


def _spec() -> EachSpec:
    return EachSpec.model_validate(
        {"kind": "each", "select": "people", "require": {"name": {"exists": True}}}
    )


def test_a_frozen_model_has_the_models_fields_and_values() -> None:
    model = _spec()
    frozen = freeze(model)
    assert kind_of(frozen) == "EachSpec"
    assert list(frozen.fields()) == list(type(model).model_fields)
    for name in type(model).model_fields:
        assert getattr(frozen, name) == getattr(model, name)


def test_nested_models_are_frozen_too() -> None:
    frozen = freeze({"a": [I18n(zh="甲", en="A")]})
    inner = frozen["a"][0]
    assert isinstance(inner, Frozen) and (inner.zh, inner.en) == ("甲", "A")


def test_a_frozen_model_is_read_only() -> None:
    frozen = freeze(_spec())
    with pytest.raises(AttributeError, match="read-only"):
        frozen.min_items = 3
    with pytest.raises(AttributeError, match="read-only"):
        del frozen.select


def test_a_frozen_model_survives_pickling_equal() -> None:
    frozen = freeze(_spec())
    again = pickle.loads(pickle.dumps(frozen))
    assert again == frozen and hash(again) == hash(frozen)
    assert again != freeze(
        EachSpec.model_validate(
            {"kind": "each", "select": "talks", "require": {"id": {"exists": True}}}
        )
    )
    assert repr(again).startswith("EachSpec(")


def test_kind_of_anything_else_is_empty() -> None:
    assert kind_of({"kind": "each"}) == "" and kind_of(None) == ""
