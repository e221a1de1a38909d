"""`timeline`: every obligation of a pack with its due date and clause, for a meeting date or a
record, as text, Markdown, CSV or an ICS calendar (authoring/timeline.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .console import EXIT_OK, _out
from .init import UsageError, date_type

_T: dict[str, tuple[str, str]] = {
    "timeline": (
        "列出规则包的全部义务及其截止日期和条款（按日期排序），可输出文本、Markdown、CSV 或 ICS 日历",
        "every obligation of a pack with its due date and clause, in date order, as text, "
        "Markdown, CSV or an ICS calendar",
    ),
    "record": (
        "会议记录（YAML、JSON 或 .xlsx 台账）：用其会议日期，并标出每项是否已完成",
        "a meeting record (YAML, JSON or .xlsx): its meeting date, and whether each is met",
    ),
    "meeting_date": (
        "会议日期 YYYY-MM-DD（不给出记录时必填；给出记录时用记录的会议日期）",
        "meeting date YYYY-MM-DD (needed without a record; a record gives its own)",
    ),
    "as_of": (
        "检查日期 YYYY-MM-DD：先列即将到期的，标出已逾期的",
        "as of YYYY-MM-DD: what is due next first, overdue ones marked",
    ),
    "format": (
        "输出格式：text（默认）、markdown、csv（Excel 可直接打开）、ics（导入手机或 Outlook 日历）",
        "output format: text (default), markdown, csv, ics (for a phone or Outlook calendar)",
    ),
    "output": ("写入此文件而非标准输出", "write to this file instead of standard output"),
    "need_date": (
        "请给出记录文件或 --meeting-date",
        "give a record or --meeting-date",
    ),
}


def _t(key: str, lang: str) -> str:
    return _T[key][1 if lang == "en" else 0]


# authoring.timeline.FORMATS, named here: importing it would load the pack machinery whenever
# the parser is built, for every command (cold start).
FORMATS = ("text", "markdown", "csv", "ics")


def add_parsers(sub: Any, lang: str, common: Callable[..., None]) -> None:
    p = sub.add_parser(
        "timeline", help=_t("timeline", lang), description=_t("timeline", lang), add_help=False
    )
    p.add_argument("record", nargs="?", default=None, metavar="RECORD", help=_t("record", lang))
    common(p)
    p.add_argument(
        "--meeting-date",
        type=date_type(lang),
        default=None,
        metavar="DATE",
        help=_t("meeting_date", lang),
    )
    p.add_argument(
        "--as-of", type=date_type(lang), default=None, metavar="DATE", help=_t("as_of", lang)
    )
    p.add_argument("--format", choices=list(FORMATS), default="text", help=_t("format", lang))
    p.add_argument("-o", "--output", default=None, metavar="FILE", help=_t("output", lang))


def cmd_timeline(args: argparse.Namespace) -> int:
    from ..authoring.skeleton import PersonSpec, base_record
    from ..authoring.timeline import RENDERERS, build_timeline
    from ..pack.loader import load_pack
    from ..record.validate import load_record, validate_record

    lang = args.lang
    pack = load_pack(args.pack)
    report = None
    if args.record is not None:
        record = load_record(args.record, pack.enums)
        from ..evaluate.engine import check

        report = check(record, pack, as_of=args.as_of)
    elif args.meeting_date is not None:
        # No people are known: the due dates depend on the meeting date alone.
        base = base_record(args.meeting_date, [PersonSpec("—", "secretary")])
        record = validate_record(base, "<timeline>", pack.enums)
    else:
        raise UsageError(_t("need_date", lang))
    timeline = build_timeline(pack, record, as_of=args.as_of, report=report, source=args.record)
    text = RENDERERS[args.format](timeline, lang)
    if args.output is None:
        _out(text)
    else:
        from .output import write_atomic

        # No newline translation there: the CRLFs of RFC 5545 and of CSV stay as written.
        write_atomic(args.output, text)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"timeline": cmd_timeline}
