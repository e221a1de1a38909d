"""Waiver files: standing exceptions, each a dated decision with an approver, applied to every
record that a run checks (`check --waivers FILE`).

    format: dlsh-waivers/1
    waivers:
      - rule: prep.talks.member_pairs   # a rule id of the pack (a typo is an input error)
        subject: p2~p3                  # optional: one finding subject; absent = every finding
        reason: 刘秀芳同志 2024 年 1 月借调外省，经批准改为视频谈话
        approved_by: 省委组织部干部一处   # who decided: required
        date: 2024-01-10                # when it was decided: required
        expires: 2024-12-31             # optional: last day on which it waives

Expiry and approval are judged at one day for a record's own waivers and a file's alike:
`--as-of` when given, else `today` when a caller passes one (`check --today`), else the
record's reference date — the latest date the record holds as a fact (record/dated.py). The
clock is never read: an archived record that passed keeps passing, whatever day it is checked
(docs/ci.md, "Waivers: approved exceptions").
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..evaluate.engine import Waiver, check, waiver_list
from ..evaluate.results import UnusedWaiver

if TYPE_CHECKING:
    from ..evaluate.results import Report
    from ..pack.loader import Pack
    from ..record.validate import RecordData

RECORD_ORIGIN = "record"  # Waiver.origin of a record's own waivers (engine.record_waivers)


def load_waivers(path: str | os.PathLike[str], pack: Pack) -> tuple[Waiver, ...]:
    """Read and validate a waiver file for ``pack``; raise InputError listing every problem.

    The file's models are in `waiver_file.py`, imported only here: they load pydantic, which a
    run without a waiver file does not need.
    """
    from .waiver_file import read_waivers

    return read_waivers(path, pack)


def check_record(
    record: RecordData,
    pack: Pack,
    *,
    as_of: dt.date | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    waivers: Iterable[Waiver] = (),
    today: dt.date | None = None,
) -> Report:
    """`engine.check` with standing waivers, all judged at one day: ``as_of``, else ``today``,
    else the record's reference date (its latest fact; record/dated.py). The engine applies
    that rule to the record's own waivers and the file's alike."""
    return check(
        record,
        pack,
        as_of=as_of,
        select=select,
        ignore=ignore,
        waivers=waiver_list(waivers),
        today=today,
    )


def unused_in_batch(reports: Sequence[Report]) -> list[tuple[str | None, UnusedWaiver]]:
    """The waivers of a batch run that did not apply, each with the record it concerns.

    A standing waiver applies to every record; that it matched nothing in one record is normal,
    so it is listed (with record None) only when it applied to no record of the run — or expired.
    A record's own waiver is listed with its record.
    """
    out: list[tuple[str | None, UnusedWaiver]] = []
    standing: dict[tuple[str, str], list[UnusedWaiver]] = {}
    for report in reports:
        for u in report.unused_waivers:
            if u.origin == RECORD_ORIGIN:
                out.append((report.source, u))
            else:
                standing.setdefault((u.origin, u.pointer), []).append(u)
    for notes in standing.values():
        if len(notes) == len(reports):
            out.append((None, notes[0]))
    return out
