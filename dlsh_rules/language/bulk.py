"""Testing conditions that cannot raise on whole lists of objects at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..evaluate.context import Context
    from .query import Condition
    from .query_leaves import Op
from .compiled import (
    COUNTS,
    Eval,
    compile_op,
    count_holds,
    count_values,
    holds_marker,
    memoised,
    op_filter,
)

# --- many objects at once ---------------------------------------------------------------------
#
# Most of what a large record holds is tested by conditions that cannot raise: `exists`, `eq`,
# `ne`, counts and text searches on plain fields. For those, which objects pass does not depend
# on the order they are tested in, nor on which tests run for an object that already failed,
# so each test can run over the whole list in one comprehension, keeping the objects that pass,
# instead of one closure call per object. A caller then gives `failures` the objects that did
# not pass, in their order, exactly as it would have met them one by one.

Keep = Callable[["Context", list[dict[str, Any]]], list[dict[str, Any]]]


def keeper(cond: Condition) -> Keep | None:
    """The comprehension that keeps the objects passing `cond`, or None when `cond` might
    raise; for a kind that keeps it with the rest of its compiled spec (`kept`, `dropped`)."""
    return memoised("keep", cond, lambda: _keep_condition(cond))  # type: ignore[no-any-return]


def filter_keeper(cond: Condition) -> Keep:
    """The comprehension that keeps the objects passing `cond` as a filter (`Condition.holds`),
    for every condition: the operators that might raise are tested object by object inside it.

    It evaluates, for each object, what `holds` evaluates (the operators in order until one
    fails, the alternatives of `any` until one holds), only object after object per operator
    rather than operator after operator per object: so when nothing raises it keeps what
    `holds` keeps. When something raises, the first object to raise may not be the one
    `holds` would meet first: the caller then tests the objects one by one (`filtered`)."""
    return memoised("keep filter", cond, lambda: _keep_condition(cond, loose=True))  # type: ignore[no-any-return]


def filtered(keep: Keep, cond: Condition, ctx: Context, objs: list[Any]) -> list[Any]:
    """The objects of `objs` (mappings) passing `cond`, whose `filter_keeper` is `keep`: all at
    once, or one by one (`op_filter`) when that raised."""
    try:
        return keep(ctx, objs)
    except Exception:  # the one-by-one tests below raise it again, at the first object
        holds = op_filter(cond)
        return [obj for obj in objs if holds(ctx, obj)]


def kept(keep: Keep, ctx: Context, objs: list[Any]) -> list[Any] | None:
    """`op_passing` with its condition's `keeper`, which is not None."""
    for obj in objs:
        if type(obj) is not dict:
            return None
    return keep(ctx, objs)


def dropped(keep: Keep, ctx: Context, objs: list[Any]) -> list[Any] | None:
    """`op_failing` with its condition's `keeper`, which is not None."""
    for obj in objs:
        if type(obj) is not dict:
            return None
    return _drop(objs, keep(ctx, objs))


def op_failing(cond: Condition, ctx: Context, objs: list[Any]) -> list[Any] | None:
    """The objects of `objs` that do not pass `cond` (as `holds`, or an empty `failures`), in
    order; None when `cond` might raise or `objs` are not all mappings: test them one by one.
    """
    keep: Keep | None = memoised("keep", cond, lambda: _keep_condition(cond))
    if keep is None:
        return None
    for obj in objs:
        if type(obj) is not dict:
            return None
    return _drop(objs, keep(ctx, objs))


def op_passing(cond: Condition, ctx: Context, objs: list[Any]) -> list[Any] | None:
    """The objects of `objs` that pass `cond`, in order; None as for `op_failing`."""
    keep: Keep | None = memoised("keep", cond, lambda: _keep_condition(cond))
    if keep is None:
        return None
    for obj in objs:
        if type(obj) is not dict:
            return None
    return keep(ctx, objs)


def _keep_condition(cond: Condition, loose: bool = False) -> Keep | None:
    steps: list[Keep] = []
    for op in cond.ops:
        step = _keep_op(op)
        if step is None and loose:
            step = _keep_member(op) or _keep_each(compile_op(op))
        if step is None:
            return None
        steps.append(step)
    for sub in cond.all_of:
        step = _keep_condition(sub, loose)
        if step is None:
            return None
        steps.append(step)
    alternatives: list[Keep] = []
    for sub in cond.any_of:
        step = _keep_condition(sub, loose)
        if step is None:
            return None
        alternatives.append(step)
    negated = _keep_condition(cond.negated, loose) if cond.negated is not None else None
    if cond.negated is not None and negated is None:
        return None
    if not alternatives and negated is None:
        # The commonest shapes (one test; two), without the loop over steps: a where of one
        # `kind` or `exists` is run by about a hundred selections and checks a record.
        if len(steps) == 1:
            return steps[0]
        if len(steps) == 2:
            first, second = steps
            return lambda ctx, objs: second(ctx, first(ctx, objs))

    def keep(ctx: Context, objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for step in steps:
            objs = step(ctx, objs)
        if alternatives:
            objs = _keep_any(ctx, objs, alternatives)
        if negated is not None:
            objs = _drop(objs, negated(ctx, objs))
        return objs

    return keep


def _keep_any(ctx: Context, objs: list[dict[str, Any]], alternatives: list[Keep]) -> list[Any]:
    """The objects that pass one of the alternatives: each tried on those the others failed."""
    passed: list[dict[str, Any]] = []
    rest = objs
    for alternative in alternatives:
        if not rest:
            break
        kept = alternative(ctx, rest)
        passed.extend(kept)
        rest = _drop(rest, kept)
    if len(passed) == len(objs):
        return objs
    chosen = {id(o) for o in passed}
    return [o for o in objs if id(o) in chosen]


def _keep_member(op: Op) -> Keep | None:
    """`in`, `any_of`, `not_in` and `in_set` on one plain field holding a text, a set look-up in
    place; any other value goes to the operator's own test (which may raise: `filter_keeper`
    only). As `compiled._single_field_test` and `_in_set_test` test a text."""
    name = op.path.single
    if name is None or op.only is not None or op.normalise != "exact":
        return None
    test = compile_op(op)
    if op.name == "in_set":
        set_name = op.arg

        def in_set(ctx: Context, objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if not objs:
                return objs
            keys = ctx.set_keys(set_name)
            return [
                o for o in objs if (v in keys if type(v := o.get(name)) is str else test(ctx, o))
            ]

        return in_set
    if op.name not in ("in", "any_of", "not_in"):
        return None
    try:
        allowed = op.norm_set
    except TypeError:  # an unhashable argument: the operator's own test raises at every object
        return None
    if op.name == "not_in":
        return lambda ctx, objs: [
            o for o in objs if (v not in allowed if type(v := o.get(name)) is str else test(ctx, o))
        ]
    return lambda ctx, objs: [
        o for o in objs if (v in allowed if type(v := o.get(name)) is str else test(ctx, o))
    ]


def _keep_each(test: Eval) -> Keep:
    """An operator that might raise, tested object by object (`filter_keeper` only)."""
    return lambda ctx, objs: [o for o in objs if test(ctx, o)]


def _drop(objs: list[Any], some: list[Any]) -> list[Any]:
    """`objs` without `some` (a sub-list of it), by identity, in order."""
    if not some:
        return objs
    if len(some) == len(objs):
        return []
    gone = {id(o) for o in some}
    return [o for o in objs if id(o) not in gone]


def _keep_op(op: Op) -> Keep | None:
    """A comprehension keeping the mappings whose plain field passes `op`, for the operators
    that cannot raise; values of an unusual shape go to the operator's own test.

    Each reads the field as `_single_field_test` does and keeps exactly the mappings for which
    that test (and so `Op.holds`) is true.
    """
    name = op.path.single
    if name is None or op.only is not None or op.normalise != "exact":
        return None
    kind, arg = op.name, op.arg
    test = compile_op(op)
    if kind == "exists":
        if arg:
            return lambda ctx, objs: [
                o
                for o in objs
                if (v := o.get(name)) is not None
                and (
                    v.strip() if type(v) is str else not isinstance(v, (list, str)) or test(ctx, o)
                )
            ]
        return lambda ctx, objs: [
            o
            for o in objs
            if (v := o.get(name)) is None
            or (not v.strip() if type(v) is str else isinstance(v, (list, str)) and test(ctx, o))
        ]
    if kind == "eq":
        return lambda ctx, objs: [
            o
            for o in objs
            if (v := o.get(name)) is not None
            and (test(ctx, o) if isinstance(v, list) else arg in (v,))
        ]
    if kind == "ne":
        return lambda ctx, objs: [
            o
            for o in objs
            if (v := o.get(name)) is None
            or (test(ctx, o) if isinstance(v, list) else arg not in (v,))
        ]
    if kind in COUNTS and type(arg) is int:  # not a ratio, which needs the object
        return lambda ctx, objs: [
            o for o in objs if count_holds(kind, count_values(o.get(name)), arg)
        ]
    if kind in ("text_contains_any", "text_contains_none"):
        markers = op.norm_args
        if not markers or not all(isinstance(m, str) for m in markers):
            return None  # `in` raises on a marker that is not a text
        search = holds_marker(markers)
        if kind == "text_contains_any":
            return lambda ctx, objs: [
                o for o in objs if (search(v) if type(v := o.get(name)) is str else test(ctx, o))
            ]
        return lambda ctx, objs: [
            o for o in objs if (not search(v) if type(v := o.get(name)) is str else test(ctx, o))
        ]
    return None
