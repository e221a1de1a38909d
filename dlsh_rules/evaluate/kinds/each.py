"""`each`: every selected object satisfies a condition."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ...errors import Text
from ...language.bulk import Keep, dropped, keeper, kept
from ...language.compiled import Eval, memoised, op_filter
from ...language.compiled_checks import op_passes
from ...language.messages import judged_of_failures

if TYPE_CHECKING:
    from ...language.models import EachSpec
    from ..context import Context
from .base import (
    Outcome,
    check_due,
    earliest_due,
    field_pointer,
    join_failures,
    make_finding,
    plain_text,
    subject_key_of,
    what_text,
)

# --- each: every selected object satisfies a condition -------------------------------------------


# Off, every check takes the general steps below; tests/test_kinds_fast.py compares the two.
FAST = True


def check_each(ctx: Context, spec: EachSpec) -> Outcome:
    if FAST:
        quiet = _quiet_check(spec)(ctx)
        if quiet is not None:
            return quiet
    plan = _plan(spec)
    keep_when, when, keep_require, passes = plan
    as_object = ctx.as_object
    items = [i if type(i) is dict else as_object(i) for i in spec.select.items(ctx)]
    if when is not None:
        selected = kept(keep_when, ctx, items) if keep_when is not None else None
        if selected is None:
            selected = [i for i in items if when(ctx, i)]
        items = selected
    out = Outcome(checked=max(len(items), 1 if spec.min_items else 0))
    own_due = check_due(ctx, spec)
    if len(items) < spec.min_items:
        what = what_text(spec, "符合条件的记录", "matching entries")
        out.findings.append(
            make_finding(
                spec,
                None,
                Text(
                    f"应至少有 {spec.min_items} 项{what.zh}，实际 {len(items)} 项",
                    f"expected at least {spec.min_items} {what.en}, found {len(items)}",
                ),
                subject_name=Text("", ""),
                path=ctx.selection_pointer(spec.select),
                due=own_due,
                expected=Text(f"至少 {spec.min_items} 项", f"at least {spec.min_items}"),
                found=plain_text(str(len(items))),
            )
        )
    # The objects that fail, when the condition cannot raise and can test them all at once;
    # else each object is tested, and given to failures() right away if it does not pass.
    failing = dropped(keep_require, ctx, items) if keep_require is not None else None
    failures_of = spec.require.failures
    for obj in items if failing is None else failing:
        if failing is None and passes(ctx, obj):
            continue
        failures = failures_of(ctx, obj)
        if not failures:
            continue
        key = subject_key_of(ctx, obj, spec.subject)
        name = ctx.name(key) if key else what_text(spec, "记录项", "entry")
        expected, found = join_failures(failures)
        base = ctx.pointer_of(obj)
        out.findings.append(
            make_finding(
                spec,
                key,
                Text(
                    f"{name.zh}：应{expected.zh}；实际为 {found.zh}",
                    f"{name.en}: expected {expected.en}; found {found.en}",
                ),
                subject_name=name,
                path=field_pointer(base, failures[0]),
                due=earliest_due(failures) or own_due,
                expected=expected,
                found=found,
                judged=judged_of_failures(failures),
            )
        )
    return out


Plan = tuple["Keep | None", "Eval | None", "Keep | None", Eval]


def _plan(spec: EachSpec) -> Plan:
    """What the check runs, compiled once per spec: `when` all at once (or None when it might
    raise) and one by one, `require` all at once (or None) and one by one. One look-up per
    check where there were four (issue 13: `each` is 70 of the pack's checks)."""

    def build() -> Plan:
        when = spec.when
        return (
            keeper(when) if when is not None else None,
            op_filter(when) if when is not None else None,
            keeper(spec.require),
            op_passes(spec.require),
        )

    return memoised("each", spec, build)  # type: ignore[no-any-return]


def _quiet_check(spec: EachSpec) -> Callable[[Context], Outcome | None]:
    """The check as one closure that decides only that nothing fails (issue 13: 70 `each`
    checks a record, each about 7 µs of steps when all its objects pass): the outcome then,
    else None, and the steps above run from the start. Up to where it gives up it evaluates
    what they evaluate, in their order (selection, `when`, the due date, `require` until the
    first object that fails), so an exception it meets is the one they meet."""

    def build() -> Callable[[Context], Outcome | None]:
        keep_when, when, keep_require, passes = _plan(spec)
        select, due, min_items = spec.select, spec.due, spec.min_items

        def quiet(ctx: Context) -> Outcome | None:
            items = select.items(ctx)
            for item in items:
                if type(item) is not dict:
                    return None  # ids to follow: the steps above
            if when is not None:
                items = (
                    keep_when(ctx, items)
                    if keep_when is not None
                    else [i for i in items if when(ctx, i)]
                )
            if len(items) < min_items:
                return None
            if due is not None:
                due.resolve(ctx)
            if keep_require is not None:
                if len(keep_require(ctx, items)) != len(items):
                    return None
            else:
                for obj in items:
                    if not passes(ctx, obj):
                        return None
            return Outcome(checked=max(len(items), 1 if min_items else 0))

        return quiet

    return memoised("each, quiet", spec, build)  # type: ignore[no-any-return]
