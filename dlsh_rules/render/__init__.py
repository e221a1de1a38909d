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
from typing import TYPE_CHECKING, Protocol

from ..errors import FrozenValue

if TYPE_CHECKING:
    import datetime as dt

    from ..errors import InputError
    from ..evaluate.results import Organisations, Report, UnusedWaiver
    from ..load.document import Position
    from ..pack.loader import Pack
    from ..record.validate import RecordData


class RenderContext(FrozenValue):
    report: Report
    lang: str
    color: bool
    record: RecordData | None  # the checked record, for views that show it (HTML grids)
    pack: Pack | None
    # The run's organisation rules (evaluate/organisations.py); a one-record run is one organisation
    organisations: Organisations | None
    # The date of the check a report shows (the HTML report's `--date`); None: --as-of, else
    # none. Views never read the clock, so that the same inputs give the same bytes.
    date: dt.date | None
    # Views for people (text, markdown): only the rules not passed; counts instead of rules
    quiet: bool
    statistics: bool

    def __init__(
        self,
        report: Report,
        lang: str = "zh",
        color: bool = False,
        record: RecordData | None = None,
        pack: Pack | None = None,
        organisations: Organisations | None = None,
        date: dt.date | None = None,
        quiet: bool = False,
        statistics: bool = False,
    ) -> None:
        self.__dict__.update(
            report=report,
            lang=lang,
            color=color,
            record=record,
            pack=pack,
            organisations=organisations,
            date=date,
            quiet=quiet,
            statistics=statistics,
        )

    def waiver_position(self, w: UnusedWaiver) -> Position | None:
        """Where an unused waiver is written: in the record (by its pointer) or its own file."""
        from ..load.document import Position

        if self.record is not None and w.origin == "record":
            return self.record.position(w.pointer)
        return Position(w.line, w.column or 1) if w.line is not None else None


class BatchEntry(FrozenValue):
    """One input of a batch run: checked (context) or refused (error), never both."""

    source: str
    context: RenderContext | None
    error: InputError | None
    lang: str  # the run's language, for a refused record that has no context to say it

    def __init__(
        self,
        source: str,
        context: RenderContext | None = None,
        error: InputError | None = None,
        lang: str = "zh",
    ) -> None:
        self.__dict__.update(source=source, context=context, error=error, lang=lang)


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


# Characters a record's text may not carry into any report as they are: C0 controls and DEL (a
# terminal obeys ESC, BEL, a CI log obeys a line that starts with `::`), C1 controls (CSI 0x9b is
# ESC [ on some terminals), the bidirectional embeddings, overrides and isolates (they reorder
# what a reader sees: "Trojan Source") and the Unicode line and paragraph separators. Loading a
# file refuses most of them (dlsh_rules.source); a record given to the library as a mapping is
# not read from text, so every view escapes them again, as `\xNN` / `\uNNNN`.
_INVISIBLE = (
    *range(0x00, 0x20),
    0x7F,
    *range(0x80, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x2028,
    0x2029,
)
_SHOWN = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in _INVISIBLE}
# Views whose own syntax lets a tab or a line break through harmlessly (HTML, XML) keep them.
_SHOWN_KEEP_LINES = {c: v for c, v in _SHOWN.items() if c not in (0x09, 0x0A, 0x0D)}


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character shown as an escape instead of obeyed; with
    ``lines``, tabs and line breaks are kept."""
    return text.translate(_SHOWN_KEEP_LINES if lines else _SHOWN)


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
