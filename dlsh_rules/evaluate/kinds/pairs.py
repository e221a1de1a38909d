"""`pairs`: every required pair of people has a qualifying item."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ...errors import Text
from ...language.bulk import op_failing
from ...language.compiled_checks import op_passes
from ...language.messages import Failure
from ...language.paths import key_of
from ...language.query import memoised_key, shared_key

if TYPE_CHECKING:
    from ...language.models import PairGen, PairsSpec
    from ..context import Context
from .base import (
    Finding,
    Outcome,
    check_due,
    detail_found,
    field_pointer,
    first_cited,
    join_failures,
    make_finding,
    plain_text,
    subject_key_of,
    what_text,
)
from .pairs_required import (
    all_required,
    all_required_key,
    generated_pairs,
    generator_key,
    pair_key,
)
from .pairs_required import required_pairs as required_pairs  # render/html, authoring
from .pairs_usual import compact_index, compact_key, usual_outcome

# --- pairs: every required pair of people has a qualifying item ----------------------------------


Pair = tuple[str, str]

# The fast paths below decide the usual cases without the general steps. Off, every check takes
# the general steps, as before issue 13: tests/test_pairs_fast.py compares the two.
FAST = True


PairIndex = tuple[
    dict[Pair, list[Any]],
    dict[Pair, list[tuple[Any, list[Failure]]]],
    list["LargeItem"],
    dict[int, int],
]
# The pair index with the items, and why each that does not qualify fails `qualify`, by its
# position: what `report: unqualified` reports (`_unqualified`), worked out once.
Indexed = tuple[
    dict[Pair, list[Any]],
    dict[Pair, list[tuple[Any, list[Failure]]]],
    list["LargeItem"],
    dict[int, int],
    list[Any],
    dict[int, list[Failure]],
]
# An item whose people make more pairs than `SMALL`: (its position among the items, the item,
# the people on each side, why it does not qualify or None). Matched against each check's
# required pairs instead of being expanded into every pair.
LargeItem = tuple[int, Any, frozenset[str], frozenset[str], "list[Failure] | None"]

# Up to this many pairs an item is expanded into all of them, indexed for every check that
# shares the index: 12 people make 66. Beyond, expanding costs O(people²) for pairs that are
# mostly not required (a plenary session of 1,000 people makes 499,500).
SMALL = 66


def _pair_index(ctx: Context, spec: PairsSpec, ordered: bool) -> PairIndex:
    """The pair index of `_indexed`, without the items and their failures."""
    good, bad, large, order, _, _ = _indexed(ctx, spec, ordered)
    return good, bad, large, order


def _indexed(ctx: Context, spec: PairsSpec, ordered: bool) -> Indexed:
    """Qualifying and non-qualifying items by the pair of people they are between.

    One pass over the items: linear in the record, whatever the group's size. Every pair a
    small item names is indexed, required or not, so that checks reading the same items the
    same way (the mandatory-talk rules all read talks by participants with the same `qualify`)
    share one index; a check then looks up its own required pairs, each finding the items it
    found before, in the same order. A large item is kept aside whole, and each check matches
    it against its own required pairs only (`_match_large`): every participant counts, and the
    work is bounded by the required pairs that touch them.
    """

    def build() -> Indexed:
        good: dict[Pair, list[Any]] = defaultdict(list)
        bad: dict[Pair, list[tuple[Any, list[Failure]]]] = defaultdict(list)
        large: list[LargeItem] = []
        failed: dict[int, list[Failure]] = {}
        qualify = spec.qualify
        passes = op_passes(qualify) if qualify is not None else None
        one = spec.participants.single if spec.participants is not None else None
        left = spec.from_.single if spec.from_ is not None else None
        right = spec.to.single if spec.to is not None else None
        two_fields = ordered and left is not None and right is not None
        # With a hub, two participants are not a pair unless one of them is the hub.
        one_field = not ordered and one is not None and spec.hub is None
        as_object = ctx.as_object
        items = [raw if type(raw) is dict else as_object(raw) for raw in spec.items.items(ctx)]
        # Which items fail `qualify`, all at once when it cannot raise (see check_each).
        failing = op_failing(qualify, ctx, items) if qualify is not None else []
        unqualified: set[int] = set()
        if failing is not None:
            passes = None
            unqualified = {id(item) for item in failing}

        def general(position: int, item: Any) -> None:
            # The usual shapes read in place: two people's ids in two fields or in one list.
            pair: Pair | None = None
            keys: Iterable[Pair] | None = None
            sides: tuple[frozenset[str], frozenset[str]] | None = None
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
                sides = _item_sides(ctx, spec, item, ordered)
                if _pair_count(sides, ordered, spec.hub is not None) <= SMALL:
                    keys = _expand(sides, ordered)
                    sides = None
                else:
                    keys = ()
            # qualify.failures only for an item that does not pass, right after the test.
            failures = None
            if passes is not None:
                if not passes(ctx, item):
                    failures = qualify.failures(ctx, item)  # type: ignore[union-attr]
            elif unqualified and id(item) in unqualified:
                failures = qualify.failures(ctx, item)  # type: ignore[union-attr]
            if failures:
                failed[position] = failures
            if sides is not None:
                large.append((position, item, sides[0], sides[1], failures or None))
            elif failures:
                for key in keys:
                    bad[key].append((item, failures))
            elif pair is not None:
                good[pair].append(item)
            else:
                for key in keys:
                    good[key].append(item)

        # A qualifying item of the usual shape, two people's ids in two fields or in one list,
        # is read in place and indexed under its one pair: what `general` does for it, without
        # its steps. Every other item takes them.
        fast = FAST and passes is None
        if fast and two_fields:
            for position, item in enumerate(items):
                if type(item) is dict and not (unqualified and id(item) in unqualified):
                    a, b = item.get(left), item.get(right)
                    if type(a) is str and type(b) is str:
                        if a != b:
                            good[(a, b)].append(item)
                        continue
                general(position, item)
        elif fast and one_field:
            for position, item in enumerate(items):
                if type(item) is dict and not (unqualified and id(item) in unqualified):
                    found = item.get(one)
                    if type(found) is list and len(found) == 2:
                        a, b = found
                        if type(a) is str and type(b) is str:
                            if a != b:
                                good[(a, b) if a < b else (b, a)].append(item)
                            continue
                general(position, item)
        else:
            for position, item in enumerate(items):
                general(position, item)
        # Where each item stands, to merge a pair's small and large items in the items' order.
        order = {id(item): n for n, item in enumerate(items)} if large else {}
        return good, bad, large, order, items, failed

    key = memoised_key(
        "pairs",
        spec,
        lambda: shared_key(
            "pairs",
            spec.items.spec,
            spec.participants,
            spec.from_,
            spec.to,
            spec.hub,
            spec.qualify,
        ),
    )
    return build() if key is None else ctx.cached(key, build)


def _item_sides(
    ctx: Context, spec: PairsSpec, item: Any, ordered: bool
) -> tuple[frozenset[str], frozenset[str]]:
    """The people an item pairs: from × to (ordered), hub × participants, or participants
    among themselves (the same set on both sides)."""
    if ordered:
        lefts = frozenset(str(key_of(v)) for v in spec.from_.values(ctx, item))  # type: ignore[union-attr]
        rights = frozenset(str(key_of(v)) for v in spec.to.values(ctx, item))  # type: ignore[union-attr]
        return lefts, rights
    people = frozenset(str(key_of(v)) for v in spec.participants.values(ctx, item))  # type: ignore[union-attr]
    if spec.hub is not None:
        return frozenset(str(key_of(v)) for v in spec.hub.values(ctx, item)), people
    return people, people


def _pair_count(sides: tuple[frozenset[str], frozenset[str]], ordered: bool, hub: bool) -> int:
    """At most how many pairs an item's sides make (an upper bound is enough)."""
    lefts, rights = sides
    if ordered or hub:
        return len(lefts) * len(rights)
    return len(lefts) * (len(lefts) - 1) // 2


def _expand(sides: tuple[frozenset[str], frozenset[str]], ordered: bool) -> set[Pair]:
    lefts, rights = sides
    return {pair_key(a, b, ordered) for a in lefts for b in rights if a != b}


def _match_large(
    large: list[LargeItem], required: dict[Pair, None], ordered: bool
) -> tuple[dict[Pair, list[tuple[int, Any]]], dict[Pair, list[tuple[Any, list[Failure]]]]]:
    """The required pairs each large item covers, found through the required pairs of its
    people: O(people × required pairs per person), never O(people²)."""
    by_person: dict[str, list[Pair]] = defaultdict(list)
    for pair in required:
        a, b = pair
        by_person[a].append(pair)
        if b != a:
            by_person[b].append(pair)
    good: dict[Pair, list[tuple[int, Any]]] = defaultdict(list)
    bad: dict[Pair, list[tuple[Any, list[Failure]]]] = defaultdict(list)
    for position, item, lefts, rights, failures in large:
        side = lefts if len(lefts) <= len(rights) else rights
        hits: dict[Pair, None] = {}
        for person in sorted(side):
            for pair in by_person.get(person, ()):
                a, b = pair
                if (a in lefts and b in rights) or (not ordered and b in lefts and a in rights):
                    hits[pair] = None
        for pair in hits:
            if failures:
                bad[pair].append((item, failures))
            else:
                good[pair].append((position, item))
    return good, bad


_MISSING: Any = object()


# Per spec, once per process: the spec (so that its id is never another's), whether its pairs
# are ordered, the tokens of its required pairs and compact index (None: not shared), and each
# generator with its token. A check looked them up through `memoised_key` each time, with a
# closure or two and an f-string per generator (issue 13).
Plan = tuple[Any, bool, Any, Any, "tuple[tuple[PairGen, Any], ...]"]
_PLANS: dict[int, Plan] = {}


def _plan(spec: PairsSpec) -> Plan:
    kept = _PLANS.get(id(spec))
    if kept is not None and kept[0] is spec:
        return kept
    ordered = spec.participants is None
    gens = tuple((gen, generator_key(gen, ordered)) for gen in spec.pairs)
    made = (spec, ordered, all_required_key(spec, ordered), compact_key(spec, ordered), gens)
    if len(_PLANS) >= 20_000:  # a process that loads many packs starts afresh
        _PLANS.clear()
    _PLANS[id(spec)] = made
    return made


def _required_of(
    ctx: Context, gens: tuple[tuple[PairGen, Any], ...], ordered: bool
) -> dict[Pair, None]:
    """The check's required pairs made by `generated_pairs`, with the generators' tokens known:
    each generator's pairs shared under its token, the whole under the spec's (`_plan`); the
    form and deadline rules both read the three mandatory talks."""
    shared = ctx.shared
    required: dict[Pair, None] | None = None
    for gen, key in gens:
        made = shared.get(key, _MISSING) if key is not None else _MISSING
        if made is _MISSING:
            made = generated_pairs(ctx, gen, ordered)
            if key is not None:
                shared[key] = made
        if required is None:
            required = dict.fromkeys(made)
        else:
            required.update(dict.fromkeys(made))
    return {} if required is None else required


def check_pairs(ctx: Context, spec: PairsSpec) -> Outcome:
    if FAST:
        kept = _PLANS.get(id(spec))
        _, ordered, required_key, compact, gens = (
            kept if kept is not None and kept[0] is spec else _plan(spec)
        )
        shared = ctx.shared
        required = shared.get(required_key) if required_key is not None else None
        if required is None:
            required = _required_of(ctx, gens, ordered)
            if required_key is not None:
                shared[required_key] = required
        if spec.min_items == 1:
            # The usual record, on which the check finds nothing (pairs_usual.py); the compact
            # index made after the required pairs, as `compact_index` is called.
            index = _MISSING if compact is None else shared.get(compact, _MISSING)
            if index is _MISSING:
                index = compact_index(ctx, spec, ordered, compact)
            usual = usual_outcome(ctx, spec, required, index)
            if usual is not None:
                return usual
    else:
        ordered = spec.participants is None
        required = all_required(ctx, spec, ordered)
    good, bad, large, order, items, failed = _indexed(ctx, spec, ordered)
    extra: dict[Pair, list[tuple[int, Any]]] = {}
    if large:
        extra, extra_bad = _match_large(large, required, ordered)
        if extra_bad:
            bad = defaultdict(list, {k: list(v) for k, v in bad.items()})
            for pair, entries in extra_bad.items():
                bad[pair].extend(entries)

    def qualifying(pair: Pair) -> list[Any]:
        """The pair's qualifying items, in the items' order, small and large ones merged."""
        found = good.get(pair, [])
        more = extra.get(pair)
        if not more:
            return found
        merged = [(order[id(item)], item) for item in found] + more
        merged.sort(key=lambda entry: entry[0])
        return [item for _, item in merged]

    need = spec.min_items
    if spec.report == "unqualified":
        return _unqualified(ctx, spec, items, failed, required, ordered, qualifying)

    due = spec.due.resolve(ctx) if spec.due is not None else None
    not_before = spec.not_before.resolve(ctx) if spec.not_before is not None else None
    late = spec.report == "late"
    date_field = spec.date.single
    # The pairs that may have a finding; most pairs of a large group are left out here, before
    # any name or message is made. The usual case, one qualifying item for a pair (or one
    # item, dated in the window, for a late report), is decided here without the general
    # steps below, and a compliant record makes no stream at all (tests/test_pairs_fast.py).
    candidates: Iterable[Pair]
    if not FAST:
        if late:
            candidates = required
        elif need == 1 and not extra:
            candidates = [p for p in required if p not in good]
        else:
            candidates = [
                p for p in required if len(good.get(p, ())) + len(extra.get(p, ())) < need
            ]
    elif late:
        if need == 1 and not extra:
            if due is None and not_before is None:
                return Outcome(checked=len(required))  # nothing can be late
            candidates = _maybe_late(required, good, date_field, due, not_before)
            if not candidates:
                return Outcome(checked=len(required))
        else:
            candidates = required
    elif need == 1 and not extra:
        if required.keys() <= good.keys():
            return Outcome(checked=len(required))
        candidates = [p for p in required if p not in good]
    else:
        candidates = [p for p in required if len(good.get(p, ())) + len(extra.get(p, ())) < need]
    if FAST and not candidates:
        return Outcome(checked=len(required))

    def in_window(held: dt.date) -> bool:
        return (due is None or held <= due) and (not_before is None or held >= not_before)

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

    def findings() -> Iterator[Finding]:
        # One at a time: the engine keeps a bounded number of findings, so a large group's
        # hundreds of thousands of missing pairs are never all in memory (issue 12).
        for pair in candidates:
            a, b = pair
            items = qualifying(pair)
            if late and need > 1:
                if len(items) < need or (due is None and not_before is None):
                    continue  # too few at all is the `missing` report's finding
                in_time = [i for i in items if any(in_window(d) for d in _dates(ctx, spec, i))]
                if len(in_time) >= need:
                    continue
                subject, pair_name = f"{a}{sep}{b}", name_of(a, b)
                window = _window_text(not_before, due)
                outside = [d for i in items if i not in in_time for d in _dates(ctx, spec, i)]
                yield (
                    make_finding(
                        spec,
                        subject,
                        Text(
                            f"{pair_name.zh}：{window.zh}的{what.zh}应至少 {need} 项，"
                            f"实际 {len(in_time)} 项",
                            f"{pair_name.en}: at least {need} × {what.en} {window.en}, "
                            f"found {len(in_time)} of {len(items)}",
                        ),
                        subject_name=pair_name,
                        path=ctx.pointer_of(items[0]) or path,
                        due=due,
                        expected=Text(f"{window.zh}至少 {need} 项", f"at least {need} {window.en}"),
                        found=Text(f"{len(in_time)} 项", str(len(in_time))),
                        judged=min(outside) if outside else None,
                    )
                )
                continue
            if late:
                if not items or (due is None and not_before is None):
                    continue
                if date_field is not None and len(items) == 1 and type(items[0]) is dict:
                    # One qualifying item with one plain date, read in place.
                    held = items[0].get(date_field)
                    if isinstance(held, dt.date) and in_window(held):
                        continue
                dates = [
                    d for i in items for d in spec.date.values(ctx, i) if isinstance(d, dt.date)
                ]
                if any(in_window(d) for d in dates):
                    continue
                subject, pair_name = f"{a}{sep}{b}", name_of(a, b)
                shown = (
                    plain_text(min(dates).isoformat()) if dates else Text("未注明日期", "undated")
                )
                early = [d for d in dates if not_before is not None and d < not_before]
                if early or due is None:
                    bound = not_before.isoformat() if not_before is not None else ""
                    mark = ("（过早）", " (too early)") if early else ("", "")
                    yield (
                        make_finding(
                            spec,
                            subject,
                            Text(
                                f"{pair_name.zh}：{what.zh}应不早于 {bound}{mark[0]}，实际 {shown.zh}",
                                f"{pair_name.en}: {what.en} due on or after {bound}{mark[1]}, held {shown.en}",
                            ),
                            subject_name=pair_name,
                            path=ctx.pointer_of(items[0]) or path,
                            due=due,
                            expected=Text(f"不早于 {bound}", f"on or after {bound}"),
                            found=shown,
                            judged=min(early) if early else None,
                        )
                    )
                    continue
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
                        expected=Text(
                            f"不晚于 {due.isoformat()}", f"on or before {due.isoformat()}"
                        ),
                        found=shown,
                        judged=min(dates) if dates else None,
                    )
                )
                continue
            if len(items) >= need:
                continue
            subject, pair_name = f"{a}{sep}{b}", name_of(a, b)
            detail_zh = detail_en = ""
            if bad.get(pair):
                item, failures = first_cited(ctx, bad[pair])
                expected, found = join_failures(failures)
                ref = subject_key_of(ctx, item, None) or ""
                detail_zh = f"（{ref} 不计入：应{expected.zh}；实际为 {found.zh}）"
                detail_en = f" ({ref} does not count: expected {expected.en}; found {found.en})"
            if need > 1:
                yield (
                    make_finding(
                        spec,
                        subject,
                        Text(
                            f"{pair_name.zh}：{what.zh}应至少 {need} 项，实际 {len(items)} 项{detail_zh}",
                            f"{pair_name.en}: at least {need} × {what.en} required, "
                            f"found {len(items)}{detail_en}",
                        ),
                        subject_name=pair_name,
                        path=path,
                        due=due,
                        expected=Text(f"至少 {need} 项{what.zh}", f"at least {need} × {what.en}"),
                        found=Text(f"{len(items)} 项", f"{len(items)}"),
                    )
                )
                continue
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

    out.stream = findings()
    return out


def _maybe_late(
    required: dict[Pair, None],
    good: dict[Pair, list[Any]],
    date_field: str | None,
    due: dt.date | None,
    not_before: dt.date | None,
) -> list[Pair]:
    """The required pairs of a `report: late` check (one item needed, no large items) that
    the general steps must judge: all but those with no qualifying item (the `missing`
    report's) and those whose one qualifying item has a plain date in the window.

    Only exact dates are compared here, so nothing here raises; any other value is left to the
    general steps, which raise on it where they always did."""
    todo: list[Pair] = []
    get = good.get
    date = dt.date
    for pair in required:
        items = get(pair)
        if not items:
            continue
        if date_field is not None and len(items) == 1:
            item = items[0]
            if type(item) is dict:
                held = item.get(date_field)
                if (
                    type(held) is date
                    and (due is None or held <= due)
                    and (not_before is None or held >= not_before)
                ):
                    continue
        todo.append(pair)
    return todo


def _dates(ctx: Context, spec: PairsSpec, item: Any) -> list[dt.date]:
    return [d for d in spec.date.values(ctx, item) if isinstance(d, dt.date)]


def _window_text(not_before: dt.date | None, due: dt.date | None) -> Text:
    """The dates an item of `report: late` must fall on, in words."""
    if not_before is not None and due is not None:
        return Text(
            f"{not_before.isoformat()} 至 {due.isoformat()} 之间",
            f"from {not_before.isoformat()} to {due.isoformat()}",
        )
    if due is not None:
        return Text(f"不晚于 {due.isoformat()}", f"on or before {due.isoformat()}")
    assert not_before is not None
    return Text(f"不早于 {not_before.isoformat()}", f"on or after {not_before.isoformat()}")


def _unqualified(
    ctx: Context,
    spec: PairsSpec,
    items: list[Any],
    failed: dict[int, list[Failure]],
    required: dict[Pair, None],
    ordered: bool,
    qualifying: Callable[[Pair], list[Any]],
) -> Outcome:
    """`report: unqualified`: the items that fail `qualify`, one finding each.

    An item is reported at the check's severity when a required pair it names has too few
    qualifying items (it was meant for that pair, which is still missing); an item that no
    required pair needs — it names none, or each it names is covered by other items — at
    `unneeded_severity` (info), or not at all (omit). A 约谈 by phone beside the one-to-one
    talks, or an extra group talk, is then information, never non-compliance.
    """
    qualify = spec.qualify
    out = Outcome(checked=len(items))
    if qualify is None:
        return out
    own_due = spec.due.resolve(ctx) if spec.due is not None else check_due(ctx, spec)
    if FAST and not failed:
        return out  # every item qualifies
    what = what_text(spec, "符合要求的记录", "a qualifying entry")
    sep = ">" if ordered else "~"
    covered: dict[Pair, bool] = {}

    def is_covered(pair: Pair) -> bool:
        if pair not in covered:
            covered[pair] = len(qualifying(pair)) >= spec.min_items
        return covered[pair]

    # The pair index (`_indexed`) has put every item through `qualify` already, and the
    # failures of those that fail are the ones `qualify.failures` gives (an item that passes
    # has none): the index's items, in their order, are what this loop read before.
    for position, item in enumerate(items):
        failures = failed.get(position) if FAST else qualify.failures(ctx, item)
        if not failures:
            continue
        lefts, rights = _item_sides(ctx, spec, item, ordered)
        if _pair_count((lefts, rights), ordered, spec.hub is not None) <= SMALL:
            named = [p for p in sorted(_expand((lefts, rights), ordered)) if p in required]
        else:
            named = [
                (a, b)
                for a, b in required
                if (a in lefts and b in rights) or (not ordered and b in lefts and a in rights)
            ]
        open_pairs = [p for p in named if not is_covered(p)]
        ref = subject_key_of(ctx, item, None)
        expected, found = join_failures(failures)
        head = Text(
            f"{ref or '该记录'} 不计入（应{expected.zh}；实际为 {found.zh}）",
            f"{ref or 'the entry'} does not count (expected {expected.en}; found {found.en})",
        )
        if open_pairs:
            shown = [f"{a}{sep}{b}" for a, b in open_pairs]
            listed = "、".join(shown[:6]) + ("等" if len(shown) > 6 else "")
            listed_en = ", ".join(shown[:6]) + (", …" if len(shown) > 6 else "")
            message = Text(
                f"{head.zh}；{listed} 尚无{what.zh}",
                f"{head.en}; {listed_en} has no {what.en}",
            )
            severity = None
        elif spec.unneeded_severity == "omit":
            continue
        else:
            message = Text(
                f"{head.zh}；没有哪一对必需对象缺它（仅作提示）",
                f"{head.en}; no required pair needs it (for information only)",
            )
            severity = spec.unneeded_severity
        out.findings.append(
            make_finding(
                spec,
                ref,
                message,
                subject_name=plain_text(ref or ""),
                path=field_pointer(ctx.pointer_of(item), failures[0]),
                due=own_due,
                expected=expected,
                found=found,
                severity=severity,
            )
        )
    return out
