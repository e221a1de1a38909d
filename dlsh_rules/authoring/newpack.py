"""`new-pack NAME [--extends BASE] [--dir DIR]`: a pack skeleton that passes `test` at once.

The skeleton has a manifest, one rule with a parameter, an example record and, for that rule, a
case that must fail and a patched case that must pass — what strict `test` asks of every rule.
Built on a base, it also takes the base's example and cases (cases are a pack's own, never
inherited): the example complies with every inherited rule, and each inherited rule keeps the
cases that show it working. The author then edits the plan in.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml

from ..errors import Found, InputError, Problem, Text, describe
from ..language.models import PACK_ID
from ..pack.compose import PACK_NAME, resolve_base
from ..pack.loader import Pack, load_pack, packs_dir

# A small record of a party branch: the example of a pack built on nothing (or on an abstract
# base, which has no example of its own).
MINIMAL_EXAMPLE = """\
# 示例记录：一份符合本规则包每条规则的记录，测试用例（cases/）都是对它的小补丁。
# The example record: it complies with every rule of the pack; the cases in cases/ patch it.
format: dlsh-record/1
unit: {name: 某单位, party_org: 某党支部}
meeting: {date: 2024-01-30, days: 1, chair: p1, attendees: [p1, p2, p3]}
people:
  - {id: p1, name: 书记甲, role: secretary}
  - {id: p2, name: 委员乙, role: member}
  - {id: p3, name: 委员丙, role: member}
talks:
  - {id: t1, date: 2024-01-10, participants: [p1, p2], mode: in_person}
  - {id: t2, date: 2024-01-10, participants: [p1, p3], mode: in_person}
  - {id: t3, date: 2024-01-11, participants: [p2, p3], mode: in_person}
"""

MANIFEST = """\
# {name}：规则包清单。把实施方案的数字、名单和文字写成参数（params），规则文件用 "$name" 引用。
# The manifest of {name}. Every number, list and text of the plan a rule uses is a parameter;
# rule files refer to them as "$name" (docs/rule-language.md).
format: dlsh-pack/2
id: {name}
version: "1"
title:
  zh: {name} 民主生活会实施方案（请改为方案标题）
  en: The {name} meeting plan (replace with the plan's title)
{extends}# source: 方案全称
# source_text: plan.txt          # the plan's text: `lint` finds every rule's quote in it

params:
  meeting_days:
    value: {days}
    clause: 一
    description: {{zh: "会期（天）", en: "Length of the meeting in days"}}

rules:
  - rules.yaml
example: example.yaml
"""

RULES = """\
# 规则：每条规则是方案的一项要求，由通用的检查类型组成（docs/rule-language.md §8）。
# Rules: each is one requirement of the plan, built from the generic check kinds.
rules:
  - id: {rule_id}
    phase: meeting
    title: {{zh: "会期不超过${{meeting_days}}天", en: "The meeting lasts at most ${{meeting_days}} day(s)"}}
    clause: 一
    quote: 会期1天
    rationale:
      zh: 方案规定的会期。（请改为方案原文与说明。）
      en: The length the plan sets. (Replace with the plan's words and reading.)
    checks:
      - kind: each
        what: {{zh: 会议, en: meeting}}
        select: {{from: meeting}}
        require:
          days: {{lte: $meeting_days}}
"""

CASES = """\
# 用例：每个用例是对 example.yaml 的 JSON Patch 及其应得的状态（docs/rule-language.md §15）。
# Cases: each is a JSON Patch of example.yaml and the status it must give.
cases:
  - rule: {rule_id}
    name: 会期超过{days}天 / longer than {days} day(s)
    patch:
      - {{op: add, path: /meeting/days, value: {over}}}
    expect: {{{rule_id}: failed}}
    subjects: [null]

  - rule: {rule_id}
    name: 会期恰为{days}天 / exactly {days} day(s)
    patch:
      - {{op: add, path: /meeting/days, value: {days}}}
    expect: {{{rule_id}: passed}}
"""


def _refuse(where: str, expected: Text, found: Found, code: str) -> InputError:
    return InputError([Problem(where, "", expected, found, code=code)])


def new_pack(name: str, directory: str | os.PathLike[str], extends: str | None = None) -> Path:
    """Write the skeleton of pack ``name`` in ``directory``/``name``; return its path."""
    import re

    if not re.fullmatch(PACK_ID, name):
        raise _refuse(
            name,
            Text(
                "规则包 id：小写字母、数字、点、下划线或连字符，以字母或数字开头",
                "a pack id: lower-case letters, digits, '.', '_' or '-', starting with a letter "
                "or digit",
            ),
            describe(name),
            "pack_name",
        )
    root = Path(directory) / name
    if root.exists():
        raise _refuse(
            str(root),
            Text(
                "尚不存在的目录（不会覆盖已有目录）",
                "a directory that does not exist yet (nothing is overwritten)",
            ),
            Text("已存在", "it exists"),
            "pack_exists",
        )
    base: Pack | None = None
    extends_line = ""
    if extends is not None:
        base = load_pack(extends)  # a missing or broken base is refused before anything is written
        extends_line = f"extends: {_reference(extends, Path(base.root), root)}\n"
    example_from = base if base is not None and base.example_path is not None else None
    example_text = (
        example_from.example_path.read_text(encoding="utf-8")  # type: ignore[union-attr]
        if example_from is not None
        else MINIMAL_EXAMPLE
    )
    days = _meeting_days(example_text)
    taken = {r.id for r in base.rules} if base is not None else set()
    rule_id = next(
        i for i in ("meeting.days", *(f"meeting.days_{n}" for n in range(2, 100))) if i not in taken
    )
    files = {
        "pack.yaml": MANIFEST.format(name=name, extends=extends_line, days=days),
        "rules.yaml": RULES.format(rule_id=rule_id),
        "example.yaml": example_text,
    }
    cases = CASES.format(rule_id=rule_id, days=days, over=days + 1)
    root.mkdir(parents=True)
    try:
        for rel, text in files.items():
            (root / rel).write_text(text, encoding="utf-8")
        (root / "cases").mkdir()
        if example_from is not None:
            for path in sorted((Path(example_from.root) / "cases").glob("*.yaml")):
                shutil.copyfile(path, root / "cases" / path.name)
        own = root / "cases" / f"{name}.yaml"
        own.write_text(cases, encoding="utf-8")
    except OSError:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root


def _reference(given: str, base_root: Path, root: Path) -> str:
    """How the new manifest names its base: the installed name, else a path relative to it."""
    if PACK_NAME.fullmatch(given) and resolve_base(given, root, packs_dir()) is not None:
        return given
    return Path(os.path.relpath(base_root.resolve(), root.resolve())).as_posix()


def _meeting_days(example: str) -> int:
    data: Any = yaml.safe_load(example)
    days = data.get("meeting", {}).get("days") if isinstance(data, dict) else None
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else 1
