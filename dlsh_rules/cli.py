"""Command line: `python -m dlsh_rules` / `dlsh-rules`.

Exit status: 0 nothing failed at or above --fail-on; 1 something did; 2 the input could not be
checked (unreadable or invalid record, invalid pack, bad argument); 3 an internal error (a bug:
please report it; DLSH_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

_T: dict[str, tuple[str, str]] = {
    "prog": (
        "检查民主生活会记录是否符合实施方案。",
        "Check a democratic life meeting record against its implementation plan.",
    ),
    "epilog": (
        "退出码：0 无不符合项；1 有达到 --fail-on 级别的不符合项；2 输入无法检查；3 内部错误。",
        "Exit status: 0 nothing failed; 1 a failure at or above --fail-on; 2 input cannot be checked; 3 internal error.",
    ),
    "cmd": ("子命令", "commands"),
    "check": ("检查会议记录", "check meeting records"),
    "rules": ("列出规则包中的全部规则", "list every rule of a pack"),
    "explain": (
        "解释一条规则：原文、检查内容、参数与示例",
        "explain a rule: the plan's words, what it checks, parameters, examples",
    ),
    "test": ("运行规则包自带的测试用例", "run a pack's own test cases"),
    "schema": (
        "输出 JSON Schema（record、rule、pack）",
        "print a JSON Schema (record, rule, pack)",
    ),
    "record": ("会议记录文件（JSON 或 YAML）", "meeting record file (JSON or YAML)"),
    "pack": (
        "规则包名称或目录（默认 provincial-bureau-2024）",
        "rule pack name or directory (default provincial-bureau-2024)",
    ),
    "format": ("输出格式", "output format"),
    "lang": ("输出语言：zh（中文，默认）或 en", "output language: zh (Chinese, default) or en"),
    "fail_on": (
        "达到此级别的不符合项使退出码为 1（默认 error）",
        "failures at or above this severity exit 1 (default error)",
    ),
    "select": (
        "只检查这些规则 id 或前缀（如 prep.talks）",
        "check only these rule ids or dotted prefixes (e.g. prep.talks)",
    ),
    "ignore": ("不检查这些规则 id 或前缀", "skip these rule ids or dotted prefixes"),
    "as_of": (
        "检查日期 YYYY-MM-DD：截止日期在其后且尚未完成的规则记为待到期",
        "check as of YYYY-MM-DD: rules due later and not yet met are pending",
    ),
    "output": (
        "写入文件而非标准输出（原子写入）",
        "write to this file instead of standard output (atomically)",
    ),
    "color": (
        "颜色：auto（终端且未设 NO_COLOR 时）、always、never",
        "colour: auto (on a terminal without NO_COLOR), always, never",
    ),
    "rule_id": ("规则 id", "rule id"),
    "schema_name": ("哪个 schema", "which schema"),
    "no_rule": ("规则包 {pack} 中没有规则 {rule}", "pack {pack} has no rule {rule}"),
    "bad_date": (
        "日期应为 YYYY-MM-DD 格式的真实日期：{value}",
        "a real date written YYYY-MM-DD was expected: {value}",
    ),
    "internal": (
        "内部错误（程序缺陷，请报告）：{error}",
        "internal error (a bug, please report it): {error}",
    ),
    "help": ("显示帮助并退出", "show this help and exit"),
    "version": ("显示版本并退出", "show the version and exit"),
}


def _lang_from(argv: Sequence[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    return "en" if os.environ.get("DLSH_LANG") == "en" else "zh"


class _Parser(argparse.ArgumentParser):
    lang = "zh"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        prefix = "错误" if self.lang != "en" else "error"
        self.exit(EXIT_INPUT, f"{self.prog}: {prefix}: {message}\n")


def _date_type(lang: str) -> Any:
    def date(value: str) -> dt.date:
        from .dates import parse_date

        try:
            return parse_date(value)
        except ValueError:
            message = _T["bad_date"][1 if lang == "en" else 0].format(value=value)
            raise argparse.ArgumentTypeError(message) from None

    return date


def build_parser(lang: str) -> argparse.ArgumentParser:
    t = {k: v[1] if lang == "en" else v[0] for k, v in _T.items()}
    _Parser.lang = lang
    parser = _Parser(prog="dlsh-rules", description=t["prog"], epilog=t["epilog"], add_help=False)
    parser.add_argument("-h", "--help", action="help", help=t["help"])
    from . import __version__

    parser.add_argument(
        "--version", action="version", version=f"dlsh_rules {__version__}", help=t["version"]
    )
    sub = parser.add_subparsers(dest="command", title=t["cmd"], required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser, pack: bool = True) -> None:
        p.add_argument("-h", "--help", action="help", help=t["help"])
        p.add_argument("--lang", choices=["zh", "en"], default=lang, help=t["lang"])
        if pack:
            p.add_argument("--pack", default="provincial-bureau-2024", help=t["pack"])

    from .render import FORMATS

    c = sub.add_parser(
        "check", help=t["check"], description=t["check"], epilog=t["epilog"], add_help=False
    )
    c.add_argument("record", help=t["record"])
    common(c)
    c.add_argument("--format", choices=sorted(FORMATS), default="text", help=t["format"])
    c.add_argument(
        "--fail-on", choices=["error", "warning", "never"], default="error", help=t["fail_on"]
    )
    c.add_argument("--select", nargs="+", default=[], metavar="ID", help=t["select"])
    c.add_argument("--ignore", nargs="+", default=[], metavar="ID", help=t["ignore"])
    c.add_argument("--as-of", type=_date_type(lang), default=None, metavar="DATE", help=t["as_of"])
    c.add_argument("-o", "--output", default=None, metavar="FILE", help=t["output"])
    c.add_argument("--color", choices=["auto", "always", "never"], default="auto", help=t["color"])

    r = sub.add_parser("rules", help=t["rules"], description=t["rules"], add_help=False)
    common(r)

    e = sub.add_parser("explain", help=t["explain"], description=t["explain"], add_help=False)
    e.add_argument("rule", help=t["rule_id"])
    common(e)

    te = sub.add_parser("test", help=t["test"], description=t["test"], add_help=False)
    common(te)

    s = sub.add_parser("schema", help=t["schema"], description=t["schema"], add_help=False)
    s.add_argument("name", choices=["record", "rule", "pack", "report"], help=t["schema_name"])
    common(s, pack=False)
    return parser


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .output import write_atomic

    write_atomic(output, text)


def _use_color(choice: str, output: str | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or output is not None or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


def cmd_check(args: argparse.Namespace) -> int:
    from .engine import check
    from .pack import load_pack
    from .record import load_record
    from .render import RenderContext, renderer

    pack = load_pack(args.pack)
    record = load_record(args.record, pack.enums)
    report = check(record, pack, as_of=args.as_of, select=args.select, ignore=args.ignore)
    render = renderer(args.format)
    context = RenderContext(report, args.lang, _use_color(args.color, args.output), record, pack)
    _write(render(context), args.output)
    return report.exit_code(args.fail_on)


def cmd_rules(args: argparse.Namespace) -> int:
    from .explain import list_rules
    from .pack import load_pack

    sys.stdout.write(list_rules(load_pack(args.pack), args.lang))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from .explain import explain
    from .pack import load_pack

    pack = load_pack(args.pack)
    rule = pack.rule(args.rule)
    if rule is None:
        t = _T["no_rule"][1 if args.lang == "en" else 0]
        sys.stderr.write(t.format(pack=pack.id, rule=args.rule) + "\n")
        return EXIT_INPUT
    sys.stdout.write(explain(pack, rule, args.lang))
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    from .pack import load_pack
    from .testing import example_data, load_cases, run_case

    pack = load_pack(args.pack)
    base = example_data(pack)
    failed = 0
    cases = load_cases(pack)
    for case in cases:
        problems = run_case(pack, base, case)
        if problems:
            failed += 1
            sys.stdout.write(f"FAIL {case.id}\n" + "".join(f"     {p}\n" for p in problems))
    sys.stdout.write(f"{len(cases) - failed} passed, {failed} failed\n")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from .schemas import generated

    sys.stdout.write(json.dumps(generated()[args.name], ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


COMMANDS = {
    "check": cmd_check,
    "rules": cmd_rules,
    "explain": cmd_explain,
    "test": cmd_test,
    "schema": cmd_schema,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_from(argv)
    parser = build_parser(lang)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help / --version exit 0, bad arguments exit 2
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_INPUT
    from .errors import InputError

    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        sys.stderr.write(exc.render(args.lang) + "\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("DLSH_DEBUG"):
            raise
        t = _T["internal"][1 if args.lang == "en" else 0]
        sys.stderr.write(t.format(error=f"{type(exc).__name__}: {exc}") + "\n")
        return EXIT_INTERNAL
