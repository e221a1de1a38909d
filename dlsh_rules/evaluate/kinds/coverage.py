"""`coverage`: every subject is covered by at least one qualifying item."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...dates import Period, period_of, periods_between
from ...errors import Text
from ...language.bulk import op_failing
from ...language.compiled import memoised, path_reader
from ...language.compiled_checks import messages_safe, op_exhaustive, op_passes
from ...language.messages import Failure, judged_of_failures
from ...language.normalise import normalise
from ...language.paths import Path, academic_start, key_of
from ...language.query import shared_key
from ...language.shared import SharedKey, memoised_key

if TYPE_CHECKING:
    from ...language.models import CoverageSpec
    from ...language.query import Condition
    from ..context import Context
from .base import (
    Finding,
    Outcome,
    check_due,
    detail_found,
    earliest_due,
    first_cited,
    join_failures,
    make_finding,
    plain_text,
    subject_key_of,
    what_text,
)

# --- coverage: every subject is covered by at least one qualifying item --------------------------


def check_coverage(ctx: Context, spec: CoverageSpec) -> Outcome:
    coverage_key, shared, same = _plan(spec)
    subjects = spec.subjects.items(ctx)
    norm = spec.normalize

    def k(value: Any) -> Any:
        key = key_of(value)
        return normalise(key, norm) if isinstance(key, str) and norm != "exact" else key

    def keyed() -> tuple[list[Any], list[Any]]:
        """The items, and the subject keys each covers: one plain id, or a set of keys.

        Two lists rather than a pair per item: on a large record this is kept until the end of
        the check, and freeing 80,000 small tuples then cost more than making them.
        """
        one = spec.key.single if spec.key is not None else None
        if FAST and one is not None and norm == "exact":
            # Mappings whose key field holds one text each, as a compliant record's do: what
            # the loop below makes of them, in two comprehensions (29 of these a record).
            listed = spec.items.items(ctx)
            named = [r.get(one) if type(r) is dict else None for r in listed]
            if set(map(type, named)) <= {str}:
                return list(listed), named
        pair_path = spec.key
        pair = pair_path.segments if pair_path is not None and "@" not in pair_path.text else ()
        if FAST and len(pair) == 2 and norm == "exact":
            # A key at a field of the one mapping in a list (sources.ref), one text each: what
            # the loop below reads in place for each item, in one comprehension.
            listed, (outer, inner) = spec.items.items(ctx), pair
            named = [
                g.get(inner)
                if type(r) is dict
                and type(f := r.get(outer)) is list
                and len(f) == 1
                and type(g := f[0]) is dict
                else None
                for r in listed
            ]
            if set(map(type, named)) <= {str}:
                return list(listed), named
            if all(type(r) is dict for r in listed):
                # The others (two sources) as the loop below keys them: the path's values.
                assert pair_path is not None
                at = path_reader(pair_path)
                for n, r in enumerate(listed):
                    if type(named[n]) is not str:
                        got = at(ctx, r)
                        one_str = len(got) == 1 and type(got[0]) is str
                        named[n] = got[0] if one_str else {key_of(v) for v in got}
                return list(listed), named
        items: list[Any] = []
        keys: list[Any] = []
        read = path_reader(spec.key) if spec.key is not None else None
        outer = inner = ""
        if spec.key is not None and len(spec.key.segments) == 2 and "@" not in spec.key.text:
            outer, inner = spec.key.segments
        exact = norm == "exact"
        for raw in spec.items.items(ctx):
            item = raw if type(raw) is dict else ctx.as_object(raw)
            items.append(item)
            if read is not None and isinstance(item, dict):
                if exact:
                    # One plain id is its own key: read in place, at one field or at a field
                    # of the one mapping in a list (sources.ref), as `read` would find it.
                    if one is not None:
                        found = item.get(one)
                    elif outer:
                        found = item.get(outer)
                        if type(found) is list and len(found) == 1 and type(found[0]) is dict:
                            found = found[0].get(inner)
                        else:
                            found = None
                    else:
                        found = None
                    if type(found) is str:
                        keys.append(found)
                        continue
                    values = read(ctx, item)
                    if len(values) == 1 and type(values[0]) is str:
                        keys.append(values[0])
                        continue
                else:
                    values = read(ctx, item)
                keys.append({k(v) for v in values})
            else:
                keys.append({k(item)})
        return items, keys

    def index() -> CoverIndex:
        covering: dict[Any, list[Any]] = defaultdict(list)
        rejected: dict[Any, list[tuple[Any, list[Failure]]]] = defaultdict(list)
        require = spec.require
        passes = op_passes(require) if require is not None else None
        # The subjects each item covers are the same for every check of the record that reads
        # the same items by the same key: worked out once, all before any `require`.
        items, keys = ctx.cached(coverage_key, keyed)
        unqualified: set[int] = set()
        if require is not None:
            # Which items fail, all at once when `require` cannot raise (see check_each).
            failing = op_failing(require, ctx, items)
            if failing is not None:
                passes = None
                unqualified = {id(item) for item in failing}
        failures_of = None
        if require is not None:
            failures_of = _deferred_of(require) if FAST else require.failures
        if FAST and not unqualified and passes is None and set(map(type, keys)) <= {str}:
            # Every item qualifies and covers one plain id: the loop below, without its tests.
            for item, key in zip(items, keys, strict=True):
                covering[key].append(item)
            return covering, rejected
        for item, key in zip(items, keys, strict=True):
            failures: Any = None
            if passes is not None:
                if not passes(ctx, item):
                    failures = failures_of(ctx, item)  # type: ignore[misc]
            elif unqualified and id(item) in unqualified:
                failures = failures_of(ctx, item)  # type: ignore[misc]
            if failures:
                for one_key in (key,) if type(key) is str else key:
                    rejected[one_key].append((item, failures))
            elif type(key) is str:
                covering[key].append(item)
            else:
                for one_key in key:
                    covering[one_key].append(item)
        return covering, rejected

    # ... and so are the items that cover each key, for checks that also share `require` (e.g.
    # rectification items by their sources, for opinions and for criticisms).
    covering, rejected = index() if shared is None else ctx.cached(shared, index)

    excuses: dict[Any, str] = {}
    if spec.excused is not None:
        exc = spec.excused
        for raw in exc.select.items(ctx):
            obj = ctx.as_object(raw)
            reason = exc.reason.first(ctx, obj) if exc.reason else None
            for key in exc.key.values(ctx, obj):
                excuses[k(key)] = str(reason or "")

    missing: list[tuple[Any, Any, int | None]] = []
    exact = norm == "exact"
    add_up = spec.sum
    # How many covering items a subject needs: 1, or `min_items`; with `sum`, only `min_items`.
    min_items = spec.min_items or (0 if add_up is not None else 1)
    periods = _periods(ctx, spec) if spec.per_period is not None else None
    short: dict[Any, tuple[int, list[Period]]] = {}  # key -> items found, periods not covered
    nothing: tuple[Any, ...] = ()
    # One `same` constraint between two plain fields, as "owner: to": read in place below.
    plain = [(ip.single, sp.single) for ip, sp in same if ip.single and sp.single]
    item_field, subject_field = plain[0] if len(same) == 1 and plain else (None, None)
    unmet = subjects
    if FAST and exact and not same and periods is None and add_up is None:
        # A subject with `min_items` covering items is passed over by the loop below (its
        # `continue`, nothing else): only the others go through it, found by one comprehension
        # (issue 13: ~380 subjects a check of the whole pack, nearly all covered). The key is
        # the loop's own, `key_of` in place; an unhashable one raises here as it raised there.
        get = covering.get
        unmet = [
            subject
            for subject in subjects
            if len(
                get(
                    subject.get("id", id(subject)) if type(subject) is dict else key_of(subject),
                    nothing,
                )
            )
            < min_items
        ]
    for subject in unmet:
        if not exact:
            key = k(subject)
        elif type(subject) is dict:
            key = subject.get("id", id(subject))  # key_of, in place
        else:
            key = key_of(subject)
        found = covering.get(key, nothing)
        if same and found:
            subj = subject if type(subject) is dict else ctx.as_object(subject)
            one = found[0] if len(found) == 1 else None
            a = b = None
            if item_field is not None and type(one) is dict and type(subj) is dict:
                a, b = one.get(item_field), subj.get(subject_field)
            if type(a) is str and type(b) is str:
                found = found if a == b else []  # _shares, for one item and two plain ids
            else:
                found = [item for item in found if _shares(ctx, same, item, subj)]
        total = None
        if periods is not None:
            gaps = _uncovered(ctx, spec, found, periods, min_items)
            if not gaps:
                continue
            short[key] = (len(found), gaps)
        elif add_up is not None:
            total = sum(v for item in found for v in add_up.values(ctx, item) if isinstance(v, int))
            if (
                total >= (spec.min_sum or 0)
                and (spec.max_sum is None or total <= spec.max_sum)
                and len(found) >= min_items
            ):
                continue
            if len(found) < min_items:
                short[key] = (len(found), [])
        elif len(found) >= min_items:
            continue
        elif found:
            short[key] = (len(found), [])
        missing.append((subject, key, total))

    out = Outcome(checked=len(subjects))
    own_due = check_due(ctx, spec)
    needed = len(subjects)
    if spec.min_ratio is not None:
        needed = math.ceil(spec.min_ratio * len(subjects))  # exact: 2/3 of 3 is 2, not 3
    of_zh = of_en = ""
    if spec.min_covered is not None:
        if isinstance(spec.min_covered, int):
            needed = spec.min_covered
        else:  # a ratio of another selection: say where the number comes from
            needed, total_of = spec.min_covered.needed(ctx)
            of = spec.min_covered.describe(ctx, total_of, "项")
            of_zh, of_en = f"（{of.zh}）", f" ({of.en})"
    covered = len(subjects) - len(missing)
    quota = spec.min_ratio is not None or spec.min_covered is not None
    if (covered >= needed and quota) or not (missing or quota):
        return out
    what = what_text(spec, "所要求的记录", "the required entry")  # for messages only
    if quota:
        # A quota ("two thirds", "at least two forms") is one finding; no single subject was
        # required, so none is reported on its own.
        names = [ctx.name(str(key_of(subject))) for subject, _, _ in missing]
        absent_zh = "、".join(n.zh for n in names[:12]) + ("等" if len(names) > 12 else "")
        absent_en = ", ".join(n.en for n in names[:12]) + (", …" if len(names) > 12 else "")
        out.findings.append(
            make_finding(
                spec,
                None,
                Text(
                    f"{what.zh}应至少 {needed} 项{of_zh}，实际 {covered} 项（未满足：{absent_zh}）",
                    f"{what.en}: at least {needed} required{of_en}, found {covered} (not met: {absent_en})",
                ),
                subject_name=what,
                path=ctx.selection_pointer(spec.items),
                due=own_due,
                expected=Text(f"至少 {needed} 项", f"at least {needed}"),
                found=plain_text(str(covered)),
            )
        )
        return out
    for subject, key, total in missing:
        label = str(key_of(subject))
        name = ctx.name(label)
        path = ctx.pointer_of(ctx.as_object(subject)) if isinstance(subject, (dict, str)) else None
        if isinstance(subject, str) and subject not in ctx.record.index:
            path = ctx.selection_pointer(spec.items)
        if key in excuses:
            reason = excuses[key] or "—"
            out.findings.append(
                make_finding(
                    spec,
                    label,
                    Text(
                        f"{name.zh}：缺少{what.zh}（已请假：{reason}）",
                        f"{name.en}: no {what.en} (on approved leave: {reason})",
                    ),
                    subject_name=name,
                    path=path,
                    due=own_due,
                    expected=what,
                    found=Text(f"请假：{reason}", f"leave: {reason}"),
                    severity=spec.excused.severity if spec.excused else None,
                )
            )
            continue
        detail_zh = detail_en = ""
        failures: list[Failure] = []
        if key in short:
            out.findings.append(_short_finding(ctx, spec, label, name, path, what, *short[key]))
            continue
        if total is not None and spec.max_sum is not None and total > spec.max_sum:
            out.findings.append(
                make_finding(
                    spec,
                    label,
                    Text(
                        f"{name.zh}：{what.zh}合计 {total}，应至多 {spec.max_sum}",
                        f"{name.en}: {what.en} total {total}, at most {spec.max_sum} allowed",
                    ),
                    subject_name=name,
                    path=path,
                    due=own_due,
                    expected=Text(f"合计至多 {spec.max_sum}", f"a total of at most {spec.max_sum}"),
                    found=Text(f"合计 {total}", f"total {total}"),
                )
            )
            continue
        if total is not None:
            detail_zh = f"（合计 {total}，应至少 {spec.min_sum}）"
            detail_en = f" (total {total}, at least {spec.min_sum} required)"
        if rejected.get(key):
            cited: tuple[Any, Any] = first_cited(ctx, rejected[key])
            item, written = cited
            failures = written.force(ctx) if type(written) is Later else written
            expected, shown = join_failures(failures)
            ref = subject_key_of(ctx, item, None) or ""
            detail_zh += f"（{ref} 不计入：应{expected.zh}；实际为 {shown.zh}）"
            detail_en += f" ({ref} does not count: expected {expected.en}; found {shown.en})"
        out.findings.append(
            make_finding(
                spec,
                label,
                Text(f"{name.zh}：缺少{what.zh}{detail_zh}", f"{name.en}: no {what.en}{detail_en}"),
                subject_name=name,
                path=path,
                due=earliest_due(failures) or own_due,
                expected=what,
                found=detail_found(detail_zh, detail_en),
                judged=judged_of_failures(failures),
            )
        )
    return out


# Off, the failures of every item that does not qualify are written when the items are indexed,
# as before; tests/test_kinds_fast.py compares the two.
FAST = True


class Later:
    """The failures of an item that does not qualify, written when a finding cites the item.

    Most such items cover no subject that lacks a covering one (the secretary's own outline,
    reviewed by no one, for "every other member's outline is reviewed"), and their messages
    were a tenth of a check of the whole pack (issue 13). What `failures` evaluates has been
    evaluated already, without messages (`op_exhaustive`): had it raised, the failures were
    written at once instead, raising as they did; and only a condition whose messages cannot
    raise after its tests (`messages_safe`) is deferred."""

    __slots__ = ("cond", "item", "made")

    def __init__(self, cond: Condition, item: Any) -> None:
        self.cond = cond
        self.item = item
        self.made: list[Failure] | None = None

    def force(self, ctx: Context) -> list[Failure]:
        if self.made is None:
            self.made = self.cond.failures(ctx, self.item)
        return self.made


def _deferred_of(cond: Condition) -> Callable[[Context, Any], Any]:
    """`cond.failures` for an item known not to pass: the failures, or `Later` (see there)."""
    return memoised("deferred", cond, lambda: _build_deferred(cond))  # type: ignore[no-any-return]


def _build_deferred(cond: Condition) -> Callable[[Context, Any], Any]:
    if not messages_safe(cond):
        return cond.failures
    full = op_exhaustive(cond)

    def deferred(ctx: Context, item: Any) -> Any:
        try:
            if full(ctx, item):
                return []  # `failures` finds nothing: the item qualifies after all
        except Exception:  # written now, as before: `failures` raises what it raises
            return cond.failures(ctx, item)
        return Later(cond, item)

    return deferred


Plan = tuple[Any, Any, list[tuple[Path, Path]]]


def _plan(spec: CoverageSpec) -> Plan:
    """What a coverage check keeps between records, in one look-up: the keys under which the
    record's checks share the items with their subject keys (the same items by the same key)
    and the items that cover each key (the same `require` too), and the `same` paths parsed."""

    def build() -> Plan:
        norm = spec.normalize
        return (
            memoised_key(
                "coverage", spec, lambda: SharedKey(("coverage", spec.items.spec, spec.key, norm))
            ),
            memoised_key(
                "covering",
                spec,
                lambda: shared_key("covering", spec.items.spec, spec.key, norm, spec.require),
            ),
            [(Path.parse(i), Path.parse(s)) for i, s in spec.same.items()],
        )

    return memoised("coverage plan", spec, build)  # type: ignore[no-any-return]


def _periods(ctx: Context, spec: CoverageSpec) -> list[Period]:
    """The periods of `per_period`'s range; none when a bound cannot be resolved (its anchor
    is not in the record: that absence is another check's finding, as with date operators)."""
    per = spec.per_period
    assert per is not None
    start, end = per.from_.resolve(ctx), per.to.resolve(ctx)
    if start is None or end is None:
        return []
    return periods_between(start, end, per.unit, academic_start(ctx))


def _uncovered(
    ctx: Context, spec: CoverageSpec, found: Any, periods: list[Period], min_items: int
) -> list[Period]:
    """The periods of the range in which fewer than `min_items` of `found` are dated."""
    if not periods:
        return []
    per = spec.per_period
    assert per is not None
    unit, start = per.unit, academic_start(ctx)
    wanted = set(periods)
    counts: dict[Period, int] = defaultdict(int)
    for item in found:
        # An item dated twice in one period counts once there.
        held = {
            period_of(d, unit, start) for d in per.date.values(ctx, item) if isinstance(d, dt.date)
        }
        for period in held & wanted:
            counts[period] += 1
    return [p for p in periods if counts[p] < min_items]


def _short_finding(
    ctx: Context,
    spec: CoverageSpec,
    label: str,
    name: Text,
    path: str | None,
    what: Text,
    count: int,
    gaps: list[Period],
) -> Finding:
    """A subject with too few covering items (`min_items`), or none in some periods."""
    need = spec.min_items or 1
    if gaps:
        shown = [p.label for p in gaps]
        listed_zh = "、".join(shown[:12]) + ("等" if len(shown) > 12 else "")
        listed_en = ", ".join(shown[:12]) + (", …" if len(shown) > 12 else "")
        unit = _UNIT_ZH.get(spec.per_period.unit, "期间") if spec.per_period else "期间"
        each_zh = f"每{unit}至少 {need} 项" if need > 1 else f"每{unit}均有"
        each_en = f"at least {need} in each {spec.per_period.unit if spec.per_period else 'period'}"
        return make_finding(
            spec,
            label,
            Text(
                f"{name.zh}：以下期间缺少{what.zh}：{listed_zh}",
                f"{name.en}: no {what.en} in {listed_en}",
            ),
            subject_name=name,
            path=path,
            expected=Text(f"{what.zh}{each_zh}", f"{what.en}: {each_en}".replace("_", " ")),
            found=Text(f"缺：{listed_zh}", f"missing: {listed_en}"),
        )
    return make_finding(
        spec,
        label,
        Text(
            f"{name.zh}：{what.zh}应至少 {need} 项，实际 {count} 项",
            f"{name.en}: at least {need} × {what.en} required, found {count}",
        ),
        subject_name=name,
        path=path,
        expected=Text(f"至少 {need} 项", f"at least {need}"),
        found=Text(f"{count} 项", str(count)),
    )


_UNIT_ZH = {"month": "月", "quarter": "季度", "half": "半年", "year": "年", "academic_year": "学年"}


CoverIndex = tuple[dict[Any, list[Any]], dict[Any, list[tuple[Any, list[Failure]]]]]


def _shares(ctx: Context, same: list[tuple[Path, Path]], item: Any, subject: Any) -> bool:
    """Whether the item shares a value with the subject at every (item path, subject path)."""
    for ip, sp in same:
        a_field, b_field = ip.single, sp.single
        plain = a_field is not None and b_field is not None
        if plain and isinstance(item, dict) and isinstance(subject, dict):
            a, b = item.get(a_field), subject.get(b_field)
            if type(a) is str and type(b) is str:  # two plain ids, read in place
                if a != b:
                    return False
                continue
        if not set(map(str, ip.values(ctx, item))) & set(map(str, sp.values(ctx, subject))):
            return False
    return True
