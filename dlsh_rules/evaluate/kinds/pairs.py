"""`pairs`: every required pair of people has a qualifying item."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ...errors import Text
from ...language.bulk import op_failing
from ...language.compiled import op_passes
from ...language.messages import Failure
from ...language.paths import key_of
from ...language.query import Selection, shared_key

if TYPE_CHECKING:
    from ...language.models import PairGen, PairsSpec
    from ..context import Context
from .base import (
    Finding,
    Outcome,
    detail_found,
    first_cited,
    join_failures,
    make_finding,
    plain_text,
    subject_key_of,
    what_text,
)

# --- pairs: every required pair of people has a qualifying item ----------------------------------


Pair = tuple[str, str]


def required_pairs(ctx: Context, gen: PairGen, ordered: bool) -> Iterator[Pair]:
    def ids(sel: Selection) -> list[str]:
        return [str(key_of(v)) for v in sel.items(ctx)]

    if gen.all_pairs is not None or gen.ordered_pairs is not None:
        people = ids(gen.all_pairs or gen.ordered_pairs)  # type: ignore[arg-type]
        if gen.ordered_pairs is not None:
            yield from ((a, b) for a in people for b in people if a != b)
        else:
            for i, a in enumerate(people):
                yield from ((a, b) for b in people[i + 1 :] if a != b)
    elif gen.star is not None:
        centres = ids(gen.star.center)
        for c in centres:
            for o in ids(gen.star.others):
                if o != c:
                    yield (c, o)
    elif gen.relation is not None:
        for left in gen.relation.left.items(ctx):
            a = str(key_of(left))
            for right in gen.relation.right.values(ctx, ctx.as_object(left)):
                b = str(key_of(right))
                if a != b:
                    yield (a, b)


def pair_key(a: str, b: str, ordered: bool) -> Pair:
    return (a, b) if ordered or a <= b else (b, a)


PairIndex = tuple[dict[Pair, list[Any]], dict[Pair, list[tuple[Any, list[Failure]]]]]


def _pair_index(ctx: Context, spec: PairsSpec, ordered: bool) -> PairIndex:
    """Qualifying and non-qualifying items by the pair of people they are between.

    One pass over the items: linear in the record, whatever the group's size. Every pair an item
    names is indexed, required or not, so that checks reading the same items the same way (the
    mandatory-talk rules all read talks by participants with the same `qualify`) share one
    index; a check then looks up its own required pairs, each finding the items it found before,
    in the same order.
    """

    def build() -> PairIndex:
        good: dict[Pair, list[Any]] = defaultdict(list)
        bad: dict[Pair, list[tuple[Any, list[Failure]]]] = defaultdict(list)
        qualify = spec.qualify
        passes = op_passes(qualify) if qualify is not None else None
        one = spec.participants.single if spec.participants is not None else None
        left = spec.from_.single if spec.from_ is not None else None
        right = spec.to.single if spec.to is not None else None
        two_fields = ordered and left is not None and right is not None
        one_field = not ordered and one is not None
        as_object = ctx.as_object
        items = [raw if type(raw) is dict else as_object(raw) for raw in spec.items.items(ctx)]
        # Which items fail `qualify`, all at once when it cannot raise (see check_each).
        failing = op_failing(qualify, ctx, items) if qualify is not None else []
        unqualified: set[int] = set()
        if failing is not None:
            passes = None
            unqualified = {id(item) for item in failing}
        for item in items:
            # The usual shapes read in place: two people's ids in two fields or in one list.
            pair: Pair | None = None
            keys: Iterable[Pair] | None = None
            if type(item) is dict:
                if two_fields:
                    a, b = item.get(left), item.get(right)
                    if type(a) is str and type(b) is str:
                        if a != b:
                            pair = (a, b)
                        else:
                            keys = ()
                elif one_field:
                    found = item.get(one)
                    if type(found) is list and len(found) == 2:
                        a, b = found
                        if type(a) is str and type(b) is str:
                            if a == b:
                                keys = ()
                            else:
                                pair = (a, b) if a < b else (b, a)
            if pair is not None:
                keys = (pair,)
            elif keys is None:
                keys = _item_pairs(ctx, spec, item, ordered)
            # qualify.failures only for an item that does not pass, right after the test.
            failures = None
            if passes is not None:
                if not passes(ctx, item):
                    failures = qualify.failures(ctx, item)  # type: ignore[union-attr]
            elif unqualified and id(item) in unqualified:
                failures = qualify.failures(ctx, item)  # type: ignore[union-attr]
            if failures:
                for key in keys:
                    bad[key].append((item, failures))
            elif pair is not None:
                good[pair].append(item)
            else:
                for key in keys:
                    good[key].append(item)
        return good, bad

    key = shared_key("pairs", spec.items.spec, spec.participants, spec.from_, spec.to, spec.qualify)
    return build() if key is None else ctx.cached(key, build)


def _item_pairs(ctx: Context, spec: PairsSpec, item: Any, ordered: bool) -> set[Pair]:
    if ordered:
        lefts = [str(key_of(v)) for v in spec.from_.values(ctx, item)]  # type: ignore[union-attr]
        rights = [str(key_of(v)) for v in spec.to.values(ctx, item)]  # type: ignore[union-attr]
        return {(a, b) for a in lefts for b in rights if a != b}
    people = sorted({str(key_of(v)) for v in spec.participants.values(ctx, item)})  # type: ignore[union-attr]
    if len(people) > 12:  # a large gathering is no talk between any pair; cap the fan-out
        people = people[:12]
    return {(a, b) for i, a in enumerate(people) for b in people[i + 1 :]}


def _generated(ctx: Context, gen: PairGen, ordered: bool) -> list[Pair]:
    """The pairs a generator makes, as keys: made once per record for checks that share it."""

    def make() -> list[Pair]:
        if ordered:
            return list(required_pairs(ctx, gen, ordered))
        return [(a, b) if a <= b else (b, a) for a, b in required_pairs(ctx, gen, ordered)]

    star, relation = gen.star, gen.relation
    key = shared_key(
        "pairgen",
        ordered,
        gen.all_pairs.spec if gen.all_pairs is not None else None,
        gen.ordered_pairs.spec if gen.ordered_pairs is not None else None,
        (star.center.spec, star.others.spec) if star is not None else None,
        (relation.left.spec, relation.right) if relation is not None else None,
    )
    return make() if key is None else ctx.cached(key, make)


def check_pairs(ctx: Context, spec: PairsSpec) -> Outcome:
    ordered = spec.participants is None
    required: dict[Pair, None] = {}
    for gen in spec.pairs:
        # In the order first made, each pair once (as setdefault did, pair by pair).
        required.update(dict.fromkeys(_generated(ctx, gen, ordered)))

    good, bad = _pair_index(ctx, spec, ordered)

    due = spec.due.resolve(ctx) if spec.due is not None else None
    what = what_text(spec, "符合要求的记录", "a qualifying entry")
    sep = ">" if ordered else "~"
    path = ctx.selection_pointer(spec.items)
    out = Outcome(checked=len(required))

    def name_of(a: str, b: str) -> Text:
        # Only for findings: a large group has tens of thousands of pairs and few findings.
        na, nb = ctx.name(a), ctx.name(b)
        return Text(
            f"{na.zh}{'对' if ordered else '与'}{nb.zh}",
            f"{na.en} {'→' if ordered else 'and'} {nb.en}",
        )

    late = spec.report == "late"
    date_field = spec.date.single
    out.stream = _pair_findings(
        ctx, spec, required, good, bad, due, what, sep, path, name_of, late, date_field
    )
    return out


def _pair_findings(
    ctx: Context,
    spec: PairsSpec,
    required: dict[Pair, None],
    good: dict[Pair, list[Any]],
    bad: dict[Pair, list[tuple[Any, list[Failure]]]],
    due: dt.date | None,
    what: Text,
    sep: str,
    path: str | None,
    name_of: Callable[[str, str], Text],
    late: bool,
    date_field: str | None,
) -> Iterator[Finding]:
    """The findings of `check_pairs`, one at a time: the engine keeps a bounded number of them,
    so a large group's hundreds of thousands of missing pairs are never all in memory."""
    # A pair with a qualifying item has no finding unless the report is of late ones: most pairs
    # of a large group are skipped here, before any name or message is made.
    for pair in required if late else (p for p in required if p not in good):
        a, b = pair
        items = good.get(pair, [])
        if late:
            if not items or due is None:
                continue
            if date_field is not None and len(items) == 1 and type(items[0]) is dict:
                # One qualifying item with one plain date, read in place.
                held = items[0].get(date_field)
                if isinstance(held, dt.date) and held <= due:
                    continue
            dates = [d for i in items for d in spec.date.values(ctx, i) if isinstance(d, dt.date)]
            if dates and min(dates) <= due:
                continue
            subject, pair_name = f"{a}{sep}{b}", name_of(a, b)
            shown = plain_text(min(dates).isoformat()) if dates else Text("未注明日期", "undated")
            yield (
                make_finding(
                    spec,
                    subject,
                    Text(
                        f"{pair_name.zh}：{what.zh}应不晚于 {due.isoformat()}，实际 {shown.zh}",
                        f"{pair_name.en}: {what.en} due on or before {due.isoformat()}, held {shown.en}",
                    ),
                    subject_name=pair_name,
                    path=ctx.pointer_of(items[0]) or path,
                    due=due,
                    expected=Text(f"不晚于 {due.isoformat()}", f"on or before {due.isoformat()}"),
                    found=shown,
                )
            )
            continue
        if items:
            continue
        subject, pair_name = f"{a}{sep}{b}", name_of(a, b)
        detail_zh = detail_en = ""
        if bad.get(pair):
            item, failures = first_cited(ctx, bad[pair])
            expected, found = join_failures(failures)
            ref = subject_key_of(ctx, item, None) or ""
            detail_zh = f"（{ref} 不计入：应{expected.zh}；实际为 {found.zh}）"
            detail_en = f" ({ref} does not count: expected {expected.en}; found {found.en})"
        yield (
            make_finding(
                spec,
                subject,
                Text(
                    f"{pair_name.zh}：缺少{what.zh}{detail_zh}",
                    f"{pair_name.en}: no {what.en}{detail_en}",
                ),
                subject_name=pair_name,
                path=path,
                due=due,
                expected=what,
                found=detail_found(detail_zh, detail_en),
            )
        )
