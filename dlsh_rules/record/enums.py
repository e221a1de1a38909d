"""The record format's enumerations, with the Chinese label of every value.

A value's Chinese label is accepted as an alias on input and shown in reports. A rule pack may
add values of its own (record-format.md); `EnumTable.extend` makes the table a pack validates
records with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from ..errors import FrozenValue, Text, describe

BASE: dict[str, dict[str, str]] = {
    "role": {
        "secretary": "党组书记",
        "member": "党组成员",
        "department_head": "处室/中心主要负责人",
        "guide": "到会指导的上级领导",
        "observer": "列席人员",
        "other": "其他人员",
        # language 2 (record-format additions): common units need these without an extension
        "party_member": "普通党员",
        "unit_head": "下属单位负责人",
        "branch_committee_member": "支部委员",
    },
    "org_kind": {
        "discipline_commission": "省纪委",
        "organization_department": "省委组织部",
        "organs_work_committee": "省直机关工委",
        "stationed_discipline_group": "驻厅纪检组",
        "other": "其他机构",
    },
    "represents": {
        "personnel_office": "人事处",
        "organ_party_committee": "机关党委",
        "organ_discipline_committee": "机关纪委",
    },
    "agenda_kind": {
        "preparation_report": "通报准备情况",
        "prior_rectification_report": "通报上次整改落实情况",
        "guidance_remarks": "指导同志提要求",
        "group_check": "代表党组作对照检查",
        "members_self_criticism": "成员依次自我批评",
        "summary": "总结",
    },
    "report_kind": {
        "prior_rectification": "上年度整改落实情况",
        "personal_matters": "个人有关事项",
        "inspection_explanation": "巡视反馈及约谈函询说明",
    },
    "item_status": {
        "done": "已完成",
        "in_progress": "正在整改",
        "not_started": "尚未整改",
    },
    "activity_kind": {
        "mobilization_meeting": "动员部署党组会议",
        "self_study": "个人自学",
        "group_study": "中心组集中学习研讨",
        "opinion_solicitation": "征求意见",
        "opinion_discussion": "党组书记召开会议讨论党组意见",
        "briefing_meeting": "情况通报会",
        # issue 10 (the seed plan to the letter): 八（三） publicity, 六（四） the campaign
        "publicity": "宣传",
        "special_rectification": "集中整治",
    },
    "form": {
        "symposium": "座谈会",
        "interview": "个别访谈",
        "questionnaire": "征求意见表",
        "suggestion_box": "征求意见箱",
        "online": "网络征询",
    },
    "audience": {
        "party_members": "党员",
        "cadres": "干部",
        "public": "群众",
    },
    "scope": {
        "bureau_organs": "局机关",
        "subordinate_bureaus": "市州局",
    },
    "attendee_group": {
        "bureau_leaders": "局领导",
        "subordinate_bureau_chiefs": "市县局长代表",
        "department_heads": "处室主要负责人",
        "deputy_chief_engineers": "副总工程师",
        "centre_directors": "中心主任",
        "retired_cadres": "老干部代表",
    },
    "talk_mode": {
        "in_person": "面对面",
        "phone": "电话",
        "video": "视频",
        "written": "书面",
    },
    "document_kind": {
        "notice": "上级通知",
        "request_for_meeting": "请示",
        "implementation_plan": "实施方案",
        "opinion_list": "征求意见清单",
        "problem_list": "整改问题清单",
        "check_material": "对照检查材料",
        "speech_outline": "发言提纲",
        "minutes": "会议记录",
        "situation_report": "情况报告",
        "rectification_plan": "整改方案",
        "rectification_list": "整改清单",
        "special_rectification_plan": "专项整治方案",
        "other": "其他材料",
    },
    "topic": {
        "personal_matters": "本人重大事项",
        "family_employment": "配偶子女从业",
        "inspection_feedback": "巡视反馈",
        "inquiry_letters": "组织约谈函询",
    },
    "purpose": {
        "pre_review": "会前审查",
        "review": "整改审阅",
        "filing": "备案",
    },
    "approval_subject": {
        "briefing": "召开情况通报会",
        "other": "其他事项",
    },
    "source_kind": {
        "opinion": "征求的意见",
        "criticism": "会上批评意见",
        "self": "自己查摆",
        "superior": "上级点明",
    },
    "rectification_status": {
        "open": "整改中",
        "closed": "已销号",
    },
    "meeting_method": {
        "in_person": "现场会议",
        "video": "视频会议",
        "hybrid": "现场与视频结合",
    },
    "approval_result": {
        "approved": "审核通过",
        "returned": "退回修改",
    },
    # --- issue 10 (the seed plan to the letter) ----------------------------------------------
    "notice_level": {
        "central": "中央",
        "provincial": "省级",
    },
    "plan_scope": {
        "leading_group": "党组班子",
        "division_leaders": "处级以上党员领导干部",
    },
    "talk_topic": {
        "work": "工作问题",
        "thought": "思想问题",
        "own_gaps": "自身差距",
        "others_shortcomings": "对方不足",
    },
    "agenda_topic": {
        "last_meeting_rectification": "上一次民主生活会整改落实情况",
        "two_studies_one_action_rectification": "“两学一做”后续整改落实情况",
        "unfinished_reasons": "未整改或整改不到位的原因",
        "rectification_attitude": "整改态度",
        "rectification_opinions": "整改意见",
    },
    "briefing_topic": {
        "meeting_situation": "民主生活会情况",
        "rectification_measures": "整改措施",
    },
}


# The enumerations of dlsh-record/1 before language 2. Messages label a value by the enumeration
# of the object it was read from when the record says which (language/messages.py `field_name`:
# a document's `kind: other` is 其他材料); only when it cannot, a value of these is labelled by the
# first enumeration holding it, as it always was, and a later one by the field's enumeration.
FIRST_MATCH = frozenset(
    {
        "role", "org_kind", "represents", "agenda_kind", "report_kind", "item_status",
        "activity_kind", "form", "audience", "scope", "attendee_group", "talk_mode",
        "document_kind", "topic", "purpose", "approval_subject", "source_kind",
        "rectification_status",
    }
)  # fmt: skip


def _frozen(table: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in table.items()})


_NONE: Mapping[str, Mapping[str, str]] = MappingProxyType({})


class EnumTable(FrozenValue):
    """Every enumeration's values and labels, and the alias map that normalises input.

    ``labels`` holds each value's Chinese label. ``english`` holds the English labels a pack
    gave (manifest `labels:`); a value without one is shown by its identifier, as always.
    ``former`` keeps the Chinese labels a pack replaced, so that records written with the record
    format's labels keep validating under a pack that relabels them.
    """

    labels: Mapping[str, Mapping[str, str]]
    english: Mapping[str, Mapping[str, str]]
    former: Mapping[str, Mapping[str, str]]

    def __init__(
        self,
        labels: Mapping[str, Mapping[str, str]] | None = None,
        english: Mapping[str, Mapping[str, str]] | None = None,
        former: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        labels = _frozen(BASE) if labels is None else labels
        self.__dict__.update(
            labels=labels,
            english=_NONE if english is None else english,
            former=_NONE if former is None else former,
        )
        aliases: dict[str, dict[str, str]] = {}
        for name, values in labels.items():
            table = {value: value for value in values}
            for value, label in values.items():
                table.setdefault(label, value)
            # A replaced label is an alias of last resort: identifiers and the labels in force
            # win over it.
            for value, label in self.former.get(name, {}).items():
                table.setdefault(label, value)
            aliases[name] = table
        object.__setattr__(self, "_aliases", aliases)

    def normalise(self, name: str, value: str) -> str | None:
        """The English identifier for ``value`` (identifier or Chinese label), or None.

        A label followed by an explanation in brackets, as copied from a form or a table
        (`整改问题清单（会前查摆）`), is the label.
        """
        aliases: dict[str, dict[str, str]] = self._aliases  # type: ignore[attr-defined]
        table = aliases[name]
        found = table.get(value)
        if found is None:
            bare = _EXPLAINED.fullmatch(value)
            if bare is not None:
                found = table.get(bare[1].strip())
        return found

    def suggest(self, name: str, value: object) -> list[str]:
        """The labels and identifiers closest to a wrong ``value``, best first ("did you mean")."""
        if not isinstance(value, str) or not value.strip():
            return []
        bare = _EXPLAINED.fullmatch(value)
        text = (bare[1] if bare is not None else value).strip()
        labels = self.labels[name]
        # Labels and identifiers are compared separately: a Chinese text is never close to an
        # identifier, and a misspelt identifier should be answered with identifiers.
        pool = list(labels.values()) if not text.isascii() else list(labels)
        import difflib  # only for a wrong value: a valid record never needs it

        close = difflib.get_close_matches(text, pool, n=3, cutoff=0.5)
        if not close and text.isascii():
            close = difflib.get_close_matches(text.lower().replace(" ", "_"), pool, n=3, cutoff=0.6)
        return close

    def alias_table(self) -> Mapping[str, Mapping[str, str]]:
        """Enumeration name -> {identifier or Chinese label: identifier}: `normalise` as data,
        for the record validator's generated code (plan.py), which reads it inline."""
        aliases: dict[str, dict[str, str]] = self._aliases  # type: ignore[attr-defined]
        return aliases

    def label(self, name: str, value: str) -> str:
        return self.labels.get(name, {}).get(value, value)

    def en_label(self, name: str, value: str) -> str:
        """How English messages show a value: the pack's English label, else the identifier."""
        given = self.english.get(name, {}).get(value)
        return given if given is not None else value.replace("_", " ")

    def relabelled(self, name: str, value: str) -> str | None:
        """The English label a pack gave ``value``, or None."""
        return self.english.get(name, {}).get(value)

    def values(self, name: str) -> list[str]:
        return list(self.labels[name])

    def choices(self, name: str, zh: bool = True) -> str:
        """The values of an enumeration with their Chinese labels, for "expected one of"."""
        if zh:
            # The label first: it is what a Chinese reader recognises, and it is accepted as is.
            return "、".join(f"{label}（{v}）" for v, label in self.labels[name].items())
        return ", ".join(f"{v} ({label})" for v, label in self.labels[name].items())

    def extend(self, extra: Mapping[str, Mapping[str, str]]) -> EnumTable:
        merged = {name: dict(values) for name, values in self.labels.items()}
        for name, values in extra.items():
            merged.setdefault(name, {}).update(values)
        return EnumTable(_frozen(merged), self.english, self.former)

    def relabel(self, new: Mapping[str, Mapping[str, tuple[str, str]]]) -> EnumTable:
        """This table with the (Chinese, English) labels of some values replaced."""
        labels = {name: dict(values) for name, values in self.labels.items()}
        english = {name: dict(values) for name, values in self.english.items()}
        former = {name: dict(values) for name, values in self.former.items()}
        for name, values in new.items():
            for value, (zh, en) in values.items():
                old = labels[name][value]
                if old != zh:
                    former.setdefault(name, {}).setdefault(value, old)
                labels[name][value] = zh
                english.setdefault(name, {})[value] = en
        return EnumTable(_frozen(labels), _frozen(english), _frozen(former))


DEFAULT = EnumTable()

# A value with an explanation in full-width or ASCII brackets after it.
_EXPLAINED = re.compile(r"(.+?)\s*[（(][^（）()]*[）)]\s*")


def enum_found(value: object, ctx: Mapping[str, object]) -> Text:
    """What a wrong enumeration value is shown as, with what it was probably meant to be."""
    shown = describe(value)
    close = ctx.get("suggestions")
    if not isinstance(close, str) or not close:
        return Text(shown, shown)
    names = close.split("\n")
    return Text(
        f"{shown}（您是否要写 {'、'.join(repr(c) for c in names)}？）",
        f"{shown} (did you mean {' or '.join(repr(c) for c in names)}?)",
    )
