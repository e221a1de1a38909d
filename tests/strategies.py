"""Hypothesis strategies: valid meeting records, from `synth.compliant_record` plus mutations.

A generated record starts as the compliant record of a party group of 2 to 30 members and then
goes through a few *mutations* (drop talks, criticisms, documents…; change talk modes and
dates; add absences and extra talks; write Chinese labels for enumerated values). Every mutation
keeps the record **valid**: whatever it removes, it also removes what referred to it (a dropped
criticism takes the rectification sources that cite it, a dropped talk the `talk` of the request
it answered, a dropped document its places in submissions and in conveyed lists…), so
`validate_record` must accept every generated record; a test that sees an `InputError` has found
a bug in this module, not in the engine.

Records are plain data as a YAML/JSON file holds them (dates are ``YYYY-MM-DD`` strings).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from dlsh_rules.authoring.synth import compliant_record

Record = dict[str, Any]

# One profile for every property test: no deadline (the first example of a size pays for
# building the compliant record), few examples by default so the file runs in well under a
# minute on two cores. DLSH_PROPERTY_EXAMPLES=500 runs a thorough session.
settings.register_profile(
    "dlsh-properties",
    max_examples=int(os.environ.get("DLSH_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROPERTY_SETTINGS = settings.get_profile("dlsh-properties")

# Party group sizes: mostly small (fast), sometimes up to the 30 the brief asks for.
MEMBERS = st.one_of(st.integers(2, 6), st.integers(2, 30))

# Lists whose order carries no meaning, as paths from the record's root.
UNORDERED_LISTS: tuple[tuple[str, ...], ...] = (
    ("talks",),
    ("opinions",),
    ("documents",),
    ("people",),
    ("activities",),
    ("submissions",),
    ("meeting", "criticisms"),
    ("rectification", "items"),
    ("invitations",),
    ("talk_requests",),
    ("approvals",),
    ("meeting", "attendees"),
)
# Lists whose order is part of what the plan asks (议程顺序, 书记带头).
ORDERED_LISTS: tuple[tuple[str, ...], ...] = (("meeting", "agenda"), ("meeting", "self_criticisms"))


@cache
def _compliant_json(members: int) -> str:
    return json.dumps(compliant_record(members), ensure_ascii=False)


def compliant(members: int) -> Record:
    """A fresh copy of the compliant record of ``members`` members (built once per size)."""
    data: Record = json.loads(_compliant_json(members))
    return data


@dataclass
class Case:
    """A generated record; its repr names the size and the mutations, not the whole record."""

    members: int
    steps: list[str]
    data: Record = field(repr=False)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how Hypothesis shows it
        printer.text(repr(self))


def get_list(data: Record, path: tuple[str, ...]) -> list[Any]:
    node: Any = data
    for key in path:
        node = node.setdefault(key, []) if key == path[-1] else node[key]
    assert isinstance(node, list)
    return node


def set_list(data: Record, path: tuple[str, ...], value: list[Any]) -> None:
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def shift_iso(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


def members_of(data: Record) -> list[str]:
    return [p["id"] for p in data["people"] if p["role"] in ("secretary", "member")]


def secretary_of(data: Record) -> str:
    found: str = next(p["id"] for p in data["people"] if p["role"] == "secretary")
    return found


def head_pairs(data: Record) -> set[frozenset[str]]:
    """(member, head of a department the member supervises), as unordered pairs."""
    heads = {d["id"]: d.get("head") for d in data.get("departments", [])}
    pairs = set()
    for person in data["people"]:
        if person["role"] in ("secretary", "member"):
            for dep in person.get("supervises", []):
                head = heads.get(dep)
                if head is not None and head != person["id"]:
                    pairs.add(frozenset((person["id"], head)))
    return pairs


# --- removing objects together with every reference to them ------------------------------------


def _pick(draw: st.DrawFn, items: list[Any], most: int) -> list[int]:
    """Indices of up to ``most`` distinct items (at least one when there is any)."""
    if not items:
        return []
    return sorted(
        draw(
            st.lists(
                st.integers(0, len(items) - 1),
                min_size=1,
                max_size=min(most, len(items)),
                unique=True,
            )
        )
    )


def _remove(items: list[Any], indices: list[int]) -> list[Any]:
    chosen = set(indices)
    return [item for i, item in enumerate(items) if i not in chosen]


def remove_talks(data: Record, ids: set[str]) -> None:
    data["talks"] = [t for t in data["talks"] if t["id"] not in ids]
    for request in data.get("talk_requests", []):
        if request.get("talk") in ids:
            del request["talk"]


def remove_sources(data: Record, ids: set[str], drop_empty_items: bool) -> None:
    """Drop rectification sources that cite ``ids`` (and the items left without any source)."""
    kept = []
    for item in data["rectification"]["items"]:
        before = len(item.get("sources", []))
        item["sources"] = [s for s in item.get("sources", []) if s.get("ref") not in ids]
        if drop_empty_items and before and not item["sources"]:
            continue
        kept.append(item)
    data["rectification"]["items"] = kept


def _drop_talks(data: Record, draw: st.DrawFn) -> str:
    talks = data["talks"]
    gone = {talks[i]["id"] for i in _pick(draw, talks, 8)}
    remove_talks(data, gone)
    return ",".join(sorted(gone))


def _drop_criticisms(data: Record, draw: st.DrawFn) -> str:
    criticisms = data["meeting"]["criticisms"]
    indices = _pick(draw, criticisms, 6)
    gone = {criticisms[i]["id"] for i in indices}
    data["meeting"]["criticisms"] = _remove(criticisms, indices)
    remove_sources(data, gone, drop_empty_items=draw(st.booleans()))
    return ",".join(sorted(gone))


def _drop_opinions(data: Record, draw: st.DrawFn) -> str:
    opinions = data["opinions"]
    indices = _pick(draw, opinions, 4)
    gone = {opinions[i]["id"] for i in indices}
    data["opinions"] = _remove(opinions, indices)
    # Activities that discussed them and lists that sort them (documents[].opinions, issue 10).
    for holder in [*data["activities"], *data["documents"]]:
        if "opinions" in holder:
            holder["opinions"] = [o for o in holder["opinions"] if o not in gone]
    remove_sources(data, gone, drop_empty_items=draw(st.booleans()))
    return ",".join(sorted(gone))


def _drop_documents(data: Record, draw: st.DrawFn) -> str:
    documents = data["documents"]
    indices = _pick(draw, documents, 4)
    gone = {documents[i]["id"] for i in indices}
    data["documents"] = _remove(documents, indices)
    for submission in data["submissions"]:
        submission["documents"] = [d for d in submission.get("documents", []) if d not in gone]
    for activity in data["activities"]:
        if "conveyed" in activity:
            activity["conveyed"] = [d for d in activity["conveyed"] if d not in gone]
    return ",".join(sorted(gone))


def _drop_activities(data: Record, draw: st.DrawFn) -> str:
    activities = data["activities"]
    indices = _pick(draw, activities, 3)
    gone = {activities[i]["id"] for i in indices}
    data["activities"] = _remove(activities, indices)
    for opinion in data["opinions"]:
        if opinion.get("activity") in gone:
            del opinion["activity"]
    return ",".join(sorted(gone))


def _drop_prior_items(data: Record, draw: st.DrawFn) -> str:
    prior = data["rectification"]["prior_items"]
    indices = _pick(draw, prior, 2)
    gone = {prior[i]["id"] for i in indices}
    data["rectification"]["prior_items"] = _remove(prior, indices)
    for report in data["meeting"]["reports"]:
        if "items" in report:
            report["items"] = [i for i in report["items"] if i["item"] not in gone]
    return ",".join(sorted(gone))


def _drop_plain(path: tuple[str, ...], most: int) -> Callable[[Record, st.DrawFn], str]:
    """Drop entries of a list nothing refers to (submissions, approvals, self-criticisms…)."""

    def drop(data: Record, draw: st.DrawFn) -> str:
        items = get_list(data, path)
        indices = _pick(draw, items, most)
        set_list(data, path, _remove(items, indices))
        return f"{'.'.join(path)}{indices}"

    return drop


# --- changing values ----------------------------------------------------------------------------

TALK_MODES = ["in_person", "phone", "video", "written", "面对面", "电话", "视频"]


def _talk_mode(data: Record, draw: st.DrawFn) -> str:
    if not data["talks"]:
        return "no talks"
    talk = draw(st.sampled_from(data["talks"]))
    talk["mode"] = draw(st.sampled_from(TALK_MODES))
    return f"{talk['id']}={talk['mode']}"


def _shift_dates_of(path: tuple[str, ...]) -> Callable[[Record, st.DrawFn], str]:
    def shift(data: Record, draw: st.DrawFn) -> str:
        items = [i for i in get_list(data, path) if isinstance(i, dict) and i.get("date")]
        if not items:
            return "nothing dated"
        item = draw(st.sampled_from(items))
        days = draw(st.integers(-25, 25))
        item["date"] = shift_iso(item["date"], days)
        return f"{item.get('id', '?')}{days:+d}d"

    return shift


def _meeting_date(data: Record, draw: st.DrawFn) -> str:
    days = draw(st.integers(-20, 20))
    data["meeting"]["date"] = shift_iso(data["meeting"]["date"], days)
    return f"{days:+d}d"


def _extra_talk(data: Record, draw: st.DrawFn) -> str:
    people = [p["id"] for p in data["people"]]
    participants = draw(st.lists(st.sampled_from(people), min_size=1, max_size=3))
    tid = _new_id(data, "tx")
    talk: dict[str, Any] = {
        "id": tid,
        "participants": participants,
        "mode": draw(st.sampled_from(TALK_MODES)),
    }
    if draw(st.booleans()):
        talk["date"] = shift_iso(data["meeting"]["date"], draw(st.integers(-25, 5)))
    data["talks"].append(talk)
    return f"{tid}:{participants}"


def _new_id(data: Record, prefix: str) -> str:
    used = {str(obj.get("id")) for key in ("talks", "activities") for obj in data.get(key, [])}
    return next(f"{prefix}{i}" for i in range(len(used) + 1) if f"{prefix}{i}" not in used)


def _duplicate_talk(data: Record, draw: st.DrawFn) -> str:
    """A second talk between the same two people, in a drawn mode and on a drawn date."""
    if not data["talks"]:
        return "no talks"
    source = draw(st.sampled_from(data["talks"]))
    if draw(st.booleans()):  # so that neither talk counts
        source["mode"] = draw(st.sampled_from(["phone", "video", "written"]))
    talk = copy.deepcopy(source)
    original = talk["id"]
    talk["id"] = _new_id(data, "tdup")
    talk["mode"] = draw(st.sampled_from(TALK_MODES))
    talk["participants"] = list(draw(st.permutations(talk["participants"])))
    if talk.get("date"):
        talk["date"] = shift_iso(talk["date"], draw(st.integers(-5, 15)))
    data["talks"].append(talk)
    return f"{talk['id']}~{original} mode={talk['mode']}"


def _duplicate_activity(data: Record, draw: st.DrawFn) -> str:
    """A second activity like an existing one (another self-study day, another session…)."""
    activity = copy.deepcopy(draw(st.sampled_from(data["activities"])))
    original = activity["id"]
    activity["id"] = _new_id(data, "adup")
    if activity.get("date"):
        activity["date"] = shift_iso(activity["date"], draw(st.integers(-20, 20)))
    if draw(st.booleans()):
        activity["days"] = draw(st.integers(0, 3))
    data["activities"].append(activity)
    return f"{activity['id']}~{original}"


def _absence(data: Record, draw: st.DrawFn) -> str:
    person = draw(st.sampled_from(members_of(data)))
    approved = draw(st.booleans())
    data["meeting"]["absences"].append(
        {"person": person, "reason": "出差", "leave_approved": approved}
    )
    if draw(st.booleans()):
        attendees = data["meeting"]["attendees"]
        data["meeting"]["attendees"] = [a for a in attendees if a != person]
    return f"{person} leave_approved={approved}"


def _hope_only_criticism(data: Record, draw: st.DrawFn) -> str:
    criticisms = data["meeting"]["criticisms"]
    if not criticisms:
        return "no criticisms"
    criticism = draw(st.sampled_from(criticisms))
    criticism["text"] = "希望今后多下基层。"
    return str(criticism["id"])


def _chinese_labels(data: Record, draw: st.DrawFn) -> str:
    """Write enumerated values as their Chinese labels, which the loader accepts as aliases."""
    labels = {"in_person": "面对面", "phone": "电话", "symposium": "座谈会"}
    changed = 0
    for talk in data["talks"]:
        if talk.get("mode") in labels and draw(st.booleans()):
            talk["mode"] = labels[talk["mode"]]
            changed += 1
    for opinion in data["opinions"]:
        if opinion.get("form") in labels and draw(st.booleans()):
            opinion["form"] = labels[opinion["form"]]
            changed += 1
    return f"{changed} labels"


MUTATIONS: dict[str, Callable[[Record, st.DrawFn], str]] = {
    "drop_talks": _drop_talks,
    "drop_criticisms": _drop_criticisms,
    "drop_opinions": _drop_opinions,
    "drop_documents": _drop_documents,
    "drop_activities": _drop_activities,
    "drop_prior_items": _drop_prior_items,
    "drop_submissions": _drop_plain(("submissions",), 2),
    "drop_approvals": _drop_plain(("approvals",), 2),
    "drop_invitations": _drop_plain(("invitations",), 2),
    "drop_self_criticisms": _drop_plain(("meeting", "self_criticisms"), 2),
    "drop_attendees": _drop_plain(("meeting", "attendees"), 3),
    "drop_rectification_items": _drop_plain(("rectification", "items"), 5),
    "talk_mode": _talk_mode,
    "talk_date": _shift_dates_of(("talks",)),
    "activity_date": _shift_dates_of(("activities",)),
    "document_date": _shift_dates_of(("documents",)),
    "submission_date": _shift_dates_of(("submissions",)),
    "meeting_date": _meeting_date,
    "extra_talk": _extra_talk,
    "duplicate_talk": _duplicate_talk,
    "duplicate_activity": _duplicate_activity,
    "absence": _absence,
    "hope_only_criticism": _hope_only_criticism,
    "chinese_labels": _chinese_labels,
}


@st.composite
def records(
    draw: st.DrawFn,
    members: st.SearchStrategy[int] = MEMBERS,
    max_mutations: int = 5,
    first: tuple[str, ...] = (),
) -> Case:
    """A valid record: a compliant one of a drawn size, then up to ``max_mutations`` changes.

    ``first`` names mutations applied before the drawn ones (e.g. ``("drop_talks",)`` to be
    sure some pairs lack a talk).
    """
    size = draw(members)
    data = compliant(size)
    steps = []
    names = [*first, *draw(st.lists(st.sampled_from(sorted(MUTATIONS)), max_size=max_mutations))]
    for name in names:
        steps.append(f"{name}({MUTATIONS[name](data, draw)})")
    return Case(size, steps, data)


@st.composite
def reordered(draw: st.DrawFn, data: Record, paths: tuple[tuple[str, ...], ...]) -> Record:
    """A copy of ``data`` with each list at ``paths`` in a drawn order."""
    out = copy.deepcopy(data)
    for path in paths:
        items = get_list(out, path)
        if len(items) > 1:
            set_list(out, path, list(draw(st.permutations(items))))
    return out


# --------------------------------------------------------------------------------------------
# Issue 12: hostile values for the reliability properties (tests/test_properties.py)

# Characters no input may carry and no view may show raw (docs/security.md), and some that are
# harmless, so that a drawn text mixes both.
CONTROL_CHARS = (
    [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]
    + [chr(c) for c in range(0x80, 0xA0)]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFFFE, 0xFFFF)]
)
INJECTIONS = (
    "\n::error::pwned",
    "\r\n共 53 条规则 —— 合规",
    "\x1b[2J",
    "%0A::warning::x",
    "\u2028",
)

hostile_text = st.builds(
    lambda head, bad, tail: head + bad + tail,
    st.text(max_size=8),
    st.one_of(st.sampled_from(CONTROL_CHARS), st.sampled_from(INJECTIONS)),
    st.text(max_size=8),
)

# Date offsets of a pack: mostly near the allowed bounds (±36600 days, ±1200 months), sometimes
# anywhere an int64 reaches.
OFFSET_DAYS = st.one_of(
    st.integers(-36_602, -36_598), st.integers(36_598, 36_602), st.integers(-(2**63), 2**63)
)
OFFSET_MONTHS = st.one_of(
    st.integers(-1_202, -1_198), st.integers(1_198, 1_202), st.integers(-(2**63), 2**63)
)

# Anything a caller might pass to a library function by mistake.
api_values: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.dates(),
    st.datetimes(),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(object()),
)


def string_slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every string value of plain data (not keys)."""
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in string_slots(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in string_slots(v, (*path, i))]
    return []


def set_at(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def without_talks(members: int) -> Record:
    """The compliant record of ``members`` with no talk at all: every pair rule fails for every
    pair, the fan-out at its widest for the group's size."""
    data = compliant(members)
    data["talks"] = []
    for request in data.get("talk_requests", []):
        request.pop("talk", None)
    return data
