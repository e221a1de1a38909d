"""Relabelling enumeration values per pack (design C2): a manifest's `labels:` gives base (and
extension) values new Chinese and English labels, shown in every message and report and accepted
on input; an unknown enumeration or value, or a label another value answers to, is a load error
at its line of pack.yaml. The pack is tests/packs/relabel (its cases run with tests/test_cases.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dlsh_rules.cli.main import main
from dlsh_rules.errors import InputError
from dlsh_rules.pack.loader import load_pack
from dlsh_rules.record.enums import DEFAULT
from dlsh_rules.record.validate import load_record

PACK = Path(__file__).resolve().parent / "packs" / "relabel"
FORMATS = ["text", "json", "markdown", "html", "junit", "sarif", "github"]

# What each language must show of the failing record's findings, and the labels it must not.
SHOWN = {
    "zh": ["未报送县纪委监委", "现场召开（in_person）", "书面发言材料（written_statement）"],
    "en": [
        # the record's name of the body, the pack's English label of its kind in brackets
        "not sent to 县纪委监委 (county discipline commission)",
        "held on site (in_person)",
        "written statement (written_statement)",
    ],
}
NOT_SHOWN = {"zh": ["省纪委", "面对面"], "en": ["not sent to discipline commission"]}


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pack's example with every rule broken."""
    text = (PACK / "example.yaml").read_text(encoding="utf-8")
    for old, new in [
        ("to: [o1, o2]", "to: [o2]"),
        ("method: 现场召开", "method: 视频会议"),
        ("kind: 书面发言材料, owner", "kind: other, owner"),
    ]:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("relabel") / "record.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_shows_the_new_labels(
    failing: Path, fmt: str, lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(failing), "--pack", str(PACK), "--format", fmt, "--lang", lang])
    out = capsys.readouterr().out
    assert code == 1
    if fmt in ("json", "sarif"):
        out = json.dumps(json.loads(out), ensure_ascii=False)  # escapes undone
    for escaped in ("\\_", "\\(", "\\)"):  # Markdown's
        out = out.replace(escaped, escaped[1])
    for words in SHOWN[lang]:
        assert words in out, (fmt, lang, words)
    for words in NOT_SHOWN[lang]:
        assert words not in out, (fmt, lang, words)


def test_the_new_labels_are_accepted_on_input() -> None:
    pack = load_pack(PACK)
    record = load_record(PACK / "example.yaml", pack.enums)
    assert record.data["orgs"][0]["kind"] == "discipline_commission"
    assert record.data["meeting"]["method"] == "in_person"
    assert record.data["documents"][1]["kind"] == "written_statement"
    # The record format's own labels still read as the values (a relabel renames, nothing more);
    # other packs do not know the new labels.
    assert pack.enums.normalise("org_kind", "省纪委") == "discipline_commission"
    assert pack.enums.normalise("meeting_method", "现场会议") == "in_person"
    assert DEFAULT.normalise("org_kind", "县纪委监委") is None


def test_a_bad_value_lists_the_new_labels(tmp_path: Path) -> None:
    text = (
        (PACK / "example.yaml")
        .read_text(encoding="utf-8")
        .replace("kind: 县纪委监委", "kind: 县纪委")
    )
    path = tmp_path / "record.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_record(path, load_pack(PACK).enums)
    (problem,) = info.value.problems
    assert problem.pointer == "/orgs/0/kind" and problem.line is not None
    assert "县纪委监委（discipline_commission）" in info.value.render("zh")


def test_the_table_of_a_pack_without_labels_is_unchanged() -> None:
    assert DEFAULT.en_label("org_kind", "discipline_commission") == "discipline commission"
    assert DEFAULT.relabelled("org_kind", "discipline_commission") is None
    relabelled = load_pack(PACK).enums
    assert (
        relabelled.en_label("org_kind", "discipline_commission") == "county discipline commission"
    )
    assert relabelled.label("org_kind", "other") == DEFAULT.label("org_kind", "other")
    assert relabelled.en_label("org_kind", "other") == "other"


# --- load errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "line", "code", "words"),
    [
        (
            "labels:\n  org_kinds:\n    discipline_commission: {zh: 县纪委, en: county}\n",
            3,  # an enumeration is pointed at by its values
            "enum_name",
            ["org_kind", "'org_kinds'"],
        ),
        (
            "labels:\n  org_kind:\n    discipline_comission: {zh: 县纪委, en: county}\n",
            3,
            "enum_value",
            ["discipline_commission", "'discipline_comission'"],
        ),
        (
            "labels:\n  org_kind:\n    other: {zh: 省委组织部, en: other body}\n",
            3,
            "enum_label",
            ["'省委组织部'", "'organization_department'"],
        ),
        (
            "labels:\n  org_kind:\n    other:\n      zh: organs_work_committee\n      en: x\n",
            4,
            "enum_label",
            ["'organs_work_committee'"],
        ),
        (
            "labels:\n  role:\n    member: {zh: 委员, en: member}\n    other: {zh: 委员, en: x}\n",
            4,
            "enum_label",
            ["'委员'", "'member'"],
        ),
    ],
)
def test_a_bad_label_is_a_load_error_at_its_line(
    tmp_path: Path, labels: str, line: int, code: str, words: list[str]
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    manifest = (pack / "pack.yaml").read_text(encoding="utf-8")
    start = manifest.index("labels:")
    end = manifest.index("\nrules:")
    manifest = manifest[:start] + labels + manifest[end:]
    (pack / "pack.yaml").write_text(manifest, encoding="utf-8")
    first = manifest[:start].count("\n")  # the line before `labels:`
    with pytest.raises(InputError) as info:
        load_pack(pack)
    (problem,) = info.value.problems
    assert problem.code == code, info.value.render("en")
    assert problem.file.endswith("pack.yaml") and problem.line == first + line
    text = info.value.render("en")
    for word in words:
        assert word in text


def test_a_label_needs_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    manifest = (pack / "pack.yaml").read_text(encoding="utf-8")
    manifest = manifest.replace(
        "in_person: {zh: 现场召开, en: held on site}", "in_person: {zh: 现场召开}"
    )
    (pack / "pack.yaml").write_text(manifest, encoding="utf-8")
    assert main(["check", str(PACK / "example.yaml"), "--pack", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "pack.yaml:" in err and "/labels/meeting_method/in_person/en" in err
    assert "Traceback" not in err


def test_an_extension_value_is_relabelled_too() -> None:
    enums = load_pack(PACK).enums
    assert enums.label("document_kind", "written_statement") == "书面发言材料"
    assert enums.normalise("document_kind", "书面发言") == "written_statement"


def test_every_enumerated_value_shows_its_own_label_in_context() -> None:
    """A value in several enumerations (`other`: a role, a body, a document, an approval) is
    labelled by the enumeration of the field it was read from — a document of kind `other` is
    其他材料, not the 其他人员 of the first enumeration holding `other` (issue 11)."""
    from dlsh_rules.evaluate.context import Context
    from dlsh_rules.language.messages import en_shown, field_name, zh_value
    from dlsh_rules.language.paths import Path as FieldPath
    from dlsh_rules.record.validate import enum_at

    pack = load_pack()
    record = load_record(Path(__file__).parent.parent / "docs/examples/bureau-2024.yaml")
    ctx = Context(record, pack)
    seen: set[tuple[str, str]] = set()
    for obj_id, pointer in record.pointers.items():
        obj = next((o for o in _objects(record.data) if id(o) == obj_id), None)
        if not isinstance(obj, dict):
            continue
        for alias in obj:
            enum = enum_at(pointer, alias)
            if enum is None or (enum, alias) in seen:
                continue
            seen.add((enum, alias))
            field = field_name(ctx, FieldPath.parse(alias), obj)
            for value, label in DEFAULT.labels[enum].items():
                assert zh_value(ctx, value, field) == f"{label}（{value}）", (pointer, alias)
                assert en_shown(ctx, value, field) == value
    # the enumerations the example holds, at least those sharing a value with another
    assert {"document_kind", "org_kind", "role", "talk_mode", "meeting_method"} <= {
        e for e, _ in seen
    }


def test_a_document_of_kind_other_reads_as_other_material(tmp_path: Path) -> None:
    """Through an id, too: an absence's `written_statement` names a document, whose `kind`
    `other` is 其他材料 in the finding (it read 其他人员, the role, before)."""
    import yaml

    from dlsh_rules.evaluate.engine import check
    from dlsh_rules.record.validate import validate_record

    pack = load_pack(PACK)
    data = yaml.safe_load((PACK / "example.yaml").read_text(encoding="utf-8"))
    data["documents"][1]["kind"] = "other"
    report = check(
        validate_record(data, "x", pack.enums), pack, select=["meeting.absence_statement"]
    )
    (finding,) = report.results[0].findings
    assert finding.found is not None and finding.found.zh == "其他材料（other）"
    assert "其他人员" not in finding.message.zh


def _objects(value: object) -> list[object]:
    out: list[object] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            out.append(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            out.append(v)
            stack.extend(v)
    return out
