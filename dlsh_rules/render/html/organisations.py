"""The organisation rules' section, as values for templates/organisations.html.j2: per party
organisation, a table of its rules (status, meetings per period) and each rule that did not pass
with its findings — the period, what was required, what was found, by when. Rule ids and the
record files counted are technical details: folded away (<details>, not printed)."""

from __future__ import annotations

from typing import Any

from ...evaluate.results import FindingResult, Organisations, RuleResult
from .words import STATUS, W, article_css, clause_text, paren, status_of


def _w(key: str, lang: str) -> str:
    return W[key].get(lang)


def _finding(f: FindingResult, lang: str) -> dict[str, Any]:
    note = ""
    if f.waived and f.waiver is not None:
        w = f.waiver
        note = W["waived_by"].get(lang).format(r=w.reason, a=w.approved_by or "—")
    elif f.pending:
        note = STATUS["pending"][1].get(lang)
    return {
        "waived": bool(f.waived and f.waiver is not None),
        "subject": f.subject or "—",
        "message": f.message.get(lang),
        "note": note,
        "expected": f.expected.get(lang) if f.expected else "",
        "found": f.found.get(lang) if f.found else "",
        "due": f.due.isoformat() if f.due else "",
        "records": list(f.records or ()),
    }


def _article(r: RuleResult, lang: str) -> dict[str, Any]:
    return {
        "css": article_css(r),
        "status": status_of(r, lang),
        "rule": r.rule,
        "title": r.title.get(lang),
        "clause": clause_text(lang, r.clause),
        "message": r.message.get(lang),
        "quote": r.quote,
        "error": r.error or "",
        "findings": [_finding(f, lang) for f in r.findings],
    }


def organisations_values(
    orgs: Organisations | None, lang: str, anchor: str = ""
) -> dict[str, Any] | None:
    """None when the run judged no organisation rule."""
    if not orgs:
        return None
    entries = []
    for org in orgs.entries:
        entries.append(
            {
                "title": org.name + paren(lang, f"{len(org.records)} {_w('org_records', lang)}"),
                "ok": org.summary.compliant,
                "verdict": _w("compliant" if org.summary.compliant else "not_compliant", lang),
                "rows": [
                    {
                        "status": status_of(r, lang),
                        "rule": r.rule,
                        "title": r.title.get(lang),
                        "clause": r.clause,
                        "periods": "  ".join(f"{p.period} {p.count}/{p.min}" for p in r.periods),
                    }
                    for r in org.results
                ],
                "articles": [_article(r, lang) for r in org.results if r.status != "passed"],
            }
        )
    return {
        "id": f"{anchor}organisations",
        "title": _w("organisations", lang),
        "head": [_w(k, lang) for k in ("status", "title", "clause", "periods")],
        "findings_head": [_w(k, lang) for k in ("subject", "problem", "expected", "found", "due")],
        "tech": _w("tech", lang),
        "rule_id": _w("rule_id", lang),
        "counted": _w("counted_files", lang),
        "entries": entries,
        "unused_title": _w("org_unused", lang),
        "unused": [
            {
                "rule": w.rule,
                "subject": w.subject or "",
                "origin": f"{w.origin} {w.pointer}",
                "reason": w.reason.get(lang),
            }
            for w in orgs.unused_waivers
        ],
        "colon": "：" if lang != "en" else ": ",
    }
