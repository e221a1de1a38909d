"""What the views need from the report and the record: marks per rule, the pairs the pack requires."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...evaluate.context import Context

# The engine's own pair generator: the grids must show exactly the pairs the pack's rules check.
from ...evaluate.kinds.pairs import required_pairs
from ...evaluate.results import FindingResult, Report, RuleResult
from .. import RenderContext
from .words import Pair

# --- what the views need from the report and the record ---------------------------------------


def pair_key(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


@dataclass
class RuleMarks:
    """The report's findings about one subject: open, waived, pending."""

    open: list[tuple[RuleResult, FindingResult]] = field(default_factory=list)
    waived: list[tuple[RuleResult, FindingResult]] = field(default_factory=list)
    pending: list[tuple[RuleResult, FindingResult]] = field(default_factory=list)


def merge_marks(*parts: RuleMarks | None) -> RuleMarks:
    out = RuleMarks()
    for part in parts:
        if part is not None:
            out.open += part.open
            out.waived += part.waived
            out.pending += part.pending
    return out


def rule_marks(report: Report) -> dict[str, RuleMarks]:
    """Findings by subject; unordered pairs ("a~b") under their sorted key."""
    out: dict[str, RuleMarks] = defaultdict(RuleMarks)
    for r in report.results:
        for f in r.findings:
            if f.subject is None:
                continue
            key = f.subject
            if "~" in key:
                a, _, b = key.partition("~")
                key = "~".join(pair_key(a, b))
            bucket = out[key]
            if f.waived:
                bucket.waived.append((r, f))
            elif f.pending:
                bucket.pending.append((r, f))
            else:
                bucket.open.append((r, f))
    return out


@dataclass
class _PairRules:
    """What the pack requires of talks or criticisms on this record."""

    required: set[Pair]
    qualifies: Callable[[dict[str, Any]], bool]


def pack_pairs(ctx: RenderContext, items: list[Any], ordered: bool) -> _PairRules | None:
    """The pairs that the pack's `pairs` checks over ``items`` require, evaluated on this
    record; None when there is no pack or no such check (then the record format's defaults)."""
    if ctx.pack is None or ctx.record is None or not items:
        return None
    engine_ctx = Context(ctx.record, ctx.pack)
    selected = {r.rule for r in ctx.report.results if r.status != "error"}
    wanted = {id(x) for x in items}
    required: set[Pair] = set()
    qualify = None
    found = False
    for rule in ctx.pack.rules:
        if rule.id not in selected:
            continue
        for check in rule.checks:
            if check.kind != "pairs" or (check.participants is None) != ordered:
                continue
            picked = check.items.items(engine_ctx)
            if not picked or any(id(x) not in wanted for x in picked):
                continue
            found = True
            for gen in check.pairs:
                for a, b in required_pairs(engine_ctx, gen, ordered):
                    required.add((a, b) if ordered else pair_key(a, b))
            if qualify is None and check.qualify is not None:
                qualify = check.qualify
    if not found:
        return None
    cond = qualify
    return _PairRules(
        required,
        (lambda item: not cond.failures(engine_ctx, item))
        if cond is not None
        else (lambda _: True),
    )


@dataclass
class RecordLists:
    """A grid's problem cells by subject, so that a pair shown twice is listed once."""

    missing: dict[str, str] = field(default_factory=dict)
    flagged: dict[str, str] = field(default_factory=dict)
    waived: dict[str, str] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)


def face_to_face(talk: dict[str, Any]) -> bool:
    return talk.get("mode") == "in_person" and len(set(talk.get("participants") or [])) == 2
