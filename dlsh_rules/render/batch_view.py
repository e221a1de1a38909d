"""The views of a batch run that every format shares: the batch JSON document and the text table."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import Problem
from ..load.perf import dumps_indented
from . import BATCH_HEAD, BatchEntry, visible

if TYPE_CHECKING:
    from ..errors import InputError
    from ..evaluate.results import Organisations, Report, RuleResult, Summary
    from . import RenderContext


BATCH_FORMAT = "dlsh-batch-report/1"


class RunEntry(BatchEntry):
    """A `BatchEntry` that also carries the run's language and pack: a record that could not be
    checked has no context to say them, and a run may consist of such records only."""

    # The report's object in the batch JSON in this language, when already written
    # (`record_utf8`, in the worker that checked the record): UTF-8, or text if it is not.
    json: bytes | str | None
    pack_id: str
    pack_version: str
    as_of: dt.date | None
    quiet: bool
    statistics: bool
    # The report's summary, when worked out where the record was checked (`BatchResult.digest`)
    summary: Summary | None

    def __init__(
        self,
        source: str,
        context: RenderContext | None = None,
        error: InputError | None = None,
        lang: str = "zh",
        json: bytes | str | None = None,
        pack_id: str = "",
        pack_version: str = "",
        as_of: dt.date | None = None,
        quiet: bool = False,
        statistics: bool = False,
        summary: Summary | None = None,
    ) -> None:
        super().__init__(source, context, error, lang)
        self.__dict__.update(
            json=json,
            pack_id=pack_id,
            pack_version=pack_version,
            as_of=as_of,
            quiet=quiet,
            statistics=statistics,
            summary=summary,
        )


def _run_info(items: Sequence[BatchEntry]) -> tuple[str, str, str, dt.date | None, bool]:
    """(lang, pack id, pack version, as-of, colour) of a run, from whichever entry says them."""
    for e in items:
        if isinstance(e, RunEntry):
            color = next((x.context.color for x in items if x.context is not None), False)
            return e.lang, e.pack_id, e.pack_version, e.as_of, color
    for e in items:
        if e.context is not None:
            r = e.context.report
            return e.context.lang, r.pack_id, r.pack_version, r.as_of, e.context.color
    return "zh", "", "", None, False


def _reports(items: Sequence[BatchEntry]) -> list[Report]:
    return [e.context.report for e in items if e.context is not None]


def problem_dict(p: Problem, lang: str) -> dict[str, Any]:
    return {
        "file": p.file,
        "path": p.pointer,
        "line": p.line,
        "column": p.column,
        "code": p.code,
        "expected": p.expected.get(lang),
        "found": p.found_in(lang),
        "message": p.render(lang),
    }


def with_organisations(
    out: dict[str, Any], organisations: Organisations | None, lang: str
) -> dict[str, Any]:
    """Add the run's organisation rules to a report object (both optional additions): the key
    `organisations`, and their standing waivers that waived nothing under `unused_waivers`."""
    if not organisations:
        return out
    if organisations.entries:
        out["organisations"] = organisations.to_list(lang)
    if organisations.unused_waivers:
        out.setdefault("unused_waivers", []).extend(
            w.to_dict(lang) for w in organisations.unused_waivers
        )
    return out


def _record_dict(e: BatchEntry, lang: str) -> dict[str, Any]:
    if e.context is not None:
        return e.context.report.to_dict(lang)
    problems = e.error.problems if e.error is not None else []
    return {
        "source": e.source,
        "error": {"problems": [problem_dict(p, lang) for p in problems]},
    }


def batch_dict(
    items: Sequence[BatchEntry], organisations: Organisations | None = None
) -> dict[str, Any]:
    """The combined JSON object, `dlsh-batch-report/1` (docs/report-format.md)."""
    lang = _run_info(items)[0]
    return _batch_dict(items, organisations, [_record_dict(e, lang) for e in items])


def _batch_dict(
    items: Sequence[BatchEntry],
    organisations: Organisations | None,
    records: list[dict[str, Any]],
) -> dict[str, Any]:
    from ..report.waivers import unused_in_batch

    lang, pack_id, pack_version, as_of, _ = _run_info(items)
    reports = _reports(items)
    statuses = ("passed", "failed", "pending", "waived", "not_applicable", "error")
    totals = dict.fromkeys(statuses, 0)
    waived_findings = 0
    compliant = 0
    for e in items:
        if e.context is None:
            continue
        # worked out from the results at each call: once per report, or by the worker
        s = e.summary if isinstance(e, RunEntry) and e.summary is not None else None
        if s is None:
            s = e.context.report.summary
        for status in statuses:
            totals[status] += getattr(s, status)
        waived_findings += s.waived_findings
        compliant += s.compliant
    out: dict[str, Any] = {
        "format": BATCH_FORMAT,
        "tool": {"name": "dlsh_rules", "version": __version__},
        "pack": {"id": pack_id, "version": pack_version},
        "as_of": as_of.isoformat() if as_of else None,
        "lang": lang,
        "summary": {
            "records": len(items),
            "compliant": compliant,
            "non_compliant": len(reports) - compliant,
            "broken": len(items) - len(reports),
            **totals,
            "waived_findings": waived_findings,
        },
        "records": records,
    }
    standing = [u.to_dict(lang) for source, u in unused_in_batch(reports) if source is None]
    if standing:
        out["unused_waivers"] = standing
    return with_organisations(out, organisations, lang)


# Where the records go in the batch JSON written with no records: a top-level key, so at the
# start of a line and indented once; no other line can be this one (keys are unique, and a
# string in JSON text holds no line break).
_NO_RECORDS = '\n  "records": []'
_RECORD_INDENT = "    "  # a record's object is an item of a top-level list
# Where a record's results go in its object written with none (a top-level key of the record's
# object, so indented once more than the object; as above, no other line can be this one), and
# the indent of one result, an item of that list.
_NO_RESULTS = '\n      "results": []'
_RESULT_INDENT = _RECORD_INDENT + "    "
# A result's text (UTF-8) by the result: results are immutable, and a rule that finds nothing
# gives every record the same result object (evaluate/engine.py), so a batch of compliant
# records writes each of its results once instead of once a record. The result is kept with its
# text so that its id cannot be reused while the entry stands; bounded, cleared when full.
_RESULT_TEXT: dict[tuple[int, str], tuple[RuleResult, bytes]] = {}
_RESULT_TEXT_MAX = 4096


def record_json(report: Report, lang: str) -> str:
    """A report's object as it stands among the records of the batch JSON."""
    return _nested(report.to_dict(lang))


class _WithoutResults:
    """A report seen without its results (and with its summary given): `Report.to_dict` of it is
    the report's object with `"results": []`, whose place `record_utf8` fills."""

    __slots__ = ("_report", "summary")
    results = ()

    def __init__(self, report: Report, summary: Summary) -> None:
        self._report = report
        self.summary = summary

    def __getattr__(self, name: str) -> Any:
        return getattr(self._report, name)


def record_utf8(report: Report, lang: str, summary: Summary | None = None) -> bytes:
    """`record_json` as UTF-8, each result's text written once per batch (`_RESULT_TEXT`) rather
    than once a record: the report's object and its text were about 0.5 ms of a worker's
    5.8 ms record. ``summary``: the report's, if already worked out. UnicodeEncodeError if the
    text cannot be UTF-8 (a lone surrogate of an undecodable file name)."""
    shell = _WithoutResults(report, report.summary if summary is None else summary)
    head = _nested(type(report).to_dict(shell, lang))  # type: ignore[arg-type]
    before, after = head.split(_NO_RESULTS, 1)
    if not report.results:
        return head.encode()
    texts = _RESULT_TEXT
    parts = [before.encode(), b'\n      "results": [\n' + _RESULT_INDENT.encode()]
    separator = b",\n" + _RESULT_INDENT.encode()
    first = True
    for result in report.results:
        if not first:
            parts.append(separator)
        first = False
        cached = texts.get((id(result), lang))
        if cached is not None and cached[0] is result:
            parts.append(cached[1])
            continue
        text = dumps_indented(result.to_dict(lang), _RESULT_INDENT).encode()
        if not result.findings:  # the shared ones (a result with findings is the record's own)
            if len(texts) >= _RESULT_TEXT_MAX:
                texts.clear()
            texts[(id(result), lang)] = (result, text)
        parts.append(text)
    parts.append(b"\n      ]")
    parts.append(after.encode())
    return b"".join(parts)


def _nested(value: dict[str, Any]) -> str:
    # The JSON text of a value, indented as an item of "records": every line break of indented
    # JSON text is one of its own (a line break in a string is written as \n).
    return _RECORD_INDENT + dumps_indented(value, _RECORD_INDENT)


def _entry_text(e: BatchEntry, lang: str) -> str:
    if isinstance(e, RunEntry) and e.json is not None:
        return e.json if isinstance(e.json, str) else e.json.decode()
    return _nested(_record_dict(e, lang))


def batch_json(items: Sequence[BatchEntry], organisations: Organisations | None = None) -> str:
    """The text of `batch_dict`, with each record's object as its worker wrote it, if it did.

    The parent process writes this after the workers are done: writing each record's object
    there (a report's `to_dict` and its text, about 0.5 ms) made a serial part that kept
    `--jobs 2` from doubling `--jobs 1`. json's indenting encoder is pure Python,
    dumps_indented the same text faster (load/perf.py).
    """
    lang = _run_info(items)[0]
    text = dumps_indented(_batch_dict(items, organisations, [])) + "\n"
    if not items:
        return text
    records = ",\n".join(_entry_text(e, lang) for e in items)
    head, tail = text.split(_NO_RECORDS, 1)
    return f'{head}\n  "records": [\n{records}\n  ]{tail}'


def batch_json_utf8(
    items: Sequence[BatchEntry], organisations: Organisations | None = None
) -> bytes | None:
    """`batch_json` encoded as UTF-8, made from the workers' UTF-8 texts without decoding them;
    None if some text is not UTF-8 (then `batch_json` and its writer fail as they always did)."""
    parts = batch_json_parts(items, organisations)
    return None if parts is None else b"".join(parts)


def batch_json_parts(
    items: Sequence[BatchEntry], organisations: Organisations | None = None
) -> list[bytes] | None:
    """`batch_json_utf8` in the pieces it is made of, to be written one after another.

    After the workers, the parent joined about 26 MB of text for 1,000 records and encoded it
    again to write it (0.35 s of CPU that no worker could share, issue 13); joining the bytes
    still copied them twice (about 0.07 s): the pieces are written as they are instead."""
    lang = _run_info(items)[0]
    try:
        text = dumps_indented(_batch_dict(items, organisations, [])) + "\n"
        if not items:
            return [text.encode()]
        head, tail = text.split(_NO_RECORDS, 1)
        parts = [head.encode(), b'\n  "records": [\n']
        separator = b""
        for e in items:
            if separator:
                parts.append(separator)
            separator = b",\n"
            json = e.json if isinstance(e, RunEntry) else None
            parts.append(json if isinstance(json, bytes) else _entry_text(e, lang).encode())
        parts.append(b"\n  ]")
        parts.append(tail.encode())
        return parts
    except UnicodeEncodeError:
        return None


def batch_utf8(
    name: str, items: Sequence[BatchEntry], organisations: Organisations | None = None
) -> list[bytes] | None:
    """The batch output of format ``name`` as pieces of UTF-8 when it is made so
    (`batch_json_parts`), else None (the format's `render_batch` then makes its text)."""
    return batch_json_parts(items, organisations) if name == "json" else None


def _width(text: str) -> int:
    """Columns a string takes on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


_QUIET = ("failed", "error", "pending")  # the statuses the failures-only view keeps


def _view(items: Sequence[BatchEntry]) -> tuple[bool, bool]:
    """(quiet, statistics) of a run, from whichever entry says them."""
    for e in items:
        if isinstance(e, RunEntry):
            return e.quiet, e.statistics
        if e.context is not None:
            return e.context.quiet, e.context.statistics
    return False, False


# The rules listed under each record of a batch: those that make it fail or could not be judged
_LISTED = {"failed": "✗", "error": "!"}


def _failed_rules(items: Sequence[BatchEntry], lang: str, color: bool) -> list[str]:
    """Under the table, each record that has failed rules, and those rules (id, title, clause,
    how many findings): what to open first."""
    en = lang == "en"
    out: list[str] = []
    for e in items:
        if e.context is None:
            continue
        failed = [r for r in e.context.report.results if r.status in _LISTED]
        if not failed:
            continue
        out.append(f"  {visible(e.source)}")
        for r in failed:
            clause = f"[{r.clause}]" if en else f"［{r.clause}］"
            n = len(r.findings) + r.findings_omitted
            count = (f" ({n} finding{'s' if n != 1 else ''})" if en else f"（{n} 项）") if n else ""
            mark = _paint(_LISTED[r.status], "31" if r.status == "failed" else "35", color)
            out.append(f"    {mark} {r.rule}  {visible(r.title.get(lang))} {clause}{count}")
    if out:
        out = [
            "",
            _paint("Rules failed, by record" if en else "各记录未通过的规则", "1", color),
            *out,
        ]
    return out


def batch_text(items: Sequence[BatchEntry]) -> str:
    """The terminal view of a batch: one line per record, in input order, the failed rules of
    each, and a total. Quiet: only the records with a rule not passed, or that cannot be
    checked. Statistics: counts over every record instead of the lines per record."""
    from ..report.waivers import unused_in_batch

    lang, pack_id, pack_version, as_of, color = _run_info(items)
    quiet, statistics = _view(items)
    en = lang == "en"
    reports = _reports(items)
    head = BATCH_HEAD["en" if en else "zh"]
    rows: list[tuple[list[str], str]] = []  # cells, colour of the verdict
    for e in items:
        report = e.context.report if e.context is not None else None
        if quiet and report is not None and not any(r.status in _QUIET for r in report.results):
            continue
        if e.context is None:
            problems = e.error.problems if e.error is not None else []
            first = problems[0].render(lang) if problems else ""
            more = len(problems) - 1
            if more > 0:
                first += f" (and {more} more)" if en else f"（另有 {more} 项问题）"
            label = "cannot be checked: " if en else "无法检查："
            rows.append(([visible(e.source), visible(label + first)], "35"))
            continue
        r = e.context.report
        s = r.summary
        verdict = (
            ("compliant" if en else "合规")
            if s.compliant
            else ("NOT compliant" if en else "不合规")
        )
        counts = [s.passed, s.failed, s.pending, s.waived, s.not_applicable, s.error]
        cells = [
            visible(r.source),
            visible(r.unit),
            r.meeting_date.isoformat(),
            verdict,
            *map(str, counts),
        ]
        rows.append((cells, "32" if s.compliant else "31"))
    widths = [_width(h) for h in head]
    for cells, _ in rows:
        if len(cells) == len(head):
            widths = [max(w, _width(c)) for w, c in zip(widths, cells, strict=True)]
    numeric = range(4, len(head))

    def line(cells: Sequence[str], code: str | None) -> str:
        if len(cells) == 2:  # a record that could not be checked: its first problem, unaligned
            return _pad(cells[0], widths[0]) + "  " + _paint(cells[1], code or "0", color)
        parts = [_pad(c, widths[k], right=k in numeric) for k, c in enumerate(cells)]
        if code is not None:
            parts[3] = _paint(parts[3], code, color)
        return "  ".join(parts).rstrip()

    title = (
        f"pack {pack_id} v{pack_version} · {len(items)} records"
        if en
        else f"规则包 {pack_id} v{pack_version} · {len(items)} 份记录"
    )
    out = [_paint(title, "1", color)]
    if as_of is not None:
        out.append(("as of: " if en else "检查日期：") + as_of.isoformat())
    if statistics:
        from .statistics import statistics as count
        from .statistics import text_lines

        for text in text_lines(count(reports, lang), lang):
            out.append(_paint(text, "1", color) if text and text[0] != " " else text)
    elif rows or not quiet:
        out.append("")
        out.append(_paint(line(head, None), "1", color))
        out.extend(line(cells, code) for cells, code in rows)
        out.extend(_failed_rules(items, lang, color))

    unused = unused_in_batch(reports)
    if unused:
        out.append("")
        out.append(_paint("Waivers that did not apply" if en else "未生效的豁免", "1", color))
        for source, w in unused:
            subject = f" {w.subject}" if w.subject else ""
            where = f"{source}: " if source is not None else ""
            out.append(f"  ~ {where}{w.rule}{subject} ({w.where}): {w.reason.get(lang)}")

    compliant = sum(1 for r in reports if r.summary.compliant)
    failing = len(reports) - compliant
    broken = len(items) - len(reports)
    if en:
        total = (
            f"{len(items)} records: {compliant} compliant, {failing} NOT compliant, "
            f"{broken} cannot be checked"
        )
    else:
        total = f"共 {len(items)} 份记录：合规 {compliant}，不合规 {failing}，无法检查 {broken}"
    out.append("")
    out.append(_paint(total, "32" if failing == broken == 0 else "31", color))
    return "\n".join(out) + "\n"
