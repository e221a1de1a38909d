"""What every check kind returns (findings, an outcome) and the helpers they share to build findings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ...errors import FrozenValue, Severity, Text, Value, replace
from ...language.compiled import canonical
from ...language.messages import Failure
from ...language.paths import Path, field_values, key_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ...language.models import I18n, Spec
    from ..context import Context


ITEMS = Text("项", "items")


class Cause(FrozenValue):
    """What made a finding, so that the findings of one check with one cause are listed as one.

    The engine merges the findings of a check whose causes have the same ``key`` and that agree
    on everything but their subject and message (and ``expected`` when the cause rebuilds it):
    one late submission of 14 documents to 3 bodies is one finding, not 42. Each member says
    what it is about (``what``, a document) and to whom (``to``, a body); the merged message is
    ``message(whats, tos)`` with the members' lists joined (see evaluate/grouping.py).
    """

    key: str  # the causing object and the reason, e.g. "late /submissions/2"
    what: Text
    to: Text
    message: Callable[[Text, Text], Text]
    # The merged finding's `expected`, when the members' differ only by what or to.
    expected: Callable[[Text, Text], Text] | None
    subject: str | None  # the merged finding's subject: the causing object's id
    noun: Text  # counts a long list of `what`: "A等14份材料"

    def __init__(
        self,
        key: str,
        what: Text,
        to: Text,
        message: Callable[[Text, Text], Text],
        expected: Callable[[Text, Text], Text] | None = None,
        subject: str | None = None,
        noun: Text = ITEMS,
    ) -> None:
        self.__dict__.update(
            key=key,
            what=what,
            to=to,
            message=message,
            expected=expected,
            subject=subject,
            noun=noun,
        )


class Finding(FrozenValue):
    """One thing a check found wrong, before the engine adds waivers and status."""

    subject: str | None
    message: Text
    path: str | None
    due: dt.date | None
    severity: Severity | None  # overrides the rule's for this finding
    expected: Text | None
    found: Text | None
    # The recorded date whose breaking a date bound made this finding (internal, not reported):
    # the engine never reports it pending once that date is on or before --as-of.
    judged: dt.date | None
    cause: Cause | None

    def __init__(
        self,
        subject: str | None,
        message: Text,
        path: str | None = None,
        due: dt.date | None = None,
        severity: Severity | None = None,
        expected: Text | None = None,
        found: Text | None = None,
        judged: dt.date | None = None,
        cause: Cause | None = None,
    ) -> None:
        self.__dict__.update(
            subject=subject,
            message=message,
            path=path,
            due=due,
            severity=severity,
            expected=expected,
            found=found,
            judged=judged,
            cause=cause,
        )


class Outcome(Value):
    checked: int  # how many subjects the check looked at; 0 means not applicable
    findings: list[Finding]
    # Findings made as the engine reads them, after `findings` (pairs): a group of n people has
    # n·(n−1) ordered pairs, and the engine keeps only the first MAX_LISTED_FINDINGS.
    stream: Iterator[Finding] | None

    def __init__(
        self,
        checked: int = 0,
        findings: list[Finding] | None = None,
        stream: Iterator[Finding] | None = None,
    ) -> None:
        self.checked = checked
        self.findings = [] if findings is None else findings
        self.stream = stream


# --- helpers shared by the kinds ----------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(subject|expected|found|due|what)\}")


def fill_template(template: I18n, values: dict[str, Text]) -> Text:
    # A plain substitution, not str.format: a rule file must not reach attributes of objects.
    def sub(lang: str) -> Callable[[re.Match[str]], str]:
        return lambda m: values.get(m.group(1), Text("", "")).get(lang)

    return Text(PLACEHOLDER.sub(sub("zh"), template.zh), PLACEHOLDER.sub(sub("en"), template.en))


def what_text(spec: Spec, zh: str, en: str) -> Text:
    return Text.of(spec.what) if spec.what else Text(zh, en)


def plain_text(text: str) -> Text:
    return Text(text, text)


def make_finding(
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
    judged: dt.date | None = None,
    cause: Cause | None = None,
) -> Finding:
    message = default
    if spec.message is not None:
        template = spec.message

        def fill(name: Text, exp: Text | None) -> Text:
            return fill_template(
                template,
                {
                    "subject": name,
                    "expected": exp or Text("", ""),
                    "found": found or Text("", ""),
                    "due": plain_text(due.isoformat() if due else ""),
                    "what": what_text(spec, "", ""),
                },
            )

        message = fill(subject_name, expected)
        if cause is not None:
            # The author's message for the merged finding too: {subject} names the members.
            rebuild = cause.expected
            cause = replace(
                cause,
                message=lambda what, to: fill(
                    what, rebuild(what, to) if rebuild is not None else expected
                ),
            )
    return Finding(
        subject, message, path, due, severity or spec.severity, expected, found, judged, cause
    )


def join_failures(failures: list[Failure]) -> tuple[Text, Text]:
    expected = Text(
        "；".join(f.expected.zh for f in failures), "; ".join(f.expected.en for f in failures)
    )
    found = Text("；".join(f.found.zh for f in failures), "; ".join(f.found.en for f in failures))
    return expected, found


def detail_found(detail_zh: str, detail_en: str) -> Text:
    """The bracketed detail of a 'missing' message, as the finding's `found`, brackets removed."""
    zh = detail_zh[1:-1] if detail_zh.startswith("（") and detail_zh.endswith("）") else detail_zh
    en = detail_en.strip()
    en = en[1:-1] if en.startswith("(") and en.endswith(")") else en
    return Text(zh or "无", en or "none")


def first_cited(
    ctx: Context, rejected: list[tuple[Any, list[Failure]]]
) -> tuple[Any, list[Failure]]:
    """The non-counting item a finding cites: the smallest id, so list order changes nothing."""
    return min(rejected, key=lambda entry: str(subject_key_of(ctx, entry[0], None) or ""))


def check_due(ctx: Context, spec: Spec) -> dt.date | None:
    """The check's own `due`, resolved: the due date of its findings that have none of their own."""
    return spec.due.resolve(ctx) if spec.due is not None else None


def earliest_due(failures: Iterable[Failure]) -> dt.date | None:
    dues = [f.due for f in failures if f.due is not None]
    return min(dues) if dues else None


def field_pointer(base: str | None, failure: Failure) -> str | None:
    if base is None or not failure.field or "." in failure.field or failure.field.startswith("@"):
        return base
    return f"{base}/{failure.field}"


def subject_key_of(ctx: Context, item: Any, subject: Path | None) -> str | None:
    if subject is not None:
        found = subject.first(ctx, item)
        return None if found is None else str(key_of(found))
    if isinstance(item, dict):
        for name in ("id", "person", "title"):
            if isinstance(item.get(name), str):
                return str(item[name])
        return None
    return None if item is None else str(item)


def plain_values(
    index: Mapping[str, Any], current: list[Any], segments: Iterable[str]
) -> list[Any]:
    """`Path.values` of a path of plain fields (no ``@`` segment) from each of ``current``:
    an id resolves through the record's ``index`` to its object, then the field's value is
    extended (a list, None left out) or appended; anything else is left out. Written out for
    the kinds' per-record indexes, where `Path.values` made a call and a loop per object
    (tests/test_nine_fast.py compares the two)."""
    for seg in segments:
        current = field_values(index, current, seg)
    return current


def shared_bound(bound: Any) -> Any:
    """The first bound equal to ``bound`` (`compiled.canonical`), under which `DateSpec.resolve`
    keeps its date in the record's memo (``ctx.memos``), for a kind that reads it there
    without a call; None for no bound or one that depends on the object checked (it must be
    resolved). Worked out once per spec, in a kind's plan."""
    if bound is None or bound.relative:
        return None
    return canonical(bound)


def memo_bound(ctx: Context, bound: Any, shared: Any) -> Any:
    """``bound.resolve(ctx)`` (None for no bound), read from the record's memo under
    ``shared`` (`shared_bound`) when it is there already, as most checks' bounds are: one
    call where `DateSpec.resolve` made two and a closure."""
    if bound is None:
        return None
    if shared is not None:
        entry = ctx.memos.get(id(shared))
        if entry is not None and entry[0] is shared:
            return entry[1]
    return bound.resolve(ctx)
