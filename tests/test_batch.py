"""Checking many records in one run: expansion of files, directories and globs, the process
pool, input order, byte-identical output whatever the number of workers, exit status, several
output formats, the progress bar, and the pre-commit hook definition."""

from __future__ import annotations

import copy
import io
import json
import os
import pickle
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import yaml

from dlsh_rules.authoring.synth import compliant_record
from dlsh_rules.cli.batch import (
    PROGRESS_MIN_RECORDS,
    Progress,
    check_many,
    entries,
    expand,
    is_single,
)
from dlsh_rules.cli.main import main
from dlsh_rules.pack.loader import load_pack
from dlsh_rules.render import FORMATS, batch_renderer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
OTHER_FORMATS = ["junit", "sarif", "github", "markdown", "html"]

N = 1000
BROKEN_SYNTAX = 500  # invalid JSON
BROKEN_RECORD = 900  # valid JSON, invalid record (no people)


def _failing(i: int) -> bool:
    return i % 7 == 0 and i not in (BROKEN_SYNTAX, BROKEN_RECORD)


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 small records: every 7th fails (a talk is missing), two cannot be checked, the last
    ten sit in a sub-directory; a hidden directory and a non-record file are to be skipped."""
    root = tmp_path_factory.mktemp("corpus") / "records"
    # a few distinct bases, varied per record: building each with synth would re-read the
    # example thousands of times
    bases = [compliant_record(5, shift_days=k) for k in range(4)]
    for i in range(N):
        rec = copy.deepcopy(bases[i % len(bases)])
        rec["unit"]["name"] = f"单位{i:04d}"
        if i % 7 == 0:
            rec["talks"] = rec["talks"][1:]
        if i == BROKEN_RECORD:
            rec["people"] = []
        path = root / ("sub" if i >= N - 10 else "") / f"rec-{i:04d}.json"
        if i == BROKEN_SYNTAX:
            path.write_text('{"format": "dlsh-record/1",', encoding="utf-8")
            continue
        _write(path, rec)
    _write(root / ".hidden" / "rec-x.json", {"not": "a record"})
    (root / "README.md").write_text("records of 2024\n", encoding="utf-8")
    return root


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# About 30 s on the 2-core machine (three runs of 1,000 records, one of them on one core).
@pytest.mark.slow
def test_thousand_records_same_bytes_with_one_or_two_workers(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = [("1", "a"), ("2", "b"), ("2", "c")]
    for jobs, name in runs:
        code, out, err = _run(
            capsys,
            "check",
            str(corpus),
            "--jobs",
            jobs,
            "--format",
            f"json:{tmp_path / name}.json",
            "--format",
            f"text:{tmp_path / name}.txt",
        )
        assert code == 2  # two records cannot be checked: the worst status wins
        assert out == "" and err == ""  # everything went to the files; no progress off a TTY
    first = (tmp_path / "a.json").read_bytes()
    for _, name in runs[1:]:
        assert (tmp_path / f"{name}.json").read_bytes() == first
        assert (tmp_path / f"{name}.txt").read_bytes() == (tmp_path / "a.txt").read_bytes()

    report = json.loads(first)
    assert report["format"] == "dlsh-batch-report/1"
    failing = sum(1 for i in range(N) if _failing(i))
    assert report["summary"] == {
        "records": N,
        "compliant": N - 2 - failing,
        "non_compliant": failing,
        "broken": 2,
        "passed": 78 * (N - 2) - failing * 2,
        "failed": failing * 2,  # a missing talk fails the member-pairs and secretary rules
        "pending": 0,
        "waived": 0,
        "not_applicable": 0,
        "error": 0,
        "waived_findings": 0,
    }
    sources = [r["record"]["source"] if "record" in r else r["source"] for r in report["records"]]
    expected = [str(corpus / f"rec-{i:04d}.json") for i in range(N - 10)]
    expected += [str(corpus / "sub" / f"rec-{i:04d}.json") for i in range(N - 10, N)]
    assert sources == expected  # sorted, hidden directory and README skipped
    broken = {r["source"]: r["error"]["problems"] for r in report["records"] if "error" in r}
    syntax = broken[str(corpus / f"rec-{BROKEN_SYNTAX:04d}.json")]
    assert syntax[0]["line"] == 1 and syntax[0]["code"] == "syntax"
    invalid = broken[str(corpus / f"rec-{BROKEN_RECORD:04d}.json")]
    assert invalid[0]["path"].startswith("/people")
    for i in (7, 14):
        rec = report["records"][i]
        assert rec["summary"]["compliant"] is False and rec["record"]["unit"] == f"单位{i:04d}"

    text = (tmp_path / "a.txt").read_text(encoding="utf-8")
    assert text.count("\n") > N
    row = next(line for line in text.splitlines() if f"rec-{BROKEN_SYNTAX:04d}.json" in line)
    assert "  无法检查：" in row and ":1:" in row
    assert text.rstrip().endswith(
        f"共 {N} 份记录：合规 {N - 2 - failing}，不合规 {failing}，无法检查 2"
    )


@pytest.fixture()
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # relative arguments, as a shell user types them
    return tmp_path


def test_expansion_order_duplicates_hidden_and_globs(cwd: Path) -> None:
    tmp_path = cwd
    for rel in ["b/2.yaml", "b/1.json", "b/sub/0.yml", "b/.git/x.json", "b/.h.json", "b/n.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}", encoding="utf-8")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    got = expand(["a.json", "b", "./a.json", "b/*.json", "b/**/*.y*ml", "nope.json", "zz*.json"])
    assert [(s, p is not None) for s, p in got] == [
        ("a.json", False),
        (os.path.join("b", "1.json"), False),
        (os.path.join("b", "2.yaml"), False),
        (os.path.join("b", "sub", "0.yml"), False),
        ("nope.json", False),  # kept: reading it reports the problem, as for one record
        ("zz*.json", True),  # a pattern that matches nothing is a problem of its own
    ]
    empty = expand(["empty"])
    assert empty[0][1] is not None and empty[0][1].found == "an empty directory"


def test_is_single_depends_on_the_arguments_not_the_disk(cwd: Path) -> None:
    (cwd / "d").mkdir()
    (cwd / "d" / "only.json").write_text("{}", encoding="utf-8")
    (cwd / "odd[1].json").write_text("{}", encoding="utf-8")
    assert is_single(["d/only.json"])
    assert is_single(["odd[1].json"])  # an existing file, even with pattern characters
    assert is_single(["missing.json"])  # reported as unreadable, like today
    assert not is_single(["d"])  # a directory: the batch form even with one file in it
    assert not is_single(["d/*.json"])
    assert not is_single(["d/only.json", "d/only.json"])


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    """Three records: compliant, failing (errors), warning only; plus the example as YAML."""
    d = tmp_path / "small"
    d.mkdir()
    good = compliant_record(3)
    bad = copy.deepcopy(good)
    bad["talks"] = bad["talks"][1:]
    warn = copy.deepcopy(good)
    warn["meeting"]["criticisms"][0]["text"] = "希望今后多下基层"
    for name, data in (("1-good.json", good), ("2-bad.json", bad), ("3-warn.json", warn)):
        _write(d / name, data)
    return d


def test_glob_is_expanded_by_the_tool(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check", str(small / "*-[gw]*.json"), "--format", "json")
    assert code == 0  # good + warning only
    report = json.loads(out)
    assert [r["record"]["source"] for r in report["records"]] == [
        str(small / "1-good.json"),
        str(small / "3-warn.json"),
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["1-good.json"], 0),
        (["1-good.json", "3-warn.json"], 0),
        (["1-good.json", "3-warn.json", "--fail-on", "warning"], 1),
        (["1-good.json", "2-bad.json"], 1),
        (["1-good.json", "2-bad.json", "--fail-on", "never"], 0),
        (["1-good.json", "2-bad.json", "missing.json"], 2),
        (["1-good.json", "2-bad.json", "missing.json", "--fail-on", "never"], 2),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_exit_status_is_the_worst_whatever_the_format(
    small: Path, args: list[str], code: int, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(small / a) if a.endswith(".json") else a for a in args]
    assert main(["check", *argv, "--format", fmt, "--jobs", "1"]) == code
    assert capsys.readouterr().err == ""


def test_broken_record_is_reported_and_others_still_checked(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (small / "0-broken.yaml").write_text("format: [\n", encoding="utf-8")
    code, out, err = _run(capsys, "check", str(small), "--lang", "en")
    assert code == 2 and err == ""
    lines = out.splitlines()
    assert lines[0] == "pack provincial-bureau-2024 v1 · 4 records"
    assert lines[3].startswith(f"{small / '0-broken.yaml'}  cannot be checked: ")
    assert "0-broken.yaml:2:1" in lines[3] and "expected valid YAML" in lines[3]
    assert "NOT compliant" in lines[5] and " compliant " in lines[4]
    assert lines[-1] == "4 records: 2 compliant, 1 NOT compliant, 1 cannot be checked"

    code, out, _ = _run(capsys, "check", str(small), "--format", "json")
    broken = json.loads(out)["records"][0]
    assert broken["source"] == str(small / "0-broken.yaml")
    assert broken["error"]["problems"][0]["message"].startswith(str(small / "0-broken.yaml"))


def test_several_formats_in_one_run(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = str(small / "2-bad.json")
    code, text, _ = _run(capsys, "check", record)
    assert code == 1
    code, json_only, _ = _run(capsys, "check", record, "--format", "json")
    out = small.parent / "out"
    code, stdout, err = _run(
        capsys, "check", record, "--format", f"json:{out}/deep/r.json", "--format", "text"
    )
    assert code == 1 and err == ""
    assert stdout == text  # the single-record text report, unchanged
    assert (out / "deep" / "r.json").read_text(encoding="utf-8") == json_only
    assert sorted(p.name for p in (out / "deep").iterdir()) == ["r.json"]  # no temporary left

    # -o still names the file of the one format without a path
    code, _, _ = _run(capsys, "check", record, "--format", "json", "-o", str(out / "o.json"))
    assert (out / "o.json").read_text(encoding="utf-8") == json_only
    code, _, _ = _run(
        capsys,
        "check",
        record,
        "--format",
        "json",
        "-o",
        str(out / "p.json"),
        "--format",
        f"text:{out}/p.txt",
    )
    assert (out / "p.json").read_text(encoding="utf-8") == json_only
    assert (out / "p.txt").read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["--format", "json", "--format", "text"], "最多一个输出格式", "at most one format"),
        (["--format", "json:a.json", "--format", "text:./a.json"], "同一文件", "the same file"),
        (["--format", "json:a.json", "-o", "b.json"], "-o/--output", "-o/--output"),
        (["--format", "pdf"], "未知的输出格式", "unknown output format"),
        (["--format", "json:"], "缺少文件路径", "has no file path"),
        (["--jobs", "0"], "正整数", "positive whole number"),
    ],
)
def test_usage_errors_exit_2_in_the_chosen_language(
    small: Path, args: list[str], zh: str, en: str, capsys: pytest.CaptureFixture[str], cwd: Path
) -> None:
    record = str(small / "1-good.json")
    code, out, err = _run(capsys, "check", record, *args)
    assert code == 2 and out == "" and zh in err and "Traceback" not in err
    code, out, err = _run(capsys, "check", record, *args, "--lang", "en")
    assert code == 2 and out == "" and en in err
    assert not (cwd / "a.json").exists()  # refused before anything was written


def test_format_without_batch_view_refuses_several_records(
    small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = types.ModuleType("dlsh_rules.render._single_only")
    module.render = lambda ctx: "one\n"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(FORMATS, "single-only", "_single_only")
    code, out, err = _run(capsys, "check", str(small / "1-good.json"), "--format", "single-only")
    assert (code, out) == (0, "one\n")
    code, out, err = _run(capsys, "check", str(small), "--format", "single-only", "--lang", "en")
    assert code == 2 and out == "" and "format single-only shows one record only" in err


@pytest.mark.parametrize("name", OTHER_FORMATS)
def test_other_registered_formats_in_a_batch(
    name: str, small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if name not in FORMATS or batch_renderer(name) is None:
        pytest.skip(f"format {name} is not registered with a batch view")
    (small / "4-broken.json").write_text("[", encoding="utf-8")
    target = tmp_path / "reports" / f"all.{name}"
    code, out, _ = _run(
        capsys, "check", str(small), "--format", f"{name}:{target}", "--format", "json"
    )
    assert code == 2  # the same status as the JSON run shows
    assert json.loads(out)["summary"]["broken"] == 1
    assert target.read_text(encoding="utf-8").strip()
    again = tmp_path / f"again.{name}"
    main(["check", str(small), "--format", f"{name}:{again}", "--jobs", "1"])
    assert again.read_bytes() == target.read_bytes()


# --- the library ---------------------------------------------------------------------------


def test_check_many_in_input_order_with_spawned_workers(small: Path) -> None:
    """spawn: the workers load the pack themselves (the default on macOS and Windows)."""
    pack = load_pack()
    paths = sorted(str(p) for p in small.iterdir()) * 3 + [str(small / "missing.json")]
    paths += [str(small / f"copy-{i}.json") for i in range(6)]
    for i in range(6):
        (small / f"copy-{i}.json").write_bytes((small / "2-bad.json").read_bytes())
    one = check_many(paths, pack, jobs=1)
    two = check_many(paths, pack, jobs=2, start_method="spawn")
    assert [r.source for r in one] == [r.source for r in two]
    assert len(one) == 3 + 1 + 6  # duplicates removed
    assert one == two
    assert two[3].report is None and two[3].error is not None and two[3].exit_code() == 2


def test_results_survive_pickling(small: Path) -> None:
    results = check_many([str(small), str(small / "missing.json")], jobs=1)
    again = pickle.loads(pickle.dumps(results))
    assert again == results
    assert again[-1].error is not None and "missing.json" in again[-1].error.render("en")


def test_batch_views_need_no_checked_record_to_know_language_and_pack(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[", encoding="utf-8")
    pack = load_pack()
    results = check_many([str(tmp_path / "a.json"), str(tmp_path / "b.json")], pack)
    for name in ("text", "json"):
        render = batch_renderer(name)
        assert render is not None
        shown = render(entries(results, pack, "en"))
        assert "provincial-bureau-2024" in shown and "expected" in shown and "应为" not in shown


# --- progress ------------------------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_redraws_at_most_ten_times_a_second() -> None:
    stream, clock = FakeTTY(), Clock()
    bar = Progress(stream, width=10, clock=clock)
    bar(0, 100)
    for done in range(1, 100):
        clock.now += 0.01  # a record every 10 ms: a redraw every tenth
        bar(done, 100)
    clock.now += 0.001
    bar(100, 100)  # the last state is always drawn
    frames = stream.getvalue().split("\r")[1:]
    assert frames[0] == "[          ] 0/100"
    assert frames[-1] == "[##########] 100/100"
    assert 10 <= len(frames) <= 12
    assert "[#####     ] 50/100" in frames or "[#####     ] 51/100" in frames
    bar.close()
    assert stream.getvalue().endswith("\r" + " " * len("[##########] 100/100") + "\r")


def test_progress_only_on_a_terminal_and_for_more_than_a_few_records() -> None:
    assert Progress.wanted(FakeTTY())
    assert not Progress.wanted(FakeTTY(), quiet=True)
    assert not Progress.wanted(io.StringIO())
    stream = FakeTTY()
    bar = Progress(stream)
    for done in range(PROGRESS_MIN_RECORDS + 1):
        bar(done, PROGRESS_MIN_RECORDS)
    bar.close()
    assert stream.getvalue() == ""


def test_cli_progress_on_a_tty_and_never_elsewhere(
    small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(6):
        (small / f"copy-{i}.json").write_bytes((small / "1-good.json").read_bytes())
    _, _, err = _run(capsys, "check", str(small), "--jobs", "1")
    assert err == ""  # not a terminal: nothing on stderr
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["check", str(small), "--jobs", "1", "--format", "json"]) == 1
    shown = tty.getvalue()
    assert "\r[" in shown and "] 9/9" in shown and shown.endswith("\r")
    quiet = FakeTTY()
    monkeypatch.setattr(sys, "stderr", quiet)
    main(["check", str(small), "--jobs", "1", "--format", "json", "--quiet"])
    assert quiet.getvalue() == ""


def test_python_dash_m_with_workers_keeps_stderr_clean(small: Path) -> None:
    for i in range(10):
        (small / f"copy-{i}.json").write_bytes((small / "1-good.json").read_bytes())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dlsh_rules",
            "check",
            str(small),
            "--jobs",
            "2",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=False,
    )
    assert done.returncode == 1 and done.stderr == ""
    assert json.loads(done.stdout)["summary"]["records"] == 13


# --- the pre-commit hook ------------------------------------------------------------------


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    for field in ("id", "name", "entry", "language"):  # what pre-commit requires
        assert isinstance(hook[field], str) and hook[field]
    assert hook["id"] == "dlsh-rules" and hook["language"] == "python"
    assert hook["entry"] == "dlsh-rules check"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dlsh-rules = "dlsh_rules.cli:main"' in pyproject  # the entry's command exists
    import re

    files = re.compile(hook["files"])
    assert files.search("records/2024.yaml") and files.search("a.yml") and files.search("b.json")
    assert not files.search("notes.md")


def test_documented_ci_snippets_parse() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b.split("```", 1)[0]) for b in text.split("```yaml\n")[1:]]
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    steps = workflow["jobs"]["records"]["steps"]
    run = next(s["run"] for s in steps if "dlsh-rules check" in s.get("run", ""))
    assert "--format github" in run and "--format sarif:dlsh.sarif" in run
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    config = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    hook = config["repos"][0]["hooks"][0]
    assert hook["id"] == "dlsh-rules" and all(a.startswith("--") and "=" in a for a in hook["args"])


def test_outputs_never_replace_an_input(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = small / "2-bad.json"
    before = record.read_bytes()
    for args in (
        [str(small), "--format", f"json:{record}"],
        [str(record), "--format", "text", "-o", str(small / ".." / small.name / record.name)],
        [str(small / "*.json"), "--format", f"text:{record}"],
    ):
        code, out, err = _run(capsys, "check", *args, "--lang", "en")
        assert code == 2 and out == "" and "may not be one of the inputs" in err
    assert record.read_bytes() == before
    # a symlink pointing at a record: -o writes through links (output.py), so it is refused too
    link = tmp_path / "report.txt"
    link.symlink_to(record)
    assert main(["check", str(record), "-o", str(link)]) == 2
    assert record.read_bytes() == before and link.is_symlink()


def test_an_unwritable_output_is_reported_and_the_others_written(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    good = tmp_path / "ok" / "r.json"
    code, out, err = _run(
        capsys,
        "check",
        str(small),
        "--format",
        f"text:{blocker}/r.txt",
        "--format",
        f"json:{good}",
        "--lang",
        "en",
    )
    assert code == 2 and out == ""
    assert err.startswith(f"cannot write {blocker}/r.txt: ") and "Traceback" not in err
    assert json.loads(good.read_text(encoding="utf-8"))["summary"]["records"] == 3


def test_a_record_that_crashes_the_checker_is_named(
    small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import dlsh_rules.report.waivers

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(dlsh_rules.report.waivers, "check_record", boom)
    code, out, err = _run(capsys, "check", str(small), "--jobs", "1", "--lang", "en")
    assert code == 3 and out == ""
    assert "internal error" in err and str(small / "1-good.json") in err and "a bug" in err
