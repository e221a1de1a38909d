"""The record as an Excel workbook (台账): one sheet per list, read and written (docs/workbook.md).

The layout is derived from the record models' plan (plan.py), not written out by hand, so that
a field added to the record format gets its column: the 会议 sheet holds the unit and the
meeting, one row per field; every list of objects (people, talks, documents…, the meeting's
criticisms, the rectification items) is a sheet with one row per object and one column per
field; an object inside a listed object (an opinion's feedback) is flattened into columns
(反馈·日期); a list of objects inside a listed object (a rectification item's sources) is a sheet
of its own whose first column names the row's owner, by id (or, where the owner has no id, by
its row number). A list of values is one cell: texts one per line, ids and values separated by
、 , ， ; or line breaks.

A workbook is read into plain data and validated by `validate_record` (`load_record` does both),
like any record: every rule of the record format applies. Problems are reported at the cell (`台账.xlsx:谈心谈话!C5`).

openpyxl is an optional extra (`pip install 'dlsh-rules[xlsx]'`), imported only here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Found, InputError, Problem, Text, describe, os_error_text
from ..load.document import Limits
from .enums import DEFAULT, EnumTable
from .plan import BOOL, DATE, ENUM, INT, MODEL, FieldPlan, ModelPlan, RecordPlan

INSTALL = "pip install 'dlsh-rules[xlsx]'"
MEETING_SHEET = "会议"

# Sheet names by list path; a list not named here gets its path (Excel allows 31 characters).
SHEETS: dict[str, str] = {
    "people": "人员",
    "orgs": "上级机关",
    "departments": "处室",
    "invitations": "邀请指导",
    "meeting.absences": "缺席",
    "meeting.agenda": "议程",
    "meeting.self_criticisms": "自我批评",
    "meeting.criticisms": "相互批评",
    "meeting.reports": "会上报告",
    "meeting.reports.items": "报告事项",
    "activities": "活动",
    "opinions": "意见",
    "talks": "谈心谈话",
    "talk_requests": "约谈",
    "documents": "材料",
    "documents.approvals": "材料审批",
    "submissions": "报送",
    "approvals": "审批",
    "notices": "通知",
    "rectification.prior_items": "上年度整改事项",
    "rectification.items": "整改",
    "rectification.items.sources": "整改来源",
    "institutions": "制度修订",
    "waivers": "豁免",
}

# Column headings by field name (the record guide's 名称); a field not named here is headed by
# its own name. Either is accepted when reading.
LABELS: dict[str, str] = {
    "id": "编号",
    "name": "名称",
    "role": "身份",
    "title": "标题",
    "supervises": "分管处室",
    "department": "所在处室",
    "org": "机关",
    "represents": "代表部门",
    "has_inspection_feedback": "有巡视反馈问题",
    "has_inquiry_letters": "有组织约谈函询",
    "kind": "类型",
    "head": "主要负责人",
    "date": "日期",
    "attended_by": "实际到会人员",
    "addressed_to": "邀请对象",
    "person": "人员",
    "reason": "原因",
    "leave_approved": "请假已批准",
    "written_statement": "书面材料",
    "by": "人员或机关",
    "reads": "宣读材料",
    "on_behalf_of": "代表",
    "on_behalf_of_group": "代表党组作对照检查",
    "text": "内容",
    "from": "批评人",
    "to": "对象",
    "item": "上年度整改事项",
    "status": "状态",
    "explanation": "说明",
    "year": "年度",
    "theme": "会议主题",
    "planned_date": "计划召开日期",
    "days": "天数",
    "chair": "主持人",
    "attendees": "到会人员",
    "method": "方式",
    "participants": "参加人",
    "conveyed": "传达的通知",
    "plan_deployed": "研究部署实施方案",
    "materials": "学习材料",
    "form": "形式",
    "audiences": "对象",
    "scope": "范围",
    "opinions": "意见",
    "attendee_groups": "参会人员范围",
    "topics": "事项",
    "audience": "提出对象",
    "activity": "来自活动",
    "target": "针对",
    "feedback": "反馈",
    "feedback.by": "反馈人",
    "mode": "形式",
    "topic": "主题",
    "leader": "谈话人",
    "member": "被约谈成员",
    "requested_by": "约谈人",
    "talk": "对应谈话",
    "owner": "所属",
    "author": "撰写人",
    "reviewed_by": "审阅人",
    "review_date": "审阅日期",
    "aspects": "涉及方面",
    "includes_superior_issues": "含上级点明的问题",
    "states": "载明",
    "meeting_date": "会议日期",
    "markers": "用语",
    "level": "级次",
    "result": "结果",
    "archived": "归档",
    "place": "地点",
    "presided_by": "主持人",
    "documents": "材料",
    "purpose": "用途",
    "subject": "事项",
    "document": "材料",
    "about": "事由",
    "problem": "问题",
    "sources": "来源",
    "ref": "来源编号",
    "measure": "整改措施",
    "responsible": "责任人",
    "due": "整改时限",
    "closed_on": "销号日期",
    "rule": "规则",
    "approved_by": "批准人",
    "expires": "失效日期",
    "todo": "待办",
    "party_org": "党组织名称",
    "unit": "单位",
    "meeting": "会议",
}
# Where one word means two things in the same sheet, the sheet's own heading.
_LABELS_IN: dict[tuple[str, str], str] = {
    ("people", "title"): "职务",
    ("people", "name"): "姓名",
    ("institutions", "title"): "制度名称",
    ("submissions", "to"): "报送机关",
    ("submissions", "date"): "报送日期",
    ("meeting.criticisms", "to"): "被批评人",
    ("meeting.agenda", "by"): "主讲人",
    ("meeting.self_criticisms", "person"): "发言人",
    ("meeting.reports", "person"): "报告人",
    ("activities", "person"): "自学人",
    ("rectification.items", "owner"): "责任主体",
    ("rectification.prior_items", "owner"): "责任主体",
    ("talks", "kind"): "谈话类型",
}
PARENT_ID = "所属编号"
PARENT_ROW = "所属行号"
TRUE_WORDS = {"是", "true", "yes", "y", "1", "√", "✓"}
FALSE_WORDS = {"否", "false", "no", "n", "0", "×", ""}
_SPLIT_VALUES = re.compile(r"[、,，;；\n\r]+")
_SPLIT_TEXTS = re.compile(r"[\n\r]+")


@dataclass(frozen=True)
class Column:
    path: tuple[str, ...]  # field names from the row's object (two for a flattened sub-object)
    plan: FieldPlan
    heading: str


@dataclass(frozen=True)
class Sheet:
    """One list of the record as a sheet: its path, its columns, and its owner's sheet."""

    path: tuple[str, ...]  # e.g. ("meeting", "criticisms"); a nested list ends in its field
    name: str
    columns: tuple[Column, ...]
    parent: Sheet | None = None  # for a list inside listed objects
    parent_by_id: bool = False
    children: tuple[Sheet, ...] = field(default=())


def _heading(list_path: str, names: tuple[str, ...]) -> str:
    parts = [_LABELS_IN.get((list_path, names[0])) or LABELS.get(names[0], names[0])]
    if len(names) == 2 and ".".join(names) in LABELS:
        return LABELS[".".join(names)]
    parts += [LABELS.get(n, n) for n in names[1:]]
    return "·".join(parts)


def _columns(plan: RecordPlan, model: ModelPlan, list_path: str) -> list[Column]:
    out: list[Column] = []
    for f in model.fields:
        if f.excluded:
            continue
        if f.kind == MODEL and not f.many:
            sub = plan.models[f.model or ""]
            for g in sub.fields:
                if g.kind != MODEL:
                    names = (f.alias, g.alias)
                    out.append(Column(names, g, _heading(list_path, names)))
        elif f.kind != MODEL:
            out.append(Column((f.alias,), f, _heading(list_path, (f.alias,))))
    return out


def layout(plan: RecordPlan) -> tuple[list[Column], list[Sheet]]:
    """The 会议 sheet's rows (paths from the record's root) and every list sheet, in order."""
    meeting_rows: list[Column] = []
    sheets: list[Sheet] = []

    def list_sheet(path: tuple[str, ...], model: ModelPlan, parent: Sheet | None) -> Sheet:
        dotted = ".".join(path)
        name = SHEETS.get(dotted, dotted)[:31]
        has_id = parent is not None and any(
            f.alias == "id" and f.required for f in parent_model[parent.path].fields
        )
        sheet = Sheet(path, name, tuple(_columns(plan, model, dotted)), parent, has_id)
        sheets.append(sheet)
        parent_model[path] = model
        for f in model.fields:
            if f.kind == MODEL and f.many:
                list_sheet((*path, f.alias), plan.models[f.model or ""], sheet)
        return sheet

    parent_model: dict[tuple[str, ...], ModelPlan] = {}

    def walk(model: ModelPlan, prefix: tuple[str, ...]) -> None:
        for f in model.fields:
            if f.excluded or f.alias == "format":
                continue
            here = (*prefix, f.alias)
            if f.kind == MODEL and f.many:
                list_sheet(here, plan.models[f.model or ""], None)
            elif f.kind == MODEL:
                walk(plan.models[f.model or ""], here)
            else:
                meeting_rows.append(Column(here, f, "·".join(LABELS.get(n, n) for n in here)))

    walk(plan.top, ())
    # The people and the bodies first: every other sheet refers to them.
    sheets.sort(key=lambda s: 0 if s.path[0] in ("people", "orgs", "departments") else 1)
    return meeting_rows, sheets


def reference_table(plan: RecordPlan) -> str:
    """The sheets and columns as a Markdown table (docs/workbook.md holds it; a test compares)."""
    meeting_rows, sheets = layout(plan)
    lines = ["| 工作表 sheet | 记录中的位置 | 列 columns (field) |", "|---|---|---|"]
    items = "、".join(f"{c.heading}（`{'.'.join(c.path)}`）" for c in meeting_rows)
    lines.append(f"| {MEETING_SHEET} | `unit`, `meeting` | {items} |")
    for s in sheets:
        lead = [PARENT_ID if s.parent_by_id else PARENT_ROW] if s.parent else []
        cols = "、".join(lead + [f"{c.heading}（`{'.'.join(c.path)}`）" for c in s.columns])
        lines.append(f"| {s.name} | `{'.'.join(s.path)}` | {cols} |")
    return "\n".join(lines) + "\n"


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise InputError(
            [
                Problem(
                    "openpyxl",
                    "",
                    Text(
                        f"已安装读写 Excel 工作簿所需的 openpyxl（安装：{INSTALL}）",
                        f"openpyxl installed, to read and write Excel workbooks ({INSTALL})",
                    ),
                    "未安装 openpyxl（not installed）",
                    code="missing_extra",
                )
            ]
        ) from None
    return openpyxl


# --- writing -------------------------------------------------------------------------------------


def _cell_value(plan: FieldPlan, value: Any, enums: EnumTable) -> Any:
    if value is None or value == [] or (not plan.required and value == plan.default):
        return None
    if plan.many:
        if plan.kind == "str":
            return "\n".join(str(v) for v in value)
        return "、".join(str(_cell_value(_one(plan), v, enums)) for v in value)
    if plan.kind == ENUM and plan.enum is not None and isinstance(value, str):
        return enums.label(plan.enum, value)
    if plan.kind == BOOL:
        return "是" if value else "否"
    return value


def _one(plan: FieldPlan) -> FieldPlan:
    return FieldPlan(plan.name, plan.alias, plan.kind, enum=plan.enum, required=True)


def _get(obj: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = obj
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _rows(data: Mapping[str, Any], sheet: Sheet) -> Iterator[tuple[Any, Mapping[str, Any]]]:
    """(the owner's key, the object) for each object of a sheet, in record order."""
    if sheet.parent is None:
        items = _get(data, sheet.path) or []
        for obj in items:
            yield None, obj
        return
    field_name = sheet.path[-1]
    for row, (_, owner) in enumerate(_rows(data, sheet.parent), start=2):
        key = owner.get("id") if sheet.parent_by_id else row
        for obj in owner.get(field_name) or []:
            yield key, obj


def workbook_bytes(data: Mapping[str, Any], plan: RecordPlan, enums: EnumTable = DEFAULT) -> bytes:
    """A record's plain data (as validated, or a skeleton) as the bytes of an .xlsx workbook."""
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill

    meeting_rows, sheets = layout(plan)
    book = openpyxl.Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    ws = book.active
    ws.title = MEETING_SHEET
    ws.append(["项目", "值", "字段"])
    for column in meeting_rows:
        value = _cell_value(column.plan, _get(data, column.path), enums)
        ws.append([column.heading, value, ".".join(column.path)])
    _style(ws, bold, head_fill, [16, 60, 24])
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        lead = [] if sheet.parent is None else [PARENT_ID if sheet.parent_by_id else PARENT_ROW]
        ws.append(lead + [c.heading for c in sheet.columns])
        for key, obj in _rows(data, sheet):
            cells = [_cell_value(c.plan, _get(obj, c.path), enums) for c in sheet.columns]
            ws.append(([key] if sheet.parent is not None else []) + cells)
        widths = [12] * len(lead) + [
            40
            if c.plan.kind == "str" and c.path[-1] in ("text", "problem", "measure", "theme")
            else 14
            for c in sheet.columns
        ]
        _style(ws, bold, head_fill, widths)
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str) and "\n" in cell.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _style(ws: Any, bold: Any, fill: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


# --- reading -------------------------------------------------------------------------------------


def _convert(plan: FieldPlan, value: Any) -> Any:
    """A cell's value as the record format reads it; what cannot be converted is left for the
    validator to refuse (with the cell named)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "" and plan.kind != BOOL:
            return None
    if plan.many:
        if isinstance(value, str):
            parts = (_SPLIT_TEXTS if plan.kind == "str" else _SPLIT_VALUES).split(value)
            return [_convert(_one(plan), p) for p in parts if p.strip()]
        return [_convert(_one(plan), value)]
    if plan.kind == DATE:
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date()
        return value
    if plan.kind == INT:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,9}", value):
            return int(value)
        return value
    if plan.kind == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in TRUE_WORDS:
            return True
        if isinstance(value, str) and value.lower() in FALSE_WORDS:
            return None if value == "" else False
        return value
    # texts, ids, enumerated values, references: a number typed into the cell is its text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    return value


def _set(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for name in path[:-1]:
        obj = obj.setdefault(name, {})
    obj[path[-1]] = value


def _cell(sheet: str, row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(col)}{row}"


# By sheet: its rows' objects and pointers, by id and by row number, for the sheets of lists
# inside them.
_Owners = dict[
    str, tuple[dict[str, tuple[dict[str, Any], str]], dict[int, tuple[dict[str, Any], str]]]
]


@dataclass
class _Reader:
    name: str
    cells: dict[str, str] = field(default_factory=dict)  # JSON pointer -> 'sheet!A1'
    problems: list[Problem] = field(default_factory=list)

    def problem(self, cell: str, expected: Text, found: Found, code: str) -> None:
        self.problems.append(Problem(f"{self.name}:{cell}", "", expected, found, code=code))


def _heading_map(sheet: Sheet) -> dict[str, Column]:
    out: dict[str, Column] = {}
    for c in sheet.columns:
        out[c.heading] = c
        out[".".join(c.path)] = c
    return out


def read_workbook(
    path: str | os.PathLike[str], plan: RecordPlan
) -> tuple[dict[str, Any], dict[str, str]]:
    """A workbook's record as plain data, and the cell of each JSON pointer; InputError for a
    file that is no workbook of this layout (unknown sheets and columns, not a workbook)."""
    name = os.fspath(path)
    openpyxl = _openpyxl()
    limits = Limits.from_env()
    try:
        size = os.path.getsize(path)
        if size > limits.max_bytes:
            raise InputError(
                [
                    Problem(
                        name,
                        "",
                        Text(f"不超过 {limits.max_bytes} 字节的文件", "a smaller file"),
                        f"{size} bytes",
                        code="too_large",
                    )
                ]
            )
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        from ..load.document import EXPECT_READABLE

        raise InputError(
            [Problem(name, "", EXPECT_READABLE, os_error_text(exc), code="io")]
        ) from None
    except InputError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors: not a workbook
        raise InputError(
            [
                Problem(
                    name,
                    "",
                    Text("Excel 工作簿（.xlsx）", "an Excel workbook (.xlsx)"),
                    Text("无法作为工作簿打开的文件", type(exc).__name__),
                    code="syntax",
                )
            ]
        ) from None
    try:
        return _read(book, name, plan)
    finally:
        book.close()


def _read(book: Any, name: str, plan: RecordPlan) -> tuple[dict[str, Any], dict[str, str]]:
    meeting_rows, sheets = layout(plan)
    reader = _Reader(name)
    data: dict[str, Any] = {"format": "dlsh-record/1"}
    by_name = {s.name: s for s in sheets}
    known = [MEETING_SHEET, *by_name]
    for title in book.sheetnames:
        if title not in known:
            reader.problem(
                f"{title}!A1",
                Text(
                    "工作簿模板中的工作表：" + "、".join(known),
                    "a sheet of the workbook template: " + ", ".join(known),
                ),
                describe(title),
                "unknown_sheet",
            )
    if MEETING_SHEET in book.sheetnames:
        _read_meeting(book[MEETING_SHEET], meeting_rows, data, reader)
    else:
        reader.problem(
            f"{MEETING_SHEET}!A1",
            Text(f"名为“{MEETING_SHEET}”的工作表", f"a sheet named {MEETING_SHEET}"),
            "无（缺少该工作表）",
            "missing",
        )
    owners: _Owners = {}
    for sheet in sheets:
        if sheet.name in book.sheetnames:
            _read_sheet(book[sheet.name], sheet, data, reader, owners)
    if reader.problems:
        raise InputError(reader.problems)
    return data, reader.cells


def _read_meeting(ws: Any, rows: list[Column], data: dict[str, Any], reader: _Reader) -> None:
    by_key: dict[str, Column] = {}
    for c in rows:
        by_key[c.heading] = c
        by_key[".".join(c.path)] = c
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if r == 1 or not row or all(v in (None, "") for v in row):
            continue
        label = row[0] if len(row) > 0 else None
        key = row[2] if len(row) > 2 and row[2] not in (None, "") else label
        value = row[1] if len(row) > 1 else None
        column = by_key.get(str(key).strip()) if key is not None else None
        if column is None:
            reader.problem(
                _cell(MEETING_SHEET, r, 3 if len(row) > 2 and row[2] else 1),
                Text(
                    "会议表中的项目：" + "、".join(c.heading for c in rows),
                    "an item of the meeting sheet: " + ", ".join(".".join(c.path) for c in rows),
                ),
                describe(key),
                "unknown_field",
            )
            continue
        pointer = "/" + "/".join(column.path)
        reader.cells[pointer] = _cell(MEETING_SHEET, r, 2)
        converted = _convert(column.plan, value)
        if converted is not None:
            _set(data, column.path, converted)


def _read_sheet(
    ws: Any,
    sheet: Sheet,
    data: dict[str, Any],
    reader: _Reader,
    owners: _Owners,
) -> None:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    headings = _heading_map(sheet)
    columns: list[Column | None] = []
    parent_col = None
    for c, heading in enumerate(header, start=1):
        text = str(heading).strip() if heading is not None else ""
        if sheet.parent is not None and text in (PARENT_ID, PARENT_ROW):
            parent_col = c - 1
            columns.append(None)
        elif text in headings:
            columns.append(headings[text])
        elif text == "":
            columns.append(None)
        else:
            columns.append(None)
            expected = [
                *([PARENT_ID if sheet.parent_by_id else PARENT_ROW] if sheet.parent else [])
            ]
            expected += [col.heading for col in sheet.columns]
            reader.problem(
                _cell(sheet.name, 1, c),
                Text(
                    f"“{sheet.name}”表的列名：" + "、".join(expected),
                    f"a column of sheet {sheet.name}: "
                    + ", ".join(".".join(col.path) for col in sheet.columns),
                ),
                describe(text),
                "unknown_field",
            )
    by_id: dict[str, tuple[dict[str, Any], str]] = {}
    by_row: dict[int, tuple[dict[str, Any], str]] = {}
    owners[sheet.name] = (by_id, by_row)
    target: list[dict[str, Any]] | None = None
    for r, row in enumerate(rows, start=2):
        if not row or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        obj: dict[str, Any] = {}
        if sheet.parent is None:
            if target is None:
                node: Any = data
                for seg in sheet.path[:-1]:
                    node = node.setdefault(seg, {})
                target = node.setdefault(sheet.path[-1], [])
            holder, base = target, "/" + "/".join(sheet.path)
        else:
            found = _owner(sheet, row, parent_col, owners, reader, r)
            if found is None:
                continue
            owner_obj, owner_pointer = found
            holder = owner_obj.setdefault(sheet.path[-1], [])
            base = f"{owner_pointer}/{sheet.path[-1]}"
        pointer = f"{base}/{len(holder)}"
        reader.cells[pointer] = _cell(sheet.name, r, 1)
        for c, column in enumerate(columns, start=1):
            if column is None:
                continue
            reader.cells[pointer + "/" + "/".join(column.path)] = _cell(sheet.name, r, c)
            value = row[c - 1] if c - 1 < len(row) else None
            converted = _convert(column.plan, value)
            if converted is not None:
                _set(obj, column.path, converted)
        holder.append(obj)
        if isinstance(obj.get("id"), str):
            by_id.setdefault(obj["id"], (obj, pointer))
        by_row[r] = (obj, pointer)


def _owner(
    sheet: Sheet,
    row: tuple[Any, ...],
    col: int | None,
    owners: _Owners,
    reader: _Reader,
    r: int,
) -> tuple[dict[str, Any], str] | None:
    assert sheet.parent is not None
    by_id, by_row = owners.get(sheet.parent.name, ({}, {}))
    key = row[col] if col is not None and col < len(row) else None
    heading = PARENT_ID if sheet.parent_by_id else PARENT_ROW
    where = _cell(sheet.name, r, (col or 0) + 1)
    if sheet.parent_by_id:
        text = _convert(FieldPlan("id", "id", "id"), key)
        if isinstance(text, str) and text in by_id:
            return by_id[text]
    else:
        number = _convert(FieldPlan("row", "row", INT), key)
        if isinstance(number, int) and number in by_row:
            return by_row[number]
    reader.problem(
        where,
        Text(
            f"“{sheet.parent.name}”表中某一行的{heading[2:]}",
            f"the {'id' if sheet.parent_by_id else 'row number'} of a row of sheet "
            f"{sheet.parent.name}",
        ),
        describe(key),
        "reference",
    )
    return None


def at_cell(problem: Problem, name: str, cells: Mapping[str, str]) -> Problem:
    """A validator's problem moved to the cell that holds it (`台账.xlsx:谈心谈话!C5`)."""
    pointer = problem.pointer
    while pointer not in cells and pointer:
        pointer = pointer.rsplit("/", 1)[0]
    cell = cells.get(pointer)
    if cell is None:
        return problem
    return Problem(
        f"{name}:{cell}",
        problem.pointer,
        problem.expected,
        problem.found_both(),
        None,
        None,
        problem.code,
    )


def compact(data: Mapping[str, Any], plan: RecordPlan) -> dict[str, Any]:
    """Validated record data without the defaults validation filled in (absent fields as null,
    empty lists, `days: 1`…): what a person would have written."""

    def strip(obj: Mapping[str, Any], model: ModelPlan) -> dict[str, Any]:
        out: dict[str, Any] = {}
        fields = {f.alias: f for f in model.fields}
        for key, value in obj.items():
            f = fields.get(key)
            if f is None:
                continue
            if not f.required and (value is None or value == [] or value == f.default):
                continue
            if f.kind == MODEL and f.model is not None:
                sub = plan.models[f.model]
                value = [strip(v, sub) for v in value] if f.many else strip(value, sub)
            out[key] = value
        return out

    return strip(data, plan.top)
