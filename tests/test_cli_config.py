"""The configuration file, --show-config, --select/--ignore parsing and suggestions, and what a
folder walk reads (.gitignore, exclude, patterns that match nothing)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dlsh_rules.cli import config
from dlsh_rules.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "bureau-2024.yaml"


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh project folder as the current directory, with no DLSH_LANG set."""
    monkeypatch.delenv("DLSH_LANG", raising=False)
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    return project


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _summary(out: str) -> dict[str, int]:
    summary: dict[str, int] = json.loads(out)["summary"]
    return summary


# --- finding the file ------------------------------------------------------------------------


def test_found_from_a_subdirectory_upwards_skipping_pyproject_without_the_table(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / "dlsh-rules.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    sub = home / "a" / "b"
    sub.mkdir(parents=True)
    (home / "a" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    monkeypatch.chdir(sub)
    assert config.find() == str(home / "dlsh-rules.toml")
    (home / "a" / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.dlsh-rules]\nlang = "en"\n', encoding="utf-8"
    )
    assert config.find() == str(home / "a" / "pyproject.toml")  # the first with the table
    (home / "a" / "dlsh-rules.toml").write_text("", encoding="utf-8")
    assert config.find() == str(home / "a" / "dlsh-rules.toml")  # wins in its own folder


def test_settings_come_from_the_file_and_flags_override_them(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "pyproject.toml").write_text(
        '[project]\nname = "unit"\n\n[tool.dlsh-rules]\nselect = ["prep.talks"]\n'
        'fail-on = "never"\n',
        encoding="utf-8",
    )
    _, out, _ = _run(capsys, "check", str(EXAMPLE), "--format", "json", "--no-config")
    every = _summary(out)["rules"]
    _, out, _ = _run(
        capsys, "check", str(EXAMPLE), "--format", "json", "--no-config", "--select", "prep.talks"
    )
    talks = _summary(out)["rules"]
    code, out, _ = _run(capsys, "check", str(EXAMPLE), "--format", "json")
    assert code == 0 and _summary(out)["rules"] == talks < every
    code, out, _ = _run(
        capsys, "check", str(EXAMPLE), "--format", "json", "--select", "meeting.theme"
    )
    assert _summary(out)["rules"] == 1  # the flag replaces the file's list


def test_show_config_names_the_file_and_where_each_value_came_from(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = home / "dlsh-rules.toml"
    path.write_text(
        '# the unit\'s settings\npack = "provincial-bureau-2024"\n\nfail-on = "warning"\n'
        'waivers = "standing/waivers.yaml"\nexclude = ["drafts/"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DLSH_LANG", "en")
    code, out, _ = _run(capsys, "check", "--show-config", "--select", "prep,meeting", "-q")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"# configuration file: {path}"
    shown = {line.split()[0]: line for line in lines[1:] if not line.startswith("#")}
    assert shown["pack"].endswith(f"# {path}:2")
    assert shown["fail-on"].startswith('fail-on = "warning"') and shown["fail-on"].endswith(":4")
    waivers = str(home / "standing" / "waivers.yaml")  # relative to the file, made absolute
    assert json.dumps(waivers) in shown["waivers"]
    assert shown["select"].startswith('select = ["prep", "meeting"]')
    assert shown["select"].endswith("# flag --select")
    assert shown["quiet"].startswith("quiet = true") and shown["quiet"].endswith("# flag --quiet")
    assert shown["lang"].startswith('lang = "en"')
    assert shown["lang"].endswith("# environment variable DLSH_LANG")
    assert shown["ignore"].endswith("# default")
    assert "# jobs = (none)" in out


def test_show_config_without_a_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check", "--show-config")
    assert code == 0 and out.startswith("# 配置文件：无")
    assert 'pack = "provincial-bureau-2024"' in out and "# 默认值" in out
    code, out, _ = _run(capsys, "check", "--show-config", "--no-config")
    assert "--no-config" in out.splitlines()[0]


def test_the_default_pack_is_the_loaders() -> None:
    from dlsh_rules.pack.loader import DEFAULT_PACK

    assert config.DEFAULT_PACK == DEFAULT_PACK


def test_paths_in_the_file_are_relative_to_it(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "waivers.yaml").write_text(
        "format: dlsh-waivers/1\nwaivers:\n"
        "  - rule: meeting.theme\n    reason: 测试\n    approved_by: 张三\n    date: 2024-01-01\n    expires: 2099-01-01\n",
        encoding="utf-8",
    )
    (home / "dlsh-rules.toml").write_text('waivers = "waivers.yaml"\n', encoding="utf-8")
    sub = home / "deep" / "er"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    code, out, err = _run(capsys, "check", str(EXAMPLE), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["unused_waivers"][0]["rule"] == "meeting.theme"


def test_lang_from_the_file_sets_the_help_language(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "dlsh-rules.toml").write_text('lang = "en"\n', encoding="utf-8")
    assert main(["check", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: dlsh-rules check")
    assert main(["check", "--help", "--lang", "zh"]) == 0
    assert capsys.readouterr().out.startswith("用法：dlsh-rules check")


def test_explicit_config_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('select = "meeting.theme"\n', encoding="utf-8")
    code, out, _ = _run(capsys, "check", str(EXAMPLE), "--config", str(other), "--format", "json")
    assert code == 0 and _summary(out)["rules"] == 1


# --- a bad file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('pack = "x"\nfail-on = warning\n', "2:11", "无效的值"),
        ('lang = "en"\nlang = "zh"\n', "2:", "同一个键写了两次"),
        ('fail_on = "warning"\n', "1", "您是否要写 `fail-on`？"),
        ('pack = "x"\n\n  jobs = 0\n', "3", "应为正整数"),
        ('fail-on = "sometimes"\n', "1", '应为以下之一："error"、"warning"、"never"'),
        ("select = [1, 2]\n", "1", "应为字符串列表"),
        ('quiet = "yes"\n', "1", "应为true 或 false"),
    ],
)
def test_a_bad_file_is_a_chinese_error_with_file_and_line(
    home: Path, capsys: pytest.CaptureFixture[str], text: str, line: str, words: str
) -> None:
    (home / "dlsh-rules.toml").write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "check", str(EXAMPLE))
    assert code == 2 and out == ""
    assert f"dlsh-rules.toml:{line}" in err and words in err, err
    assert "Traceback" not in err


def test_a_bad_table_in_pyproject_points_at_its_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.dlsh-rules]\npack = "provincial-bureau-2024"\nselekt = "prep"\n'
        "\n[tool.other]\nselekt = 1\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "check", str(EXAMPLE), "--lang", "en")
    assert code == 2
    assert re.search(
        r"pyproject\.toml:6: at /tool/dlsh-rules/selekt: expected a known setting", err
    )
    assert "did you mean select?" in err and err.count("\n") == 1  # [tool.other] is not ours


def test_an_unrelated_broken_pyproject_above_is_not_read(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "pyproject.toml").write_text("[project\nname = ", encoding="utf-8")
    assert main(["check", str(EXAMPLE), "--format", "json"]) == 0


# --- --select and --ignore -------------------------------------------------------------------


def test_select_never_swallows_the_record(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "check", str(EXAMPLE), "--format", "json", "--select=prep.talks")
    talks = _summary(out)["rules"]
    code, out, err = _run(capsys, "check", "--select", "prep.talks", str(EXAMPLE), "-q")
    assert code == 0, err
    assert f"共 {talks} 条规则" in out


def test_an_unknown_rule_id_gets_a_did_you_mean(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "check", str(EXAMPLE), "--select", "prep.talk.form")
    assert code == 2
    assert (
        "--select 的 prep.talk.form 不是规则包 provincial-bureau-2024 中任何规则的 id 或前缀" in err
    )
    assert "您是否要写 prep.talks.form" in err and "Traceback" not in err


def test_an_unknown_rule_id_in_the_file_names_the_file(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "dlsh-rules.toml").write_text('lang = "en"\nignore = ["meeting.themes"]\n', "utf-8")
    code, _, err = _run(capsys, "check", str(EXAMPLE))
    assert code == 2
    assert f"{home / 'dlsh-rules.toml'}:2: ignore meeting.themes names no rule id" in err
    assert "did you mean meeting.theme" in err


# --- folder walks ----------------------------------------------------------------------------


def _records(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(EXAMPLE.read_bytes())


def _checked(out: str) -> list[str]:
    return [Path(r["record"]["source"]).name for r in json.loads(out)["records"]]


def test_folder_walk_honours_gitignore(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / ".git").mkdir()
    (home / ".gitignore").write_text("node_modules/\n*.tmp.yaml\n", encoding="utf-8")
    _records(home, "records/a.yaml", "records/b.tmp.yaml", "node_modules/x/package.json")
    (home / "records" / ".gitignore").write_text("c.yaml\n!keep.tmp.yaml\n", encoding="utf-8")
    _records(home, "records/c.yaml", "records/keep.tmp.yaml")
    code, out, err = _run(capsys, "check", "records", "node_modules", ".", "--format", "json")
    assert code == 0, err
    assert _checked(out) == ["a.yaml", "keep.tmp.yaml"]
    assert "node_modules" in err  # a folder with nothing left to check is a warning
    code, out, _ = _run(capsys, "check", "records/c.yaml", "--format", "json")
    assert code == 0  # a file named on the command line is always checked


def test_gitignore_of_the_repository_applies_to_a_walk_of_a_subfolder(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / ".git").mkdir()
    (home / ".gitignore").write_text("/records/old/\n", encoding="utf-8")
    _records(home, "records/a.yaml", "records/old/b.yaml")
    code, out, _ = _run(capsys, "check", "records", "--format", "json")
    assert code == 0 and _checked(out) == ["a.yaml"]


def test_exclude_from_the_file_and_from_the_flag(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _records(home, "records/a.yaml", "records/drafts/b.yaml", "records/c.yaml")
    (home / "dlsh-rules.toml").write_text('exclude = ["records/drafts/"]\n', encoding="utf-8")
    monkeypatch.chdir(home / "records")  # patterns start at the file, wherever the run is
    code, out, _ = _run(capsys, "check", ".", "--format", "json")
    assert code == 0 and _checked(out) == ["a.yaml", "c.yaml"]
    code, out, _ = _run(capsys, "check", "*.yaml", "--exclude", "c.yaml", "--format", "json")
    assert _checked(out) == ["a.yaml"]  # the flag replaces the file's list and is relative here


def test_a_pattern_that_matches_nothing_is_not_a_broken_record(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _records(home, "records/a.yaml")
    code, out, err = _run(capsys, "check", "records", "zz*.yaml", "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"]["broken"] == 0 and json.loads(out)["summary"]["records"] == 1
    assert "zz*.yaml：通配符没有匹配到任何记录文件，已跳过" in err
    code, out, err = _run(capsys, "check", "zz*.yaml", "empty*/")
    assert code == 2 and out == ""
    assert "没有要检查的记录：zz*.yaml, empty*/" in err


def test_tomli_and_pathspec_are_declared() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"tomli>=2.0; python_version < \\"3.11\\""' in text and '"pathspec>=0.12"' in text


def test_naming_files_never_imports_pathspec() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from dlsh_rules.cli.main import main; "
        f"main(['check', {str(EXAMPLE)!r}, '--format', 'json', '-o', '/dev/null']); "
        "print('pathspec' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.stdout.strip() == "False", done.stderr


def test_the_documented_example_file_is_valid(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "dlsh-rules.toml"
    path.write_text(example, encoding="utf-8")
    loaded = config.load(str(path))
    assert set(loaded.values) == set(config.KEYS)  # every setting is documented, and valid
    assert loaded.values["select"] == ["prep", "meeting"] and loaded.lines["pack"] == 2
