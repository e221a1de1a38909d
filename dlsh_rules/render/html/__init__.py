"""One self-contained, printable HTML page for the organiser and the supervising bodies.

Sections per record: the meeting at a glance, the verdict and the date of the check; a timeline
of preparation and follow-up (what the record shows was done, and each rule's deadline with
whether it was met); the talk matrix (三必谈); the criticism matrix (相互批评); every rule with
its findings, grouped by phase; a signature and stamp block (检查人、审核人、日期、盖章); and a
technical appendix (技术附录) with rule ids, JSON pointers and file:line, which the body only
points at by number. A batch page starts with an index of the records and their verdicts.

The page is rendered from Jinja2 templates shipped in the package (templates/*.j2), with
autoescape on: record text is untrusted and every value is escaped. The page loads nothing:
inline CSS, system fonts, no script, no external URL, so it can be mailed, archived or printed
as it is (A4, page numbers in the margin where the browser supports CSS paged media).

The date of the check is the one given for the report (`RenderContext.date`, `--date`), else
`--as-of`; the clock is never read, so the same inputs give the same bytes.

Which pairs the matrices require comes from the rule pack when the context carries one (the
pack's `pairs` checks over talks and criticisms, evaluated on this record), so the grids agree
with the report; without a pack, from the record format's defaults: every two party group
members and each member with the heads of the departments he supervises talk one-on-one and
face to face; every present member criticises every other.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ... import __version__
from ...errors import InputError, replace
from ...evaluate.results import Organisations
from ...record.enums import DEFAULT
from ...record.validate import load_record
from .. import BatchEntry, RenderContext, batch_lang
from .organisations import organisations_values
from .templating import render_template
from .view import View
from .words import COUNTS, W, esc, paren, punct

__all__ = ["esc", "render", "render_batch"]


def _frame(lang: str, title: str) -> dict[str, Any]:
    return {"lang": lang, "title": title, "footer": W["generated"].get(lang).format(v=__version__)}


def render(ctx: RenderContext) -> str:
    rep = ctx.report
    title = f"{rep.unit} · {rep.meeting_date.isoformat()} · {W['report'].get(ctx.lang)}"
    return render_template(
        "report.html.j2",
        **_frame(ctx.lang, title),
        record=View(ctx, "").values(),
        orgs=organisations_values(ctx.organisations, ctx.lang),
    )


def _with_record(ctx: RenderContext, source: str) -> RenderContext:
    """The context with its record: a batch run checks records in worker processes and hands
    the views reports only, but the grids and the timeline are drawn from the record. Read it
    again (it was valid a moment ago); if that fails, the page says the record is missing."""
    if ctx.record is not None or not os.path.isfile(source):
        return ctx
    try:
        record = load_record(source, ctx.pack.enums if ctx.pack is not None else DEFAULT)
    except (InputError, OSError):
        return ctx
    return replace(ctx, record=record)


def render_batch(entries: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    lang = batch_lang(entries)
    rows: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for n, entry in enumerate(entries, 1):
        anchor = f"r{n}-"
        row: dict[str, Any] = {"n": n, "anchor": anchor, "source": entry.source}
        if entry.context is None:
            error = entry.error or InputError([])
            problems = [p.render(lang) for p in error.problems] or [error.render(lang)]
            verdict = W["broken"].get(lang)
            rows.append({**row, "broken": True, "verdict": verdict, "counts": COUNTS[1:]})
            records.append(
                {
                    "broken": True,
                    "anchor": anchor,
                    "source": entry.source,
                    "verdict": W["verdict"].get(lang) + punct(lang, "colon") + verdict,
                    "problems": problems,
                }
            )
            continue
        rep = entry.context.report
        s = rep.summary
        counts = s.to_dict()
        rows.append(
            {
                **row,
                "broken": False,
                "unit": rep.unit,
                "date": rep.meeting_date.isoformat(),
                "ok": s.compliant,
                "verdict": W["compliant" if s.compliant else "not_compliant"].get(lang),
                "counts": [counts[key] for key, _ in COUNTS[1:]],
            }
        )
        view = View(_with_record(entry.context, entry.source), anchor)
        records.append({"broken": False, "record": view.values()})
    head = [W[k].get(lang) for k in ("source", "unit", "date", "verdict")] + [
        label.get(lang) for _, label in COUNTS[1:]
    ]
    index = {"title": W["index"].get(lang) + paren(lang, str(len(entries))), "head": head}
    return render_template(
        "batch.html.j2",
        **_frame(lang, f"dlsh_rules · {W['index'].get(lang)} ({len(entries)})"),
        index={**index, "rows": rows},
        # Organisation rules after the index: they are about the run, not one record.
        orgs=organisations_values(organisations, lang),
        records=records,
    )
