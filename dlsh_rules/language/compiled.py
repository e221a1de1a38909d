"""Conditions compiled into closures, evaluated in the interpreter's exact order: operator
tests and filters here, the forms a kind checks objects with in `compiled_checks.py`."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..evaluate.context import Context
    from .paths import Path
    from .query import Condition
    from .query_leaves import Op
from .normalise import normalise
from .operators import PASSES, PassTest, is_present
from .paths import compile_path, fast_paths, follow_id, key_of

# --- compiled evaluation ----------------------------------------------------------------------
#
# `Condition.failures` and `Condition.holds` above interpret a condition, operator by operator,
# and are the reference. A large record puts tens of thousands of objects through the same
# condition and nearly all of them pass, so the kinds use closures built from a condition on
# first use: they evaluate the same tests in the same order, but with fewer layers of calls and
# without writing messages; only an object that fails goes through `failures` to say why.
#
# The closures are kept in a per-process table keyed by the compiled object's identity (the
# entry keeps the object alive, so an id is never reused while its entry exists): compiled packs
# are pickled to the disk cache, and closures cannot be pickled.

Eval = Callable[["Context", Any], bool]


_COMPILED: dict[tuple[str, int], tuple[object, Any]] = {}
_COMPILED_MAX = 20_000  # entries; a process that loads many packs starts afresh beyond this


def memoised(kind: str, obj: object, build: Callable[[], Any]) -> Any:
    entry = _COMPILED.get((kind, id(obj)))
    if entry is not None and entry[0] is obj:
        return entry[1]
    made = build()
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[(kind, id(obj))] = (obj, made)
    return made


T = TypeVar("T")

# --- one object for equal bounds ----------------------------------------------------------------

_EQUAL: dict[str, list[Any]] = {}


_CANONICAL: dict[int, tuple[Any, Any]] = {}


def canonical_of(obj: T) -> T:
    """`canonical`, with one look-up by the object's id: a date bound asks for it at every
    resolution (about 60 a check of the whole pack)."""
    entry = _CANONICAL.get(id(obj))
    if entry is not None and entry[0] is obj:
        found: T = entry[1]
        return found
    found = canonical(obj)
    if len(_CANONICAL) >= _COMPILED_MAX:
        _CANONICAL.clear()
    _CANONICAL[id(obj)] = (obj, found)
    return found


def canonical(obj: T) -> T:
    """The first object of the process equal to `obj` (same type, repr and ``==``), itself if
    none; `obj` must be immutable, and everything computed from it a function of its value.

    A record's context keeps a date bound that does not depend on the object checked by the
    bound's identity (`Context.memo`), but a pack repeats bounds: in the default pack 84 bound
    objects, resolved once each per record, had 15 distinct values (issue 13). Keyed by this
    object instead, each value is resolved once per record. A resolution that raises is kept
    by none (it raises again at the next), so the rule it raises in is the same.

    The repr tells 1, 1.0 and True apart, which ``==`` does not; ``==`` covers fields a repr
    may hide."""
    found: T = memoised("canonical", obj, lambda: _first_equal(obj))
    return found


def _first_equal(obj: Any) -> Any:
    if len(_EQUAL) >= 20_000:  # a process that loads many packs starts afresh
        _EQUAL.clear()
    kept = _EQUAL.setdefault(f"{type(obj).__qualname__}:{obj!r}", [])
    for other in kept:
        if type(other) is type(obj) and other == obj:
            return other
    kept.append(obj)
    return obj


def path_reader(path: Path) -> Callable[[Context, Any], list[Any]]:
    """`path.values` as a closure; a path of two plain fields is read without the general loop."""
    # Kept apart by `paths.FAST`, so that a test (or a benchmark) may switch between the two.
    fast = fast_paths()
    return memoised("path" if fast else "path, general", path, lambda: _build_reader(path, fast))  # type: ignore[no-any-return]


def _build_reader(path: Path, fast: bool) -> Callable[[Context, Any], list[Any]]:
    # Where the in-place read below hands over (an id on the way: `chair.represents`).
    general = compile_path(path) if fast else path.values
    segments = path.segments
    if len(segments) != 2 or any(seg.startswith("@") for seg in segments):
        return general
    outer, inner = segments

    def read(ctx: Context, start: Any) -> list[Any]:
        # What the general loop does when every value on the way is a mapping or a list of
        # them; an id on the way (which the general loop follows to its object) hands over.
        if not isinstance(start, dict):
            return general(ctx, start)
        middle = start.get(outer)
        if middle is None:
            return []
        out: list[Any] = []
        for value in middle if isinstance(middle, list) else (middle,):
            if not isinstance(value, dict):
                if isinstance(value, str):
                    return general(ctx, start)
                continue
            got = value.get(inner)
            if got is None:
                continue
            if isinstance(got, list):
                out.extend([g for g in got if g is not None])
            else:
                out.append(got)
        return out

    return read


def _compile_values(op: Op) -> Callable[[Context, Any], list[Any]]:
    """`Op.values`, with `only` compiled."""
    path_values = path_reader(op.path)
    if op.only is None and op.normalise == "exact":
        return path_values
    only = op_filter(op.only) if op.only is not None else None
    norm = op.normalise

    def values(ctx: Context, obj: Any) -> list[Any]:
        found = path_values(ctx, obj)
        if only is not None:
            found = [v for v in found if only(ctx, follow_id(ctx, v))]
        if norm != "exact":
            found = [normalise(v, norm) if isinstance(v, str) else v for v in found]
        return found

    return values


def compile_op(op: Op) -> Eval:
    """`Op.holds` as a closure: the operator's test, without its messages; built once per
    operator (filters, checks and whole-list tests each ask for it: building it three times
    made the first check in a process dearer)."""
    fast = fast_paths()  # the closure holds path readers of one kind (see `path_reader`)
    return memoised("op" if fast else "op, general", op, lambda: _build_op(op))  # type: ignore[no-any-return]


def _build_op(op: Op) -> Eval:
    passes = PASSES[op.name]
    values = _compile_values(op)
    field_name = op.path.single
    plain = field_name if op.only is None and op.normalise == "exact" else None
    fast = None
    if op.name in ("text_contains_any", "text_contains_none"):
        fast = _text_test(op, plain, values)
    elif op.name in _DATE_COMPARE and op.only is None and op.normalise == "exact":
        fast = _date_test(op, field_name, values)
    elif op.name == "in_set" and op.only is None and op.normalise == "exact":
        fast = _in_set_test(op, field_name, values)
    elif op.name == "contains_all" and plain is not None:
        fast = _contains_all_test(op, plain, values)
    elif plain is not None:
        fast = _single_field_test(op, plain, passes, values)
    elif op.name in ("eq", "ne") and op.only is None and op.normalise == "exact":
        fast = _eq_test(op, values)
    elif op.name == "exists" and op.only is None and op.normalise == "exact":
        want = bool(op.arg)
        fast = lambda ctx, obj: is_present(values(ctx, obj)) == want  # noqa: E731
    if fast is not None:
        return fast

    def test(ctx: Context, obj: Any) -> bool:
        return passes(op, ctx, values(ctx, obj), obj)

    return test


def _single_field_test(
    op: Op, name: str, passes: PassTest, values: Callable[[Context, Any], list[Any]]
) -> Eval | None:
    """The commonest operators on one plain field, reading the field in place.

    Each gives what `passes(op, ctx, Path.values(...), obj)` gives for every value the field can
    hold (absent, a list, a scalar), raising where it raises; an object that is not a mapping
    takes the general way.
    """
    kind = op.name
    arg = op.arg
    if kind == "exists":
        want = bool(arg)

        def exists(ctx: Context, obj: Any) -> bool:
            if not isinstance(obj, dict):
                return passes(op, ctx, values(ctx, obj), obj)
            found = obj.get(name)
            if found is None:
                return not want
            if isinstance(found, list):
                return is_present([g for g in found if g is not None]) == want
            if isinstance(found, str):
                return bool(found.strip()) == want
            return want

        return exists
    if kind in ("eq", "ne"):
        negate = kind == "ne"

        def eq(ctx: Context, obj: Any) -> bool:
            if not isinstance(obj, dict):
                return passes(op, ctx, values(ctx, obj), obj)
            found = obj.get(name)
            if found is None:
                return negate
            if isinstance(found, list):
                hit = arg in [g for g in found if g is not None]
            else:
                hit = arg in (found,)
            return hit != negate

        return eq
    if kind in ("in", "any_of", "not_in"):
        try:
            allowed = op.norm_set
        except TypeError:  # an unhashable argument: the general test raises, at every object
            return None

        def member(ctx: Context, obj: Any) -> bool:
            if not isinstance(obj, dict):
                return passes(op, ctx, values(ctx, obj), obj)
            found = obj.get(name)
            if found is None or isinstance(found, list):
                return passes(op, ctx, values(ctx, obj), obj)
            inside = found in allowed
            return not inside if kind == "not_in" else inside

        return member
    if kind in COUNTS and type(arg) is int:  # not a ratio, which needs the object

        def count(ctx: Context, obj: Any) -> bool:
            if not isinstance(obj, dict):
                return passes(op, ctx, values(ctx, obj), obj)
            return count_holds(kind, count_values(obj.get(name)), arg)

        return count
    return None


COUNTS = ("count", "min_count", "max_count")

# The single-bound date operators (`operators._date_op`): the comparison of a date with its bound.
_DATE_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "on_or_before": operator.le,
    "before": operator.lt,
    "on_or_after": operator.ge,
    "after": operator.gt,
}


def _field_values(found: Any) -> list[Any]:
    """`Path.values` of one plain field of a mapping, given what the field holds."""
    if found is None:
        return []
    if isinstance(found, list):
        return [g for g in found if g is not None]
    return [found]


def _date_test(
    op: Op, name: str | None, values: Callable[[Context, Any], list[Any]]
) -> Eval | None:
    """A date bound that is the same for every object (no ``{here: …}`` anchor), compared
    with the field's dates. The bound is read from the context's per-record memo, where
    `DateSpec.resolve` keeps it, without a call; the first object of a record resolves it
    through `resolve`, so a bound that raises raises there, at every object, as before.

    As `operators._date_op`'s test: an unknown bound passes; else at least one date and every
    date within the bound, compared in order and stopping at the first that is not.
    """
    spec = op.arg
    relative = _relative_bound(spec) if spec.relative else None
    if spec.relative and relative is None:
        return None
    compare = _DATE_COMPARE[op.name]
    # The record's date of every bound equal to this one is kept under one object (`canonical`).
    shared = canonical(spec) if relative is None else spec
    key = id(shared)

    def date(ctx: Context, obj: Any) -> bool:
        if name is not None and type(obj) is dict:
            found = obj.get(name)  # one plain field: reading it cannot raise
            found_values = None if type(found) is dt.date else _field_values(found)
        else:
            found_values = values(ctx, obj)
        if relative is not None:
            bound = relative(ctx, obj)
        else:
            entry = ctx.memos.get(key)
            bound = entry[1] if entry is not None and entry[0] is shared else spec.resolve(ctx, obj)
        if bound is None:
            return True
        if found_values is None:
            return bool(compare(found, bound))
        seen = False
        for value in found_values:
            if isinstance(value, dt.date):
                if not compare(value, bound):
                    return False
                seen = True
        return seen

    return date


def _relative_bound(spec: Any) -> Callable[[Context, Any], dt.date | None] | None:
    """`DateSpec.resolve` of a bound that depends on the object, the earliest or latest date
    of its anchor moved by an offset (``{anchor: {here: date}, days: 1}``), as a closure; None
    for any other (the general way). An anchor of one path from the object is read in place;
    any other (``{here: target.@refs(…), where: …, path: date}``) through its selection, as
    `DateSpec._resolve` reads it, without the operator's and the bound's layers."""
    anchor = spec.anchor
    if spec.steps is not None or spec.absolute is not None or spec.base is not None:
        return None
    if anchor is None:
        return None
    here = anchor.here is not None and anchor.where is None and anchor.path is None
    here = here and anchor.minus is None
    read = path_reader(anchor.here) if here else anchor.items
    earliest = spec.pick == "min"
    offset = spec.offset

    def bound(ctx: Context, obj: Any) -> dt.date | None:
        if here and obj is None:  # as Selection._items says it
            raise ValueError("{here: …} is evaluated without an object being checked")
        dates = [d for d in read(ctx, obj) if isinstance(d, dt.date)]
        if not dates:
            return None
        return offset.apply(min(dates) if earliest else max(dates))  # type: ignore[no-any-return]

    return bound


def _in_set_test(op: Op, name: str | None, values: Callable[[Context, Any], list[Any]]) -> Eval:
    """`in_set`: at least one value and every value's key in the set; the set's keys are asked
    for first, after the values, as `operators._in_set_passes` does."""
    set_name = op.arg

    def in_set(ctx: Context, obj: Any) -> bool:
        if name is not None and type(obj) is dict:
            found = obj.get(name)
            keys = ctx.set_keys(set_name)
            if type(found) is str:  # key_of of a text is the text
                return found in keys
            if isinstance(found, list):
                # `_field_values` and the loop below in one pass, without a list or a call per
                # value (participants, to: ~120 in_set tests per check of the whole pack).
                seen = False
                for value in found:
                    if value is None:
                        continue
                    if (value if type(value) is str else key_of(value)) not in keys:
                        return False
                    seen = True
                return seen
            found_values = _field_values(found)
        else:
            found_values = values(ctx, obj)
            keys = ctx.set_keys(set_name)
        if not found_values:
            return False
        for value in found_values:  # noqa: SIM110 - a loop costs less than all() over a generator
            if key_of(value) not in keys:
                return False
        return True

    return in_set


def _contains_all_test(
    op: Op, name: str, values: Callable[[Context, Any], list[Any]]
) -> Eval | None:
    """`contains_all` on one plain field: every argument among its values. Only for arguments
    that are all hashable (another raises in the general test, after every argument before
    it was looked up, which stopping at the first one missing would not do)."""
    wanted = tuple(op.arg)
    try:
        for arg in wanted:
            hash(arg)
    except TypeError:
        return None

    def contains(ctx: Context, obj: Any) -> bool:
        if type(obj) is not dict:
            have = set(values(ctx, obj))
        else:
            found = obj.get(name)
            have = set(found) if type(found) is list else set(_field_values(found))
            have.discard(None)  # as `Path.values`, which leaves None out of a list
        for arg in wanted:  # noqa: SIM110 - a loop costs less than all() over a generator
            if arg not in have:
                return False
        return True

    return contains


def _eq_test(op: Op, values: Callable[[Context, Any], list[Any]]) -> Eval:
    """`eq` / `ne` on a path of several fields: the argument among the values, or not."""
    arg = op.arg
    if op.name == "eq":
        return lambda ctx, obj: arg in values(ctx, obj)
    return lambda ctx, obj: arg not in values(ctx, obj)


def count_values(found: Any) -> int:
    """How many values `Path.values` gives for a field holding `found`."""
    if found is None:
        return 0
    if not isinstance(found, list):
        return 1
    n = len(found)
    for g in found:
        if g is None:
            n -= 1
    return n


def count_holds(kind: str, n: int, want: Any) -> bool:
    if kind == "count":
        return bool(n == want)
    return bool(n >= want) if kind == "min_count" else bool(n <= want)


def _text_test(
    op: Op, name: str | None, values: Callable[[Context, Any], list[Any]]
) -> Eval | None:
    """Whether a text holds one of the markers (`holds_marker`).

    Only for markers that are all texts (any other raises in `in`, which the general test must
    still do) and at least one.
    """
    markers = op.norm_args
    if not markers or not all(isinstance(m, str) for m in markers):
        return None
    search = holds_marker(markers)
    wanted = op.name == "text_contains_any"

    def text(ctx: Context, obj: Any) -> bool:
        if name is not None and isinstance(obj, dict):  # one plain field, read in place
            found = obj.get(name)
            if isinstance(found, str):
                return search(found) == wanted
            if found is None:  # no values: no text holds a marker
                return not wanted
        hit = any(search(v) for v in values(ctx, obj) if isinstance(v, str))
        return hit == wanted

    return text


def holds_marker(markers: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a text holds one of `markers` (texts) as a substring: `in` tests in turn.

    The same answer as a search for the alternation of the escaped markers, which this was
    (a literal alternation matches exactly where one of its texts occurs), without compiling
    a pattern per operator: about 1 ms of the first check in a process (issue 13)."""
    if len(markers) == 1:
        only = markers[0]
        return lambda text: only in text

    def holds(text: str) -> bool:
        for marker in markers:  # noqa: SIM110 - a loop costs less than any() over a generator
            if marker in text:
                return True
        return False

    return holds


# Operators a group of plain-field tests reads in place (see `op_tests`).
_GROUPED = ("exists", "eq", "ne", "in", "any_of", "not_in", "count", "min_count", "max_count")


def op_tests(ops: Sequence[Op]) -> list[Eval]:
    """The compiled tests of `ops` in order, for evaluation that stops at the first failure.

    A run of two or more operators on plain fields (a ledger row's required fields, a talk's
    mode and number of people) becomes one closure that reads the fields in turn, in order, and
    stops where `all()` over the separate tests would: one call per object instead of one per
    operator. Not for exhaustive evaluation, which must not stop.
    """
    out: list[Eval] = []
    run: list[Op] = []
    for op in (*ops, None):
        if op is not None and _groupable(op):
            run.append(op)
            continue
        if len(run) >= 2:
            out.append(_field_group(run))
        else:
            out.extend(compile_op(o) for o in run)
        run = []
        if op is not None:
            out.append(compile_op(op))
    return out


def _groupable(op: Op) -> bool:
    if op.name not in _GROUPED or op.path.single is None:
        return False
    if op.only is not None or op.normalise != "exact":
        return False
    if op.name in COUNTS and type(op.arg) is not int:  # a ratio needs the object's selection
        return False
    if op.name in ("in", "any_of", "not_in"):
        try:
            op.norm_set  # noqa: B018 - an unhashable argument raises at every object: not grouped
        except TypeError:
            return False
    return True


def _field_group(ops: Sequence[Op]) -> Eval:
    """Plain-field tests read in place, in order, stopping at the first that fails.

    Each step gives what the operator's own compiled test gives (`_single_field_test`); values
    of an unusual shape (lists, for the set operators) and objects that are not mappings go to
    that test.
    """
    steps = tuple(
        (
            op.name,
            op.path.single,
            op.arg,
            op.norm_set if op.name in ("in", "any_of", "not_in") else frozenset(),
            compile_op(op),
        )
        for op in ops
    )
    separate = tuple(step[4] for step in steps)

    def group(ctx: Context, obj: Any) -> bool:
        if not isinstance(obj, dict):
            for test in separate:  # noqa: SIM110 - a loop costs less than all() over a generator
                if not test(ctx, obj):
                    return False
            return True
        get = obj.get
        for kind, name, arg, allowed, test in steps:
            found = get(name)
            if kind == "exists":
                if found is None:
                    ok = not arg
                elif isinstance(found, str):
                    ok = bool(found.strip()) == bool(arg)
                elif isinstance(found, list):
                    ok = test(ctx, obj)
                else:
                    ok = bool(arg)
            elif kind in COUNTS:
                ok = count_holds(kind, count_values(found), arg)
            elif found is None or isinstance(found, list):
                ok = test(ctx, obj)
            elif kind == "eq":
                ok = arg in (found,)
            elif kind == "ne":
                ok = arg not in (found,)
            elif kind == "not_in":
                ok = found not in allowed
            else:  # in, any_of: one value
                ok = found in allowed
            if not ok:
                return False
        return True

    return group


def all_hold(tests: Sequence[Eval]) -> Eval:
    """All tests hold, stopping at the first that does not."""
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests

        def both(ctx: Context, obj: Any) -> bool:
            return first(ctx, obj) and second(ctx, obj)

        return both

    def every(ctx: Context, obj: Any) -> bool:
        for test in tests:  # noqa: SIM110 - a loop costs less than all() over a generator
            if not test(ctx, obj):
                return False
        return True

    return every


def op_filter(cond: Condition) -> Eval:
    """`cond.holds` as a closure, for filters: stops at the first test that fails."""
    return memoised("holds", cond, lambda: _build_filter(cond))  # type: ignore[no-any-return]


def _build_filter(cond: Condition) -> Eval:
    tests = op_tests(cond.ops) + [op_filter(c) for c in cond.all_of]
    alternatives = tuple(op_filter(c) for c in cond.any_of)
    negated = op_filter(cond.negated) if cond.negated is not None else None
    if not alternatives and negated is None and tests:
        return all_hold(tests)
    own = all_hold(tests) if tests else None

    def holds(ctx: Context, obj: Any) -> bool:
        if own is not None and not own(ctx, obj):
            return False
        if alternatives:
            for alternative in alternatives:
                if alternative(ctx, obj):
                    break
            else:
                return False
        return not (negated is not None and negated(ctx, obj))

    return holds
