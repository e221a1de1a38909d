"""Broken rule packs are refused with file, line and what is wrong; nothing in a pack can run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dlsh_rules.cli.main import main
from dlsh_rules.errors import InputError
from dlsh_rules.pack.loader import load_pack, packs_dir

RULE = """\
rules:
  - id: prep.sample.rule
    phase: prep
    title: {zh: 示例, en: Sample}
    clause: 四
    quote: 示例
    rationale: {zh: 示例, en: Sample}
    checks:
      - kind: each
        select: {from: talks}
        require: {mode: in_person}
"""


def _pack(tmp_path: Path, rule_text: str, manifest_extra: str = "") -> Path:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "pack.yaml").write_text(
        "format: dlsh-pack/1\nid: sample\nversion: '1'\n"
        "title: {zh: 示例, en: Sample}\nrules: [rules.yaml]\n" + manifest_extra,
        encoding="utf-8",
    )
    (root / "rules.yaml").write_text(rule_text, encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_pack(root)
    return [p.render("en") for p in info.value.problems]


def test_a_minimal_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(_pack(tmp_path, RULE))
    assert [r.id for r in pack.rules] == ["prep.sample.rule"]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "    quote: 示例\n",
            "    quote: 示例\n    qoute: typo\n",
            ["rules.yaml:", "/rules/0/qoute", "unknown key 'qoute'"],
        ),
        ("kind: each", "kind: every", ["/rules/0/checks/0", "a check kind", "'every'"]),
        (
            "require: {mode: in_person}",
            "require: {mode: {similar_to: x}}",
            ["unknown operator 'similar_to'"],
        ),
        ("select: {from: talks}", "select: {from: talks, set: members}", ["exactly one of"]),
        (
            "require: {mode: in_person}",
            "require: {mode: $talk_mode}",
            ["/rules/0/checks/0/require/mode", "$talk_mode"],
        ),
        ("select: {from: talks}", "select: {set: leaders}", ["set 'leaders'"]),
        ("id: prep.sample.rule", "id: Prep Sample", ["/rules/0/id"]),
        ("    phase: prep\n", "    phase: prep\n    phase: meeting\n", ["rules.yaml:4", "again"]),
        (
            "require: {mode: in_person}",
            "require: !!python/object/apply:os.system [echo pwned]",
            ["rules.yaml:11", "tag"],
        ),
    ],
)
def test_bad_rule_files(tmp_path: Path, old: str, new: str, words: list[str]) -> None:
    assert old in RULE
    messages = "\n".join(_problems(_pack(tmp_path, RULE.replace(old, new))))
    for word in words:
        assert word in messages, messages


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    text = RULE + RULE.split("rules:\n", 1)[1]
    messages = "\n".join(_problems(_pack(tmp_path, text)))
    assert "prep.sample.rule is already defined" in messages and "/rules/1/id" in messages


def test_unused_and_unknown_parameters(tmp_path: Path) -> None:
    root = _pack(tmp_path, RULE, "params:\n  spare: {value: 3}\n")
    messages = "\n".join(_problems(root))
    assert "pack.yaml:" in messages and "/params/spare" in messages


def test_rule_files_must_stay_inside_the_pack(tmp_path: Path) -> None:
    root = _pack(tmp_path, RULE)
    (root / "pack.yaml").write_text(
        (root / "pack.yaml")
        .read_text(encoding="utf-8")
        .replace("[rules.yaml]", "[../../etc/passwd]"),
        encoding="utf-8",
    )
    assert any("inside the pack directory" in m for m in _problems(root))


def test_cli_reports_a_bad_pack_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _pack(tmp_path, RULE.replace("kind: each", "kind: every"))
    example = packs_dir() / "provincial-bureau-2024" / "example.yaml"
    assert main(["check", str(example), "--pack", str(root)]) == 2
    err = capsys.readouterr().err
    assert "rules.yaml" in err and "Traceback" not in err


def test_unknown_pack_name(capsys: pytest.CaptureFixture[str]) -> None:
    example = packs_dir() / "provincial-bureau-2024" / "example.yaml"
    assert main(["check", str(example), "--pack", "no-such-pack"]) == 2
    assert "provincial-bureau-2024" in capsys.readouterr().err


def test_a_pack_copied_elsewhere_still_loads(tmp_path: Path) -> None:
    target = tmp_path / "copy"
    shutil.copytree(packs_dir() / "provincial-bureau-2024", target)
    assert len(load_pack(target).rules) == 78


@pytest.mark.parametrize(
    ("written", "result"),
    [
        ("costs $$5", "costs $5"),
        ("$${theme}", "${theme}"),
        ("$$$${theme}", "$${theme}"),
        ("$$${theme}", "$学习"),
        ("${theme}$$", "学习$"),
        ("$$theme", "$theme"),
        ("$theme", "学习"),
    ],
)
def test_a_double_dollar_escapes_a_dollar_and_a_parameter(written: str, result: str) -> None:
    from types import SimpleNamespace

    from dlsh_rules.pack.params import substitute

    used: set[str] = set()
    problems: list[tuple[str, str]] = []
    params = {"theme": SimpleNamespace(value="学习")}
    assert substitute(written, params, "", used, problems) == result  # type: ignore[arg-type]
    assert problems == []


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "require: {mode: in_person}",
            "require: {mdoe: in_person}",
            [
                "rules.yaml:11:",
                "/rules/0/checks/0/require/mdoe",
                "'mdoe' in the field path 'mdoe'",
                "did you mean mode?",
            ],
        ),
        (
            "select: {from: talks}",
            "select: {from: meeting.critcisms}",
            [
                "rules.yaml:10:",
                "/rules/0/checks/0/select/from",
                "'critcisms'",
                "did you mean criticisms?",
            ],
        ),
        (
            "require: {mode: in_person}",
            "require: {participants.nmae: {exists: true}}",
            ["/rules/0/checks/0/require/participants.nmae", "did you mean name?"],
        ),
        (
            "require: {mode: in_person}",
            "require: {zzqq: {exists: true}}",
            [
                "'zzqq' in the field path 'zzqq'",
                "expected a field name of the record format; found",
            ],
        ),
    ],
)
def test_a_misspelt_field_in_a_rule_is_an_error(
    tmp_path: Path, old: str, new: str, words: list[str]
) -> None:
    assert old in RULE
    text = "\n".join(_problems(_pack(tmp_path, RULE.replace(old, new))))
    for word in words:
        assert word in text, text


def test_a_misspelt_field_in_a_set_is_an_error(tmp_path: Path) -> None:
    root = _pack(tmp_path, RULE, "sets:\n  heads: {from: people, where: {rol: head}}\n")
    text = "\n".join(_problems(root))
    assert "pack.yaml:" in text and "/sets/heads" in text and "did you mean role?" in text


def test_computed_fields_and_real_fields_are_accepted(tmp_path: Path) -> None:
    rule = RULE.replace(
        "require: {mode: in_person}",
        "require: {participants.name: {exists: true}, '@self': {exists: true}}",
    )
    assert [r.id for r in load_pack(_pack(tmp_path, rule)).rules] == ["prep.sample.rule"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("select: {from: talks}", "select: {set: secretaries}"),
        ("require: {mode: in_person}", "require: {participants: {in_set: secretaries}}"),
        ("require: {mode: in_person}", "require: {any: [{mode: {in_set: secretaries}}]}"),
        (
            "require: {mode: in_person}",
            "require: {date: {on_or_before: {days: -1, anchor: {set: secretaries}}}}",
        ),
    ],
)
def test_a_set_the_manifest_does_not_define_is_an_error(tmp_path: Path, old: str, new: str) -> None:
    root = _pack(tmp_path, RULE.replace(old, new), "sets:\n  members: {from: people}\n")
    text = "\n".join(_problems(root))
    assert "expected a set defined in the manifest (members); found set 'secretaries'" in text
