"""What one pass over each of a record's lists, filling every selection of the pack on it, buys
(issue 13, session 7): measured before building it into the package.

    python bench/list_pass.py [--rounds 300]

The idea measured (docs/performance.md, "What stands in the way"): a plan made at pack load says
which selections read which list of the record, with their filters; on a list's first use in a
record, one pass over the list fills every selection of it, instead of each selection reading
its list on its own. Here the plan is made by hand from the selections a whole-pack check asks
(those from a list at the record's root whose `where` starts with `eq` on one plain field, or
that have no `where`, without `minus`): the list is grouped once by each such field, the rest of
each `where` and its `path` applied to its group, and every result stored under the token the
selection keeps its items by, as `Selection.items` would. The filled results are first compared
with what the selections give when asked one by one.

Two measures, CPU medians, the two variants alternating in order round after round:

* per list: asking every selection of the list in a fresh context (the record's sets filled
  before, on both sides), against the one pass followed by the same asks (which then find the
  results); each call right after a full collection ("cold", as bench/vs_handwritten.py times a
  check) and right after the same call ("warm");
* whole checks (the 78 rules, the catalogue's 53, the nine of the issue) with the pass run on a
  list's first use in each record, against the checks as they are; both sides go through the
  same wrapper of `Selection.items`, which runs the pass or not.

It reads the package's internal tables (`selecting.SELECTIONS`): a measuring script, not an API.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(ROOT / "bench")):
    if p not in sys.path:
        sys.path.insert(0, p)

import handwritten  # noqa: E402
from vs_handwritten import after_collection, catalogue_ids  # noqa: E402

from dlsh_rules import check, load_pack, load_record  # noqa: E402
from dlsh_rules.authoring.synth import compliant_record  # noqa: E402
from dlsh_rules.evaluate.context import Context  # noqa: E402
from dlsh_rules.language import selecting  # noqa: E402
from dlsh_rules.language.bulk import filter_keeper, filtered  # noqa: E402
from dlsh_rules.language.compiled import path_reader  # noqa: E402
from dlsh_rules.language.query import Selection  # noqa: E402
from dlsh_rules.language.shared import _group  # noqa: E402

# One entry of a list's plan: the selection's token, the field and value of its group (None:
# the whole list), the rest of its where with its keeper, and its path's reader.
Entry = tuple[int, str | None, Any, Any, Any, Any]


def asked_selections(record: Any, pack: Any) -> list[Selection]:
    """The selections a whole-pack check computes (not relative), in the order first asked."""
    order: list[Selection] = []
    seen: set[int] = set()
    original = Selection.items

    def items(self: Selection, ctx: Context, obj: Any = None) -> list[Any]:
        if not self.relative and id(self) not in seen:
            seen.add(id(self))
            order.append(self)
        return original(self, ctx, obj)

    check(record, pack)
    Selection.items = items  # type: ignore[method-assign]
    try:
        check(record, pack)
    finally:
        Selection.items = original  # type: ignore[method-assign]
    return order


def plans_of(order: list[Selection], data: dict[str, Any]) -> dict[str, list[Entry]]:
    """Per list at the record's root, the entries one pass can fill (by distinct token)."""
    plans: dict[str, dict[int, Entry]] = defaultdict(dict)
    for sel in order:
        entry = selecting.SELECTIONS[id(sel)]
        by = entry[4]
        source = sel.source
        if source is None or source.single is None or sel.minus is not None:
            continue
        if not isinstance(data.get(source.single), list):
            continue
        if sel.where is not None and by is None:
            continue
        field, value, rest = (by[0], by[1], by[2]) if by is not None else (None, None, None)
        keep = filter_keeper(rest) if rest is not None else None
        read = path_reader(sel.path) if sel.path is not None else None
        plans[source.single].setdefault(entry[2], (entry[2], field, value, rest, keep, read))
    return {name: list(entries.values()) for name, entries in plans.items()}


def one_pass(ctx: Context, name: str, plan: list[Entry]) -> None:
    """Every selection of `plan` filled from one grouping of the list per field."""
    objs = ctx.record.data.get(name)
    listed = [o for o in objs if o is not None] if isinstance(objs, list) else []
    groups: dict[str, Any] = {}
    selected = ctx.selected
    for token, field, value, rest, keep, read in plan:
        if field is None:
            found = list(listed)
        else:
            by = groups.get(field)
            if by is None:
                by = groups[field] = _group(listed, field)
            if by is None:  # not groupable: the selection computes itself when asked
                continue
            found = by.get(value) or []
        if keep is not None and found:
            found = filtered(keep, rest, ctx, found)
        if read is not None:
            found = [v for item in found for v in read(ctx, item)]
        selected[token] = found


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {k: statistics.median(v) for k, v in times.items()}


def per_list(record: Any, pack: Any, order: list[Selection], rounds: int) -> None:
    sets_ctx = Context(record, pack)
    shared_sets: dict[Any, Any] = {}
    for sel in order:  # the record's sets, filled once for both sides
        sel.items(sets_ctx)
    shared_sets = {k: v for k, v in sets_ctx.shared.items() if type(k) is tuple and k[0] == "set"}
    by_list: dict[str, list[Selection]] = defaultdict(list)
    for sel in order:
        if sel.source is not None and sel.source.single is not None:
            by_list[sel.source.single].append(sel)
    plans = plans_of(order, record.data)

    def fresh() -> Context:
        ctx = Context(record, pack)
        ctx.shared.update(shared_sets)
        return ctx

    def asked(sels: list[Selection]) -> Callable[[], Any]:
        return lambda: [s.items(ctx) for ctx in (fresh(),) for s in sels]

    def passed(name: str, sels: list[Selection]) -> Callable[[], Any]:
        def run() -> Any:
            ctx = fresh()
            one_pass(ctx, name, plans[name])
            return [s.items(ctx) for s in sels]

        return run

    names = [n for n in sorted(by_list, key=lambda n: -len(by_list[n])) if n in plans]
    for name in names:  # the filled results are the selections' own
        a, b = fresh(), fresh()
        one_pass(b, name, plans[name])
        for sel in by_list[name]:
            assert sel.items(a) == sel.items(b), (name, sel.spec)
    print(f"per list, 5 members, {rounds} rounds (µs, CPU medians)")
    print(
        f"  {'list':<22}{'asked':>6}{'filled':>7}  {'cold: as now':>13}{'one pass':>9}"
        f"  {'warm: as now':>13}{'one pass':>9}"
    )
    totals = defaultdict(float)
    for name in names:
        sels = by_list[name]
        calls = {"now": asked(sels), "pass": passed(name, sels)}
        times: dict[str, list[float]] = defaultdict(list)
        for n in range(rounds):
            for key in ("now", "pass") if n % 2 else ("pass", "now"):
                for temp in ("cold", "warm"):
                    times[f"{temp} {key}"].append(after_collection(calls[key], temp == "warm"))
        m = medians(times)
        for k, v in m.items():
            totals[k] += v
        print(
            f"  {name:<22}{len(sels):>6}{len(plans[name]):>7}  {m['cold now'] * 1e6:>13.1f}"
            f"{m['cold pass'] * 1e6:>9.1f}  {m['warm now'] * 1e6:>13.1f}{m['warm pass'] * 1e6:>9.1f}"
        )
    print(
        f"  {'all of them':<35}{totals['cold now'] * 1e6:>13.1f}{totals['cold pass'] * 1e6:>9.1f}"
        f"  {totals['warm now'] * 1e6:>13.1f}{totals['warm pass'] * 1e6:>9.1f}"
    )


def whole_checks(record: Any, pack: Any, order: list[Selection], rounds: int) -> None:
    plans = plans_of(order, record.data)
    planned = {id(s): s.source.single for s in order if s.source is not None}
    state = {"on": False}
    original = Selection.items

    def items(self: Selection, ctx: Context, obj: Any = None) -> list[Any]:
        if state["on"]:
            name = planned.get(id(self))
            if name is not None and name in plans:
                done = ctx.shared.setdefault("list passes", set())
                if name not in done:
                    done.add(name)
                    one_pass(ctx, name, plans[name])
        return original(self, ctx, obj)

    selections = {"78": (), "53": tuple(catalogue_ids()), "9": tuple(handwritten.RULES)}
    reports = {}
    Selection.items = items  # type: ignore[method-assign]
    try:
        for key, select in selections.items():
            for on in (False, True):
                state["on"] = on
                reports[key, on] = check(record, pack, select=select).to_json("en")
            assert reports[key, False] == reports[key, True], key
        times: dict[str, list[float]] = defaultdict(list)
        for n in range(rounds):
            for on in (False, True) if n % 2 else (True, False):
                state["on"] = on
                for key, select in selections.items():
                    timed = after_collection(partial(check, record, pack, select=select))
                    times[key, on].append(timed)  # type: ignore[index]
    finally:
        Selection.items = original  # type: ignore[method-assign]
    m = medians(times)  # type: ignore[arg-type]
    print(f"whole checks, 5 members, {rounds} rounds (ms, CPU medians, after a collection each)")
    for key in selections:
        a, b = m[key, False], m[key, True]  # type: ignore[index]
        print(
            f"  {key:>2} rules: as now {a * 1e3:.3f}, one pass per list {b * 1e3:.3f}"
            f" ({(b / a - 1) * 100:+.1f} %)"
        )


def bounds(record: Any, pack: Any, rounds: int) -> None:
    """What any plan of the selections could buy at most, and what the collection costs: each
    check right after a collection, with the record's selections (and the lists grouped, their
    keys) filled beforehand from an earlier check of the same record, and the same check run
    a second time without a collection in between."""
    kept: dict[int, Any] = {}
    original = Context.release

    def release(self: Context) -> None:
        kept.update(self.selected)
        original(self)

    Context.release = release  # type: ignore[method-assign]
    try:
        check(record, pack)
    finally:
        Context.release = original  # type: ignore[method-assign]
    fill: dict[str, Any] = {"on": False}
    init = Context.__init__

    def prefilled(self: Context, *args: Any) -> None:
        init(self, *args)
        if fill["on"]:
            self.selected.update(kept)

    selections = {"78": (), "53": tuple(catalogue_ids()), "9": tuple(handwritten.RULES)}
    times: dict[str, list[float]] = defaultdict(list)
    Context.__init__ = prefilled  # type: ignore[method-assign]
    try:
        for n in range(rounds):
            for key, select in selections.items():
                for variant in (
                    ("as now", "filled", "warm") if n % 2 else ("warm", "filled", "as now")
                ):
                    fill["on"] = variant == "filled"
                    times[f"{key} {variant}"].append(
                        after_collection(
                            partial(check, record, pack, select=select), variant == "warm"
                        )
                    )
                    fill["on"] = False
    finally:
        Context.__init__ = init  # type: ignore[method-assign]
    m = medians(times)
    print(f"bounds, 5 members, {rounds} rounds (ms, CPU medians)")
    for key in selections:
        print(
            f"  {key:>2} rules: as now {m[key + ' as now'] * 1e3:.3f}, selections filled "
            f"beforehand {m[key + ' filled'] * 1e3:.3f}, warm (no collection before) "
            f"{m[key + ' warm'] * 1e3:.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args(argv)
    pack = load_pack()
    record = load_record(compliant_record(5), pack.enums)
    order = asked_selections(record, pack)
    per_list(record, pack, order, args.rounds)
    whole_checks(record, pack, order, args.rounds)
    bounds(record, pack, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
