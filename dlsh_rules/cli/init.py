"""`init` (a record skeleton for a pack, a date and the people) and `export` (a record to a
workbook, or a workbook to YAML/JSON). Both write new files only: a record or a ledger may hold
hours of work, and neither command replaces one."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .console import EXIT_INPUT, EXIT_OK, _out, say

if TYPE_CHECKING:
    from ..authoring.skeleton import PersonSpec
    from ..record.enums import EnumTable

_T: dict[str, tuple[str, str]] = {
    "init": (
        "按规则包、会议日期和人员生成一份记录框架（每项应做的谈话、批评、材料、报送都已列出，"
        "日期为截止日，标为 todo: true 待办）",
        "write a record skeleton for a pack, a meeting date and the people (every required "
        "talk, criticism, document and submission listed, dated at its deadline, marked todo)",
    ),
    "export": (
        "把记录导出为 Excel 台账（.xlsx），或把台账导出为 YAML/JSON 记录",
        "export a record to an Excel workbook (.xlsx), or a workbook to a YAML/JSON record",
    ),
    "meeting_date": ("会议日期 YYYY-MM-DD（所有期限的基准）", "meeting date YYYY-MM-DD"),
    "people": (
        "人员文件（YAML/JSON）：people 列表，每人写 name、role，可写 supervises（分管处室名称）、"
        "department（所负责处室名称）；可写 unit、party_org。见 docs/record-format.zh.md",
        "people file (YAML/JSON): a people list of name and role, optionally supervises "
        "(department names) and department (the one he heads); optionally unit and party_org",
    ),
    "secretary": ("党组书记姓名，可写 姓名:分管处室[,处室]", "the secretary: NAME[:DEPT,...]"),
    "member": (
        "党组成员姓名，可重复；可写 姓名:分管处室[,处室]",
        "a member (repeat for each): NAME[:supervised DEPT,...]",
    ),
    "head": (
        "处室（中心）主要负责人，可重复：姓名:处室",
        "a department head (repeat for each): NAME:DEPT",
    ),
    "unit": ("单位名称", "the unit's name"),
    "party_org": ("党组织名称，如 局党组", "the party organisation's name"),
    "output": (
        "写入此文件（不覆盖已有文件）；不给出时输出到标准输出",
        "write this file (never replaces one); standard output if not given",
    ),
    "out_format": (
        "输出格式：yaml（默认）、json 或 xlsx（Excel 台账，需 -o）；不给出时按 -o 的扩展名",
        "output format: yaml (default), json or xlsx (needs -o); by the -o extension if not given",
    ),
    "export_record": ("记录文件（YAML、JSON 或 .xlsx 台账）", "record (YAML, JSON or .xlsx)"),
    "export_output": (
        "输出文件：.xlsx 台账，或 .yaml/.json 记录（不覆盖已有文件）",
        "output file: an .xlsx workbook, or a .yaml/.json record (never replaces one)",
    ),
    "exists": (
        "文件已存在，不会覆盖：{path}（请换一个文件名，或先移走原文件）",
        "the file exists and is not replaced: {path} (choose another name or move it first)",
    ),
    "need_people": (
        "请用 --people 文件或 --secretary、--member 给出人员",
        "give the people: --people FILE, or --secretary and --member",
    ),
    "both_people": (
        "--people 与 --secretary/--member/--department-head 只能用一种",
        "--people and --secretary/--member/--department-head exclude each other",
    ),
    "xlsx_stdout": (
        "xlsx 格式须用 -o 指定文件",
        "the xlsx format needs -o FILE",
    ),
    "bad_date": (
        "日期应为 YYYY-MM-DD 格式的真实日期：{value}",
        "a real date written YYYY-MM-DD was expected: {value}",
    ),
    "head_dept": (
        "处室负责人应写成 姓名:处室：{value}",
        "a department head is written NAME:DEPT: {value}",
    ),
    "abstract": (
        "规则包 {pack} 是供其他规则包继承的基础包，没有规则；请指定具体单位的规则包",
        "pack {pack} is a base for other packs and has no rules of its own",
    ),
    "written": (
        "已写入 {path}：{summary}。下一步：补全内容，办完一项删去其 todo: true，"
        "随时运行 dlsh-rules check {path} --as-of 今天的日期 查看进度。",
        "wrote {path}: {summary}. Next: fill it in, remove todo: true from each item when done, "
        "and run dlsh-rules check {path} --as-of TODAY to see where you stand.",
    ),
    "written_xlsx": (
        "已写入 {path}：{summary}。下一步：在各表中补全内容，办完一项把其“待办”列清空，"
        "随时运行 dlsh-rules check {path} --as-of 今天的日期 查看进度。",
        "wrote {path}: {summary}. Next: fill in the sheets, clear an item's 待办 (todo) cell "
        "when it is done, and run dlsh-rules check {path} --as-of TODAY to see where you stand.",
    ),
    "exported": ("已写入 {path}", "wrote {path}"),
}


def _t(key: str, lang: str, **values: object) -> str:
    return _T[key][1 if lang == "en" else 0].format(**values)


class UsageError(Exception):
    """Arguments that cannot be used together; exit 2 with the message."""


def date_type(lang: str) -> Callable[[str], dt.date]:
    def parse(value: str) -> dt.date:
        from ..dates import parse_date

        try:
            return parse_date(value)
        except ValueError:
            raise argparse.ArgumentTypeError(_t("bad_date", lang, value=value)) from None

    return parse


def add_parsers(sub: Any, lang: str, common: Callable[..., None]) -> None:
    t = {k: v[1] if lang == "en" else v[0] for k, v in _T.items()}
    p = sub.add_parser("init", help=t["init"], description=t["init"], add_help=False)
    common(p)
    p.add_argument(
        "--meeting-date",
        required=True,
        type=date_type(lang),
        metavar="DATE",
        help=t["meeting_date"],
    )
    p.add_argument("--people", default=None, metavar="FILE", help=t["people"])
    p.add_argument("--secretary", default=None, metavar="NAME", help=t["secretary"])
    p.add_argument("--member", action="append", default=[], metavar="NAME", help=t["member"])
    p.add_argument(
        "--department-head", action="append", default=[], metavar="NAME:DEPT", help=t["head"]
    )
    p.add_argument("--unit", default=None, metavar="NAME", help=t["unit"])
    p.add_argument("--party-org", default=None, metavar="NAME", help=t["party_org"])
    p.add_argument("-o", "--output", default=None, metavar="FILE", help=t["output"])
    p.add_argument("--format", choices=["yaml", "json", "xlsx"], default=None, help=t["out_format"])

    e = sub.add_parser("export", help=t["export"], description=t["export"], add_help=False)
    e.add_argument("record", metavar="RECORD", help=t["export_record"])
    common(e)
    e.add_argument("-o", "--output", required=True, metavar="FILE", help=t["export_output"])


# --- people ----------------------------------------------------------------------------------


def _split(value: str) -> tuple[str, list[str]]:
    name, _, rest = value.partition(":")
    if not rest:
        name, _, rest = value.partition("：")
    parts = [p.strip() for p in rest.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    return name.strip(), parts


def people_from_flags(args: argparse.Namespace) -> list[PersonSpec]:
    from ..authoring.skeleton import PersonSpec

    out: list[PersonSpec] = []
    if args.secretary:
        name, deps = _split(args.secretary)
        out.append(PersonSpec(name, "secretary", supervises=deps))
    for value in args.member:
        name, deps = _split(value)
        out.append(PersonSpec(name, "member", supervises=deps))
    for value in args.department_head:
        name, deps = _split(value)
        if len(deps) != 1:
            raise UsageError(_t("head_dept", args.lang, value=value))
        out.append(PersonSpec(name, "department_head", department=deps[0]))
    return out


def people_from_file(
    path: str, enums: EnumTable
) -> tuple[list[PersonSpec], str | None, str | None]:
    """The people (and unit) of a people file; InputError naming file:line:column otherwise."""
    from ..authoring.skeleton import PersonSpec
    from ..errors import InputError, Text, describe
    from ..load.document import problem_at
    from ..load.source import load_path

    doc = load_path(path)
    problems = []

    def bad(pointer: str, expected: Text, found: Any, code: str = "invalid") -> None:
        problems.append(problem_at(doc, pointer, expected, describe(found), code))

    data = doc.data
    if not isinstance(data, dict):
        bad("", Text("对象，含 people 列表", "an object with a people list"), data, "type")
        raise InputError(problems)
    for key in data:
        if key not in ("people", "unit", "party_org"):
            bad(f"/{key}", Text("people、unit 或 party_org", "people, unit or party_org"), key)
    people = data.get("people")
    if not isinstance(people, list) or not people:
        bad("/people", Text("至少一人的列表", "a list of at least one person"), people, "missing")
        raise InputError(problems)
    out: list[PersonSpec] = []
    for i, p in enumerate(people):
        here = f"/people/{i}"
        if not isinstance(p, dict):
            bad(here, Text("对象（name、role…）", "an object (name, role…)"), p, "type")
            continue
        for key in p:
            if key not in ("name", "role", "id", "title", "supervises", "department"):
                bad(
                    f"{here}/{key}",
                    Text(
                        "name、role、id、title、supervises 或 department",
                        "name, role, id, title, supervises or department",
                    ),
                    key,
                    "extra_forbidden",
                )
        name = p.get("name")
        if not isinstance(name, str) or not name.strip():
            bad(f"{here}/name", Text("姓名（文本）", "a name (text)"), name, "missing")
            continue
        given = p.get("role")
        role = enums.normalise("role", given) if isinstance(given, str) else None
        if role is None:
            bad(
                f"{here}/role",
                Text(
                    f"以下值之一：{enums.choices('role')}", f"one of {enums.choices('role', False)}"
                ),
                p.get("role"),
                "enum",
            )
            continue
        supervises = p.get("supervises") or []
        if isinstance(supervises, str):
            supervises = [supervises]
        out.append(
            PersonSpec(
                name.strip(),
                role,
                id=str(p["id"]) if p.get("id") is not None else None,
                title=p.get("title"),
                supervises=[str(s) for s in supervises],
                department=str(p["department"]) if p.get("department") else None,
            )
        )
    if problems:
        raise InputError(problems)
    unit = data.get("unit")
    if isinstance(unit, dict):
        return out, unit.get("name"), unit.get("party_org") or data.get("party_org")
    return out, unit if isinstance(unit, str) else None, data.get("party_org")


# --- writing ---------------------------------------------------------------------------------


def write_new(path: str, data: bytes, lang: str) -> None:
    """Create ``path`` with ``data``; never replace a file (exit 2 if one is there)."""
    if os.path.lexists(path):
        raise UsageError(_t("exists", lang, path=path))
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    try:
        with open(path, "xb") as handle:  # x: fails if a file appeared meanwhile
            handle.write(data)
    except FileExistsError:
        raise UsageError(_t("exists", lang, path=path)) from None


def schema_ref(output: str | None) -> str:
    """The record schema's path as seen from where the record is written."""
    from ..pack.loader import schemas_dir

    schema = os.path.join(schemas_dir(), "record.schema.json")
    base = os.path.dirname(os.path.abspath(output)) if output else os.getcwd()
    try:
        return os.path.relpath(schema, base).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        return schema


def _flow(value: Any) -> str:
    import yaml

    text: str = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=10**9, sort_keys=False
    )
    text = text.strip()
    return text[:-4].rstrip() if text.endswith("\n...") else text.removesuffix("...").strip()


def to_yaml(record: Mapping[str, Any], header: Sequence[str]) -> str:
    """A record as YAML: top-level sections in blocks, each listed item on one line (as the
    record guide writes them), with the sheet names of the workbook as section comments."""
    from ..record.workbook import SHEETS

    lines = list(header)

    def emit(key: str, value: Any, indent: int, path: str) -> None:
        pad = " " * indent
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            label = SHEETS.get(path)
            if indent == 0:
                lines.append("")
            if label:
                lines.append(f"{pad}# {label}")
            lines.append(f"{pad}{key}:")
            lines.extend(f"{pad}  - {_flow(v)}" for v in value)
        elif isinstance(value, dict) and len(_flow(value)) > 80:
            if indent == 0:
                lines.append("")
            lines.append(f"{pad}{key}:")
            for k, v in value.items():
                emit(k, v, indent + 2, f"{path}.{k}")
        else:
            lines.append(f"{pad}{key}: {_flow(value)}")

    for key, value in record.items():
        emit(key, value, 0, key)
    return "\n".join(lines) + "\n"


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _format_of(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = os.path.splitext(args.output or "")[1].lower()
    return {".json": "json", ".xlsx": "xlsx"}.get(suffix, "yaml")


def _counts(record: Mapping[str, Any], lang: str) -> str:
    from ..record.workbook import SHEETS

    parts = []
    for path, label in SHEETS.items():
        node: Any = record
        for seg in path.split("."):
            node = node.get(seg) if isinstance(node, Mapping) else None
        if isinstance(node, list) and node:
            todo = sum(1 for v in node if isinstance(v, dict) and v.get("todo"))
            name = label if lang != "en" else path
            parts.append(
                f"{name} {len(node)}" + (f"（待办 {todo}）" if todo and lang != "en" else "")
            )
    return "，".join(parts) if lang != "en" else ", ".join(parts)


def cmd_init(args: argparse.Namespace) -> int:
    from ..authoring.skeleton import build_skeleton
    from ..pack.loader import load_pack

    lang = args.lang
    if args.people and (args.secretary or args.member or args.department_head):
        raise UsageError(_t("both_people", lang))
    if not args.people and not args.secretary:
        raise UsageError(_t("need_people", lang))
    fmt = _format_of(args)
    if fmt == "xlsx" and not args.output:
        raise UsageError(_t("xlsx_stdout", lang))
    if args.output and os.path.lexists(args.output):
        raise UsageError(_t("exists", lang, path=args.output))
    pack = load_pack(args.pack)
    if not pack.rules:
        raise UsageError(_t("abstract", lang, pack=pack.id))
    unit, party_org = args.unit, args.party_org
    if args.people:
        people, file_unit, file_org = people_from_file(args.people, pack.enums)
        unit, party_org = unit or file_unit, party_org or file_org
    else:
        people = people_from_flags(args)
    record = build_skeleton(pack, args.meeting_date, people, unit, party_org)
    if fmt == "xlsx":
        from ..record.validate import record_plan
        from ..record.workbook import workbook_bytes

        data = workbook_bytes(record, record_plan(), pack.enums)
    elif fmt == "json":
        data = _json_record(record, args.output)
    else:
        header = [
            f"# yaml-language-server: $schema={schema_ref(args.output)}",
            f"# 由 dlsh-rules init 生成：规则包 {pack.id}，会议日期 {args.meeting_date.isoformat()}。",
            "# 标有 todo: true 的事项是按方案应做、尚未完成的工作，日期为其截止日；检查时按“尚未记录”处理。",
            "# 办完一项：改正日期等内容，删去 todo: true。到会人员、议程、发言、意见等会上和征求到的内容请自行补充。",
            "# Generated by dlsh-rules init. Items marked todo: true are required and not yet done;",
            "# they are checked as not yet recorded. Remove the mark when an item is done.",
        ]
        data = to_yaml(record, header).encode("utf-8")
    if args.output is None:
        _out(data.decode("utf-8"))
        return EXIT_OK
    write_new(args.output, data, lang)
    summary = _counts(record, lang)
    message = "written_xlsx" if fmt == "xlsx" else "written"
    sys.stderr.write(_t(message, lang, path=args.output, summary=summary) + "\n")
    return EXIT_OK


def _json_record(record: dict[str, Any], output: str | None) -> bytes:
    """A record as JSON text with the `$schema` line editors read, for `init` and `export`."""
    import json

    with_schema = {"$schema": schema_ref(output), **record}
    text = json.dumps(with_schema, ensure_ascii=False, indent=2, default=_json_default)
    return (text + "\n").encode("utf-8")


def cmd_export(args: argparse.Namespace) -> int:
    from ..pack.loader import load_pack
    from ..record.validate import load_record

    lang = args.lang
    if os.path.lexists(args.output):
        raise UsageError(_t("exists", lang, path=args.output))
    pack = load_pack(args.pack)
    record = load_record(args.record, pack.enums, keep_todo=True)
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix == ".xlsx":
        from ..record.validate import record_plan
        from ..record.workbook import workbook_bytes

        data = workbook_bytes(record.data, record_plan(), pack.enums)
    else:
        from ..record.validate import record_plan
        from ..record.workbook import compact

        plain = compact(record.data, record_plan())
        if suffix == ".json":
            data = _json_record(plain, args.output)
        else:
            header = [f"# yaml-language-server: $schema={schema_ref(args.output)}"]
            data = to_yaml(plain, header).encode("utf-8")
    write_new(args.output, data, lang)
    sys.stderr.write(_t("exported", lang, path=args.output) + "\n")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": cmd_init,
    "export": cmd_export,
}


def run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command of this module, a usage error becoming exit 2 with its message."""
    try:
        return command(args)
    except UsageError as exc:
        say(args.command, args.lang, "error", str(exc))
        return EXIT_INPUT
