"""The command line's parser classes: argparse's, with a suggestion for a mistyped choice, and
built for one command line (issue 13): only the commands it names in full, and no `shutil` for
the terminal's width until help is shown; and the words of its help. `check RECORD` imports
none of it (cli/main.py `_quick_check`)."""

from __future__ import annotations

import argparse
from typing import Any

from .translation import suggestion


class Parser(argparse.ArgumentParser):
    """argparse's parser; its own words come from `translation.py` while the command line is
    parsed (`main`)."""

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # A value that is not one of the choices gets the closest choice, as Python 3.14's
        # argparse offers (suggest_on_error): `chek` is a typo of `check`.
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            guess = suggestion(value, action.choices)
            if guess is None:
                raise
            raise argparse.ArgumentError(action, f"{exc.message}{guess}") from None

    # While the parser is being built, argparse makes a help formatter for every argument only to
    # test its metavar; a formatter asks the terminal its width through `shutil` (whose import
    # brings bz2, lzma and fnmatch: about 2 ms of a `check`, issue 13). That test does not
    # depend on the width, so it gets a fixed one; help, usage and errors get the terminal's.
    _building = False

    def _get_formatter(self) -> argparse.HelpFormatter:
        if Parser._building and self.formatter_class is argparse.HelpFormatter:
            return argparse.HelpFormatter(prog=self.prog, width=80)
        return super()._get_formatter()


class Unfilled(Parser):
    """A command's parser left without its arguments: one the command line does not name, so
    argparse never parses with it (it only lists its name and help in the help)."""

    def add_argument(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def set_defaults(self, **kwargs: Any) -> None:
        return None

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def add_mutually_exclusive_group(self, **kwargs: Any) -> Any:
        return self


class Commands:
    """The subparsers action, adding in full only the commands in ``wanted`` (None: all).

    argparse picks a command by exact name (Python 3.11 has no abbreviated commands), so the
    command a command line runs is always one of its words; building only those saves building
    some 60 arguments of the other commands on every run (issue 13)."""

    def __init__(self, action: Any, wanted: set[str] | None) -> None:
        self.action = action
        self.wanted = wanted

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if self.wanted is None or name in self.wanted:
            parser: argparse.ArgumentParser = self.action.add_parser(name, **kwargs)
            return parser
        self.action._parser_class = Unfilled
        try:
            parser = self.action.add_parser(name, **kwargs)
        finally:
            self.action._parser_class = Parser
        return parser


# The words of the parser's help (cli/main.py keeps those of its own messages): in this module,
# which only a command line argparse parses imports, not on the way of `check RECORD`.
WORDS: dict[str, tuple[str, str]] = {
    "prog": (
        "检查民主生活会记录是否符合实施方案。",
        "Check a democratic life meeting record against its implementation plan.",
    ),
    "epilog": (
        "退出码：0 无不符合项；1 有达到 --fail-on 级别的不符合项；2 输入无法检查；3 内部错误。"
        "检查多份记录时取其中最严重者。",
        "Exit status: 0 nothing failed; 1 a failure at or above --fail-on; 2 input cannot be checked; 3 internal error. "
        "With several records, the worst of them.",
    ),
    "cmd": ("子命令", "commands"),
    "check": ("检查会议记录", "check meeting records"),
    "rules": (
        "列出规则包中的全部规则：编号、条款、严重程度、标题和方案原文",
        "list every rule of a pack: id, clause, severity, title and the plan's words",
    ),
    "brief": ("不列出方案原文，每条规则一行", "leave out the plan's words: one line a rule"),
    "explain": (
        "解释一条规则：原文、检查内容、参数与示例",
        "explain a rule: the plan's words, what it checks, parameters, examples",
    ),
    "test": (
        "运行规则包自带的测试用例；每条规则须至少有一个必须失败和一个必须通过的用例",
        "run a pack's own test cases; every rule needs a case that must fail and one that must pass",
    ),
    "allow_missing": (
        "缺少用例的规则只作为警告列出，不使测试失败",
        "list rules without cases as warnings instead of failing",
    ),
    "with_lint": ("测试之后再运行 lint", "run lint after the tests"),
    "lint": (
        "检查规则包：未使用的集合、缺少用例的规则、方案原文中找不到的引文、缺少一种语言的标签"
        "（退出码：0 无问题；1 有问题；2 规则包无效）",
        "lint a pack: unused sets, rules without cases, quotes not in the plan text, labels "
        "missing a language (exit 0 clean, 1 findings, 2 invalid pack)",
    ),
    "new_pack": (
        "新建规则包骨架（清单、一条规则、示例记录、一个必须失败和一个必须通过的用例），可立即通过 test",
        "write a new pack skeleton (manifest, one rule, example record, a failing and a passing "
        "case) that passes `test` at once",
    ),
    "new_name": ("新规则包的 id，也是目录名", "the new pack's id, also its directory name"),
    "new_extends": (
        "继承的规则包：已安装的名称或目录",
        "the pack to extend: an installed name or a directory",
    ),
    "new_dir": ("在此目录下创建（默认当前目录）", "create it in this directory (default: here)"),
    "schema": (
        "输出 JSON Schema（record 记录、rule 规则、pack 规则包清单、report 检查报告）",
        "print a JSON Schema (record, rule, pack, report)",
    ),
    "record": (
        "会议记录：文件（JSON 或 YAML）、目录（递归查找 *.json、*.yaml、*.yml，跳过隐藏目录）"
        "或通配符（如 'records/**/*.yaml'）；可给多个。只给一个文件时输出完整报告，否则输出汇总表",
        "meeting records: files (JSON or YAML), directories (searched recursively for *.json, "
        "*.yaml, *.yml; hidden ones skipped) or glob patterns (e.g. 'records/**/*.yaml'); "
        "several may be given. One file gives the full report, anything else a summary table",
    ),
    "pack": (
        "规则包名称或目录（默认 provincial-bureau-2024）",
        "rule pack name or directory (default provincial-bureau-2024)",
    ),
    "format": (
        "输出格式 NAME 或 NAME:PATH（写入文件，自动创建目录）；可重复，最多一个不带 PATH"
        "（输出到标准输出或 -o 文件）。可选：{formats}",
        "output format NAME, or NAME:PATH to write it to a file (directories are created); "
        "repeat for several, at most one without PATH (standard output, or -o). "
        "Formats: {formats}",
    ),
    "lang": ("输出语言：zh（中文，默认）或 en", "output language: zh (Chinese, default) or en"),
    "fail_on": (
        "达到此级别的不符合项使退出码为 1（默认 error）",
        "failures at or above this severity exit 1 (default error)",
    ),
    "select": (
        "只检查这些规则 id 或前缀（如 prep.talks）；每个 --select 一个值，或用逗号分隔多个",
        "check only these rule ids or dotted prefixes (e.g. prep.talks); one per --select, or "
        "several comma-separated",
    ),
    "ignore": (
        "不检查这些规则 id 或前缀；每个 --ignore 一个值，或用逗号分隔多个",
        "skip these rule ids or dotted prefixes; one per --ignore, or several comma-separated",
    ),
    "as_of": (
        "检查日期 YYYY-MM-DD：截止日期在其后且尚未完成的规则记为待到期",
        "check as of YYYY-MM-DD: rules due later and not yet met are pending",
    ),
    "output": (
        "不带 PATH 的那个格式写入此文件而非标准输出（原子写入）",
        "write the format given without PATH to this file instead of standard output (atomically)",
    ),
    "waivers": (
        "豁免文件（dlsh-waivers/1，YAML 或 JSON）：适用于每份记录的经批准的例外；"
        "有效期与记录自身的豁免一样，按 --as-of 判断，未给出时按记录中最晚的日期（不读取系统时钟）",
        "waiver file (dlsh-waivers/1, YAML or JSON): approved standing exceptions applied to "
        "every record; like the record's own waivers, judged at --as-of, else at the latest "
        "date the record holds (never the clock)",
    ),
    "date": (
        "报告上写明的检查日期 YYYY-MM-DD（HTML 报告；today 表示今天）；未给出时用 --as-of，"
        "都未给出则留空待手填，保证同样的输入得到同样的报告",
        "the date of the check that the report states, YYYY-MM-DD (HTML report; 'today' reads "
        "the clock); default --as-of, else a blank to fill in by hand, so that the same inputs "
        "give the same report",
    ),
    "today": (
        "未给出 --as-of 时，判断豁免（文件中的和记录中的）有效期所用的日期 YYYY-MM-DD，"
        "代替记录中最晚的日期",
        "the day YYYY-MM-DD at which waivers (the file's and the record's) are judged when "
        "--as-of is not given, instead of the latest date the record holds",
    ),
    "jobs": (
        "并行检查的进程数（默认：可用 CPU 数；1 表示在本进程内逐个检查）",
        "worker processes for several records (default: the CPUs available; 1 checks them "
        "one by one in this process)",
    ),
    "quiet": (
        "只显示未通过的规则（不符合、出错、待到期）和结论行，不显示进度条",
        "show only the rules not passed (failed, error, pending) and the verdict; no progress bar",
    ),
    "color": (
        "颜色：auto（终端且未设 NO_COLOR 时）、always、never",
        "colour: auto (on a terminal without NO_COLOR), always, never",
    ),
    "rule_id": ("规则 id", "rule id"),
    "schema_name": (
        "哪个 schema：record、rule、pack 或 report",
        "which schema: record, rule, pack or report",
    ),
    "help": ("显示帮助并退出", "show this help and exit"),
    "version": ("显示版本并退出", "show the version and exit"),
}
