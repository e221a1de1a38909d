"""Synthetic compliant records of any size, for benchmarks, property tests and load tests.

`compliant_record(members=N)` scales the default pack's example to a party group of N members
(the secretary included): every pair talks, every member criticises every other, every opinion
and criticism is taken up by a rectification item. The result passes every rule of the default
pack; its size grows with N² (talks and criticisms), as a real record's would.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from ..dates import add_days
from ..load.source import load_path
from ..pack.loader import DEFAULT_PACK, load_pack

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "建国秀芳志强文斌海燕立军春生国庆丽萍明华红梅晓东振华德明海涛俊杰家豪子涵雨轩思远梓萱"


def _name(i: int) -> str:
    surname = _SURNAMES[i % len(_SURNAMES)]
    given = _GIVEN[(i * 2) % len(_GIVEN)] + _GIVEN[(i * 2 + 1) % len(_GIVEN)]
    return f"{surname}{given}{'' if i < len(_SURNAMES) else i // len(_SURNAMES)}"


def _base() -> dict[str, Any]:
    pack = load_pack(DEFAULT_PACK)
    assert pack.example_path is not None
    data: dict[str, Any] = load_path(pack.example_path).data
    return data


def compliant_record(members: int = 5, shift_days: int = 0) -> dict[str, Any]:
    """A record of a party group of ``members`` people that the default pack finds compliant.

    ``shift_days`` moves every date of the record by the same number of days.
    """
    if members < 2:
        raise ValueError("a party group has at least two members")
    base = _base()
    rec: dict[str, Any] = {k: copy.deepcopy(v) for k, v in base.items()}
    ids = [f"p{i + 1}" for i in range(members)]
    secretary, others = ids[0], ids[1:]

    keep_people = [p for p in base["people"] if p["role"] in ("guide", "observer")]
    people: list[dict[str, Any]] = []
    departments: list[dict[str, Any]] = []
    for i, pid in enumerate(ids):
        dep, head = f"d{i + 1}", f"h{i + 1}"
        person: dict[str, Any] = {
            "id": pid,
            "name": _name(i),
            "role": "secretary" if pid == secretary else "member",
            "supervises": [dep],
        }
        if i == 1:
            person["has_inspection_feedback"] = True
        people.append(person)
        people.append(
            {"id": head, "name": _name(i + 500), "role": "department_head", "department": dep}
        )
        departments.append({"id": dep, "name": f"第{i + 1}处", "head": head})
    rec["people"] = people + keep_people
    rec["departments"] = departments

    meeting = rec["meeting"]
    meeting["chair"] = secretary
    meeting["attendees"] = ids + [p["id"] for p in keep_people]
    meeting["absences"] = []
    # Items 2 and 7 as the example states them (what they covered, issue 10); item 5 once per
    # other member, in turn.
    said = {a["kind"]: a for a in base["meeting"]["agenda"]}
    meeting["agenda"] = [
        {"kind": "preparation_report", "by": secretary},
        {**said["prior_rectification_report"], "by": secretary},
        {"kind": "guidance_remarks", "by": "g1"},
        {"kind": "group_check", "by": secretary},
        *[{"kind": "members_self_criticism", "by": pid} for pid in others],
        {**said["summary"], "by": secretary},
    ]
    meeting["self_criticisms"] = [
        {
            "person": pid,
            "on_behalf_of_group": pid == secretary,
            "text": "本人对照检查，存在理论学习不够深入的问题，根源在于党性修养不够。",
        }
        for pid in ids
    ]
    criticisms = []
    for a in ids:
        for b in ids:
            if a != b:
                criticisms.append(
                    {
                        "id": f"c-{a}-{b}",
                        "from": a,
                        "to": b,
                        "text": f"{b}同志调研不够深入，存在不足。",
                    }
                )
    meeting["criticisms"] = criticisms
    prior = [{"id": f"r-{pid}", "owner": pid, "text": "上年度整改事项"} for pid in ids]
    reports: list[dict[str, Any]] = []
    for pid in ids:
        reports.append(
            {
                "person": pid,
                "kind": "prior_rectification",
                "items": [{"item": f"r-{pid}", "status": "done"}],
            }
        )
        reports.append({"person": pid, "kind": "personal_matters"})
    reports.append({"person": ids[1], "kind": "inspection_explanation"})
    meeting["reports"] = reports

    fixed = [a for a in base["activities"] if a["kind"] not in ("self_study", "opinion_discussion")]
    self_study = [
        {
            "id": f"ss-{pid}",
            "kind": "self_study",
            "date": "2024-01-13",
            "days": 1,
            "person": pid,
            "chair": pid,
            "participants": [pid],
        }
        for pid in ids
    ]
    group_opinions = [o for o in base["opinions"] if o.get("target") == "group"]
    opinions = copy.deepcopy(group_opinions)
    solicitation = next(a["id"] for a in fixed if a["kind"] == "opinion_solicitation")
    for pid in ids:
        text = f"{pid}同志下基层调研偏少。"
        opinions.append(
            {
                "id": f"op-{pid}",
                "text": text,
                "form": "symposium",
                "audience": "cadres",
                "activity": solicitation,
                "target": pid,
                "feedback": {"by": secretary, "date": "2024-01-16", "text": text},
            }
        )
    discussion = {
        "id": "a-discuss",
        "kind": "opinion_discussion",
        "date": "2024-01-17",
        "chair": secretary,
        "participants": ids,
        "opinions": [o["id"] for o in group_opinions],
    }
    for activity in fixed:
        if activity.get("chair") in [
            p["id"] for p in base["people"] if p["role"] in ("secretary", "member")
        ]:
            activity["chair"] = secretary
        if activity["kind"] in ("mobilization_meeting", "group_study", "briefing_meeting"):
            # Meetings of the whole group (issue 10: quorum, every member at the briefing).
            known = {p["id"] for p in rec["people"]}
            activity["participants"] = ids + [
                p for p in activity.get("participants", []) if p in known and p not in ids
            ]
        elif "participants" in activity:
            activity["participants"] = [p for p in activity["participants"] if p in ids] or [
                secretary
            ]
    rec["activities"] = fixed + self_study + [discussion]
    rec["opinions"] = opinions

    talks = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            talks.append(
                {
                    "id": f"t-{a}-{b}",
                    "date": "2024-01-12",
                    "participants": [a, b],
                    "mode": "in_person",
                    "covers": ["work", "thought", "own_gaps", "others_shortcomings"],
                }
            )
        talks.append(
            {
                "id": f"t-{a}-h",
                "date": "2024-01-18",
                "participants": [a, f"h{i + 1}"],
                "mode": "in_person",
                "covers": ["work", "thought", "own_gaps", "others_shortcomings"],
            }
        )
    rec["talks"] = talks
    rec["talk_requests"] = [
        {
            "id": "tr1",
            "member": ids[1],
            "requested_by": "某干部",
            "date": "2024-01-12",
            "talk": f"t-{ids[1]}-h",
        }
    ]

    docs = [d for d in base["documents"] if d.get("owner") == "group"]
    for d in docs:
        if d.get("author") is not None:
            d["author"] = secretary
        if d.get("reviewed_by") is not None:
            d["reviewed_by"] = secretary
    for pid in ids:
        reviewed = (
            {} if pid == secretary else {"reviewed_by": secretary, "review_date": "2024-01-19"}
        )
        docs += [
            {
                "id": f"ol-{pid}",
                "kind": "opinion_list",
                "owner": pid,
                "date": "2024-01-16",
                "opinions": [f"op-{pid}"],
            },
            {"id": f"pl-{pid}", "kind": "problem_list", "owner": pid, "date": "2024-01-19"},
            {
                "id": f"so-{pid}",
                "kind": "speech_outline",
                "owner": pid,
                "author": pid,
                "date": "2024-01-19",
                "aspects": [1, 2, 3, 4, 5, 6],
                "topics": [
                    "personal_matters",
                    "family_employment",
                    "inspection_feedback",
                    "inquiry_letters",
                ],
                **reviewed,
            },
            {
                "id": f"rl-{pid}",
                "kind": "rectification_list",
                "owner": pid,
                "date": "2024-02-05",
                "includes_superior_issues": False,
                **(
                    {}
                    if pid == secretary
                    else {"reviewed_by": secretary, "review_date": "2024-02-06"}
                ),
            },
        ]
    rec["documents"] = docs
    by_kind: dict[str, list[str]] = {}
    for d in docs:
        by_kind.setdefault(f"{d['kind']}:{d['owner']}", []).append(d["id"])

    def doc(kind: str, owner: str) -> str:
        return by_kind[f"{kind}:{owner}"][0]

    rec["submissions"] = [
        {
            "id": "s-pre",
            "date": "2024-01-20",
            "to": ["o1", "o2"],
            "purpose": "pre_review",
            "documents": [
                doc("request_for_meeting", "group"),
                doc("implementation_plan", "group"),
                doc("opinion_list", "group"),
                *[f"ol-{p}" for p in ids],
                doc("check_material", "group"),
                f"so-{secretary}",
            ],
        },
        {
            "id": "s-review",
            "date": "2024-02-07",
            "to": ["o1", "o2"],
            "purpose": "review",
            "documents": [
                doc("rectification_plan", "group"),
                doc("rectification_list", "group"),
                f"rl-{secretary}",
            ],
        },
        {
            "id": "s-filing",
            "date": "2024-02-09",
            "to": ["o1", "o2", "o3"],
            "purpose": "filing",
            "documents": [
                doc("situation_report", "group"),
                doc("minutes", "group"),
                doc("check_material", "group"),
                doc("rectification_list", "group"),
                *[f"so-{p}" for p in ids],
                *[f"rl-{p}" for p in ids],
            ],
        },
    ]
    items = []
    for o in opinions:
        owner = o["target"]
        items.append(
            {
                "id": f"i-{o['id']}",
                "owner": owner,
                "problem": o["text"],
                "sources": [{"kind": "opinion", "ref": o["id"]}],
                "measure": "制定措施",
                "responsible": secretary if owner == "group" else owner,
                "due": "2024-06-30",
                "status": "open",
            }
        )
    for c in criticisms:
        items.append(
            {
                "id": f"i-{c['id']}",
                "owner": c["to"],
                "problem": c["text"],
                "sources": [{"kind": "criticism", "ref": c["id"]}],
                "measure": "制定措施",
                "responsible": c["to"],
                "due": "2024-06-30",
                "status": "open",
            }
        )
    # Problems each owner found himself, and the group's from superiors (issue 10: 六（一）).
    for owner in ["group", *ids]:
        items.append(
            {
                "id": f"i-self-{owner}",
                "owner": owner,
                "problem": "自己查摆的问题",
                "sources": [
                    {"kind": "self"},
                    *([{"kind": "superior"}] if owner == "group" else []),
                ],
                "measure": "制定措施",
                "responsible": secretary if owner == "group" else owner,
                "due": "2024-06-30",
                "status": "open",
            }
        )
    rec["rectification"] = {"prior_items": prior, "items": items}
    rec["waivers"] = []
    return shift_dates(rec, shift_days) if shift_days else rec


_DATE_KEYS = {"date", "planned_date", "review_date", "due", "closed_on", "expires"}


def shift_dates(value: Any, days: int) -> Any:
    """A copy of a record with every date moved by ``days`` (years and ids untouched)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in _DATE_KEYS and isinstance(v, str) and len(v) == 10:
                out[k] = add_days(dt.date.fromisoformat(v), days).isoformat()
            else:
                out[k] = shift_dates(v, days)
        return out
    if isinstance(value, list):
        return [shift_dates(v, days) for v in value]
    return value
