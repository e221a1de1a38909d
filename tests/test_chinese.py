"""Input errors in Chinese by default (issue 11, item 5): no English word in a Chinese message,
for the test suite's own bad inputs and for the mistakes a party office typically makes; the
same messages stay good English with --lang en."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from chinese_only import english_words

from dlsh_rules.cli.main import main
from dlsh_rules.errors import InputError, Problem, Text
from dlsh_rules.record import load_record

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "docs" / "examples" / "bureau-2024.yaml").read_text(encoding="utf-8")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str], env_lang: str | None = None) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    return err


def _chinese(err: str, *names: str) -> None:
    for name in names:
        err = err.replace(name, "FILE")
    for line in err.splitlines():
        assert not english_words(line), (english_words(line), line)


# What staff of a party office write wrong, as (name, change to the example record).
MISTAKES: list[tuple[str, str, str]] = [
    ("一个字段名拼错", "participants: [p1, p2]", "participant: [p1, p2]"),
    ("谈话方式写成近义词", "mode: in_person", "mode: 当面"),
    ("标签后带说明但说明写错地方", "kind: problem_list", "kind: 整改问题单"),
    ("引用了不存在的人", "participants: [p1, p3]", "participants: [p1, p99]"),
    ("顶层键用了全角冒号", "\ntalks:", "\ntalks："),
    ("对象中用了全角冒号", "{id: t1,", "{id： t1,"),
    ("日期写错", "date: 2024-01-10", "date: 2024-01-32"),
    ("日期写成中文", "date: 2024-01-10", "date: 2024年1月10日"),
    ("同一个键写了两次", "unit: {name: 省移民局, party_org: 局党组}", "unit: {name: 省移民局, name: 局党组}"),
    ("用制表符缩进", "\nmeeting:\n", "\nmeeting:\n\tx: 1\n"),
    ("缩进不齐", "\ntalks:\n", "\ntalks:\n   - {id: z9}\n  - {id: z8}\n"),
    ("少了右花括号", "mode: in_person}\n", "mode: in_person\n"),
    ("两名党组书记", "role: member, title: 党组成员、副局长, supervises: [d2, d3]", "role: secretary, title: 党组成员、副局长, supervises: [d2, d3]"),
    ("重复的 id", "{id: t2,", "{id: t1,"),
    ("列表写成了单个值", "participants: [p1, p2]", "participants: p1"),
    ("把 id 写成数字", "{id: t1,", "{id: 1,"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_typical_mistakes_are_told_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, old: str, new: str
) -> None:
    assert old in EXAMPLE, name
    path = tmp_path / "记录.yaml"
    path.write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8")
    err = _run(["check", str(path)], capsys)
    _chinese(err, str(path))
    en = _run(["check", str(path), "--lang", "en"], capsys)
    assert "expected" in en and "应为" not in en


BROKEN_TEXTS = [
    ("trailing.json", '{"format": "dlsh-record/1", "unit": {"name": "x",}}'),
    ("comma.json", '{"format": "dlsh-record/1" "unit": 1}'),
    ("unclosed.json", '{"format": "dlsh-record/1'),
    ("extra.json", "{} {}"),
    ("twice.json", '{"format": "a", "format": "b"}'),
    ("empty.yaml", ""),
    ("list.yaml", "- a\n- b\n"),
    ("quote.yaml", 'unit: "x\n'),
    ("colon.yaml", "unit: a: b\n"),
    ("tab.yaml", "unit:\n\tname: x\n"),
    ("anchor.yaml", "unit: *nowhere\n"),
    ("docs.yaml", "a: 1\n---\nb: 2\n"),
    ("utf16.yaml", "\ufeffformat: x\n"),
]


@pytest.mark.parametrize(("name", "text"), BROKEN_TEXTS, ids=[b[0] for b in BROKEN_TEXTS])
def test_syntax_and_encoding_errors_are_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-16" if name == "utf16.yaml" else "utf-8"))
    _chinese(_run(["check", str(path)], capsys), str(path))


def test_a_full_width_colon_is_pointed_at_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("format: dlsh-record/1\nunit:\n  name： x\n  party_org: y\n", encoding="utf-8")
    err = _run(["check", str(path)], capsys)
    # PyYAML notices on line 4; the cause is the colon on line 3, column 7.
    assert err.startswith(f"{path}:3:7：") and "请使用半角冒号" in err, err
    en = _run(["check", str(path), "--lang", "en"], capsys)
    assert f"{path}:3:7: " in en and "full-width colon" in en
    # In a flow mapping the key and value become one unknown field; the hint says why.
    path.write_text(EXAMPLE.replace("{id: t1,", "{id：t1,", 1), encoding="utf-8")
    assert "请使用半角冒号" in _run(["check", str(path)], capsys)


def test_the_same_wrong_label_in_many_talks_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(EXAMPLE.replace("mode: in_person", "mode: 当面"), encoding="utf-8")
    count = EXAMPLE.count("mode: in_person")
    assert count > 10
    err = _run(["check", str(path)], capsys)
    (line,) = err.splitlines()
    first = 1 + EXAMPLE.splitlines().index(
        next(x for x in EXAMPLE.splitlines() if "mode: in_person" in x)
    )
    # The first place exactly as before, the others listed up to a cap, and counted.
    assert line.startswith(f"{path}:{first}:")
    assert f"同样的问题共 {count} 处" in line and f"另有 {count - 6} 处" in line
    assert "面对面（in_person）" in line
    with pytest.raises(InputError) as info:
        load_record(path)
    assert len(info.value.problems) == count  # the problems themselves stay one per place
    en = _run(["check", str(path), "--lang", "en"], capsys)
    assert f"the same in {count} places" in en and f"and {count - 6} more" in en


@pytest.mark.parametrize(
    "written", ["整改问题清单（会前查摆）", "整改问题清单(会前查摆)", "整改问题清单 （附件）"]
)
def test_a_label_with_an_explanation_in_brackets_is_the_label(tmp_path: Path, written: str) -> None:
    path = tmp_path / "r.yaml"
    text = EXAMPLE.replace("kind: problem_list", f"kind: {written}", 1)
    assert text != EXAMPLE
    path.write_text(text, encoding="utf-8")
    record = load_record(path)
    assert "problem_list" in [d["kind"] for d in record.data["documents"]]


def test_a_wrong_label_gets_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(EXAMPLE.replace("kind: problem_list", "kind: 整改问题单", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_record(path)
    zh, en = info.value.render("zh"), info.value.render("en")
    assert "您是否要写 '整改问题清单'" in zh and "整改问题清单（problem_list）" in zh
    assert "did you mean '整改问题清单'" in en and "problem_list (整改问题清单)" in en
    # A brackets explanation that does not make a label is still wrong: no silent guess.
    path.write_text(
        EXAMPLE.replace("kind: problem_list", "kind: 清单（问题）", 1), encoding="utf-8"
    )
    with pytest.raises(InputError):
        load_record(path)


def test_file_errors_say_the_file_itself_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "没有.yaml"
    err = _run(["check", str(missing)], capsys)
    assert err.startswith(f"{missing}：文件本身：") and "没有这个文件或目录" in err, err
    assert "位置 /" not in err
    en = _run(["check", str(missing), "--lang", "en"], capsys)
    assert f"{missing}: at /: expected a readable file; found No such file or directory" in en
    with pytest.raises(InputError) as info:
        load_record(tmp_path)  # a directory
    _chinese(info.value.render("zh"), str(tmp_path))


def test_an_os_error_without_a_translation_is_still_chinese() -> None:
    from dlsh_rules.errors import os_error_text

    text = os_error_text(OSError(99999, "Some rare failure"))
    assert text.en == "Some rare failure" and not english_words(text.zh)
    assert os_error_text(PermissionError(13, "Permission denied")).zh == "没有读写权限"


ARGUMENTS = [
    [],
    ["chek"],
    ["check"],
    ["check", "r.yaml", "--bogus"],
    ["check", "r.yaml", "--fail-on", "sometimes"],
    ["check", "r.yaml", "--format", "pdf"],
    ["check", "r.yaml", "--jobs"],
    ["check", "r.yaml", "--jobs", "zero"],
    ["check", "r.yaml", "--as-of", "2024-02-30"],
    ["explain"],
    ["schema", "records"],
]


@pytest.mark.parametrize("argv", ARGUMENTS, ids=[" ".join(a) or "nothing" for a in ARGUMENTS])
def test_argument_errors_are_chinese(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    err = _run(argv, capsys)
    assert "用法：" in err and "错误：" in err
    _chinese(err)
    en = _run([*argv, "--lang", "en"] if argv[:1] == ["check"] else argv, capsys)
    if argv[:1] == ["check"]:
        assert "usage:" in en and "error:" in en


def test_argparse_is_english_again_after_a_chinese_run(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    _run(["chek"], capsys)
    parser = argparse.ArgumentParser(prog="other")
    assert "usage: other" in parser.format_usage()
    assert "show this help message and exit" in parser.format_help()


def test_a_problem_keeps_its_english_found_and_adds_the_chinese() -> None:
    p = Problem("r.yaml", "/a", Text("整数", "an integer"), Text("两个", "two"), 3, 4, "type")
    assert p.found == "two" and p.found_zh == "两个"
    assert p.render("zh") == "r.yaml:3:4：位置 /a：应为整数；实际为 两个"
    assert p.render("en") == "r.yaml:3:4: at /a: expected an integer; found two"


# The modules whose tests feed bad records, files, waiver files, arguments and packs (rule
# files, manifests, parameters, labels, composition, date bounds) to the tool.
BAD_INPUT_MODULES = [
    "tests/test_record_errors.py",
    "tests/test_source.py",
    "tests/test_waivers.py",
    "tests/test_record_additions.py",
    "tests/test_relabel.py",
    "tests/test_cli.py",
    "tests/test_start.py",
    "tests/test_cli_config.py",
    "tests/test_compare.py",
    "tests/test_pack_errors.py",
    "tests/test_compose.py",
    "tests/test_date_bounds.py",
    "tests/test_refs_counting.py",
    "tests/test_frequency.py",
]


def test_no_english_in_the_chinese_input_errors_of_the_suite(tmp_path: Path) -> None:
    record = tmp_path / "errors.json"
    env = {**os.environ, "DLSH_ZH_RECORD": str(record), "DLSH_NO_CACHE": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.zh_recorder",
         "-q", "-x", "--no-header", "-k", "not test_no_english", *BAD_INPUT_MODULES],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    lines = json.loads(record.read_text(encoding="utf-8"))
    assert len(lines) > 100  # the recorder saw the suite's errors
    english = {line: english_words(line) for line in lines if english_words(line)}
    assert not english, json.dumps(english, ensure_ascii=False, indent=1)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(float("nan"), "NaN"), (float("inf"), "Infinity"), (-float("inf"), "-Infinity")],
)
def test_a_non_finite_number_is_shown_as_json_writes_it(value: float, shown: str) -> None:
    from dlsh_rules.errors import InputError
    from dlsh_rules.record.validate import validate_record

    with pytest.raises(InputError) as caught:
        validate_record({"unit": value})
    zh = caught.value.render("zh")
    assert f"实际为 {shown}" in zh and not english_words(zh.replace("<record>", ""))


# --- pack authors -------------------------------------------------------------------------------

PACK = """\
format: dlsh-pack/2
id: county
version: '1'
title: {zh: 县局民主生活会方案, en: County plan}
params:
  talk_due: {value: {days: -10}, description: {zh: 谈心谈话截止, en: Talks due}}
sets:
  members: {from: people, where: {role: [secretary, member]}}
rules: [rules.yaml]
"""

RULES = """\
rules:
  - id: prep.talks.in_person
    phase: prep
    title: {zh: 谈心谈话当面进行, en: Talks in person}
    clause: 四（一）
    quote: 谈心谈话要当面进行
    severity: error
    rationale: {zh: 方案要求当面谈, en: The plan asks for talks in person}
    due: $talk_due
    checks:
      - kind: each
        select: {from: talks}
        require: {mode: in_person, date: {on_or_before: $talk_due}}
      - kind: coverage
        what: {zh: 谈心谈话, en: talks}
        subjects: {set: members}
        items: {from: talks}
        key: participants
        min_ratio: 1
"""

# What the authors of a pack write wrong, as (name, file, text there, what it becomes).
PACK_MISTAKES: list[tuple[str, str, str, str]] = [
    ("键名拼错", "rules.yaml", "    quote:", "    qoute:"),
    ("检查类型写错", "rules.yaml", "kind: each", "kind: every"),
    ("运算符拼错", "rules.yaml", "{on_or_before: $talk_due}", "{on_or_befor: $talk_due}"),
    ("字段名拼错", "rules.yaml", "require: {mode:", "require: {mdoe:"),
    ("日期界限的月份越界", "rules.yaml", "due: $talk_due", "due: {month: 13, day: 1}"),
    ("日期界限写成中文", "rules.yaml", "due: $talk_due", "due: 会前十天"),
    ("偏移天数过大", "pack.yaml", "{days: -10}", "{days: -100000}"),
    ("规则 id 用了大写和空格", "rules.yaml", "id: prep.talks.in_person", "id: Prep Talks"),
    ("标题只写了中文", "rules.yaml", "title: {zh: 谈心谈话当面进行, en: Talks in person}", "title: 谈心谈话当面进行"),
    ("缺少必填键", "rules.yaml", "    rationale: {zh: 方案要求当面谈, en: The plan asks for talks in person}\n", ""),
    ("严重程度写中文", "rules.yaml", "severity: error", "severity: 严重"),
    ("阶段写中文", "rules.yaml", "phase: prep", "phase: 会前"),
    ("引用了未定义的集合", "rules.yaml", "{set: members}", "{set: leaders}"),
    ("引用了未声明的参数", "rules.yaml", "due: $talk_due", "due: $talk_deadline"),
    ("参数声明了却没用", "pack.yaml", "sets:", "  spare: {value: 3, description: {zh: 备用, en: Spare}}\nsets:"),
    ("比例大于 1", "rules.yaml", "min_ratio: 1\n", "min_ratio: 3/2\n"),
    ("比例少了 of", "rules.yaml", "require: {mode:", "require: {participants: {min_count: {ratio: 2/3}}, mode:"),
    ("机构范围的规则里写了普通检查", "rules.yaml", "    due: $talk_due\n", "    scope: organisation\n"),
    ("within 写错", "rules.yaml", "{on_or_before: $talk_due}", "{within: [2024-01-01, 2024-02-01]}"),
    ("选择里同时写了 from 和 set", "rules.yaml", "select: {from: talks}", "select: {from: talks, set: members}"),
    ("反向引用写错", "rules.yaml", "key: participants", "key: '@refs(talks)'"),
    ("计算字段写错", "rules.yaml", "require: {mode: in_person,", "require: {date.@week: 1, mode: in_person,"),
    ("继承了不存在的规则包", "pack.yaml", "rules: [rules.yaml]", "extends: no-such-pack\nrules: [rules.yaml]"),
    ("改名了不存在的枚举值", "pack.yaml", "rules: [rules.yaml]", "labels: {talk_mode: {face: {zh: 当面, en: face}}}\nrules: [rules.yaml]"),
    ("规则文件用了全角冒号", "rules.yaml", "    clause:", "    clause："),
    ("集合条件里字段拼错", "pack.yaml", "where: {role:", "where: {rol:"),
    ("规则文件不存在", "pack.yaml", "rules: [rules.yaml]", "rules: [rule.yaml]"),
    ("比例写成文字", "rules.yaml", "min_ratio: 1\n", "min_ratio: 全部\n"),
]  # fmt: skip


def _write_pack(root: Path, name: str = "", old: str = "", new: str = "") -> Path:
    root.mkdir()
    for file, text in (("pack.yaml", PACK), ("rules.yaml", RULES)):
        if file == name:
            assert old in text, old
            text = text.replace(old, new, 1)
        (root / file).write_text(text, encoding="utf-8")
    return root


def test_the_corpus_pack_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--pack", str(_write_pack(tmp_path / "p"))]) == 0


@pytest.mark.parametrize(
    ("name", "file", "old", "new"), PACK_MISTAKES, ids=[m[0] for m in PACK_MISTAKES]
)
def test_typical_pack_mistakes_are_told_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, file: str, old: str, new: str
) -> None:
    root = _write_pack(tmp_path / "规则包", file, old, new)
    err = _run(["rules", "--pack", str(root)], capsys)
    _chinese(err, str(root))
    # Every line says where: the file, and a line and column inside it.
    for line in err.splitlines():
        assert line.startswith(str(root)), line
    assert any(f"{file}:" in line for line in err.splitlines()), err
    en = _run(["rules", "--pack", str(root), "--lang", "en"], capsys)
    assert "expected" in en and "应为" not in en
    assert len(en.splitlines()) == len(err.splitlines())


def test_pack_errors_keep_their_english_and_say_the_same_in_chinese(tmp_path: Path) -> None:
    from dlsh_rules.pack.loader import load_pack

    root = _write_pack(tmp_path / "p", "rules.yaml", "{on_or_before: $talk_due}", "{similar: 1}")
    with pytest.raises(InputError) as info:
        load_pack(root)
    (problem,) = info.value.problems
    assert problem.render("en").endswith(
        "expected unknown operator 'similar'; known operators: "
        + problem.expected.en.split("known operators: ")[1]
        + "; found an object"
    )
    zh = problem.render("zh")
    assert "未知的运算符 'similar'" in zh and "可用的运算符" in zh and "实际为 一个对象" in zh
    assert problem.found == "an object" and problem.found_zh == "一个对象"


def test_an_unknown_operator_gets_a_suggestion(tmp_path: Path) -> None:
    from dlsh_rules.pack.loader import load_pack

    root = _write_pack(
        tmp_path / "p", "rules.yaml", "{on_or_before: $talk_due}", "{on_or_befor: $talk_due}"
    )
    with pytest.raises(InputError) as info:
        load_pack(root)
    assert "您是否要写 'on_or_before'？" in info.value.render("zh")


def test_pydantic_types_without_a_translation_are_still_chinese() -> None:
    from dlsh_rules.language.validation import error_text

    said = error_text({"type": "some_future_type", "msg": "Something new", "ctx": {}})
    assert said.en == "Something new" and "some_future_type" in said.zh
    assert not english_words(said.zh)
    said = error_text(
        {"type": "literal_error", "msg": "Input should be 'a' or 'b'", "ctx": {"expected": "'a' or 'b'"}}
    )  # fmt: skip
    assert said == Text("以下之一：'a'、'b'", "Input should be 'a' or 'b'")


CASES_PACK = ROOT / "tests" / "packs" / "relabel"


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        ("{op: replace, path: /orgs/9/kind, value: x}", "列表下标 9 超出范围"),
        ("{op: replace, path: orgs/0/kind, value: x}", "JSON 指针应以 '/' 开头"),
        ("{op: remove, path: '/orgs/[id=zz]'}", "没有 id = 'zz' 的列表项（须恰有一项）"),
        ("{op: replace, path: /meeting/nothing/x, value: 1}", "没有成员 'nothing'"),
        ("{op: frobnicate, path: /meeting}", "未知的操作 'frobnicate'"),
        ("{op: add, path: /meeting/method}", "缺少键 'value'"),
    ],
)
def test_a_case_whose_patch_does_not_apply_is_told_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], patch: str, words: str
) -> None:
    import shutil

    root = tmp_path / "pack"
    shutil.copytree(CASES_PACK, root)
    (root / "cases" / "relabel.yaml").write_text(
        f"cases:\n  - rule: review.sent\n    name: x\n    patch:\n      - {patch}\n"
        "    expect: {review.sent: failed}\n",
        encoding="utf-8",
    )
    main(["test", "--pack", str(root), "--allow-missing-cases"])
    out = capsys.readouterr().out
    (line,) = [x for x in out.splitlines() if "补丁" in x]
    assert words in line, line
    _chinese(line)
    main(["test", "--pack", str(root), "--allow-missing-cases", "--lang", "en"])
    assert "patch does not apply: patch operation 0" in capsys.readouterr().out


def test_a_case_file_with_a_wrong_key_is_told_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    root = tmp_path / "pack"
    shutil.copytree(CASES_PACK, root)
    (root / "cases" / "relabel.yaml").write_text(
        "cases:\n  - rule: review.sent\n    nmae: x\n    expect: {review.sent: passed}\n",
        encoding="utf-8",
    )
    err = _run(["test", "--pack", str(root)], capsys)
    assert "relabel.yaml:3:11：位置 /cases/0/nmae：" in err and "未知的键 'nmae'" in err, err
    assert "relabel.yaml:2:5：位置 /cases/0/name：" in err and "无（缺少此键）" in err, err
    en = _run(["test", "--pack", str(root), "--lang", "en"], capsys)
    assert "found Extra inputs are not permitted" in en and "found Field required" in en
    _chinese(err, str(root))


def test_a_misspelt_subcommand_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert "；您是否要写 check？" in _run(["chek"], capsys)
    assert "; did you mean check?" in _run(["chek", "--lang", "en"], capsys)
    assert "您是否要写" not in _run(["zzzzzz"], capsys)
    assert "您是否要写 warning？" in _run(["check", "r.yaml", "--fail-on", "warnin"], capsys)


def test_the_test_command_speaks_chinese_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a case that does not hold, and a rule without its cases: listed in the run's language
    from dlsh_rules.authoring.newpack import new_pack

    root = new_pack("zh-test", tmp_path)
    (root / "cases" / "zh-test.yaml").write_text(
        "cases:\n  - rule: meeting.days\n    name: 只有必须失败的用例\n"
        "    patch: [{op: add, path: /meeting/days, value: 2}]\n"
        "    expect: {meeting.days: passed}\n",
        encoding="utf-8",
    )
    assert main(["test", "--pack", str(root)]) == 1
    zh = capsys.readouterr().out
    assert "失败 meeting.days" in zh and "应为通过，实际为不符合" in zh
    assert "0 个用例通过，1 个失败" in zh and "缺少" in zh and "条规则中有" in zh
    assert not english_words(zh.replace(str(root), "")), zh
    assert main(["test", "--pack", str(root), "--lang", "en"]) == 1
    en = capsys.readouterr().out
    assert "0 passed, 1 failed" in en and "MISSING" in en and "lack cases" in en
    assert "meeting.days: expected passed, got failed" in en
