"""The 9 rules of issue 13 written by hand in plain Python: the yardstick of bench/vs_handwritten.py.

    prep.talks.secretary_members, prep.talks.member_pairs, prep.talks.department_heads,
    prep.talks.form, prep.talks.deadline, meeting.mutual_criticism, prep.submission.complete,
    prep.submission.deadline, followup.report

as a programmer would write them for provincial-bureau-2024 without a rule engine: the plan's
numbers and lists are constants here, every loop is plain Python, no message is written. The
result of each rule is its *verdict*: the status the engine would give (passed, failed, pending,
not_applicable), the level of a failed rule and the subjects of its findings (one per document
and body, before the report lists the findings of one cause as one). tests/test_bench_handwritten.py requires these
verdicts to be the pack's on every case of the pack and on the benchmark's records, so that the
comparison is between two programs that decide the same thing.

What it reads (the choice the benchmark rests on). `check_record(data)` takes a record's *data*,
either of two forms, with the same code:

* the data of a validated record (`RecordData.data`: dates are `datetime.date`, items marked
  `todo` already left out) — the denominator of "check ÷ hand-written", whose numerator is
  `check` on the same loaded record;
* the plain parsed document (`json.loads` of the file: dates are ISO strings, `todo` items still
  there) — the denominator of "load_record + check ÷ hand-written", whose numerator validates
  that same dict and then checks it.

A hand-written checker would get the parsed document and trust it: it validates nothing (no
types, no ids, no references), so it only skips `todo` items and turns the date strings it reads
into dates. That is what a program without a rule engine costs; the engine's validation is the
price of exact error messages for bad input, and the second ratio counts it on purpose.

Left out, because the benchmark and the pack's cases never use them: waivers (a record's
`waivers` list; none of the records here has one) and the report itself (titles, messages,
positions). Nothing here is imported by the package.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

RULES = (
    "prep.talks.secretary_members",
    "prep.talks.member_pairs",
    "prep.talks.department_heads",
    "prep.talks.form",
    "prep.talks.deadline",
    "meeting.mutual_criticism",
    "prep.submission.complete",
    "prep.submission.deadline",
    "followup.report",
)

# The plan's dates as offsets from the meeting day D (pack.yaml: talks_due, submission_due,
# report_due), and its lists of documents and bodies (pre_review_*, filing_to).
TALKS_DUE = -10
SUBMISSION_DUE = -10
REPORT_DUE = 15
REPORT_NOT_BEFORE = 1
PRE_REVIEW_TO = ("discipline_commission", "organization_department")
FILING_TO = ("discipline_commission", "organization_department", "organs_work_committee")
GROUP = "group"

# A verdict: (status, level when failed, sorted subjects of the findings).
Verdict = tuple[str, "str | None", tuple[str, ...]]
# A finding: (subject, due date, the date that broke the bound or None, severity).
Finding = tuple[str, dt.date, "dt.date | None", str]
RANK = {"info": 0, "warning": 1, "error": 2}


def _day(value: Any) -> dt.date | None:
    """A date of either form of the data (see the module's docstring)."""
    if type(value) is str:
        return dt.date.fromisoformat(value)
    return value  # type: ignore[no-any-return]


def _live(items: Any) -> list[dict[str, Any]]:
    """The items the rules read: those marked `todo` are not recorded yet."""
    return [i for i in items or () if i.get("todo") is not True]


def _verdict(findings: list[Finding], checked: int, as_of: dt.date | None) -> Verdict:
    """The engine's status rule: no finding → passed (or not_applicable when nothing was
    checked); a finding is pending while its due date and the date it judged are after as_of;
    a failed rule's level is the highest severity of a finding that is not pending."""
    subjects = tuple(sorted(f[0] for f in findings))
    if not findings:
        return ("passed" if checked else "not_applicable"), None, subjects
    due_now = [
        severity
        for _, due, judged, severity in findings
        if not (as_of is not None and due > as_of and (judged is None or judged > as_of))
    ]
    if not due_now:
        return "pending", None, subjects
    return "failed", max(due_now, key=RANK.__getitem__), subjects


def check_record(data: dict[str, Any], as_of: dt.date | None = None) -> dict[str, Verdict]:
    """The verdicts of the 9 rules on one record's data."""
    meeting = data["meeting"]
    day = _day(meeting["date"])
    assert day is not None
    talks_due = day + dt.timedelta(days=TALKS_DUE)
    submission_due = day + dt.timedelta(days=SUBMISSION_DUE)
    report_due = day + dt.timedelta(days=REPORT_DUE)
    report_not_before = day + dt.timedelta(days=REPORT_NOT_BEFORE)

    people = _live(data.get("people"))
    secretary = [p["id"] for p in people if p["role"] == "secretary"]
    others = [p["id"] for p in people if p["role"] == "member"]
    members = [p["id"] for p in people if p["role"] in ("secretary", "member")]
    heads = {d["id"]: d.get("head") for d in _live(data.get("departments"))}
    attendees = set(meeting.get("attendees") or ())
    on_leave = {
        a["person"]
        for a in _live(meeting.get("absences"))
        if a.get("leave_approved") is True and a["person"] not in attendees
    }
    present = [m for m in members if m not in on_leave]

    # The three mandatory talks, as unordered pairs (a, b) with a < b.
    def key(a: str, b: str) -> tuple[str, str]:
        return (a, b) if a < b else (b, a)

    star = {key(s, o) for s in secretary for o in others if s != o}
    all_pairs = {key(a, b) for i, a in enumerate(members) for b in members[i + 1 :] if a != b}
    supervised = set()
    for p in people:
        if p["role"] in ("secretary", "member"):
            for dept in p.get("supervises") or ():
                head = heads.get(dept)
                if head is not None and head != p["id"]:
                    supervised.add(key(p["id"], head))

    # Talks: one pass. A talk counts when it is in person between exactly two people; the
    # earliest date of the counting talks of each pair, for the deadline.
    talks = _live(data.get("talks"))
    earliest: dict[tuple[str, str], dt.date | None] = {}
    wrong_form: list[dict[str, Any]] = []
    for talk in talks:
        who = talk.get("participants") or []
        if talk.get("mode") == "in_person" and len(who) == 2:
            a, b = who
            if a != b:
                pair = key(a, b)
                held = _day(talk.get("date"))
                if pair not in earliest:
                    earliest[pair] = held
                elif held is not None:
                    seen = earliest[pair]
                    earliest[pair] = held if seen is None or held < seen else seen
        else:
            wrong_form.append(talk)

    def missing(required: set[tuple[str, str]]) -> list[Finding]:
        return [
            (f"{a}~{b}", talks_due, None, "error") for a, b in required if (a, b) not in earliest
        ]

    late: list[Finding] = []
    mandatory = star | all_pairs | supervised
    for pair in mandatory:
        if pair in earliest:
            held = earliest[pair]
            if held is None or held > talks_due:
                late.append((f"{pair[0]}~{pair[1]}", talks_due, held, "error"))

    # A talk that does not count is an error when a mandatory pair it is between has no talk
    # that counts, else information only.
    form: list[Finding] = []
    for talk in wrong_form:
        who = sorted(set(talk.get("participants") or ()))
        needed = any(
            (a, b) in mandatory and (a, b) not in earliest
            for i, a in enumerate(who)
            for b in who[i + 1 :]
        )
        form.append((talk["id"], talks_due, None, "error" if needed else "info"))

    # Mutual criticism: every ordered pair of members present.
    said = {(c.get("from"), c.get("to")) for c in _live(meeting.get("criticisms"))}
    criticism = [
        (f"{a}>{b}", day, None, "error")
        for a in present
        for b in present
        if a != b and (a, b) not in said
    ]
    n_present = len(present)

    # Documents and what was sent where.
    documents: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for doc in _live(data.get("documents")):
        documents.setdefault((doc["kind"], str(doc.get("owner"))), []).append(doc)
    org_kind = {o["id"]: o["kind"] for o in _live(data.get("orgs"))}
    sent: dict[str, dict[str, list[dict[str, Any]]]] = {"pre_review": {}, "filing": {}}
    for sub in _live(data.get("submissions")):
        by_doc = sent.get(sub.get("purpose"))  # type: ignore[arg-type]
        if by_doc is not None:
            for doc_id in sub.get("documents") or ():
                by_doc.setdefault(doc_id, []).append(sub)

    def delivered(
        wanted: list[tuple[str, str]],
        to: tuple[str, ...],
        by_doc: dict[str, list[dict[str, Any]]],
        due: dt.date,
        not_before: dt.date | None,
        presence: bool,
        deadline: bool,
    ) -> tuple[list[Finding], int]:
        """Findings, and how many documents were checked: all of them for presence, only those
        sent to one of the bodies for a deadline alone."""
        found: list[Finding] = []
        checked = 0
        for kind, owner in wanted:
            docs = documents.get((kind, owner), [])
            reached: dict[str, list[dt.date]] = {}  # body -> dates sent
            for doc in docs:
                for sub in by_doc.get(doc["id"], ()):
                    targets = sub.get("to")
                    if isinstance(targets, str):
                        targets = [targets]
                    for target in targets or ():
                        body = org_kind.get(target)
                        if body in to:
                            dates = reached.setdefault(body, [])
                            if sub.get("date") is not None:
                                dates.append(_day(sub["date"]))  # type: ignore[arg-type]
            if presence or reached:
                checked += 1
            if not docs:
                if presence:
                    found.append((f"{owner}:{kind}", due, None, "error"))
                continue
            for body in to:
                subject = f"{docs[0]['id']}>{body}"
                if body not in reached:
                    if presence:
                        found.append((subject, due, None, "error"))
                    continue
                if not deadline:
                    continue
                dates = reached[body]
                if any(d <= due and (not_before is None or d >= not_before) for d in dates):
                    continue
                early = [d for d in dates if not_before is not None and d < not_before]
                if early:
                    found.append((subject, due, min(early), "error"))
                else:
                    found.append((subject, due, min(dates) if dates else None, "error"))
        return found, checked

    owners = [GROUP, *members]
    pre_review = [
        ("request_for_meeting", GROUP),
        ("implementation_plan", GROUP),
        *(("opinion_list", o) for o in owners),
        ("check_material", GROUP),
        *(("speech_outline", s) for s in secretary),
    ]
    filing = [
        ("situation_report", GROUP),
        ("minutes", GROUP),
        ("check_material", GROUP),
        ("rectification_list", GROUP),
        *(("speech_outline", m) for m in members),
        *(("rectification_list", m) for m in members),
    ]
    pre = sent["pre_review"]
    complete = delivered(pre_review, PRE_REVIEW_TO, pre, submission_due, None, True, False)
    in_time = delivered(pre_review, PRE_REVIEW_TO, pre, submission_due, None, False, True)
    report = delivered(filing, FILING_TO, sent["filing"], report_due, report_not_before, True, True)
    return {
        "prep.talks.secretary_members": _verdict(missing(star), len(star), as_of),
        "prep.talks.member_pairs": _verdict(missing(all_pairs), len(all_pairs), as_of),
        "prep.talks.department_heads": _verdict(missing(supervised), len(supervised), as_of),
        "prep.talks.form": _verdict(form, len(talks), as_of),
        "prep.talks.deadline": _verdict(late, len(mandatory), as_of),
        "meeting.mutual_criticism": _verdict(criticism, n_present * (n_present - 1), as_of),
        "prep.submission.complete": _verdict(*complete, as_of),
        "prep.submission.deadline": _verdict(*in_time, as_of),
        "followup.report": _verdict(*report, as_of),
    }
