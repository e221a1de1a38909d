"""The operators of conditions: one test per operator, and the failure it reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import Text

if TYPE_CHECKING:
    from ..evaluate.context import Context
    from .query_leaves import Op
from .messages import (
    FIELD_UNIT,
    NONE,
    Failure,
    Test,
    en_arg,
    en_values,
    field_name,
    show_values,
    zh_path,
    zh_value,
    zh_values,
)
from .paths import key_of

# Each operator is a test, `_<name>_passes(op, ctx, values, obj) -> bool`, and the failure it
# reports when the test fails. The test alone serves filters and the compiled checks below, which
# write a failure's messages only for the objects that fail; the failure recomputes what it shows.
# A test evaluates exactly what the operator always did (a set test on unhashable values raises,
# whatever the other values are), so a rule that raised still raises.

PassTest = Callable[["Op", "Context", list[Any], Any], bool]


def _f(op: Op, ctx: Context, obj: Any) -> str | None:
    """The record field an operator reads, which says how its values are labelled."""
    return field_name(ctx, op.path, obj)


def _eq_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    return op.norm(op.arg) in values


def _op_eq(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _eq_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(
            f"{op.zh_field}为{zh_value(ctx, op.arg, _f(op, ctx, obj))}",
            f"{op.en_field} = {en_arg(ctx, op.arg, _f(op, ctx, obj))}",
        ),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def _ne_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    return op.norm(op.arg) not in values


def _op_ne(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _ne_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(
            f"{op.zh_field}不为{zh_value(ctx, op.arg, _f(op, ctx, obj))}",
            f"{op.en_field} ≠ {en_arg(ctx, op.arg, _f(op, ctx, obj), raw=True)}",
        ),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def _in_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    allowed = op.norm_set
    return bool(values) and all(v in allowed for v in values)


def _op_in(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _in_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(
            f"{op.zh_field}取值于{zh_values(ctx, op.arg, _f(op, ctx, obj))}",
            f"{op.en_field} in {en_values(ctx, op.arg, _f(op, ctx, obj))}",
        ),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def _any_of_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    allowed = op.norm_set
    return any(v in allowed for v in values)


def _op_any_of(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _any_of_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(
            f"{op.zh_field}含{zh_values(ctx, op.arg, _f(op, ctx, obj))} 之一",
            f"{op.en_field} includes one of {en_values(ctx, op.arg, _f(op, ctx, obj))}",
        ),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def _not_in_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    banned = op.norm_set
    return not any(v in banned for v in values)


def _op_not_in(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _not_in_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(
            f"{op.zh_field}不取{zh_values(ctx, op.arg, _f(op, ctx, obj))}",
            f"{op.en_field} not in {en_values(ctx, op.arg, _f(op, ctx, obj))}",
        ),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def is_present(values: list[Any]) -> bool:
    return any(not (isinstance(v, str) and not v.strip()) for v in values)


def _exists_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    return is_present(values) == bool(op.arg)


def _op_exists(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _exists_passes(op, ctx, values, obj):
        return None
    if op.arg:
        return Failure(Text(f"填写{op.zh_field}", f"{op.en_field} to be given"), NONE)
    return Failure(
        Text(f"不填写{op.zh_field}", f"no {op.en_field}"),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def _count_passes(bound: str) -> PassTest:
    def passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
        n, want = len(values), op.arg
        if type(want) is not int:  # min_count: {ratio, of}
            want = want.needed(ctx, obj)[0]
        if (bound == "exact" and n == want) or (bound == "min" and n >= want):
            return True
        return bound == "max" and n <= want

    return passes


def _count_op(bound: str) -> tuple[PassTest, Test]:
    """count (exactly), min_count or max_count of the values at the path."""
    passes = _count_passes(bound)

    def test(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
        if passes(op, ctx, values, obj):
            return None
        n, want = len(values), op.arg
        unit = FIELD_UNIT.get(op.path.segments[-1], "项")
        shown = show_values(ctx, values)
        found = Text(f"{n} {unit}：{shown.zh}", f"{n}: {shown.en}")
        if type(want) is not int:  # a ratio: say both numbers, and where the second comes from
            want, total = want.needed(ctx, obj)
            of = op.arg.describe(ctx, total, unit)
            return Failure(
                Text(
                    f"{op.zh_field}至少 {want} {unit}（{of.zh}）",
                    f"at least {want} {op.en_field} ({of.en})",
                ),
                found,
            )
        expected = {
            "exact": Text(f"{op.zh_field}恰为 {want} {unit}", f"exactly {want} {op.en_field}"),
            "min": Text(f"{op.zh_field}至少 {want} {unit}", f"at least {want} {op.en_field}"),
            "max": Text(f"{op.zh_field}至多 {want} {unit}", f"at most {want} {op.en_field}"),
        }[bound]
        return Failure(expected, found)

    return passes, test


def _number_op(compare: Callable[[float, float], bool], symbol: str) -> tuple[PassTest, Test]:
    def passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return bool(numbers) and all(compare(v, op.arg) for v in numbers)

    def test(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
        if passes(op, ctx, values, obj):
            return None
        return Failure(
            Text(
                f"{op.zh_field} {symbol} {zh_value(ctx, op.arg, _f(op, ctx, obj))}",
                f"{op.en_field} {symbol} {op.arg}",
            ),
            show_values(ctx, values, _f(op, ctx, obj)),
        )

    return passes, test


def _min_distinct_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    distinct = {key_of(v) for v in values}
    return bool(len(distinct) >= op.arg)


def _op_min_distinct(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _min_distinct_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(f"{op.zh_field}至少 {op.arg} 个不同项", f"at least {op.arg} different {op.en_field}"),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def _contains_all_missing(op: Op, values: list[Any]) -> list[Any]:
    have = set(values)
    return [v for v in op.arg if op.norm(v) not in have]


def _contains_all_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    return not _contains_all_missing(op, values)


def _op_contains_all(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    missing = _contains_all_missing(op, values)
    if not missing:
        return None
    return Failure(
        Text(
            f"{op.zh_field}包含{zh_values(ctx, op.arg, _f(op, ctx, obj))}",
            f"{op.en_field} to include {en_values(ctx, op.arg, _f(op, ctx, obj))}",
        ),
        Text(
            f"缺少{zh_values(ctx, missing, _f(op, ctx, obj))}",
            f"missing {en_values(ctx, missing, _f(op, ctx, obj))}",
        ),
    )


def _text_any_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    texts = [v for v in values if isinstance(v, str)]
    return any(m in t for t in texts for m in op.norm_args)


def _op_text_any(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _text_any_passes(op, ctx, values, obj):
        return None
    texts = [v for v in values if isinstance(v, str)]
    return Failure(
        Text(
            f"{op.zh_field}含有{'、'.join(op.arg)} 之一",
            f"{op.en_field} to contain one of {', '.join(op.arg)}",
        ),
        show_values(ctx, texts),
    )


def _text_hits(op: Op, values: list[Any]) -> list[Any]:
    texts = [v for v in values if isinstance(v, str)]
    return [m for m, n in zip(op.arg, op.norm_args, strict=True) if any(n in t for t in texts)]


def _text_none_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    return not _text_hits(op, values)


def _op_text_none(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    hits = _text_hits(op, values)
    if not hits:
        return None
    return Failure(
        Text(
            f"{op.zh_field}不含{'、'.join(op.arg)}",
            f"{op.en_field} to contain none of {', '.join(op.arg)}",
        ),
        Text(f"含有{'、'.join(hits)}", f"contains {', '.join(hits)}"),
    )


def _eq_field_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    other = [op.norm(v) for v in op.arg.values(ctx, obj)]
    return bool(values) and sorted(map(str, values)) == sorted(map(str, other))


def _op_eq_field(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _eq_field_passes(op, ctx, values, obj):
        return None
    other = [op.norm(v) for v in op.arg.values(ctx, obj)]
    return Failure(
        Text(f"{op.zh_field}与{zh_path(op.arg.text)}一致", f"{op.en_field} equal to {op.arg.text}"),
        Text(
            f"{show_values(ctx, values).zh} ≠ {show_values(ctx, other).zh}",
            f"{show_values(ctx, values).en} ≠ {show_values(ctx, other).en}",
        ),
    )


def _includes_field_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    wanted = [op.norm(v) for v in op.arg.values(ctx, obj)]
    have = {key_of(v) for v in values}
    return bool(wanted) and all(key_of(w) in have for w in wanted)


def _op_includes_field(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _includes_field_passes(op, ctx, values, obj):
        return None
    wanted = [op.norm(v) for v in op.arg.values(ctx, obj)]
    return Failure(
        Text(
            f"{op.zh_field}包含{zh_path(op.arg.text)}（{show_values(ctx, wanted).zh}）",
            f"{op.en_field} to include {op.arg.text} ({show_values(ctx, wanted).en})",
        ),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def _in_set_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    keys = ctx.set_keys(op.arg)
    return bool(values) and all(key_of(v) in keys for v in values)


def _op_in_set(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _in_set_passes(op, ctx, values, obj):
        return None
    label = ctx.set_label(op.arg)
    return Failure(
        Text(f"{op.zh_field}为{label.zh}", f"{op.en_field} to be {label.en}"),
        show_values(ctx, values, _f(op, ctx, obj)),
    )


def _in_selection_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    keys = op.arg.keys(ctx, obj)
    return bool(values) and all(key_of(v) in keys for v in values)


def _op_in_selection(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _in_selection_passes(op, ctx, values, obj):
        return None
    sel = op.arg
    if sel.set_name is not None:
        label = ctx.set_label(sel.set_name)
    else:
        allowed = sel.items(ctx, obj)
        shown = show_values(ctx, allowed)
        label = Text(f"所选之一（{shown.zh}）", f"one of the selection ({shown.en})")
    return Failure(
        Text(f"{op.zh_field}为{label.zh}", f"{op.en_field} to be {label.en}"),
        show_values(ctx, values),
    )


def _date_op(
    compare: Callable[[dt.date, dt.date], bool], zh: str, en: str, deadline: bool
) -> tuple[PassTest, Test]:
    """A date bound. Only upper bounds are deadlines: they give findings a due date.

    A date that breaks the bound is too late (an upper bound) or too early (a lower one); the
    failure says which, and carries the earliest such date as the date it judged.
    """

    def passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
        bound = op.arg.resolve(ctx, obj)
        dates = [v for v in values if isinstance(v, dt.date)]
        if bound is None:
            # The anchor (e.g. the briefing) is not in the record: that absence is another
            # check's finding; this bound cannot be judged, so it does not fail.
            return True
        return bool(dates) and all(compare(d, bound) for d in dates)

    def test(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
        if passes(op, ctx, values, obj):
            return None
        bound = op.arg.resolve(ctx, obj)
        dates = [v for v in values if isinstance(v, dt.date)]
        broken = [d for d in dates if not compare(d, bound)]
        mark = _TOO_LATE if deadline else _TOO_EARLY
        return Failure(
            Text(
                f"{op.zh_field}{zh} {bound.isoformat()}{_aside(op.arg.describe('zh'), mark.zh if broken else '', '，', '（', '）')}",
                f"{op.en_field} {en} {bound.isoformat()}{_aside(op.arg.describe('en'), mark.en if broken else '', '; ', ' (', ')')}",
            ),
            show_values(ctx, dates) if dates else Text("未注明日期", "no date"),
            due=bound if deadline else None,
            judged=min(broken) if broken else None,
        )

    return passes, test


_TOO_EARLY = Text("过早", "too early")
_TOO_LATE = Text("过晚", "too late")


def _aside(description: str, mark: str, sep: str, open_: str, close: str) -> str:
    """A bound's words and the too early / too late mark, in brackets; nothing when both empty."""
    inside = sep.join(part for part in (description, mark) if part)
    return f"{open_}{inside}{close}" if inside else ""


def _within_bounds(op: Op, ctx: Context, obj: Any = None) -> tuple[dt.date | None, dt.date | None]:
    window = op.arg
    return (
        window.lower.resolve(ctx, obj) if window.lower is not None else None,
        window.upper.resolve(ctx, obj) if window.upper is not None else None,
    )


def _within_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    lower, upper = _within_bounds(op, ctx, obj)
    dates = [v for v in values if isinstance(v, dt.date)]
    if lower is None and upper is None:
        return True  # neither bound can be judged (empty anchors): as the single-bound operators
    return bool(dates) and all(
        (lower is None or d >= lower) and (upper is None or d <= upper) for d in dates
    )


def _op_within(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _within_passes(op, ctx, values, obj):
        return None
    lower, upper = _within_bounds(op, ctx, obj)
    window = op.arg
    dates = [v for v in values if isinstance(v, dt.date)]
    early = [d for d in dates if lower is not None and d < lower]
    late = [d for d in dates if upper is not None and d > upper]
    zh: list[str] = []
    en: list[str] = []
    if lower is not None and (early or not dates):
        words = (window.lower.describe("zh"), window.lower.describe("en"))
        zh.append(
            f"{op.zh_field}不早于 {lower.isoformat()}{_aside(words[0], _TOO_EARLY.zh if early else '', '，', '（', '）')}"
        )
        en.append(
            f"{op.en_field} on or after {lower.isoformat()}{_aside(words[1], _TOO_EARLY.en if early else '', '; ', ' (', ')')}"
        )
    if upper is not None and (late or not dates):
        words = (window.upper.describe("zh"), window.upper.describe("en"))
        zh.append(
            f"{op.zh_field}不晚于 {upper.isoformat()}{_aside(words[0], _TOO_LATE.zh if late else '', '，', '（', '）')}"
        )
        en.append(
            f"{op.en_field} on or before {upper.isoformat()}{_aside(words[1], _TOO_LATE.en if late else '', '; ', ' (', ')')}"
        )
    broken = early + late
    return Failure(
        Text("，".join(zh), ", ".join(en)),
        show_values(ctx, dates) if dates else Text("未注明日期", "no date"),
        due=upper,
        judged=min(broken) if broken else None,
    )


_COUNT = _count_op("exact")
_MIN_COUNT = _count_op("min")
_MAX_COUNT = _count_op("max")
_GTE = _number_op(lambda a, b: a >= b, "≥")
_LTE = _number_op(lambda a, b: a <= b, "≤")
_ON_OR_BEFORE = _date_op(lambda d, b: d <= b, "不晚于", "on or before", deadline=True)
_BEFORE = _date_op(lambda d, b: d < b, "早于", "before", deadline=True)
_ON_OR_AFTER = _date_op(lambda d, b: d >= b, "不早于", "on or after", deadline=False)
_AFTER = _date_op(lambda d, b: d > b, "晚于", "after", deadline=False)

FAILURE_TESTS: dict[str, Callable[[Op, Context, list[Any], Any], Failure | None]] = {
    "eq": _op_eq,
    "ne": _op_ne,
    "in": _op_in,
    "any_of": _op_any_of,
    "not_in": _op_not_in,
    "exists": _op_exists,
    "count": _COUNT[1],
    "min_distinct": _op_min_distinct,
    "min_count": _MIN_COUNT[1],
    "max_count": _MAX_COUNT[1],
    "gte": _GTE[1],
    "lte": _LTE[1],
    "contains_all": _op_contains_all,
    "text_contains_any": _op_text_any,
    "text_contains_none": _op_text_none,
    "eq_field": _op_eq_field,
    "includes_field": _op_includes_field,
    "in_set": _op_in_set,
    "in_selection": _op_in_selection,
    "on_or_before": _ON_OR_BEFORE[1],
    "before": _BEFORE[1],
    "on_or_after": _ON_OR_AFTER[1],
    "after": _AFTER[1],
    "within": _op_within,
}
OPERATORS = tuple(sorted(FAILURE_TESTS))
# The test alone of every operator: `FAILURE_TESTS[name]` fails exactly when this is false.
PASSES: dict[str, PassTest] = {
    "eq": _eq_passes,
    "ne": _ne_passes,
    "in": _in_passes,
    "any_of": _any_of_passes,
    "not_in": _not_in_passes,
    "exists": _exists_passes,
    "count": _COUNT[0],
    "min_distinct": _min_distinct_passes,
    "min_count": _MIN_COUNT[0],
    "max_count": _MAX_COUNT[0],
    "gte": _GTE[0],
    "lte": _LTE[0],
    "contains_all": _contains_all_passes,
    "text_contains_any": _text_any_passes,
    "text_contains_none": _text_none_passes,
    "eq_field": _eq_field_passes,
    "includes_field": _includes_field_passes,
    "in_set": _in_set_passes,
    "in_selection": _in_selection_passes,
    "on_or_before": _ON_OR_BEFORE[0],
    "before": _BEFORE[0],
    "on_or_after": _ON_OR_AFTER[0],
    "after": _AFTER[0],
    "within": _within_passes,
}
LIST_OPS = {"in", "any_of", "not_in", "contains_all", "text_contains_any", "text_contains_none"}
DATE_OPS = {"on_or_before", "before", "on_or_after", "after", "within"}
COUNT_OPS = {"count", "min_count", "max_count", "min_distinct"}
