"""What `check` settles before it reads a record: which rules (--select/--ignore, with a
"did you mean" for a misspelt one), which files (directories and patterns expanded, .gitignore
and `exclude` honoured, a pattern that matches nothing reported rather than checked), and the
words of the options this adds to `check --help`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .console import say

if TYPE_CHECKING:
    from ..errors import Problem
    from ..pack.loader import Pack
    from .config import Settings

HELP: dict[str, tuple[str, str]] = {
    "statistics": (
        "显示统计（按阶段、按状态、按规则的数目）代替逐条规则的结果（text 与 markdown 格式）",
        "show counts by phase, by status and by rule instead of each rule's result (text and "
        "markdown formats)",
    ),
    "show_config": (
        "显示所用的配置文件、每项设置的生效值及其来源，然后退出",
        "print the configuration file used, each setting's effective value and where it came "
        "from, then exit",
    ),
    "config": (
        "使用此配置文件（dlsh-rules.toml 或含 [tool.dlsh-rules] 的 pyproject.toml），"
        "不再从当前目录向上查找",
        "use this configuration file (dlsh-rules.toml, or a pyproject.toml with "
        "[tool.dlsh-rules]) instead of searching from the current directory upwards",
    ),
    "no_config": ("不读取任何配置文件", "read no configuration file"),
    "exclude": (
        "查找目录和通配符时跳过这些文件或目录（gitignore 写法，可用逗号分隔多个）；"
        "目录中 .gitignore 忽略的文件总是跳过",
        "leave out these files or folders when walking directories and patterns (gitignore "
        "syntax; several may be comma-separated); files .gitignore ignores are always left out",
    ),
    "no_records": (
        "没有要检查的记录：{args}",
        "no record to check: {args}",
    ),
    "no_match": (
        "{arg}：{why}，已跳过",
        "{arg}: {why}; skipped",
    ),
    "no_match_pattern": ("通配符没有匹配到任何记录文件", "the pattern matches no record file"),
    "no_match_dir": (
        "目录中没有要检查的记录文件（*.json、*.yaml、*.yml）",
        "the directory holds no record file to check (*.json, *.yaml, *.yml)",
    ),
    "suggest": ("您是否要写 {names}？", "did you mean {names}?"),
    "no_selected": (
        "{where} 的 {ids} 不是规则包 {pack} 中任何规则的 id 或前缀"
        "（可用 `dlsh-rules rules` 列出）{hint}",
        "{where} {ids} names no rule id or prefix of pack {pack} "
        "(`dlsh-rules rules` lists them){hint}",
    ),
}


class UsageError(Exception):
    """A setting the pack or the disk refuses; exit 2 with this message."""


def _t(key: str, lang: str, **values: object) -> str:
    return HELP[key][1 if lang == "en" else 0].format(**values)


def _prefixes(rule_ids: Sequence[str]) -> list[str]:
    """Every rule id and every dotted prefix of one: what --select and --ignore accept."""
    out: dict[str, None] = {}
    for rule_id in rule_ids:
        parts = rule_id.split(".")
        for n in range(1, len(parts) + 1):
            out[".".join(parts[:n])] = None
    return list(out)


def check_selectors(args: Any, pack: Pack, settings: Settings | None) -> None:
    """As in ruff, a selector that matches nothing is a mistake, not an empty (and so compliant)
    report: a misspelt --select in CI would otherwise pass every record. Each one is named with
    where it was written and the closest ids of the pack."""
    from ..evaluate.engine import rule_selected
    from .config import origin_text

    lang = args.lang
    known = _prefixes([rule.id for rule in pack.rules])
    messages = []
    for key in ("select", "ignore"):
        unmatched = [
            entry
            for entry in dict.fromkeys(getattr(args, key))
            if not any(rule_selected(rule.id, [entry], []) for rule in pack.rules)
        ]
        if not unmatched:
            continue
        where = f"--{key}"
        if settings is not None and settings.origins.get(key) == "file":
            where = (
                f"{origin_text(settings, key, lang)}：{key}"
                if lang != "en"
                else (f"{origin_text(settings, key, lang)}: {key}")
            )
        for entry in unmatched:
            import difflib  # a misspelt entry only

            close = difflib.get_close_matches(entry, known, n=3, cutoff=0.6)
            hint = ""
            if close:
                names = ("、" if lang != "en" else ", ").join(close)
                hint = ("; " if lang == "en" else "；") + _t("suggest", lang, names=names)
            messages.append(
                _t("no_selected", lang, where=where, ids=entry, pack=pack.id, hint=hint)
            )
    if messages:
        raise UsageError("\n".join(messages))


def drop_unmatched(
    inputs: list[tuple[str, Problem | None]], lang: str
) -> list[tuple[str, Problem | None]]:
    """The inputs without the arguments that named no record (a pattern that matches nothing,
    a directory without records): each is a warning on stderr, not a record that cannot be
    checked. Nothing left at all is a usage error (exit 2)."""
    kept = []
    skipped = []
    for source, problem in inputs:
        if problem is not None and problem.code == "no_input":
            why = "no_match_dir" if problem.found == "an empty directory" else "no_match_pattern"
            skipped.append(source)
            say("check", lang, "warning", _t("no_match", lang, arg=source, why=_t(why, lang)))
            continue
        kept.append((source, problem))
    if not kept:
        raise UsageError(_t("no_records", lang, args=", ".join(skipped)))
    return kept
