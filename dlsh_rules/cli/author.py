"""The commands for pack authors: rules, explain, test (strict, with --lint), lint, new-pack."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from .console import EXIT_FAILED, EXIT_INPUT, EXIT_OK, _out

if TYPE_CHECKING:
    from ..pack.loader import Pack


def cmd_rules(args: argparse.Namespace) -> int:
    from ..authoring.explain import list_rules
    from ..pack.loader import load_pack

    _out(list_rules(load_pack(args.pack), args.lang, quotes=not args.brief))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from ..authoring.explain import explain
    from ..pack.loader import load_pack

    pack = load_pack(args.pack)
    rule = pack.rule(args.rule)
    if rule is None:
        from difflib import get_close_matches

        near = get_close_matches(args.rule, [r.id for r in pack.rules], n=1)
        if args.lang == "en":
            text = f"pack {pack.id} has no rule {args.rule}" + (
                f"; did you mean {near[0]}?" if near else ""
            )
        else:
            text = f"规则包 {pack.id} 中没有规则 {args.rule}" + (
                f"；您是否要写 {near[0]}？" if near else ""
            )
        sys.stderr.write(text + "\n")
        return EXIT_INPUT
    _out(explain(pack, rule, args.lang))
    return EXIT_OK


# What `test` prints, in the run's language (English as it always was: scripts read it).
_TEST_WORDS = {
    "fail": ("失败", "FAIL"),
    "tally": ("{ok} 个用例通过，{failed} 个失败", "{ok} passed, {failed} failed"),
    "warning": ("警告", "WARNING"),
    "missing": ("缺少", "MISSING"),
    "and": ("，且", " and "),
    "no_failing": ("没有必须失败的用例", "no failing case"),
    "no_passing": ("没有必须通过的用例（带补丁）", "no passing case (with a patch)"),
    "lacking": ("{of} 条规则中有 {n} 条缺少用例", "{n} of {of} rules lack cases"),
    "allowed": ("（--allow-missing-cases 允许）", " (allowed by --allow-missing-cases)"),
}


def _w(key: str, lang: str) -> str:
    return _TEST_WORDS[key][1 if lang == "en" else 0]


def cmd_test(args: argparse.Namespace) -> int:
    from ..authoring.testing import coverage, example_data, load_cases, run_case
    from ..pack.loader import load_pack

    pack = load_pack(args.pack)
    if pack.manifest.abstract:
        _out(_abstract_test(args.lang, pack.id) + "\n")
        return _lint(pack, args.lang, None) if args.lint else EXIT_OK
    base = example_data(pack)
    failed = 0
    cases = load_cases(pack)
    for case in cases:
        problems = run_case(pack, base, case, args.lang)
        if problems:
            failed += 1
            _out(f"{_w('fail', args.lang)} {case.id}\n" + "".join(f"     {p}\n" for p in problems))
    _out(_w("tally", args.lang).format(ok=len(cases) - failed, failed=failed) + "\n")
    # Strict: a rule no case makes fail is a rule nothing shows to work (as with `opa test`
    # coverage); --allow-missing-cases keeps the list, as warnings.
    lacking = coverage(pack, cases)
    word = _w("warning" if args.allow_missing_cases else "missing", args.lang)
    for rule_id, missing in lacking.items():
        what = _w("and", args.lang).join(_w(f"no_{m}", args.lang) for m in missing)
        _out(f"{word} {rule_id}: {what}\n")
    if lacking:
        _out(
            _w("lacking", args.lang).format(n=len(lacking), of=len(pack.rules))
            + (_w("allowed", args.lang) if args.allow_missing_cases else "")
            + "\n"
        )
    code = EXIT_FAILED if failed or (lacking and not args.allow_missing_cases) else EXIT_OK
    if args.lint:
        code = max(code, _lint(pack, args.lang, cases))
    return code


def _lint(pack: Pack, lang: str, cases: Any) -> int:
    from ..authoring.lint import lint

    found = lint(pack, cases)
    for problem in found:
        _out(problem.render(lang) + "\n")
    if lang == "en":
        _out(f"lint: {len(found)} finding(s)\n" if found else "lint: clean\n")
    else:
        _out(f"lint：{len(found)} 个问题\n" if found else "lint：无问题\n")
    return EXIT_FAILED if found else EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    from ..pack.loader import load_pack

    return _lint(load_pack(args.pack), args.lang, None)


def cmd_new_pack(args: argparse.Namespace) -> int:
    from ..authoring.newpack import new_pack

    root = new_pack(args.name, args.dir, args.extends)
    _out(
        (f"wrote {root}\n" if args.lang == "en" else f"已创建 {root}\n")
        + f"python -m dlsh_rules test --pack {root}\n"
    )
    return EXIT_OK


def _abstract_test(lang: str, pack: str) -> str:
    if lang == "en":
        return f"pack {pack} is abstract and has no example or cases of its own; test the packs that extend it"
    return f"规则包 {pack} 是抽象规则包，没有自己的示例和用例；请测试继承它的规则包"
