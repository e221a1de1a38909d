"""Command line: `python -m dlsh_rules` / `dlsh-rules`.

Exit status: 0 nothing failed at or above --fail-on; 1 something did; 2 the input could not be
checked (unreadable or invalid record, invalid pack, bad argument); 3 an internal error (a bug:
please report it; DLSH_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import compare as compare_commands
from .console import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, _out, _StdoutError, _strerror, say

# argparse (with gettext), the parser's own modules and the other commands' modules are imported
# where they are used: `check RECORD`, the usual command line, needs none of them (`_quick_check`).
if TYPE_CHECKING:
    import argparse

    from ..errors import Problem
    from ..evaluate.engine import Waiver
    from ..evaluate.results import Report
    from ..pack.loader import Pack
    from ..report.compare import Baseline


_T: dict[str, tuple[str, str]] = {
    "abstract": (
        "规则包 {pack} 是抽象规则包，只供其他规则包继承（extends），不能用于检查记录",
        "pack {pack} is abstract: a base that other packs extend, not for checking records",
    ),
    "bad_format": (
        "未知的输出格式 {name!r}；可选：{formats}（写入文件：NAME:PATH）",
        "unknown output format {name!r}; choose from {formats} (to a file: NAME:PATH)",
    ),
    "no_path": (
        "{value!r} 缺少文件路径：NAME:PATH",
        "{value!r} has no file path: NAME:PATH",
    ),
    "two_stdout": (
        "最多一个输出格式可以不带文件路径（输出到标准输出）：{names}；请写成 NAME:PATH",
        "at most one format may go to standard output, got {names}; write the others as NAME:PATH",
    ),
    "same_path": (
        "两个输出格式写入同一文件：{path}",
        "two formats would write the same file: {path}",
    ),
    "output_unused": (
        "-o/--output 只用于不带 PATH 的格式，但每个格式都已指定文件",
        "-o/--output is for the format given without PATH, and every format has a path",
    ),
    "none_left": (
        "--select 与 --ignore 之后，规则包 {pack} 中没有剩下要检查的规则",
        "--select and --ignore leave no rule of pack {pack} to check",
    ),
    "no_batch": (
        "输出格式 {name} 只能显示一份记录，而参数指定了多份（或目录、通配符）",
        "format {name} shows one record only; the arguments name several (or a directory or pattern)",
    ),
    "bad_jobs": (
        "应为正整数：{value!r}",
        "a positive whole number was expected: {value}",
    ),
    "overwrite_input": (
        "输出文件不能是被检查的输入文件：{path}",
        "an output file may not be one of the inputs: {path}",
    ),
    "cannot_write": (
        "无法写入 {path}：{error}",
        "cannot write {path}: {error}",
    ),
    "no_rule": ("规则包 {pack} 中没有规则 {rule}", "pack {pack} has no rule {rule}"),
    "bad_date": (
        "日期应为 YYYY-MM-DD 格式的真实日期：{value!r}",
        "a real date written YYYY-MM-DD was expected: {value}",
    ),
    "cannot_write_stdout": (
        "无法写入标准输出：{error}",
        "cannot write to standard output: {error}",
    ),
    "internal": (
        "内部错误（程序缺陷，请报告）：{error}",
        "internal error (a bug, please report it): {error}",
    ),
}


def _lang_from(argv: Sequence[str]) -> str:
    """The language of the help and of argument errors, known before the arguments are parsed:
    --lang, else DLSH_LANG, else the configuration file's `lang`, else Chinese."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    if os.environ.get("DLSH_LANG") in ("zh", "en"):
        return os.environ["DLSH_LANG"]
    from .config import peek_lang

    return "en" if peek_lang(argv) == "en" else "zh"


def _date_type(lang: str) -> Any:
    def date(value: str) -> dt.date:
        from ..dates import parse_date

        try:
            return parse_date(value)
        except ValueError:
            import argparse

            message = _T["bad_date"][1 if lang == "en" else 0].format(value=value)
            raise argparse.ArgumentTypeError(message) from None

    return date


def _report_date_type(lang: str) -> Any:
    """--date: a day, or `today`, the one way to put the clock into a report (asked for)."""
    day = _date_type(lang)

    def date(value: str) -> dt.date:
        return dt.date.today() if value == "today" else day(value)

    return date


def _format_type(lang: str) -> Any:
    def fmt(value: str) -> tuple[str, str | None]:
        import argparse

        from ..render import FORMATS

        # NAME:PATH splits at the first colon: format names have none, paths may (C:\\out.json)
        name, sep, path = value.partition(":")
        if name not in FORMATS:
            formats = ", ".join(sorted(FORMATS))
            raise argparse.ArgumentTypeError(_t("bad_format", lang, name=name, formats=formats))
        if sep and not path:
            raise argparse.ArgumentTypeError(_t("no_path", lang, value=value))
        return name, path or None

    return fmt


def _jobs_type(lang: str) -> Any:
    def jobs(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            n = 0
        if n < 1:
            import argparse

            raise argparse.ArgumentTypeError(_t("bad_jobs", lang, value=value))
        return n

    return jobs


def _t(key: str, lang: str, **values: object) -> str:
    return _T[key][1 if lang == "en" else 0].format(**values)


def _comma_list(value: str) -> list[str]:
    from .config import split_list

    return split_list([value])


def build_parser(lang: str, argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given the ``argv`` it is for, only the commands named in it are
    built in full (`_Commands`)."""
    from .parsing import Parser

    Parser._building = True
    try:
        return _build_parser(lang, argv)
    finally:
        Parser._building = False


def _build_parser(lang: str, argv: Sequence[str] | None) -> argparse.ArgumentParser:
    import argparse

    from . import init as start_commands
    from . import timeline as timeline_commands
    from .inputs import HELP
    from .parsing import WORDS, Commands, Parser

    t = {k: v[1] if lang == "en" else v[0] for k, v in {**_T, **WORDS, **HELP}.items()}
    parser = Parser(prog="dlsh-rules", description=t["prog"], epilog=t["epilog"], add_help=False)
    parser.add_argument("-h", "--help", action="help", help=t["help"])
    from .. import __version__

    parser.add_argument(
        "--version", action="version", version=f"dlsh_rules {__version__}", help=t["version"]
    )
    # In Chinese the commands are named 子命令 in the usage line and in argparse's errors (which
    # would otherwise name them by `dest`, an English word); English keeps argparse's {a,b,…}.
    sub = Commands(
        parser.add_subparsers(
            dest="command",
            title=t["cmd"],
            required=True,
            parser_class=Parser,
            metavar=None if lang == "en" else "命令",
        ),
        None if argv is None else set(argv) & set(_commands()),
    )
    if sub.wanted == set():  # no command named: help, or an error that lists them all
        sub.wanted = None

    def common(p: argparse.ArgumentParser, pack: bool = True) -> None:
        # Settings default to None: cli/config.py fills them from the environment, the
        # configuration file or the default, and remembers which (check --show-config)
        p.add_argument("-h", "--help", action="help", help=t["help"])
        p.add_argument("--lang", choices=["zh", "en"], default=None, help=t["lang"])
        if pack:
            p.add_argument("--pack", default=None, help=t["pack"])
        p.add_argument("--config", default=None, metavar="FILE", help=t["config"])
        p.add_argument("--no-config", action="store_true", help=t["no_config"])

    from ..render import FORMATS

    c = sub.add_parser(
        "check", help=t["check"], description=t["check"], epilog=t["epilog"], add_help=False
    )
    c.add_argument("record", nargs="*", metavar="RECORD", help=t["record"])
    c.set_defaults(check_parser=c)
    common(c)
    formats = ", ".join(sorted(FORMATS))
    c.add_argument(
        "--format",
        action="append",
        type=_format_type(lang),
        default=None,
        metavar="NAME[:PATH]",
        help=t["format"].format(formats=formats),
    )
    c.add_argument(
        "--fail-on", choices=["error", "warning", "never"], default=None, help=t["fail_on"]
    )
    # One value per flag (`--select a,b --select c`): a flag that took every following word
    # would take the record file too (`--select prep.talks record.yaml`).
    for name in ("select", "ignore", "exclude"):
        c.add_argument(
            f"--{name}",
            action="extend",
            type=_comma_list,
            default=None,
            metavar="PATTERN" if name == "exclude" else "ID",
            help=t[name],
        )
    c.add_argument("--as-of", type=_date_type(lang), default=None, metavar="DATE", help=t["as_of"])
    c.add_argument(
        "--date", type=_report_date_type(lang), default=None, metavar="DATE", help=t["date"]
    )
    c.add_argument("-o", "--output", default=None, metavar="FILE", help=t["output"])
    c.add_argument("--waivers", default=None, metavar="FILE", help=t["waivers"])
    c.add_argument("--today", type=_date_type(lang), default=None, metavar="DATE", help=t["today"])
    c.add_argument("--jobs", type=_jobs_type(lang), default=None, metavar="N", help=t["jobs"])
    c.add_argument(
        "-q", "--quiet", action=argparse.BooleanOptionalAction, default=None, help=t["quiet"]
    )
    c.add_argument(
        "--statistics", action=argparse.BooleanOptionalAction, default=None, help=t["statistics"]
    )
    c.add_argument("--color", choices=["auto", "always", "never"], default=None, help=t["color"])
    c.add_argument("--show-config", action="store_true", help=t["show_config"])
    compare_commands.add_check_options(c, lang)

    r = sub.add_parser("rules", help=t["rules"], description=t["rules"], add_help=False)
    r.add_argument("--brief", action="store_true", help=t["brief"])
    common(r)

    e = sub.add_parser("explain", help=t["explain"], description=t["explain"], add_help=False)
    e.add_argument("rule", help=t["rule_id"])
    common(e)

    te = sub.add_parser("test", help=t["test"], description=t["test"], add_help=False)
    common(te)
    te.add_argument("--allow-missing-cases", action="store_true", help=t["allow_missing"])
    te.add_argument("--lint", action="store_true", help=t["with_lint"])

    li = sub.add_parser("lint", help=t["lint"], description=t["lint"], add_help=False)
    common(li)

    n = sub.add_parser("new-pack", help=t["new_pack"], description=t["new_pack"], add_help=False)
    n.add_argument("name", metavar="NAME", help=t["new_name"])
    n.add_argument("--extends", default=None, metavar="BASE", help=t["new_extends"])
    n.add_argument("--dir", default=".", metavar="DIR", help=t["new_dir"])
    common(n, pack=False)

    start_commands.add_parsers(sub, lang, common)
    timeline_commands.add_parsers(sub, lang, common)
    compare_commands.add_parsers(sub, lang, common)

    s = sub.add_parser("schema", help=t["schema"], description=t["schema"], add_help=False)
    s.add_argument("name", choices=["record", "rule", "pack", "report"], help=t["schema_name"])
    common(s, pack=False)
    return parser


def _silence_stdout() -> None:
    """Point the stdout descriptor at the null device, so that the interpreter's own flush at
    exit does not fail again on the same output and print a second error (or exit 120)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _write(text: str | list[bytes], output: str | None) -> None:
    if output is None:
        _out(text if isinstance(text, str) else b"".join(text).decode())
        return
    from .output import write_atomic

    write_atomic(output, text)


def _use_color(choice: str, output: str | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or output is not None or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


class _Usage(Exception):
    """A combination of arguments that argparse cannot refuse by itself; exit 2."""


def _outputs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(format, file or None for standard output) for each --format, in the order given."""
    lang = args.lang
    chosen: list[tuple[str, str | None]] = args.format or [("text", None)]
    to_stdout = [name for name, path in chosen if path is None]
    if len(to_stdout) > 1:
        raise _Usage(_t("two_stdout", lang, names=", ".join(to_stdout)))
    if args.output is not None and not to_stdout:
        raise _Usage(_t("output_unused", lang))
    outputs = [(name, args.output if path is None else path) for name, path in chosen]
    seen: set[tuple[str, str]] = set()
    for _, path in outputs:
        if path is None:
            continue
        key = _entry(path)
        if key in seen:
            raise _Usage(_t("same_path", lang, path=path))
        seen.add(key)
    return outputs


def _write_all(texts: Sequence[tuple[str | list[bytes], str | None]], lang: str) -> bool:
    """Write each output; a file that cannot be written is reported and the others still are."""
    ok = True
    for text, path in texts:
        try:
            _write(text, path)
        except OSError as exc:
            if path is None:
                raise
            error = _strerror(exc, lang)
            sys.stderr.write(_t("cannot_write", lang, path=path, error=error) + "\n")
            ok = False
    return ok


def _entry(path: str) -> tuple[str, str]:
    """The directory entry a path names (its directory resolved, its last part not): what
    write_atomic replaces. A report may go through a symlink that points at a record (the link
    is replaced, the record stays), but never onto the record's own entry."""
    full = os.path.abspath(path)
    return os.path.normcase(os.path.realpath(os.path.dirname(full))), os.path.normcase(
        os.path.basename(full)
    )


def cmd_check(args: argparse.Namespace) -> int:
    from ..render import batch_renderer
    from .batch import expand, is_single, read_entries
    from .inputs import check_selectors, drop_unmatched

    if args.show_config:
        from .config import show

        _out(show(args, args.settings, args.lang))
        return EXIT_OK
    if not args.record:
        # argparse's own words, as when RECORD was required by the parser (RECORD is optional
        # there only so that --show-config needs none)
        import argparse

        from .translation import argparse_language

        try:
            with argparse_language(args.lang):
                translate: Callable[[str], str] = vars(argparse)["_"]
                message = translate("the following arguments are required: %s")
                args.check_parser.error(message % "RECORD")
        except SystemExit:
            return EXIT_INPUT
    outputs = _outputs(args)
    single = is_single(args.record)
    if not single:
        for name, _ in outputs:
            if batch_renderer(name) is None:
                raise _Usage(_t("no_batch", args.lang, name=name))
    inputs: list[tuple[str, Problem | None]] = (
        [(args.record[0], None)]
        if single
        else drop_unmatched(expand(args.record, args.exclude, args.settings.base), args.lang)
    )
    # The entries of the records, and of the files they really are, so that another name for
    # a record is caught too (`_entry` of each and of its real path; cli/batch.py)
    read = read_entries(source for source, problem in inputs if problem is None)
    for extra in (args.waivers, args.baseline):
        if extra is not None:
            read.add(_entry(extra))
            read.add(_entry(os.path.realpath(extra)))

    from ..pack.loader import load_pack

    pack = load_pack(args.pack)
    check_selectors(args, pack, args.settings)
    from ..evaluate.engine import rule_selected

    if pack.manifest.abstract:
        raise _Usage(_t("abstract", args.lang, pack=pack.id))
    if args.select and not any(rule_selected(r.id, args.select, args.ignore) for r in pack.rules):
        raise _Usage(_t("none_left", args.lang, pack=pack.id))
    written = [(n, p) for n, p in [*outputs, ("baseline", args.write_baseline)] if p is not None]
    # The pack's files are listed only when something is written to a file: resolving each is
    # about 0.6 ms, and a report on standard output overwrites nothing (issue 13).
    for pack_root in (pack.roots or [pack.root]) if written else []:  # and every base it extends
        for root, _dirs, files in os.walk(pack_root):
            read |= {_entry(os.path.realpath(os.path.join(root, name))) for name in files}
    for name, path in written:
        # The entry itself, and the file a symlink there leads to: output.write_atomic writes
        # through links, so a link to a record would otherwise overwrite the record.
        entries = {_entry(path), _entry(os.path.realpath(path))}
        if name == "baseline" and args.baseline is not None:
            # rewriting the --baseline in place is how it shrinks; it is read before any write
            entries -= {_entry(args.baseline), _entry(os.path.realpath(args.baseline))}
        if entries & read:
            raise _Usage(_t("overwrite_input", args.lang, path=path))
    waivers: tuple[Waiver, ...] = ()
    if args.waivers is not None:
        from ..report.waivers import load_waivers

        waivers = load_waivers(args.waivers, pack)
    baseline = compare_commands.load_baseline(args, 1 if single else len(inputs))
    # Never the clock: without --as-of or --today, each record's waivers are judged at the
    # record's own reference date (engine.check), so an archived record keeps its report.
    today: dt.date | None = args.today
    if single:
        return _check_one(args, pack, waivers, today, outputs, baseline)
    return _check_batch(args, inputs, pack, waivers, today, outputs, baseline)


def _check_one(
    args: argparse.Namespace,
    pack: Pack,
    waivers: tuple[Waiver, ...],
    today: dt.date | None,
    outputs: list[tuple[str, str | None]],
    baseline: Baseline | None = None,
) -> int:
    from ..record.validate import load_record
    from ..render import RenderContext, renderer
    from ..report.waivers import check_record

    record = load_record(args.record[0], pack.enums)
    report = check_record(
        record,
        pack,
        as_of=args.as_of,
        select=args.select,
        ignore=args.ignore,
        waivers=waivers,
        today=today,
    )
    (report,) = compare_commands.apply_baseline(baseline, [report], args.lang)
    from ..evaluate.organisations import evaluate_organisations

    organisations = evaluate_organisations(
        [report],
        pack,
        as_of=args.as_of,
        select=args.select,
        ignore=args.ignore,
        waivers=waivers,
        today=today,
    )
    _warn_calendar([report], args.lang)
    _warn_late([report], args.lang)
    compare_commands.write_baseline(args, [report])
    texts = []
    for name, path in outputs:
        context = RenderContext(
            report,
            args.lang,
            _use_color(args.color, path),
            record,
            pack,
            organisations,
            date=args.date,
            quiet=args.quiet,
            statistics=args.statistics,
        )
        texts.append((renderer(name)(context), path))
    if not _write_all(texts, args.lang):
        return EXIT_INPUT
    return max(report.exit_code(args.fail_on), organisations.exit_code(args.fail_on))


def _check_batch(
    args: argparse.Namespace,
    inputs: list[tuple[str, Problem | None]],
    pack: Pack,
    waivers: tuple[Waiver, ...],
    today: dt.date | None,
    outputs: list[tuple[str, str | None]],
    baseline: Baseline | None = None,
) -> int:
    from ..errors import replace
    from ..render import batch_renderer
    from ..render.batch_view import batch_utf8
    from .batch import Progress, check_inputs, check_organisations, entries, exit_code

    progress = Progress(sys.stderr) if Progress.wanted(sys.stderr, args.quiet) else None
    try:
        results = check_inputs(
            inputs,
            pack,
            jobs=args.jobs,
            as_of=args.as_of,
            select=args.select,
            ignore=args.ignore,
            waivers=waivers,
            today=today,
            on_progress=progress,
            # each worker writes its records' part of the batch JSON (cli/batch.py)
            json_lang=args.lang if any(name == "json" for name, _ in outputs) else None,
            until_exit=True,
        )
    finally:
        if progress is not None:
            progress.close()
    if baseline is not None:
        checked = [r.report for r in results if r.report is not None]
        marked = iter(compare_commands.apply_baseline(baseline, checked, args.lang))
        results = [r if r.report is None else replace(r, report=next(marked)) for r in results]
    organisations = check_organisations(
        results,
        pack,
        as_of=args.as_of,
        select=args.select,
        ignore=args.ignore,
        waivers=waivers,
        today=today,
    )
    _warn_calendar([r.report for r in results if r.report is not None], args.lang)
    _warn_late([r.report for r in results if r.report is not None], args.lang)
    compare_commands.write_baseline(args, [r.report for r in results if r.report is not None])
    texts: list[tuple[str | list[bytes], str | None]] = []
    for name, path in outputs:
        render = batch_renderer(name)
        assert render is not None  # checked before any work was done
        color = _use_color(args.color, path)
        run = entries(
            results, pack, args.lang, color, args.as_of, args.date, args.quiet, args.statistics
        )
        # A file gets the batch JSON as the workers' UTF-8, never decoded (render/batch_view.py)
        data = batch_utf8(name, run, organisations) if path is not None else None
        texts.append((render(run, organisations) if data is None else data, path))
    if not _write_all(texts, args.lang):
        return EXIT_INPUT
    return max(exit_code(results, args.fail_on), organisations.exit_code(args.fail_on))


def _warn_calendar(reports: Sequence[Report], lang: str) -> None:
    """One line on stderr when some rule needed working days the calendar lacks: loud, once per
    run, however many rules and records asked (each such rule's result is `error`)."""
    for report in reports:
        for result in report.results:
            if result.error is not None and result.error.startswith("CalendarCoverageError"):
                say("check", lang, "warning", result.message.get(lang))
                return


def _warn_late(reports: Sequence[Report], lang: str) -> None:
    """Under --as-of D, a record that already holds facts dated after D was probably given the
    wrong date: say so on stderr, naming the first few facts (the report itself is unchanged)."""
    from .compare import late_warning

    for report in reports:
        if report.late_count:
            sys.stderr.write(late_warning(report, lang) + "\n")


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from ..authoring.schemas import generated

    _out(json.dumps(generated()[args.name], ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def _commands() -> dict[str, Callable[[argparse.Namespace], int]]:
    """Every command by name. Made when first asked for: `check RECORD` runs `cmd_check` without
    importing the other commands' modules (and argparse with them)."""
    if _COMMANDS:
        return _COMMANDS
    from functools import partial

    from . import init as start_commands
    from . import timeline as timeline_commands
    from .author import cmd_explain, cmd_lint, cmd_new_pack, cmd_rules, cmd_test

    _COMMANDS.update(
        {
            "check": cmd_check,
            "rules": cmd_rules,
            "explain": cmd_explain,
            "test": cmd_test,
            "lint": cmd_lint,
            "new-pack": cmd_new_pack,
            "schema": cmd_schema,
            **{
                name: partial(start_commands.run, command)
                for name, command in {
                    **start_commands.COMMANDS,
                    **timeline_commands.COMMANDS,
                    **compare_commands.COMMANDS,
                }.items()
            },
        }
    )
    return _COMMANDS


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def __getattr__(name: str) -> Any:
    # `COMMANDS`, as it was before it was made on demand (tests and callers read it)
    if name == "COMMANDS":
        return _commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# What argparse makes of `check RECORD` (and nothing else), attribute by attribute in its order:
# every option's default. tests/test_cli.py compares it with the parser's for both languages.
_CHECK_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("lang", None),
    ("pack", None),
    ("config", None),
    ("no_config", False),
    ("format", None),
    ("fail_on", None),
    ("select", None),
    ("ignore", None),
    ("exclude", None),
    ("as_of", None),
    ("date", None),
    ("output", None),
    ("waivers", None),
    ("today", None),
    ("jobs", None),
    ("quiet", None),
    ("statistics", None),
    ("color", None),
    ("show_config", False),
    ("baseline", None),
    ("write_baseline", None),
)


class _CheckArgs:
    """The namespace of `check RECORD` made without argparse (`_quick_check`). ``check_parser``,
    which only a `check` without a record reads, is built if it is ever asked for."""

    def __init__(self, record: str, lang: str) -> None:
        self.command = "check"
        self.record = [record]
        for name, default in _CHECK_DEFAULTS:
            setattr(self, name, default)
        self._lang = lang

    def __getattr__(self, name: str) -> Any:  # only for attributes not set
        if name == "check_parser":
            parser = build_parser(self._lang, ["check"]).parse_args(["check"]).check_parser
            self.check_parser = parser
            return parser
        raise AttributeError(name)


def _quick_check(argv: Sequence[str], lang: str) -> Any:
    """The arguments of `check RECORD`, the usual command line, without building argparse's
    parser (its import, with gettext's, and the building cost about 5 ms of a 100 ms `check`);
    None for anything else, which argparse parses. A word after `check` that does not start
    with "-" is the one positional argument, whatever it says."""
    if len(argv) == 2 and argv[0] == "check" and not argv[1].startswith("-"):
        return _CheckArgs(argv[1], lang)
    return None


def one_record_checked(argv: Sequence[str]) -> bool:
    """Whether the command line is `check RECORD` for one record file: a run short enough that
    ``python -m dlsh_rules`` leaves the cyclic garbage collector off (__main__.py)."""
    if _quick_check(argv, "zh") is None:
        return False
    from .batch import is_single

    return is_single(argv[1:])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_from(argv)
    args = _quick_check(argv, lang)
    if args is None:
        from .translation import argparse_language

        try:
            with argparse_language(lang):
                args = build_parser(lang, argv).parse_args(argv)
        except SystemExit as exc:  # argparse: --help / --version exit 0, bad arguments exit 2
            return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_INPUT
    from ..errors import InputError
    from .config import apply
    from .inputs import UsageError

    try:
        args.settings = apply(args, args.command, lang)
    except InputError as exc:
        sys.stderr.write(exc.render(args.lang or lang) + "\n")
        return EXIT_INPUT
    try:
        return _commands()[args.command](args) if args.command != "check" else cmd_check(args)
    except (_Usage, UsageError) as exc:
        say(args.command, args.lang, "error", str(exc))
        return EXIT_INPUT
    except InputError as exc:
        sys.stderr.write(exc.render(args.lang) + "\n")
        return EXIT_INPUT
    except _StdoutError as exc:
        _silence_stdout()
        error = _strerror(exc.error, args.lang)
        sys.stderr.write(_t("cannot_write_stdout", args.lang, error=error) + "\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("DLSH_DEBUG"):
            raise
        t = _T["internal"][1 if args.lang == "en" else 0]
        sys.stderr.write(t.format(error=f"{type(exc).__name__}: {exc}") + "\n")
        return EXIT_INTERNAL
