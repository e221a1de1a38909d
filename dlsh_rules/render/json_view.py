"""The JSON report of report-format.md."""

from __future__ import annotations

from collections.abc import Sequence

from . import BatchEntry, RenderContext


def render(ctx: RenderContext) -> str:
    return ctx.report.to_json(ctx.lang)


def render_batch(entries: Sequence[BatchEntry]) -> str:
    """One object for the whole run, `dlsh-batch-report/1` (built in dlsh_rules.batch)."""
    from .batch_view import batch_json

    return batch_json(entries)
