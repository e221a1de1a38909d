"""The rule language's data queries: selections, date bounds and conditions.

Rule files are data. Everything a rule says about the record is written with three pieces, all
compiled once when the pack is loaded:

* a **path** (``owner.role``, ``feedback.date``, ``participants``; `paths.py`) walks fields;
  a string that is the id of an object in the record is followed to that object when the path
  goes on, and lists are flattened, so a path always yields a list of values;
* a **selection** (``{from: talks, where: {...}}``, ``{set: members}``) yields objects or values;
* a **condition** (``{mode: in_person, participants: {count: 2}}``) holds or fails for one
  object, and when it fails it says what was expected and what was found.

The three refer to each other (a selection filters with a condition, a condition's date bound
counts from a selection), so they are parsed together, here; what they build on that nests
nothing (`Op`, a condition's operator at a path; shares; dates written as bounds) is in
`query_leaves.py`. The operators are in `operators.py`, their messages in `messages.py`, and
the compiled forms the kinds run in `compiled.py` and `bulk.py`. Nothing evaluates strings as
code; the only operators are the ones in ``operators.FAILURE_TESTS``."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..dates import PERIODS, Offset, Steps, offset_range_problem
from ..errors import DeclaredValue, Text

if TYPE_CHECKING:
    from ..evaluate.context import Context
from .bulk import op_passing
from .compiled import canonical_of, op_filter
from .messages import Failure, judged_of_alternatives
from .messages import judged_of_failures as judged_of_failures  # the kinds import it from here
from .normalise import (
    BOUND_FORMS_ZH,
    NORMALISATIONS,
    SpecError,
    keys_zh,
    offset_problem_zh,
    suggest,
)
from .operators import COUNT_OPS, DATE_OPS, FAILURE_TESTS, LIST_OPS, OPERATORS
from .paths import Path, academic_start, follow_id, key_of
from .query_leaves import (
    BOUND_FORMS,
    as_list,
    bound_label,
    describe_spec,
    literal_date,
    parse_fraction,
)
from .query_leaves import BOUND_KEYS as BOUND_KEYS  # tests import these three from here
from .query_leaves import Op as Op
from .query_leaves import share_of as share_of
from .selecting import SELECTIONS, selection_entry
from .shared import SharedKey, grouped, key_of_parts
from .shared import memoised_key as memoised_key  # for the kinds, which import it from here

# --- selections -------------------------------------------------------------------------------

# Off, every selection takes `Selection._items` (the reference) rather than its compiled form
# (selecting.py); tests/test_kinds_fast.py compares the two.
FAST = True


class Selection(DeclaredValue):
    """Where things come from: a record path, a named set, literal values, or a combination;
    or (``here``) a path from the object a condition is being evaluated on."""

    source: Path | None = None
    set_name: str | None = None
    literal: tuple[Any, ...] | None = None
    union: tuple[Selection, ...] = ()
    where: Condition | None = None
    path: Path | None = None
    minus: Selection | None = None
    spec: Any = None
    here: Path | None = None

    @staticmethod
    def parse(spec: Any, where: str = "") -> Selection:
        if isinstance(spec, str):
            spec = {"from": spec}
        if isinstance(spec, list):
            spec = {"values": spec}
        if not isinstance(spec, dict):
            raise SpecError(
                "a selection is a mapping with 'from', 'here', 'set', 'values' or 'union'",
                where,
                zh="选择应为含 'from'、'here'、'set'、'values' 或 'union' 的映射",
            )
        allowed = {"from", "here", "set", "values", "union", "where", "path", "minus"}
        unknown = set(spec) - allowed
        if unknown:
            raise SpecError(
                f"unknown key(s) {sorted(unknown)} in selection; allowed: {sorted(allowed)}",
                where,
                zh=f"选择中有未知的键 {keys_zh(unknown)}；可用的键：{keys_zh(allowed)}",
            )
        roots = [k for k in ("from", "here", "set", "values", "union") if k in spec]
        if len(roots) != 1:
            raise SpecError(
                "a selection needs exactly one of 'from', 'here', 'set', 'values', 'union'",
                where,
                zh="选择须有且只有 'from'、'here'、'set'、'values'、'union' 中的一个",
            )
        try:
            return Selection(
                source=Path.parse(spec["from"]) if "from" in spec else None,
                set_name=spec.get("set"),
                literal=tuple(spec["values"]) if "values" in spec else None,
                union=tuple(
                    Selection.parse(s, f"{where}/union/{i}")
                    for i, s in enumerate(spec.get("union", []))
                ),
                where=Condition.parse(spec["where"], f"{where}/where") if "where" in spec else None,
                path=Path.parse(spec["path"]) if "path" in spec else None,
                minus=Selection.parse(spec["minus"], f"{where}/minus") if "minus" in spec else None,
                spec=_freeze(spec),
                here=Path.parse(spec["here"]) if "here" in spec else None,
            )
        except SpecError as exc:
            if not exc.where:
                exc.where = where
            raise

    def sets_used(self) -> set[str]:
        used = {self.set_name} if self.set_name else set()
        for sub in self.union:
            used |= sub.sets_used()
        if self.minus is not None:
            used |= self.minus.sets_used()
        if self.where is not None:
            used |= self.where.sets_used()
        return used

    @cached_property
    def relative(self) -> bool:
        """Whether the items depend on the current object (a ``here`` source, in it or in a
        part): such a selection is evaluated for each object, not once per record."""
        parts = (*self.union, *([self.minus] if self.minus is not None else []))
        return self.here is not None or any(sub.relative for sub in parts)

    def items(self, ctx: Context, obj: Any = None) -> list[Any]:
        """The items; `obj` is the object a condition is evaluated on, for ``here``."""
        entry = SELECTIONS.get(id(self))
        if entry is None or entry[0] is not self:
            entry = selection_entry(self)
        # The selection compiled for its shape (selecting.py); `_items` is the reference.
        compute = entry[5] if FAST else self._items
        if entry[1]:  # relative: for each object
            return compute(ctx, obj)
        # Shared by every selection of the record with the same spec, under one token.
        found: list[Any] | None = ctx.selected.get(entry[2])
        if found is None:
            found = ctx.selected[entry[2]] = compute(ctx, None)
        return found

    def _items(self, ctx: Context, obj: Any) -> list[Any]:
        where = self.where
        if self.here is not None:
            # The loader refuses `here` where no object is being checked; a bare None here
            # would select nothing silently, so it is an error too.
            if obj is None:
                raise ValueError("{here: …} is evaluated without an object being checked")
            items = self.here.values(ctx, obj)
        elif self.source is not None:
            entry = SELECTIONS.get(id(self))
            if entry is None or entry[0] is not self:
                entry = selection_entry(self)
            by = entry[4]
            groups = grouped(ctx, self.source, by[0], by[3]) if by is not None else None
            if by is not None and groups is not None:
                # The objects whose field equals the argument of the where's first test, in
                # order, from the list grouped once per record; the rest of the where as ever.
                items = groups.get(by[1], [])
                where = by[2]
            else:
                items = self.source.values(ctx, ctx.record.data)
        elif self.set_name is not None:
            items = ctx.set_items(self.set_name)
        elif self.literal is not None:
            items = list(self.literal)
        else:
            items = []
            seen: set[Any] = set()
            for sub in self.union:
                for item in sub.items(ctx, obj):
                    key = key_of(item)
                    if key not in seen:
                        seen.add(key)
                        items.append(item)
        if where is not None:
            kept = op_passing(where, ctx, items)  # all at once, for mappings it cannot raise on
            if kept is None:
                holds = op_filter(where)
                kept = [
                    item
                    for item in items
                    if holds(ctx, item if type(item) is dict else follow_id(ctx, item))
                ]
            items = kept
        if self.path is not None:
            path = self.path
            items = [v for item in items for v in path.values(ctx, item)]
        if self.minus is not None:
            drop = {key_of(v) for v in self.minus.items(ctx, obj)}
            items = [item for item in items if key_of(item) not in drop]
        return items

    def keys(self, ctx: Context, obj: Any = None) -> set[Any]:
        entry = SELECTIONS.get(id(self))
        if entry is None or entry[0] is not self:
            entry = selection_entry(self)
        if entry[1]:
            return {key_of(v) for v in self.items(ctx, obj)}
        found: set[Any] | None = ctx.selected.get(entry[3])
        if found is None:
            found = ctx.selected[entry[3]] = {key_of(v) for v in self.items(ctx)}
        return found


class Ratio(DeclaredValue):
    """A number needed that is a share of another selection: ``{ratio: "2/3", of: SEL}`` is
    at least ceil(2/3 × |SEL|), counted by distinct id (or value).

    The share is kept as its numerator and denominator in lowest terms (what `Fraction` gives),
    not as a `Fraction`: unpickling one from the disk cache imported `fractions` and `decimal`
    on every cold `check` (about 2.4 ms, issue 13), and integer arithmetic is as exact."""

    numerator: int
    denominator: int
    of: Selection
    spec: Any = None

    @staticmethod
    def parse(spec: Any, where: str = "") -> Ratio:
        if not isinstance(spec, dict) or set(spec) != {"ratio", "of"}:
            raise SpecError(
                'a ratio is a mapping {ratio: "2/3", of: SELECTION} with exactly these keys',
                where,
                zh='比例应为恰好含这两个键的映射 {ratio: "2/3", of: 选择}',
            )
        share = parse_fraction(spec["ratio"], f"{where}/ratio")
        return Ratio(
            share.numerator,
            share.denominator,
            Selection.parse(spec["of"], f"{where}/of"),
            _freeze(spec),
        )

    def needed(self, ctx: Context, obj: Any = None) -> tuple[int, int]:
        """(the number needed, the size of the selection)."""
        total = len(self.of.keys(ctx, obj))
        return share_of(self.numerator, self.denominator, total), total

    def describe(self, ctx: Context, total: int, unit: str) -> Text:
        """How a message says where the number comes from: "党组成员 5 人的 2/3"."""
        share = f"{self.numerator}/{self.denominator}"
        label = ctx.set_label(self.of.set_name) if self.of.set_name is not None else None
        if label is not None and self.of.set_name in ctx.pack.manifest.set_labels:
            return Text(f"{label.zh} {total} {unit}的 {share}", f"{share} of {label.en} ({total})")
        return Text(f"{total} {unit}的 {share}", f"{share} of {total}")


def needed_count(want: int | Ratio, ctx: Context, obj: Any = None) -> int:
    """A number written as a whole number or as a ratio of a selection."""
    return want if isinstance(want, int) else want.needed(ctx, obj)[0]


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --- date bounds ------------------------------------------------------------------------------


_LEGACY_BOUND_KEYS = frozenset({"days", "months", "anchor", "pick"})


class DateSpec(DeclaredValue):
    """A date: an absolute date, or a computed one (docs/rule-language.md §7).

    A computed bound starts from its base — the meeting date, an absolute `date`, the earliest
    or latest date of an `anchor` selection, or another bound (`base`) — and applies its steps
    (`dates.Steps`) in a fixed order. Bounds written with only `days`, `months`, `anchor` and
    `pick`, as every pack of language 1 is, keep `steps` None and their words exactly.
    """

    offset: Offset
    anchor: Selection | None = None
    pick: str = "min"
    absolute: dt.date | None = None
    base: DateSpec | None = None
    steps: Steps | None = None

    @staticmethod
    def parse(spec: Any, where: str = "") -> DateSpec:
        if isinstance(spec, (str, dt.date)):
            return DateSpec(Offset(), absolute=literal_date(spec, where))
        if not isinstance(spec, dict):
            raise SpecError(
                f"{BOUND_FORMS}; not {spec!r}", where, zh=f"{BOUND_FORMS_ZH}；实际为 {spec!r}"
            )
        unknown = set(spec) - BOUND_KEYS
        if unknown:
            raise SpecError(
                f"unknown key(s) {sorted(unknown)} in date bound",
                where,
                zh=f"日期界限中有未知的键 {keys_zh(unknown)}",
            )
        problem = offset_range_problem(spec)
        if problem is not None:
            raise SpecError(problem, where, zh=offset_problem_zh(spec))
        if sum(k in spec for k in ("date", "anchor", "base")) > 1:
            raise SpecError(
                "a date bound has at most one of date, anchor and base",
                where,
                zh="日期界限中 date、anchor、base 至多写一个",
            )
        pick = spec.get("pick", "min")
        if pick not in ("min", "max"):
            raise SpecError("pick must be 'min' or 'max'", where, zh="pick 应为 'min' 或 'max'")
        anchor = Selection.parse(spec["anchor"], f"{where}/anchor") if "anchor" in spec else None
        offset = Offset(days=spec.get("days", 0), months=spec.get("months", 0))
        if set(spec) <= _LEGACY_BOUND_KEYS:
            return DateSpec(offset, anchor, pick)
        month, day = spec.get("month"), spec.get("day")
        if month is not None and (type(month) is not int or not 1 <= month <= 12):
            raise SpecError(
                f"month must be a whole number 1–12, not {month!r}",
                where,
                zh=f"month 应为 1–12 的整数，实际为 {month!r}",
            )
        if day is not None and day != "last" and (type(day) is not int or not 1 <= day <= 31):
            raise SpecError(
                f"day must be a whole number 1–31 or 'last', not {day!r}",
                where,
                zh=f"day 应为 1–31 的整数或 'last'，实际为 {day!r}",
            )
        periods = {k: spec[k] for k in ("start_of", "end_of") if k in spec}
        if len(periods) > 1:
            raise SpecError(
                "a date bound has start_of or end_of, not both",
                where,
                zh="日期界限中 start_of 和 end_of 只能写一个",
            )
        for key, period in periods.items():
            if period not in PERIODS:
                raise SpecError(
                    f"{key} must be one of {', '.join(PERIODS)}, not {period!r}",
                    where,
                    zh=f"{key} 应为 {keys_zh(PERIODS, sort=False)} 之一，实际为 {period!r}",
                )
        steps = Steps(
            years=spec.get("years", 0),
            months=offset.months,
            month=month,
            day=day,
            start_of=spec.get("start_of"),
            end_of=spec.get("end_of"),
            days=offset.days,
            working_days=spec.get("working_days"),
        )
        return DateSpec(
            offset,
            anchor,
            pick,
            absolute=literal_date(spec["date"], f"{where}/date") if "date" in spec else None,
            base=DateSpec.parse(spec["base"], f"{where}/base") if "base" in spec else None,
            steps=steps,
        )

    @cached_property
    def relative(self) -> bool:
        """Whether the date depends on the object being checked (an anchor ``{here: …}``)."""
        return (self.anchor is not None and self.anchor.relative) or (
            self.base is not None and self.base.relative
        )

    def resolve(self, ctx: Context, obj: Any = None) -> dt.date | None:
        """The date; `obj` is the object being checked, for an anchor ``{here: …}``."""
        if self.relative:
            return self._resolve(ctx, obj)
        # The same for every object of a record: a condition with a date bound asked for it
        # once per object checked.
        shared = canonical_of(self)  # equal bounds: one date
        entry = ctx.memos.get(id(shared))  # `ctx.memo`, without a call when already known
        if entry is not None and entry[0] is shared:
            return entry[1]  # type: ignore[no-any-return]
        return ctx.memo(shared, lambda: self._resolve(ctx, None))

    def _resolve(self, ctx: Context, obj: Any) -> dt.date | None:
        start: dt.date | None
        if self.absolute is not None:
            start = self.absolute
        elif self.base is not None:
            start = self.base.resolve(ctx, obj)
        elif self.anchor is not None:
            dates = [d for d in self.anchor.items(ctx, obj) if isinstance(d, dt.date)]
            start = (min(dates) if self.pick == "min" else max(dates)) if dates else None
        else:
            start = ctx.meeting_date
        if start is None:
            return None
        if self.steps is None:
            return self.offset.apply(start)
        return self.steps.apply(start, academic_start(ctx))

    def describe(self, lang: str) -> str:
        """The bound in words, shown after its date; empty for an absolute date alone."""
        if self.steps is None and self.absolute is None:
            if self.anchor is None:
                return self.offset.describe(lang)
            return "参照日期" if lang != "en" else "the anchor date"
        en = lang == "en"
        steps = self.steps.describe(lang) if self.steps is not None else []
        if self.absolute is not None:
            if not steps:
                return ""
            base = self.absolute.isoformat()
        elif self.base is not None:
            base = self.base.describe(lang) or (
                self.base.absolute.isoformat() if self.base.absolute else ""
            )
        elif self.anchor is not None:
            base = "the anchor date" if en else "参照日期"
        else:
            base = "the meeting date" if en else "会议日期"
        return (", " if en else "，").join([base, *steps])

    def label(self, lang: str) -> str:
        """The bound in words for a reader of the pack (`explain`): an absolute date as itself."""
        return bound_label(self, lang)


class Window(DeclaredValue):
    """The argument of `within`: inclusive lower and upper bounds, either may be left out."""

    lower: DateSpec | None
    upper: DateSpec | None

    @staticmethod
    def parse(spec: Any, where: str = "") -> Window:
        if not isinstance(spec, dict) or not spec or set(spec) - {"from", "to"}:
            raise SpecError(
                "within takes {from: BOUND, to: BOUND} (either may be left out)",
                where,
                zh="within 的值应为 {from: 界限, to: 界限}（两者均可省略其一）",
            )
        return Window(
            DateSpec.parse(spec["from"], f"{where}/from") if "from" in spec else None,
            DateSpec.parse(spec["to"], f"{where}/to") if "to" in spec else None,
        )


class Condition(DeclaredValue):
    """All of ``ops`` hold, all of ``all_of`` hold, one of ``any_of`` holds, ``negated`` fails."""

    ops: tuple[Op, ...] = ()
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Condition, ...] = ()
    negated: Condition | None = None
    spec: Any = None
    _uncompared = ("spec",)

    @staticmethod
    def parse(spec: Any, where: str = "") -> Condition:
        if not isinstance(spec, dict) or not spec:
            raise SpecError(
                "a condition is a non-empty mapping of field paths to tests",
                where,
                zh="条件应为非空的映射：字段路径 → 检验",
            )
        ops: list[Op] = []
        all_of: list[Condition] = []
        any_of: list[Condition] = []
        negated = None
        for key, test in spec.items():
            here = f"{where}/{key}"
            if key == "all":
                all_of.extend(
                    Condition.parse(c, f"{here}/{i}") for i, c in enumerate(as_list(test, here))
                )
            elif key == "any":
                any_of.extend(
                    Condition.parse(c, f"{here}/{i}") for i, c in enumerate(as_list(test, here))
                )
            elif key == "not":
                negated = Condition.parse(test, here)
            else:
                try:
                    path = Path.parse(key)
                except SpecError as exc:
                    raise SpecError(str(exc), here, zh=exc.zh) from None
                ops.extend(_parse_test(path, test, here))
        return Condition(tuple(ops), tuple(all_of), tuple(any_of), negated, spec)

    def sets_used(self) -> set[str]:
        used = {op.arg for op in self.ops if op.name == "in_set"}
        for op in self.ops:
            if isinstance(op.arg, Selection):
                used |= op.arg.sets_used()
            elif isinstance(op.arg, Ratio):
                used |= op.arg.of.sets_used()
            elif isinstance(op.arg, DateSpec) and op.arg.anchor is not None:
                used |= op.arg.anchor.sets_used()
            if op.only is not None:
                used |= op.only.sets_used()
        for sub in (*self.all_of, *self.any_of, *([self.negated] if self.negated else [])):
            used |= sub.sets_used()
        return used

    def failures(self, ctx: Context, obj: Any) -> list[Failure]:
        found = [f for op in self.ops if (f := op.check(ctx, obj)) is not None]
        for sub in self.all_of:
            found.extend(sub.failures(ctx, obj))
        if self.any_of:
            alternatives = [sub.failures(ctx, obj) for sub in self.any_of]
            if all(alternatives):
                parts = [alt[0] for alt in alternatives]
                found.append(
                    Failure(
                        Text(
                            "以下之一：" + "；或 ".join(p.expected.zh for p in parts),
                            "one of: " + "; or ".join(p.expected.en for p in parts),
                        ),
                        Text(
                            "；".join(p.found.zh for p in parts),
                            "; ".join(p.found.en for p in parts),
                        ),
                        parts[0].field,
                        next((p.due for p in parts if p.due), None),
                        # Time can still cure it while one alternative can still be met.
                        judged_of_alternatives(alternatives),
                    )
                )
        if self.negated is not None and not self.negated.failures(ctx, obj):
            found.append(
                Failure(
                    Text(
                        "不满足：" + describe_spec(self.negated.spec),
                        "not: " + describe_spec(self.negated.spec),
                    ),
                    Text("满足", "it holds"),
                )
            )
        return found

    def holds(self, ctx: Context, obj: Any) -> bool:
        if not all(op.holds(ctx, obj) for op in self.ops):
            return False
        if any(not sub.holds(ctx, obj) for sub in self.all_of):
            return False
        if self.any_of and not any(sub.holds(ctx, obj) for sub in self.any_of):
            return False
        return not (self.negated is not None and self.negated.holds(ctx, obj))


def _parse_test(path: Path, test: Any, where: str) -> list[Op]:
    if isinstance(test, list):
        return [Op("any_of", tuple(test), path)]
    if not isinstance(test, dict):
        return [Op("eq", test, path)]
    norm = test.get("normalize", "exact")
    if norm not in NORMALISATIONS:
        raise SpecError(
            f"normalize must be one of {list(NORMALISATIONS)}, not {norm!r}",
            where,
            zh=f"normalize 应为 {keys_zh(NORMALISATIONS, sort=False)} 之一，实际为 {norm!r}",
        )
    only = None
    if "where" in test:
        values_test = test["where"]
        if (
            isinstance(values_test, dict)
            and values_test
            and all(key in FAILURE_TESTS for key in values_test)
        ):
            # Operators alone test each value itself: {where: {in_set: members}} is
            # {where: {"@self": {in_set: members}}}. No record field is named like an operator.
            values_test = {"@self": values_test}
        only = Condition.parse(values_test, f"{where}/where")
    ops: list[Op] = []
    for name, arg in test.items():
        if name in ("normalize", "where"):
            continue
        if name not in FAILURE_TESTS:
            raise SpecError(
                f"unknown operator {name!r}; known operators: {', '.join(OPERATORS)}",
                f"{where}/{name}",
                zh=f"未知的运算符 {name!r}{suggest(name, OPERATORS)}；"
                f"可用的运算符：{keys_zh(OPERATORS, sort=False)}",
            )
        if name in LIST_OPS:
            if not isinstance(arg, list):
                raise SpecError(
                    f"{name} takes a list", f"{where}/{name}", zh=f"{name} 的值应为列表"
                )
            arg = tuple(arg)
        elif name == "within":
            arg = Window.parse(arg, f"{where}/{name}")
        elif name in DATE_OPS:
            arg = DateSpec.parse(arg, f"{where}/{name}")
        elif name == "min_count" and isinstance(arg, dict):
            arg = Ratio.parse(arg, f"{where}/{name}")
        elif name == "in_selection":
            arg = Selection.parse(arg, f"{where}/{name}")
        elif name in COUNT_OPS:
            if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
                raise SpecError(
                    f"{name} takes a whole number ≥ 0",
                    f"{where}/{name}",
                    zh=f"{name} 的值应为不小于 0 的整数",
                )
        elif name in ("gte", "lte"):
            if not isinstance(arg, (int, float)) or isinstance(arg, bool):
                raise SpecError(
                    f"{name} takes a number", f"{where}/{name}", zh=f"{name} 的值应为数字"
                )
        elif name == "exists":
            if not isinstance(arg, bool):
                raise SpecError(
                    "exists takes true or false",
                    f"{where}/{name}",
                    zh="exists 的值应为 true 或 false",
                )
        elif name in ("eq_field", "includes_field"):
            arg = Path.parse(arg)
        elif name == "in_set" and not isinstance(arg, str):
            raise SpecError(
                "in_set takes the name of a set", f"{where}/{name}", zh="in_set 的值应为集合的名称"
            )
        ops.append(Op(name, arg, path, norm, only))
    if not ops:
        raise SpecError("a test needs at least one operator", where, zh="检验中至少要有一个运算符")
    return ops


# --- keys under which checks share work -------------------------------------------------------


def shared_key(*parts: Any) -> SharedKey | None:
    """A key for `Context.cached` under which checks share work that depends only on `parts`
    (language/shared.py); a condition stands for its spec as written."""
    return key_of_parts(parts, Condition)
