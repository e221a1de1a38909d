"""Issue 12: bounded time and memory on any input, outputs that never clobber or inject, a strict
library API. One regression test (or a few) per defect, written before its fix.

The tests go through the command line in a child process (`python -m dlsh_rules`-equivalent,
with the worktree first on the path) or through the public library API, so that they hold
whatever the package's internal layout. A child that could grow without bound runs under an
address-space limit and a timeout, so that a regression fails the test instead of the machine.
"""

from __future__ import annotations

import copy
import datetime as dt
import errno
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import dlsh_rules

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"
PACKS = ROOT / "rules"
AS_LIMIT = 1024 * 2**20  # address space of a child that might blow up: 1 GiB

CONTROLS = ("\x1b", "\x07", "\x00", "\x9b", "\u202e")


def base_record() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        json.dumps(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), default=str)
    )
    return data


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


_CHILD = textwrap.dedent(
    """
    import resource, sys
    limit = int(sys.argv[1])
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from dlsh_rules.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)


def run_cli(
    args: list[str],
    cwd: Path,
    *,
    timeout: float = 60,
    memory: int = AS_LIMIT,
    stdout: Any = subprocess.PIPE,
    lang: str = "en",
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    environ.pop("DLSH_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", _CHILD, str(memory), *args, "--lang", lang],
        cwd=cwd,
        env=environ,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )


# --------------------------------------------------------------------------------------------
# 1. -o PATH never replaces what it did not create as a regular file


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_output_into_a_named_pipe_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        done = run_cli(["check", str(EXAMPLE), "--format", "json", "-o", str(fifo)], tmp_path)
        try:
            out, _ = reader.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            out = b""
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the named pipe was replaced"
    assert json.loads(out)["summary"]["compliant"] is True


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_format_path_into_a_named_pipe_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        done = run_cli(["check", str(EXAMPLE), "--format", f"json:{fifo}"], tmp_path)
        try:
            out, _ = reader.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            out = b""
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(out)["summary"]["rules"] == 78


def test_output_through_a_symlink_replaces_the_target_not_the_link(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "latest.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    link = tmp_path / "report.json"
    link.symlink_to(target)
    done = run_cli(["check", str(EXAMPLE), "--format", "json", "-o", str(link)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["compliant"] is True
    # The file is replaced atomically, and keeps the mode it had.
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["latest.json"]


def test_output_through_a_symlink_to_an_input_is_refused(tmp_path: Path) -> None:
    record = tmp_path / "record.yaml"
    shutil.copy(EXAMPLE, record)
    before = record.read_bytes()
    link = tmp_path / "out.txt"
    link.symlink_to(record)
    done = run_cli(["check", str(record), "-o", str(link)], tmp_path)
    assert done.returncode == 2, done.stderr
    assert "may not be one of the inputs" in done.stderr
    assert record.read_bytes() == before and link.is_symlink()


def test_output_onto_a_directory_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep").write_text("x", encoding="utf-8")
    done = run_cli(["check", str(EXAMPLE), "-o", str(folder)], tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and str(folder) in done.stderr
    assert folder.is_dir() and (folder / "keep").read_text(encoding="utf-8") == "x"


# --------------------------------------------------------------------------------------------
# 2. YAML aliases are bounded by the text they expand to, not only by their number


def _alias_bomb(length: int, aliases: int) -> str:
    lines = ["format: dlsh-record/1", f"pad: &big {'x' * length}", "many:"]
    lines += ["  - *big"] * aliases
    return "\n".join(lines) + "\n"


def test_aliases_of_a_long_string_are_refused_quickly(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb(100_000, 9_000), encoding="utf-8")
    assert bomb.stat().st_size < 400_000
    start = time.perf_counter()
    done = run_cli(["check", str(bomb)], tmp_path, timeout=20, memory=512 * 2**20)
    elapsed = time.perf_counter() - start
    assert done.returncode == 2, done.stderr
    assert "alias" in done.stderr and "characters" in done.stderr, done.stderr
    assert elapsed < 5, elapsed


def test_expanded_text_limit_is_a_limit_of_the_library() -> None:
    from dlsh_rules.errors import InputError
    from dlsh_rules.source import Limits, load_bytes

    text = _alias_bomb(1000, 50).encode()
    assert len(load_bytes(text, "ok.yaml", limits=Limits()).data["many"]) == 50
    with pytest.raises(InputError) as caught:
        load_bytes(text, "small.yaml", limits=Limits(max_expanded_chars=20_000))
    assert caught.value.problems[0].code == "alias_bomb"
    # 1,000 characters a time on top of the anchor's own 1,000 and the keys: the 19th alias
    # crosses 20,000 (lines 1-3 are the keys and the anchor).
    assert caught.value.problems[0].line == 3 + 19


# --------------------------------------------------------------------------------------------
# 3. Findings do not grow with the square of the members


def many_members(members: int) -> dict[str, Any]:
    """The example record with ``members`` members in the group and no talks at all."""
    data = base_record()
    data["talks"] = []
    data["talk_requests"] = []
    group = sum(1 for p in data["people"] if p["role"] in ("secretary", "member"))
    for i in range(members - group):
        data["people"].append({"id": f"m{i}", "name": f"成员{i}", "role": "member"})
    return data


@pytest.mark.parametrize("members", [400, 500])
def test_four_hundred_members_give_a_bounded_report(tmp_path: Path, members: int) -> None:
    """400 members as in the issue, and 500, the most a record may have (MAX_PEOPLE counts
    every person; the example's others are few enough that 500 members still load)."""
    data = many_members(members)
    data["people"] = data["people"][:500]
    members = sum(1 for p in data["people"] if p["role"] in ("secretary", "member"))
    record = write_json(tmp_path / "many.json", data)
    report = tmp_path / "report.json"
    start = time.perf_counter()
    done = run_cli(
        ["check", str(record), "--format", "json", "-o", str(report)],
        tmp_path,
        timeout=60,
        memory=768 * 2**20,
    )
    elapsed = time.perf_counter() - start
    assert done.returncode == 1, done.stderr
    assert report.stat().st_size < 5 * 2**20, report.stat().st_size
    data = json.loads(report.read_text(encoding="utf-8"))
    pairs = next(r for r in data["results"] if r["rule"] == "prep.talks.member_pairs")
    assert len(pairs["findings"]) <= 1000
    assert len(pairs["findings"]) + pairs["findings_omitted"] == members * (members - 1) // 2
    assert pairs["status"] == "failed"
    assert elapsed < 30, elapsed
    import jsonschema

    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)


def test_omitted_findings_are_judged_with_waivers() -> None:
    """Past the listed findings, waivers still apply and are counted, and the status holds."""
    data = many_members(60)  # 60·59/2 = 1,770 missing pairs: past the 1,000 listed
    data["waivers"] = [
        {"rule": "prep.talks.member_pairs", "reason": "试点", "approved_by": "p1"},
    ]
    report = dlsh_rules.check(data)
    pairs = next(r for r in report.results if r.rule == "prep.talks.member_pairs")
    assert pairs.status == "waived"
    assert len(pairs.findings) == 1000 and pairs.findings_omitted == 770
    assert pairs.omitted_waived == 770
    assert report.summary.waived_findings >= 1770
    out = pairs.to_dict("en")
    assert out["findings_omitted"] == 770 and out["findings_omitted_waived"] == 770


def test_more_than_500_people_are_refused_before_validation() -> None:
    from dlsh_rules.errors import InputError

    data = many_members(600)
    data["people"] = data["people"][:501]
    with pytest.raises(InputError) as caught:
        dlsh_rules.load_record(data)
    (problem,) = caught.value.problems
    assert (problem.pointer, problem.code, problem.found) == (
        "/people/500",
        "too_large",
        "501 people",
    )


def test_a_record_at_the_expanded_text_limit_is_checked_quickly(tmp_path: Path) -> None:
    """195 aliases of a 100,000-character anchor: just under 20 MiB of text once expanded."""
    raw = EXAMPLE.read_text(encoding="utf-8")
    raw = raw.replace("unit: {name: 省移民局, ", "unit: {name: &big " + "x" * 100_000 + ", ", 1)
    at = raw.index("\n", raw.index("\ninstitutions:") + 1) + 1
    raw = raw[:at] + "  - {title: *big}\n" * 195 + raw[at:]
    path = tmp_path / "near.yaml"
    path.write_text(raw, encoding="utf-8")
    start = time.perf_counter()
    done = run_cli(["check", str(path), "--format", "json"], tmp_path, memory=512 * 2**20)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert elapsed < 10, elapsed


def test_a_thousand_members_is_a_limit_error_not_a_crash(tmp_path: Path) -> None:
    record = write_json(tmp_path / "many.json", many_members(1000))
    done = run_cli(["check", str(record), "--format", "json"], tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "/people" in done.stderr and "people" in done.stderr
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------------------------
# 4. Date arithmetic of a pack is bounded when the pack is loaded


@pytest.mark.parametrize(
    "value", ["{days: -99999999999}", "{months: 99999999}", "{days: 1, months: -99999}"]
)
@pytest.mark.parametrize("command", ["check", "explain", "test", "rules"])
def test_pack_offsets_out_of_range_are_refused_at_load(
    tmp_path: Path, value: str, command: str
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACKS / "provincial-bureau-2024", pack)
    manifest = pack / "pack.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "    value: {days: -21}\n" in text
    manifest.write_text(text.replace("    value: {days: -21}\n", f"    value: {value}\n"), "utf-8")
    line = text[: text.index("    value: {days: -21}\n")].count("\n") + 1
    args = {
        "check": ["check", str(EXAMPLE)],
        "explain": ["explain", "prep.mobilization.held"],
        "test": ["test"],
        "rules": ["rules"],
    }[command]
    done = run_cli([*args, "--pack", str(pack)], tmp_path)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "pack.yaml" in done.stderr and f":{line}:" in done.stderr, done.stderr
    assert "mobilization_due" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------------------------
# 5. Record text cannot inject into reports; both input formats refuse the same characters


def test_a_newline_in_a_name_cannot_start_a_line_of_the_text_report(tmp_path: Path) -> None:
    data = base_record()
    data["unit"]["name"] = "省移民局\n::error file=x::pwned\n共 53 条规则 —— 合规"
    data["people"][1]["name"] = "刘秀芳\n::error::pwned"
    data["talks"] = data["talks"][1:]  # a finding that names people
    record = write_json(tmp_path / "r.json", data)
    for fmt in ("text", "github", "markdown"):
        done = run_cli(["check", str(record), "--format", fmt], tmp_path, lang="zh")
        assert done.returncode == 1, done.stderr
        lines = done.stdout.splitlines()
        assert not any(line.startswith("::error file=x") for line in lines), fmt
        assert not any(line.startswith("::error::pwned") for line in lines), fmt
        assert not any(line.startswith("共 53 条规则 —— 合规") for line in lines), fmt


def _control_record() -> dict[str, Any]:
    data = base_record()
    data["unit"]["name"] = "省移民局" + "".join(CONTROLS)
    data["people"][1]["name"] = "刘秀芳" + "".join(CONTROLS)
    data["talks"] = data["talks"][1:]
    return data


def test_every_format_escapes_control_characters_of_a_library_record() -> None:
    from dlsh_rules.render import FORMATS, RenderContext, renderer

    pack = dlsh_rules.load_pack()
    record = dlsh_rules.load_record(_control_record(), pack.enums)
    report = dlsh_rules.check(record, pack)
    for name in FORMATS:
        out = renderer(name)(RenderContext(report, "zh", False, record, pack))
        for c in CONTROLS:
            if name in ("json", "sarif") and c in ("\x9b", "\u202e"):
                continue  # JSON need not escape them, but its readers see a string
            assert c not in out, (name, repr(c))


@pytest.mark.parametrize(
    "text",
    [
        '"\\u001b[2J"',
        '"a\\u0000b"',
        '"a\\u0007b"',
        '"a\\u202eb"',
        '"a\u202eb"',
        '"a\\u0085b"',
        '"a\\ufffeb"',
    ],
)
def test_json_refuses_the_characters_yaml_refuses(tmp_path: Path, text: str) -> None:
    raw = EXAMPLE.read_text(encoding="utf-8")
    data = base_record()
    data["unit"]["name"] = "@@NAME@@"
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(data, ensure_ascii=False).replace('"@@NAME@@"', text), encoding="utf-8"
    )
    done = run_cli(["check", str(path)], tmp_path)
    assert done.returncode == 2, done.stderr
    assert "/unit/name" in done.stderr and "control" in done.stderr, done.stderr
    assert raw  # the YAML twin below


@pytest.mark.parametrize("text", ['"\\e[2J"', '"a\\0b"', '"a\\x07b"', '"a\\u202eb"', "a\u202eb"])
def test_yaml_refuses_escaped_control_characters(tmp_path: Path, text: str) -> None:
    raw = EXAMPLE.read_text(encoding="utf-8")
    assert "unit: {name: 省移民局, " in raw
    path = tmp_path / "r.yaml"
    path.write_text(raw.replace("unit: {name: 省移民局, ", f"unit: {{name: {text}, ", 1), "utf-8")
    done = run_cli(["check", str(path)], tmp_path)
    assert done.returncode == 2, done.stderr
    assert "/unit/name" in done.stderr and "control" in done.stderr, done.stderr


# --------------------------------------------------------------------------------------------
# 6. A waiver waives only once approved, by someone named


def _failing_pair(tmp_path: Path) -> Path:
    data = base_record()
    first = data["talks"][0]
    data["talks"] = data["talks"][1:]
    assert sorted(first["participants"]) == ["p1", "p2"], first
    return write_json(tmp_path / "r.json", data)


def _waivers(tmp_path: Path, **entry: Any) -> Path:
    waiver = {
        "rule": "prep.talks.secretary_members",
        "reason": "借调外省",
        "approved_by": "省委组织部",
        "date": "2024-01-10",
        **entry,
    }
    path = tmp_path / "waivers.yaml"
    path.write_text(
        yaml.safe_dump({"format": "dlsh-waivers/1", "waivers": [waiver]}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


def test_a_waiver_approved_in_the_future_does_not_waive(tmp_path: Path) -> None:
    record = _failing_pair(tmp_path)
    waivers = _waivers(tmp_path, date="2999-12-31")
    done = run_cli(
        [
            "check",
            str(record),
            "--waivers",
            str(waivers),
            "--today",
            "2024-03-01",
            "--format",
            "json",
        ],
        tmp_path,
    )
    report = json.loads(done.stdout)
    rule = next(r for r in report["results"] if r["rule"] == "prep.talks.secretary_members")
    assert rule["status"] == "failed", rule
    assert any("2999-12-31" in u["message"] for u in report["unused_waivers"])


def test_a_record_waiver_approved_after_as_of_does_not_waive() -> None:
    data = base_record()
    data["talks"] = data["talks"][1:]
    data["waivers"] = [
        {
            "rule": "prep.talks.secretary_members",
            "reason": "借调",
            "approved_by": "p1",
            "date": "2999-12-31",
        }
    ]
    report = dlsh_rules.check(data, as_of=dt.date(2024, 3, 1))
    rule = next(r for r in report.results if r.rule == "prep.talks.secretary_members")
    assert rule.status == "failed"
    assert report.unused_waivers


@pytest.mark.parametrize("field", ["approved_by", "reason"])
def test_a_waiver_approved_by_blanks_is_refused(tmp_path: Path, field: str) -> None:
    record = _failing_pair(tmp_path)
    waivers = _waivers(tmp_path, **{field: " \u3000\t"})
    done = run_cli(["check", str(record), "--waivers", str(waivers)], tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"/waivers/0/{field}" in done.stderr, done.stderr


# --------------------------------------------------------------------------------------------
# 7. A full standard output is an output error


class _Full(io.TextIOBase):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_standard_output_is_exit_2_in_chinese(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dlsh_rules.cli.main import main

    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", _Full())
    code = main(["check", str(EXAMPLE)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "标准输出" in err and "内部错误" not in err, err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_dev_full_as_standard_output(tmp_path: Path) -> None:
    # /dev/full is only opened for writing as the child's stdout; nothing replaces it.
    with open("/dev/full", "w") as full:
        done = run_cli(["check", str(EXAMPLE)], tmp_path, stdout=full, lang="zh")
    assert done.returncode == 2, done.stderr
    assert "标准输出" in done.stderr and "Traceback" not in done.stderr, done.stderr


# --------------------------------------------------------------------------------------------
# 8. The library checks its arguments at the edge


def test_check_many_takes_a_single_path_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from dlsh_rules.batch import check_many

    # Relative, so that the characters of the name, were they taken one by one, name nothing
    # bigger than this folder ("." among them).
    monkeypatch.chdir(EXAMPLE.parent)
    results = check_many(EXAMPLE.name, jobs=1)
    assert [r.source for r in results] == [EXAMPLE.name]
    results = check_many(Path(EXAMPLE.name), jobs=1)
    assert len(results) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"select": "prep.talks.frm"},
        {"select": ["prep.talks.nonexistent"]},
        {"ignore": ["no.such.rule"]},
    ],
)
def test_a_selection_that_names_no_rule_is_an_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"select|ignore"):
        dlsh_rules.check(str(EXAMPLE), **kwargs)


def test_a_single_selector_string_is_one_selector() -> None:
    report = dlsh_rules.check(str(EXAMPLE), select="prep.talks")
    assert report.results and all(r.rule.startswith("prep.talks.") for r in report.results)
    report = dlsh_rules.check(str(EXAMPLE), select="prep.talks.form")
    assert [r.rule for r in report.results] == ["prep.talks.form"]


@pytest.mark.parametrize(
    ("args", "kwargs", "word"),
    [
        ((123,), {}, "record"),
        ((str(EXAMPLE), 42), {}, "pack"),
        ((str(EXAMPLE),), {"as_of": "2024-03-01"}, "as_of"),
        ((str(EXAMPLE),), {"as_of": dt.datetime(2024, 3, 1, 12)}, "as_of"),
        ((str(EXAMPLE),), {"today": "2024-03-01"}, "today"),
        ((str(EXAMPLE),), {"select": [1, 2]}, "select"),
        ((str(EXAMPLE),), {"waivers": ["x"]}, "waivers"),
    ],
)
def test_wrong_argument_types_are_type_errors(
    args: tuple[Any, ...], kwargs: dict[str, Any], word: str
) -> None:
    with pytest.raises(TypeError, match=word):
        dlsh_rules.check(*args, **kwargs)


def test_load_record_and_load_pack_check_their_arguments() -> None:
    with pytest.raises(TypeError, match="source"):
        dlsh_rules.load_record(3.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="name_or_path"):
        dlsh_rules.load_pack(["provincial-bureau-2024"])  # type: ignore[arg-type]


def test_check_many_checks_its_arguments() -> None:
    from dlsh_rules.batch import check_many

    with pytest.raises(TypeError, match="jobs"):
        check_many([str(EXAMPLE)], jobs="2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jobs"):
        check_many([str(EXAMPLE)], jobs=0)
    with pytest.raises(TypeError, match="paths"):
        check_many([3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="select"):
        check_many([str(EXAMPLE)], select=["no.such"], jobs=1)


# --------------------------------------------------------------------------------------------
# 9. Integer fields take integers only, on both validation paths


@pytest.mark.parametrize("field", ["days", "year"])
@pytest.mark.parametrize("value", [True, 1.0, "1"])
def test_integer_fields_refuse_bool_float_and_text(field: str, value: Any) -> None:
    from dlsh_rules.errors import InputError

    data = base_record()
    data["meeting"][field] = value
    with pytest.raises(InputError) as caught:
        dlsh_rules.load_record(data)
    problems = caught.value.problems
    assert [p.pointer for p in problems] == [f"/meeting/{field}"]
    assert "integer" in problems[0].expected.en


@pytest.mark.parametrize("value", ["true", "1.0", '"1"'])
def test_integer_fields_refuse_bool_float_and_text_in_a_file(tmp_path: Path, value: str) -> None:
    raw = EXAMPLE.read_text(encoding="utf-8")
    assert "  days: 1\n" in raw
    path = tmp_path / "r.yaml"
    path.write_text(raw.replace("  days: 1\n", f"  days: {value}\n", 1), encoding="utf-8")
    line = raw[: raw.index("  days: 1\n")].count("\n") + 1
    done = run_cli(["check", str(path)], tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"r.yaml:{line}:" in done.stderr and "/meeting/days" in done.stderr, done.stderr


def test_both_validators_refuse_integers_alike() -> None:
    """The fast path declines what it does not take; pydantic must then refuse it too."""
    from dlsh_rules.errors import InputError

    for value in (True, 1.0, "1", 1.5, None):
        data = base_record()
        data["meeting"]["days"] = value
        with pytest.raises(InputError):
            dlsh_rules.load_record(copy.deepcopy(data))


def test_a_raw_next_line_character_in_yaml_is_refused_as_in_json() -> None:
    # YAML reads U+0085 as a line break, so the parsed strings never show it; the same record in
    # JSON keeps it in a string and is refused, and both formats must agree.
    import yaml

    from dlsh_rules.errors import InputError
    from dlsh_rules.load.source import load_bytes

    raw = yaml.safe_dump({"a": "\n::error::pwned\x85"}, allow_unicode=True).encode()
    with pytest.raises(InputError) as caught:
        load_bytes(raw, "r.yaml")
    assert "U+0085" in caught.value.render("en")
    assert load_bytes(b"a: b\n", "r.yaml").data == {"a": "b"}


@pytest.mark.parametrize("char", ["\x08", "\x0c"])
def test_json_short_escapes_of_controls_are_refused_as_in_yaml(char: str) -> None:
    # json.dumps writes U+0008 and U+000C as \b and \f, not \u0008: both must be refused.
    from dlsh_rules.errors import InputError
    from dlsh_rules.load.source import load_bytes

    raw = json.dumps({"a": f"x{char}y"}).encode()
    assert b"\\u00" not in raw
    with pytest.raises(InputError):
        load_bytes(raw, "r.json")
    with pytest.raises(InputError):
        load_bytes(yaml.safe_dump({"a": f"x{char}y"}).encode(), "r.yaml")
