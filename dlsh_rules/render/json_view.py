"""The JSON report of report-format.md."""

from __future__ import annotations

from . import RenderContext


def render(ctx: RenderContext) -> str:
    return ctx.report.to_json(ctx.lang)
