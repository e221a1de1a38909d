"""Views of one report, or of many (a batch run). Each format is a module with

    render(ctx: RenderContext) -> str              # one record
    render_batch(entries: Sequence[BatchEntry], organisations=None) -> str   # several, in order

Organisation rules (judged over the run's records of one party organisation) come with the
context (`RenderContext.organisations`) or as `render_batch`'s second argument; each format shows
them as a short section of its own (docs/formats.md).

imported on demand so a run pays only for the formats it writes. A format module that has no
`render_batch` cannot be used with more than one record.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..errors import InputError
    from ..evaluate.results import Organisations, Report
    from ..pack.loader import Pack
    from ..record.validate import RecordData


@dataclass(frozen=True)
class RenderContext:
    report: Report
    lang: str = "zh"
    color: bool = False
    record: RecordData | None = None  # the checked record, for views that show it (HTML grids)
    pack: Pack | None = None
    # The run's organisation rules (evaluate/organisations.py); a one-record run is one organisation
    organisations: Organisations | None = None


@dataclass(frozen=True)
class BatchEntry:
    """One input of a batch run: checked (context) or refused (error), never both."""

    source: str
    context: RenderContext | None = None
    error: InputError | None = None
    lang: str = "zh"  # the run's language, for a refused record that has no context to say it


# Columns of the per-record summary table of a batch, shared by the text and Markdown views.
BATCH_HEAD: dict[str, tuple[str, ...]] = {
    "zh": (
        "记录",
        "单位",
        "会议日期",
        "结论",
        "通过",
        "不符合",
        "待到期",
        "已豁免",
        "不适用",
        "出错",
    ),
    "en": (
        "record",
        "unit",
        "meeting",
        "verdict",
        "passed",
        "failed",
        "pending",
        "waived",
        "n/a",
        "error",
    ),
}


def batch_lang(entries: Sequence[BatchEntry]) -> str:
    """A batch's language: its checked records', else the run's; Chinese when nothing says."""
    for e in entries:
        if e.context is not None:
            return e.context.lang
    return entries[0].lang if entries else "zh"


# format name -> module under dlsh_rules.render
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_view",
    "junit": "junit",
    "sarif": "sarif",
    "github": "github",
    "markdown": "markdown",
    "html": "html",
}


class BatchRenderer(Protocol):
    """`render_batch` of a format: the records in input order, and the run's organisations."""

    def __call__(
        self, entries: Sequence[BatchEntry], organisations: Organisations | None = None
    ) -> str: ...


def renderer(name: str) -> Callable[[RenderContext], str]:
    fn: Callable[[RenderContext], str] = importlib.import_module(
        f".{FORMATS[name]}", __name__
    ).render
    return fn


def batch_renderer(name: str) -> BatchRenderer | None:
    module = importlib.import_module(f".{FORMATS[name]}", __name__)
    fn: BatchRenderer | None = getattr(module, "render_batch", None)
    return fn
