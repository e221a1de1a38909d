"""The JSON report of report-format.md."""

from __future__ import annotations

from ..report import Report


def render_json(report: Report, lang: str = "zh", color: bool = False) -> str:
    return report.to_json(lang)
