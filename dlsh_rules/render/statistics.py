"""Counts instead of rules (`check --statistics`, as ruff's): by phase and status, and the rules
that did not pass, most often first; over one record or over every record of a batch. Shared by
the text and Markdown views."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..evaluate.results import Report
from ..pack.loader import PHASES
from . import visible

STATUSES = ("passed", "failed", "pending", "waived", "not_applicable", "error")
LABELS = {
    "passed": ("通过", "passed"),
    "failed": ("不符合", "failed"),
    "pending": ("待到期", "pending"),
    "waived": ("已豁免", "waived"),
    "not_applicable": ("不适用", "n/a"),
    "error": ("出错", "error"),
}
# What the failures-only view (`--quiet`) keeps, and the rules counted one by one here
NOT_PASSED = ("failed", "error", "pending")


def label(status: str, lang: str) -> str:
    return LABELS[status][1 if lang == "en" else 0]


@dataclass
class RuleCount:
    rule: str
    title: str
    records: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NOT_PASSED, 0))
    findings: int = 0  # open findings (not waived) over the records


@dataclass
class Statistics:
    phases: dict[str, dict[str, int]]  # phase label -> status -> rules (summed over records)
    total: dict[str, int]
    rules: list[RuleCount]


def statistics(reports: Sequence[Report], lang: str) -> Statistics:
    by_phase: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(STATUSES, 0)
    rules: dict[str, RuleCount] = {}
    for report in reports:
        for r in report.results:
            by_phase.setdefault(r.phase, dict.fromkeys(STATUSES, 0))[r.status] += 1
            total[r.status] += 1
            if r.status in NOT_PASSED:
                count = rules.setdefault(r.rule, RuleCount(r.rule, r.title.get(lang)))
                count.records[r.status] += 1
                count.findings += sum(1 for f in r.findings if not f.waived) + r.findings_omitted
    # phases in the plan's order, as the reports show them; rules most failing first, then by id
    phases = {label.get(lang): by_phase[p] for p, label in PHASES.items() if p in by_phase}
    ordered = sorted(
        rules.values(),
        key=lambda c: (-c.records["failed"], -c.records["error"], -c.findings, c.rule),
    )
    return Statistics(phases, total, ordered)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[str]], numeric: Sequence[int]) -> list[str]:
    widths = [max(_width(row[k]) for row in rows) for k in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = []
        for k, cell in enumerate(row):
            fill = " " * (widths[k] - _width(cell))
            cells.append(fill + cell if k in numeric else cell + fill)
        out.append("  " + "  ".join(cells).rstrip())
    return out


def text_lines(stats: Statistics, lang: str) -> list[str]:
    """The statistics as aligned columns for a terminal (headings are the caller's to paint)."""
    en = lang == "en"
    head = ["phase" if en else "阶段", *(label(s, lang) for s in STATUSES)]
    rows = [head]
    rows += [[phase, *(str(c[s]) for s in STATUSES)] for phase, c in stats.phases.items()]
    rows.append(["total" if en else "合计", *(str(stats.total[s]) for s in STATUSES)])
    lines = [
        "",
        "Statistics by phase and status" if en else "统计：按阶段和状态",
        *_table(rows, range(1, len(head))),
    ]
    lines += ["", "Rules not passed" if en else "统计：未通过的规则"]
    if not stats.rules:
        lines.append("  (none)" if en else "  （无）")
        return lines
    head = [
        *(label(s, lang) for s in NOT_PASSED),
        "findings" if en else "问题",
        "rule" if en else "规则",
        "title" if en else "标题",
    ]
    rows = [head]
    for c in stats.rules:
        counts = [str(c.records[s]) for s in NOT_PASSED]
        rows.append([*counts, str(c.findings), c.rule, visible(c.title)])
    return lines + _table(rows, range(len(NOT_PASSED) + 1))


def markdown_lines(stats: Statistics, lang: str, level: int, md: Callable[[str], str]) -> list[str]:
    """The statistics as two Markdown tables under headings of ``level``; ``md`` escapes text
    (the Markdown view's own, which imports this module)."""
    en = lang == "en"
    h = "#" * level

    def row(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    head = ["phase" if en else "阶段", *(label(s, lang) for s in STATUSES)]
    lines = [
        "",
        f"{h} " + ("Statistics by phase and status" if en else "统计：按阶段和状态"),
        "",
        row(head),
        row(["---"] + ["---:"] * len(STATUSES)),
    ]
    lines += [row([md(p), *(str(c[s]) for s in STATUSES)]) for p, c in stats.phases.items()]
    total = "**total**" if en else "**合计**"
    lines.append(row([total, *(str(stats.total[s]) for s in STATUSES)]))
    lines += ["", f"{h} " + ("Rules not passed" if en else "统计：未通过的规则"), ""]
    if not stats.rules:
        return [*lines, "(none)" if en else "（无）"]
    head = [
        *(label(s, lang) for s in NOT_PASSED),
        "findings" if en else "问题",
        "rule" if en else "规则",
        "title" if en else "标题",
    ]
    lines += [row(head), row(["---:"] * (len(NOT_PASSED) + 1) + ["---", "---"])]
    for c in stats.rules:
        counts = [str(c.records[s]) for s in NOT_PASSED]
        lines.append(row([*counts, str(c.findings), f"`{c.rule}`", md(c.title)]))
    return lines
