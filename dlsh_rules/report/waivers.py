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

Expiry. A record's own waivers (`waivers:` in the record) are part of that meeting's history and
expire only against `--as-of` (docs/decisions.md): the same record gives the same report on any
day. A waiver *file* is a standing policy that a CI job applies to records every day, so its
expiry is judged at `--as-of` when given, else at "today" — which the CLI reads from the clock
once per run (or from `--today`) and passes down, so that every record of a run, in any worker,
is judged at the same day. The library never reads the clock: without `today` and `as_of` a
file waiver does not expire, and the output is a function of the inputs alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..evaluate.engine import (
    Waiver,
    check,
    expired_text,
    not_yet_approved,
    not_yet_text,
    waiver_list,
)
from ..evaluate.results import UnusedWaiver
from ..load import arguments

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


def _expired(w: Waiver, day: dt.date | None) -> bool:
    return w.expires is not None and day is not None and w.expires < day


def _out_of_force(w: Waiver, day: dt.date | None) -> bool:
    return _expired(w, day) or not_yet_approved(w, day)


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
    """`engine.check` with standing waivers, whose expiry is judged at ``as_of or today``.

    The engine judges every waiver, the record's own included, at the one day it is given; this
    wrapper keeps the record's waivers on the engine's rule (``as_of`` only) and applies ``today``
    to the standing ones alone, by withholding the expired ones and reporting them itself.
    """
    standing = list(waiver_list(waivers))
    as_of = arguments.day(as_of, "as_of")
    day = as_of or arguments.day(today, "today")
    live = [w for w in standing if not _out_of_force(w, day)]
    report = check(record, pack, as_of=as_of, select=select, ignore=ignore, waivers=live)
    if len(live) == len(standing):
        return report
    notes = list(report.unused_waivers)
    for w in standing:
        # The engine's words, so that both read alike.
        if _expired(w, day):
            assert w.expires is not None
            notes.append(w.note(expired_text(w.expires)))
        elif not_yet_approved(w, day):
            assert w.date is not None and day is not None
            notes.append(w.note(not_yet_text(w.date, day)))
    # Back in the order the waivers were written: the record's own first (as the engine lists
    # them), then the file's, whether they matched nothing or expired.
    order = {(w.origin, w.pointer): i for i, w in enumerate(standing)}
    notes.sort(
        key=lambda u: -1 if u.origin == RECORD_ORIGIN else order.get((u.origin, u.pointer), -1)
    )
    return dataclasses.replace(report, unused_waivers=tuple(notes))


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
