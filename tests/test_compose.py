"""Composition and authoring (issue 9, section D): `extends:`, the shipped base pack, `new-pack`,
strict `test` (wrong result 4: a case naming a rule the pack lacks) and `lint`.

Everything goes through the command line or the public API (`load_pack`, `Pack`), so that the
tests hold whatever module the loader lives in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dlsh_rules import load_pack
from dlsh_rules.cli.main import main
from dlsh_rules.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


def _rule(rule_id: str, title: str = "示例", require: str = "{mode: in_person}") -> str:
    return f"""\
  - id: {rule_id}
    phase: prep
    title: {{zh: "{title}", en: "Sample"}}
    clause: 一
    quote: 示例原文
    rationale: {{zh: 示例, en: Sample}}
    checks:
      - kind: each
        select: {{from: talks}}
        require: {require}
"""


def _write_pack(
    root: Path, manifest: str, rules: dict[str, list[str]], pack_id: str | None = None
) -> Path:
    root.mkdir(parents=True)
    head = (
        f"format: dlsh-pack/1\nid: {pack_id or root.name}\nversion: '1'\n"
        "title: {zh: 示例, en: Sample}\n"
    )
    (root / "pack.yaml").write_text(head + manifest, encoding="utf-8")
    for name, items in rules.items():
        (root / name).write_text("rules:\n" + "".join(items), encoding="utf-8")
    return root


BASE_MANIFEST = """\
abstract: true
sets:
  members: {from: people, where: {role: [secretary, member]}}
  secretary: {from: people, where: {role: secretary}}
set_labels:
  secretary: {zh: 书记, en: the secretary}
params:
  talk_mode:
    value: in_person
    clause: 基础
    description: {zh: 谈话方式, en: How talks are held}
  spare:
    value: 3
    description: {zh: 子包可用, en: For the children}
rules: [base.yaml]
"""


def _base(tmp_path: Path) -> Path:
    return _write_pack(
        tmp_path / "base",
        BASE_MANIFEST,
        {
            "base.yaml": [
                _rule("prep.one", "一", "{mode: $talk_mode}"),
                _rule("prep.two", "二"),
                _rule("prep.three", "三"),
            ]
        },
    )


def _child(tmp_path: Path, extra: str, rules: list[str] | None = None) -> Path:
    return _write_pack(
        tmp_path / "child",
        "extends: ../base\n" + extra + "rules: [child.yaml]\n",
        {"child.yaml": rules if rules is not None else [_rule("prep.four", "四")]},
    )


def _problems(root: Path) -> str:
    with pytest.raises(InputError) as info:
        load_pack(root)
    return "\n".join(p.render("en") for p in info.value.problems)


# --- D1 extends --------------------------------------------------------------------------------


def test_a_child_inherits_rules_sets_and_params(tmp_path: Path) -> None:
    _base(tmp_path)
    pack = load_pack(_child(tmp_path, ""))
    assert [r.id for r in pack.rules] == ["prep.one", "prep.two", "prep.three", "prep.four"]
    assert set(pack.sets) == {"members", "secretary"}
    assert pack.manifest.params["talk_mode"].value == "in_person"
    assert pack.origin("prep.one") == "base" and pack.origin("prep.four") == "child"
    assert pack.param_origin("talk_mode") == "base"


def test_a_param_override_keeps_the_clause_and_reaches_inherited_rules(tmp_path: Path) -> None:
    _base(tmp_path)
    pack = load_pack(_child(tmp_path, "params:\n  talk_mode: {value: phone}\n"))
    param = pack.manifest.params["talk_mode"]
    assert (param.value, param.clause) == ("phone", "基础")
    assert param.description is not None and param.description.en == "How talks are held"
    assert pack.param_origin("talk_mode") == "child"
    # the base's rule is checked with the child's value
    assert "phone" in str(pack.raw_checks["prep.one"])


def test_a_param_override_may_give_only_its_clause(tmp_path: Path) -> None:
    _base(tmp_path)
    pack = load_pack(_child(tmp_path, "params:\n  talk_mode: {clause: 三（一）}\n"))
    param = pack.manifest.params["talk_mode"]
    assert (param.value, param.clause) == ("in_person", "三（一）")


def test_a_new_param_needs_a_value(tmp_path: Path) -> None:
    _base(tmp_path)
    text = _problems(_child(tmp_path, "params:\n  brand_new: {clause: 一}\n"))
    assert "child/pack.yaml:" in text and "/params/brand_new" in text and "value" in text


def test_disable_drops_inherited_rules(tmp_path: Path) -> None:
    _base(tmp_path)
    pack = load_pack(_child(tmp_path, "disable: [prep.two]\n"))
    assert [r.id for r in pack.rules] == ["prep.one", "prep.three", "prep.four"]


def test_disabling_a_rule_that_is_not_inherited_is_an_error(tmp_path: Path) -> None:
    _base(tmp_path)
    text = _problems(_child(tmp_path, "disable: [prep.tow]\n"))
    assert "child/pack.yaml:" in text and "/disable/0" in text and "prep.two" in text


def test_replace_keeps_the_inherited_position(tmp_path: Path) -> None:
    _base(tmp_path)
    root = _child(
        tmp_path, "replace: [prep.two]\n", [_rule("prep.two", "新二"), _rule("prep.four")]
    )
    pack = load_pack(root)
    assert [r.id for r in pack.rules] == ["prep.one", "prep.two", "prep.three", "prep.four"]
    two = pack.rule("prep.two")
    assert two is not None and two.title.zh == "新二"
    assert pack.origin("prep.two") == "child"


def test_an_unlisted_inherited_id_is_an_error(tmp_path: Path) -> None:
    _base(tmp_path)
    text = _problems(_child(tmp_path, "", [_rule("prep.two", "新二")]))
    assert "child/child.yaml:2:" in text and "/rules/0/id" in text
    assert "replace" in text and "base" in text


def test_replace_of_a_rule_that_is_not_inherited_is_an_error(tmp_path: Path) -> None:
    _base(tmp_path)
    text = _problems(_child(tmp_path, "replace: [prep.four]\n"))
    assert "child/pack.yaml:" in text and "/replace/0" in text


def test_order_moves_rules_in_the_report(tmp_path: Path) -> None:
    _base(tmp_path)
    pack = load_pack(_child(tmp_path, "order: [prep.four, prep.three]\n"))
    assert [r.id for r in pack.rules] == ["prep.four", "prep.three", "prep.one", "prep.two"]


def test_an_order_entry_matching_no_rule_is_an_error(tmp_path: Path) -> None:
    _base(tmp_path)
    text = _problems(_child(tmp_path, "order: [prep.fuor]\n"))
    assert "/order/0" in text and "prep.four" in text


def test_a_chain_of_extends(tmp_path: Path) -> None:
    _base(tmp_path)
    _child(tmp_path, "")
    grandchild = _write_pack(
        tmp_path / "grand",
        "extends: ../child\nrules: [g.yaml]\ndisable: [prep.one]\n",
        {"g.yaml": [_rule("prep.five")]},
    )
    pack = load_pack(grandchild)
    assert [r.id for r in pack.rules] == ["prep.two", "prep.three", "prep.four", "prep.five"]
    assert [pack.origin(r.id) for r in pack.rules] == ["base", "base", "child", "grand"]


def test_a_cycle_is_an_error_at_the_extends_line(tmp_path: Path) -> None:
    _write_pack(tmp_path / "a", "extends: ../b\nrules: [r.yaml]\n", {"r.yaml": [_rule("prep.a")]})
    _write_pack(tmp_path / "b", "extends: ../a\nrules: [r.yaml]\n", {"r.yaml": [_rule("prep.b")]})
    text = _problems(tmp_path / "a")
    assert "pack.yaml:5:" in text and "/extends" in text and "cycle" in text


def test_a_missing_base_is_an_error_at_the_extends_line(tmp_path: Path) -> None:
    root = _write_pack(
        tmp_path / "lonely", "extends: no-such-base\nrules: [r.yaml]\n", {"r.yaml": [_rule("p.a")]}
    )
    text = _problems(root)
    assert "lonely/pack.yaml:5:" in text and "/extends" in text and "no-such-base" in text


def test_an_inherited_unused_param_is_no_error_but_an_own_one_is(tmp_path: Path) -> None:
    _base(tmp_path)
    load_pack(_child(tmp_path, ""))  # `spare` of the base is used by nobody: fine
    _base(tmp_path / "x")
    text = _problems(_child(tmp_path / "x", "params:\n  mine: {value: 1}\n"))
    assert "/params/mine" in text


def test_an_installed_base_by_name(tmp_path: Path) -> None:
    root = _write_pack(
        tmp_path / "named",
        "extends: base-2024\nrules: [r.yaml]\n",
        {"r.yaml": [_rule("prep.own", require="{participants: {in_set: members}}")]},
    )
    pack = load_pack(root)
    assert "members" in pack.sets and pack.origin("prep.own") == "named"


def test_rules_and_explain_show_where_a_rule_comes_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _base(tmp_path)
    child = _child(tmp_path, "")
    assert main(["rules", "--pack", str(child), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    one = next(line for line in out.splitlines() if "prep.one" in line)
    four = next(line for line in out.splitlines() if "prep.four" in line)
    assert "from: base" in one and "from:" not in four
    assert main(["rules", "--pack", str(child)]) == 0
    assert "来源: base" in capsys.readouterr().out
    assert main(["explain", "prep.one", "--pack", str(child), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "from: base" in out and "talk_mode = in_person" in out


def test_the_cache_covers_every_file_of_the_chain(tmp_path: Path) -> None:
    base = _base(tmp_path)
    child = _child(tmp_path, "")
    past = 1_600_000_000
    for path in [*base.iterdir(), *child.iterdir()]:
        os.utime(path, (past, past))  # old enough to be cached (cache.settled)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "PYTHONPATH": str(ROOT)}
    env.pop("DLSH_NO_CACHE", None)
    command = [sys.executable, "-m", "dlsh_rules", "rules", "--pack", str(child)]

    def titles() -> str:
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    assert "二" in titles()
    assert list((tmp_path / "xdg" / "dlsh_rules").glob("*.pickle"))
    rules = base / "base.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace('"二"', '"贰"'), encoding="utf-8")
    os.utime(rules, (past, past))  # only the bytes tell the change
    assert "贰" in titles()


def test_an_abstract_pack_is_a_base_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = RULES / "provincial-bureau-2024" / "example.yaml"
    assert main(["check", str(example), "--pack", "base-2024", "--lang", "en"]) == 2
    assert "abstract" in capsys.readouterr().err
    assert main(["test", "--pack", "base-2024", "--lang", "en"]) == 0
    assert "abstract" in capsys.readouterr().out


# --- D2 the shipped base pack ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["provincial-bureau-2024", "enterprise-committee-2024"])
def test_the_shipped_packs_extend_the_base(name: str) -> None:
    manifest = yaml.safe_load((RULES / name / "pack.yaml").read_text(encoding="utf-8"))
    assert manifest["extends"] == "base-2024"
    pack = load_pack(name)
    base = load_pack("base-2024")
    assert base.manifest.abstract
    for set_name in base.sets:
        assert set_name in pack.sets
    assert pack.param_origin("hope_markers") == name  # the clause is the child's
    assert pack.manifest.params["hope_markers"].value == base.manifest.params["hope_markers"].value


def test_the_base_is_not_a_default_pack() -> None:
    from dlsh_rules.pack import available_packs

    assert "base-2024" not in available_packs()
    assert "base-2024" in available_packs(include_abstract=True)


# --- D3 new-pack -------------------------------------------------------------------------------


@pytest.mark.parametrize("extends", [None, "base-2024", "enterprise-committee-2024"])
def test_a_new_pack_passes_its_tests_at_once(
    tmp_path: Path, extends: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["new-pack", "county-2024", "--dir", str(tmp_path), "--lang", "en"]
    assert main(args + (["--extends", extends] if extends else [])) == 0
    root = tmp_path / "county-2024"
    for name in ("pack.yaml", "example.yaml"):
        assert (root / name).is_file()
    manifest = yaml.safe_load((root / "pack.yaml").read_text(encoding="utf-8"))
    assert manifest["format"] == "dlsh-pack/2" and manifest["id"] == "county-2024"
    assert manifest.get("extends") == extends
    capsys.readouterr()
    assert main(["test", "--pack", str(root), "--lang", "en"]) == 0, capsys.readouterr().out
    assert main(["lint", "--pack", str(root), "--lang", "en"]) == 0, capsys.readouterr().out


def test_new_pack_refuses_an_existing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").mkdir()
    assert main(["new-pack", "taken", "--dir", str(tmp_path), "--lang", "en"]) == 2
    assert "taken" in capsys.readouterr().err
    assert list((tmp_path / "taken").iterdir()) == []


def test_new_pack_refuses_a_bad_name_or_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new-pack", "Bad Name", "--dir", str(tmp_path)]) == 2
    assert main(["new-pack", "ok-2024", "--dir", str(tmp_path), "--extends", "no-such"]) == 2
    assert not (tmp_path / "ok-2024").exists()


# --- D4 strict test ----------------------------------------------------------------------------

EXAMPLE = """\
format: dlsh-record/1
unit: {name: 某单位, party_org: 第一党支部}
meeting: {date: 2024-01-30, days: 1, chair: p1, attendees: [p1, p2, p3]}
people:
  - {id: p1, name: 书记甲, role: secretary}
  - {id: p2, name: 委员乙, role: member}
  - {id: p3, name: 委员丙, role: member}
talks:
  - {id: t1, date: 2024-01-10, participants: [p1, p2], mode: in_person}
  - {id: t2, date: 2024-01-10, participants: [p1, p3], mode: in_person}
  - {id: t3, date: 2024-01-11, participants: [p2, p3], mode: in_person}
"""

CASES = """\
cases:
  - rule: prep.talks.form
    name: 电话谈话 / a phone talk
    patch: [{op: replace, path: /talks/2/mode, value: phone}]
    expect: {prep.talks.form: failed}
    subjects: [t3]
  - rule: prep.talks.form
    name: 按 id 改为电话 / by id
    patch: [{op: replace, path: "/talks/[id=t3]/mode", value: phone}]
    expect: {prep.talks.form: failed}
    subjects: [t3]
  - rule: prep.talks.form
    name: 删去一次谈话仍合规 / one talk fewer still complies
    patch: [{op: remove, path: "/talks/[id=t1]"}]
    expect: {prep.talks.form: passed}
"""


def _tested_pack(tmp_path: Path, cases: str = CASES, rules: list[str] | None = None) -> Path:
    root = _write_pack(
        tmp_path / "tested",
        "rules: [r.yaml]\nexample: example.yaml\n",
        {"r.yaml": rules or [_rule("prep.talks.form")]},
    )
    (root / "example.yaml").write_text(EXAMPLE, encoding="utf-8")
    (root / "cases").mkdir()
    (root / "cases" / "form.yaml").write_text(cases, encoding="utf-8")
    return root


def test_id_paths_in_patches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "--pack", str(_tested_pack(tmp_path)), "--lang", "en"]) == 0
    assert "3 passed, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/talks/[id=t9]/mode", ["no item with id = 't9'"]),
        ("/talks/[mode=in_person]/mode", ["3 items with mode = 'in_person'"]),
        ("/people/[id=t1]/mode", ["no item with id = 't1'"]),
        ("/meeting/[id=t1]/mode", ["[id=t1]", "not a list"]),
    ],
)
def test_a_bad_id_path_fails_the_case(
    tmp_path: Path, path: str, words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    cases = CASES.replace("/talks/[id=t3]/mode", path)
    assert main(["test", "--pack", str(_tested_pack(tmp_path, cases)), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    for word in words:
        assert word in out, out


def test_a_field_path_by_another_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = CASES.replace("/talks/[id=t3]/mode", "/talks/[date=2024-01-11]/mode")
    assert main(["test", "--pack", str(_tested_pack(tmp_path, cases)), "--lang", "en"]) == 0


def test_wrong_result_4_a_case_naming_an_unknown_rule_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = CASES + (
        "  - rule: prep.talk.form\n"
        "    name: 拼错的规则 / a misspelt rule\n"
        "    patch: [{op: replace, path: /talks/0/mode, value: phone}]\n"
        "    expect: {prep.talks.form: failed}\n"
    )
    root = _tested_pack(tmp_path, cases)
    assert main(["test", "--pack", str(root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "cases/form.yaml:16:" in out, out
    assert "prep.talk.form" in out and "did you mean prep.talks.form" in out
    assert "3 passed, 1 failed" in out


def test_wrong_result_4_an_unknown_rule_in_expect_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = CASES.replace(
        "expect: {prep.talks.form: passed}",
        "expect: {prep.talks.form: passed, prep.talks.fomr: passed}",
    )
    root = _tested_pack(tmp_path, cases)
    assert main(["test", "--pack", str(root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "cases/form.yaml:15:" in out and "/cases/2/expect/prep.talks.fomr" in out, out
    assert "did you mean prep.talks.form" in out


def test_strict_test_names_rules_without_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tested_pack(tmp_path, rules=[_rule("prep.talks.form"), _rule("prep.talks.other")])
    assert main(["test", "--pack", str(root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "prep.talks.other" in out and "failing" in out and "passing" in out
    assert "prep.talks.form:" not in out.split("passed, 0 failed")[-1]
    assert main(["test", "--pack", str(root), "--lang", "en", "--allow-missing-cases"]) == 0
    assert "prep.talks.other" in capsys.readouterr().out


def test_a_passing_case_needs_a_patch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = CASES.replace('    patch: [{op: remove, path: "/talks/[id=t1]"}]\n', "")
    assert main(["test", "--pack", str(_tested_pack(tmp_path, cases)), "--lang", "en"]) == 1
    assert "prep.talks.form" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["provincial-bureau-2024", "enterprise-committee-2024"])
def test_the_shipped_packs_pass_strict_test_and_lint(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", "--pack", name, "--lint", "--lang", "en"]) == 0, capsys.readouterr().out


# --- D5 lint -----------------------------------------------------------------------------------


def test_lint_of_a_clean_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--pack", str(_tested_pack(tmp_path)), "--lang", "en"]) == 0


def test_lint_reports_unused_sets_and_rules_without_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tested_pack(tmp_path, rules=[_rule("prep.talks.form"), _rule("prep.talks.other")])
    manifest = root / "pack.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8")
        + "sets:\n  idle: {from: people}\n  busy: {from: people}\n"
        + "  uses_busy: {set: busy}\n",
        encoding="utf-8",
    )
    assert main(["lint", "--pack", str(root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "pack.yaml:" in out and "/sets/idle" in out and "prep.talks.other" in out
    assert "/sets/busy" not in out  # used by a set that is itself unused: one report is enough


@pytest.mark.parametrize(
    ("quote", "code"),
    [
        ("示例原文", 0),  # whitespace ignored
        ("总则：示例", 0),  # punctuation ignored: a colon standing for a heading
        ("示例……见此", 0),  # parts split at …… found in order
        ("见此……示例", 1),  # ...but not out of order
        ("示例之外", 1),
    ],
)
def test_lint_finds_quotes_missing_from_the_source_text(
    tmp_path: Path, quote: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tested_pack(tmp_path, rules=[_rule("prep.talks.form").replace("示例原文", quote)])
    (root / "plan.txt").write_text("一、总则\n示例\n原文，见此。\n", encoding="utf-8")
    manifest = root / "pack.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "source_text: plan.txt\n", encoding="utf-8"
    )
    assert main(["lint", "--pack", str(root), "--lang", "en"]) == code
    if code:
        out = capsys.readouterr().out
        assert "r.yaml:6:" in out and "/rules/0/quote" in out and quote in out


def test_a_source_text_outside_the_pack_is_an_error(tmp_path: Path) -> None:
    root = _tested_pack(tmp_path)
    manifest = root / "pack.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "source_text: ../plan.txt\n", encoding="utf-8"
    )
    assert "/source_text" in _problems(root)


def test_lint_finds_labels_missing_a_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _tested_pack(
        tmp_path, rules=[_rule("prep.talks.form").replace('en: "Sample"', 'en: ""')]
    )
    assert main(["lint", "--pack", str(root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "/rules/0/title/en" in out


def test_lint_of_a_bad_pack_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _tested_pack(tmp_path, rules=[_rule("prep.talks.form", require="{mdoe: in_person}")])
    assert main(["lint", "--pack", str(root), "--lang", "en"]) == 2
    assert "mdoe" in capsys.readouterr().err


def test_the_provincial_pack_quotes_its_plan() -> None:
    pack = load_pack("provincial-bureau-2024")
    assert pack.manifest.source_text == "plan.txt"
    text = (RULES / "provincial-bureau-2024" / "plan.txt").read_text(encoding="utf-8")
    assert text.lstrip().startswith("为认真开好2024年度局党组成员民主生活会")
