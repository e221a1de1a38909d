"""The command line: exit codes, formats, languages, selection and the generated help."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dlsh_rules.cli.main import main
from dlsh_rules.pack.loader import load_pack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"


@pytest.fixture()
def failing(tmp_path: Path) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["talks"] = [t for t in data["talks"] if set(t["participants"]) != {"p2", "p3"}]
    data["meeting"]["criticisms"][0]["text"] = "希望今后多下基层"  # a warning only
    path = tmp_path / "failing.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture()
def warning_only(tmp_path: Path) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["meeting"]["criticisms"][0]["text"] = "希望今后多下基层"
    path = tmp_path / "warning.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_compliant_example_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "共 78 条规则：通过 78" in out and "合规" in out


def test_failure_exits_1_and_names_the_pair(
    failing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(failing)]) == 1
    out = capsys.readouterr().out
    assert "prep.talks.member_pairs" in out and "张建国（p2）与刘秀芳（p3）" in out
    assert "截止 2024-01-20" in out and "［四（四）］" in out


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1), ("never", 0)])
def test_fail_on(warning_only: Path, fail_on: str, code: int) -> None:
    assert main(["check", str(warning_only), "--fail-on", fail_on, "--format", "json"]) == code


def test_fail_on_never_even_with_errors(failing: Path) -> None:
    assert main(["check", str(failing), "--fail-on", "never"]) == 0


def test_json_report_every_rule_once_in_pack_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "dlsh-report/1"
    assert report["summary"]["rules"] == 78 == len(report["results"])
    ids = [r["rule"] for r in report["results"]]
    assert len(set(ids)) == 78 and ids[0] == "meeting.theme"
    assert all(r["status"] == "passed" for r in report["results"])


def test_english(failing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(failing), "--lang", "en"])
    out = capsys.readouterr().out
    assert "NOT compliant" in out and "no one-on-one face-to-face talk" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "prep.talks"], 7),
        (["--select", "prep.talks.form,meeting.theme"], 2),
        (["--select", "prep.talks.form", "--select", "meeting.theme"], 2),
        (["--ignore", "prep，followup"], 17),  # a full-width comma too
        (["--select", "prep", "--ignore", "prep.talks"], 33),
    ],
)
def test_select_and_ignore(
    args: list[str], expected: int, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", str(EXAMPLE), "--format", "json", *args])
    assert json.loads(capsys.readouterr().out)["summary"]["rules"] == expected


@pytest.mark.parametrize(
    "args",
    [
        ["--select", "prep.talk"],
        ["--select", "prep", "--ignore", "meeting.nothing"],
        ["--ignore", "x"],
    ],
)
def test_a_selector_that_matches_no_rule_is_a_usage_error(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(EXAMPLE), "--lang", "en", *args]) == 2
    err = capsys.readouterr().err
    flag, bad = args[-2:]
    assert f"{flag} {bad} names no rule id or prefix of pack provincial-bureau-2024" in err
    assert "Traceback" not in err


def test_output_file_is_written_and_input_untouched(failing: Path, tmp_path: Path) -> None:
    before = failing.read_bytes()
    out = tmp_path / "out" / "report.json"
    assert main(["check", str(failing), "--format", "json", "-o", str(out)]) == 1
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["compliant"] is False
    assert failing.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["report.json"]  # no temporary files left


def test_same_bytes_every_time(failing: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    main(["check", str(failing), "--format", "json", "-o", str(a)])
    main(["check", str(failing), "--format", "json", "-o", str(b)])
    assert a.read_bytes() == b.read_bytes()


def test_as_of_makes_future_rules_pending(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["submissions"] = [s for s in data["submissions"] if s.get("purpose") != "filing"]
    path = tmp_path / "early.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    main(["check", str(path), "--format", "json", "--as-of", "2024-02-05"])
    statuses = {r["rule"]: r["status"] for r in json.loads(capsys.readouterr().out)["results"]}
    assert statuses["followup.report"] == "pending"
    main(["check", str(path), "--format", "json", "--as-of", "2024-02-20"])
    statuses = {r["rule"]: r["status"] for r in json.loads(capsys.readouterr().out)["results"]}
    assert statuses["followup.report"] == "failed"


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "x.json", "--format", "pdf"],
        ["frobnicate"],
        ["check", str(EXAMPLE), "--as-of", "2024-02-30"],
        ["check", str(EXAMPLE), "--format", "json", "--format", "text"],
        ["check", str(EXAMPLE), "--format", "json:"],
        ["check", str(EXAMPLE), "--jobs", "0"],
        ["check", str(EXAMPLE), "--today", "tomorrow"],
    ],
)
def test_bad_arguments_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.json")]) == 2
    assert "nope.json" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["检查民主生活会记录", "退出码"]),
        ("en", ["Check a democratic life meeting", "Exit status"]),
    ],
)
def test_help_in_the_output_language(
    lang: str, words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--help", "--lang", lang] if lang == "en" else ["--help"]) == 0
    out = capsys.readouterr().out
    for word in words:
        assert word in out


def test_check_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    for option in (
        "--pack",
        "--format",
        "--lang",
        "--fail-on",
        "--select",
        "--ignore",
        "--as-of",
        "--output",
        "--waivers",
        "--today",
        "--jobs",
        "--quiet",
        "--statistics",
        "--show-config",
        "--config",
        "--no-config",
        "--exclude",
        "NAME[:PATH]",
        "[RECORD ...]",  # optional for --show-config; check says when it is missing
    ):
        assert option in out


def test_help_is_chinese_throughout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：dlsh-rules check")
    assert "位置参数" in out and "选项" in out and "豁免文件" in out and "并行检查的进程数" in out
    for english in ("usage:", "positional arguments", "options:"):
        assert english not in out
    assert main(["check"]) == 2
    assert "缺少必需的参数：RECORD" in capsys.readouterr().err


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    rules = load_pack().rules
    for rule in rules:
        line = next(x for x in listing.splitlines() if x.startswith(f"  {rule.id} "))
        assert rule.clause in line
        assert "「" + " ".join(rule.quote.split()) + "」" in listing
    assert main(["rules", "--brief"]) == 0
    brief = capsys.readouterr().out
    assert brief.count("\n  ") == len(rules) == 78 and "「" not in brief
    assert main(["explain", "prep.submission.deadline", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "会前10天" in text and "submission_due = {days: -10}" in text
    assert main(["explain", "no.such.rule"]) == 2


def test_python_dash_m_entry_point() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "dlsh_rules", "check", str(EXAMPLE), "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["compliant"] is True


# --- the parser built for one command line (issue 13) ------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_parser_built_for_a_command_line_is_the_full_parser_for_it(lang: str) -> None:
    from dlsh_rules.cli.main import COMMANDS, build_parser

    full = build_parser(lang)
    commands = _subparsers(full)
    assert set(commands) == set(COMMANDS)
    for name in COMMANDS:
        part = build_parser(lang, [name, "x"])
        assert part.format_help() == full.format_help()
        assert part.format_usage() == full.format_usage()
        built = _subparsers(part)
        assert built[name].format_help() == commands[name].format_help()
        assert [a.option_strings for a in built[name]._actions] == [
            a.option_strings for a in commands[name]._actions
        ]
    for argv in (
        ["check", "r.yaml", "--format", "json", "--select", "a,b", "-q", "--as-of", "2024-01-01"],
        ["rules", "--brief", "--lang", "en"],
        ["timeline", "--meeting-date", "2024-01-30"],
    ):
        got, expected = vars(build_parser(lang, argv).parse_args(argv)), vars(full.parse_args(argv))
        # check_parser is the check command's parser itself: each build has its own
        assert got.pop("check_parser", None) is not None or argv[0] != "check"
        expected.pop("check_parser", None)
        assert got == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "record",
    ["r.yaml", "records/", "", "rules", "check", "a b.yaml", "x=1", "—中文.yaml", "*.yaml"],
)
def test_check_record_without_argparse_is_what_argparse_makes_of_it(lang: str, record: str) -> None:
    # `check RECORD` skips building the parser (issue 13); the namespace must be argparse's,
    # attribute by attribute and in its order, check_parser included when asked for.
    from dlsh_rules.cli.main import _quick_check, build_parser

    argv = ["check", record]
    quick = _quick_check(argv, lang)
    expected = vars(build_parser(lang, argv).parse_args(argv))
    parser = expected.pop("check_parser")
    got = {k: v for k, v in vars(quick).items() if k != "_lang"}
    assert list(got.items()) == list(expected.items())
    assert quick.check_parser.format_help() == parser.format_help()
    assert not hasattr(quick, "no_such_option")


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "-"],
        ["check", "--lang", "en"],
        ["check", "-q"],
        ["check", "--help"],
        ["check", "a.yaml", "b.yaml"],
        ["check", "a.yaml", "--format", "json"],
        ["rules", "x"],
        ["explain", "x"],
        ["x", "check"],
        [],
    ],
)
def test_every_other_command_line_goes_to_argparse(argv: list[str]) -> None:
    from dlsh_rules.cli.main import _quick_check

    assert _quick_check(argv, "zh") is None


def test_check_without_a_record_still_words_argparse_s_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # RECORD is optional in the parser; without one, check_parser words argparse's error.
    assert main(["check"]) == 2
    assert "RECORD" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "collector_on"),
    [
        (["check", str(EXAMPLE)], False),
        (["check", str(EXAMPLE), "--format", "json"], True),
        (["check", str(EXAMPLE.parent)], True),
        (["check", str(EXAMPLE.parent / "*.yaml")], True),
        (["check", "no-such-record.yaml"], False),  # one record, refused at once
        (["rules"], True),
        (["test"], True),
        ([], True),
    ],
)
@pytest.mark.parametrize("entry", ["python -m", "console script"])
def test_the_program_leaves_the_collector_off_only_for_one_record(
    argv: list[str], collector_on: bool, entry: str
) -> None:
    # `python -m dlsh_rules` and the console script start with the cyclic collector off (issue
    # 13) and turn it back on for every command line but `check RECORD` of one file: a batch or
    # a pack's tests run long enough to need it. Afterwards it is on again, and at exit what is
    # alive is frozen, so the interpreter's collections as it shuts down skip it.
    from dlsh_rules.cli.main import one_record_checked

    assert one_record_checked(argv) is (not collector_on)
    run = (
        "runpy.run_module('dlsh_rules', run_name='__main__')"
        if entry == "python -m"
        else "sys.exit(entry())"
    )
    code = (
        "import atexit, gc, runpy, sys\n"
        "from dlsh_rules.cli import main as entry  # as the console script's wrapper does\n"
        "atexit.register(lambda: print(gc.isenabled(), gc.get_freeze_count() > 1000))\n"
        "import dlsh_rules.cli.main as cli\n"
        "def main(argv):\n"
        "    assert argv is None\n"
        "    print(gc.isenabled())\n"
        "    return 5\n"
        "cli.main = main\n"
        f"sys.argv = ['dlsh_rules', *{argv!r}]\n"
        "try:\n"
        f"    {run}\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 5\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == [str(collector_on), "True", "True"]


@pytest.mark.parametrize("how", ["-o", "--format", "--write-baseline"])
def test_no_output_may_overwrite_a_file_of_the_pack(
    tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The pack's files are listed (and resolved) only when some output goes to a file (issue
    # 13); each way of writing one still may not name a file of the pack.
    pack = tmp_path / "p"
    import shutil

    shutil.copytree(ROOT / "rules" / "provincial-bureau-2024", pack)
    target = pack / "cases" / "meeting.yaml"
    before = target.read_bytes()
    option = {"-o": ["-o", str(target)], "--format": ["--format", f"json:{target}"]}.get(
        how, [how, str(target)]
    )
    code = main(["check", str(EXAMPLE), "--pack", str(pack), "--lang", "en", *option])
    assert code == 2
    assert "may not be one of the inputs" in capsys.readouterr().err
    assert target.read_bytes() == before
