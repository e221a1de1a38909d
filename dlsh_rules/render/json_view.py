"""The JSON report of report-format.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..load.perf import dumps_indented
from . import BatchEntry, RenderContext

if TYPE_CHECKING:
    from ..evaluate.results import Organisations


def render(ctx: RenderContext) -> str:
    if not ctx.organisations:
        return ctx.report.to_json(ctx.lang)
    from .batch_view import with_organisations

    out = with_organisations(ctx.report.to_dict(ctx.lang), ctx.organisations, ctx.lang)
    return dumps_indented(out) + "\n"


def render_batch(entries: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    """One object for the whole run, `dlsh-batch-report/1` (built in dlsh_rules.batch)."""
    from .batch_view import batch_json

    return batch_json(entries, organisations)
