"""Packs built on packs: `extends:`, and what a pack inherits, overrides, drops and replaces.

Composition happens on the raw YAML data, before anything is validated or compiled: the chain of
manifests is read from the base down, their maps are merged by name, and the rules of every pack
in the chain are put in report order with their own file and position. The loader (loader.py)
then substitutes the merged parameters into every rule, inherited ones included, and validates
and compiles the result as if it were one pack, so a child's parameter reaches its base's rules
and every problem still names the file and line it is written at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from ..errors import Problem, Text, describe
from ..load.document import Document, pointer_join, problem_at
from ..load.source import load_path

PACK_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")

# How each inheritable map of the manifest merges. "fields": a parameter the child names is
# merged field by field with the inherited one (a child may give only a new value, or only its
# own clause). "whole": a child's entry replaces the inherited one. "values": enumerations and
# labels are merged value by value, inside each enumeration. Keys not written stay inherited.
MERGED: dict[str, str] = {
    "params": "fields",
    "sets": "whole",
    "set_labels": "whole",
    "calendar": "whole",
    "enums": "values",
    "labels": "values",
}


@dataclass
class Layer:
    """One pack of a chain: its directory, manifest document and raw manifest data."""

    root: Path
    doc: Document
    data: dict[str, Any]

    @property
    def id(self) -> str:
        value = self.data.get("id")
        return value if isinstance(value, str) else self.root.name


@dataclass
class RawRule:
    """A rule as written, with where it is written and which pack of the chain wrote it."""

    entry: Any
    doc: Document
    pointer: str
    origin: str

    @property
    def id(self) -> str | None:
        value = self.entry.get("id") if isinstance(self.entry, dict) else None
        return value if isinstance(value, str) else None


@dataclass
class Merged:
    """The chain's inheritable maps merged, with the document each entry was last written in."""

    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    where: dict[str, dict[str, Document]] = field(default_factory=dict)
    origin: dict[str, dict[str, str]] = field(default_factory=dict)


def resolve_base(text: str, pack_root: Path, installed: Path) -> Path | None:
    """The directory `extends: text` names: an installed pack's name first (as --pack resolves
    names), else a path relative to the extending pack's directory."""
    if PACK_NAME.fullmatch(text) and (installed / text / "pack.yaml").is_file():
        return installed / text
    candidate = Path(os.path.normpath(pack_root / text))
    if candidate.name == "pack.yaml" and candidate.is_file():
        return candidate.parent
    if (candidate / "pack.yaml").is_file():
        return candidate
    return None


def read_chain(root: Path, installed: Path) -> tuple[list[Layer], list[Problem]]:
    """The packs from the farthest base to ``root``; a missing base or a cycle is a problem at
    the `extends:` line that names it, and ends the chain there."""
    layers: list[Layer] = []
    problems: list[Problem] = []
    seen: dict[Path, str] = {}
    current = root
    while True:
        doc = load_path(current / "pack.yaml")
        data = doc.data if isinstance(doc.data, dict) else {}
        layer = Layer(current, doc, data)
        layers.append(layer)
        seen[current.resolve()] = layer.id
        text = data.get("extends")
        if not isinstance(text, str):
            break  # absent, or not a text: the manifest model reports the latter
        target = resolve_base(text, current, installed)
        if target is None:
            problems.append(
                problem_at(
                    doc,
                    "/extends",
                    Text(
                        "已安装的规则包名称，或相对本规则包目录、含 pack.yaml 的目录",
                        "an installed pack name, or a directory with pack.yaml relative to "
                        "this pack",
                    ),
                    describe(text),
                    "missing_base",
                )
            )
            break
        if target.resolve() in seen:
            names = [lay.id for lay in layers] + [seen[target.resolve()]]
            problems.append(
                problem_at(
                    doc,
                    "/extends",
                    Text("不循环的继承链（extends）", "a chain of extends without a cycle"),
                    Text("循环：" + " → ".join(names), "a cycle: " + " → ".join(names)),
                    "extends_cycle",
                )
            )
            break
        current = target
    layers.reverse()
    return layers, problems


def merge_layer(merged: Merged, layer: Layer) -> dict[str, Any]:
    """Merge ``layer``'s maps into ``merged``; return the layer's data with each parameter it
    overrides completed from the inherited one, so that it validates as a whole parameter."""
    completed = dict(layer.data)
    for key, how in MERGED.items():
        own = layer.data.get(key)
        if not isinstance(own, dict):
            continue
        before = merged.data.get(key, {})
        after: dict[str, Any] = {}
        where = dict(merged.where.get(key, {}))
        origin = dict(merged.origin.get(key, {}))
        if how == "values":
            # an extension of the record format's tables: inherited order, the child's values
            # added to (or relabelling) each enumeration
            after = {k: dict(v) if isinstance(v, dict) else v for k, v in before.items()}
            for name, values in own.items():
                if isinstance(values, dict) and isinstance(after.get(name), dict):
                    after[name] = {**after[name], **values}
                else:
                    after[name] = values
        else:
            # a pack's own entries first, in its order, then those it inherits and does not
            # mention: a reference lists a plan's parameters in the order its author wrote them
            for name, value in own.items():
                old = before.get(name)
                if how == "fields" and isinstance(old, dict) and isinstance(value, dict):
                    value = {**old, **value}
                after[name] = value
            for name, value in before.items():
                after.setdefault(name, value)
        for name in own:
            where[name] = layer.doc
            origin[name] = layer.id
        merged.data[key] = after
        merged.where[key] = where
        merged.origin[key] = origin
        if key == "params":
            completed["params"] = {name: after[name] for name in own}
    return completed


def apply_layer(
    inherited: list[RawRule], own: list[RawRule], layer: Layer, manifest: Any
) -> tuple[list[RawRule], list[Problem]]:
    """The rules after ``layer``: the inherited ones less `disable`, with `replace`d ones
    swapped in place and new ones appended, then moved to the front by `order`."""
    problems: list[Problem] = []
    position = {r.id: i for i, r in enumerate(inherited) if r.id is not None}
    ids = list(position)
    disable: list[str] = list(getattr(manifest, "disable", []))
    replace: list[str] = list(getattr(manifest, "replace", []))
    own_ids = {r.id for r in own}
    for key, listed in (("disable", disable), ("replace", replace)):
        for i, rule_id in enumerate(listed):
            if rule_id not in position:
                problems.append(_not_inherited(layer.doc, f"/{key}/{i}", rule_id, ids))
            elif key == "replace" and rule_id in disable:
                problems.append(
                    problem_at(
                        layer.doc,
                        f"/replace/{i}",
                        Text(
                            "不同时列在 disable 中的规则 id", "a rule id not also listed in disable"
                        ),
                        describe(rule_id),
                        "replace_disabled",
                    )
                )
            elif key == "replace" and rule_id not in own_ids:
                problems.append(
                    problem_at(
                        layer.doc,
                        f"/replace/{i}",
                        Text(
                            "本规则包规则文件中定义的规则 id（用以替换继承的同名规则）",
                            "a rule id defined in this pack's rule files (to replace the "
                            "inherited rule of that id)",
                        ),
                        describe(rule_id),
                        "replace_missing",
                    )
                )
    slots: list[RawRule | None] = [None if r.id in disable else r for r in inherited]
    replaced: set[str] = set()
    added: list[RawRule] = []
    for rule in own:
        new_id = rule.id
        if new_id is None or new_id not in position:
            added.append(rule)
        elif new_id in replace and new_id not in disable and new_id not in replaced:
            slots[position[new_id]] = rule
            replaced.add(new_id)
        elif new_id in replace:
            added.append(rule)  # a second definition: the duplicate-id check reports it
        else:
            origin = inherited[position[new_id]].origin
            problems.append(
                problem_at(
                    rule.doc,
                    pointer_join(rule.pointer, "id"),
                    Text(
                        f"未从 {origin} 继承的规则 id（若要替换继承的规则，请在 pack.yaml 的 "
                        "replace 中列出它）",
                        f"a rule id not inherited from {origin} (to replace the inherited rule, "
                        "list it in replace: of pack.yaml)",
                    ),
                    describe(new_id),
                    "inherited_rule",
                )
            )
    rules = [r for r in slots if r is not None] + added
    order: list[str] = list(getattr(manifest, "order", []))
    if order:
        rules, bad = _reorder(rules, order)
        known = [r.id for r in rules if r.id is not None]
        problems += [_no_rule(layer.doc, f"/order/{i}", order[i], known) for i in bad]
    return rules, problems


def _matches(rule_id: str | None, entry: str) -> bool:
    return rule_id is not None and (rule_id == entry or rule_id.startswith(entry + "."))


def _reorder(rules: list[RawRule], order: list[str]) -> tuple[list[RawRule], list[int]]:
    front: list[RawRule] = []
    bad: list[int] = []
    for i, entry in enumerate(order):
        mine = [r for r in rules if _matches(r.id, entry)]
        if not mine:
            bad.append(i)
        front += [r for r in mine if all(r is not f for f in front)]
    return front + [r for r in rules if all(r is not f for f in front)], bad


def closest(word: str, choices: list[str]) -> str | None:
    found = get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def _hint(word: str, choices: list[str]) -> tuple[str, str]:
    guess = closest(word, choices)
    return (f"；最接近的是 {guess}", f"; the closest is {guess}") if guess else ("", "")


def _not_inherited(doc: Document, pointer: str, rule_id: str, ids: list[str]) -> Problem:
    zh, en = _hint(rule_id, ids)
    return problem_at(
        doc,
        pointer,
        Text(f"继承而来的规则 id{zh}", f"an inherited rule id{en}"),
        describe(rule_id),
        "not_inherited",
    )


def _no_rule(doc: Document, pointer: str, entry: str, ids: list[str]) -> Problem:
    zh, en = _hint(entry, ids)
    return problem_at(
        doc,
        pointer,
        Text(f"本规则包某条规则的 id 或前缀{zh}", f"a rule id or dotted prefix of this pack{en}"),
        describe(entry),
        "order_unknown",
    )


def origins(merged: Merged, key: str) -> Mapping[str, str]:
    return merged.origin.get(key, {})
