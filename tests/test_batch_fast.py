"""The batch's fast paths against the code they stand in for (issue 13, batch throughput):
the records' objects of the batch JSON written where each record is checked, and the control
character test that skips the escapes when the text has no backslash."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest
import yaml

from dlsh_rules.authoring.synth import compliant_record
from dlsh_rules.cli.batch import BatchResult, check_inputs, check_many, entries, expand
from dlsh_rules.load import source
from dlsh_rules.load.perf import dumps_indented
from dlsh_rules.pack.loader import DEFAULT_PACK, load_pack
from dlsh_rules.render.batch_view import RunEntry, batch_dict, batch_json


def write_records(parent: Path) -> Path:
    """Compliant and failing records, one refused, one unreadable, one JSON, under
    ``parent``/records (test_batch_utf8 checks the same folder)."""
    root = parent / "records"
    root.mkdir()
    for i in range(10):
        record = compliant_record(2 + i % 4, shift_days=i)
        record["unit"]["name"] += f" {i}"
        if i % 3 == 1:
            record["meeting"]["theme"] = "另一个主题"  # a failed rule, its finding's line
        text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
        (root / f"r{i}.yaml").write_text(text, encoding="utf-8")
    (root / "refused.yaml").write_text("format: dlsh-record/1\nunit: 3\n", encoding="utf-8")
    (root / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    (root / "r.json").write_text('{"format": "dlsh-record/1"}', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_records(tmp_path_factory.mktemp("fast"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_records_written_by_workers_make_the_same_batch_json(
    records: Path, lang: str, jobs: int
) -> None:
    pack = load_pack(DEFAULT_PACK)
    inputs = expand([str(records), str(records / "missing-*.yaml")])
    results = check_inputs(inputs, pack, jobs=jobs, json_lang=lang, start_method="fork")
    assert sum(r.json_entry is not None for r in results) == sum(
        r.report is not None for r in results
    )
    assert any(r.report is not None and r.report.summary.failed for r in results)
    fast = entries(results, pack, lang)
    assert all(isinstance(e, RunEntry) and (e.json is None) == (e.context is None) for e in fast)
    reference = dumps_indented(batch_dict(fast)) + "\n"
    assert batch_json(fast) == reference
    plain = entries(check_many([str(records)], pack, jobs=1), pack, lang)
    assert all(isinstance(e, RunEntry) and e.json is None for e in plain)
    assert batch_json(plain) == batch_json(entries(results[:-1], pack, lang))


def test_an_entry_in_another_language_is_not_used(records: Path) -> None:
    pack = load_pack(DEFAULT_PACK)
    results = check_inputs(expand([str(records)]), pack, jobs=1, json_lang="zh")
    english = entries(results, pack, "en")
    assert all(isinstance(e, RunEntry) and e.json is None for e in english)
    assert batch_json(english) == dumps_indented(batch_dict(english)) + "\n"


def test_no_records_and_only_refused_records() -> None:
    assert batch_json([]) == dumps_indented(batch_dict([])) + "\n"
    refused = entries([BatchResult("x.yaml")], load_pack(DEFAULT_PACK), "zh")
    assert batch_json(refused) == dumps_indented(batch_dict(refused)) + "\n"


def test_replacing_the_report_drops_the_written_entry(records: Path) -> None:
    """A baseline replaces reports with `dataclasses.replace`: the object written for the old
    report must not stand for the new one."""
    pack = load_pack(DEFAULT_PACK)
    (result,) = check_inputs([(str(records / "r0.yaml"), None)], pack, jobs=1, json_lang="zh")
    assert result.json_entry is not None
    replaced = dataclasses.replace(result, report=result.report)
    assert replaced.json_entry is None
    assert replaced == result  # and the entry is no part of equality


CHARS = "a中\\\\u202eUxN0e\x7f\x85\x9f\u202a\u2066\ufffe\uffff\"'0123456789abcdefABCDEF"


@pytest.mark.parametrize("seed", range(4))
def test_control_shortcut_is_the_pattern(seed: int) -> None:
    """Without a backslash, the escapes' branches cannot match: the class alone answers."""
    rng = random.Random(seed)
    for _ in range(3000):
        text = "".join(rng.choice(CHARS) for _ in range(rng.randint(0, 12)))
        if "\\" in text:
            continue
        raw = bool(source._MAYBE_CONTROL_RAW.search(text))
        assert raw == bool(source._MAYBE_CONTROL_YAML.search(text)), text
        assert raw == bool(source._MAYBE_CONTROL_JSON.search(text)), text


@pytest.mark.parametrize("jobs", [1, 2])
def test_digests_of_the_workers_are_what_the_reports_say(records: Path, jobs: int) -> None:
    """Each result's summary and worst level, worked out where the record was checked, are
    the report's own; the batch JSON and the exit codes read from them are those read from
    the reports (results without digests: `replace` drops them)."""
    from dlsh_rules.errors import replace

    pack = load_pack(DEFAULT_PACK)
    inputs = expand([str(records)])
    results = check_inputs(inputs, pack, jobs=jobs, json_lang="en", start_method="fork")
    bare = [r if r.report is None else replace(r, report=r.report) for r in results]
    assert all(r.digest is None for r in bare)
    for r in results:
        if r.report is None:
            assert r.digest is None
            continue
        assert r.digest == (r.report.summary, r.report.worst_level())
        for fail_on in ("error", "warning", "never"):
            assert r.exit_code(fail_on) == r.report.exit_code(fail_on)
    assert {r.exit_code("warning") for r in results} == {0, 1, 2}
    for lang in ("zh", "en"):
        digested = entries(results, pack, lang)
        assert any(isinstance(e, RunEntry) and e.summary is not None for e in digested)
        assert batch_json(digested) == batch_json(entries(bare, pack, lang))
        assert batch_dict(digested) == batch_dict(entries(bare, pack, lang))
