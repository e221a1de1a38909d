"""The waiver file format, `dlsh-waivers/1` (see waivers.py): its models and its reader."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ..errors import EXPECTED_BY_TYPE, Found, InputError, Problem, Text, describe, describe_found
from ..evaluate.engine import Waiver
from ..load.document import Document, pointer_join, problem_at
from ..load.source import load_path
from ..record.models import Date

if TYPE_CHECKING:
    from ..pack.loader import Pack

WAIVERS_FORMAT = "dlsh-waivers/1"


def _not_blank(value: str) -> str:
    # min_length alone let "   " stand for an approver: a waiver nobody is named for.
    if not value.strip():
        raise PydanticCustomError("blank", "text that is not only white space")
    return value


Words = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]


class WaiverEntry(BaseModel):
    """One standing exception: which findings it covers, why, who decided, when, until when."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str = Field(min_length=1, description="A rule id of the pack.")
    subject: str | None = Field(
        default=None,
        min_length=1,
        description="The finding subject it covers (p2, p2~p3, …); absent: every finding.",
    )
    reason: Words = Field(description="Why the requirement does not apply.")
    approved_by: Words = Field(description="Who approved the exception.")
    date: Date = Field(description="The day it was approved.")
    expires: Date | None = Field(default=None, description="The last day on which it waives.")

    @model_validator(mode="after")
    def _expires_after_approval(self) -> WaiverEntry:
        if self.expires is not None and self.expires < self.date:
            raise ValueError("expires before it was approved")
        return self


class WaiverFile(BaseModel):
    """A waiver file, `dlsh-waivers/1`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_: str | None = Field(default=None, alias="$schema")
    format: Literal["dlsh-waivers/1"]
    waivers: list[WaiverEntry]


_EXPECTED: dict[str, Text] = {
    **EXPECTED_BY_TYPE,
    "string_too_short": Text("非空字符串", "a non-empty string"),
    "blank": Text("不只含空白字符的文本", "text that is not only white space"),
    "extra_forbidden": Text(
        "豁免文件格式中定义的字段（rule、subject、reason、approved_by、date、expires；此字段不存在，可能拼写有误）",
        "a field the waiver format defines (rule, subject, reason, approved_by, date, expires)",
    ),
    "literal_error": Text(f"值 {WAIVERS_FORMAT!r}", f"the value {WAIVERS_FORMAT!r}"),
    "value_error": Text("不早于批准日期（date）的失效日期", "an expiry no earlier than the date"),
}


_problem = problem_at


def _problems(exc: ValidationError, doc: Document) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        etype = str(error["type"])
        pointer = ""
        for part in error["loc"]:
            pointer = pointer_join(pointer, part)
        if etype == "missing":
            found: Found = Text("无（缺少此字段）", "nothing (missing)")
        elif etype == "extra_forbidden":
            found = Text(f"未知字段 {error['loc'][-1]!r}", f"unknown field {error['loc'][-1]!r}")
        elif etype == "value_error":
            data = error.get("input")
            found = (
                Text(
                    f"失效日期 {data.get('expires')!r}，批准日期 {data.get('date')!r}",
                    f"expires {data.get('expires')!r}, date {data.get('date')!r}",
                )
                if isinstance(data, Mapping)
                else describe_found(data)
            )
            pointer = pointer_join(pointer, "expires")
        else:
            found = describe_found(error.get("input"))
        expected = _EXPECTED.get(etype, Text("合法的值", str(error["msg"])))
        problems.append(_problem(doc, pointer, expected, found, etype))
    return problems


def read_waivers(path: str | os.PathLike[str], pack: Pack) -> tuple[Waiver, ...]:
    """Read and validate a waiver file for ``pack``; raise InputError listing every problem.

    A rule id the pack does not have is an error here (in a record it is only reported as a
    waiver that did not apply): a standing exception with a misspelt id would silently waive
    nothing, while the people who rely on it believe the finding is covered.
    """
    doc = load_path(path)
    if not isinstance(doc.data, dict):
        raise InputError(
            [
                _problem(
                    doc,
                    "",
                    Text(
                        f"一个对象：format: {WAIVERS_FORMAT} 和 waivers 列表",
                        f"an object with format: {WAIVERS_FORMAT} and a list of waivers",
                    ),
                    describe_found(doc.data),
                    "type",
                )
            ]
        )
    # Unknown rule ids are looked for in the raw data, so that they are reported together with
    # any other mistake in the file rather than on the next run.
    known = {rule.id for rule in pack.rules}
    raw = doc.data.get("waivers")
    problems = [
        _problem(
            doc,
            pointer_join(pointer_join("/waivers", i), "rule"),
            Text(
                f"规则包 {pack.id} 中的规则 id（可用 `dlsh-rules rules` 列出）",
                f"a rule id of pack {pack.id} (`dlsh-rules rules` lists them)",
            ),
            describe(entry["rule"]),
            "unknown_rule",
        )
        for i, entry in enumerate(raw if isinstance(raw, list) else [])
        if isinstance(entry, dict)
        and isinstance(entry.get("rule"), str)
        and entry["rule"]
        and entry["rule"] not in known
    ]
    parsed: WaiverFile | None = None
    try:
        parsed = WaiverFile.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_problems(exc, doc))
    if problems or parsed is None:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise InputError(problems)
    out = []
    for i, entry in enumerate(parsed.waivers):
        pointer = pointer_join("/waivers", i)
        pos = doc.position(pointer)  # so that an unused waiver names file:line
        out.append(
            Waiver(
                entry.rule,
                entry.subject,
                entry.reason,
                entry.approved_by,
                entry.date,
                entry.expires,
                doc.name,
                pointer,
                pos.line if pos else None,
                pos.column if pos else None,
            )
        )
    return tuple(out)
