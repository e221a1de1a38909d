"""The rule language's data queries: field paths, selections and conditions.

Rule files are data. Everything a rule says about the record is written with three pieces, all
compiled once when the pack is loaded:

* a **path** (``owner.role``, ``feedback.date``, ``participants``) walks fields; a string that is
  the id of an object in the record is followed to that object when the path goes on, and lists
  are flattened, so a path always yields a list of values;
* a **selection** (``{from: talks, where: {...}}``, ``{set: members}``) yields objects or values;
* a **condition** (``{mode: in_person, participants: {count: 2}}``) holds or fails for one object,
  and when it fails it says what was expected and what was found.

Nothing here evaluates strings as code; the only operators are the ones in ``_OPS``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..dates import Offset, end_date
from ..errors import Text

if TYPE_CHECKING:
    from ..evaluate.context import Context


class SpecError(ValueError):
    """A rule's query is malformed; `where` is a JSON-pointer suffix inside the rule."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.where = where


# --- text normalisation -----------------------------------------------------------------------

_SPACE_RE = re.compile(r"\s+")
_TITLE_MARKS = "《》〈〉<>\"'“”‘’「」『』"


def normalise(text: str, mode: str) -> str:
    """Compare-form of a text.

    * ``exact``: as written.
    * ``whitespace``: every white-space character removed (Chinese text wrapped across lines in
      YAML is the same text); nothing else changes.
    * ``title``: NFKC (full-width to half-width), white space and title marks 《》〈〉“” removed
      anywhere, so 《习近平论治国理政》第二卷 matches 习近平论治国理政第二卷.
    * ``text``: NFKC, white space and all punctuation removed.
    """
    if mode == "exact":
        return text
    if mode == "whitespace":
        return _SPACE_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)  # folds full-width letters, digits and punctuation
    if mode == "title":
        return "".join(ch for ch in _SPACE_RE.sub("", text) if ch not in _TITLE_MARKS)
    if mode == "text":
        return "".join(
            ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P")
        )
    raise SpecError(f"unknown normalisation {mode!r}")


NORMALISATIONS = ("exact", "whitespace", "text", "title")


# --- paths ------------------------------------------------------------------------------------


def key_of(value: Any) -> Any:
    """The identity of a selected thing: an object's id, or the value itself."""
    if isinstance(value, dict):
        return value.get("id", id(value))
    return value


@dataclass(frozen=True)
class Path:
    """A dotted field path. ``@end`` is the last day of an activity (date + days - 1)."""

    text: str
    segments: tuple[str, ...]
    # The field's name when the path is one plain field, as most are; `values` reads it directly.
    single: str | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.segments) == 1 and not self.segments[0].startswith("@"):
            object.__setattr__(self, "single", self.segments[0])

    @staticmethod
    def parse(text: str) -> Path:
        if not isinstance(text, str) or not text:
            raise SpecError(f"a field path must be a non-empty string, not {text!r}")
        segments = tuple(text.split("."))
        for seg in segments:
            if not re.fullmatch(r"@?[A-Za-z_][A-Za-z0-9_]*|@self", seg):
                raise SpecError(f"bad segment {seg!r} in field path {text!r}")
            if seg.startswith("@") and seg not in ("@self", "@end"):
                raise SpecError(f"unknown computed field {seg!r} in {text!r} (use @end or @self)")
        return Path(text, segments)

    def values(self, ctx: Context, start: Any) -> list[Any]:
        single = self.single
        if single is not None and isinstance(start, dict):
            # One field of an object: the loop below would do the same, at twice the cost, and
            # rules evaluate paths hundreds of thousands of times on a large record.
            found = start.get(single)
            if found is None:
                return []
            if isinstance(found, list):
                return [g for g in found if g is not None]
            return [found]
        index = ctx.record.index
        current: list[Any] = [start]
        for seg in self.segments:
            nxt: list[Any] = []
            for value in current:
                if isinstance(value, str):
                    target = index.get(value)
                    if target is None:
                        continue
                    value = target.obj
                if not isinstance(value, dict):
                    continue
                if seg == "@self":
                    got: Any = value
                elif seg == "@end":
                    start_date = value.get("date")
                    got = end_date(start_date, value.get("days", 1)) if start_date else None
                else:
                    got = value.get(seg)
                if got is None:
                    continue
                if isinstance(got, list):
                    nxt.extend(g for g in got if g is not None)
                else:
                    nxt.append(got)
            current = nxt
        return current

    def first(self, ctx: Context, start: Any) -> Any:
        found = self.values(ctx, start)
        return found[0] if found else None


# --- selections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Where things come from: a record path, a named set, literal values, or a combination."""

    source: Path | None = None
    set_name: str | None = None
    literal: tuple[Any, ...] | None = None
    union: tuple[Selection, ...] = ()
    where: Condition | None = None
    path: Path | None = None
    minus: Selection | None = None
    spec: Any = None

    @staticmethod
    def parse(spec: Any, where: str = "") -> Selection:
        if isinstance(spec, str):
            spec = {"from": spec}
        if isinstance(spec, list):
            spec = {"values": spec}
        if not isinstance(spec, dict):
            raise SpecError(
                "a selection is a mapping with 'from', 'set', 'values' or 'union'", where
            )
        allowed = {"from", "set", "values", "union", "where", "path", "minus"}
        unknown = set(spec) - allowed
        if unknown:
            raise SpecError(
                f"unknown key(s) {sorted(unknown)} in selection; allowed: {sorted(allowed)}", where
            )
        roots = [k for k in ("from", "set", "values", "union") if k in spec]
        if len(roots) != 1:
            raise SpecError(
                "a selection needs exactly one of 'from', 'set', 'values', 'union'", where
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

    def items(self, ctx: Context) -> list[Any]:
        return ctx.cached(("sel", self.spec), lambda: self._items(ctx))

    def _items(self, ctx: Context) -> list[Any]:
        if self.source is not None:
            items = self.source.values(ctx, ctx.record.data)
        elif self.set_name is not None:
            items = ctx.set_items(self.set_name)
        elif self.literal is not None:
            items = list(self.literal)
        else:
            items = []
            seen: set[Any] = set()
            for sub in self.union:
                for item in sub.items(ctx):
                    key = key_of(item)
                    if key not in seen:
                        seen.add(key)
                        items.append(item)
        if self.where is not None:
            kept = op_passing(
                self.where, ctx, items
            )  # all at once, for mappings it cannot raise on
            if kept is None:
                holds = op_filter(self.where)
                kept = [item for item in items if holds(ctx, _as_object(ctx, item))]
            items = kept
        if self.path is not None:
            path = self.path
            items = [v for item in items for v in path.values(ctx, item)]
        if self.minus is not None:
            drop = {key_of(v) for v in self.minus.items(ctx)}
            items = [item for item in items if key_of(item) not in drop]
        return items

    def keys(self, ctx: Context) -> set[Any]:
        return ctx.cached(("keys", self.spec), lambda: {key_of(v) for v in self.items(ctx)})


def _as_object(ctx: Context, item: Any) -> Any:
    """Follow an id to its object so conditions can read its fields."""
    if isinstance(item, str):
        target = ctx.record.index.get(item)
        if target is not None:
            return target.obj
    return item


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --- date bounds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateSpec:
    """A date: an offset from the meeting date, or from the earliest/latest date of a selection."""

    offset: Offset
    anchor: Selection | None = None
    pick: str = "min"

    @staticmethod
    def parse(spec: Any, where: str = "") -> DateSpec:
        if not isinstance(spec, dict):
            raise SpecError("a date bound is a mapping such as {days: -10} or {months: 1}", where)
        unknown = set(spec) - {"days", "months", "anchor", "pick"}
        if unknown:
            raise SpecError(f"unknown key(s) {sorted(unknown)} in date bound", where)
        days, months = spec.get("days", 0), spec.get("months", 0)
        if not isinstance(days, int) or not isinstance(months, int) or isinstance(days, bool):
            raise SpecError("days and months must be whole numbers", where)
        pick = spec.get("pick", "min")
        if pick not in ("min", "max"):
            raise SpecError("pick must be 'min' or 'max'", where)
        anchor = Selection.parse(spec["anchor"], f"{where}/anchor") if "anchor" in spec else None
        return DateSpec(Offset(days=days, months=months), anchor, pick)

    def resolve(self, ctx: Context) -> dt.date | None:
        if self.anchor is None:
            return self.offset.apply(ctx.meeting_date)
        dates = [d for d in self.anchor.items(ctx) if isinstance(d, dt.date)]
        if not dates:
            return None
        return self.offset.apply(min(dates) if self.pick == "min" else max(dates))

    def describe(self, lang: str) -> str:
        if self.anchor is None:
            return self.offset.describe(lang)
        return "参照日期" if lang != "en" else "the anchor date"


# --- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """Why a condition failed for one object."""

    expected: Text
    found: Text
    field: str | None = None  # field path inside the object, for the finding's JSON pointer
    due: dt.date | None = None


NONE = Text("无", "none")


def _show(ctx: Context, values: Sequence[Any]) -> Text:
    """What the record holds, for a finding: names for ids, Chinese labels for values."""
    if not values:
        return NONE
    zh, en = [], []
    for v in values[:6]:
        if isinstance(v, bool):
            zh.append("是" if v else "否")
            en.append("true" if v else "false")
        elif isinstance(v, dt.date):
            zh.append(v.isoformat())
            en.append(v.isoformat())
        elif isinstance(v, str) and v in ctx.record.index:
            name = ctx.name(v)
            zh.append(name.zh)
            en.append(name.en)
        else:
            zh.append(_zh_value(ctx, v) if isinstance(v, str) else str(v))
            en.append(str(v))
    more = f" …(+{len(values) - 6})" if len(values) > 6 else ""
    return Text("、".join(zh) + more, ", ".join(en) + more)


Test = Callable[["Op", "Context", list[Any], Any], "Failure | None"]


def _values_text(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


# Chinese names of the record's fields, for messages; a field not listed shows its own name.
FIELD_ZH: dict[str, str] = {
    "mode": "谈话形式",
    "participants": "参加人",
    "date": "日期",
    "@end": "结束日期",
    "days": "天数",
    "theme": "主题",
    "chair": "主持人",
    "by": "负责人",
    "role": "身份",
    "person": "人员",
    "text": "内容",
    "author": "撰写人",
    "owner": "所属人",
    "reviewed_by": "审阅人",
    "review_date": "审阅日期",
    "aspects": "涉及的方面",
    "topics": "涉及的事项",
    "conveyed": "传达的文件",
    "kind": "类型",
    "plan_deployed": "研究部署实施方案",
    "feedback": "反馈",
    "target": "意见对象",
    "explanation": "原因说明",
    "status": "状态",
    "responsible": "责任人",
    "measure": "整改措施",
    "due": "整改时限",
    "closed_on": "销号日期",
    "includes_superior_issues": "是否含上级点明的问题",
    "talk": "约谈",
    "on_behalf_of_group": "代表党组",
    "planned_date": "计划日期",
    "materials": "学习材料",
    "form": "形式",
    "audiences": "对象",
    "scope": "范围",
    "attendee_groups": "参会人员",
    "sources": "来源",
    "ref": "对应意见",
    "org": "机构",
    "subject": "事项",
    "head": "主要负责人",
    "supervises": "分管处室",
    "represents": "所代表部门",
    "reason": "原因",
    "leave_approved": "请假已批准",
}


# Measure words for counts of a field's values ("参加人恰为 2 人"); others count in 项.
FIELD_UNIT: dict[str, str] = {"participants": "人", "attendees": "人", "attended_by": "人"}


def _zh_path(path: str) -> str:
    return "的".join(FIELD_ZH.get(seg, seg) for seg in path.split("."))


def _en_value(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _zh_value(ctx: Context, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        for labels in ctx.record.enums.labels.values():
            if value in labels:
                return f"{labels[value]}（{value}）"
    return str(value)


def _zh_values(ctx: Context, values: Iterable[Any]) -> str:
    return "、".join(_zh_value(ctx, v) for v in values)


@dataclass(frozen=True)
class Op:
    name: str
    arg: Any
    path: Path
    normalise: str = "exact"
    only: Condition | None = None  # test only the values (objects) that meet this

    def values(self, ctx: Context, obj: Any) -> list[Any]:
        """The values this operator tests: at the path, those meeting `only`, normalised."""
        values = self.path.values(ctx, obj)
        if self.only is not None:
            only = self.only
            values = [v for v in values if only.holds(ctx, _as_object(ctx, v))]
        norm = self.normalise
        if norm != "exact":
            values = [normalise(v, norm) if isinstance(v, str) else v for v in values]
        return values

    def check(self, ctx: Context, obj: Any) -> Failure | None:
        failure = _OPS[self.name](self, ctx, self.values(ctx, obj), obj)
        if failure is not None and failure.field is None:
            return Failure(failure.expected, failure.found, self.path.text, failure.due)
        return failure

    def holds(self, ctx: Context, obj: Any) -> bool:
        """Whether `check` finds nothing, without writing the messages of a failure.

        Filters (`where`, `when`, `any`) fail most of the objects they see, and a failure's
        texts cost more than the test; the commonest operators have their test on its own.
        """
        return _PASSES[self.name](self, ctx, self.values(ctx, obj), obj)

    @property
    def zh_field(self) -> str:
        return _zh_path(self.path.text)

    @property
    def en_field(self) -> str:
        return self.path.text.replace("@end", "end date").replace("_", " ")

    def norm(self, value: Any) -> Any:
        if self.normalise != "exact" and isinstance(value, str):
            return normalise(value, self.normalise)
        return value

    # The list operators' arguments, normalised once rather than at every object tested.

    @cached_property
    def norm_args(self) -> tuple[Any, ...]:
        return tuple(self.norm(a) for a in self.arg)

    @cached_property
    def norm_set(self) -> frozenset[Any]:
        return frozenset(self.norm_args)


# Each operator is a test, `_<name>_passes(op, ctx, values, obj) -> bool`, and the failure it
# reports when the test fails. The test alone serves filters and the compiled checks below, which
# write a failure's messages only for the objects that fail; the failure recomputes what it shows.
# A test evaluates exactly what the operator always did (a set test on unhashable values raises,
# whatever the other values are), so a rule that raised still raises.

PassTest = Callable[["Op", "Context", list[Any], Any], bool]


def _eq_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    return op.norm(op.arg) in values


def _op_eq(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _eq_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(f"{op.zh_field}为{_zh_value(ctx, op.arg)}", f"{op.en_field} = {_en_value(op.arg)}"),
        _show(ctx, values),
    )


def _ne_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    return op.norm(op.arg) not in values


def _op_ne(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _ne_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(f"{op.zh_field}不为{_zh_value(ctx, op.arg)}", f"{op.en_field} ≠ {op.arg}"),
        _show(ctx, values),
    )


def _in_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    allowed = op.norm_set
    return bool(values) and all(v in allowed for v in values)


def _op_in(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _in_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(
            f"{op.zh_field}取值于{_zh_values(ctx, op.arg)}",
            f"{op.en_field} in {_values_text(op.arg)}",
        ),
        _show(ctx, values),
    )


def _any_of_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    allowed = op.norm_set
    return any(v in allowed for v in values)


def _op_any_of(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _any_of_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(
            f"{op.zh_field}含{_zh_values(ctx, op.arg)} 之一",
            f"{op.en_field} includes one of {_values_text(op.arg)}",
        ),
        _show(ctx, values),
    )


def _not_in_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    banned = op.norm_set
    return not any(v in banned for v in values)


def _op_not_in(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _not_in_passes(op, ctx, values, obj):
        return None
    return Failure(
        Text(
            f"{op.zh_field}不取{_zh_values(ctx, op.arg)}",
            f"{op.en_field} not in {_values_text(op.arg)}",
        ),
        _show(ctx, values),
    )


def _present(values: list[Any]) -> bool:
    return any(not (isinstance(v, str) and not v.strip()) for v in values)


def _exists_passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
    return _present(values) == bool(op.arg)


def _op_exists(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
    if _exists_passes(op, ctx, values, obj):
        return None
    if op.arg:
        return Failure(Text(f"填写{op.zh_field}", f"{op.en_field} to be given"), NONE)
    return Failure(Text(f"不填写{op.zh_field}", f"no {op.en_field}"), _show(ctx, values))


def _count_passes(bound: str) -> PassTest:
    def passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
        n, want = len(values), op.arg
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
        expected = {
            "exact": Text(f"{op.zh_field}恰为 {want} {unit}", f"exactly {want} {op.en_field}"),
            "min": Text(f"{op.zh_field}至少 {want} {unit}", f"at least {want} {op.en_field}"),
            "max": Text(f"{op.zh_field}至多 {want} {unit}", f"at most {want} {op.en_field}"),
        }[bound]
        shown = _show(ctx, values)
        return Failure(expected, Text(f"{n} {unit}：{shown.zh}", f"{n}: {shown.en}"))

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
                f"{op.zh_field} {symbol} {_zh_value(ctx, op.arg)}",
                f"{op.en_field} {symbol} {op.arg}",
            ),
            _show(ctx, values),
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
        _show(ctx, values),
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
            f"{op.zh_field}包含{_zh_values(ctx, op.arg)}",
            f"{op.en_field} to include {_values_text(op.arg)}",
        ),
        Text(f"缺少{_zh_values(ctx, missing)}", f"missing {_values_text(missing)}"),
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
        _show(ctx, texts),
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
        Text(
            f"{op.zh_field}与{_zh_path(op.arg.text)}一致", f"{op.en_field} equal to {op.arg.text}"
        ),
        Text(
            f"{_show(ctx, values).zh} ≠ {_show(ctx, other).zh}",
            f"{_show(ctx, values).en} ≠ {_show(ctx, other).en}",
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
            f"{op.zh_field}包含{_zh_path(op.arg.text)}（{_show(ctx, wanted).zh}）",
            f"{op.en_field} to include {op.arg.text} ({_show(ctx, wanted).en})",
        ),
        _show(ctx, values),
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
        _show(ctx, values),
    )


def _date_op(
    compare: Callable[[dt.date, dt.date], bool], zh: str, en: str, deadline: bool
) -> tuple[PassTest, Test]:
    """A date bound. Only upper bounds are deadlines: they give findings a due date."""

    def passes(op: Op, ctx: Context, values: list[Any], obj: Any) -> bool:
        bound = op.arg.resolve(ctx)
        dates = [v for v in values if isinstance(v, dt.date)]
        if bound is None:
            # The anchor (e.g. the briefing) is not in the record: that absence is another
            # check's finding; this bound cannot be judged, so it does not fail.
            return True
        return bool(dates) and all(compare(d, bound) for d in dates)

    def test(op: Op, ctx: Context, values: list[Any], obj: Any) -> Failure | None:
        if passes(op, ctx, values, obj):
            return None
        bound = op.arg.resolve(ctx)
        dates = [v for v in values if isinstance(v, dt.date)]
        return Failure(
            Text(
                f"{op.zh_field}{zh} {bound.isoformat()}（{op.arg.describe('zh')}）",
                f"{op.en_field} {en} {bound.isoformat()} ({op.arg.describe('en')})",
            ),
            _show(ctx, dates) if dates else Text("未注明日期", "no date"),
            due=bound if deadline else None,
        )

    return passes, test


_COUNT = _count_op("exact")
_MIN_COUNT = _count_op("min")
_MAX_COUNT = _count_op("max")
_GTE = _number_op(lambda a, b: a >= b, "≥")
_LTE = _number_op(lambda a, b: a <= b, "≤")
_ON_OR_BEFORE = _date_op(lambda d, b: d <= b, "不晚于", "on or before", deadline=True)
_BEFORE = _date_op(lambda d, b: d < b, "早于", "before", deadline=True)
_ON_OR_AFTER = _date_op(lambda d, b: d >= b, "不早于", "on or after", deadline=False)
_AFTER = _date_op(lambda d, b: d > b, "晚于", "after", deadline=False)

_OPS: dict[str, Callable[[Op, Context, list[Any], Any], Failure | None]] = {
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
    "on_or_before": _ON_OR_BEFORE[1],
    "before": _BEFORE[1],
    "on_or_after": _ON_OR_AFTER[1],
    "after": _AFTER[1],
}
OPERATORS = tuple(sorted(_OPS))
# The test alone of every operator: `_OPS[name]` fails exactly when this is false.
_PASSES: dict[str, PassTest] = {
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
    "on_or_before": _ON_OR_BEFORE[0],
    "before": _BEFORE[0],
    "on_or_after": _ON_OR_AFTER[0],
    "after": _AFTER[0],
}
_LIST_OPS = {"in", "any_of", "not_in", "contains_all", "text_contains_any", "text_contains_none"}
_DATE_OPS = {"on_or_before", "before", "on_or_after", "after"}
_COUNT_OPS = {"count", "min_count", "max_count", "min_distinct"}


@dataclass(frozen=True)
class Condition:
    """All of ``ops`` hold, all of ``all_of`` hold, one of ``any_of`` holds, ``negated`` fails."""

    ops: tuple[Op, ...] = ()
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Condition, ...] = ()
    negated: Condition | None = None
    spec: Any = field(default=None, compare=False)

    @staticmethod
    def parse(spec: Any, where: str = "") -> Condition:
        if not isinstance(spec, dict) or not spec:
            raise SpecError("a condition is a non-empty mapping of field paths to tests", where)
        ops: list[Op] = []
        all_of: list[Condition] = []
        any_of: list[Condition] = []
        negated = None
        for key, test in spec.items():
            here = f"{where}/{key}"
            if key == "all":
                all_of.extend(
                    Condition.parse(c, f"{here}/{i}") for i, c in enumerate(_as_list(test, here))
                )
            elif key == "any":
                any_of.extend(
                    Condition.parse(c, f"{here}/{i}") for i, c in enumerate(_as_list(test, here))
                )
            elif key == "not":
                negated = Condition.parse(test, here)
            else:
                try:
                    path = Path.parse(key)
                except SpecError as exc:
                    raise SpecError(str(exc), here) from None
                ops.extend(_parse_test(path, test, here))
        return Condition(tuple(ops), tuple(all_of), tuple(any_of), negated, spec)

    def sets_used(self) -> set[str]:
        used = {op.arg for op in self.ops if op.name == "in_set"}
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
                    )
                )
        if self.negated is not None and not self.negated.failures(ctx, obj):
            found.append(
                Failure(
                    Text(
                        "不满足：" + _describe(self.negated.spec),
                        "not: " + _describe(self.negated.spec),
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


def _describe(spec: Any) -> str:
    if isinstance(spec, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in spec.items())
    if isinstance(spec, list):
        return "[" + ", ".join(_describe(v) for v in spec) + "]"
    return str(spec)


def _as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise SpecError("expected a non-empty list of conditions", where)
    return value


def _parse_test(path: Path, test: Any, where: str) -> list[Op]:
    if isinstance(test, list):
        return [Op("any_of", tuple(test), path)]
    if not isinstance(test, dict):
        return [Op("eq", test, path)]
    norm = test.get("normalize", "exact")
    if norm not in NORMALISATIONS:
        raise SpecError(f"normalize must be one of {list(NORMALISATIONS)}, not {norm!r}", where)
    only = Condition.parse(test["where"], f"{where}/where") if "where" in test else None
    ops: list[Op] = []
    for name, arg in test.items():
        if name in ("normalize", "where"):
            continue
        if name not in _OPS:
            raise SpecError(
                f"unknown operator {name!r}; known operators: {', '.join(OPERATORS)}",
                f"{where}/{name}",
            )
        if name in _LIST_OPS:
            if not isinstance(arg, list):
                raise SpecError(f"{name} takes a list", f"{where}/{name}")
            arg = tuple(arg)
        elif name in _DATE_OPS:
            arg = DateSpec.parse(arg, f"{where}/{name}")
        elif name in _COUNT_OPS:
            if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
                raise SpecError(f"{name} takes a whole number ≥ 0", f"{where}/{name}")
        elif name in ("gte", "lte"):
            if not isinstance(arg, (int, float)) or isinstance(arg, bool):
                raise SpecError(f"{name} takes a number", f"{where}/{name}")
        elif name == "exists":
            if not isinstance(arg, bool):
                raise SpecError("exists takes true or false", f"{where}/{name}")
        elif name in ("eq_field", "includes_field"):
            arg = Path.parse(arg)
        elif name == "in_set" and not isinstance(arg, str):
            raise SpecError("in_set takes the name of a set", f"{where}/{name}")
        ops.append(Op(name, arg, path, norm, only))
    if not ops:
        raise SpecError("a test needs at least one operator", where)
    return ops


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
Checker = Callable[["Context", Any], list[Failure]]


def shared_key(*parts: Any) -> tuple[Any, ...] | None:
    """A key for `Context.cached` under which checks share work that depends only on `parts`.

    Conditions are compared by their spec as written, keys in order and values with their types
    (``true`` and ``1`` test alike but are shown differently in messages, and the order of
    operators is the order of a finding's failures); None when a part cannot be a key.
    """
    key = tuple(_condition_key(p) if isinstance(p, Condition) else p for p in parts)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _condition_key(cond: Condition) -> Any:
    if cond.spec is None:  # built in code, not parsed: only itself is known to be the same
        return ("id", id(cond))
    return _as_written(cond.spec)


def _as_written(value: Any) -> Any:
    if isinstance(value, dict):
        return ("{", tuple((_as_written(k), _as_written(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("[", tuple(_as_written(v) for v in value))
    return (type(value), value)


_COMPILED: dict[tuple[str, int], tuple[object, Any]] = {}
_COMPILED_MAX = 20_000  # entries; a process that loads many packs starts afresh beyond this


def _memo(kind: str, obj: object, build: Callable[[], Any]) -> Any:
    entry = _COMPILED.get((kind, id(obj)))
    if entry is not None and entry[0] is obj:
        return entry[1]
    made = build()
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[(kind, id(obj))] = (obj, made)
    return made


def path_reader(path: Path) -> Callable[[Context, Any], list[Any]]:
    """`path.values` as a closure; a path of two plain fields is read without the general loop."""
    return _memo("path", path, lambda: _build_reader(path))  # type: ignore[no-any-return]


def _build_reader(path: Path) -> Callable[[Context, Any], list[Any]]:
    general = path.values
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
                out.extend(g for g in got if g is not None)
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
            found = [v for v in found if only(ctx, _as_object(ctx, v))]
        if norm != "exact":
            found = [normalise(v, norm) if isinstance(v, str) else v for v in found]
        return found

    return values


def _compile_op(op: Op) -> Eval:
    """`Op.holds` as a closure: the operator's test, without its messages."""
    passes = _PASSES[op.name]
    values = _compile_values(op)
    field_name = op.path.single
    plain = field_name if op.only is None and op.normalise == "exact" else None
    fast = None
    if op.name in ("text_contains_any", "text_contains_none"):
        fast = _text_test(op, plain, values)
    elif plain is not None:
        fast = _single_field_test(op, plain, passes, values)
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
                return _present([g for g in found if g is not None]) == want
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
    if kind in _COUNTS:

        def count(ctx: Context, obj: Any) -> bool:
            if not isinstance(obj, dict):
                return passes(op, ctx, values(ctx, obj), obj)
            return _count_holds(kind, _count(obj.get(name)), arg)

        return count
    return None


_COUNTS = ("count", "min_count", "max_count")


def _count(found: Any) -> int:
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


def _count_holds(kind: str, n: int, want: Any) -> bool:
    if kind == "count":
        return bool(n == want)
    return bool(n >= want) if kind == "min_count" else bool(n <= want)


def _text_test(
    op: Op, name: str | None, values: Callable[[Context, Any], list[Any]]
) -> Eval | None:
    """Whether a text holds one of the markers, by one search for all of them.

    A marker is in some text exactly when the alternation of the escaped markers matches it.
    Only for markers that are all texts (any other raises in `in`, which the general test must
    still do) and at least one (an empty pattern would match everything).
    """
    markers = op.norm_args
    if not markers or not all(isinstance(m, str) for m in markers):
        return None
    search = re.compile("|".join(map(re.escape, markers))).search
    wanted = op.name == "text_contains_any"

    def text(ctx: Context, obj: Any) -> bool:
        if name is not None and isinstance(obj, dict):  # one plain field, read in place
            found = obj.get(name)
            if isinstance(found, str):
                return (search(found) is not None) == wanted
        hit = any(search(v) is not None for v in values(ctx, obj) if isinstance(v, str))
        return hit == wanted

    return text


# Operators a group of plain-field tests reads in place (see `_op_tests`).
_GROUPED = ("exists", "eq", "ne", "in", "any_of", "not_in", "count", "min_count", "max_count")


def _op_tests(ops: Sequence[Op]) -> list[Eval]:
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
            out.extend(_compile_op(o) for o in run)
        run = []
        if op is not None:
            out.append(_compile_op(op))
    return out


def _groupable(op: Op) -> bool:
    if op.name not in _GROUPED or op.path.single is None:
        return False
    if op.only is not None or op.normalise != "exact":
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
            _compile_op(op),
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
            elif kind in _COUNTS:
                ok = _count_holds(kind, _count(found), arg)
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


def _all_of(tests: Sequence[Eval]) -> Eval:
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
    return _memo("holds", cond, lambda: _build_filter(cond))  # type: ignore[no-any-return]


def _build_filter(cond: Condition) -> Eval:
    tests = _op_tests(cond.ops) + [op_filter(c) for c in cond.all_of]
    alternatives = tuple(op_filter(c) for c in cond.any_of)
    negated = op_filter(cond.negated) if cond.negated is not None else None
    if not alternatives and negated is None and tests:
        return _all_of(tests)
    own = _all_of(tests) if tests else None

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


def _exhaustive(cond: Condition) -> Eval:
    """Whether `cond.failures` is empty, evaluating everything `failures` evaluates.

    `failures` tests every operator and every alternative of `any`, and the negated condition in
    full, whatever the outcome so far: an operator that raises makes the rule's status `error`
    even when an earlier one already failed, so nothing here may stop early.
    """
    return _memo("full", cond, lambda: _build_exhaustive(cond))  # type: ignore[no-any-return]


def _build_exhaustive(cond: Condition) -> Eval:
    tests = tuple([_compile_op(op) for op in cond.ops] + [_exhaustive(c) for c in cond.all_of])
    alternatives = tuple(_exhaustive(c) for c in cond.any_of)
    negated = _exhaustive(cond.negated) if cond.negated is not None else None
    if not alternatives and negated is None and len(tests) == 1:
        return tests[0]

    def passes(ctx: Context, obj: Any) -> bool:
        ok = True
        for test in tests:
            if not test(ctx, obj):
                ok = False
        if alternatives and not any([alternative(ctx, obj) for alternative in alternatives]):
            ok = False
        if negated is not None and negated(ctx, obj):
            ok = False
        return ok

    return passes


def _until_failure(cond: Condition) -> Eval:
    """Whether `cond.failures` is empty; may stop at the first failure.

    Up to the first failure it evaluates what `failures` evaluates, in the same order; after a
    failure the caller runs `failures` itself, which evaluates everything again (and raises where
    it raises). Alternatives of `any` and a negated condition are evaluated in full, because one
    failing alternative is not yet a failure.
    """
    return _memo("first", cond, lambda: _build_until_failure(cond))  # type: ignore[no-any-return]


def _build_until_failure(cond: Condition) -> Eval:
    tests = _op_tests(cond.ops) + [_until_failure(c) for c in cond.all_of]
    alternatives = tuple(_exhaustive(c) for c in cond.any_of)
    negated = _exhaustive(cond.negated) if cond.negated is not None else None
    if not alternatives and negated is None and tests:
        return _all_of(tests)
    if len(alternatives) == 2 and negated is None and not tests:
        first, second = alternatives

        def either(ctx: Context, obj: Any) -> bool:
            one = first(ctx, obj)  # both evaluated, as `failures` does
            return second(ctx, obj) or one

        return either
    own = _all_of(tests) if tests else None

    def passes(ctx: Context, obj: Any) -> bool:
        if own is not None and not own(ctx, obj):
            return False
        if alternatives and not any([alternative(ctx, obj) for alternative in alternatives]):
            return False
        return not (negated is not None and negated(ctx, obj))

    return passes


def op_passes(cond: Condition) -> Eval:
    """Whether `cond.failures` is empty; an object that does not pass must then be given to
    `failures` (before the next object), which evaluates everything and raises where it raises.
    """
    return _until_failure(cond)


def op_checker(cond: Condition) -> Checker:
    """`cond.failures` as a closure: an empty list at once for an object that passes."""

    def build() -> Checker:
        passes = _until_failure(cond)
        failures = cond.failures

        def check(ctx: Context, obj: Any) -> list[Failure]:
            if passes(ctx, obj):
                return []
            return failures(ctx, obj)

        return check

    return _memo("check", cond, build)  # type: ignore[no-any-return]


# --- many objects at once ---------------------------------------------------------------------
#
# Most of what a large record holds is tested by conditions that cannot raise: `exists`, `eq`,
# `ne`, counts and text searches on plain fields. For those, which objects pass does not depend
# on the order they are tested in, nor on which tests run for an object that already failed,
# so each test can run over the whole list in one comprehension, keeping the objects that pass,
# instead of one closure call per object. A caller then gives `failures` the objects that did
# not pass, in their order, exactly as it would have met them one by one.

Keep = Callable[["Context", list[dict[str, Any]]], list[dict[str, Any]]]


def op_failing(cond: Condition, ctx: Context, objs: list[Any]) -> list[Any] | None:
    """The objects of `objs` that do not pass `cond` (as `holds`, or an empty `failures`), in
    order; None when `cond` might raise or `objs` are not all mappings: test them one by one.
    """
    keep: Keep | None = _memo("keep", cond, lambda: _keep_condition(cond))
    if keep is None:
        return None
    for obj in objs:
        if type(obj) is not dict:
            return None
    return _drop(objs, keep(ctx, objs))


def op_passing(cond: Condition, ctx: Context, objs: list[Any]) -> list[Any] | None:
    """The objects of `objs` that pass `cond`, in order; None as for `op_failing`."""
    keep: Keep | None = _memo("keep", cond, lambda: _keep_condition(cond))
    if keep is None:
        return None
    for obj in objs:
        if type(obj) is not dict:
            return None
    return keep(ctx, objs)


def _keep_condition(cond: Condition) -> Keep | None:
    steps: list[Keep] = []
    for op in cond.ops:
        step = _keep_op(op)
        if step is None:
            return None
        steps.append(step)
    for sub in cond.all_of:
        step = _keep_condition(sub)
        if step is None:
            return None
        steps.append(step)
    alternatives: list[Keep] = []
    for sub in cond.any_of:
        step = _keep_condition(sub)
        if step is None:
            return None
        alternatives.append(step)
    negated = _keep_condition(cond.negated) if cond.negated is not None else None
    if cond.negated is not None and negated is None:
        return None

    def keep(ctx: Context, objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for step in steps:
            objs = step(ctx, objs)
        if alternatives:
            objs = _keep_any(ctx, objs, alternatives)
        if negated is not None:
            objs = _drop(objs, negated(ctx, objs))
        return objs

    return keep


def _keep_any(ctx: Context, objs: list[dict[str, Any]], alternatives: list[Keep]) -> list[Any]:
    """The objects that pass one of the alternatives: each tried on those the others failed."""
    passed: list[dict[str, Any]] = []
    rest = objs
    for alternative in alternatives:
        if not rest:
            break
        kept = alternative(ctx, rest)
        passed.extend(kept)
        rest = _drop(rest, kept)
    if len(passed) == len(objs):
        return objs
    chosen = {id(o) for o in passed}
    return [o for o in objs if id(o) in chosen]


def _drop(objs: list[Any], some: list[Any]) -> list[Any]:
    """`objs` without `some` (a sub-list of it), by identity, in order."""
    if not some:
        return objs
    if len(some) == len(objs):
        return []
    gone = {id(o) for o in some}
    return [o for o in objs if id(o) not in gone]


def _keep_op(op: Op) -> Keep | None:
    """A comprehension keeping the mappings whose plain field passes `op`, for the operators
    that cannot raise; values of an unusual shape go to the operator's own test.

    Each reads the field as `_single_field_test` does and keeps exactly the mappings for which
    that test (and so `Op.holds`) is true.
    """
    name = op.path.single
    if name is None or op.only is not None or op.normalise != "exact":
        return None
    kind, arg = op.name, op.arg
    test = _compile_op(op)
    if kind == "exists":
        if arg:
            return lambda ctx, objs: [
                o
                for o in objs
                if (v := o.get(name)) is not None
                and (
                    v.strip() if type(v) is str else not isinstance(v, (list, str)) or test(ctx, o)
                )
            ]
        return lambda ctx, objs: [
            o
            for o in objs
            if (v := o.get(name)) is None
            or (not v.strip() if type(v) is str else isinstance(v, (list, str)) and test(ctx, o))
        ]
    if kind == "eq":
        return lambda ctx, objs: [
            o
            for o in objs
            if (v := o.get(name)) is not None
            and (test(ctx, o) if isinstance(v, list) else arg in (v,))
        ]
    if kind == "ne":
        return lambda ctx, objs: [
            o
            for o in objs
            if (v := o.get(name)) is None
            or (test(ctx, o) if isinstance(v, list) else arg not in (v,))
        ]
    if kind in _COUNTS:
        return lambda ctx, objs: [o for o in objs if _count_holds(kind, _count(o.get(name)), arg)]
    if kind in ("text_contains_any", "text_contains_none"):
        markers = op.norm_args
        if not markers or not all(isinstance(m, str) for m in markers):
            return None  # `in` raises on a marker that is not a text
        search = re.compile("|".join(map(re.escape, markers))).search
        if kind == "text_contains_any":
            return lambda ctx, objs: [
                o
                for o in objs
                if (search(v) is not None if type(v := o.get(name)) is str else test(ctx, o))
            ]
        return lambda ctx, objs: [
            o
            for o in objs
            if (search(v) is None if type(v := o.get(name)) is str else test(ctx, o))
        ]
    return None
