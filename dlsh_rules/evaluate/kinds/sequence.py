"""`sequence`: a list holds steps in a required order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import Text
from ...language.bulk import keeper
from ...language.compiled import memoised, op_filter
from ...language.compiled_checks import op_checker
from ...language.messages import NONE, judged_of_failures

if TYPE_CHECKING:
    from ...language.models import SequenceSpec, StepSpec
    from ...language.query import Condition
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
        match = op_filter(step.match)
        require = op_filter(step.require) if step.require is not None else None
        for j, item in enumerate(items):
            if match(ctx, item):
                fits[i][j] = 3 if require is None or require(ctx, item) else 2
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


# Off, every check takes the general steps below; tests/test_kinds_fast.py compares the two.
FAST = True


def check_sequence(ctx: Context, spec: SequenceSpec) -> Outcome:
    items = [ctx.as_object(i) for i in spec.select.items(ctx)]
    base = ctx.selection_pointer(spec.select)
    out = Outcome(checked=len(spec.steps))
    own_due = check_due(ctx, spec)
    # exact: every item belongs to a step; a repeatable step's further items are in extra_of.
    extra_of: dict[int, list[int]] = {}
    if spec.mode == "prefix":
        placed = {
            n: n
            for n, step in enumerate(spec.steps)
            if n < len(items) and op_filter(step.match)(ctx, items[n])
        }
    elif spec.mode == "exact":
        fit = _fits(ctx, spec, items) if FAST else None
        if fit is not None:
            placed, extra_of = _placed_exact(spec, fit, len(items))
            if _in_order(ctx, spec, items, fit, placed, extra_of):
                return out
        else:
            placed, extra_of = _align_exact(ctx, spec.steps, items)
    else:
        placed = _align(ctx, spec.steps, items)
    for n, step in enumerate(spec.steps):
        label = Text.of(step.label)
        sid = step.id or str(n + 1)
        at = placed.get(n)
        if at is None:
            match = op_filter(step.match)
            anywhere = next((i for i, it in enumerate(items) if match(ctx, it)), None)
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
        for one in sorted([at, *extra_of.get(n, [])]) if step.require is not None else ():
            assert step.require is not None
            failures = op_checker(step.require)(ctx, items[one])
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
                        path=field_pointer(ctx.pointer_of(items[one]), failures[0]),
                        due=earliest_due(failures) or own_due,
                        expected=expected,
                        found=found,
                        judged=judged_of_failures(failures),
                    )
                )
    if spec.mode == "exact":
        _stray_items(ctx, spec, items, placed, extra_of, out, own_due)
    return out


def _fits(ctx: Context, spec: SequenceSpec, items: list[Any]) -> list[list[int]] | None:
    """`_align_exact`'s table of fits, with each step's `match` tested on every item at once
    (`bulk.keeper`) rather than once per step and item (54 calls for a nine-item agenda); None
    when a match might raise or an item is not a mapping. `require` is then tested on each
    matching item in the order `_align_exact` tests it."""
    plan: list[tuple[Any, Any]] = memoised(
        "sequence fits",
        spec,
        lambda: [
            (keeper(step.match), op_filter(step.require) if step.require is not None else None)
            for step in spec.steps
        ],
    )
    for item in items:
        if type(item) is not dict:
            return None
    if any(keep is None for keep, _ in plan):
        return None
    m = len(items)
    position = {id(item): j for j, item in enumerate(items)}
    if len(position) != m:  # an object twice in the list: each of its places, one by one
        position = {}
    fit = []
    for keep, require in plan:
        row = [0] * m
        if position:
            # The matching items are kept in the list's order, each once: their places, and
            # `require` tested on them in the order of the loop below.
            for item in keep(ctx, items):
                row[position[id(item)]] = 2 if require is None or require(ctx, item) else 1
        else:
            matching = {id(obj) for obj in keep(ctx, items)}
            for j, item in enumerate(items):
                if id(item) in matching:
                    row[j] = 2 if require is None or require(ctx, item) else 1
        fit.append(row)
    return fit


def _placed_exact(spec: SequenceSpec, fit: list[list[int]], m: int) -> Placement:
    repeats = [bool(step.repeat) for step in spec.steps]
    return _zero_cost_placement(fit, repeats, m) or placement(fit, repeats, m)


def _in_order(
    ctx: Context,
    spec: SequenceSpec,
    items: list[Any],
    fit: list[list[int]],
    placed: dict[int, int],
    extra_of: dict[int, list[int]],
) -> bool:
    """Whether the general steps below would find nothing: every step placed, every item
    placed, and no placed item failing its step's `require` (tested as they test it, in their
    order, so that one that raises raises there too)."""
    steps = spec.steps
    if len(placed) != len(steps):
        return False
    if len(placed) + sum(len(more) for more in extra_of.values()) != len(items):
        return False
    for n, step in enumerate(steps):
        if step.require is None:
            continue
        alike = _stops_alike(step.require)
        check = op_checker(step.require)
        for one in sorted([placed[n], *extra_of.get(n, [])]):
            if alike and fit[n][one] == 2:
                # The require held on this item, and one without `any` or `not` evaluates as
                # a filter what `op_checker` evaluates: it would find nothing.
                continue
            if check(ctx, items[one]):
                return False
    return True


def _stops_alike(cond: Condition) -> bool:
    """Whether `op_filter(cond)` and `op_checker(cond)` evaluate the same tests of an object
    that passes: both stop at nothing then, but `any` and `not` are evaluated in full by the
    second only."""
    return not cond.any_of and cond.negated is None and all(map(_stops_alike, cond.all_of))


def _align_exact(
    ctx: Context, steps: list[StepSpec], items: list[Any]
) -> tuple[dict[int, int], dict[int, list[int]]]:
    """`mode: exact`: each step's first item, and the further items of a repeatable step.

    The cheapest reading of the list as the steps in order: a step missing or an item that is
    no step costs 2, an item that matches its step but fails the step's `require` costs 1. A
    repeatable step takes every later item that matches it until the next step's item, even
    past an intruding item, so that one summary inserted among the members' self-criticisms
    is reported as that one item, not as every self-criticism after it.
    """
    n, m = len(steps), len(items)
    fit = [[0] * m for _ in range(n)]  # 0: no match, 1: match failing require, 2: match
    for i, step in enumerate(steps):
        match = op_filter(step.match)
        require = op_filter(step.require) if step.require is not None else None
        for j, item in enumerate(items):
            if match(ctx, item):
                fit[i][j] = 2 if require is None or require(ctx, item) else 1
    repeats = [bool(step.repeat) for step in steps]
    return _zero_cost_placement(fit, repeats, m) or placement(fit, repeats, m)


def _stray_items(
    ctx: Context,
    spec: SequenceSpec,
    items: list[Any],
    placed: dict[int, int],
    extra_of: dict[int, list[int]],
    out: Outcome,
    own_due: Any,
) -> None:
    """`mode: exact`: each item that belongs to no step is a finding, subject `item-<n>`.

    An item matching a step already placed is that step again ("the summary appears again at
    item 4"); an item matching a step that was not placed is already that step's "out of
    place" finding; any other is not one of the steps at all.
    """
    used = set(placed.values()) | {j for more in extra_of.values() for j in more}
    unplaced_steps = [n for n in range(len(spec.steps)) if n not in placed]
    matches = [op_filter(step.match) for step in spec.steps]
    cited = set()
    for n in unplaced_steps:
        step = spec.steps[n]
        match = op_filter(step.match)
        first = next((j for j, it in enumerate(items) if j not in used and match(ctx, it)), None)
        if first is not None:
            cited.add(first)
    for j, item in enumerate(items):
        if j in used or j in cited:
            continue
        again = next(
            (n for n, match in enumerate(matches) if n in placed and match(ctx, item)), None
        )
        if again is not None:
            step = spec.steps[again]
            label = Text.of(step.label)
            sid = step.id or str(again + 1)
            msg = Text(
                f"第 {sid} 项“{label.zh}”在第 {j + 1} 位再次出现（应只出现一次，位于第 {placed[again] + 1} 位）",
                f"step {sid} “{label.en}” appears again at item {j + 1} "
                f"(once only, at item {placed[again] + 1})",
            )
            expected = Text(f"第 {sid} 项只出现一次", f"step {sid} once")
        else:
            msg = Text(
                f"第 {j + 1} 项不是方案规定的任何一项",
                f"item {j + 1} is none of the plan's steps",
            )
            expected = Text("只有方案规定的各项", "only the plan's steps")
        out.findings.append(
            make_finding(
                spec,
                f"item-{j + 1}",
                msg,
                subject_name=Text(f"第 {j + 1} 项", f"item {j + 1}"),
                path=ctx.pointer_of(item),
                due=own_due,
                expected=expected,
                found=Text(f"第 {j + 1} 项", f"item {j + 1}"),
            )
        )


Placement = tuple[dict[int, int], dict[int, list[int]]]


def placement(fit: list[list[int]], repeats: list[bool], m: int) -> Placement:
    """The cheapest reading (see `_align_exact`) of `m` items, by dynamic programming over
    every state: `fit[i][j]` is 0 (item j is not step i), 1 (it is, but fails the step's
    `require`) or 2."""
    n = len(fit)
    inf = 1 << 30
    # cost[r][i][j]: the least cost of reading steps i.. against items j..; r = 1 when step
    # i - 1 was placed (its repeat may take more items).
    cost = [[[inf] * (m + 1) for _ in range(n + 1)] for _ in range(2)]
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            for r in (0, 1):
                if i == n and j == m:
                    cost[r][i][j] = 0
                    continue
                best = inf
                if j < m:
                    if r and i > 0 and repeats[i - 1] and fit[i - 1][j]:
                        best = min(best, cost[1][i][j + 1] + 2 - fit[i - 1][j])
                    if i < n and fit[i][j]:
                        best = min(best, cost[1][i + 1][j + 1] + 2 - fit[i][j])
                    best = min(best, cost[r][i][j + 1] + 2)
                if i < n:
                    best = min(best, cost[0][i + 1][j] + 2)
                cost[r][i][j] = best
    placed: dict[int, int] = {}
    extra: dict[int, list[int]] = {}
    i = j = r = 0
    while i < n or j < m:
        here = cost[r][i][j]
        if (
            j < m
            and r
            and i > 0
            and repeats[i - 1]
            and fit[i - 1][j]
            and here == cost[1][i][j + 1] + 2 - fit[i - 1][j]
        ):
            extra.setdefault(i - 1, []).append(j)
            j += 1
            continue
        if i < n and j < m and fit[i][j] and here == cost[1][i + 1][j + 1] + 2 - fit[i][j]:
            placed[i] = j
            i, j, r = i + 1, j + 1, 1
            continue
        if j < m and here == cost[r][i][j + 1] + 2:
            j += 1  # an item that is no step here
            continue
        i, r = i + 1, 0  # a step missing here
    return placed, extra


def _zero_cost_placement(fit: list[list[int]], repeats: list[bool], m: int) -> Placement | None:
    """`placement` when the list reads as the steps at no cost (every step placed, every item
    a step or a repeat that meets its `require`), as an agenda that follows the plan does;
    None otherwise.

    At cost 0 `placement`'s walk back takes, at each state, the first move in its order (a
    repeat, then the next step) that costs nothing and leads to a state from which the rest
    costs nothing: so only the states reachable by such moves need to be known, not the full
    table of costs (a pure-Python table of 2 × steps × items cells was most of a check of
    `meeting.agenda_order`). `tests/test_sequence_fast.py` compares the two.
    """
    n = len(fit)
    if n == 0 or m < n:  # a step missing costs 2
        return None
    known: dict[tuple[int, int, int], bool] = {}

    def free(r: int, i: int, j: int) -> bool:
        """Whether steps i.. read items j.. at no cost (r: step i - 1 was just placed)."""
        # Iterative over items: each state has at most two moves, and a path of repeats is
        # as long as the list.
        stack = [(r, i, j)]
        while stack:
            state = stack[-1]
            if state in known:
                stack.pop()
                continue
            r0, i0, j0 = state
            if i0 == n and j0 == m:
                known[state] = True
                stack.pop()
                continue
            moves = []
            if j0 < m:
                if r0 and i0 > 0 and repeats[i0 - 1] and fit[i0 - 1][j0] == 2:
                    moves.append((1, i0, j0 + 1))
                if i0 < n and fit[i0][j0] == 2:
                    moves.append((1, i0 + 1, j0 + 1))
            pending = [mv for mv in moves if mv not in known]
            if pending:
                stack.extend(pending)
                continue
            known[state] = any(known[mv] for mv in moves)
            stack.pop()
        return known[(r, i, j)]

    if not free(0, 0, 0):
        return None
    placed: dict[int, int] = {}
    extra: dict[int, list[int]] = {}
    i = j = r = 0
    while i < n or j < m:
        if j < m and r and i > 0 and repeats[i - 1] and fit[i - 1][j] == 2 and free(1, i, j + 1):
            extra.setdefault(i - 1, []).append(j)
            j += 1
            continue
        # A state from which the rest costs nothing has such a move: placing the next step.
        placed[i] = j
        i, j, r = i + 1, j + 1, 1
    return placed, extra
