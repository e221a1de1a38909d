"""`sequence`: a list holds steps in a required order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import Text
from ...language.messages import NONE
from ...language.query import judged_of_failures

if TYPE_CHECKING:
    from ...language.models import SequenceSpec, StepSpec
    from ..context import Context
from .base import (
    Outcome,
    check_due,
    earliest_due,
    field_pointer,
    join_failures,
    make_finding,
)

# --- sequence: items appear in a required order -------------------------------------------------


def _align(ctx: Context, steps: list[StepSpec], items: list[Any]) -> dict[int, int]:
    """Step index -> item index for the longest run of steps found in order.

    A longest common subsequence (steps × items, both short), so one item out of place is
    reported as that item, not as every step after it. An item that also meets the step's
    `require` is preferred, so a stray item of the same kind before the right one is ignored.
    """
    n, m = len(steps), len(items)
    score = [[0] * (m + 1) for _ in range(n + 1)]
    fits = [[0] * m for _ in range(n)]
    for i, step in enumerate(steps):
        for j, item in enumerate(items):
            if step.match.holds(ctx, item):
                fits[i][j] = 3 if step.require is None or step.require.holds(ctx, item) else 2
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if fits[i][j]:
                best = max(best, score[i + 1][j + 1] + fits[i][j])
            score[i][j] = best
    pairs: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        if fits[i][j] and score[i][j] == score[i + 1][j + 1] + fits[i][j]:
            pairs[i] = j
            i, j = i + 1, j + 1
        elif score[i][j + 1] >= score[i + 1][j]:
            j += 1  # on a tie keep the earlier step, so the later one is reported as out of place
        else:
            i += 1
    return pairs


def check_sequence(ctx: Context, spec: SequenceSpec) -> Outcome:
    items = [ctx.as_object(i) for i in spec.select.items(ctx)]
    base = ctx.selection_pointer(spec.select)
    out = Outcome(checked=len(spec.steps))
    own_due = check_due(ctx, spec)
    if spec.mode == "prefix":
        placed = {
            n: n
            for n, step in enumerate(spec.steps)
            if n < len(items) and step.match.holds(ctx, items[n])
        }
    else:
        placed = _align(ctx, spec.steps, items)
    for n, step in enumerate(spec.steps):
        label = Text.of(step.label)
        sid = step.id or str(n + 1)
        at = placed.get(n)
        if at is None:
            anywhere = next((i for i, it in enumerate(items) if step.match.holds(ctx, it)), None)
            if anywhere is None:
                msg = Text(f"缺少第 {sid} 项“{label.zh}”", f"step {sid} “{label.en}” is missing")
                found = NONE
            else:
                where = "位置" if spec.mode == "prefix" else "顺序"
                msg = Text(
                    f"第 {sid} 项“{label.zh}”{where}不对：实际位于第 {anywhere + 1} 位",
                    f"step {sid} “{label.en}” is out of place: it is item {anywhere + 1}",
                )
                found = Text(f"第 {anywhere + 1} 位", f"item {anywhere + 1}")
            out.findings.append(
                make_finding(
                    spec,
                    f"step-{sid}",
                    msg,
                    subject_name=label,
                    path=ctx.pointer_of(items[anywhere]) if anywhere is not None else base,
                    due=own_due,
                    expected=label,
                    found=found,
                )
            )
            continue
        if step.require is not None:
            failures = step.require.failures(ctx, items[at])
            if failures:
                expected, found = join_failures(failures)
                out.findings.append(
                    make_finding(
                        spec,
                        f"step-{sid}",
                        Text(
                            f"第 {sid} 项“{label.zh}”：应{expected.zh}；实际为 {found.zh}",
                            f"step {sid} “{label.en}”: expected {expected.en}; found {found.en}",
                        ),
                        subject_name=label,
                        path=field_pointer(ctx.pointer_of(items[at]), failures[0]),
                        due=earliest_due(failures) or own_due,
                        expected=expected,
                        found=found,
                        judged=judged_of_failures(failures),
                    )
                )
    return out
