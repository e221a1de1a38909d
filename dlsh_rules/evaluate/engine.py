"""The engine: runs every rule of a pack on a record and builds the report.

The kinds return findings; the engine decides everything that is the same for all rules: which
rules run (--select / --ignore), the rule's status, waivers, the as-of date, and a rule that
raises is reported as `error` while the rest still run.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from operator import attrgetter, is_
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..dates import CalendarCoverageError
from ..errors import DeclaredValue, Text
from ..load import arguments
from ..pack.loader import DEFAULT_PACK, Pack, load_pack
from ..record.dated import facts_after, reference_date
from ..record.validate import RecordData, load_record
from .context import Context
from .grouping import Listed, merge_findings
from .kinds import KINDS, run
from .kinds.base import Finding, Outcome, memo_bound, shared_bound
from .kinds.frequency import record_facts
from .results import (
    SEVERITY_RANK,
    FindingResult,
    LateFact,
    OrgFact,
    Report,
    RuleResult,
    Status,
    UnusedWaiver,
    WaiverRef,
    rule_result,
)

if TYPE_CHECKING:
    from ..language.models import Rule


def rule_selected(rule_id: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """ruff-style selection: an entry names a rule id or a dotted prefix of ids."""
    return _selector(tuple(select), tuple(ignore))(rule_id)


@lru_cache(maxsize=4096)  # rule ids; a waiver may name any
def _dotted_prefixes(rule_id: str) -> frozenset[str]:
    """Every ``p`` with ``rule_id.startswith(p + ".")``: "a.b.c" → {"a", "a.b"}."""
    return frozenset(rule_id[:i] for i, c in enumerate(rule_id) if c == ".")


class Selector:
    """`rule_selected` for one select/ignore, made once per run: an entry matches a rule id
    when it is the id, or when, stripped of trailing dots, it is a dotted prefix of it. Set
    lookups instead of string tests per rule and entry, which cost a check of a small record
    more than its rules did."""

    __slots__ = ("_ignore", "_ignore_prefixes", "_memo", "_select", "_select_prefixes")

    def __init__(self, select: Sequence[str], ignore: Sequence[str]) -> None:
        self._select = frozenset(select)
        self._select_prefixes = frozenset(p.rstrip(".") for p in select)
        self._ignore = frozenset(ignore)
        self._ignore_prefixes = frozenset(p.rstrip(".") for p in ignore)
        self._memo: dict[str, bool] = {}

    def __call__(self, rule_id: str) -> bool:
        # The answer depends on the id alone; a selector is shared by every check of a run
        # (`_selector`), so each id is worked out once: a check of 9 of 78 rules asked 140 times.
        known = self._memo.get(rule_id)
        if known is None:
            known = self._decide(rule_id)
            if len(self._memo) < 4096:  # waivers may name any id: keep the memo bounded
                self._memo[rule_id] = known
        return known

    def _decide(self, rule_id: str) -> bool:
        if self._select or self._ignore:
            prefixes = _dotted_prefixes(rule_id)
            if self._select and not (
                rule_id in self._select or not prefixes.isdisjoint(self._select_prefixes)
            ):
                return False
            if rule_id in self._ignore or not prefixes.isdisjoint(self._ignore_prefixes):
                return False
        return True


@lru_cache(maxsize=64)
def _selector(select: tuple[str, ...], ignore: tuple[str, ...]) -> Selector:
    return Selector(select, ignore)


@lru_cache(maxsize=16)
def _known_ids(ids: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """A pack's rule ids and their dotted prefixes, for `check_selection`; by the ids
    themselves, not the pack, so a pack whose rules change is never answered from before."""
    return frozenset(ids), frozenset().union(*(_dotted_prefixes(i) for i in ids))


class Waiver(DeclaredValue):
    """A waiver from a waiver file or the record, made once per waiver and run: the generic
    ``__init__`` of its declared fields (errors.DeclaredValue), positional or by keyword."""

    rule: str
    subject: str | None
    reason: str
    approved_by: str | None
    date: dt.date | None
    expires: dt.date | None
    origin: str
    pointer: str
    # Where the waiver is written (a waiver file's line and column), for `unused_waivers`.
    line: int | None = None
    column: int | None = None

    def note(self, reason: Text) -> UnusedWaiver:
        """This waiver listed as one that did not apply, and why."""
        return UnusedWaiver(
            self.rule, self.subject, self.origin, self.pointer, reason, self.line, self.column
        )

    def covers(self, rule_id: str, subject: str | None) -> bool:
        if self.rule != rule_id:
            return False
        return self.subject is None or _same_subject(self.subject, subject)


def not_yet_approved(w: Waiver, day: dt.date | None) -> bool:
    """Whether ``w`` was approved after ``day``: a decision dated in the future does not waive
    yet (a waiver file dated 2999-12-31 would otherwise waive every finding today)."""
    return w.date is not None and day is not None and w.date > day


def not_yet_text(approved: dt.date, day: dt.date) -> Text:
    return Text(
        f"豁免批准日期 {approved.isoformat()} 晚于判断日 {day.isoformat()}，尚未生效",
        f"approved on {approved.isoformat()}, after {day.isoformat()}; not yet in force",
    )


def check_selection(pack: Pack, select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """As the command line does: a selector that names no rule is a mistake, not an empty (and
    so compliant) report; ValueError."""
    ids = tuple(map(_RULE_ID, pack.rules))
    problem = _selection_problem(ids, pack.id, tuple(select), tuple(ignore))
    if problem is not None:
        raise ValueError(problem)


_RULE_ID = attrgetter("id")


def _plain_ids(entries: tuple[Any, ...]) -> bool:
    # A loop, not all(…): no generator to make for a handful of entries.
    for entry in entries:  # noqa: SIM110
        if type(entry) is not str or not entry:
            return False
    return True


# The rules a selection chooses from a pack, by (pack, select, ignore): the pack itself, its
# rules as they were (by identity: frozen rules compare by value) and the chosen ones. Every
# check of a run asked `check_selection` and `_chosen` again, each reading the id of every rule
# of the pack (78) and hashing the tuple of them: about 10 us of a small check, more right
# after a collection has pushed the rules out of the CPU's caches.
_SELECTED: dict[
    tuple[int, tuple[str, ...], tuple[str, ...]],
    tuple[Pack, tuple[Rule, ...], list[Rule], tuple[Step, ...]],
] = {}


def _selected_steps(
    pack: Pack, select: tuple[str, ...], ignore: tuple[str, ...]
) -> tuple[Step, ...]:
    """`check_selection` (ValueError), then the steps of the selected rules, in the pack's
    order (all of them with no selection)."""
    rules = pack.rules
    kept = _SELECTED.get((id(pack), select, ignore))
    if (
        kept is not None
        and kept[0] is pack
        and len(kept[1]) == len(rules)
        and all(map(is_, kept[1], rules))  # a pack whose rules change is asked again
    ):
        return kept[3]
    if select or ignore:
        check_selection(pack, select, ignore)
        chosen = [rules[i] for i in _chosen(tuple(map(_RULE_ID, rules)), select, ignore)]
    else:
        chosen = list(rules)
    if len(_SELECTED) >= 64:  # packs loaded and dropped by a long-lived process
        _SELECTED.clear()
    steps = tuple(map(Step, chosen))
    _SELECTED[(id(pack), select, ignore)] = (pack, tuple(rules), chosen, steps)
    return steps


@lru_cache(maxsize=64)
def _chosen(
    ids: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...]
) -> tuple[int, ...]:
    """The positions of the selected rules among a pack's rule ids: the same for every check of
    a run, where asking the selector about each of 78 rules cost a check of 9 about 15 us."""
    selected = _selector(select, ignore)
    return tuple(i for i, rule_id in enumerate(ids) if selected(rule_id))


@lru_cache(maxsize=64)
def _selection_problem(
    ids: tuple[str, ...], pack_id: str, select: tuple[str, ...], ignore: tuple[str, ...]
) -> str | None:
    # By the ids, not the pack: the answer is the same for every check of a run, and a pack
    # whose rules changed asks again.
    known, prefixes = _known_ids(ids)
    for name, entries in (("select", select), ("ignore", ignore)):
        unmatched = [
            entry
            for entry in dict.fromkeys(entries)
            if entry not in known and entry.rstrip(".") not in prefixes
        ]
        if unmatched:
            return (
                f"{name} {', '.join(map(repr, unmatched))} names no rule id or dotted prefix "
                f"of pack {pack_id}"
            )
    selected = _selector(select, ignore)
    if select and not any(selected(rule_id) for rule_id in ids):
        return f"select and ignore leave no rule of pack {pack_id} to check"
    return None


def waiver_list(value: object) -> tuple[Waiver, ...]:
    """The ``waivers`` argument of the public functions: an iterable of `Waiver`; TypeError."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(
            f"waivers must be an iterable of dlsh_rules.engine.Waiver, not {type(value).__name__}"
        )
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, Waiver):
            raise TypeError(
                f"waivers[{i}] must be a dlsh_rules.engine.Waiver (see "
                f"dlsh_rules.waivers.load_waivers), not {type(item).__name__}"
            )
    return items


def expired_text(expires: dt.date) -> Text:
    return Text(
        f"豁免已于 {expires.isoformat()} 过期，不再生效",
        f"expired on {expires.isoformat()}; no longer waives",
    )


def _same_subject(a: str, b: str | None) -> bool:
    if b is None:
        return False
    if a == b:
        return True
    if "~" in a and "~" in b:  # unordered pairs are the same whichever way round
        return sorted(a.split("~")) == sorted(b.split("~"))
    return False


def record_waivers(record: RecordData) -> list[Waiver]:
    out = []
    for i, w in enumerate(record.data.get("waivers", [])):
        pos = record.position(f"/waivers/{i}")
        out.append(
            Waiver(
                w["rule"],
                w.get("subject"),
                w["reason"],
                w.get("approved_by"),
                w.get("date"),
                w.get("expires"),
                "record",
                f"/waivers/{i}",
                pos.line if pos else None,
                pos.column if pos else None,
            )
        )
    return out


# How many facts after --as-of a report keeps for the warning (their number is kept too).
LATE_FACTS_SHOWN = 3


def check(
    record: RecordData | Mapping[str, Any] | str | os.PathLike[str],
    pack: Pack | str | os.PathLike[str] | None = None,
    *,
    as_of: dt.date | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    waivers: Iterable[Waiver] = (),
    today: dt.date | None = None,
) -> Report:
    """Check a record against a pack (the default pack when none is given).

    Arguments of the wrong type raise TypeError, and a `select` or `ignore` entry that names no
    rule of the pack ValueError, before anything is loaded (load/arguments.py).
    """
    if not isinstance(record, RecordData):
        arguments.record_source(record, "record")
    if pack is not None and not isinstance(pack, Pack):
        arguments.path_like(pack, "pack")
    if as_of is not None:
        as_of = arguments.day(as_of, "as_of")
    if today is not None:
        today = arguments.day(today, "today")
    # A tuple of non-empty texts (or nothing) is what `selectors` would return as it is; its
    # ABC tests cost a small check more than some of its rules (issue 13).
    if not (type(select) is tuple and _plain_ids(select)):
        select = arguments.selectors(select, "select")
    if not (type(ignore) is tuple and (not ignore or _plain_ids(ignore))):
        ignore = arguments.selectors(ignore, "ignore")
    waivers = waivers if type(waivers) is tuple and not waivers else waiver_list(waivers)
    if not isinstance(pack, Pack):
        pack = load_pack(pack if pack is not None else DEFAULT_PACK)
    steps = _selected_steps(pack, select, ignore)
    if not isinstance(record, RecordData):
        record = load_record(record, pack.enums)
    ctx = Context(record, pack)
    # An empty `waivers` list in the record waives nothing: no call to read it (anything
    # else is read as before, and raises where it did).
    record_has = "waivers" in record.data and record.data["waivers"] != []
    all_waivers = [*record_waivers(record), *waivers] if waivers or record_has else []
    # Every waiver, the record's own and a file's alike, is judged at one day: --as-of when
    # given, else `today` when a caller passes one, else the record's own reference date (its
    # latest fact; record/dated.py). Never the clock: the same inputs give the same report on
    # any day, and an archived record that passed keeps passing.
    judge_day = as_of or today
    if judge_day is None and all_waivers:
        judge_day = reference_date(record)
    late: list[tuple[str, dt.date]] = []
    late_count = 0
    if as_of is not None:
        for fact in facts_after(record, as_of):
            late_count += 1
            if len(late) < LATE_FACTS_SHOWN:
                late.append(fact)
    live = (
        [
            w
            for w in all_waivers
            if not (w.expires and judge_day and w.expires < judge_day)
            and not not_yet_approved(w, judge_day)
        ]
        if all_waivers
        else all_waivers
    )
    used: set[int] = set()
    results = []
    facts: list[OrgFact] = []
    # perf.gc_paused, written out: the rules allocate much and leave no cycles, and the
    # context manager's generator cost a small check about 2 us.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        for step in steps:
            if step.organisation:
                # Judged over the run's records (organisations.py); this record gives its facts.
                facts.extend(record_facts(ctx, step.rule))
                continue
            results.append(_evaluate(ctx, step, live, used, as_of))
        # The shared selections and indexes are garbage now. Freed while the collector is still
        # off, they are not walked by the collection that switching it on sets off: on a large
        # record that collection took longer than freeing them.
        ctx.release()
    finally:
        if paused:
            gc.enable()
    unused = []
    selected = _selector(tuple(select), tuple(ignore)) if all_waivers else None
    for w in all_waivers:
        if pack.rule(w.rule) is None:  # a misspelt id waives nothing: say so, whatever --select
            unused.append(
                w.note(
                    Text(
                        f"规则包 {pack.id} 中没有规则 {w.rule}，豁免无效",
                        f"pack {pack.id} has no rule {w.rule}; the waiver has no effect",
                    )
                )
            )
        elif w.expires and judge_day and w.expires < judge_day:
            unused.append(w.note(expired_text(w.expires)))
        elif not_yet_approved(w, judge_day):
            assert w.date is not None and judge_day is not None
            unused.append(w.note(not_yet_text(w.date, judge_day)))
        elif _scope(pack, w.rule) == "organisation":
            # A record speaks for its own meeting, not for how often its organisation meets.
            if w.origin == "record":
                unused.append(w.note(RECORD_WAIVER_OF_ORG_RULE))
            # a standing waiver of an organisation rule is judged with the organisation
        elif id(w) not in used and selected is not None and selected(w.rule):
            unused.append(
                w.note(Text("豁免未匹配任何发现项，可删除", "matches no finding; remove it"))
            )
    unit = record.data["unit"]["name"]
    return Report(
        __version__,
        pack.id,
        pack.version,
        record.source,
        unit,
        ctx.meeting_date,
        as_of,
        tuple(results),
        tuple(unused),
        (tuple(select), tuple(ignore)),
        party_org=record.data["unit"].get("party_org"),
        org_facts=tuple(facts),
        judged_at=judge_day,
        late_facts=tuple(
            LateFact(pointer, day, pos.line if (pos := record.position(pointer)) else None)
            for pointer, day in late
        )
        if late
        else (),
        late_count=late_count,
    )


@lru_cache(maxsize=256)
def _passed_text(checked: int) -> Text:
    # Most results say this, with few distinct counts; a Text is immutable.
    return Text(f"符合要求（检查 {checked} 项）", f"compliant ({checked} checked)")


RECORD_WAIVER_OF_ORG_RULE = Text(
    "记录自身的豁免不适用于组织规则（按组织判断的规则只能用豁免文件豁免）",
    "a record's own waiver does not apply to an organisation rule (use a waiver file)",
)


def _scope(pack: Pack, rule_id: str) -> str:
    rule = pack.rule(rule_id)
    return getattr(rule, "scope", "record") if rule is not None else "record"


# A rule lists at most this many findings; past it they are counted, judged (status, level,
# waivers) and dropped, and the result says how many (`findings_omitted`). No shipped example or
# pack case comes near it: a rule reaches it only for a group of about 46 members with no talk
# at all (45·44/2 pairs < 1000 < 46·45/2). Bounds the report, and the engine's memory, for
# records at the limit of people (MAX_PEOPLE in record/validate.py), whose pair rules can have
# 250,000 findings.
MAX_LISTED_FINDINGS = 1000


def rule_fields(rule: Rule) -> dict[str, Any]:
    """What every result of a rule says about the rule itself (record and organisation rules).

    Made once per rule and kept (the rule with it, so that its id is never another's): every
    check of every record asked for it again. A copy, as the caller may add to it."""
    kept = _RULE_FIELDS.get(id(rule))
    if kept is None or kept[0] is not rule:
        if len(_RULE_FIELDS) >= 4096:  # packs loaded and dropped by a long-lived process
            _RULE_FIELDS.clear()
        kept = _RULE_FIELDS[id(rule)] = (rule, _rule_fields(rule))
    return dict(kept[1])


_RULE_FIELDS: dict[int, tuple[Any, dict[str, Any]]] = {}


def _rule_fields(rule: Rule) -> dict[str, Any]:
    return dict(
        rule=rule.id,
        title=Text.of(rule.title),
        clause=rule.clause,
        severity=rule.severity,
        phase=rule.phase,
        quote=rule.quote,
        rationale=Text.of(rule.rationale),
    )


class Step:
    """A selected rule as `check` runs it, worked out once per (pack, selection) (`_SELECTED`):
    each check's kind function, the rule's `due` as `_rule_due` reads it, and its results when
    it finds nothing, by the number checked. A check of the nine rules of issue 13 looked up the
    kind, the due's canonical bound and the quiet result through a call and a dict each, per
    rule and record."""

    __slots__ = ("checks", "due", "due_shared", "organisation", "quiet", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.organisation = rule.scope == "organisation"
        # (spec, kind function); None when `run` must decide (`applies_when`, an unknown kind:
        # it raises where it did, inside `_evaluate`'s try).
        self.checks: tuple[tuple[Any, Any], ...] = ()
        if not self.organisation:
            self.checks = tuple(
                (spec, None if spec.applies_when is not None else KINDS.get(spec.kind))
                for spec in rule.checks
            )
        due = rule.due
        self.due = due
        # The first bound equal to the rule's, under which the record's context keeps its date
        # once any rule or kind resolved it; None when it must be resolved (`_rule_due`).
        self.due_shared = shared_bound(due)
        self.quiet: dict[int, RuleResult] = {}


def _evaluate(
    ctx: Context, step: Step, waivers: list[Waiver], used: set[int], as_of: dt.date | None
) -> RuleResult:
    rule = step.rule
    try:
        outcomes = []
        checked = 0
        quiet = True
        for spec, kind in step.checks:
            outcome = run(ctx, spec) if kind is None else kind(ctx, spec)
            outcomes.append(outcome)
            checked += outcome.checked
            if outcome.findings or outcome.stream:
                quiet = False
        # Resolved here, as a bound may ask the working-day calendar about a year it lacks.
        # `_rule_due`, written out: most rules' due is already in the record's memo table.
        declared_due: dt.date | None = None
        due = step.due
        if due is not None:
            shared = step.due_shared
            entry = ctx.memos.get(id(shared)) if shared is not None else None
            declared_due = (
                entry[1] if entry is not None and entry[0] is shared else due.resolve(ctx)
            )
        if quiet:
            # Most rules of most records find nothing: their result depends on the rule and
            # the number checked only, and is made once (issue 13: half of the engine's own
            # time per rule went into building the same result again).
            known = step.quiet.get(checked)
            if known is None:
                if len(step.quiet) >= 256:  # records of many sizes in one long process
                    step.quiet.clear()
                known = step.quiet[checked] = _quiet_result(rule, checked)
            return known
        return _judged(ctx, rule, outcomes, declared_due, waivers, used, as_of)
    except CalendarCoverageError as exc:
        return RuleResult(
            status="error",
            message=Text(exc.zh, exc.en),
            error=f"{type(exc).__name__}: {exc}",
            **rule_fields(rule),
        )
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        return RuleResult(
            status="error",
            message=Text(f"规则无法评估：{reason}", f"rule could not be evaluated: {reason}"),
            error=reason,
            **rule_fields(rule),
        )


def _judged(
    ctx: Context,
    rule: Rule,
    outcomes: list[Outcome],
    declared_due: dt.date | None,
    waivers: list[Waiver],
    used: set[int],
    as_of: dt.date | None,
) -> RuleResult:
    """The result of a rule whose checks found something: each finding judged (waivers, as-of),
    then the rule's status. Streams run the kind's code as they are read: inside `_evaluate`'s
    try, like the kind itself."""
    listed: list[Listed] = []
    checked = total = waived = omitted = omitted_waived = 0
    open_pending = open_due = 0  # open findings not yet due at as_of / due or past
    level: str | None = None  # the highest severity of an open finding that is due
    rule_due = declared_due or ctx.meeting_date  # Offset().apply(meeting date)
    for index, outcome in enumerate(outcomes):
        checked += outcome.checked
        made = chain(outcome.findings, outcome.stream) if outcome.stream else outcome.findings
        for f in made:
            result = _finding_result(ctx, rule, f, waivers, used, as_of, rule_due, declared_due)
            total += 1
            if result.waived:
                waived += 1
            elif result.pending:
                open_pending += 1
            else:
                open_due += 1
                if level is None or SEVERITY_RANK[result.severity] > SEVERITY_RANK[level]:
                    level = result.severity
            if len(listed) < MAX_LISTED_FINDINGS:
                listed.append((index, result, f.cause))
            else:
                omitted += 1
                omitted_waived += result.waived

    status: Status
    if not total:
        status = "passed" if checked else "not_applicable"
    elif not open_pending and not open_due:
        status = "waived"
    elif not open_due:
        status = "pending"
    else:
        status = "failed"
    return rule_result(
        status=status,
        message=_summary_message(status, total, waived, checked),
        # Judged one by one above (status, counts, waivers); listed by cause.
        findings=tuple(merge_findings(listed)),
        level=level if status == "failed" else None,
        findings_omitted=omitted,
        omitted_waived=omitted_waived,
        checked=checked,
        **rule_fields(rule),
    )


# Per rule's `due`, once per process: the bound and the first bound equal to it
# (`shared_bound`), under which `DateSpec.resolve` keeps its date in `ctx.memos`. Most rules of
# a pack share a few bounds ($talks_due…), so the date is usually there already; `resolve`
# found it through two calls and two closures.
_DUES: dict[int, tuple[Any, Any]] = {}


def _rule_due(ctx: Context, due: Any) -> dt.date | None:
    kept = _DUES.get(id(due))
    if kept is None or kept[0] is not due:
        if len(_DUES) >= 4096:  # packs loaded and dropped by a long-lived process
            _DUES.clear()
        kept = _DUES[id(due)] = (due, shared_bound(due))
    resolved: dt.date | None = memo_bound(ctx, due, kept[1])
    return resolved


def _quiet_result(rule: Rule, checked: int) -> RuleResult:
    """The result of a rule that found nothing: passed, or not applicable when nothing was
    checked. Results are immutable, so one object serves every report that says the same
    (`Step.quiet` keeps it, with the rule, so that the rule's id is never another's)."""
    status: Status = "passed" if checked else "not_applicable"
    return rule_result(
        status=status,
        message=_summary_message(status, 0, 0, checked),
        findings=(),
        level=None,
        findings_omitted=0,
        omitted_waived=0,
        checked=checked,
        **rule_fields(rule),
    )


def status_of(findings: Sequence[FindingResult], checked: int) -> tuple[Status, str | None]:
    """A rule's status from its findings (docs/rule-language.md §10), and its level if failed."""
    open_ = [f for f in findings if not f.waived]
    if not findings:
        return ("passed" if checked else "not_applicable"), None
    if not open_:
        return "waived", None
    if all(f.pending for f in open_):
        return "pending", None
    level = max((f.severity for f in open_ if not f.pending), key=lambda s: SEVERITY_RANK[s])
    return "failed", level


def _finding_result(
    ctx: Context,
    rule: Rule,
    f: Finding,
    waivers: list[Waiver],
    used: set[int],
    as_of: dt.date | None,
    rule_due: dt.date,
    declared_due: dt.date | None,
) -> FindingResult:
    # A waiver names a finding's subject, or the object that caused it (a submission), which a
    # merged finding shows as its subject.
    cause = f.cause.subject if f.cause is not None else None
    waiver = next(
        (
            w
            for w in waivers
            if w.covers(rule.id, f.subject) or (cause is not None and w.covers(rule.id, cause))
        ),
        None,
    )
    if waiver is not None:
        used.add(id(waiver))
    due = f.due or rule_due
    pos = ctx.record.position(f.path) if f.path is not None else None
    return FindingResult(
        subject=f.subject,
        message=f.message,
        path=f.path,
        due=f.due or declared_due,
        severity=f.severity or rule.severity,
        waived=waiver is not None,
        waiver=WaiverRef(
            waiver.reason, waiver.approved_by, waiver.date, waiver.expires, waiver.origin
        )
        if waiver
        else None,
        # Time can cure a finding only while its due date is ahead and the date it judged, if
        # any, is a plan still ahead too: a bound broken by a recorded past date is failed now.
        pending=as_of is not None and due > as_of and (f.judged is None or f.judged > as_of),
        expected=f.expected,
        found=f.found,
        line=pos.line if pos else None,
        column=pos.column if pos else None,
    )


def summary_message(status: Status, findings: Sequence[FindingResult], checked: int) -> Text:
    """The one-line message of a result with these findings (organisation rules use it too)."""
    return _summary_message(status, len(findings), sum(f.waived for f in findings), checked)


def _summary_message(status: Status, n: int, waived: int, checked: int) -> Text:
    if status == "passed":
        return _passed_text(checked)
    if status == "not_applicable":
        return Text("记录中没有适用此规则的对象", "nothing in the record is subject to this rule")
    if status == "waived":
        return Text(f"{n} 项问题均已豁免", f"all {n} findings are waived")
    if status == "pending":
        return Text(
            f"{n} 项尚未到期，记录中尚未体现完成", f"{n} not yet due and not yet shown as met"
        )
    extra_zh = f"（另有 {waived} 项已豁免）" if waived else ""
    extra_en = f" ({waived} more waived)" if waived else ""
    return Text(
        f"检查 {checked} 项，{n - waived} 项不符合{extra_zh}",
        f"{n - waived} of {checked} checked fail{extra_en}",
    )
