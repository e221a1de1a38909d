"""`frequency`: at least `min` meetings in every period, over all records of one party
organisation in a run (a rule with `scope: organisation`).

Two halves, because the records of a run may be checked in different worker processes:
`record_facts` reads one record while the engine has it (its dates and whether it satisfies
`where`), and `judge_frequency` counts those facts per period once the run's records are all
checked (evaluate/organisations.py groups them by organisation and applies waivers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from ...dates import Period, period_of, periods_between
from ...errors import FrozenValue, Text
from ..results import OrgFact, PeriodCount
from .base import Finding, make_finding, plain_text, what_text

if TYPE_CHECKING:
    from ...language.models import FrequencySpec, Rule
    from ..context import Context


def frequency_checks(rule: Rule) -> list[FrequencySpec]:
    """The checks of an organisation rule: the rule model admits frequency checks only there."""
    return cast("list[FrequencySpec]", list(rule.checks))


def record_facts(ctx: Context, rule: Rule) -> list[OrgFact]:
    """What this record gives each frequency check of an organisation rule."""
    root = ctx.record.data
    out: list[OrgFact] = []
    for i, spec in enumerate(frequency_checks(rule)):
        try:
            found = spec.date.values(ctx, root)
            # datetime is a date too, but record dates never are; sorted and unique for order
            dates = tuple(sorted({v for v in found if type(v) is dt.date}))
            counted = spec.where is None or spec.where.holds(ctx, root)
        except Exception as exc:  # reported as the organisation rule's error, naming the record
            out.append(OrgFact(rule.id, i, (), False, f"{type(exc).__name__}: {exc}"))
            continue
        out.append(OrgFact(rule.id, i, dates, counted))
    return out


class FactError(Exception):
    """A record's facts could not be read; the organisation rule is in error."""


class PeriodOutcome(FrozenValue):
    count: PeriodCount
    finding: Finding | None

    def __init__(self, count: PeriodCount, finding: Finding | None) -> None:
        self.__dict__.update(count=count, finding=finding)


def required_periods(
    spec: FrequencySpec, facts: Sequence[OrgFact], academic_start: tuple[int, int]
) -> list[Period]:
    """The periods the check requires, in time order."""
    if spec.periods != "years":
        return periods_between(spec.periods.from_, spec.periods.to, spec.per, academic_start)
    # Every period of each (academic) year any record's date falls in, counted or not: a record
    # of 2023 that does not count still puts 2023 in question.
    years: dict[dt.date, Period] = {}
    for fact in facts:
        for day in fact.dates:
            unit = "academic_year" if spec.per == "academic_year" else "year"
            year = period_of(day, unit, academic_start)
            years.setdefault(year.start, year)
    out: list[Period] = []
    for year in sorted(years.values()):
        out.extend(periods_between(year.start, year.end, spec.per, academic_start))
    return out


def judge_frequency(
    spec: FrequencySpec,
    facts: Sequence[tuple[str, OrgFact]],
    academic_start: tuple[int, int],
) -> list[PeriodOutcome]:
    """Each required period with the records counted in it, and a finding when too few.

    ``facts`` are (record source, fact) in input order; a record counts once in each period one
    of its dates falls in, if it satisfies `where`.
    """
    for source, fact in facts:
        if fact.error is not None:
            raise FactError(f"{source}: {fact.error}")
    periods = required_periods(spec, [f for _, f in facts], academic_start)
    what = what_text(spec, "会议", "meetings")
    out: list[PeriodOutcome] = []
    for period in periods:
        counted = tuple(
            dict.fromkeys(
                source
                for source, fact in facts
                if fact.counted and any(period.start <= d <= period.end for d in fact.dates)
            )
        )
        count = PeriodCount(period.label, period.start, period.end, len(counted), spec.min, counted)
        finding = None
        if len(counted) < spec.min:
            finding = _finding(spec, period, counted, what)
        out.append(PeriodOutcome(count, finding))
    return out


def _finding(spec: FrequencySpec, period: Period, counted: tuple[str, ...], what: Text) -> Finding:
    n, need = len(counted), spec.min
    zh_name, en_name = period.describe("zh"), period.describe("en")
    listed_zh = f"（{'、'.join(counted)}）" if counted else ""
    listed_en = f" ({', '.join(counted)})" if counted else ""
    return make_finding(
        spec,
        period.label,
        Text(
            f"{zh_name}（{period.label}）：{what.zh}应至少 {need} 次，实际 {n} 次{listed_zh}",
            f"{en_name} ({period.label}): expected at least {need} {what.en}, found {n}{listed_en}",
        ),
        subject_name=Text(f"{zh_name}（{period.label}）", f"{en_name} ({period.label})"),
        path=None,
        due=period.end,
        expected=Text(f"至少 {need} 次", f"at least {need}"),
        found=plain_text(str(n)),
    )
