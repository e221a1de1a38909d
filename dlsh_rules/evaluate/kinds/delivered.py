"""`delivered`: listed documents exist and reach a body of each listed kind."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ...errors import Text
from ...language.messages import NONE
from ...language.paths import Path, key_of
from ...language.query import memoised_key, shared_key

if TYPE_CHECKING:
    from ...language.models import DeliveredSpec
    from ..context import Context
from .base import (
    Cause,
    Outcome,
    make_finding,
    memo_bound,
    plain_text,
    plain_values,
    shared_bound,
)

# `_quiet` decides the usual documents without the general steps. Off, every document takes
# the general steps, as before issue 13: tests/test_pairs_fast.py compares the two.
FAST = True

# Counts a long list of documents in a merged finding: "局党组的情况报告等14份材料".
DOCUMENTS = Text("份材料", "documents")

# --- delivered: documents reach bodies ---------------------------------------------------------


_TO_KIND = Path.parse("to.kind")
_UNSET: Any = object()

# Submissions by document id: each with the kinds of the bodies it reached.
ByDocument = dict[str, list[tuple[dict[str, Any], set[str]]]]
# By document id, the kinds of body its submissions reached, each with the dates of those
# submissions (those that have one), in the submissions' order: the same facts as ByDocument,
# arranged for the question every check asks of a document (`_quiet`).
Reach = dict[Any, dict[str, list[Any]]]


def _by_document(ctx: Context, spec: DeliveredSpec) -> ByDocument:
    """The submissions by the documents they carry: made once per record for the checks that
    select the same submissions (the pre-review rules both read the pre_review ones), and
    only when a document may have a finding (`_reach` answers the others)."""

    def build() -> ByDocument:
        by_doc: ByDocument = defaultdict(list)
        for raw in spec.submissions.items(ctx):
            sub = ctx.as_object(raw)
            kinds = {str(v) for v in _TO_KIND.values(ctx, sub)}
            for doc in sub.get("documents", []):
                by_doc[doc].append((sub, kinds))
        return by_doc

    key = memoised_key("delivered", spec, lambda: shared_key("delivered", spec.submissions.spec))
    return build() if key is None else ctx.cached(key, build)


def _reach(ctx: Context, spec: DeliveredSpec, key: Any = _UNSET) -> Reach:
    """What `_by_document` holds, arranged as `Reach`, made once per record as it is; in the
    same steps and order, so that it raises where `_by_document` did (it is read first)."""

    def build() -> Reach:
        reach: Reach = {}
        # A document carried by one submission (the usual case) shares that submission's
        # table; one carried by several gets a table of its own, made on the second.
        shared: set[int] = set()
        tables = []  # kept alive while their ids are in `shared`
        index = ctx.record.index
        for raw in spec.submissions.items(ctx):
            sub = ctx.as_object(raw)
            kinds = {str(v) for v in plain_values(index, [sub], _TO_KIND.segments)}
            date = sub.get("date")
            table = {kind: [] if date is None else [date] for kind in kinds}
            shared.add(id(table))
            tables.append(table)
            for doc in sub.get("documents", []):
                bodies = reach.get(doc)
                if bodies is None:
                    reach[doc] = table
                    continue
                if id(bodies) in shared:
                    bodies = reach[doc] = {kind: list(dates) for kind, dates in bodies.items()}
                for kind in kinds:
                    dates = bodies.get(kind)
                    if dates is None:
                        dates = bodies[kind] = []
                    if date is not None:
                        dates.append(date)
        return reach

    if key is _UNSET:  # `_reach_of` passes the token it keeps in its plan
        key = _reach_key(spec)
    return build() if key is None else ctx.cached(key, build)


def _reach_key(spec: DeliveredSpec) -> Any:
    return memoised_key(
        "delivered reach", spec, lambda: shared_key("delivered reach", spec.submissions.spec)
    )


# Per spec, once per process: the spec (so that its id is never another's) and the token of
# its reach table. Found through `memoised_key` at each check, with two closures, it was a
# tenth of a check of 10 documents once the record's tables existed (issue 13).
# With them, the first bounds equal to its `due` and `not_before` (`shared_bound`), under which
# the record's memo keeps their dates once resolved: `DateSpec.resolve` found them through two
# calls and a closure, at every check.
_PLANS: dict[int, tuple[Any, Any, Any, Any]] = {}


def _plan(spec: DeliveredSpec) -> tuple[Any, Any, Any, Any]:
    kept = _PLANS.get(id(spec))
    if kept is None or kept[0] is not spec:
        if len(_PLANS) >= 20_000:  # a process that loads many packs starts afresh
            _PLANS.clear()
        kept = _PLANS[id(spec)] = (
            spec,
            _reach_key(spec),
            shared_bound(spec.due),
            shared_bound(spec.not_before),
        )
    return kept


def _reach_of(ctx: Context, spec: DeliveredSpec, key: Any) -> Reach:
    """`_reach`, read directly from the context when it is made already (`key`: its token)."""
    if key is not None:
        found: Reach | None = ctx.shared.get(key)
        if found is not None:
            return found
    return _reach(ctx, spec, key)


# The record's documents by kind, then by owner (as text), in the record's order.
DocsByKind = dict[str, dict[str, list[dict[str, Any]]]]
_DOCS_BY_KIND = ("delivered", "documents by kind")


def _documents_by_kind(ctx: Context) -> DocsByKind:
    def build() -> DocsByKind:
        by_kind: DocsByKind = {}
        for doc in ctx.record.data.get("documents", []):
            kind, owner = doc["kind"], doc.get("owner")
            by_owner = by_kind.get(kind)
            if by_owner is None:
                by_owner = by_kind[kind] = {}
            owner_key = owner if type(owner) is str else str(owner)
            docs = by_owner.get(owner_key)
            if docs is None:
                by_owner[owner_key] = [doc]
            else:
                docs.append(doc)
        return by_kind

    return ctx.cached(_DOCS_BY_KIND, build)


_NO_DOCS: dict[str, list[dict[str, Any]]] = {}  # read only
_UNKNOWN: Any = object()


def check_delivered(ctx: Context, spec: DeliveredSpec) -> Outcome:
    if FAST:
        _, reach_key, due_shared, not_before_shared = (
            kept if (kept := _PLANS.get(id(spec))) is not None and kept[0] is spec else _plan(spec)
        )
        reach = _reach_of(ctx, spec, reach_key)
    else:
        due_shared = not_before_shared = None
        reach = _reach(ctx, spec)
    by_doc = None if FAST else _by_document(ctx, spec)
    docs_by_kind = ctx.shared.get(_DOCS_BY_KIND) or _documents_by_kind(ctx)

    due = memo_bound(ctx, spec.due, due_shared)
    not_before = memo_bound(ctx, spec.not_before, not_before_shared)
    presence = spec.report in ("presence", "both")
    deadline = spec.report in ("deadline", "both") and (due is not None or not_before is not None)
    out = Outcome()
    # `_quiet`'s answer for one document with a text id, by the identity of its reach table
    # (or None): it reads nothing else of the document. A submission's documents share its
    # table (`_reach`), so a check of 10–14 documents asks `_quiet` once or twice.
    verdicts: dict[int, bool | None] = {}
    for dspec in spec.documents:
        by_owner = docs_by_kind.get(dspec.kind, _NO_DOCS)
        owners = dspec.owners.items(ctx)
        if FAST:
            # The usual owners, each with one document of a text id whose reach table has a
            # quiet verdict: counted in one tight loop, as the loop below counts them one by
            # one (`_quiet` reads nothing else, raises nothing and changes nothing, so at the
            # first other owner the loop below simply starts this entry again).
            counted = 0
            for owner in owners:
                key = (
                    owner
                    if type(owner) is str
                    else owner.get("id")
                    if type(owner) is dict
                    else None
                )
                docs = by_owner.get(key) if type(key) is str else None
                if docs is None or len(docs) != 1 or type(doc_id := docs[0].get("id")) is not str:
                    break
                table = reach.get(doc_id)
                quiet = verdicts.get(id(table), _UNKNOWN)
                if quiet is _UNKNOWN:
                    quiet = verdicts[id(table)] = _quiet(
                        docs, reach, spec.to, presence, deadline, due, not_before
                    )
                if quiet is None:
                    break
                counted += quiet
            else:
                out.checked += counted
                continue
        for owner in owners:
            # key_of of a text is the text, and str() of a str the same object.
            owner_key = owner if type(owner) is str else str(key_of(owner))
            docs = by_owner.get(owner_key)
            if docs is None:
                docs = []
            if FAST and docs:
                # The usual document, sent in time to every body: no finding, decided without
                # the steps below (which make the findings when there are some).
                if len(docs) == 1 and type(doc_id := docs[0].get("id")) is str:
                    table = reach.get(doc_id)
                    quiet = verdicts.get(id(table), _UNKNOWN)
                    if quiet is _UNKNOWN:
                        quiet = verdicts[id(table)] = _quiet(
                            docs, reach, spec.to, presence, deadline, due, not_before
                        )
                else:
                    quiet = _quiet(docs, reach, spec.to, presence, deadline, due, not_before)
                if quiet is not None:
                    out.checked += quiet
                    continue
            # `report: deadline` judges the dates of what was sent: a document never sent (or
            # missing) is not checked here, so that a check with nothing sent at all is
            # not applicable instead of "passed" (its absence is a `presence` check's finding).
            # Each submission of one of the documents, with the kinds of bodies it reached.
            if by_doc is None:
                by_doc = _by_document(ctx, spec)
            carried = [
                (sub, doc, kinds) for doc in docs for sub, kinds in by_doc.get(doc["id"], ())
            ]
            if presence or any(
                org_kind in kinds for _, _, kinds in carried for org_kind in spec.to
            ):
                out.checked += 1
            # Names and labels only for findings: a compliant record has none.
            lazy_name = _LazyName(ctx, owner_key, dspec.kind)
            if not docs:
                if presence:
                    doc_name = lazy_name.text()
                    out.findings.append(
                        make_finding(
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
                sent = [(sub, doc) for sub, doc, kinds in carried if org_kind in kinds]
                if not sent:
                    if presence:
                        doc_name = lazy_name.text()
                        body = ctx.bodies(org_kind)
                        out.findings.append(
                            make_finding(
                                spec,
                                f"{docs[0]['id']}>{org_kind}",
                                Text(
                                    f"{doc_name.zh}未报送{body.zh}",
                                    f"{doc_name.en} was not sent to {body.en}",
                                ),
                                subject_name=doc_name,
                                path=ctx.pointer_of(docs[0]),
                                due=due,
                                expected=Text(f"报送{body.zh}", f"sent to {body.en}"),
                                found=NONE,
                                cause=Cause(
                                    "unsent",
                                    doc_name,
                                    body,
                                    _unsent,
                                    expected=_sent_to,
                                    noun=DOCUMENTS,
                                ),
                            )
                        )
                    continue
                if not deadline:
                    continue
                dates = [sub["date"] for sub, _ in sent if sub.get("date") is not None]
                if any(
                    (due is None or d <= due) and (not_before is None or d >= not_before)
                    for d in dates
                ):
                    continue
                doc_name = lazy_name.text()
                first = (
                    plain_text(min(dates).isoformat())
                    if dates
                    else Text("（未注明日期）", "(no date)")
                )
                # The bodies of this kind the documents reached, as the record names them.
                body = ctx.bodies(org_kind, (o for sub, _ in sent for o in sub.get("to", [])))
                pointer = ctx.pointer_of(sent[0][0])
                sub_id = sent[0][0].get("id")
                early = [d for d in dates if not_before is not None and d < not_before]
                if early or due is None:
                    # Sent only before the window opened (or undated, with no upper bound).
                    bound = not_before.isoformat() if not_before is not None else ""
                    message, grouped = (
                        (
                            Text(
                                f"{doc_name.zh}报送{body.zh}的日期 {first.zh} 早于 {bound}（过早）",
                                f"{doc_name.en} reached {body.en} on {first.en}, before {bound} (too early)",
                            ),
                            _early(first, bound),
                        )
                        if early
                        else (
                            Text(
                                f"{doc_name.zh}报送{body.zh}未注明日期（应不早于 {bound}）",
                                f"{doc_name.en} reached {body.en} undated (on or after {bound} required)",
                            ),
                            _undated(bound),
                        )
                    )
                    out.findings.append(
                        make_finding(
                            spec,
                            f"{docs[0]['id']}>{org_kind}",
                            message,
                            subject_name=doc_name,
                            path=pointer,
                            due=due,
                            expected=Text(f"不早于 {bound}", f"on or after {bound}"),
                            found=first,
                            judged=min(early) if early else None,
                            cause=Cause(
                                f"{'early' if early else 'undated'} {pointer}",
                                doc_name,
                                body,
                                grouped,
                                subject=sub_id if isinstance(sub_id, str) else None,
                                noun=DOCUMENTS,
                            ),
                        )
                    )
                    continue
                day = due.isoformat()
                out.findings.append(
                    make_finding(
                        spec,
                        f"{docs[0]['id']}>{org_kind}",
                        Text(
                            f"{doc_name.zh}报送{body.zh}的日期 {first.zh} 晚于 {day}",
                            f"{doc_name.en} reached {body.en} on {first.en}, due {day}",
                        ),
                        subject_name=doc_name,
                        path=pointer,
                        due=due,
                        expected=Text(f"不晚于 {day}", f"on or before {day}"),
                        found=first,
                        judged=min(dates) if dates else None,
                        cause=Cause(
                            f"late {pointer}",
                            doc_name,
                            body,
                            _late(first, day),
                            subject=sub_id if isinstance(sub_id, str) else None,
                            noun=DOCUMENTS,
                        ),
                    )
                )
    return out


def _quiet(
    docs: list[dict[str, Any]],
    reach: Reach,
    to: Sequence[str],
    presence: bool,
    deadline: bool,
    due: dt.date | None,
    not_before: dt.date | None,
) -> bool | None:
    """For documents that have no finding: whether they count as checked; None when they
    may have a finding, or hold a value only the general steps judge (an id that is not a
    text, a date that is not a plain date): those steps then decide, and raise where they
    always did. Nothing here raises.

    As the general steps: for each body kind, the submissions of the documents (in their
    order) that reached one; none is a finding for `presence`; for a deadline, one of their
    dates must be in the window. Checked when `presence`, or when some body kind was reached.
    """
    reached: list[dict[str, list[Any]]] = []
    if len(docs) == 1:  # the usual case, and without a deadline a question of keys
        doc_id = docs[0].get("id")
        if type(doc_id) is not str:
            return None
        bodies = reach.get(doc_id)
        if not deadline:
            if not bodies:
                return None if presence else False
            if presence:
                for org_kind in to:
                    if org_kind not in bodies:
                        return None
                return True
            return any(org_kind in bodies for org_kind in to)
        if bodies:
            reached.append(bodies)
    else:
        for doc in docs:
            doc_id = doc.get("id")
            if type(doc_id) is not str:
                return None
            bodies = reach.get(doc_id)
            if bodies:
                reached.append(bodies)
    any_reached = False
    date = dt.date
    for org_kind in to:
        found = False
        ok = not deadline
        for bodies in reached:
            dates = bodies.get(org_kind)
            if dates is None:
                continue
            found = True
            if ok:
                break
            for d in dates:
                if type(d) is not date:
                    return None
                if (due is None or d <= due) and (not_before is None or d >= not_before):
                    ok = True
                    break
            if ok:
                break
        if not found:
            if presence:
                return None
            continue
        any_reached = True
        if not ok:
            return None
    return presence or any_reached


# --- the messages of merged findings (evaluate/grouping.py): what (documents) and to (bodies) --


def _unsent(what: Text, to: Text) -> Text:
    return Text(f"{what.zh}未报送{to.zh}", f"{what.en} not sent to {to.en}")


def _sent_to(_what: Text, to: Text) -> Text:
    return Text(f"报送{to.zh}", f"sent to {to.en}")


def _late(first: Text, day: str) -> Callable[[Text, Text], Text]:
    return lambda what, to: Text(
        f"{what.zh}报送{to.zh}，{first.zh}，晚于截止日 {day}",
        f"{what.en} reached {to.en} on {first.en}, after the deadline {day}",
    )


def _early(first: Text, bound: str) -> Callable[[Text, Text], Text]:
    return lambda what, to: Text(
        f"{what.zh}报送{to.zh}，{first.zh}，早于 {bound}（过早）",
        f"{what.en} reached {to.en} on {first.en}, before {bound} (too early)",
    )


def _undated(bound: str) -> Callable[[Text, Text], Text]:
    return lambda what, to: Text(
        f"{what.zh}报送{to.zh}未注明日期（应不早于 {bound}）",
        f"{what.en} reached {to.en} undated (on or after {bound} required)",
    )


class _LazyName:
    """A document's name in messages ("张三的发言提纲"), made when a finding first reads it."""

    __slots__ = ("_ctx", "_kind", "_owner", "_text")

    def __init__(self, ctx: Context, owner: str, kind: str) -> None:
        self._ctx, self._owner, self._kind = ctx, owner, kind
        self._text: Text | None = None

    def text(self) -> Text:
        if self._text is None:
            owner_name = self._ctx.name(self._owner)
            kind_label = self._ctx.label("document_kind", self._kind)
            self._text = Text(
                f"{owner_name.zh}的{kind_label.zh}", f"{owner_name.en}'s {kind_label.en}"
            )
        return self._text
