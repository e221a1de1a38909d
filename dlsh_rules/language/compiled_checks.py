"""Conditions compiled for the kinds' checks, on compiled.py's filters and operator tests.

A filter (`compiled.op_filter`) may stop at the first test that fails; a check may not always:
`Condition.failures` evaluates every operator and every alternative of `any`, and an operator
that raises makes the rule's status `error` even after another has failed. Here are the
closures a kind checks objects with: `op_passes` (stops at the first failure, after which the
caller runs `failures`), `op_exhaustive` (evaluates all that `failures` evaluates) and
`op_checker` (the failures themselves), and the two questions that say what may be skipped
(`cannot_raise`, `messages_safe`).

They were moved out of compiled.py verbatim when it reached the 800-line limit
(tests/test_layout.py). compiled.py does not use them, so this module stands after it and
imports it; the kinds import these names from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..evaluate.context import Context
    from .query import Condition
from .compiled import COUNTS, Eval, all_hold, compile_op, memoised, op_filter, op_tests
from .messages import Failure

Checker = Callable[["Context", Any], list[Failure]]


def _exhaustive(cond: Condition) -> Eval:
    """Whether `cond.failures` is empty, evaluating everything `failures` evaluates.

    `failures` tests every operator and every alternative of `any`, and the negated condition in
    full, whatever the outcome so far: an operator that raises makes the rule's status `error`
    even when an earlier one already failed, so nothing here may stop early.
    """
    return memoised("full", cond, lambda: _build_exhaustive(cond))  # type: ignore[no-any-return]


def cannot_raise(cond: Condition) -> bool:
    """Whether evaluating `cond` on any object cannot raise: only `exists`, `eq`, `ne`, counts
    by a number and text searches for texts, each on one plain field (what `bulk.keeper` tests
    all at once, tests/test_kinds_fast.py checks), in every part. Such a condition may be
    evaluated less than `failures` evaluates it: nothing it skips could have raised."""
    for op in cond.ops:
        if op.path.single is None or op.only is not None or op.normalise != "exact":
            return False
        if op.name in COUNTS:
            if type(op.arg) is not int:
                return False
        elif op.name in ("text_contains_any", "text_contains_none"):
            if not op.arg or not all(isinstance(marker, str) for marker in op.arg):
                return False
        elif op.name not in ("exists", "eq", "ne"):
            return False
    subs = (*cond.all_of, *cond.any_of, *((cond.negated,) if cond.negated is not None else ()))
    return all(cannot_raise(sub) for sub in subs)


def _build_exhaustive(cond: Condition) -> Eval:
    if cannot_raise(cond):
        # Whether `failures` is empty is whether the condition holds; as nothing of it can
        # raise, it may stop where a filter stops.
        return op_filter(cond)
    tests = tuple([compile_op(op) for op in cond.ops] + [_exhaustive(c) for c in cond.all_of])
    alternatives = tuple(_exhaustive(c) for c in cond.any_of)
    negated = _exhaustive(cond.negated) if cond.negated is not None else None
    if not alternatives and negated is None and len(tests) == 1:
        return tests[0]

    def passes(ctx: Context, obj: Any) -> bool:
        ok = True
        for test in tests:
            if not test(ctx, obj):
                ok = False
        if alternatives and not any([alternative(ctx, obj) for alternative in alternatives]):
            ok = False
        if negated is not None and negated(ctx, obj):
            ok = False
        return ok

    return passes


def _until_failure(cond: Condition) -> Eval:
    """Whether `cond.failures` is empty; may stop at the first failure.

    Up to the first failure it evaluates what `failures` evaluates, in the same order; after a
    failure the caller runs `failures` itself, which evaluates everything again (and raises where
    it raises). Alternatives of `any` and a negated condition are evaluated in full, because one
    failing alternative is not yet a failure.
    """
    return memoised("first", cond, lambda: _build_until_failure(cond))  # type: ignore[no-any-return]


def _build_until_failure(cond: Condition) -> Eval:
    tests = op_tests(cond.ops) + [_until_failure(c) for c in cond.all_of]
    alternatives = tuple(_exhaustive(c) for c in cond.any_of)
    negated = _exhaustive(cond.negated) if cond.negated is not None else None
    if not alternatives and negated is None and tests:
        return all_hold(tests)
    # Every alternative is evaluated, as `failures` does, except those that cannot raise once
    # one has held (`cannot_raise`): skipping them changes nothing (a talk's content: its
    # `covers`, else four text searches of its topic).
    may_raise = tuple(not cannot_raise(c) for c in cond.any_of)
    if len(alternatives) == 2 and negated is None and not tests:
        first, second = alternatives
        if not may_raise[1]:
            return lambda ctx, obj: first(ctx, obj) or second(ctx, obj)

        def either(ctx: Context, obj: Any) -> bool:
            one = first(ctx, obj)  # both evaluated, as `failures` does
            return second(ctx, obj) or one

        return either
    own = all_hold(tests) if tests else None
    steps = tuple(zip(alternatives, may_raise, strict=True))

    def passes(ctx: Context, obj: Any) -> bool:
        if own is not None and not own(ctx, obj):
            return False
        if steps:
            held = False
            for alternative, raises in steps:
                if (not held or raises) and alternative(ctx, obj):
                    held = True
            if not held:
                return False
        return not (negated is not None and negated(ctx, obj))

    return passes


def op_exhaustive(cond: Condition) -> Eval:
    """Whether `cond.failures` is empty, evaluating every test `failures` evaluates (and raising
    where they raise) without writing a failure's messages."""
    return _exhaustive(cond)


def messages_safe(cond: Condition) -> bool:
    """Whether writing `cond.failures`' messages cannot raise once its tests have run without
    raising (`op_exhaustive`): they show values with ``str`` and look labels up, except the
    text operators', which join their markers and raise on one that is not a text (a test
    that met no text never looked at them)."""
    for op in cond.ops:
        if op.name in ("text_contains_any", "text_contains_none") and not all(
            isinstance(marker, str) for marker in op.arg
        ):
            return False
        if op.only is not None and not messages_safe(op.only):
            return False
    subs = (*cond.all_of, *cond.any_of, *((cond.negated,) if cond.negated is not None else ()))
    return all(messages_safe(sub) for sub in subs)


def op_passes(cond: Condition) -> Eval:
    """Whether `cond.failures` is empty; an object that does not pass must then be given to
    `failures` (before the next object), which evaluates everything and raises where it raises.
    """
    return _until_failure(cond)


def op_checker(cond: Condition) -> Checker:
    """`cond.failures` as a closure: an empty list at once for an object that passes."""

    def build() -> Checker:
        passes = _until_failure(cond)
        failures = cond.failures

        def check(ctx: Context, obj: Any) -> list[Failure]:
            if passes(ctx, obj):
                return []
            return failures(ctx, obj)

        return check

    return memoised("check", cond, build)  # type: ignore[no-any-return]
