"""Fuzzing in CI: the harness of fuzz/fuzz_record.py for a bounded time, and every crash it
has found kept as a regression input.

``DLSH_FUZZ_SECONDS`` sets the mutation loop's budget (default 40 s; the whole file takes
about 45 s). ``DLSH_FUZZ_SEED`` picks another deterministic sequence of inputs. Longer runs,
with atheris when it is installed: fuzz/README.md.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlsh_rules.errors import InputError, Problem, Text

ROOT = Path(__file__).resolve().parent.parent
FUZZ_SECONDS = float(os.environ.get("DLSH_FUZZ_SECONDS", "40"))
FUZZ_SEED = int(os.environ.get("DLSH_FUZZ_SEED", "0"))


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_record", ROOT / "fuzz" / "fuzz_record.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_record"] = module
    spec.loader.exec_module(module)
    return module


harness = _load_harness()


# Inputs that made the tool misbehave once, or that sit on an edge the fuzzer keeps finding.
# Each must now pass through `run_one`: refused with InputError, or checked without a rule error.
# No fuzzing run has found a crash yet (atheris, 20 minutes; fallback, many seeds): the entries
# below are edge cases kept so that they stay covered whatever the mutation loop explores.
REGRESSIONS: dict[str, bytes] = {
    "lone-equals-value-tag": b"format: =\n",
    "alias-as-key": b"a: &k x\n*k : 1\n",
    "merge-key": b"a: &b {x: 1}\nc: {<<: *b}\n",
    "explicit-int-tag-bad-value": b"a: !!int x\n",
    "explicit-float-tag-bad-value": b"a: !!float 1.2.3\n",
    "explicit-bool-tag-bad-value": b"a: !!bool maybe\n",
    "timestamp-with-time": b"meeting: {date: 2024-01-30 10:00:00}\n",
    "impossible-date": b"meeting: {date: 2024-02-30}\n",
    "huge-int": b'{"a": ' + b"9" * 5000 + b"}",
    "float-overflow": b'{"a": 1e999}',
    "yaml-huge-int": b"a: " + b"9" * 5000 + b"\n",
    "lone-surrogate-key": b'{"\\ud800": 1}',
    "yaml-escaped-surrogate": b'a: "\\ud800"\n',
    "two-documents": b"a: 1\n---\nb: 2\n",
    "only-a-comment": b"# nothing\n",
    "bom-only": b"\xef\xbb\xbf",
    "utf32-bom": b"\x00\x00\xfe\xff",
    "cr-only-lines": b"format: dlsh-record/1\rmeeting: {}\r",
    "control-character": b"a: \x07\n",
    "tab-indent": b"a:\n\tb: 1\n",
    "flow-unclosed": b"{a: [1, 2",
    "record-with-list-root": b"[]",
    "record-with-null-people": b'{"format": "dlsh-record/1", "unit": {"name": "x"}, '
    b'"meeting": {"date": "2024-01-30"}, "people": null}',
    "record-with-bool-date": b"format: dlsh-record/1\nunit: {name: x}\nmeeting: {date: yes}\n"
    b"people: [{id: p1, name: a, role: secretary}]\n",
    "record-minimal": b"format: dlsh-record/1\nunit: {name: x}\nmeeting: {date: 2024-01-30}\n"
    b"people: [{id: p1, name: a, role: secretary}]\n",
    "record-group-as-person-id": b"format: dlsh-record/1\nunit: {name: x}\n"
    b"meeting: {date: 2024-01-30}\npeople: [{id: group, name: a, role: secretary}]\n",
    "record-self-talk": b"format: dlsh-record/1\nunit: {name: x}\nmeeting: {date: 2024-01-30}\n"
    b"people: [{id: p1, name: a, role: secretary}, {id: p2, name: b, role: member}]\n"
    b"talks: [{id: t1, participants: [p1, p1], mode: in_person, date: 2024-01-01}]\n",
    "record-far-planned-date": b"format: dlsh-record/1\nunit: {name: x}\n"
    b"meeting: {date: 2024-01-30, planned_date: 0001-01-01}\n"
    b"people: [{id: p1, name: a, role: secretary}]\n",
}

_MINIMAL = b"format: dlsh-record/1\nunit: {name: x}\npeople: [{id: p1, name: a, role: secretary}]\n"
# Crashes the fuzzer found, fixed by refusing dates outside 1900-2999 and activities longer than
# a year (their deadlines overflowed the calendar).
REGRESSIONS.update(
    {
        "meeting-on-9999-12-31": _MINIMAL + b"meeting: {date: 9999-12-31}\n",
        "meeting-on-0001-01-01": _MINIMAL + b"meeting: {date: 0001-01-01}\n",
        "meeting-on-9999-12-01": _MINIMAL + b"meeting: {date: 9999-12-01}\n",
        "activity-of-a-billion-days": _MINIMAL
        + b"meeting: {date: 2024-01-30}\n"
        + b"activities: [{id: a1, kind: opinion_solicitation, date: 2024-01-10, days: 1000000000}]\n",
    }
)
# Crashes found by fuzzing and not fixed yet: each is a strict xfail until the fix lands, then
# moves up into REGRESSIONS.
KNOWN_BUGS: dict[str, tuple[bytes, str]] = {}


@pytest.mark.parametrize(
    "data",
    [pytest.param(data, id=name) for name, data in sorted(REGRESSIONS.items())]
    + [
        pytest.param(data, id=name, marks=pytest.mark.xfail(strict=True, reason=reason))
        for name, (data, reason) in sorted(KNOWN_BUGS.items())
    ],
)
def test_regression_inputs(data: bytes) -> None:
    harness.run_one(data)


def test_seeds_load_and_check() -> None:
    seeds = harness.seeds()
    assert len(seeds) >= 7
    for data in seeds:
        signature = harness.run_one(data)
        assert "yaml:checked:" in signature[1], signature  # JSON is YAML too
        if data.startswith(b"{"):
            assert "json:checked:" in signature[0], signature
    # The example, read as YAML, fails no rule.
    assert harness.run_one(seeds[0])[1] == "yaml:checked:"


# What the crashes of KNOWN_BUGS look like, so that the loop finding them again does not fail
# the suite; any other crash does. Remove an entry with the fix of its bug.
KNOWN_CRASHES: list[re.Pattern[str]] = []


def test_fuzz_within_the_time_budget(tmp_path: Path) -> None:
    found: list[str] = []
    known: list[str] = []

    def keep(data: bytes, exc: BaseException) -> None:
        path = tmp_path / f"crash-{len(found) + len(known)}"
        path.write_bytes(data)
        text = f"{type(exc).__name__}: {exc}\n    saved to {path}\n    {data[:200]!r}"
        (known if any(p.search(str(exc)) for p in KNOWN_CRASHES) else found).append(text)

    stats = harness.fallback(FUZZ_SECONDS, seed=FUZZ_SEED, on_crash=keep)
    print(stats)
    print("known bugs found again:", *known, sep="\n")
    assert not found, "\n".join(found)
    assert stats.executions > len(harness.seeds())
    if FUZZ_SECONDS >= 10:
        assert stats.outcomes > 20  # the inputs reach many different refusals and results


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    harness.run_one(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, 100))
def test_mutated_seed_records(seed: int, which: int) -> None:
    import random

    seeds = harness.seeds()
    rng = random.Random(seed)
    data = seeds[which % len(seeds)]
    for _ in range(rng.randrange(1, 4)):
        data = harness.mutate(data, rng)
    harness.run_one(data)


# --------------------------------------------------------------------------------------------
# The harness itself notices what it must


def test_harness_reports_an_escaping_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(harness, "validate_record", broken)
    stats = harness.fallback(0.2, seed=1)
    assert stats.crashes and "KeyError" in stats.crashes[0][1]


def test_harness_reports_an_internal_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def internal(*args: object, **kwargs: object) -> object:
        problem = Problem("fuzz", "", Text("x", "x"), "ValueError: boom", code="internal")
        raise InputError([problem])

    monkeypatch.setattr(harness, "load_bytes", internal)
    with pytest.raises(harness.Crash, match="internal error"):
        harness.run_one(b"{}")


def test_harness_reports_a_rule_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = harness.check

    def erring(record: object, pack: object) -> object:
        report = real(record, pack)
        first = report.results[0]
        broken = type(first)(**{**first.__dict__, "status": "error", "error": "boom"})
        return type(report)(**{**report.__dict__, "results": (broken, *report.results[1:])})

    monkeypatch.setattr(harness, "check", erring)
    with pytest.raises(harness.Crash, match="boom"):
        harness.run_one(harness.seeds()[1])
