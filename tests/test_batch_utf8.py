"""The batch JSON written as UTF-8 against the text it stands in for (issue 13, session 6): each
record's object with its results' texts written once per batch (`record_utf8`), the whole
document joined from those bytes (`batch_json_utf8`), and report files written from bytes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastpaths import case_records
from test_batch_fast import write_records

from dlsh_rules.authoring.synth import compliant_record
from dlsh_rules.cli.batch import check_inputs, entries, expand
from dlsh_rules.cli.output import write_atomic
from dlsh_rules.evaluate.engine import Waiver, check
from dlsh_rules.pack.loader import DEFAULT_PACK, load_pack
from dlsh_rules.render import batch_view
from dlsh_rules.render.batch_view import batch_json, batch_json_utf8, record_json, record_utf8

PACKS = ("provincial-bureau-2024", "enterprise-committee-2024")


@pytest.mark.parametrize("pack_id", PACKS)
def test_record_utf8_is_record_json_on_every_case(pack_id: str) -> None:
    """Every valid case of the pack (findings, errors, pending, waived), at its as-of date and
    without one, in both languages, with the results' texts written and then read back from
    the table, and with the table emptied between records."""
    pack = load_pack(pack_id)
    seen = 0
    for n, (record, days) in enumerate(case_records(pack)):
        for as_of in sorted(days, key=lambda d: d or dt.date.min):
            try:
                report = check(record, pack, as_of=as_of)
            except TypeError:
                continue
            for lang in ("zh", "en"):
                expected = record_json(report, lang).encode()
                assert record_utf8(report, lang) == expected
                assert record_utf8(report, lang, report.summary) == expected  # from the table
                seen += 1
        if n % 7 == 0:
            batch_view._RESULT_TEXT.clear()
    assert seen > 150


def test_record_utf8_with_selection_waivers_and_no_results() -> None:
    pack = load_pack(DEFAULT_PACK)
    record, _ = next(case_records(pack))
    waiver = Waiver(
        "meeting.no_such_finding", "nobody", "理由", "某人", dt.date(2024, 1, 1), None,
        "waivers.yaml", "/waivers/0", 3, 5,
    )  # fmt: skip
    reports = [
        check(record, pack, select=["meeting"], ignore=["meeting.theme"]),
        check(record, pack, waivers=[waiver], as_of=dt.date(2024, 3, 1)),
        check(record, pack, select=["meeting.theme"]),
    ]
    assert any(r.unused_waivers for r in reports)
    assert any(r.selection != ((), ()) for r in reports)
    for report in reports:
        for lang in ("zh", "en"):
            assert record_utf8(report, lang) == record_json(report, lang).encode()
    empty = type(reports[0])(**{**vars(reports[0]), "results": ()})
    assert record_utf8(empty, "zh") == record_json(empty, "zh").encode()


def test_a_result_table_entry_is_the_result_it_was_written_for() -> None:
    """The table is keyed by id: an entry whose result is gone (and whose id another object
    took) is never used, and the table stays bounded."""
    pack = load_pack(DEFAULT_PACK)
    record, _ = next(case_records(pack))
    report = check(record, pack)
    text = record_utf8(report, "zh")
    key = next(k for k in batch_view._RESULT_TEXT if k[1] == "zh")
    other = next(r for r in report.results if id(r) != key[0])
    batch_view._RESULT_TEXT[key] = (other, b"wrong")  # as if the id now named another result
    assert record_utf8(report, "zh") == text
    old = batch_view._RESULT_TEXT_MAX
    try:
        batch_view._RESULT_TEXT_MAX = 5
        batch_view._RESULT_TEXT.clear()
        assert record_utf8(report, "en") == record_json(report, "en").encode()
        assert len(batch_view._RESULT_TEXT) <= 5
    finally:
        batch_view._RESULT_TEXT_MAX = old


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_records(tmp_path_factory.mktemp("utf8"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_json_utf8_is_batch_json(records: Path, lang: str, jobs: int) -> None:
    pack = load_pack(DEFAULT_PACK)
    inputs = expand([str(records), str(records / "missing-*.yaml")])
    results = check_inputs(inputs, pack, jobs=jobs, json_lang=lang, start_method="fork")
    assert all(isinstance(r.json_entry[1], bytes) for r in results if r.json_entry is not None)
    for view_lang in ("zh", "en"):  # the other language: no worker's text is used
        run = entries(results, pack, view_lang)
        assert batch_json_utf8(run) == batch_json(run).encode()
    assert batch_json_utf8([]) == batch_json([]).encode()


def test_a_text_that_is_not_utf8_takes_the_text_path(tmp_path: Path) -> None:
    """A file name that is not UTF-8 (a lone surrogate in its name) cannot be written as UTF-8:
    the worker keeps its text and the whole document falls back to `batch_json`, whose writing
    fails as it always did."""
    if sys.platform != "linux":
        pytest.skip("file names of arbitrary bytes")
    folder = tmp_path / "odd"
    folder.mkdir()
    text = yaml.safe_dump(compliant_record(2), allow_unicode=True, sort_keys=False)
    name = os.fsencode(str(folder)) + b"/r\xff.yaml"
    with open(name, "wb") as handle:
        handle.write(text.encode())
    (folder / "ok.yaml").write_text(text, encoding="utf-8")
    pack = load_pack(DEFAULT_PACK)
    results = check_inputs(expand([str(folder)]), pack, jobs=1, json_lang="zh")
    assert {type(r.json_entry[1]) for r in results if r.json_entry is not None} == {bytes, str}
    run = entries(results, pack, "zh")
    assert batch_json_utf8(run) is None
    with pytest.raises(UnicodeEncodeError):
        batch_json(run).encode()


def test_write_atomic_writes_bytes_as_the_text_would_be(tmp_path: Path) -> None:
    text = '{\n  "a": "中文 \\n ü"\n}\n'
    write_atomic(tmp_path / "t.json", text)
    write_atomic(tmp_path / "b.json", text.encode())
    data = text.encode()
    write_atomic(tmp_path / "p.json", [data[:3], b"", data[3:9], data[9:]])  # split in a letter
    assert (tmp_path / "t.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert (tmp_path / "p.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    target = tmp_path / "b.json"
    os.chmod(target, 0o640)
    write_atomic(target, b"x")  # replacing keeps the mode, as for text
    assert target.read_bytes() == b"x" and (target.stat().st_mode & 0o777) == 0o640


def test_cli_file_and_standard_output_are_the_same_bytes(records: Path, tmp_path: Path) -> None:
    """`check DIR --format json -o FILE` (written from the workers' bytes) and the same run on
    standard output (the text path) give the same document."""
    out = tmp_path / "out.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    base = [sys.executable, "-m", "dlsh_rules", "check", str(records), "-q", "--format", "json"]
    for jobs in ("1", "2"):
        to_file = subprocess.run(
            [*base, "--jobs", jobs, "-o", str(out)], env=env, capture_output=True
        )
        to_stdout = subprocess.run([*base, "--jobs", jobs], env=env, capture_output=True)
        assert to_file.returncode == to_stdout.returncode == 2
        assert out.read_bytes() == to_stdout.stdout
        json.loads(to_stdout.stdout)
