"""The HTML section of the organisation rules: per party organisation, a table of its rules
(status, meetings per period) and each rule that did not pass with its findings — the period,
what was required, what was found, by when, and the records counted."""

from __future__ import annotations

from ...evaluate.results import FindingResult, Organisations, RuleResult
from .words import SEVERITY, STATUS, W, clause_text, esc, paren, punct


def _w(key: str, lang: str) -> str:
    return esc(W[key].get(lang))


def _status(r: RuleResult, lang: str) -> str:
    mark, label = STATUS[r.status]
    css = f"st st-{r.status}"
    text = label.get(lang)
    if r.status == "failed":
        level = r.level or r.severity
        text += paren(lang, SEVERITY[level].get(lang))
        if level != "error":
            css = "st st-warn"
    return f'<span class="{css}">{esc(mark)} {esc(text)}</span>'


def _finding_row(f: FindingResult, lang: str) -> str:
    message = esc(f.message.get(lang))
    css = ""
    if f.waived and f.waiver is not None:
        w = f.waiver
        message += f'<div class="small">{esc(W["waived_by"].get(lang).format(r=w.reason, a=w.approved_by or "—"))}</div>'
        css = ' class="waived"'
    elif f.pending:
        message += f'<div class="small">{esc(STATUS["pending"][1].get(lang))}</div>'
    counted = "<br>".join(f'<span class="mono">{esc(s)}</span>' for s in f.records or ()) or "—"
    return (
        f'<tr{css}><td class="mono">{esc(f.subject or "—")}</td><td>{message}</td>'
        f"<td>{esc(f.expected.get(lang)) if f.expected else ''}</td>"
        f"<td>{esc(f.found.get(lang)) if f.found else ''}</td>"
        f'<td class="date">{f.due.isoformat() if f.due else ""}</td><td>{counted}</td></tr>'
    )


def _article(r: RuleResult, lang: str) -> str:
    css: str = r.status
    if r.status == "failed" and (r.level or r.severity) != "error":
        css = "warn"
    head = (
        "".join(
            f"<th>{_w(k, lang)}</th>" for k in ("subject", "problem", "expected", "found", "due")
        )
        + f"<th>{_w('counted', lang)}</th>"
    )
    rows = "".join(_finding_row(f, lang) for f in r.findings)
    table = (
        f'<table class="findings"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else ""
    )
    error = f"<p>{esc(r.error)}</p>" if r.error else ""
    return (
        f'<article class="rule {css}"><h4>{_status(r, lang)} <code>{esc(r.rule)}</code> '
        f"{esc(r.title.get(lang))} {clause_text(lang, r.clause)}</h4>"
        f'<p class="small">{esc(r.message.get(lang))}</p>'
        + (f"<blockquote>{esc(r.quote)}</blockquote>" if r.quote else "")
        + f"{error}{table}</article>"
    )


def organisations_section(orgs: Organisations | None, lang: str, anchor: str = "") -> str:
    """'' when the run judged no organisation rule."""
    if not orgs:
        return ""
    parts = [f'<section id="{anchor}organisations"><h2>{_w("organisations", lang)}</h2>']
    for org in orgs.entries:
        css, verdict = ("ok", "compliant") if org.summary.compliant else ("bad", "not_compliant")
        count = f"{len(org.records)} {_w('org_records', lang)}"
        parts.append(
            f"<h3>{esc(org.name)}{paren(lang, count)} "
            f'<span class="verdict {css}">{_w(verdict, lang)}</span></h3>'
        )
        rows = "".join(
            f"<tr><td>{_status(r, lang)}</td><td><code>{esc(r.rule)}</code></td>"
            f"<td>{esc(r.title.get(lang))}</td><td>{esc(r.clause)}</td>"
            f'<td class="mono">'
            + esc("  ".join(f"{p.period} {p.count}/{p.min}" for p in r.periods))
            + "</td></tr>"
            for r in org.results
        )
        head = "".join(
            f"<th>{_w(k, lang)}</th>" for k in ("status", "rule", "title", "clause", "periods")
        )
        parts.append(
            f'<table class="rules"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        )
        parts.extend(_article(r, lang) for r in org.results if r.status != "passed")
    if orgs.unused_waivers:
        items = "".join(
            f"<li><code>{esc(w.rule)}</code> {esc(w.subject or '')} "
            f'<span class="small">{esc(w.origin)} {esc(w.pointer)}</span>{punct(lang, "colon")}'
            f"{esc(w.reason.get(lang))}</li>"
            for w in orgs.unused_waivers
        )
        parts.append(f"<h3>{_w('org_unused', lang)}</h3><ul>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)
