"""What a failed condition says: the failure, and how values, paths and labels are shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import FrozenValue, Text
from ..record.enums import FIRST_MATCH
from ..record.validate import enum_at, field_enums
from .paths import Path, follow_id, split_segments

if TYPE_CHECKING:
    from ..evaluate.context import Context
    from .query_leaves import Op


# --- conditions -------------------------------------------------------------------------------


class Failure(FrozenValue):
    """Why a condition failed for one object."""

    expected: Text
    found: Text
    field: str | None  # field path inside the object, for the finding's JSON pointer
    due: dt.date | None
    # The recorded date that broke a date bound: a bound broken by a date on or before --as-of
    # is failed now, never pending (A4 of language 2).
    judged: dt.date | None

    def __init__(
        self,
        expected: Text,
        found: Text,
        field: str | None = None,
        due: dt.date | None = None,
        judged: dt.date | None = None,
    ) -> None:
        self.__dict__.update(expected=expected, found=found, field=field, due=due, judged=judged)


NONE = Text("无", "none")


def judged_of_failures(failures: Sequence[Failure]) -> dt.date | None:
    """The recorded date a finding made of these failures judged: the earliest that broke a
    bound (if that one is in the past, the finding is failed now, whatever the others)."""
    judged = [f.judged for f in failures if f.judged is not None]
    return min(judged) if judged else None


def judged_of_alternatives(alternatives: Sequence[Sequence[Failure]]) -> dt.date | None:
    dates = [judged_of_failures(alt) for alt in alternatives]
    return None if any(d is None for d in dates) else max(d for d in dates if d is not None)


def show_values(ctx: Context, values: Sequence[Any], field: str | None = None) -> Text:
    """What the record holds, for a finding: names for ids, Chinese labels for values.

    ``field`` is the record field the values were read from: it says which enumeration labels
    them (see `enum_of`)."""
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
            zh.append(zh_value(ctx, v, field) if isinstance(v, str) else str(v))
            en.append(en_shown(ctx, v, field) if isinstance(v, str) else str(v))
    more = f" …(+{len(values) - 6})" if len(values) > 6 else ""
    return Text("、".join(zh) + more, ", ".join(en) + more)


Test = Callable[["Op", "Context", list[Any], Any], "Failure | None"]


def values_text(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


# Chinese names of the record's fields, for messages; a field not listed shows its own name.
FIELD_ZH: dict[str, str] = {
    "mode": "谈话形式",
    "participants": "参加人",
    "date": "日期",
    "@end": "结束日期",
    "@year": "年份",
    "@month": "月份",
    "@quarter": "季度",
    "@half": "半年",
    "@academic_year": "学年",
    "@weekday": "星期",
    "@working_day": "是否工作日",
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
    "attendees": "参会人员",
    # fields added in language 2 (record-format additions)
    "states": "所述内容",
    "meeting_date": "所述会议日期",
    "method": "召开方式",
    "markers": "表述",
    "level": "审批层级",
    "result": "审批结果",
    "archived": "归档",
    "place": "地点",
    "presided_by": "主持起草人",
    "document": "材料",
    "written_statement": "书面发言",
    "reads": "宣读的材料",
    "on_behalf_of": "代为宣读的对象",
    "leader": "谈话牵头人",
    "addressed_to": "致送对象",
}


# English names of the computed segments of a date, for messages.
SEGMENT_EN: dict[str, str] = {
    "@year": "year",
    "@month": "month",
    "@quarter": "quarter",
    "@half": "half-year",
    "@academic_year": "academic year",
    "@weekday": "weekday",
    "@working_day": "working day",
}


# Measure words for counts of a field's values ("参加人恰为 2 人"); others count in 项.
FIELD_UNIT: dict[str, str] = {"participants": "人", "attendees": "人", "attended_by": "人"}


def zh_path(path: str) -> str:
    return "的".join(_zh_segment(seg) for seg in split_segments(path))


def _zh_segment(seg: str) -> str:
    if seg.startswith("@refs(") and ":" in seg:
        listing = seg[len("@refs(") : seg.index(":")]
        return f"引用它的{zh_path(listing)}"  # the objects of LIST whose FIELD names it
    return FIELD_ZH.get(seg, seg)


def en_value(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class FieldName(str):
    """A field's name that also knows the enumeration of the object it was read from
    (`field_name`): `enum_of` then labels a value by it, whatever the name alone would say."""

    enum: str | None = None


def field_name(ctx: Context, path: Path, obj: Any) -> str | None:
    """The last field of ``path`` as read from ``obj``, with the enumeration of the object that
    holds it when the record says (so that a document's kind `other` reads 其他材料, not the
    其他人员 of a person's role, the first enumeration holding `other`)."""
    segments = path.segments
    if not segments:
        return None
    name = segments[-1]
    if name.startswith("@"):
        return name
    holders = [obj] if len(segments) == 1 else Path.parse(".".join(segments[:-1])).values(ctx, obj)
    for held in holders:
        holder = follow_id(ctx, held)  # a field holding an id is read through to its object
        pointer = ctx.record.pointer_of(holder) if isinstance(holder, dict) else None
        if pointer is not None and (enum := enum_at(pointer, name)) is not None:
            out = FieldName(name)
            out.enum = enum
            return out
    return name


def enum_of(ctx: Context, value: str, field: str | None = None) -> str | None:
    """The enumeration whose label shows ``value``, or None when it is in none.

    A value is looked up in every enumeration, first match: a message does not know which one a
    value came from. Some values are in several (`in_person` is a talk mode and a meeting
    method), so the enumeration of the ``field`` the value was read from wins — when that field
    has one enumeration whatever object holds it, and the enumeration is new in language 2 or
    the pack relabelled the value. The enumerations of dlsh-record/1 keep the first match, so
    that every existing report stays the same.
    """
    enums = ctx.record.enums
    exact = getattr(field, "enum", None)
    if exact is not None and value in enums.labels.get(exact, {}):
        return str(exact)
    if field is not None:
        own = field_enums().get(field)
        if (
            own is not None
            and value in enums.labels.get(own, {})
            and (own not in FIRST_MATCH or enums.relabelled(own, value) is not None)
        ):
            return own
    for name, labels in enums.labels.items():
        if value in labels:
            return name
    return None


def zh_value(ctx: Context, value: Any, field: str | None = None) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        enum = enum_of(ctx, value, field)
        if enum is not None:
            return f"{ctx.record.enums.label(enum, value)}（{value}）"
    return str(value)


def en_shown(ctx: Context, value: str, field: str | None = None) -> str:
    """An enumerated value in English: its identifier, with the English label a pack gave it."""
    enum = enum_of(ctx, value, field)
    given = None if enum is None else ctx.record.enums.relabelled(enum, value)
    return f"{given} ({value})" if given is not None else value


def en_arg(ctx: Context, value: Any, field: str | None = None, raw: bool = False) -> str:
    """A rule's value in English; ``raw``: a non-text shown as Python writes it."""
    if isinstance(value, str):
        return en_shown(ctx, value, field)
    return str(value) if raw else en_value(value)


def en_values(ctx: Context, values: Iterable[Any], field: str | None = None) -> str:
    return ", ".join(en_shown(ctx, v, field) if isinstance(v, str) else str(v) for v in values)


def zh_values(ctx: Context, values: Iterable[Any], field: str | None = None) -> str:
    return "、".join(zh_value(ctx, v, field) for v in values)
