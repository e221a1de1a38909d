"""Rule packs: a manifest (`pack.yaml`) with parameters, named sets and enum extensions, and the
rule files it lists. Everything is data: files are parsed with the safe loader, validated with the
models of `language/models.py`, frozen into plain objects (`frozen.py`), and nothing in a pack is
imported or executed. Loading from the disk cache needs neither the models nor pydantic.

Parameters are in `params.py`, the checks beyond the schema in `checks.py`, `extends:` in
`compose.py`.
"""

from __future__ import annotations

import os
import re
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import Found, InputError, Problem, Text, Value, describe, describe_found
from ..language.normalise import SpecError
from ..language.query import Selection
from ..language.validation import error_text
from ..load import cache as disk_cache
from ..load.document import Document, pointer_join, problem_at
from ..load.source import load_path
from ..record.enums import BASE, DEFAULT, EnumTable

if TYPE_CHECKING:
    # pathlib (with urllib.parse and ipaddress: about 3 ms) is imported where a path is made,
    # never by a `check` of an installed pack read from the disk cache (issue 13)
    from pathlib import Path as FsPath

    from pydantic import ValidationError

    from ..language.models import Manifest, Rule
    from .compose import RawRule

# The models of a pack, importable from here as before; they load pydantic, so only on request.
_MODELS = ("Param", "Example", "Rule", "Manifest", "RuleFile", "RULE_ID")

PACK_FORMAT = "dlsh-pack/1"
DEFAULT_PACK = "provincial-bureau-2024"
PHASES: dict[str, Text] = {
    "prep": Text("会前准备", "Preparation"),
    "meeting": Text("会议召开", "The meeting"),
    "followup": Text("会后工作", "After the meeting"),
}


class Pack(Value):
    """A loaded pack. ``manifest`` and ``rules`` are frozen (frozen.py): plain read-only objects
    with the fields of the `language` models they are typed as."""

    manifest: Manifest
    rules: list[Rule]
    sets: dict[str, Selection]
    enums: EnumTable
    root: str
    rule_files: dict[str, str]  # rule id -> file it came from
    raw_checks: dict[str, list[Any]]  # rule id -> checks as written
    rule_params: dict[str, list[str]]  # rule id -> params it uses
    # Where things come from when the pack extends another (`extends:`): the id of the pack
    # of the chain that wrote each rule, parameter and set, last.
    origins: dict[str, str]
    param_origins: dict[str, str]
    set_origins: dict[str, str]
    roots: list[str]  # this pack's directory, then its bases'
    files: list[str]  # every manifest and rule file of the chain
    rule_at: dict[str, str]  # rule id -> its pointer in its file

    def __init__(
        self,
        manifest: Manifest,
        rules: list[Rule],
        sets: dict[str, Selection],
        enums: EnumTable,
        root: str,
        rule_files: dict[str, str] | None = None,
        raw_checks: dict[str, list[Any]] | None = None,
        rule_params: dict[str, list[str]] | None = None,
        origins: dict[str, str] | None = None,
        param_origins: dict[str, str] | None = None,
        set_origins: dict[str, str] | None = None,
        roots: list[str] | None = None,
        files: list[str] | None = None,
        rule_at: dict[str, str] | None = None,
    ) -> None:
        # each left out is a new empty dict or list (the dataclass's default_factory)
        self.manifest = manifest
        self.rules = rules
        self.sets = sets
        self.enums = enums
        self.root = root
        self.rule_files = {} if rule_files is None else rule_files
        self.raw_checks = {} if raw_checks is None else raw_checks
        self.rule_params = {} if rule_params is None else rule_params
        self.origins = {} if origins is None else origins
        self.param_origins = {} if param_origins is None else param_origins
        self.set_origins = {} if set_origins is None else set_origins
        self.roots = [] if roots is None else roots
        self.files = [] if files is None else files
        self.rule_at = {} if rule_at is None else rule_at

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

    def origin(self, rule_id: str) -> str:
        """The id of the pack that wrote the rule: this one, or a base it extends."""
        return self.origins.get(rule_id, self.id)

    def param_origin(self, name: str) -> str:
        return self.param_origins.get(name, self.id)

    @property
    def bases(self) -> list[str]:
        """The directories of the packs this one extends, nearest first."""
        return self.roots[1:]

    @property
    def example_path(self) -> FsPath | None:
        from pathlib import Path as FsPath

        return FsPath(self.root) / self.manifest.example if self.manifest.example else None


# --- locating packs ----------------------------------------------------------------------------


def packs_dir() -> FsPath:
    """Where the shipped packs are: inside the installed package, or the repository's rules/."""
    from pathlib import Path as FsPath

    return FsPath(_packs_dir_text())


def _packs_dir_text() -> str:
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # the dlsh_rules package
    installed = os.path.join(here, "rules")
    return installed if os.path.isdir(installed) else os.path.join(os.path.dirname(here), "rules")


_PACK_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


def _installed_root(text: str) -> str | None:
    """The resolved directory of the installed pack named ``text``, found with os.path: what
    ``str(resolve_pack(text).resolve())`` gives for an installed name, else None."""
    if _PACK_NAME.fullmatch(text):
        root = os.path.join(_packs_dir_text(), text)
        if os.path.isfile(os.path.join(root, "pack.yaml")):
            return os.path.realpath(root)
    return None


def schemas_dir() -> FsPath:
    from pathlib import Path as FsPath

    here = FsPath(__file__).resolve().parent.parent  # the dlsh_rules package
    installed = here / "schemas"
    return installed if installed.is_dir() else here.parent / "schemas"


def available_packs(include_abstract: bool = False) -> list[str]:
    """The installed packs' names; abstract ones (bases only) when asked for."""
    base = packs_dir()
    names = (
        sorted(p.name for p in base.iterdir() if (p / "pack.yaml").is_file())
        if base.is_dir()
        else []
    )
    return names if include_abstract else [n for n in names if not is_abstract(base / n)]


def is_abstract(root: FsPath) -> bool:
    """Whether the manifest at ``root`` says `abstract: true`, read without loading the pack."""
    try:
        data = load_path(root / "pack.yaml").data
    except (InputError, OSError):
        return False
    return isinstance(data, dict) and data.get("abstract") is True


def resolve_pack(name_or_path: str | os.PathLike[str]) -> FsPath:
    from pathlib import Path as FsPath

    text = os.fspath(name_or_path)
    candidate = FsPath(text)
    # An installed pack's name wins over a folder of that name in the current directory: a
    # folder among received files must not silently replace the plan being checked. A local
    # folder of that name is still reachable as ./NAME.
    if _PACK_NAME.fullmatch(text) and (packs_dir() / text / "pack.yaml").is_file():
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
            # ... and a union member's name (PeriodRange, literal['years']) after a field that
            # takes one of several forms; rule files write neither.
            if isinstance(part, str) and _UNION_MEMBER.fullmatch(part):
                continue
            pointer = pointer_join(pointer, part)
        found: Found
        if error["type"] == "extra_forbidden":
            expected = Text(
                "规则语言定义的键（此键未定义，可能拼写有误）", "a key the rule language defines"
            )
            key = error["loc"][-1]
            found = Text(f"未知的键 {key!r}", f"unknown key {key!r}")
        elif error["type"] == "missing":
            expected = Text("必填的键", "a required key")
            found = Text("无（缺少此键）", "nothing (missing)")
        elif error["type"] == "union_tag_invalid":
            kinds = ", ".join(sorted(_UNION_TAGS))
            kinds_zh = "、".join(repr(k) for k in sorted(_UNION_TAGS))
            expected = Text(f"检查类型之一：{kinds_zh}", f"a check kind: {kinds}")
            found = describe_found((error.get("ctx") or {}).get("tag"))
        else:
            said = error_text(error)
            expected = Text(f"合法的值（{said.zh}）", said.en)
            found = describe_found(error.get("input"))
        problems.append(_at(doc, pointer, expected, found, str(error["type"])))
    return problems


_UNION_TAGS = {"each", "exists", "coverage", "pairs", "sequence", "delivered"}
_UNION_MEMBER = re.compile(r"[A-Z][A-Za-z]*|[a-z-]+\[.*\]")


_at = problem_at


def load_pack(name_or_path: str | os.PathLike[str] = DEFAULT_PACK) -> Pack:
    """Load and validate a pack by installed name or path; raise InputError with every problem."""
    from ..load.arguments import path_like

    given = path_like(name_or_path, "name_or_path")
    # An installed pack's name (every `check` without --pack) is resolved without pathlib.
    root = _installed_root(given) if isinstance(given, str) else None
    return _load_pack_cached(root if root is not None else str(resolve_pack(given).resolve()))


@cache
def _load_pack_cached(root: str) -> Pack:
    """The pack at ``root``: from the disk cache while its files are unchanged, else loaded.

    Loading parses and validates every rule file and compiles its queries; the result depends
    only on the files' bytes and the tool's code, which key the entry (see cache.py).
    """
    if not disk_cache.enabled():
        return _load_pack_files(root)
    manifest = os.path.join(root, "pack.yaml")
    try:
        with open(manifest, "rb") as handle:
            name = disk_cache.key("pack", root, handle.read())
    except OSError:
        return _load_pack_files(root)  # which reports the unreadable manifest
    entry = disk_cache.read(name)
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Pack):
        cached: Pack = entry[1]
        if _files_unchanged(manifest, entry[0]):
            return cached
    from pathlib import Path as FsPath

    started = time.time_ns()
    pack = _load_pack_files(root)
    # Every file of the chain keys the entry: a base's rule edited changes its children too.
    paths = [FsPath(path) for path in pack.files]
    if disk_cache.settled(paths, started):
        try:
            files = {str(path): disk_cache.file_stamp(path) for path in paths}
        except OSError:
            return pack
        disk_cache.write(name, (files, pack), share=True)
    return pack


def _files_unchanged(manifest: str, files: Any) -> bool:
    """Whether every file a cached pack was loaded from still has the bytes it had then (its
    size and time as they were, else the same SHA-256: `disk_cache.unchanged`)."""
    if not isinstance(files, dict) or manifest not in files:
        return False
    return all(disk_cache.unchanged(path, stamp) for path, stamp in files.items())


def _load_pack_files(root: str) -> Pack:
    from pathlib import Path as FsPath

    from pydantic import ValidationError

    from ..language.models import Manifest, Rule, RuleFile

    # Composing, parameters and the checks beyond the schema run only when the pack is read from
    # its files; a `check` that reads it from the disk cache does not import them.
    from .checks import (
        _here_without_object,
        _relabel,
        _unknown_field,
        here_problem,
        inside_pack,
        pointer_of_key,
        set_cycles,
        sets_of_rule,
        unknown_fields,
    )
    from .compose import Merged, RawRule, apply_layer, merge_layer, read_chain
    from .frozen import freeze
    from .params import resolve_params, substitute, with_dependencies

    layers, problems = read_chain(FsPath(root), packs_dir())
    leaf = layers[-1]
    merged = Merged()
    manifests: list[Manifest] = []
    for layer in layers:
        # Each pack of the chain is validated as written (its parameter overrides completed
        # from what it inherits), so that a problem names the file it is in.
        completed = merge_layer(merged, layer)
        try:
            # a manifest that is not a mapping is reported as such, not as missing keys
            as_written = completed if isinstance(layer.doc.data, dict) else layer.doc.data
            manifests.append(freeze(Manifest.model_validate(as_written)))
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, layer.doc, ""))
    if problems:
        raise InputError(problems)
    own_manifest = manifests[-1]
    manifest_doc = leaf.doc
    effective = {**leaf.data, **{k: v for k, v in merged.data.items() if k in leaf.data or v}}
    manifest = freeze(Manifest.model_validate(effective))
    if not own_manifest.rules and own_manifest.extends is None and not own_manifest.abstract:
        problems.append(
            _at(
                manifest_doc,
                "/rules",
                Text(
                    "至少一个规则文件（除非规则包继承另一规则包或为抽象规则包）",
                    "at least one rule file (unless the pack extends another or is abstract)",
                ),
                Text("无", "none"),
                "no_rules",
            )
        )

    for layer, layer_manifest in zip(layers, manifests, strict=True):
        for name in layer_manifest.enums:
            if name not in BASE:
                problems.append(
                    _at(
                        layer.doc,
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
    if manifest.labels:
        enums = _relabel(manifest_doc, manifest.labels, enums, problems)

    params, param_deps, param_problems = resolve_params(manifest.params, manifest_doc)
    problems.extend(param_problems)

    used: set[str] = set()
    missing: list[tuple[str, str]] = []
    sets: dict[str, Selection] = {}
    set_docs: dict[str, Document] = merged.where.get("sets", {})
    missing_at: list[tuple[Document, str, str]] = []
    for name, spec in manifest.sets.items():
        pointer = pointer_join("/sets", name)
        doc = set_docs.get(name, manifest_doc)
        missing = []
        spec = substitute(spec, params, pointer, used, missing)
        missing_at += [(doc, where, param) for where, param in missing]
        try:
            sets[name] = Selection.parse(spec)
        except SpecError as exc:
            problems.append(
                _at(
                    doc,
                    pointer + exc.where,
                    Text("合法的集合定义", "a valid set definition"),
                    exc.text(),
                    "set",
                )
            )
    for name, selection in sets.items():
        doc = set_docs.get(name, manifest_doc)
        for path, segment in unknown_fields(selection):
            problems.append(
                _unknown_field(doc, doc.data, "", path, segment, pointer_join("/sets", name))
            )
        for path in _here_without_object(selection):
            problems.append(here_problem(doc, pointer_join("/sets", name), path))
    for doc, pointer, name in missing_at:
        problems.append(
            _at(
                doc,
                pointer,
                Text("清单中声明的参数", "a parameter declared in params"),
                f"${name}",
                "unknown_param",
            )
        )
    problems.extend(set_cycles(sets, set_docs, manifest_doc))

    rules: list[Rule] = []
    rule_files: dict[str, str] = {}
    raw_checks: dict[str, list[Any]] = {}
    rule_params: dict[str, list[str]] = {}
    origins: dict[str, str] = {}
    rule_at: dict[str, str] = {}
    seen: dict[str, str] = {}
    files = [str(FsPath(layer.root) / "pack.yaml") for layer in layers]
    if manifest.example is not None and not inside_pack(root, manifest.example):
        problems.append(
            _at(
                manifest_doc,
                "/example",
                Text("规则包目录内存在的示例记录", "an example record inside the pack directory"),
                describe(manifest.example),
                "example_file",
            )
        )
    if own_manifest.source_text is not None and not inside_pack(root, own_manifest.source_text):
        problems.append(
            _at(
                manifest_doc,
                "/source_text",
                Text(
                    "规则包目录内存在的方案文本文件", "a plan text file inside the pack directory"
                ),
                describe(own_manifest.source_text),
                "source_text_file",
            )
        )
    raw_rules: list[RawRule] = []
    for layer, layer_manifest in zip(layers, manifests, strict=True):
        own: list[RawRule] = []
        layer_root = str(layer.root)
        for index, rel in enumerate(layer_manifest.rules):
            if not inside_pack(layer_root, rel):
                problems.append(
                    _at(
                        layer.doc,
                        pointer_join("/rules", index),
                        Text("规则包目录内存在的规则文件", "a rule file inside the pack directory"),
                        describe(rel),
                        "rule_file",
                    )
                )
                continue
            rule_path = FsPath(layer_root) / rel
            files.append(str(rule_path))
            doc = load_path(rule_path)
            try:
                raw = RuleFile.model_validate(doc.data)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(exc, doc, ""))
                continue
            own += [
                RawRule(entry, doc, pointer_join("/rules", i), layer_manifest.id)
                for i, entry in enumerate(raw.rules)
            ]
        raw_rules, found = apply_layer(raw_rules, own, layer, layer_manifest)
        problems.extend(found)
    for raw_rule in raw_rules:
        doc, pointer = raw_rule.doc, raw_rule.pointer
        missing = []
        mine: set[str] = set()
        entry = substitute(raw_rule.entry, params, pointer, mine, missing)
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
        origins[rule.id] = raw_rule.origin
        rule_at[rule.id] = pointer
        raw_checks[rule.id] = list(entry.get("checks", []))  # as checked: params filled in
        rule_params[rule.id] = sorted(mine)
        for path, segment in unknown_fields(rule):
            problems.append(_unknown_field(doc, entry, pointer, path, segment))
        for path in _here_without_object([rule.checks, rule.due]):
            at = pointer_of_key(entry, pointer, "here") or pointer
            problems.append(here_problem(doc, at, path))
        for name in sorted(sets_of_rule(rule) - set(sets)):
            problems.append(
                _at(
                    doc,
                    pointer,
                    Text(
                        f"清单中定义的集合（{'、'.join(repr(s) for s in sets)}）",
                        f"a set defined in the manifest ({', '.join(sets)})",
                    ),
                    Text(f"集合 {name!r}", f"set {name!r}"),
                    "unknown_set",
                )
            )
        rules.append(rule)
    if problems:
        raise InputError(problems)
    # A parameter nobody reads is drift, but only in the pack that writes it: a base offers
    # parameters its children may not need, and an abstract pack is read by its children.
    if not manifest.abstract:
        for name in sorted(set(own_manifest.params) - with_dependencies(used, param_deps)):
            problems.append(
                _at(
                    manifest_doc,
                    pointer_join("/params", name),
                    Text("被某条规则或集合使用的参数", "a parameter that some rule or set uses"),
                    Text(f"${name} 未被使用", f"${name} is used nowhere"),
                    "unused_param",
                )
            )
    if problems:
        raise InputError(problems)
    return Pack(
        manifest,
        rules,
        sets,
        enums,
        root,
        rule_files,
        raw_checks,
        rule_params,
        origins=origins,
        param_origins=dict(merged.origin.get("params", {})),
        set_origins=dict(merged.origin.get("sets", {})),
        roots=[str(layer.root) for layer in reversed(layers)],
        files=files,
        rule_at=rule_at,
    )


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from ..language import models as language

        return getattr(language, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
