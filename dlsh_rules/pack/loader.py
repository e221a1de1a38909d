"""Rule packs: a manifest (`pack.yaml`) with parameters, named sets and enum extensions, and the
rule files it lists. Everything is data: files are parsed with the safe loader, validated with the
models of `language.py`, frozen into plain objects (frozen.py), and nothing in a pack is imported or
executed. Loading from the disk cache needs neither the models nor pydantic.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from ..errors import InputError, Problem, Text, describe
from ..language.normalise import SpecError
from ..language.paths import Path as QueryPath
from ..language.query import MAX_OFFSET_DAYS, MAX_OFFSET_MONTHS, Selection
from ..load import cache as disk_cache
from ..load.document import Document, pointer_join, problem_at
from ..load.source import load_path
from ..record.enums import BASE, DEFAULT, EnumTable
from .frozen import Frozen, freeze, kind_of

if TYPE_CHECKING:
    from pydantic import ValidationError

    from ..language.models import Manifest, Param, Rule

# The models of a pack, importable from here as before; they load pydantic, so only on request.
_MODELS = ("Param", "Example", "Rule", "Manifest", "RuleFile", "RULE_ID")

PACK_FORMAT = "dlsh-pack/1"
DEFAULT_PACK = "provincial-bureau-2024"
PHASES: dict[str, Text] = {
    "prep": Text("会前准备", "Preparation"),
    "meeting": Text("会议召开", "The meeting"),
    "followup": Text("会后工作", "After the meeting"),
}


@dataclass
class Pack:
    """A loaded pack. ``manifest`` and ``rules`` are frozen (frozen.py): plain read-only objects
    with the fields of the `language` models they are typed as."""

    manifest: Manifest
    rules: list[Rule]
    sets: dict[str, Selection]
    enums: EnumTable
    root: str
    rule_files: dict[str, str] = field(default_factory=dict)  # rule id -> file it came from
    raw_checks: dict[str, list[Any]] = field(default_factory=dict)  # rule id -> checks as written
    rule_params: dict[str, list[str]] = field(default_factory=dict)  # rule id -> params it uses

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        return self.manifest.version

    def param(self, name: str) -> Any:
        return self.manifest.params[name].value

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def example_path(self) -> FsPath | None:
        return FsPath(self.root) / self.manifest.example if self.manifest.example else None


# --- locating packs ----------------------------------------------------------------------------


def packs_dir() -> FsPath:
    """Where the shipped packs are: inside the installed package, or the repository's rules/."""
    here = FsPath(__file__).resolve().parent.parent  # the dlsh_rules package
    installed = here / "rules"
    return installed if installed.is_dir() else here.parent / "rules"


def schemas_dir() -> FsPath:
    here = FsPath(__file__).resolve().parent.parent  # the dlsh_rules package
    installed = here / "schemas"
    return installed if installed.is_dir() else here.parent / "schemas"


def available_packs() -> list[str]:
    base = packs_dir()
    return (
        sorted(p.name for p in base.iterdir() if (p / "pack.yaml").is_file())
        if base.is_dir()
        else []
    )


def resolve_pack(name_or_path: str | os.PathLike[str]) -> FsPath:
    text = os.fspath(name_or_path)
    candidate = FsPath(text)
    # An installed pack's name wins over a folder of that name in the current directory: a
    # folder among received files must not silently replace the plan being checked. A local
    # folder of that name is still reachable as ./NAME.
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", text) and (packs_dir() / text / "pack.yaml").is_file():
        return packs_dir() / text
    if candidate.is_file():
        return candidate.parent
    if candidate.is_dir() and (candidate / "pack.yaml").is_file():
        return candidate
    raise InputError(
        [
            Problem(
                text,
                "",
                Text(
                    f"已安装的规则包名称（{', '.join(available_packs())}）或含 pack.yaml 的目录",
                    f"an installed pack name ({', '.join(available_packs())}) or a directory with pack.yaml",
                ),
                describe(text),
                code="pack_not_found",
            )
        ]
    )


# --- loading -----------------------------------------------------------------------------------

_WHOLE_PARAM = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
# "$$" is matched in the same pass, so that it escapes a "${" as well as a lone "$".
_INLINE_PARAM = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _substitute(
    value: Any,
    params: Mapping[str, Param],
    pointer: str,
    used: set[str],
    problems: list[tuple[str, str]],
) -> Any:
    """Replace "$name" by the parameter's value and "${name}" inside texts by its text."""
    if isinstance(value, dict):
        return {
            k: _substitute(v, params, pointer_join(pointer, k), used, problems)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            _substitute(v, params, pointer_join(pointer, i), used, problems)
            for i, v in enumerate(value)
        ]
    if not isinstance(value, str) or "$" not in value:
        return value
    whole = _WHOLE_PARAM.match(value)
    if whole:
        name = whole.group(1)
        if name not in params:
            problems.append((pointer, name))
            return value
        used.add(name)
        return params[name].value

    def inline(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return "$"
        if name not in params:
            problems.append((pointer, name))
            return m.group(0)
        used.add(name)
        got = params[name].value
        if isinstance(got, list):
            return "、".join(map(str, got))
        if isinstance(got, dict):
            return ", ".join(f"{k} {v}" for k, v in got.items())
        return str(got)

    return _INLINE_PARAM.sub(inline, value)


def _pydantic_problems(exc: ValidationError, doc: Document, prefix: str) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        pointer = prefix
        loc = error["loc"]
        for i, part in enumerate(loc):
            # pydantic puts the union tag after a check's index: checks/0/<kind>/field
            if (
                i >= 2
                and loc[i - 2] == "checks"
                and isinstance(loc[i - 1], int)
                and part in _UNION_TAGS
            ):
                continue
            pointer = pointer_join(pointer, part)
        msg = str(error["msg"])
        if error["type"] == "extra_forbidden":
            expected = Text(
                "规则语言定义的键（此键未定义，可能拼写有误）", "a key the rule language defines"
            )
            found = f"unknown key {error['loc'][-1]!r}"
        elif error["type"] == "missing":
            expected, found = Text("必填的键", "a required key"), "无 (missing)"
        elif error["type"] == "offset_range":
            expected = Text(
                f"不超过 100 年的日期偏移（days 在 ±{MAX_OFFSET_DAYS} 内，months 在 ±{MAX_OFFSET_MONTHS} 内）",
                f"a date offset of at most 100 years (days within ±{MAX_OFFSET_DAYS}, months within ±{MAX_OFFSET_MONTHS})",
            )
            value = error.get("input")
            found = (
                f"days {value.get('days', 0)!r}, months {value.get('months', 0)!r}"
                if isinstance(value, dict)
                else describe(value)
            )
        elif error["type"] == "union_tag_invalid":
            kinds = ", ".join(sorted(_UNION_TAGS))
            expected = Text(f"检查类型之一：{kinds}", f"a check kind: {kinds}")
            found = describe((error.get("ctx") or {}).get("tag"))
        else:
            expected = Text(f"合法的值（{msg}）", msg)
            found = describe(error.get("input"))
        problems.append(_at(doc, pointer, expected, found, str(error["type"])))
    return problems


_UNION_TAGS = {"each", "exists", "coverage", "pairs", "sequence", "delivered"}


_at = problem_at


def load_pack(name_or_path: str | os.PathLike[str] = DEFAULT_PACK) -> Pack:
    """Load and validate a pack by installed name or path; raise InputError with every problem."""
    from ..load.arguments import path_like

    root = resolve_pack(path_like(name_or_path, "name_or_path"))
    return _load_pack_cached(str(root.resolve()))


@cache
def _load_pack_cached(root: str) -> Pack:
    """The pack at ``root``: from the disk cache while its files are unchanged, else loaded.

    Loading parses and validates every rule file and compiles its queries; the result depends
    only on the files' bytes and the tool's code, which key the entry (see cache.py).
    """
    if not disk_cache.enabled():
        return _load_pack_files(root)
    base = FsPath(root)
    try:
        name = disk_cache.key("pack", root, (base / "pack.yaml").read_bytes())
    except OSError:
        return _load_pack_files(root)  # which reports the unreadable manifest
    entry = disk_cache.read(name)
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Pack):
        cached: Pack = entry[1]
        if _files_unchanged(base, entry[0]):
            return cached
    started = time.time_ns()
    pack = _load_pack_files(root)
    paths = [base / "pack.yaml", *(base / rel for rel in pack.manifest.rules)]
    if disk_cache.settled(paths, started):
        try:
            files = {str(path.relative_to(base)): disk_cache.file_digest(path) for path in paths}
        except OSError:
            return pack
        disk_cache.write(name, (files, pack))
    return pack


def _files_unchanged(base: FsPath, files: Any) -> bool:
    """Whether every file a cached pack was loaded from still has the bytes it had then."""
    if not isinstance(files, dict) or "pack.yaml" not in files:
        return False
    try:
        return all(disk_cache.file_digest(base / rel) == digest for rel, digest in files.items())
    except OSError:
        return False


def _load_pack_files(root: str) -> Pack:
    from pydantic import ValidationError

    from ..language.models import Manifest, Rule, RuleFile

    manifest_doc = load_path(FsPath(root) / "pack.yaml")
    try:
        manifest = freeze(Manifest.model_validate(manifest_doc.data))
    except ValidationError as exc:
        raise InputError(_pydantic_problems(exc, manifest_doc, "")) from None

    problems: list[Problem] = []
    for name, _values in manifest.enums.items():
        if name not in BASE:
            problems.append(
                _at(
                    manifest_doc,
                    pointer_join("/enums", name),
                    Text(
                        f"记录格式中的枚举名（{', '.join(BASE)}）",
                        f"an enumeration of the record format ({', '.join(BASE)})",
                    ),
                    describe(name),
                    "enum_name",
                )
            )
    enums = DEFAULT.extend(manifest.enums) if manifest.enums else DEFAULT

    used: set[str] = set()
    missing: list[tuple[str, str]] = []
    sets: dict[str, Selection] = {}
    for name, spec in manifest.sets.items():
        pointer = pointer_join("/sets", name)
        spec = _substitute(spec, manifest.params, pointer, used, missing)
        try:
            sets[name] = Selection.parse(spec)
        except SpecError as exc:
            problems.append(
                _at(
                    manifest_doc,
                    pointer + exc.where,
                    Text("合法的集合定义", "a valid set definition"),
                    str(exc),
                    "set",
                )
            )
    for name, selection in sets.items():
        for path, segment in _unknown_fields(selection):
            problems.append(
                _unknown_field(
                    manifest_doc, manifest_doc.data, "", path, segment, pointer_join("/sets", name)
                )
            )
    for pointer, name in missing:
        problems.append(
            _at(
                manifest_doc,
                pointer,
                Text("清单中声明的参数", "a parameter declared in params"),
                f"${name}",
                "unknown_param",
            )
        )
    problems.extend(_set_cycles(sets, manifest_doc))

    rules: list[Rule] = []
    rule_files: dict[str, str] = {}
    raw_checks: dict[str, list[Any]] = {}
    rule_params: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    if manifest.example is not None and not _inside(root, manifest.example):
        problems.append(
            _at(
                manifest_doc,
                "/example",
                Text("规则包目录内存在的示例记录", "an example record inside the pack directory"),
                describe(manifest.example),
                "example_file",
            )
        )
    for index, rel in enumerate(manifest.rules):
        path = FsPath(root) / rel
        if not _inside(root, rel):
            problems.append(
                _at(
                    manifest_doc,
                    pointer_join("/rules", index),
                    Text("规则包目录内存在的规则文件", "a rule file inside the pack directory"),
                    describe(rel),
                    "rule_file",
                )
            )
            continue
        doc = load_path(path)
        try:
            raw = RuleFile.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, doc, ""))
            continue
        for i, entry in enumerate(raw.rules):
            pointer = pointer_join("/rules", i)
            missing = []
            mine: set[str] = set()
            entry = _substitute(entry, manifest.params, pointer, mine, missing)
            used |= mine
            for where, name in missing:
                problems.append(
                    _at(
                        doc,
                        where,
                        Text("清单中声明的参数", "a parameter declared in the manifest's params"),
                        f"${name}",
                        "unknown_param",
                    )
                )
            try:
                rule = freeze(Rule.model_validate(entry))
            except ValidationError as exc:
                problems.extend(_pydantic_problems(exc, doc, pointer))
                continue
            if rule.id in seen:
                problems.append(
                    _at(
                        doc,
                        pointer_join(pointer, "id"),
                        Text(
                            f"包内唯一的规则 id（{rule.id} 已在 {seen[rule.id]} 中定义）",
                            f"a rule id unique in the pack ({rule.id} is already defined in {seen[rule.id]})",
                        ),
                        describe(rule.id),
                        "duplicate_rule",
                    )
                )
                continue
            seen[rule.id] = doc.name
            rule_files[rule.id] = doc.name
            raw_checks[rule.id] = list(entry.get("checks", []))  # as checked: params filled in
            rule_params[rule.id] = sorted(mine)
            for path, segment in _unknown_fields(rule):
                problems.append(_unknown_field(doc, entry, pointer, path, segment))
            for name in sorted(_sets_of_rule(rule) - set(sets)):
                problems.append(
                    _at(
                        doc,
                        pointer,
                        Text(
                            f"清单中定义的集合（{', '.join(sets)}）",
                            f"a set defined in the manifest ({', '.join(sets)})",
                        ),
                        f"set {name!r}",
                        "unknown_set",
                    )
                )
            rules.append(rule)
    if problems:
        raise InputError(problems)
    for name in sorted(set(manifest.params) - used):
        problems.append(
            _at(
                manifest_doc,
                pointer_join("/params", name),
                Text("被某条规则或集合使用的参数", "a parameter that some rule or set uses"),
                f"${name} is used nowhere",
                "unused_param",
            )
        )
    if problems:
        raise InputError(problems)
    return Pack(manifest, rules, sets, enums, root, rule_files, raw_checks, rule_params)


def _inside(root: str, rel: str) -> bool:
    """A pack's own file: relative, existing, and inside the pack even after symlinks."""
    path = FsPath(root) / rel
    if FsPath(rel).is_absolute() or ".." in FsPath(rel).parts or not path.is_file():
        return False
    return path.resolve().is_relative_to(FsPath(root).resolve())


def _nodes(value: Any) -> Iterator[Any]:
    """Every object inside a frozen rule or set: models, query objects, lists and their items."""
    yield value
    children: Iterable[Any]
    if isinstance(value, Frozen):
        children = value.fields().values()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        children = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif isinstance(value, (list, tuple)):
        children = value
    elif isinstance(value, dict):
        children = value.values()
    else:
        return
    for child in children:
        yield from _nodes(child)


def _sets_of_rule(rule: Rule) -> set[str]:
    return {
        name
        for node in _nodes([rule.checks, rule.due])
        if callable(getattr(type(node), "sets_used", None))
        for name in node.sets_used()
    }


def _unknown_fields(spec: Any) -> list[tuple[QueryPath, str]]:
    """(path, segment) for every field path in ``spec`` naming a field no record object has.

    A misspelt field would otherwise select nothing: a "must exist" check would fail every
    record, and a "may not" check would pass every record, both without a word.
    """
    from ..record.validate import field_names

    known = field_names()
    found: list[tuple[QueryPath, str]] = []
    seen: set[str] = set()
    for path in _paths_in(spec):
        if path.text in seen:
            continue
        seen.add(path.text)
        found.extend(
            (path, seg) for seg in path.segments if not seg.startswith("@") and seg not in known
        )
    return found


def _paths_in(value: Any) -> Iterator[QueryPath]:
    for node in _nodes(value):
        if isinstance(node, QueryPath):
            yield node
        elif kind_of(node) == "CoverageSpec":
            # coverage's `same` maps item paths to subject paths, kept as written
            for pair in node.same.items():
                for text in pair:
                    with contextlib.suppress(SpecError):
                        yield QueryPath.parse(text)


def _unknown_field(
    doc: Document,
    raw: Any,
    base: str,
    path: QueryPath,
    segment: str,
    fallback: str | None = None,
) -> Problem:
    from difflib import get_close_matches

    from ..record.validate import field_names

    guess = get_close_matches(segment, sorted(field_names()), n=1)
    hint_zh = f"；是否应为 {guess[0]}？" if guess else ""
    hint_en = f"; did you mean {guess[0]}?" if guess else ""
    return _at(
        doc,
        _pointer_of_text(raw, base, path.text) or fallback or base,
        Text(f"记录格式中定义的字段名{hint_zh}", f"a field name of the record format{hint_en}"),
        f"{segment!r} in the field path {path.text!r}",
        "unknown_field",
    )


def _pointer_of_text(value: Any, pointer: str, text: str) -> str | None:
    """Where ``text`` is written in raw data: a string equal to it, or a key equal to it."""
    if isinstance(value, str):
        return pointer if value == text else None
    if isinstance(value, dict):
        for key, sub in value.items():
            here = pointer_join(pointer, str(key))
            if key == text:
                return here
            got = _pointer_of_text(sub, here, text)
            if got is not None:
                return got
    if isinstance(value, list):
        for i, sub in enumerate(value):
            got = _pointer_of_text(sub, pointer_join(pointer, i), text)
            if got is not None:
                return got
    return None


def _set_cycles(sets: dict[str, Selection], doc: Document) -> list[Problem]:
    problems = []
    for start in sets:
        stack, seen = [start], set()
        while stack:
            name = stack.pop()
            for nxt in sets[name].sets_used() if name in sets else ():
                if nxt == start:
                    problems.append(
                        _at(
                            doc,
                            pointer_join("/sets", start),
                            Text("不循环引用的集合定义", "a set definition without cycles"),
                            f"{start} refers back to itself",
                            "set_cycle",
                        )
                    )
                    stack = []
                    break
                if nxt not in sets:
                    problems.append(
                        _at(
                            doc,
                            pointer_join("/sets", name),
                            Text("清单中定义的集合", "a set defined in the manifest"),
                            f"set {nxt!r}",
                            "unknown_set",
                        )
                    )
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return problems


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from ..language import models as language

        return getattr(language, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
