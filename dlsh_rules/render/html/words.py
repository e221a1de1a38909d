"""The HTML report's words in both languages. The templates escape what they print (autoescape);
`esc` is the same escaping for callers of the library that build HTML of their own."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ...errors import Text
from .. import visible

if TYPE_CHECKING:
    from ...evaluate.results import RuleResult

Pair = tuple[str, str]


def esc(value: object) -> str:
    return html.escape(visible(str(value), lines=True), quote=True)


# Punctuation: full-width in Chinese, ASCII with spaces in English.
_PUNCT = {
    "zh": {"colon": "：", "open": "（", "close": "）", "list": "、", "semi": "；", "comma": "，"},
    "en": {"colon": ": ", "open": " (", "close": ")", "list": ", ", "semi": "; ", "comma": ", "},
}


def punct(lang: str, key: str) -> str:
    return _PUNCT["en" if lang == "en" else "zh"][key]


def clause_text(lang: str, clause: str) -> str:
    return f"[{clause}]" if lang == "en" else f"［{clause}］"


def paren(lang: str, text: str) -> str:
    return f"{punct(lang, 'open')}{text}{punct(lang, 'close')}"


# --- words -------------------------------------------------------------------------------------

W: dict[str, Text] = {
    "report": Text("民主生活会合规检查报告", "Democratic life meeting: compliance report"),
    "meeting": Text("民主生活会", "democratic life meeting"),
    "unit": Text("单位", "Unit"),
    "party_org": Text("党组织", "Party organisation"),
    "date": Text("会议日期", "Meeting date"),
    "planned": Text("计划日期", "planned"),
    "theme": Text("会议主题", "Theme"),
    "chair": Text("主持人", "Chair"),
    "pack": Text("规则包", "Rule pack"),
    "source": Text("记录文件", "Record file"),
    "as_of": Text("检查日期", "Checked as of"),
    "check_date": Text("检查日期", "Date of the check"),
    "judged_as_of": Text("到期判断日", "Deadlines judged as of"),
    "blank_date": Text("＿＿＿＿年＿＿月＿＿日", "____-__-__"),
    "verdict": Text("结论", "Verdict"),
    "compliant": Text("合规", "Compliant"),
    "not_compliant": Text("不合规", "Not compliant"),
    "broken": Text("无法检查", "Cannot be checked"),
    "timeline": Text("时间线：会前准备与会后工作", "Timeline: preparation and follow-up"),
    "talks": Text("谈心谈话矩阵（三必谈）", "Talk matrix (the mandatory talks)"),
    "criticisms": Text("相互批评矩阵", "Criticism matrix"),
    "findings": Text("逐条结论与问题", "Rules and findings"),
    "unused": Text("未生效的豁免", "Waivers that did not apply"),
    "index": Text("记录一览", "Records"),
    "no_record": Text(
        "未提供记录内容，无法绘制本节。", "The record itself was not provided; nothing to draw."
    ),
    "deadline": Text("截止", "Deadline"),
    "event": Text("记录中的事项", "In the record"),
    "status": Text("状态", "Status"),
    "rule": Text("规则", "Rule"),
    "title": Text("要求", "Requirement"),
    "clause": Text("条款", "Clause"),
    "subject": Text("对象", "Subject"),
    "problem": Text("问题", "Finding"),
    "expected": Text("应为", "Expected"),
    "found": Text("实际", "Found"),
    "due": Text("截止", "Due"),
    "where": Text("位置", "Location"),
    "critic": Text("批评者 ＼ 被批评者", "critic \\ criticised"),
    "talker": Text("党组成员 ＼ 谈话对象", "member \\ talked with"),
    "members": Text("党组成员", "Party group members"),
    "heads": Text("分管处室（中心）主要负责人", "Heads of supervised departments"),
    "missing_talks": Text("缺少的必谈", "Missing mandatory talks"),
    "missing_criticisms": Text("缺少的批评", "Missing criticisms"),
    "flagged": Text("有问题的", "Flagged"),
    "waived_pairs": Text("已豁免的", "Waived"),
    "pending_pairs": Text("尚未到期的", "Not yet due"),
    "all_passed": Text("本阶段全部规则通过。", "Every rule of this phase passed."),
    "generated": Text("由 dlsh_rules {v} 生成", "Made by dlsh_rules {v}"),
    "on_leave": Text("请假", "on leave"),
    "not_counted": Text("，不计入", ", does not count"),
    "day": Text("日期", "Date"),
    "absent": Text("缺席", "absent"),
    "meeting_held": Text("召开民主生活会", "The meeting is held"),
    "meeting_planned": Text("计划召开日期", "Planned meeting date"),
    "as_of_row": Text(
        "检查日期（此后的截止尚未到期）", "Checked as of (later deadlines not yet due)"
    ),
    "talk_word": Text("谈心谈话", "talks"),
    "in_person": Text("面对面", "in person"),
    "submission": Text("报送", "Sent"),
    "documents_n": Text("份材料", "documents"),
    "approval": Text("审查同意", "approves"),
    "invitation": Text("邀请上级机关到会指导", "Bodies invited to guide the meeting"),
    "feedback": Text("个人意见反馈本人", "Opinions fed back to members"),
    "review": Text("审阅", "Reviewed: "),
    "institution": Text("完善修订制度", "Institution revised"),
    "waived_by": Text("已豁免：{r}；批准：{a}", "waived: {r}; approved by {a}"),
    "more": Text("另有 {n} 项", "{n} more"),
    "organisations": Text(
        "组织规则（按党组织统计本次检查的全部记录）",
        "Organisation rules (over the records of each party organisation in this run)",
    ),
    "org_records": Text("份记录", "records"),
    "periods": Text("各时段会议数", "Meetings per period"),
    "counted": Text("计入的记录", "Records counted"),
    "org_unused": Text("未生效的组织规则豁免", "Organisation waivers that did not apply"),
    # signature and stamp block
    "sign": Text("签署", "Signatures"),
    "checker": Text("检查人", "Checked by"),
    "reviewer": Text("审核人", "Reviewed by"),
    "sign_date": Text("日期", "Date"),
    "seal": Text("盖章", "Seal"),
    "seal_note": Text("（单位盖章）", "(seal of the unit)"),
    # the technical appendix: what programs and the checker's operators need, not officials
    "appendix": Text("技术附录", "Technical appendix"),
    "appendix_note": Text(
        "本附录供技术人员核对使用：规则编号、记录中的位置（JSON 指针、文件:行:列）与记录内编号。",
        "For technical staff: rule ids, where each finding stands in the record (JSON pointer, "
        "file:line:column) and the record's own ids.",
    ),
    "see_appendix": Text("技术附录 {n}", "appendix {n}"),
    "ref": Text("序号", "No."),
    "rule_id": Text("规则编号", "Rule id"),
    "pointer": Text("JSON 指针", "JSON pointer"),
    "file_line": Text("文件:行:列", "file:line:column"),
    "tool": Text("检查工具", "Checked with"),
    "record_ids": Text("时间线事项的记录编号", "Record ids of the timeline's entries"),
    "ids": Text("记录内编号", "Ids in the record"),
    "origin": Text("出处", "Written in"),
    "tech": Text("技术细节", "Technical details"),
    "counted_files": Text("计入的记录文件", "Record files counted"),
    "page": Text("第 {p} 页", "Page {p}"),
}

STATUS: dict[str, tuple[str, Text]] = {
    "passed": ("✓", Text("通过", "passed")),
    "failed": ("✗", Text("不符合", "failed")),
    "pending": ("…", Text("待到期", "pending")),
    "waived": ("~", Text("已豁免", "waived")),
    "not_applicable": ("–", Text("不适用", "not applicable")),
    "error": ("!", Text("出错", "error")),
}
SEVERITY = {
    "error": Text("错误", "error"),
    "warning": Text("警告", "warning"),
    "info": Text("提示", "info"),
}
COUNTS = (
    ("rules", Text("规则", "rules")),
    ("passed", Text("通过", "passed")),
    ("failed", Text("不符合", "failed")),
    ("pending", Text("待到期", "pending")),
    ("waived", Text("已豁免", "waived")),
    ("not_applicable", Text("不适用", "n/a")),
    ("error", Text("出错", "error")),
)


def status_of(r: RuleResult, lang: str) -> dict[str, str]:
    """A rule's status for the templates: mark, words and CSS class (a failed warning is amber)."""
    mark, label = STATUS[r.status]
    css = f"st st-{r.status}"
    text = label.get(lang)
    if r.status == "failed":
        level = r.level or r.severity
        text += paren(lang, SEVERITY[level].get(lang))
        if level != "error":
            css = "st st-warn"
    return {"css": css, "mark": mark, "text": text}


def article_css(r: RuleResult) -> str:
    if r.status == "failed" and (r.level or r.severity) != "error":
        return "warn"
    return str(r.status)
