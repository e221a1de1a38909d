"""`pairs` on the usual record: every item two people's ids, every item qualifying.

Such a record is what a compliant one looks like, and its checks find nothing. The pair index
of pairs.py (`_indexed`) lists every pair's items, for the findings; to find nothing a check
needs less: which pairs have an item, and, for a late report, the one item of each pair. That
is `first` below, made by comprehensions; a check decides from it when it can and otherwise
says so (None), and pairs.py then takes its general steps, which decide everything as before.
tests/test_pairs_fast.py compares the two on every pack's cases, on damaged records and on
values the validator refuses. `relation_pairs` makes a relation's required pairs in one loop
(tests/test_engine_fast.py compares it with pairs.py's generator).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ...language.bulk import op_failing
from ...language.compiled_checks import op_passes
from ...language.paths import key_of
from ...language.query import memoised_key, shared_key
from .base import Outcome, plain_values

if TYPE_CHECKING:
    from ...language.models import PairsSpec
    from ..context import Context

Pair = tuple[str, str]
# The first item of each pair, whether some pair has more than one, and how many items.
Compact = tuple[dict[Pair, Any], bool, int]
_UNSET: Any = object()


def compact_key(spec: PairsSpec, ordered: bool) -> Any:
    """The token under which `compact_index` is shared by the checks that read the same items
    the same way (None: not shared); once per process for the spec."""
    return memoised_key(
        "pairs compact",
        spec,
        lambda: shared_key(
            "pairs compact",
            ordered,
            spec.items.spec,
            spec.participants,
            spec.from_,
            spec.to,
            spec.hub,
            spec.qualify,
        ),
    )


def compact_index(
    ctx: Context, spec: PairsSpec, ordered: bool, key: Any = _UNSET
) -> Compact | None:
    """The items by pair when every item is a mapping with two people's ids as texts (two
    fields, or one list of two) and passes `qualify` (which cannot raise): once per record for
    the checks that read the same items the same way. None for any other record.

    Reads what `_indexed` reads first (the items, then `qualify` on all of them at once)
    and nothing that can raise, so a check that decides from it has skipped nothing that would
    have raised. An item between a person and himself is kept under that pair, which no
    generator makes (they leave such pairs out), so it is never looked up.
    """

    def build() -> Compact | None:
        if spec.qualify is not None:
            op_passes(spec.qualify)  # compiled first by `_indexed` too: raises where it did
        as_object = ctx.as_object
        items = [raw if type(raw) is dict else as_object(raw) for raw in spec.items.items(ctx)]
        if spec.qualify is not None and op_failing(spec.qualify, ctx, items) != []:
            return None  # some fail, or it must be tested one by one
        keys: list[Pair | None]
        if ordered:
            left, right = spec.from_.single, spec.to.single  # type: ignore[union-attr]
            if left is None or right is None:
                return None
            keys = [
                (a, b)
                if type(item) is dict
                and type(a := item.get(left)) is str
                and type(b := item.get(right)) is str
                else None
                for item in items
            ]
        else:
            one = spec.participants.single  # type: ignore[union-attr]
            if one is None or spec.hub is not None:
                return None
            keys = [
                ((a, b) if a < b else (b, a))
                if type(item) is dict
                and type(found := item.get(one)) is list
                and len(found) == 2
                and type(a := found[0]) is str
                and type(b := found[1]) is str
                else None
                for item in items
            ]
        if None in keys:
            return None
        # Reversed, so that of a pair's items the first is the one kept.
        first: dict[Pair, Any] = dict(zip(reversed(keys), reversed(items), strict=True))  # type: ignore[arg-type]
        return first, len(first) < len(keys), len(items)

    if key is _UNSET:  # pairs.py passes the token it keeps in its plan
        key = compact_key(spec, ordered)
    return build() if key is None else ctx.cached(key, build)


def usual_outcome(
    ctx: Context, spec: PairsSpec, required: dict[Pair, None], compact: Compact | None
) -> Outcome | None:
    """The outcome of a check of one qualifying item per pair when it finds nothing, worked
    out from its `compact_index`; None when the general steps must decide. The check's own
    date bounds are resolved as the general steps resolve them (a bound may raise)."""
    if compact is None:
        return None
    first, multi, count = compact
    if spec.report == "unqualified":
        # Every item qualifies: none to report.
        if spec.qualify is not None and spec.due is not None:
            spec.due.resolve(ctx)
        return Outcome(checked=count)
    due = spec.due.resolve(ctx) if spec.due is not None else None
    not_before = spec.not_before.resolve(ctx) if spec.not_before is not None else None
    if spec.report == "late":
        if due is None and not_before is None:
            return Outcome(checked=len(required))  # nothing can be late
        if multi or _some_may_be_late(required, first, spec.date.single, due, not_before):
            return None
        return Outcome(checked=len(required))
    if required.keys() <= first.keys():
        return Outcome(checked=len(required))
    return None


def _some_may_be_late(
    required: dict[Pair, None],
    first: dict[Pair, Any],
    date_field: str | None,
    due: dt.date | None,
    not_before: dt.date | None,
) -> bool:
    """Whether a required pair's one item (each pair has at most one) is not shown in time by
    a plain date in its field: pairs._maybe_late's question, for pairs of one item."""
    if date_field is None:
        return any(pair in first for pair in required)
    date = dt.date
    get = first.get
    for pair in required:
        item = get(pair)
        if item is None:
            continue  # no item: the `missing` report's finding
        held = item.get(date_field)
        if not (
            type(held) is date
            and (due is None or held <= due)
            and (not_before is None or held >= not_before)
        ):
            return True
    return False


def relation_pairs(
    ctx: Context, lefts: list[Any], segments: tuple[str, ...], ordered: bool
) -> list[Pair]:
    """pairs.py's `required_pairs` of a relation whose right path is plain fields only, as keys: the
    walk of `Path.values` (`plain_values`: ids followed, lists flattened, None left out) for
    each of the left side, without a generator step per person and pair (department heads:
    7.3 -> 3 us at five members)."""
    index = ctx.record.index
    out: list[Pair] = []
    for left in lefts:
        a = str(key_of(left))
        current = plain_values(index, [left], segments)
        for found in current:
            b = str(key_of(found))
            if a != b:
                out.append((a, b) if ordered or a <= b else (b, a))
    return out
