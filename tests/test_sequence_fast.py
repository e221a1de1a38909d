"""`sequence` with `mode: exact` places an agenda that follows the steps without its table of
costs (kinds/sequence.py, `_zero_cost_placement`); the dynamic programme (`placement`) is the
reference. On any fit table whose cheapest reading costs nothing the two must place the same
steps at the same items and give the same repeats; on any other the fast way must decline.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dlsh_rules.evaluate.kinds.sequence import _zero_cost_placement, placement


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[int]], list[bool], int]:
    n = draw(st.integers(0, 6))
    m = draw(st.integers(0, 10))
    # Mostly 0 and 2, as real agendas: an item is a step's or not, and usually meets it.
    cell = st.sampled_from([0, 0, 0, 2, 2, 1])
    fit = [[draw(cell) for _ in range(m)] for _ in range(n)]
    repeats = [draw(st.booleans()) for _ in range(n)]
    return fit, repeats, m


@st.composite
def free_tables(draw: st.DrawFn) -> tuple[list[list[int]], list[bool], int]:
    """Tables that read at no cost: each step placed in order, repeats after repeatable
    steps, and other cells drawn at random (which may open other readings of cost 0)."""
    n = draw(st.integers(1, 6))
    repeats = [draw(st.booleans()) for _ in range(n)]
    owners: list[int] = []
    for i in range(n):
        owners.append(i)
        if repeats[i]:
            owners.extend([i] * draw(st.integers(0, 3)))
    m = len(owners)
    fit = [[draw(st.sampled_from([0, 0, 1, 2])) for _ in range(m)] for _ in range(n)]
    for j, i in enumerate(owners):
        fit[i][j] = 2
    return fit, repeats, m


def _cost_is_zero(fit: list[list[int]], repeats: list[bool], m: int) -> bool:
    placed, extra = placement(fit, repeats, m)
    used = set(placed.values()) | {j for more in extra.values() for j in more}
    return (
        len(placed) == len(fit)
        and len(used) == m
        and all(fit[i][j] == 2 for i, j in placed.items())
        and all(fit[i][j] == 2 for i, more in extra.items() for j in more)
    )


@settings(max_examples=600, deadline=None)
@given(tables())
def test_fast_placement_agrees_or_declines(table: tuple[list[list[int]], list[bool], int]) -> None:
    fit, repeats, m = table
    fast = _zero_cost_placement(fit, repeats, m)
    if fast is None:  # declined: a reading with a cost, or no steps at all (left to the table)
        assert not fit or not _cost_is_zero(fit, repeats, m)
    else:
        assert fast == placement(fit, repeats, m)


@settings(max_examples=600, deadline=None)
@given(free_tables())
def test_fast_placement_on_agendas_at_no_cost(
    table: tuple[list[list[int]], list[bool], int],
) -> None:
    fit, repeats, m = table
    fast = _zero_cost_placement(fit, repeats, m)
    assert fast is not None
    assert fast == placement(fit, repeats, m)


def test_declines_a_step_missing_and_an_intruder() -> None:
    assert _zero_cost_placement([[2, 0], [0, 0]], [False, False], 2) is None
    assert _zero_cost_placement([[2, 0, 0], [0, 0, 2]], [False, False], 3) is None
    assert _zero_cost_placement([], [], 3) is None
    assert _zero_cost_placement([[2, 2], [0, 2]], [True, False], 2) == ({0: 0, 1: 1}, {})
