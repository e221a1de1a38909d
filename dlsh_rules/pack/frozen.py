"""Validated rule-language models as plain, read-only objects that need no pydantic.

A pack is validated with the pydantic models of `language.py` and then frozen into `Frozen`
objects: the same attribute names and values, nothing else. The engine only reads attributes,
so it runs the same on either; but a frozen pack unpickles from the disk cache (cache.py)
without importing pydantic, which is most of the start-up time of a `check` run.
"""

from __future__ import annotations

from typing import Any, NoReturn


class Frozen:
    """The fields of one validated model, as attributes; ``kind_of`` names the model."""

    # Instances carry a __dict__ so that attribute reads are as fast as on any object; writes
    # are refused, as they were on the frozen pydantic models.

    def __init__(self, model: str, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)
        self.__dict__["__model__"] = model

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"{self.__dict__['__model__']} is read-only")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{self.__dict__['__model__']} is read-only")

    def fields(self) -> dict[str, Any]:
        """The fields, in the model's order."""
        return {k: v for k, v in self.__dict__.items() if k != "__model__"}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frozen) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.__dict__["__model__"], *self.fields()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.fields().items())
        return f"{self.__dict__['__model__']}({inner})"


def kind_of(value: Any) -> str:
    """The name of the model a frozen object came from ('' for anything else)."""
    return value.__dict__.get("__model__", "") if isinstance(value, Frozen) else ""


def freeze(value: Any) -> Any:
    """Replace every pydantic model inside ``value`` by a `Frozen` with the same fields."""
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, dict) and hasattr(value, "model_fields_set"):
        return Frozen(type(value).__name__, {n: freeze(getattr(value, n)) for n in fields})
    if isinstance(value, list):
        return [freeze(v) for v in value]
    if isinstance(value, tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: freeze(v) for k, v in value.items()}
    return value
