"""`diff OLD.json NEW.json`, `check --baseline FILE` / `--write-baseline FILE`, and the warning
of `check --as-of` for facts dated after it (report/compare.py, record/dated.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .console import _out

if TYPE_CHECKING:
    import argparse  # `check RECORD` imports this module, and argparse not at all (cli/main.py)

    from ..evaluate.results import Report
    from ..report.compare import Baseline

_T: dict[str, tuple[str, str]] = {
    "diff": (
        "比较两份 JSON 报告（check --format json 的输出）：新增的不符合项、已修复的、仍不符合的"
        "（退出码：0 无新增；1 有达到 --fail-on 级别的新增项；2 输入无法读取）",
        "compare two JSON reports (check --format json): new failures, fixed, still failing "
        "(exit 0 nothing new; 1 something new at or above --fail-on; 2 unreadable input)",
    ),
    "old": ("较早的报告（JSON）", "the older report (JSON)"),
    "new": ("较新的报告（JSON）", "the newer report (JSON)"),
    "format": (
        "输出格式：text（默认）、json、markdown",
        "output format: text (default), json, markdown",
    ),
    "fail_on": (
        "新增项达到此级别时退出码为 1（默认 error；never 总为 0）",
        "exit 1 when a new failure is at or above this level (default error; never: always 0)",
    ),
    "output": ("写入此文件而非标准输出", "write to this file instead of standard output"),
    "baseline": (
        "基线：check --write-baseline 写出的文件或以前的 JSON 报告；其中已有的问题标为"
        "已豁免（原因：基线），不计为不符合，只报告新的问题",
        "a baseline: a file written by --write-baseline, or an earlier JSON report; the "
        "problems it holds are shown as waived (reason: the baseline) and do not fail the run",
    ),
    "write_baseline": (
        "把本次检查的全部不符合项（含基线已有的）写成基线文件 dlsh-baseline/1",
        "write every open finding of this run (baselined ones included) to a baseline file, "
        "dlsh-baseline/1",
    ),
    "late": (
        "{source}：警告：检查日期 {as_of}（--as-of）之后，记录中已有 {count} 项日期：{facts}"
        "——检查日期是否给错？",
        "{source}: warning: the record holds {count} dates after the check date {as_of} "
        "(--as-of): {facts} — is the check date right?",
    ),
    "line": ("第 {line} 行", "line {line}"),
    "more": ("等", "…"),
    "same_file": (
        "基线文件不能写到被检查的输入文件：{path}",
        "the baseline may not be written over an input: {path}",
    ),
}


def _t(key: str, lang: str, **values: object) -> str:
    return _T[key][1 if lang == "en" else 0].format(**values)


def add_parsers(sub: Any, lang: str, common: Callable[..., None]) -> None:
    p = sub.add_parser("diff", help=_t("diff", lang), description=_t("diff", lang), add_help=False)
    p.add_argument("old", metavar="OLD.json", help=_t("old", lang))
    p.add_argument("new", metavar="NEW.json", help=_t("new", lang))
    common(p, pack=False)
    from ..render.diff_view import FORMATS

    p.add_argument("--format", choices=list(FORMATS), default="text", help=_t("format", lang))
    p.add_argument(
        "--fail-on",
        choices=["error", "warning", "info", "never"],
        default="error",
        help=_t("fail_on", lang),
    )
    p.add_argument("-o", "--output", default=None, metavar="FILE", help=_t("output", lang))


def add_check_options(c: argparse.ArgumentParser, lang: str) -> None:
    c.add_argument("--baseline", default=None, metavar="FILE", help=_t("baseline", lang))
    c.add_argument(
        "--write-baseline", default=None, metavar="FILE", help=_t("write_baseline", lang)
    )


def cmd_diff(args: argparse.Namespace) -> int:
    from ..render.diff_view import RENDERERS
    from ..report.compare import diff, read_side

    result = diff(read_side(args.old), read_side(args.new))
    text = RENDERERS[args.format](result, args.lang)
    if args.output is None:
        _out(text)
    else:
        from .output import write_atomic

        write_atomic(args.output, text)
    return result.exit_code(args.fail_on)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"diff": cmd_diff}


# --- check --baseline / --write-baseline ------------------------------------------------------


def load_baseline(args: argparse.Namespace, records_in_run: int) -> Baseline | None:
    """The baseline `check --baseline` names, read before any record is checked (exit 2 when
    it is not a baseline or a report)."""
    if getattr(args, "baseline", None) is None:
        return None
    from ..report.compare import Baseline, read_side

    return Baseline(read_side(args.baseline, baseline=True), records_in_run)


def apply_baseline(baseline: Baseline | None, reports: Sequence[Report], lang: str) -> list[Report]:
    return list(reports) if baseline is None else baseline.apply_all(reports, lang)


def write_baseline(args: argparse.Namespace, reports: Sequence[Report]) -> None:
    path = getattr(args, "write_baseline", None)
    if path is None:
        return
    import json  # only here: `check` imports this module for its options

    from ..report.compare import baseline_dict
    from .output import write_atomic

    text = json.dumps(baseline_dict(reports, args.lang), ensure_ascii=False, indent=2) + "\n"
    write_atomic(path, text)


# --- check --as-of: facts dated after it -------------------------------------------------------


def late_warning(report: Report, lang: str) -> str:
    sep = "; " if lang == "en" else "；"
    shown = []
    for fact in report.late_facts:
        line = ""
        if fact.line is not None:
            text = _t("line", lang, line=fact.line)
            line = f" ({text})" if lang == "en" else f"（{text}）"
        shown.append(f"{fact.pointer} {fact.date.isoformat()}{line}")
    facts = sep.join(shown)
    if report.late_count > len(report.late_facts):
        facts += sep + _t("more", lang)
    assert report.as_of is not None
    return _t(
        "late",
        lang,
        source=report.source,
        as_of=report.as_of.isoformat(),
        count=report.late_count,
        facts=facts,
    )
