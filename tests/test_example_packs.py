"""The example packs under docs/examples/packs/: four plans of other kinds of unit (issue 9, F).

Each pack is run as its author would run it: every case of cases/ holds, every rule has a case that
must fail and a patched case that must pass, every quote of the pack's own rules is the plan's text
(plan.txt) word for word, and the example records comply.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dlsh_rules.authoring.testing import example_data, load_cases, run_case
from dlsh_rules.pack.loader import Pack, load_pack

PACKS_DIR = Path(__file__).resolve().parent.parent / "docs" / "examples" / "packs"


def _pack_dirs() -> list[Path]:
    return sorted(p.parent for p in PACKS_DIR.glob("*/pack.yaml"))


def _params() -> list[Any]:
    return [pytest.param(d, id=d.name) for d in _pack_dirs()]


@cache
def _pack(directory: Path) -> Pack:
    return load_pack(directory)


def _own_rule_ids(pack: Pack) -> list[str]:
    origin = getattr(pack, "origin", None)
    return [r.id for r in pack.rules if origin is None or origin(r.id) == pack.id]


@pytest.mark.parametrize("directory", _params())
def test_every_case_holds(directory: Path) -> None:
    pack = _pack(directory)
    base = example_data(pack)
    failures = []
    for case in load_cases(pack):
        problems = run_case(pack, base, case)
        if problems:
            failures.append(f"{case.id}\n    " + "\n    ".join(problems))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("directory", _params())
def test_every_rule_has_failing_and_passing_cases(directory: Path) -> None:
    """Strict, inherited rules included; a case of several records counts as patched."""
    pack = _pack(directory)
    cases = [c.model for c in load_cases(pack)]
    lacking = []
    for rule in pack.rules:
        mine = [c for c in cases if c.rule == rule.id]
        if not any(c.expect.get(rule.id) == "failed" for c in mine):
            lacking.append(f"{rule.id}: no case that must fail")
        patched = [c for c in mine if c.patch or getattr(c, "records", None)]
        if not any(c.expect.get(rule.id) == "passed" for c in patched):
            lacking.append(f"{rule.id}: no patched case that must pass")
    assert not lacking, "\n".join(lacking)


@pytest.mark.parametrize("directory", _params())
def test_quotes_are_the_plans_words(directory: Path) -> None:
    """Every quote of the pack's own rules is an exact substring of its plan.txt."""
    pack = _pack(directory)
    plan = (directory / "plan.txt").read_text(encoding="utf-8")
    missing = [
        f"{rule_id}: {pack.rule(rule_id).quote!r}"  # type: ignore[union-attr]
        for rule_id in _own_rule_ids(pack)
        if pack.rule(rule_id).quote not in plan  # type: ignore[union-attr]
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("directory", _params())
def test_examples_comply(directory: Path) -> None:
    """example.yaml passes every record rule; with the pack's other example records (the same
    unit's other meetings) every organisation rule passes too."""
    from dlsh_rules import check
    from dlsh_rules.load.source import load_path
    from dlsh_rules.record.validate import validate_record

    pack = _pack(directory)
    reports = []
    for path in sorted(directory.glob("example*.yaml")):
        record = validate_record(load_path(path).data, path.name, pack.enums)
        report = check(record, pack)
        reports.append(report)
        statuses = {r.rule: r.status for r in report.results}
        if path.name == "example.yaml":
            assert {k: v for k, v in statuses.items() if v != "passed"} == {}, path.name
        else:
            open_ = {k: v for k, v in statuses.items() if v not in ("passed", "not_applicable")}
            assert open_ == {}, path.name
    if not any(getattr(r, "scope", "record") == "organisation" for r in pack.rules):
        return
    from dlsh_rules.evaluate.organisations import evaluate_organisations

    organisations = evaluate_organisations(reports, pack)
    assert len(organisations.entries) == 1  # the examples are meetings of one organisation
    org_statuses = {r.rule: r.status for r in organisations.entries[0].results}
    assert {k: v for k, v in org_statuses.items() if v != "passed"} == {}


@pytest.mark.parametrize("directory", _params())
def test_cli_test_and_lint_are_clean(directory: Path) -> None:
    """What an author runs: `test` (strict) and `lint` exit 0."""
    for command in (["test"], ["lint"]):
        done = subprocess.run(
            [sys.executable, "-m", "dlsh_rules", *command, "--pack", str(directory)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("directory", _params())
def test_new_pack_built_on_an_example_passes_at_once(directory: Path, tmp_path: Path) -> None:
    """`new-pack NAME --extends <example pack>` copies its example and cases: a unit adopting one
    of these plans starts from a pack whose `test` is green."""
    run = [sys.executable, "-m", "dlsh_rules"]
    made = subprocess.run(
        [*run, "new-pack", "my-unit-2025", "--extends", str(directory), "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    done = subprocess.run(
        [*run, "test", "--pack", str(tmp_path / "my-unit-2025")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
