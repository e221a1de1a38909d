"""Findings of one check with one cause, listed as one.

A kind says what made each finding (`Cause`, evaluate/kinds/base.py): the late submission, the
body nothing was sent to. The engine judges every finding on its own (waivers, pending, status,
the counts of the rule's message) and only then lists those of one check that share a cause and
agree on everything else (due date, severity, waiver, pending, expected, found) as one finding:
one late filing of 14 documents to 3 bodies is one finding naming what it carried and to whom,
with the 42 it stands for as its `items`. A merged finding is a rectangle: documents that went
to the same bodies, so its message is true of every pair it names.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from ..errors import Text, replace
from .kinds.base import Cause
from .results import FindingResult

# How many members a merged finding names before it counts them ("A等14份材料").
NAMED = 3

Listed = tuple[int, FindingResult, Cause | None]  # the check's index, the finding, its cause


def merge_findings(listed: Sequence[Listed]) -> list[FindingResult]:
    """The findings in their order, those of one cause merged at the place of the first."""
    buckets: dict[Hashable, list[int]] = {}
    for i, (check, r, cause) in enumerate(listed):
        if cause is None:
            continue
        key = (
            check,
            cause.key,
            r.due,
            r.severity,
            r.waived,
            r.waiver,
            r.pending,
            None if cause.expected is not None else r.expected,
            r.found,
        )
        buckets.setdefault(key, []).append(i)
    merged: dict[int, FindingResult] = {}
    dropped: set[int] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        tos: dict[Text, list[Text]] = {}
        of_what: dict[Text, list[int]] = {}
        for i in members:
            cause = listed[i][2]
            assert cause is not None
            if cause.to not in tos.setdefault(cause.what, []):
                tos[cause.what].append(cause.to)
            of_what.setdefault(cause.what, []).append(i)
        rows: dict[tuple[Text, ...], list[Text]] = {}
        for what, to in tos.items():
            rows.setdefault(tuple(to), []).append(what)
        for to_row, whats in rows.items():
            row = sorted(i for what in whats for i in of_what[what])
            if len(row) < 2:
                continue
            merged[row[0]] = _merged([listed[i] for i in row], whats, list(to_row))
            dropped.update(row[1:])
    return [merged.get(i, r) for i, (_, r, _) in enumerate(listed) if i not in dropped]


def _merged(row: list[Listed], whats: list[Text], tos: list[Text]) -> FindingResult:
    _, first, cause = row[0]
    assert cause is not None
    what = _named(whats, cause.noun)
    to = Text("、".join(t.zh for t in tos), ", ".join(t.en for t in tos))
    return replace(
        first,
        subject=cause.subject if cause.subject is not None else first.subject,
        message=cause.message(what, to),
        expected=cause.expected(what, to) if cause.expected is not None else first.expected,
        items=tuple(r for _, r, _ in row),
    )


def _named(whats: list[Text], noun: Text) -> Text:
    if len(whats) <= NAMED:
        return Text("、".join(w.zh for w in whats), ", ".join(w.en for w in whats))
    n = len(whats)
    return Text(f"{whats[0].zh}等{n}{noun.zh}", f"{whats[0].en} and {n - 1} other {noun.en}")
