"""`lint`: what a loadable pack may still get wrong, found without a record.

A pack that loads is valid; lint looks for drift that validation cannot call an error:

- **unused sets** — a set of this pack that no rule reaches (directly or through other sets).
  Unused parameters are refused when the pack loads (docs/rule-language.md §16), so lint never
  sees one; an abstract pack is a library for others and is not checked for either;
- **rules without cases** — a rule with no case that must fail or no patched case that must pass
  (the same test as strict `test`);
- **quotes not in the plan** — with `source_text:` in the manifest, every rule's `quote` must be
  found in that text, ignoring whitespace and punctuation; a quote shortened with `……` must have
  each part, in order;
- **labels missing a language** — a `{zh, en}` text with one side absent or blank, or whose `en`
  is a copy of its Chinese `zh`.

Each finding names the file, line and column, as loader errors do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Found, Problem, Text, describe, describe_found
from ..load.document import Document, pointer_join, problem_at
from ..load.source import load_path
from ..pack.checks import sets_of_rule
from ..pack.loader import Pack
from .testing import Case, coverage, load_cases

_ELLIPSIS = re.compile(r"…+|\.{3,}")
_HAN = re.compile(r"[\u3400-\u9fff]")


def lint(pack: Pack, cases: list[Case] | None = None) -> list[Problem]:
    """Every lint finding of ``pack``, in file order of the checks above."""
    manifest = load_path(Path(pack.root) / "pack.yaml")
    problems: list[Problem] = []
    if not pack.manifest.abstract:
        problems += _unused_sets(pack, manifest)
        problems += _without_cases(pack, load_cases(pack) if cases is None else cases)
    problems += _quotes(pack)
    problems += _labels(pack, manifest)
    return problems


def _unused_sets(pack: Pack, manifest: Document) -> list[Problem]:
    reached: set[str] = set()
    stack = [name for rule in pack.rules for name in sets_of_rule(rule)]
    while stack:
        name = stack.pop()
        if name in reached or name not in pack.sets:
            continue
        reached.add(name)
        stack.extend(pack.sets[name].sets_used())
    own = [n for n in pack.sets if pack.set_origins.get(n, pack.id) == pack.id]
    unused = [n for n in own if n not in reached]
    # A set that only unused sets use is reported through them: one finding per dead branch.
    used_by_unused = {m for n in unused for m in pack.sets[n].sets_used()}
    return [
        problem_at(
            manifest,
            pointer_join("/sets", name),
            Text("被某条规则使用的集合", "a set that some rule uses"),
            Text(f"集合 {name!r} 未被使用", f"set {name!r} is used nowhere"),
            "unused_set",
        )
        for name in unused
        if name not in used_by_unused
    ]


def _rule_problem(
    pack: Pack, rule_id: str, key: str, expected: Text, found: Found, code: str
) -> Problem:
    doc = load_path(pack.rule_files[rule_id])
    return problem_at(doc, pointer_join(pack.rule_at.get(rule_id, ""), key), expected, found, code)


def _without_cases(pack: Pack, cases: list[Case]) -> list[Problem]:
    words = {
        "failing": ("必须失败的用例", "a case that must fail"),
        "passing": ("带补丁、必须通过的用例", "a patched case that must pass"),
    }
    found = []
    for rule_id, missing in coverage(pack, cases).items():
        zh = "、".join(words[m][0] for m in missing)
        en = " and ".join(words[m][1] for m in missing)
        found.append(
            _rule_problem(
                pack,
                rule_id,
                "id",
                Text(f"cases/ 中有以本规则为 rule 的{zh}", f"{en} naming this rule in cases/"),
                Text(f"{rule_id} 没有这样的用例", f"none for {rule_id}"),
                "rule_without_cases",
            )
        )
    return found


def normalise_quote(text: str) -> str:
    """The text without whitespace and punctuation: a quote's line breaks, spaces and a colon
    standing for a heading are how it is laid out, not what the plan says."""
    return "".join(
        ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P")
    )


def quote_found(quote: str, source: str) -> bool:
    """Whether every part of ``quote`` (split at ……) is in the normalised ``source``, in order."""
    at = 0
    for part in _ELLIPSIS.split(quote):
        wanted = normalise_quote(part)
        if not wanted:
            continue
        at = source.find(wanted, at)
        if at < 0:
            return False
        at += len(wanted)
    return True


def _source_texts(pack: Pack) -> dict[str, tuple[str, str]]:
    """Pack id -> (its source_text file, that text normalised), for every pack of the chain."""
    texts: dict[str, tuple[str, str]] = {}
    for root in pack.roots or [pack.root]:
        data = load_path(Path(root) / "pack.yaml").data
        if not isinstance(data, dict) or not isinstance(data.get("source_text"), str):
            continue
        path = Path(root) / data["source_text"]
        texts[str(data.get("id"))] = (str(path), normalise_quote(path.read_text(encoding="utf-8")))
    return texts


def _quotes(pack: Pack) -> list[Problem]:
    texts = _source_texts(pack)
    found = []
    for rule in pack.rules:
        origin = pack.origin(rule.id)
        # An inherited rule quotes its own pack's plan, and is linted with that pack.
        if origin != pack.id or origin not in texts:
            continue
        name, source = texts[origin]
        if not quote_found(rule.quote, source):
            found.append(
                _rule_problem(
                    pack,
                    rule.id,
                    "quote",
                    Text(
                        f"方案原文 {name} 中的文字（忽略空白与标点；“……”分隔的各段按顺序）",
                        f"words of the plan text {name} (whitespace and punctuation ignored; "
                        "parts split at …… in order)",
                    ),
                    describe(rule.quote),
                    "quote_not_in_source",
                )
            )
    return found


def _labels(pack: Pack, manifest: Document) -> list[Problem]:
    docs = [manifest]
    docs += [
        load_path(name)
        for name in dict.fromkeys(
            pack.rule_files[r.id] for r in pack.rules if pack.origin(r.id) == pack.id
        )
    ]
    found = []
    for doc in docs:
        for pointer, side, value in _bilingual(doc.data, ""):
            found.append(
                problem_at(
                    doc,
                    pointer_join(pointer, side),
                    Text(
                        "中文（zh）与英文（en）两种文字都有的标签",
                        "a label in both Chinese (zh) and English (en)",
                    ),
                    value,
                    "label_language",
                )
            )
    return found


_MISSING = Text("缺失或为空", "missing or blank")


def _bilingual(value: Any, pointer: str) -> Iterator[tuple[str, str, Found]]:
    """(pointer, the side at fault, what is there) for every `{zh, en}` text lacking a side."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _bilingual(item, pointer_join(pointer, i))
        return
    if not isinstance(value, dict):
        return
    keys = set(value)
    if keys & {"zh", "en"} and keys <= {"zh", "en"}:
        zh, en = value.get("zh"), value.get("en")
        for side, text in (("zh", zh), ("en", en)):
            if not isinstance(text, str) or not text.strip():
                yield pointer, side, _MISSING if text is None else describe_found(text)
        if (
            isinstance(zh, str)
            and isinstance(en, str)
            and en.strip() == zh.strip()
            and _HAN.search(en)
        ):
            yield (
                pointer,
                "en",
                Text(f"{describe(en)}，与中文相同", f"{describe(en)}, the Chinese text again"),
            )
        return
    for key, sub in value.items():
        yield from _bilingual(sub, pointer_join(pointer, str(key)))
