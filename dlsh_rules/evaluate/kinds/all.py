"""The check kinds: one pure function per kind, and the table that names them.

As in python-jsonschema's keyword table, a kind is a function ``(ctx, spec) -> Outcome`` that
returns findings instead of raising, and the engine stamps them with the rule's id, clause,
severity, waivers and as-of status. A kind knows nothing of any particular rule id: every
number, list and text it uses comes from its spec, which comes from a rule file.

A spec is typed as its pydantic model in `language.py`, which validated it; at run time it is
that model's frozen form (frozen.py), so that checking needs no pydantic.

Adding a kind = one spec model in `language.py` (and a line in its ``SPECS``), one function and
one line in ``KINDS`` here, and data-driven tests.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ...errors import Text
from ...language.query import (
    NONE,
    Failure,
    Path,
    Selection,
    key_of,
    normalise,
    op_checker,
    op_failing,
    op_filter,
    op_passes,
    op_passing,
    path_reader,
    shared_key,
)

if TYPE_CHECKING:
    from ...language.models import (
        CoverageSpec,
        DeliveredSpec,
        EachSpec,
        ExistsSpec,
        I18n,
        PairGen,
        PairsSpec,
        SequenceSpec,
        Spec,
        StepSpec,
    )
    from ..engine import Context

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing a check found wrong, before the engine adds waivers and status."""

    subject: str | None
    message: Text
    path: str | None = None
    due: dt.date | None = None
    severity: Severity | None = None  # overrides the rule's for this finding
    expected: Text | None = None
    found: Text | None = None


@dataclass
class Outcome:
    checked: int = 0  # how many subjects the check looked at; 0 means not applicable
    findings: list[Finding] = field(default_factory=list)


# --- helpers shared by the kinds ----------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(subject|expected|found|due|what)\}")


def _fill(template: I18n, values: dict[str, Text]) -> Text:
    # A plain substitution, not str.format: a rule file must not reach attributes of objects.
    def sub(lang: str) -> Callable[[re.Match[str]], str]:
        return lambda m: values.get(m.group(1), Text("", "")).get(lang)

    return Text(_PLACEHOLDER.sub(sub("zh"), template.zh), _PLACEHOLDER.sub(sub("en"), template.en))


def _what(spec: Spec, zh: str, en: str) -> Text:
    return Text.of(spec.what) if spec.what else Text(zh, en)


def _plain(text: str) -> Text:
    return Text(text, text)


def _finding(
    spec: Spec,
    subject: str | None,
    default: Text,
    *,
    subject_name: Text,
    path: str | None,
    due: dt.date | None = None,
    expected: Text | None = None,
    found: Text | None = None,
    severity: Severity | None = None,
) -> Finding:
    message = default
    if spec.message is not None:
        message = _fill(
            spec.message,
            {
                "subject": subject_name,
                "expected": expected or Text("", ""),
                "found": found or Text("", ""),
                "due": _plain(due.isoformat() if due else ""),
                "what": _what(spec, "", ""),
            },
        )
    return Finding(subject, message, path, due, severity or spec.severity, expected, found)


def _join_failures(failures: list[Failure]) -> tuple[Text, Text]:
    expected = Text(
        "；".join(f.expected.zh for f in failures), "; ".join(f.expected.en for f in failures)
    )
    found = Text("；".join(f.found.zh for f in failures), "; ".join(f.found.en for f in failures))
    return expected, found


def _detail_found(detail_zh: str, detail_en: str) -> Text:
    """The bracketed detail of a 'missing' message, as the finding's `found`, brackets removed."""
    zh = detail_zh[1:-1] if detail_zh.startswith("（") and detail_zh.endswith("）") else detail_zh
    en = detail_en.strip()
    en = en[1:-1] if en.startswith("(") and en.endswith(")") else en
    return Text(zh or "无", en or "none")


def _first_cited(
    ctx: Context, rejected: list[tuple[Any, list[Failure]]]
) -> tuple[Any, list[Failure]]:
    """The non-counting item a finding cites: the smallest id, so list order changes nothing."""
    return min(rejected, key=lambda entry: str(_subject_key(ctx, entry[0], None) or ""))


def _due(failures: Iterable[Failure]) -> dt.date | None:
    dues = [f.due for f in failures if f.due is not None]
    return min(dues) if dues else None


def _field_pointer(base: str | None, failure: Failure) -> str | None:
    if base is None or not failure.field or "." in failure.field or failure.field.startswith("@"):
        return base
    return f"{base}/{failure.field}"


def _subject_key(ctx: Context, item: Any, subject: Path | None) -> str | None:
    if subject is not None:
        found = subject.first(ctx, item)
        return None if found is None else str(key_of(found))
    if isinstance(item, dict):
        for name in ("id", "person", "title"):
            if isinstance(item.get(name), str):
                return str(item[name])
        return None
    return None if item is None else str(item)


# --- each: every selected object satisfies a condition -------------------------------------------


def check_each(ctx: Context, spec: EachSpec) -> Outcome:
    as_object = ctx.as_object
    items = [i if type(i) is dict else as_object(i) for i in spec.select.items(ctx)]
    if spec.when is not None:
        kept = op_passing(spec.when, ctx, items)
        if kept is None:
            when = op_filter(spec.when)
            kept = [i for i in items if when(ctx, i)]
        items = kept
    out = Outcome(checked=max(len(items), 1 if spec.min_items else 0))
    if len(items) < spec.min_items:
        what = _what(spec, "符合条件的记录", "matching entries")
        out.findings.append(
            _finding(
                spec,
                None,
                Text(
                    f"应至少有 {spec.min_items} 项{what.zh}，实际 {len(items)} 项",
                    f"expected at least {spec.min_items} {what.en}, found {len(items)}",
                ),
                subject_name=Text("", ""),
                path=ctx.selection_pointer(spec.select),
                expected=Text(f"至少 {spec.min_items} 项", f"at least {spec.min_items}"),
                found=_plain(str(len(items))),
            )
        )
    # The objects that fail, when the condition cannot raise and can test them all at once;
    # else each object is tested, and given to failures() right away if it does not pass.
    failing = op_failing(spec.require, ctx, items)
    passes, failures_of = op_passes(spec.require), spec.require.failures
    for obj in items if failing is None else failing:
        if failing is None and passes(ctx, obj):
            continue
        failures = failures_of(ctx, obj)
        if not failures:
            continue
        key = _subject_key(ctx, obj, spec.subject)
        name = ctx.name(key) if key else _what(spec, "记录项", "entry")
        expected, found = _join_failures(failures)
        base = ctx.pointer_of(obj)
        out.findings.append(
            _finding(
                spec,
                key,
                Text(
                    f"{name.zh}：应{expected.zh}；实际为 {found.zh}",
                    f"{name.en}: expected {expected.en}; found {found.en}",
                ),
                subject_name=name,
                path=_field_pointer(base, failures[0]),
                due=_due(failures),
                expected=expected,
                found=found,
            )
        )
    return out


# --- exists: at least `min` selected objects satisfy a condition ---------------------------------


def check_exists(ctx: Context, spec: ExistsSpec) -> Outcome:
    items = [ctx.as_object(i) for i in spec.select.items(ctx)]
    what = _what(spec, "所要求的记录", "the required entry")
    if spec.require is None:
        good, failing = items, []
    else:
        require = op_checker(spec.require)
        verdicts = [(item, require(ctx, item)) for item in items]
        good = [item for item, f in verdicts if not f]
        failing = [(item, f) for item, f in verdicts if f]
    out = Outcome(checked=1)
    if len(good) >= spec.min:
        return out
    path = ctx.selection_pointer(spec.select)
    if not items:
        out.findings.append(
            _finding(
                spec,
                None,
                Text(f"未记录{what.zh}", f"no {what.en} is recorded"),
                subject_name=what,
                path=path,
                expected=what,
                found=NONE,
            )
        )
        return out
    for item, failures in failing:
        key = _subject_key(ctx, item, None)
        name = ctx.name(key) if key else what
        expected, found = _join_failures(failures)
        out.findings.append(
            _finding(
                spec,
                key,
                Text(
                    f"{name.zh}不符合要求：应{expected.zh}；实际为 {found.zh}",
                    f"{name.en} does not qualify: expected {expected.en}; found {found.en}",
                ),
                subject_name=name,
                path=_field_pointer(ctx.pointer_of(item), failures[0]),
                due=_due(failures),
                expected=expected,
                found=found,
            )
        )
    if not failing:  # enough objects were not found at all
        out.findings.append(
            _finding(
                spec,
                None,
                Text(
                    f"{what.zh}应至少 {spec.min} 项，实际 {len(good)} 项",
                    f"at least {spec.min} × {what.en} required, found {len(good)}",
                ),
                subject_name=what,
                path=path,
            )
        )
    return out


# --- coverage: every subject is covered by at least one qualifying item --------------------------


def check_coverage(ctx: Context, spec: CoverageSpec) -> Outcome:
    subjects = spec.subjects.items(ctx)
    norm = spec.normalize

    def k(value: Any) -> Any:
        key = key_of(value)
        return normalise(key, norm) if isinstance(key, str) and norm != "exact" else key

    def keyed() -> tuple[list[Any], list[Any]]:
        """The items, and the subject keys each covers: one plain id, or a set of keys.

        Two lists rather than a pair per item: on a large record this is kept until the end of
        the check, and freeing 80,000 small tuples then cost more than making them.
        """
        items: list[Any] = []
        keys: list[Any] = []
        read = path_reader(spec.key) if spec.key is not None else None
        one = spec.key.single if spec.key is not None else None
        outer = inner = ""
        if spec.key is not None and len(spec.key.segments) == 2 and "@" not in spec.key.text:
            outer, inner = spec.key.segments
        exact = norm == "exact"
        for raw in spec.items.items(ctx):
            item = raw if type(raw) is dict else ctx.as_object(raw)
            items.append(item)
            if read is not None and isinstance(item, dict):
                if exact:
                    # One plain id is its own key: read in place, at one field or at a field
                    # of the one mapping in a list (sources.ref), as `read` would find it.
                    if one is not None:
                        found = item.get(one)
                    elif outer:
                        found = item.get(outer)
                        if type(found) is list and len(found) == 1 and type(found[0]) is dict:
                            found = found[0].get(inner)
                        else:
                            found = None
                    else:
                        found = None
                    if type(found) is str:
                        keys.append(found)
                        continue
                    values = read(ctx, item)
                    if len(values) == 1 and type(values[0]) is str:
                        keys.append(values[0])
                        continue
                else:
                    values = read(ctx, item)
                keys.append({k(v) for v in values})
            else:
                keys.append({k(item)})
        return items, keys

    def index() -> CoverIndex:
        covering: dict[Any, list[Any]] = defaultdict(list)
        rejected: dict[Any, list[tuple[Any, list[Failure]]]] = defaultdict(list)
        require = spec.require
        passes = op_passes(require) if require is not None else None
        # The subjects each item covers are the same for every check of the record that reads
        # the same items by the same key: worked out once, all before any `require`.
        items, keys = ctx.cached(("coverage", spec.items.spec, spec.key, norm), keyed)
        unqualified: set[int] = set()
        if require is not None:
            # Which items fail, all at once when `require` cannot raise (see check_each).
            failing = op_failing(require, ctx, items)
            if failing is not None:
                passes = None
                unqualified = {id(item) for item in failing}
        for item, key in zip(items, keys, strict=True):
            failures = None
            if passes is not None:
                if not passes(ctx, item):
                    failures = require.failures(ctx, item)  # type: ignore[union-attr]
            elif unqualified and id(item) in unqualified:
                failures = require.failures(ctx, item)  # type: ignore[union-attr]
            if failures:
                for one_key in (key,) if type(key) is str else key:
                    rejected[one_key].append((item, failures))
            elif type(key) is str:
                covering[key].append(item)
            else:
                for one_key in key:
                    covering[one_key].append(item)
        return covering, rejected

    # ... and so are the items that cover each key, for checks that also share `require` (e.g.
    # rectification items by their sources, for opinions and for criticisms).
    shared = shared_key("covering", spec.items.spec, spec.key, norm, spec.require)
    covering, rejected = index() if shared is None else ctx.cached(shared, index)

    excuses: dict[Any, str] = {}
    if spec.excused is not None:
        exc = spec.excused
        for raw in exc.select.items(ctx):
            obj = ctx.as_object(raw)
            reason = exc.reason.first(ctx, obj) if exc.reason else None
            for key in exc.key.values(ctx, obj):
                excuses[k(key)] = str(reason or "")

    same = [(Path.parse(i), Path.parse(s)) for i, s in spec.same.items()]
    what = _what(spec, "所要求的记录", "the required entry")
    missing: list[tuple[Any, Any, int | None]] = []
    exact = norm == "exact"
    add_up = spec.sum
    nothing: tuple[Any, ...] = ()
    # One `same` constraint between two plain fields, as "owner: to": read in place below.
    plain = [(ip.single, sp.single) for ip, sp in same if ip.single and sp.single]
    item_field, subject_field = plain[0] if len(same) == 1 and plain else (None, None)
    for subject in subjects:
        if not exact:
            key = k(subject)
        elif type(subject) is dict:
            key = subject.get("id", id(subject))  # key_of, in place
        else:
            key = key_of(subject)
        found = covering.get(key, nothing)
        if same and found:
            subj = subject if type(subject) is dict else ctx.as_object(subject)
            one = found[0] if len(found) == 1 else None
            a = b = None
            if item_field is not None and type(one) is dict and type(subj) is dict:
                a, b = one.get(item_field), subj.get(subject_field)
            if type(a) is str and type(b) is str:
                found = found if a == b else []  # _shares, for one item and two plain ids
            else:
                found = [item for item in found if _shares(ctx, same, item, subj)]
        total = None
        if add_up is not None:
            total = sum(v for item in found for v in add_up.values(ctx, item) if isinstance(v, int))
            if total >= (spec.min_sum or 0):
                continue
        elif found:
            continue
        missing.append((subject, key, total))

    out = Outcome(checked=len(subjects))
    needed = len(subjects)
    if spec.min_ratio is not None:
        needed = math.ceil(spec.min_ratio * len(subjects))  # exact: 2/3 of 3 is 2, not 3
    if spec.min_covered is not None:
        needed = spec.min_covered
    covered = len(subjects) - len(missing)
    if covered >= needed and (spec.min_ratio is not None or spec.min_covered is not None):
        return out
    if spec.min_ratio is not None or spec.min_covered is not None:
        # A quota ("two thirds", "at least two forms") is one finding; no single subject was
        # required, so none is reported on its own.
        names = [ctx.name(str(key_of(subject))) for subject, _, _ in missing]
        absent_zh = "、".join(n.zh for n in names[:12]) + ("等" if len(names) > 12 else "")
        absent_en = ", ".join(n.en for n in names[:12]) + (", …" if len(names) > 12 else "")
        out.findings.append(
            _finding(
                spec,
                None,
                Text(
                    f"{what.zh}应至少 {needed} 项，实际 {covered} 项（未满足：{absent_zh}）",
                    f"{what.en}: at least {needed} required, found {covered} (not met: {absent_en})",
                ),
                subject_name=what,
                path=ctx.selection_pointer(spec.items),
                expected=Text(f"至少 {needed} 项", f"at least {needed}"),
                found=_plain(str(covered)),
            )
        )
        return out
    for subject, key, total in missing:
        label = str(key_of(subject))
        name = ctx.name(label)
        path = ctx.pointer_of(ctx.as_object(subject)) if isinstance(subject, (dict, str)) else None
        if isinstance(subject, str) and subject not in ctx.record.index:
            path = ctx.selection_pointer(spec.items)
        if key in excuses:
            reason = excuses[key] or "—"
            out.findings.append(
                _finding(
                    spec,
                    label,
                    Text(
                        f"{name.zh}：缺少{what.zh}（已请假：{reason}）",
                        f"{name.en}: no {what.en} (on approved leave: {reason})",
                    ),
                    subject_name=name,
                    path=path,
                    expected=what,
                    found=Text(f"请假：{reason}", f"leave: {reason}"),
                    severity=spec.excused.severity if spec.excused else None,
                )
            )
            continue
        detail_zh = detail_en = ""
        failures: list[Failure] = []
        if total is not None:
            detail_zh = f"（合计 {total}，应至少 {spec.min_sum}）"
            detail_en = f" (total {total}, at least {spec.min_sum} required)"
        if rejected.get(key):
            item, failures = _first_cited(ctx, rejected[key])
            expected, shown = _join_failures(failures)
            ref = _subject_key(ctx, item, None) or ""
            detail_zh += f"（{ref} 不计入：应{expected.zh}；实际为 {shown.zh}）"
            detail_en += f" ({ref} does not count: expected {expected.en}; found {shown.en})"
        out.findings.append(
            _finding(
                spec,
                label,
                Text(f"{name.zh}：缺少{what.zh}{detail_zh}", f"{name.en}: no {what.en}{detail_en}"),
                subject_name=name,
                path=path,
                due=_due(failures),
                expected=what,
                found=_detail_found(detail_zh, detail_en),
            )
        )
    return out


CoverIndex = tuple[dict[Any, list[Any]], dict[Any, list[tuple[Any, list[Failure]]]]]


def _shares(ctx: Context, same: list[tuple[Path, Path]], item: Any, subject: Any) -> bool:
    """Whether the item shares a value with the subject at every (item path, subject path)."""
    for ip, sp in same:
        a_field, b_field = ip.single, sp.single
        plain = a_field is not None and b_field is not None
        if plain and isinstance(item, dict) and isinstance(subject, dict):
            a, b = item.get(a_field), subject.get(b_field)
            if type(a) is str and type(b) is str:  # two plain ids, read in place
                if a != b:
                    return False
                continue
        if not set(map(str, ip.values(ctx, item))) & set(map(str, sp.values(ctx, subject))):
            return False
    return True


# --- pairs: every required pair of people has a qualifying item ----------------------------------


Pair = tuple[str, str]


def _pairs(ctx: Context, gen: PairGen, ordered: bool) -> Iterator[Pair]:
    def ids(sel: Selection) -> list[str]:
        return [str(key_of(v)) for v in sel.items(ctx)]

    if gen.all_pairs is not None or gen.ordered_pairs is not None:
        people = ids(gen.all_pairs or gen.ordered_pairs)  # type: ignore[arg-type]
        if gen.ordered_pairs is not None:
            yield from ((a, b) for a in people for b in people if a != b)
        else:
            for i, a in enumerate(people):
                yield from ((a, b) for b in people[i + 1 :] if a != b)
    elif gen.star is not None:
        centres = ids(gen.star.center)
        for c in centres:
            for o in ids(gen.star.others):
                if o != c:
                    yield (c, o)
    elif gen.relation is not None:
        for left in gen.relation.left.items(ctx):
            a = str(key_of(left))
            for right in gen.relation.right.values(ctx, ctx.as_object(left)):
                b = str(key_of(right))
                if a != b:
                    yield (a, b)


def _pair_key(a: str, b: str, ordered: bool) -> Pair:
    return (a, b) if ordered or a <= b else (b, a)


PairIndex = tuple[dict[Pair, list[Any]], dict[Pair, list[tuple[Any, list[Failure]]]]]


def _pair_index(ctx: Context, spec: PairsSpec, ordered: bool) -> PairIndex:
    """Qualifying and non-qualifying items by the pair of people they are between.

    One pass over the items: linear in the record, whatever the group's size. Every pair an item
    names is indexed, required or not, so that checks reading the same items the same way (the
    mandatory-talk rules all read talks by participants with the same `qualify`) share one
    index; a check then looks up its own required pairs, each finding the items it found before,
    in the same order.
    """

    def build() -> PairIndex:
        good: dict[Pair, list[Any]] = defaultdict(list)
        bad: dict[Pair, list[tuple[Any, list[Failure]]]] = defaultdict(list)
        qualify = spec.qualify
        passes = op_passes(qualify) if qualify is not None else None
        one = spec.participants.single if spec.participants is not None else None
        left = spec.from_.single if spec.from_ is not None else None
        right = spec.to.single if spec.to is not None else None
        two_fields = ordered and left is not None and right is not None
        one_field = not ordered and one is not None
        as_object = ctx.as_object
        items = [raw if type(raw) is dict else as_object(raw) for raw in spec.items.items(ctx)]
        # Which items fail `qualify`, all at once when it cannot raise (see check_each).
        failing = op_failing(qualify, ctx, items) if qualify is not None else []
        unqualified: set[int] = set()
        if failing is not None:
            passes = None
            unqualified = {id(item) for item in failing}
        for item in items:
            # The usual shapes read in place: two people's ids in two fields or in one list.
            pair: Pair | None = None
            keys: Iterable[Pair] | None = None
            if type(item) is dict:
                if two_fields:
                    a, b = item.get(left), item.get(right)
                    if type(a) is str and type(b) is str:
                        if a != b:
                            pair = (a, b)
                        else:
                            keys = ()
                elif one_field:
                    found = item.get(one)
                    if type(found) is list and len(found) == 2:
                        a, b = found
                        if type(a) is str and type(b) is str:
                            if a == b:
                                keys = ()
                            else:
                                pair = (a, b) if a < b else (b, a)
            if pair is not None:
                keys = (pair,)
            elif keys is None:
                keys = _item_pairs(ctx, spec, item, ordered)
            # qualify.failures only for an item that does not pass, right after the test.
            failures = None
            if passes is not None:
                if not passes(ctx, item):
                    failures = qualify.failures(ctx, item)  # type: ignore[union-attr]
            elif unqualified and id(item) in unqualified:
                failures = qualify.failures(ctx, item)  # type: ignore[union-attr]
            if failures:
                for key in keys:
                    bad[key].append((item, failures))
            elif pair is not None:
                good[pair].append(item)
            else:
                for key in keys:
                    good[key].append(item)
        return good, bad

    key = shared_key("pairs", spec.items.spec, spec.participants, spec.from_, spec.to, spec.qualify)
    return build() if key is None else ctx.cached(key, build)


def _item_pairs(ctx: Context, spec: PairsSpec, item: Any, ordered: bool) -> set[Pair]:
    if ordered:
        lefts = [str(key_of(v)) for v in spec.from_.values(ctx, item)]  # type: ignore[union-attr]
        rights = [str(key_of(v)) for v in spec.to.values(ctx, item)]  # type: ignore[union-attr]
        return {(a, b) for a in lefts for b in rights if a != b}
    people = sorted({str(key_of(v)) for v in spec.participants.values(ctx, item)})  # type: ignore[union-attr]
    if len(people) > 12:  # a large gathering is no talk between any pair; cap the fan-out
        people = people[:12]
    return {(a, b) for i, a in enumerate(people) for b in people[i + 1 :]}


def _generated(ctx: Context, gen: PairGen, ordered: bool) -> list[Pair]:
    """The pairs a generator makes, as keys: made once per record for checks that share it."""

    def make() -> list[Pair]:
        if ordered:
            return list(_pairs(ctx, gen, ordered))
        return [(a, b) if a <= b else (b, a) for a, b in _pairs(ctx, gen, ordered)]

    star, relation = gen.star, gen.relation
    key = shared_key(
        "pairgen",
        ordered,
        gen.all_pairs.spec if gen.all_pairs is not None else None,
        gen.ordered_pairs.spec if gen.ordered_pairs is not None else None,
        (star.center.spec, star.others.spec) if star is not None else None,
        (relation.left.spec, relation.right) if relation is not None else None,
    )
    return make() if key is None else ctx.cached(key, make)


def check_pairs(ctx: Context, spec: PairsSpec) -> Outcome:
    ordered = spec.participants is None
    required: dict[Pair, None] = {}
    for gen in spec.pairs:
        # In the order first made, each pair once (as setdefault did, pair by pair).
        required.update(dict.fromkeys(_generated(ctx, gen, ordered)))

    good, bad = _pair_index(ctx, spec, ordered)

    due = spec.due.resolve(ctx) if spec.due is not None else None
    what = _what(spec, "符合要求的记录", "a qualifying entry")
    sep = ">" if ordered else "~"
    path = ctx.selection_pointer(spec.items)
    out = Outcome(checked=len(required))

    def name_of(a: str, b: str) -> Text:
        # Only for findings: a large group has tens of thousands of pairs and few findings.
        na, nb = ctx.name(a), ctx.name(b)
        return Text(
            f"{na.zh}{'对' if ordered else '与'}{nb.zh}",
            f"{na.en} {'→' if ordered else 'and'} {nb.en}",
        )

    late = spec.report == "late"
    date_field = spec.date.single
    # A pair with a qualifying item has no finding unless the report is of late ones: most pairs
    # of a large group are skipped here, before any name or message is made.
    for pair in required if late else [p for p in required if p not in good]:
        a, b = pair
        items = good.get(pair, [])
        if late:
            if not items or due is None:
                continue
            if date_field is not None and len(items) == 1 and type(items[0]) is dict:
                # One qualifying item with one plain date, read in place.
                held = items[0].get(date_field)
                if isinstance(held, dt.date) and held <= due:
                    continue
            dates = [d for i in items for d in spec.date.values(ctx, i) if isinstance(d, dt.date)]
            if dates and min(dates) <= due:
                continue
            subject, pair_name = f"{a}{sep}{b}", name_of(a, b)
            shown = _plain(min(dates).isoformat()) if dates else Text("未注明日期", "undated")
            out.findings.append(
                _finding(
                    spec,
                    subject,
                    Text(
                        f"{pair_name.zh}：{what.zh}应不晚于 {due.isoformat()}，实际 {shown.zh}",
                        f"{pair_name.en}: {what.en} due on or before {due.isoformat()}, held {shown.en}",
                    ),
                    subject_name=pair_name,
                    path=ctx.pointer_of(items[0]) or path,
                    due=due,
                    expected=Text(f"不晚于 {due.isoformat()}", f"on or before {due.isoformat()}"),
                    found=shown,
                )
            )
            continue
        if items:
            continue
        subject, pair_name = f"{a}{sep}{b}", name_of(a, b)
        detail_zh = detail_en = ""
        if bad.get(pair):
            item, failures = _first_cited(ctx, bad[pair])
            expected, found = _join_failures(failures)
            ref = _subject_key(ctx, item, None) or ""
            detail_zh = f"（{ref} 不计入：应{expected.zh}；实际为 {found.zh}）"
            detail_en = f" ({ref} does not count: expected {expected.en}; found {found.en})"
        out.findings.append(
            _finding(
                spec,
                subject,
                Text(
                    f"{pair_name.zh}：缺少{what.zh}{detail_zh}",
                    f"{pair_name.en}: no {what.en}{detail_en}",
                ),
                subject_name=pair_name,
                path=path,
                due=due,
                expected=what,
                found=_detail_found(detail_zh, detail_en),
            )
        )
    return out


# --- sequence: items appear in a required order -------------------------------------------------


def _align(ctx: Context, steps: list[StepSpec], items: list[Any]) -> dict[int, int]:
    """Step index -> item index for the longest run of steps found in order.

    A longest common subsequence (steps × items, both short), so one item out of place is
    reported as that item, not as every step after it. An item that also meets the step's
    `require` is preferred, so a stray item of the same kind before the right one is ignored.
    """
    n, m = len(steps), len(items)
    score = [[0] * (m + 1) for _ in range(n + 1)]
    fits = [[0] * m for _ in range(n)]
    for i, step in enumerate(steps):
        for j, item in enumerate(items):
            if step.match.holds(ctx, item):
                fits[i][j] = 3 if step.require is None or step.require.holds(ctx, item) else 2
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if fits[i][j]:
                best = max(best, score[i + 1][j + 1] + fits[i][j])
            score[i][j] = best
    pairs: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        if fits[i][j] and score[i][j] == score[i + 1][j + 1] + fits[i][j]:
            pairs[i] = j
            i, j = i + 1, j + 1
        elif score[i][j + 1] >= score[i + 1][j]:
            j += 1  # on a tie keep the earlier step, so the later one is reported as out of place
        else:
            i += 1
    return pairs


def check_sequence(ctx: Context, spec: SequenceSpec) -> Outcome:
    items = [ctx.as_object(i) for i in spec.select.items(ctx)]
    base = ctx.selection_pointer(spec.select)
    out = Outcome(checked=len(spec.steps))
    if spec.mode == "prefix":
        placed = {
            n: n
            for n, step in enumerate(spec.steps)
            if n < len(items) and step.match.holds(ctx, items[n])
        }
    else:
        placed = _align(ctx, spec.steps, items)
    for n, step in enumerate(spec.steps):
        label = Text.of(step.label)
        sid = step.id or str(n + 1)
        at = placed.get(n)
        if at is None:
            anywhere = next((i for i, it in enumerate(items) if step.match.holds(ctx, it)), None)
            if anywhere is None:
                msg = Text(f"缺少第 {sid} 项“{label.zh}”", f"step {sid} “{label.en}” is missing")
                found = NONE
            else:
                where = "位置" if spec.mode == "prefix" else "顺序"
                msg = Text(
                    f"第 {sid} 项“{label.zh}”{where}不对：实际位于第 {anywhere + 1} 位",
                    f"step {sid} “{label.en}” is out of place: it is item {anywhere + 1}",
                )
                found = Text(f"第 {anywhere + 1} 位", f"item {anywhere + 1}")
            out.findings.append(
                _finding(
                    spec,
                    f"step-{sid}",
                    msg,
                    subject_name=label,
                    path=ctx.pointer_of(items[anywhere]) if anywhere is not None else base,
                    expected=label,
                    found=found,
                )
            )
            continue
        if step.require is not None:
            failures = step.require.failures(ctx, items[at])
            if failures:
                expected, found = _join_failures(failures)
                out.findings.append(
                    _finding(
                        spec,
                        f"step-{sid}",
                        Text(
                            f"第 {sid} 项“{label.zh}”：应{expected.zh}；实际为 {found.zh}",
                            f"step {sid} “{label.en}”: expected {expected.en}; found {found.en}",
                        ),
                        subject_name=label,
                        path=_field_pointer(ctx.pointer_of(items[at]), failures[0]),
                        expected=expected,
                        found=found,
                    )
                )
    return out


# --- delivered: documents reach bodies ---------------------------------------------------------


def check_delivered(ctx: Context, spec: DeliveredSpec) -> Outcome:
    by_doc: dict[str, list[tuple[dict[str, Any], set[str]]]] = defaultdict(list)
    for raw in spec.submissions.items(ctx):
        sub = ctx.as_object(raw)
        kinds = {str(v) for v in Path.parse("to.kind").values(ctx, sub)}
        for doc in sub.get("documents", []):
            by_doc[doc].append((sub, kinds))
    docs_by_owner: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for doc in ctx.record.data.get("documents", []):
        docs_by_owner[(doc["kind"], str(doc.get("owner")))].append(doc)

    due = spec.due.resolve(ctx) if spec.due is not None else None
    presence = spec.report in ("presence", "both")
    deadline = spec.report in ("deadline", "both") and due is not None
    out = Outcome()
    for dspec in spec.documents:
        kind_label = ctx.label("document_kind", dspec.kind)
        for owner in dspec.owners.items(ctx):
            owner_key = str(key_of(owner))
            owner_name = ctx.name(owner_key)
            out.checked += 1
            docs = docs_by_owner.get((dspec.kind, owner_key), [])
            doc_name = Text(
                f"{owner_name.zh}的{kind_label.zh}", f"{owner_name.en}'s {kind_label.en}"
            )
            if not docs:
                if presence:
                    out.findings.append(
                        _finding(
                            spec,
                            f"{owner_key}:{dspec.kind}",
                            Text(f"缺少{doc_name.zh}", f"{doc_name.en} is missing"),
                            subject_name=doc_name,
                            path="/documents",
                            due=due,
                            expected=doc_name,
                            found=NONE,
                        )
                    )
                continue
            for org_kind in spec.to:
                org_label = ctx.label("org_kind", org_kind)
                sent = [
                    (sub, doc)
                    for doc in docs
                    for sub, kinds in by_doc.get(doc["id"], [])
                    if org_kind in kinds
                ]
                if not sent:
                    if presence:
                        out.findings.append(
                            _finding(
                                spec,
                                f"{docs[0]['id']}>{org_kind}",
                                Text(
                                    f"{doc_name.zh}未报送{org_label.zh}",
                                    f"{doc_name.en} was not sent to {org_label.en}",
                                ),
                                subject_name=doc_name,
                                path=ctx.pointer_of(docs[0]),
                                due=due,
                                expected=Text(f"报送{org_label.zh}", f"sent to {org_label.en}"),
                                found=NONE,
                            )
                        )
                    continue
                if not deadline or due is None:
                    continue
                dates = [sub["date"] for sub, _ in sent if sub.get("date") is not None]
                if dates and min(dates) <= due:
                    continue
                first = (
                    _plain(min(dates).isoformat()) if dates else Text("（未注明日期）", "(no date)")
                )
                out.findings.append(
                    _finding(
                        spec,
                        f"{docs[0]['id']}>{org_kind}",
                        Text(
                            f"{doc_name.zh}报送{org_label.zh}的日期 {first.zh} 晚于 {due.isoformat()}",
                            f"{doc_name.en} reached {org_label.en} on {first.en}, due {due.isoformat()}",
                        ),
                        subject_name=doc_name,
                        path=ctx.pointer_of(sent[0][0]),
                        due=due,
                        expected=Text(
                            f"不晚于 {due.isoformat()}", f"on or before {due.isoformat()}"
                        ),
                        found=first,
                    )
                )
    return out


# --- the table ---------------------------------------------------------------------------------

KINDS: dict[str, Callable[[Context, Any], Outcome]] = {
    "each": check_each,
    "exists": check_exists,
    "coverage": check_coverage,
    "pairs": check_pairs,
    "sequence": check_sequence,
    "delivered": check_delivered,
}


def run(ctx: Context, spec: Spec) -> Outcome:
    if spec.applies_when is not None and not spec.applies_when.items(ctx):
        return Outcome()
    kind: str = getattr(spec, "kind")  # noqa: B009 - every concrete spec has a kind literal
    return KINDS[kind](ctx, spec)
