"""The rule language's data queries: selections, date bounds and conditions.

Rule files are data. Everything a rule says about the record is written with three pieces, all
compiled once when the pack is loaded:

* a **path** (``owner.role``, ``feedback.date``, ``participants``; `paths.py`) walks fields;
  a string that is the id of an object in the record is followed to that object when the path
  goes on, and lists are flattened, so a path always yields a list of values;
* a **selection** (``{from: talks, where: {...}}``, ``{set: members}``) yields objects or values;
* a **condition** (``{mode: in_person, participants: {count: 2}}``) holds or fails for one
  object, and when it fails it says what was expected and what was found.

The three refer to each other (a selection filters with a condition, a condition's date bound
counts from a selection), so they are parsed together, here. The operators are in
`operators.py`, their messages in `messages.py`, and the compiled forms the kinds run in
`compiled.py` and `bulk.py`. Nothing evaluates strings as code; the only operators are the ones
in ``operators.FAILURE_TESTS``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..dates import Offset
from ..errors import Text

if TYPE_CHECKING:
    from ..evaluate.context import Context
from .bulk import op_passing
from .compiled import op_filter
from .messages import Failure, zh_path
from .normalise import NORMALISATIONS, SpecError, normalise
from .operators import COUNT_OPS, DATE_OPS, FAILURE_TESTS, LIST_OPS, OPERATORS, PASSES
from .paths import Path, follow_id, key_of

# --- selections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Where things come from: a record path, a named set, literal values, or a combination."""

    source: Path | None = None
    set_name: str | None = None
    literal: tuple[Any, ...] | None = None
    union: tuple[Selection, ...] = ()
    where: Condition | None = None
    path: Path | None = None
    minus: Selection | None = None
    spec: Any = None

    @staticmethod
    def parse(spec: Any, where: str = "") -> Selection:
        if isinstance(spec, str):
            spec = {"from": spec}
        if isinstance(spec, list):
            spec = {"values": spec}
        if not isinstance(spec, dict):
            raise SpecError(
                "a selection is a mapping with 'from', 'set', 'values' or 'union'", where
            )
        allowed = {"from", "set", "values", "union", "where", "path", "minus"}
        unknown = set(spec) - allowed
        if unknown:
            raise SpecError(
                f"unknown key(s) {sorted(unknown)} in selection; allowed: {sorted(allowed)}", where
            )
        roots = [k for k in ("from", "set", "values", "union") if k in spec]
        if len(roots) != 1:
            raise SpecError(
                "a selection needs exactly one of 'from', 'set', 'values', 'union'", where
            )
        try:
            return Selection(
                source=Path.parse(spec["from"]) if "from" in spec else None,
                set_name=spec.get("set"),
                literal=tuple(spec["values"]) if "values" in spec else None,
                union=tuple(
                    Selection.parse(s, f"{where}/union/{i}")
                    for i, s in enumerate(spec.get("union", []))
                ),
                where=Condition.parse(spec["where"], f"{where}/where") if "where" in spec else None,
                path=Path.parse(spec["path"]) if "path" in spec else None,
                minus=Selection.parse(spec["minus"], f"{where}/minus") if "minus" in spec else None,
                spec=_freeze(spec),
            )
        except SpecError as exc:
            if not exc.where:
                exc.where = where
            raise

    def sets_used(self) -> set[str]:
        used = {self.set_name} if self.set_name else set()
        for sub in self.union:
            used |= sub.sets_used()
        if self.minus is not None:
            used |= self.minus.sets_used()
        if self.where is not None:
            used |= self.where.sets_used()
        return used

    def items(self, ctx: Context) -> list[Any]:
        return ctx.cached(("sel", self.spec), lambda: self._items(ctx))

    def _items(self, ctx: Context) -> list[Any]:
        if self.source is not None:
            items = self.source.values(ctx, ctx.record.data)
        elif self.set_name is not None:
            items = ctx.set_items(self.set_name)
        elif self.literal is not None:
            items = list(self.literal)
        else:
            items = []
            seen: set[Any] = set()
            for sub in self.union:
                for item in sub.items(ctx):
                    key = key_of(item)
                    if key not in seen:
                        seen.add(key)
                        items.append(item)
        if self.where is not None:
            kept = op_passing(
                self.where, ctx, items
            )  # all at once, for mappings it cannot raise on
            if kept is None:
                holds = op_filter(self.where)
                kept = [item for item in items if holds(ctx, follow_id(ctx, item))]
            items = kept
        if self.path is not None:
            path = self.path
            items = [v for item in items for v in path.values(ctx, item)]
        if self.minus is not None:
            drop = {key_of(v) for v in self.minus.items(ctx)}
            items = [item for item in items if key_of(item) not in drop]
        return items

    def keys(self, ctx: Context) -> set[Any]:
        return ctx.cached(("keys", self.spec), lambda: {key_of(v) for v in self.items(ctx)})


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --- date bounds ------------------------------------------------------------------------------


MAX_OFFSET_DAYS = 36_600
MAX_OFFSET_MONTHS = 1_200


@dataclass(frozen=True)
class DateSpec:
    """A date: an offset from the meeting date, or from the earliest/latest date of a selection."""

    offset: Offset
    anchor: Selection | None = None
    pick: str = "min"

    @staticmethod
    def parse(spec: Any, where: str = "") -> DateSpec:
        if not isinstance(spec, dict):
            raise SpecError("a date bound is a mapping such as {days: -10} or {months: 1}", where)
        unknown = set(spec) - {"days", "months", "anchor", "pick"}
        if unknown:
            raise SpecError(f"unknown key(s) {sorted(unknown)} in date bound", where)
        days, months = spec.get("days", 0), spec.get("months", 0)
        if type(days) is not int or type(months) is not int:
            raise SpecError("days and months must be whole numbers", where)
        # Record dates lie in 1900–2999 (record/plan.py MIN_YEAR/MAX_YEAR); a century each way
        # keeps every deadline a real date, so date arithmetic cannot overflow while a rule runs.
        if abs(days) > MAX_OFFSET_DAYS or abs(months) > MAX_OFFSET_MONTHS:
            raise SpecError(
                f"a date offset of at most 100 years (days within ±{MAX_OFFSET_DAYS}, months"
                f" within ±{MAX_OFFSET_MONTHS}), not days {days}, months {months}",
                where,
            )
        pick = spec.get("pick", "min")
        if pick not in ("min", "max"):
            raise SpecError("pick must be 'min' or 'max'", where)
        anchor = Selection.parse(spec["anchor"], f"{where}/anchor") if "anchor" in spec else None
        return DateSpec(Offset(days=days, months=months), anchor, pick)

    def resolve(self, ctx: Context) -> dt.date | None:
        if self.anchor is None:
            return self.offset.apply(ctx.meeting_date)
        dates = [d for d in self.anchor.items(ctx) if isinstance(d, dt.date)]
        if not dates:
            return None
        return self.offset.apply(min(dates) if self.pick == "min" else max(dates))

    def describe(self, lang: str) -> str:
        if self.anchor is None:
            return self.offset.describe(lang)
        return "参照日期" if lang != "en" else "the anchor date"


@dataclass(frozen=True)
class Op:
    name: str
    arg: Any
    path: Path
    normalise: str = "exact"
    only: Condition | None = None  # test only the values (objects) that meet this

    def values(self, ctx: Context, obj: Any) -> list[Any]:
        """The values this operator tests: at the path, those meeting `only`, normalised."""
        values = self.path.values(ctx, obj)
        if self.only is not None:
            only = self.only
            values = [v for v in values if only.holds(ctx, follow_id(ctx, v))]
        norm = self.normalise
        if norm != "exact":
            values = [normalise(v, norm) if isinstance(v, str) else v for v in values]
        return values

    def check(self, ctx: Context, obj: Any) -> Failure | None:
        failure = FAILURE_TESTS[self.name](self, ctx, self.values(ctx, obj), obj)
        if failure is not None and failure.field is None:
            return Failure(failure.expected, failure.found, self.path.text, failure.due)
        return failure

    def holds(self, ctx: Context, obj: Any) -> bool:
        """Whether `check` finds nothing, without writing the messages of a failure.

        Filters (`where`, `when`, `any`) fail most of the objects they see, and a failure's
        texts cost more than the test; the commonest operators have their test on its own.
        """
        return PASSES[self.name](self, ctx, self.values(ctx, obj), obj)

    @property
    def zh_field(self) -> str:
        return zh_path(self.path.text)

    @property
    def en_field(self) -> str:
        return self.path.text.replace("@end", "end date").replace("_", " ")

    def norm(self, value: Any) -> Any:
        if self.normalise != "exact" and isinstance(value, str):
            return normalise(value, self.normalise)
        return value

    # The list operators' arguments, normalised once rather than at every object tested.

    @cached_property
    def norm_args(self) -> tuple[Any, ...]:
        return tuple(self.norm(a) for a in self.arg)

    @cached_property
    def norm_set(self) -> frozenset[Any]:
        return frozenset(self.norm_args)


@dataclass(frozen=True)
class Condition:
    """All of ``ops`` hold, all of ``all_of`` hold, one of ``any_of`` holds, ``negated`` fails."""

    ops: tuple[Op, ...] = ()
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Condition, ...] = ()
    negated: Condition | None = None
    spec: Any = field(default=None, compare=False)

    @staticmethod
    def parse(spec: Any, where: str = "") -> Condition:
        if not isinstance(spec, dict) or not spec:
            raise SpecError("a condition is a non-empty mapping of field paths to tests", where)
        ops: list[Op] = []
        all_of: list[Condition] = []
        any_of: list[Condition] = []
        negated = None
        for key, test in spec.items():
            here = f"{where}/{key}"
            if key == "all":
                all_of.extend(
                    Condition.parse(c, f"{here}/{i}") for i, c in enumerate(_as_list(test, here))
                )
            elif key == "any":
                any_of.extend(
                    Condition.parse(c, f"{here}/{i}") for i, c in enumerate(_as_list(test, here))
                )
            elif key == "not":
                negated = Condition.parse(test, here)
            else:
                try:
                    path = Path.parse(key)
                except SpecError as exc:
                    raise SpecError(str(exc), here) from None
                ops.extend(_parse_test(path, test, here))
        return Condition(tuple(ops), tuple(all_of), tuple(any_of), negated, spec)

    def sets_used(self) -> set[str]:
        used = {op.arg for op in self.ops if op.name == "in_set"}
        for sub in (*self.all_of, *self.any_of, *([self.negated] if self.negated else [])):
            used |= sub.sets_used()
        return used

    def failures(self, ctx: Context, obj: Any) -> list[Failure]:
        found = [f for op in self.ops if (f := op.check(ctx, obj)) is not None]
        for sub in self.all_of:
            found.extend(sub.failures(ctx, obj))
        if self.any_of:
            alternatives = [sub.failures(ctx, obj) for sub in self.any_of]
            if all(alternatives):
                parts = [alt[0] for alt in alternatives]
                found.append(
                    Failure(
                        Text(
                            "以下之一：" + "；或 ".join(p.expected.zh for p in parts),
                            "one of: " + "; or ".join(p.expected.en for p in parts),
                        ),
                        Text(
                            "；".join(p.found.zh for p in parts),
                            "; ".join(p.found.en for p in parts),
                        ),
                        parts[0].field,
                        next((p.due for p in parts if p.due), None),
                    )
                )
        if self.negated is not None and not self.negated.failures(ctx, obj):
            found.append(
                Failure(
                    Text(
                        "不满足：" + _describe(self.negated.spec),
                        "not: " + _describe(self.negated.spec),
                    ),
                    Text("满足", "it holds"),
                )
            )
        return found

    def holds(self, ctx: Context, obj: Any) -> bool:
        if not all(op.holds(ctx, obj) for op in self.ops):
            return False
        if any(not sub.holds(ctx, obj) for sub in self.all_of):
            return False
        if self.any_of and not any(sub.holds(ctx, obj) for sub in self.any_of):
            return False
        return not (self.negated is not None and self.negated.holds(ctx, obj))


def _describe(spec: Any) -> str:
    if isinstance(spec, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in spec.items())
    if isinstance(spec, list):
        return "[" + ", ".join(_describe(v) for v in spec) + "]"
    return str(spec)


def _as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise SpecError("expected a non-empty list of conditions", where)
    return value


def _parse_test(path: Path, test: Any, where: str) -> list[Op]:
    if isinstance(test, list):
        return [Op("any_of", tuple(test), path)]
    if not isinstance(test, dict):
        return [Op("eq", test, path)]
    norm = test.get("normalize", "exact")
    if norm not in NORMALISATIONS:
        raise SpecError(f"normalize must be one of {list(NORMALISATIONS)}, not {norm!r}", where)
    only = Condition.parse(test["where"], f"{where}/where") if "where" in test else None
    ops: list[Op] = []
    for name, arg in test.items():
        if name in ("normalize", "where"):
            continue
        if name not in FAILURE_TESTS:
            raise SpecError(
                f"unknown operator {name!r}; known operators: {', '.join(OPERATORS)}",
                f"{where}/{name}",
            )
        if name in LIST_OPS:
            if not isinstance(arg, list):
                raise SpecError(f"{name} takes a list", f"{where}/{name}")
            arg = tuple(arg)
        elif name in DATE_OPS:
            arg = DateSpec.parse(arg, f"{where}/{name}")
        elif name in COUNT_OPS:
            if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
                raise SpecError(f"{name} takes a whole number ≥ 0", f"{where}/{name}")
        elif name in ("gte", "lte"):
            if not isinstance(arg, (int, float)) or isinstance(arg, bool):
                raise SpecError(f"{name} takes a number", f"{where}/{name}")
        elif name == "exists":
            if not isinstance(arg, bool):
                raise SpecError("exists takes true or false", f"{where}/{name}")
        elif name in ("eq_field", "includes_field"):
            arg = Path.parse(arg)
        elif name == "in_set" and not isinstance(arg, str):
            raise SpecError("in_set takes the name of a set", f"{where}/{name}")
        ops.append(Op(name, arg, path, norm, only))
    if not ops:
        raise SpecError("a test needs at least one operator", where)
    return ops


# --- keys under which checks share work -------------------------------------------------------


def shared_key(*parts: Any) -> tuple[Any, ...] | None:
    """A key for `Context.cached` under which checks share work that depends only on `parts`.

    Conditions are compared by their spec as written, keys in order and values with their types
    (``true`` and ``1`` test alike but are shown differently in messages, and the order of
    operators is the order of a finding's failures); None when a part cannot be a key.
    """
    key = tuple(_condition_key(p) if isinstance(p, Condition) else p for p in parts)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _condition_key(cond: Condition) -> Any:
    if cond.spec is None:  # built in code, not parsed: only itself is known to be the same
        return ("id", id(cond))
    return _as_written(cond.spec)


def _as_written(value: Any) -> Any:
    if isinstance(value, dict):
        return ("{", tuple((_as_written(k), _as_written(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("[", tuple(_as_written(v) for v in value))
    return (type(value), value)
