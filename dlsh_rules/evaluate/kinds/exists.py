"""`exists`: at least `min` selected objects satisfy a condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import Text
from ...language.compiled_checks import op_checker
from ...language.messages import NONE, judged_of_failures

if TYPE_CHECKING:
    from ...language.models import ExistsSpec
    from ..context import Context
from .base import (
    Outcome,
    check_due,
    earliest_due,
    field_pointer,
    join_failures,
    make_finding,
    subject_key_of,
    what_text,
)

# --- exists: at least `min` selected objects satisfy a condition ---------------------------------


def check_exists(ctx: Context, spec: ExistsSpec) -> Outcome:
    items = [ctx.as_object(i) for i in spec.select.items(ctx)]
    what = what_text(spec, "所要求的记录", "the required entry")
    if spec.require is None:
        good, failing = items, []
    else:
        require = op_checker(spec.require)
        verdicts = [(item, require(ctx, item)) for item in items]
        good = [item for item, f in verdicts if not f]
        failing = [(item, f) for item, f in verdicts if f]
    out = Outcome(checked=1)
    minimum = spec.min
    needed = minimum if isinstance(minimum, int) else minimum.needed(ctx)[0]
    if len(good) >= needed:
        return out
    path = ctx.selection_pointer(spec.select)
    own_due = check_due(ctx, spec)
    if not items:
        out.findings.append(
            make_finding(
                spec,
                None,
                Text(f"未记录{what.zh}", f"no {what.en} is recorded"),
                subject_name=what,
                path=path,
                due=own_due,
                expected=what,
                found=NONE,
            )
        )
        return out
    for item, failures in failing:
        key = subject_key_of(ctx, item, None)
        name = ctx.name(key) if key else what
        expected, found = join_failures(failures)
        out.findings.append(
            make_finding(
                spec,
                key,
                Text(
                    f"{name.zh}不符合要求：应{expected.zh}；实际为 {found.zh}",
                    f"{name.en} does not qualify: expected {expected.en}; found {found.en}",
                ),
                subject_name=name,
                path=field_pointer(ctx.pointer_of(item), failures[0]),
                due=earliest_due(failures) or own_due,
                expected=expected,
                found=found,
                judged=judged_of_failures(failures),
            )
        )
    if not failing:  # enough objects were not found at all
        of_zh = of_en = ""
        if not isinstance(minimum, int):  # a ratio: say where the number comes from
            of = minimum.describe(ctx, minimum.needed(ctx)[1], "项")
            of_zh, of_en = f"（{of.zh}）", f" ({of.en})"
        out.findings.append(
            make_finding(
                spec,
                None,
                Text(
                    f"{what.zh}应至少 {needed} 项{of_zh}，实际 {len(good)} 项",
                    f"at least {needed} × {what.en} required{of_en}, found {len(good)}",
                ),
                subject_name=what,
                path=path,
                due=own_due,
            )
        )
    return out
