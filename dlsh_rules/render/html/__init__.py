"""One self-contained, printable HTML page for the organiser and the supervising bodies.

Sections per record: the meeting at a glance and the verdict; a timeline of preparation and
follow-up (what the record shows was done, and each rule's deadline with whether it was met);
the talk matrix (三必谈); the criticism matrix (相互批评); and every rule with its findings,
grouped by phase. A batch page starts with an index of the records and their verdicts.

The page loads nothing: inline CSS, system fonts, no script, no external URL, so it can be
mailed, archived or printed as it is. Record text is untrusted: everything taken from the
record or the report goes through html.escape.

Which pairs the matrices require comes from the rule pack when the context carries one (the
pack's `pairs` checks over talks and criticisms, evaluated on this record), so the grids agree
with the report; without a pack, from the record format's defaults: every two party group
members and each member with the heads of the departments he supervises talk one-on-one and
face to face; every present member criticises every other.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from ... import __version__
from ...errors import InputError

# The engine's own pair generator: the grids must show exactly the pairs the pack's rules check.
from ...evaluate.results import Organisations, Report
from ...record.enums import DEFAULT
from ...record.validate import load_record
from .. import BatchEntry, RenderContext, batch_lang
from .css import CSS
from .organisations import organisations_section
from .view import View
from .words import COUNTS, W, esc, paren, punct

# --- pages -------------------------------------------------------------------------------------


def _page(title: str, lang: str, body: str) -> str:
    footer = esc(W["generated"].get(lang).format(v=__version__))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"en" if lang == "en" else "zh-CN"}">\n'
        '<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n<footer>{footer}</footer>\n</main>\n</body>\n</html>\n"
    )


def _title(report: Report, lang: str) -> str:
    return esc(f"{report.unit} · {report.meeting_date.isoformat()} · {W['report'].get(lang)}")


def render(ctx: RenderContext) -> str:
    body = View(ctx, "").section() + organisations_section(ctx.organisations, ctx.lang)
    return _page(_title(ctx.report, ctx.lang), ctx.lang, body)


def _broken_section(anchor: str, source: str, error: InputError, lang: str) -> str:
    problems = "".join(f"<li>{esc(p.render(lang))}</li>" for p in error.problems) or (
        f"<li>{esc(error.render(lang))}</li>"
    )
    return (
        f'<section class="record" id="{anchor}record"><header id="{anchor}summary">'
        f'<h1 class="mono">{esc(source)}</h1>'
        f'<p class="verdict broken">{esc(W["verdict"].get(lang))}{punct(lang, "colon")}'
        f"{esc(W['broken'].get(lang))}</p>"
        f"<ul>{problems}</ul></header></section>"
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
    return dataclasses.replace(ctx, record=record)


def render_batch(entries: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    lang = batch_lang(entries)
    rows: list[str] = []
    sections: list[str] = []
    for n, entry in enumerate(entries, 1):
        anchor = f"r{n}-"
        link = f'<a href="#{anchor}record" class="mono">{esc(entry.source)}</a>'
        if entry.context is None:
            rows.append(
                f"<tr><td>{n}</td><td>{link}</td><td>—</td><td>—</td>"
                f'<td><span class="verdict broken">{esc(W["broken"].get(lang))}</span></td>'
                + "<td>—</td>" * (len(COUNTS) - 1)
                + "</tr>"
            )
            sections.append(
                _broken_section(anchor, entry.source, entry.error or InputError([]), lang)
            )
            continue
        rep = entry.context.report
        s = rep.summary
        counts = s.to_dict()
        css, verdict = ("ok", "compliant") if s.compliant else ("bad", "not_compliant")
        rows.append(
            f"<tr><td>{n}</td><td>{link}</td><td>{esc(rep.unit)}</td>"
            f"<td>{rep.meeting_date.isoformat()}</td>"
            f'<td><span class="verdict {css}">{esc(W[verdict].get(lang))}</span></td>'
            + "".join(f"<td>{counts[key]}</td>" for key, _ in COUNTS[1:])
            + "</tr>"
        )
        sections.append(View(_with_record(entry.context, entry.source), anchor).section())
    head = (
        f"<tr><th>#</th><th>{esc(W['source'].get(lang))}</th><th>{esc(W['unit'].get(lang))}</th>"
        f"<th>{esc(W['date'].get(lang))}</th><th>{esc(W['verdict'].get(lang))}</th>"
        + "".join(f"<th>{esc(label.get(lang))}</th>" for _, label in COUNTS[1:])
        + "</tr>"
    )
    index = (
        f'<section id="index"><h1>{esc(W["index"].get(lang))}{paren(lang, str(len(entries)))}</h1>'
        f'<table class="index counts"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
        "</section>"
    )
    title = esc(f"dlsh_rules · {W['index'].get(lang)} ({len(entries)})")
    # Organisation rules after the index: they are about the run, not one record.
    orgs = organisations_section(organisations, lang)
    return _page(title, lang, index + orgs + "".join(sections))
