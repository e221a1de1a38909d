"""The configuration file: `[tool.dlsh-rules]` in pyproject.toml, or a `dlsh-rules.toml`.

Found as ruff finds its own: from the current directory upwards, the first directory with a
`dlsh-rules.toml` (any content) or a `pyproject.toml` that has the table; in one directory the
`dlsh-rules.toml` wins. `--config FILE` names the file, `--no-config` reads none. Each setting
comes from the first of: a flag, the environment (`DLSH_LANG`, for `lang` only), the file, the
default; `check --show-config` prints every effective value and where it came from.

Paths in the file (`pack` when it is a directory, `waivers`, `exclude`) are relative to the
file's directory, so a run from any subdirectory means the same thing; on the command line they
are relative to the current directory, as every path there is.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import FrozenValue, InputError, Problem, Text, Value, describe, describe_found

CONFIG_NAME = "dlsh-rules.toml"
PYPROJECT = "pyproject.toml"
TABLE = "dlsh-rules"
DEFAULT_PACK = "provincial-bureau-2024"  # pack.loader.DEFAULT_PACK, without importing the loader


class Key(FrozenValue):
    """One setting: its argparse destination, the kind of value, the allowed values."""

    dest: str
    kind: str  # "str", "path", "pack", "choice", "list", "int", "bool"
    default: Any
    choices: tuple[str, ...]
    commands: tuple[str, ...]  # the commands it applies to; () = every one

    def __init__(
        self,
        dest: str,
        kind: str,
        default: Any = None,
        choices: tuple[str, ...] = (),
        commands: tuple[str, ...] = ("check",),
    ) -> None:
        self.__dict__.update(
            dest=dest, kind=kind, default=default, choices=choices, commands=commands
        )


KEYS: dict[str, Key] = {
    "pack": Key("pack", "pack", DEFAULT_PACK, commands=()),
    "lang": Key("lang", "choice", "zh", ("zh", "en"), commands=()),
    "fail-on": Key("fail_on", "choice", "error", ("error", "warning", "never")),
    "waivers": Key("waivers", "path"),
    "select": Key("select", "list", ()),
    "ignore": Key("ignore", "list", ()),
    "exclude": Key("exclude", "list", ()),
    "jobs": Key("jobs", "int"),
    "color": Key("color", "choice", "auto", ("auto", "always", "never")),
    "quiet": Key("quiet", "bool", False),
    "statistics": Key("statistics", "bool", False),
}

_T: dict[str, tuple[str, str]] = {
    "default": ("默认值", "default"),
    "flag": ("命令行 {flag}", "flag {flag}"),
    "env": ("环境变量 {name}", "environment variable {name}"),
    "file": ("配置文件：{path}", "configuration file: {path}"),
    "no_file": (
        "配置文件：无（从 {cwd} 向上未找到 dlsh-rules.toml 或含 [tool.dlsh-rules] 的 pyproject.toml）",
        "configuration file: none (no dlsh-rules.toml, nor a pyproject.toml with "
        "[tool.dlsh-rules], from {cwd} upwards)",
    ),
    "disabled": ("配置文件：无（--no-config）", "configuration file: none (--no-config)"),
    "none": ("（无）", "(none)"),
}


def _t(key: str, lang: str, **values: object) -> str:
    return _T[key][1 if lang == "en" else 0].format(**values)


class Config(Value):
    """A configuration file read: its settings (by key) and the line each one stands on."""

    path: str | None
    values: dict[str, Any]
    lines: dict[str, int]

    def __init__(
        self,
        path: str | None = None,
        values: dict[str, Any] | None = None,
        lines: dict[str, int] | None = None,
    ) -> None:
        self.path = path
        self.values = {} if values is None else values
        self.lines = {} if lines is None else lines

    @property
    def base(self) -> str:
        """The directory the file's relative paths start from."""
        return os.path.dirname(self.path) if self.path else os.getcwd()

    def origin(self, key: str) -> str:
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line is not None else str(self.path)


# --- finding and reading ---------------------------------------------------------------------


def _has_table(path: str) -> bool:
    """Whether a pyproject.toml has `[tool.dlsh-rules]`; an unreadable or broken one is read (and
    reported) only if it mentions the table, so that an unrelated broken pyproject.toml of a
    parent directory never stops a run."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        return False
    return b"dlsh-rules" in raw and _header(raw.decode("utf-8", "replace")) is not None


def find(start: str | None = None) -> str | None:
    """The configuration file for a run in ``start`` (default: the current directory)."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        own = os.path.join(here, CONFIG_NAME)
        if os.path.isfile(own):
            return own
        pyproject = os.path.join(here, PYPROJECT)
        if os.path.isfile(pyproject) and _has_table(pyproject):
            return pyproject
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


_HEADER = re.compile(r"""^\s*\[\s*tool\s*\.\s*(?:"dlsh-rules"|'dlsh-rules'|dlsh-rules)\s*\]""")
_ANY_HEADER = re.compile(r"^\s*\[")


def _header(text: str) -> int | None:
    """The 1-based line of `[tool.dlsh-rules]` in a pyproject.toml."""
    for i, line in enumerate(text.splitlines(), 1):
        if _HEADER.match(line):
            return i
    return None


def _key_lines(text: str, in_pyproject: bool) -> dict[str, int]:
    """Where each key of the table is written: tomllib keeps no positions, and an error should
    point at the line to edit. Keys of the table only: from its header (or the top of a
    dlsh-rules.toml) to the next header."""
    lines = text.splitlines()
    start = 0
    if in_pyproject:
        header = _header(text)
        if header is None:
            return {}
        start = header
    found: dict[str, int] = {}
    for i in range(start, len(lines)):
        line = lines[i]
        if _ANY_HEADER.match(line):
            break
        match = re.match(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""", line)
        if match:
            key = next(g for g in match.groups() if g is not None)
            found.setdefault(key, i + 1)
    return found


# tomllib's messages (English only) in Chinese; the line and column come separately.
_TOML_ZH: tuple[tuple[str, str], ...] = (
    ("Invalid value", '无效的值（字符串要加引号，列表写成 ["a", "b"]）'),
    ("Expected '=' after a key in a key/value pair", "键之后应有等号 ="),
    ("Invalid statement", "无效的语句"),
    ("Unterminated string", "字符串缺少结束引号"),
    ("Illegal character", "非法字符"),
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Cannot declare", "同一个表写了两次"),
    ("Expected newline or end of document after a statement", "一条语句之后应换行"),
    ("Unclosed array", "列表缺少结束的 ]"),
    ("Unclosed inline table", "内联表缺少结束的 }"),
    ("Invalid initial character for a key part", "键的第一个字符无效"),
    ("Expected ']' at the end of a table declaration", "表头缺少结束的 ]"),
)


def _syntax_problem(path: str, exc: Exception, lang: str) -> Problem:
    message = str(exc)
    line = column = None
    at = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if at:
        line, column = int(at.group(1)), int(at.group(2))
    detail = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", message)
    zh = next((z for e, z in _TOML_ZH if detail.startswith(e)), "TOML 语法错误")
    return Problem(
        path,
        "",
        Text("有效的 TOML 文本", "valid TOML (https://toml.io)"),
        Text(zh, detail),
        line,
        column,
        code="config_syntax",
    )


def load(path: str, lang: str = "zh") -> Config:
    """Read and check a configuration file; InputError (file:line) if it is not valid."""
    # Imported here: a run without a configuration file never needs them.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the tomli backport has the same interface
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        from .console import _strerror

        found = _strerror(exc, lang)
        raise InputError(
            [
                Problem(
                    path,
                    "",
                    Text("可读取的配置文件", "a readable configuration file"),
                    found,
                    code="io",
                )
            ]
        ) from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                Problem(
                    path,
                    "",
                    Text("UTF-8 编码的文本", "UTF-8 text"),
                    f"byte {exc.start}",
                    code="encoding",
                )
            ]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError([_syntax_problem(path, exc, lang)]) from None
    in_pyproject = os.path.basename(path) == PYPROJECT
    pointer = "/tool/dlsh-rules" if in_pyproject else ""
    table: Any = data.get("tool", {}).get(TABLE, {}) if in_pyproject else data
    lines = _key_lines(text, in_pyproject)
    header = _header(text) if in_pyproject else None
    if not isinstance(table, dict):
        raise InputError(
            [
                Problem(
                    path,
                    pointer,
                    Text("一个表 [tool.dlsh-rules]", "a table [tool.dlsh-rules]"),
                    describe_found(table),
                    header,
                    code="config",
                )
            ]
        )
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in table.items():
        line = lines.get(key, header)
        where = f"{pointer}/{key}"
        spec = KEYS.get(key)
        if spec is None:
            import difflib

            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1, cutoff=0.6)
            found = describe(key)
            hint = Text(found, found)
            if close:
                hint = Text(
                    f"{found}（您是否要写 `{close[0]}`？）", f"{found} (did you mean {close[0]}?)"
                )
            problems.append(
                Problem(
                    path,
                    where,
                    Text(
                        "已知的设置：" + "、".join(f"`{k}`" for k in KEYS),
                        "a known setting: " + ", ".join(KEYS),
                    ),
                    hint,
                    line,
                    code="config_key",
                )
            )
            continue
        checked = _value(spec, value)
        if isinstance(checked, Text):
            problems.append(
                Problem(path, where, checked, describe_found(value), line, code="config")
            )
            continue
        values[key] = checked
    if problems:
        raise InputError(problems)
    return Config(path, values, {k: lines.get(k, header or 1) for k in values})


def _value(spec: Key, value: Any) -> Any:
    """The setting's value, or the Text of what was expected."""
    if spec.kind == "bool":
        return value if isinstance(value, bool) else Text("true 或 false", "true or false")
    if spec.kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        return Text("正整数", "a positive whole number")
    if spec.kind == "list":
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return split_list(value)
        return Text(
            '字符串列表，如 ["prep", "meeting"]', 'a list of strings, e.g. ["prep", "meeting"]'
        )
    if not isinstance(value, str) or not value.strip():
        return Text("非空字符串", "a non-empty string")
    if spec.kind == "choice" and value not in spec.choices:
        listed = "、".join(f'"{c}"' for c in spec.choices)
        return Text(f"以下之一：{listed}", f"one of {', '.join(spec.choices)}")
    return value


def split_list(values: Sequence[str]) -> list[str]:
    """`a,b` / `a，b` (a full-width comma, as a Chinese input method types it) → [a, b]."""
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in re.split("[,，]", value) if part.strip())
    return out


# --- the effective settings ------------------------------------------------------------------


class Settings(Value):
    """The effective value of every setting of a run, and where each came from."""

    config: Config | None
    disabled: bool
    origins: dict[str, str]  # key -> "default" / "flag" / ...
    base: str  # where `exclude` patterns start (the config's directory, or here)

    def __init__(
        self,
        config: Config | None,
        disabled: bool = False,
        origins: dict[str, str] | None = None,
        base: str = "",
    ) -> None:
        self.config = config
        self.disabled = disabled
        self.origins = {} if origins is None else origins
        self.base = base


def _resolve_path(spec: Key, value: str, base: str) -> str:
    if spec.kind == "path":
        return os.path.normpath(os.path.join(base, value))
    # A pack is a name or a directory; an installed name wins, as on the command line
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", value) and not os.path.exists(
        os.path.join(base, value)
    ):
        return value
    return os.path.normpath(os.path.join(base, value))


def select_config(args: Any, lang: str) -> Config | None:
    """The configuration file the arguments ask for (--config, --no-config, or found)."""
    if getattr(args, "no_config", False):
        return None
    explicit = getattr(args, "config", None)
    path = explicit if explicit is not None else find()
    return load(path, lang) if path is not None else None


def apply(args: Any, command: str, lang: str, env: dict[str, str] | None = None) -> Settings:
    """Fill in every setting the command has and the command line left unset (None), from the
    environment, the configuration file and the defaults; record where each came from."""
    env = dict(os.environ) if env is None else env
    config = select_config(args, lang)
    settings = Settings(config, disabled=bool(getattr(args, "no_config", False)))
    settings.base = os.getcwd()
    for key, spec in KEYS.items():
        if not hasattr(args, spec.dest) or (spec.commands and command not in spec.commands):
            continue
        given = getattr(args, spec.dest)
        if given is not None:
            settings.origins[key] = "flag"
            if spec.kind == "list":
                setattr(args, spec.dest, split_list(given))
            continue
        if key == "lang" and env.get("DLSH_LANG") in ("zh", "en"):
            setattr(args, spec.dest, env["DLSH_LANG"])
            settings.origins[key] = "env"
            continue
        if config is not None and key in config.values:
            value = config.values[key]
            if spec.kind in ("path", "pack"):
                value = _resolve_path(spec, value, config.base)
            setattr(args, spec.dest, value)
            settings.origins[key] = "file"
            if key == "exclude":
                settings.base = config.base
            continue
        default = spec.default
        setattr(args, spec.dest, list(default) if isinstance(default, tuple) else default)
        settings.origins[key] = "default"
    return settings


def origin_text(settings: Settings, key: str, lang: str) -> str:
    how = settings.origins[key]
    if how == "flag":
        return _t("flag", lang, flag="--" + key)
    if how == "env":
        return _t("env", lang, name="DLSH_LANG")
    if how == "file" and settings.config is not None:
        return settings.config.origin(key)
    return _t("default", lang)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    import json

    return json.dumps(value, ensure_ascii=False)


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def show(args: Any, settings: Settings, lang: str) -> str:
    """`check --show-config`: the file used, then each setting as TOML with its origin in a
    comment (so the output can be pasted into a dlsh-rules.toml as it is)."""
    if settings.config is not None:
        head = _t("file", lang, path=settings.config.path)
    elif settings.disabled:
        head = _t("disabled", lang)
    else:
        head = _t("no_file", lang, cwd=os.getcwd())
    rows = []
    for key, spec in KEYS.items():
        if key not in settings.origins:
            continue
        value = getattr(args, spec.dest)
        shown = f"{key} = {_toml(value)}" if value is not None else f"# {key} = {_t('none', lang)}"
        rows.append((shown, origin_text(settings, key, lang)))
    width = max(_width(shown) for shown, _ in rows)
    lines = [f"# {head}"]
    lines += [f"{shown}{' ' * (width - _width(shown))}  # {origin}" for shown, origin in rows]
    return "\n".join(lines) + "\n"


def peek_lang(argv: Sequence[str]) -> str | None:
    """The configuration file's `lang`, read before the arguments are parsed (their help and
    errors are written in it); None when there is none or the file is broken (the error is
    reported once the arguments are parsed)."""
    if "--no-config" in argv:
        return None
    path: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            path = argv[i + 1]
        elif arg.startswith("--config="):
            path = arg.split("=", 1)[1]
    try:
        path = path or find()
        if path is None:
            return None
        value = load(path).values.get("lang")
    except (InputError, OSError):
        return None
    return value if isinstance(value, str) else None
