"""Check that a change to the engine leaves every report byte for byte the same.

    python bench/compare_reports.py baseline   # on the unchanged code: inputs + reports
    python bench/compare_reports.py compare    # after a change: the same inputs, same reports?

`baseline` builds the inputs once and stores them with their reports under
bench/results/compare/ (not committed); `compare` reads those inputs back, so it does not depend
on generating the same records again. The inputs are:

* every pack case (a JSON Patch of the pack's example), with its own as-of date, without one
  and with two more, checked against its own pack;
* each pack's example, with several as-of dates, --select/--ignore and extra waivers;
* compliant synthetic records of several sizes, checked against both packs;
* damaged synthetic records: Hypothesis draws from tests/strategies.py (talks, criticisms,
  opinions, documents… dropped, modes, dates and labels changed, absences added), derandomised,
  checked against both packs with and without an as-of date;
* records whose dates sit at the ends of the calendar, so that some rules raise (their `error`
  status and message must stay the same).

A report is compared as its JSON in Chinese and in English and its repr; a record the validator refuses is
compared as the validator's message.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gzip
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "compare"
for p in (str(ROOT), str(ROOT / "tests")):
    if p not in sys.path:
        sys.path.insert(0, p)

from dlsh_rules.authoring.patch import PatchError, apply_patch  # noqa: E402
from dlsh_rules.authoring.synth import compliant_record  # noqa: E402
from dlsh_rules.authoring.testing import example_data, load_cases  # noqa: E402
from dlsh_rules.errors import InputError  # noqa: E402
from dlsh_rules.evaluate.engine import Waiver, check  # noqa: E402
from dlsh_rules.pack.loader import load_pack  # noqa: E402
from dlsh_rules.record.validate import validate_record  # noqa: E402

PACKS = ("provincial-bureau-2024", "enterprise-committee-2024")

# One input: a name, the pack, the record's data, and the options of `check`.
Input = dict[str, Any]


def _inputs_cases() -> Iterator[Input]:
    for pack_id in PACKS:
        pack = load_pack(pack_id)
        base = example_data(pack)
        for case in load_cases(pack):
            try:
                data = apply_patch(base, case.model.patch)
            except PatchError:  # a case that does not apply is not our business
                continue
            dates = {case.model.as_of, None, "2024-02-10", "2024-06-01"}
            for as_of in sorted(dates, key=str):
                yield {
                    "name": f"{pack_id}/{case.file}#{case.index}@{as_of}",
                    "pack": pack_id,
                    "data": data,
                    "as_of": as_of,
                }


def _inputs_examples() -> Iterator[Input]:
    for pack_id in PACKS:
        base = example_data(load_pack(pack_id))
        for as_of in (None, "2023-12-01", "2024-01-25", "2024-02-10", "2024-03-15", "2025-01-01"):
            yield {
                "name": f"{pack_id}/example@{as_of}",
                "pack": pack_id,
                "data": base,
                "as_of": as_of,
            }
        for sel, ign in (
            (["meeting"], []),
            ([], ["prep"]),
            (["prep.talks", "followup"], ["prep.talks.member_pairs"]),
        ):
            yield {
                "name": f"{pack_id}/example sel={sel} ign={ign}",
                "pack": pack_id,
                "data": base,
                "select": sel,
                "ignore": ign,
            }
        yield {
            "name": f"{pack_id}/example waivers",
            "pack": pack_id,
            "data": base,
            "as_of": "2024-02-10",
            "waivers": [
                ["meeting.theme", None, "test", "2024-01-01", "2024-03-01"],
                ["prep.talks.member_pairs", "p1~p2", "test", None, None],
                ["no.such.rule", None, "test", None, None],
                ["meeting.chair", None, "expired", None, "2024-01-01"],
            ],
        }


def _inputs_synthetic() -> Iterator[Input]:
    for members in (2, 3, 5, 8, 13, 20, 40):
        data = compliant_record(members)
        for pack_id in PACKS:
            yield {
                "name": f"{pack_id}/synth{members}",
                "pack": pack_id,
                "data": data,
                "as_of": None,
            }
        yield {
            "name": f"synth{members}@2024-02-01",
            "pack": PACKS[0],
            "data": data,
            "as_of": "2024-02-01",
        }


def _inputs_damaged(count: int) -> Iterator[Input]:
    import strategies  # tests/strategies.py
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    drawn: list[tuple[Any, Any]] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=strategies.records(members=st.integers(2, 12), max_mutations=8),
        as_of=st.none() | st.dates(dt.date(2023, 12, 1), dt.date(2024, 8, 1)),
    )
    def collect(case: Any, as_of: dt.date | None) -> None:
        drawn.append((copy.deepcopy(case), as_of))

    collect()
    for n, (case, as_of) in enumerate(drawn):
        for pack_id in PACKS:
            yield {
                "name": f"{pack_id}/damaged{n} {case.members} {' '.join(case.steps)}"[:300],
                "pack": pack_id,
                "data": case.data,
                "as_of": as_of.isoformat() if as_of else None,
            }
    # A larger damaged record: the indexes of pairs and coverage at a size closer to the target.
    big = compliant_record(60)
    big["talks"] = big["talks"][::3]
    big["meeting"]["criticisms"] = [c for i, c in enumerate(big["meeting"]["criticisms"]) if i % 7]
    items = big["rectification"]["items"]
    big["rectification"]["items"] = [i for n, i in enumerate(items) if n % 11]
    for n, t in enumerate(big["talks"]):
        if n % 5 == 0:
            t["mode"] = "phone"
    for n, c in enumerate(big["meeting"]["criticisms"]):
        if n % 13 == 0:
            c["text"] = "希望今后多下基层。"
    for pack_id in PACKS:
        for as_of in (None, "2024-02-01"):
            yield {
                "name": f"{pack_id}/big-damaged@{as_of}",
                "pack": pack_id,
                "data": big,
                "as_of": as_of,
            }


def _shift(value: Any, days: int) -> Any:
    """synth.shift_dates, but a date pushed past the calendar's ends stays at the end."""
    if isinstance(value, dict):
        return {k: _shift(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, days) for v in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            return value
        try:
            return (date + dt.timedelta(days=days)).isoformat()
        except OverflowError:
            return (dt.date.max if days > 0 else dt.date.min).isoformat()
    return value


def _inputs_extreme() -> Iterator[Input]:
    for pack_id in PACKS:
        base = example_data(load_pack(pack_id))
        meeting = dt.date.fromisoformat(str(base["meeting"]["date"]))
        for target in (
            dt.date(1, 1, 20),
            dt.date(1, 2, 15),
            dt.date(9999, 12, 20),
            dt.date(9999, 11, 20),
        ):
            days = (target - meeting).days
            shifted = _shift(json.loads(json.dumps(base, default=str)), days)
            yield {
                "name": f"{pack_id}/shift-to-{target}",
                "pack": pack_id,
                "data": shifted,
                "as_of": None,
            }
        odd = copy.deepcopy(base)
        for t in odd.get("talks", [])[:2]:
            t["date"] = "9999-12-31"
        for a in odd.get("activities", [])[:3]:
            a["date"] = "0001-01-01"
        yield {"name": f"{pack_id}/odd-dates", "pack": pack_id, "data": odd, "as_of": "2024-02-10"}
        synth = _shift(compliant_record(4), (dt.date(9999, 12, 25) - dt.date(2024, 1, 30)).days)
        yield {"name": f"{pack_id}/synth-late", "pack": pack_id, "data": synth, "as_of": None}


# Rules whose operators raise on some objects (a set test on a list of mappings), written so that
# filters (`when`, `where`, `any`) that stop early and requirements that evaluate everything give
# different statuses: any change to what is evaluated, or in which order, shows in the reports.
ODD_RULES = """
rules:
  - id: odd.any_second_raises
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: each
        select: {from: rectification.items}
        require: {any: [{status: open}, {sources: {in: [x]}}]}
  - id: odd.when_any_stops_early
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: each
        select: {from: rectification.items}
        when: {any: [{status: open}, {sources: {in: [x]}}]}
        require: {status: open}
  - id: odd.when_first_op_fails
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: each
        select: {from: rectification.items}
        when: {status: closed, sources: {in: [x]}}
        require: {status: open}
      - kind: each
        select: {from: rectification.items, where: {status: closed, sources: {contains_all: [x]}}}
        require: {status: open}
  - id: odd.when_raises
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: each
        select: {from: meeting.reports}
        when: {kind: prior_rectification, items: {any_of: [x]}}
        require: {kind: personal_matters}
  - id: odd.not_raises
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: each
        select: {from: meeting.reports}
        require: {not: {items: {not_in: [x]}}}
  - id: odd.all_raises_late
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: each
        select: {from: meeting.reports}
        require: {kind: personal_matters, all: [{person: {exists: true}}, {items: {in: [x]}}]}
  - id: odd.where_raises_sometimes
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: exists
        select: {from: meeting.reports, where: {any: [{kind: personal_matters}, {items: {in: [x]}}]}}
  - id: odd.exists_require
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: exists
        select: {from: meeting.reports}
        require: {any: [{kind: personal_matters}, {items: {in: [x]}}]}
  - id: odd.coverage_require
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: coverage
        subjects: {set: members}
        items: {from: meeting.reports}
        key: person
        require: {any: [{kind: personal_matters}, {items: {in: [x]}}]}
  - id: odd.pairs_qualify
    phase: prep
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: pairs
        pairs: [{all_pairs: {set: members}}]
        items: {from: talks}
        participants: participants
        qualify: {any: [{mode: in_person, participants: {count: 2}}, {mode: {in: [phone]}}]}
  - id: odd.sequence_match
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: sequence
        select: {from: meeting.reports}
        steps:
          - match: {kind: prior_rectification, items: {in: [x]}}
            label: {zh: 甲, en: a}
  - id: odd.same_condition_filter_then_require
    phase: meeting
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: each
        select: {from: meeting.reports}
        when: {any: [{kind: personal_matters}, {items: {in: [x]}}]}
        require: {person: {exists: true}}
      - kind: each
        select: {from: meeting.reports}
        require: {any: [{kind: personal_matters}, {items: {in: [x]}}]}
  - id: odd.talk_qualify_twice
    phase: prep
    title: {zh: 甲, en: a}
    clause: 一
    quote: 甲
    rationale: {zh: 甲, en: a}
    checks:
      - kind: each
        select: {from: talks, where: {mode: in_person, participants: {count: 2}}}
        require: {mode: in_person, participants: {count: 2}}
      - kind: each
        select: {from: talks}
        when: {not: {mode: in_person, participants: {count: 2}}}
        require: {participants: {min_count: 2}}
"""


def odd_pack(directory: Path) -> str:
    """A copy of the default pack with the rules above added, under the output directory."""
    import shutil

    source = ROOT / "rules" / PACKS[0]
    root = directory / "odd-pack"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("cases"))
    (root / "odd.yaml").write_text(ODD_RULES, encoding="utf-8")
    manifest = (root / "pack.yaml").read_text(encoding="utf-8")
    manifest = manifest.replace("  - followup.yaml\n", "  - followup.yaml\n  - odd.yaml\n", 1)
    (root / "pack.yaml").write_text(manifest, encoding="utf-8")
    return str(root)


def _inputs_odd(inputs: list[Input], directory: Path) -> list[Input]:
    """Every default-pack input, checked against the odd pack too."""
    root = odd_pack(directory)
    return [
        {**inp, "name": "odd:" + inp["name"], "pack": root}
        for inp in inputs
        if inp["pack"] == PACKS[0]
    ]


def build_inputs(damaged: int, directory: Path) -> list[Input]:
    inputs = [
        *_inputs_cases(),
        *_inputs_examples(),
        *_inputs_synthetic(),
        *_inputs_damaged(damaged),
        *_inputs_extreme(),
    ]
    inputs += _inputs_odd(inputs, directory)
    # Plain JSON, so `compare` reads back exactly what `baseline` checked.
    out: list[Input] = json.loads(json.dumps(inputs, default=str, ensure_ascii=False))
    return out


def report_text(inp: Input) -> str:
    pack = load_pack(inp["pack"])
    try:
        record = validate_record(copy.deepcopy(inp["data"]), inp["name"], pack.enums)
    except InputError as exc:
        return "INVALID\n" + exc.render("en")
    as_of = dt.date.fromisoformat(inp["as_of"]) if inp.get("as_of") else None
    waivers = [
        Waiver(
            rule,
            subject,
            reason,
            None,
            None,
            dt.date.fromisoformat(expires) if expires else None,
            "file",
            f"/waivers/{i}",
        )
        for i, (rule, subject, reason, _date, expires) in enumerate(inp.get("waivers", []))
    ]
    report = check(
        record,
        pack,
        as_of=as_of,
        select=inp.get("select", ()),
        ignore=inp.get("ignore", ()),
        waivers=waivers,
    )
    # The JSON in both languages, and the repr, which also shows what JSON leaves out (quotes,
    # rationales, the finding's Text objects as built).
    return report.to_json("zh") + report.to_json("en") + repr(report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("baseline", "compare"))
    parser.add_argument("--damaged", type=int, default=300, help="Hypothesis records (300)")
    parser.add_argument("--dir", type=Path, default=OUT)
    args = parser.parse_args()
    inputs_file = args.dir / "inputs.json.gz"
    reports_file = args.dir / "reports.json.gz"
    t0 = time.perf_counter()
    if args.mode == "baseline":
        args.dir.mkdir(parents=True, exist_ok=True)
        inputs = build_inputs(args.damaged, args.dir)
        with gzip.open(inputs_file, "wt", encoding="utf-8") as fh:
            json.dump(inputs, fh, ensure_ascii=False)
    else:
        with gzip.open(inputs_file, "rt", encoding="utf-8") as fh:
            inputs = json.load(fh)
    reports = {inp["name"] + f" [{n}]": report_text(inp) for n, inp in enumerate(inputs)}
    errors = sum("status='error'" in r for r in reports.values())
    findings = sum("status='failed'" in r for r in reports.values())
    invalid = sum(r.startswith("INVALID") for r in reports.values())
    print(
        f"{len(reports)} reports ({invalid} invalid records, {findings} with failed rules, "
        f"{errors} with rule errors) in {time.perf_counter() - t0:.1f} s"
    )
    if args.mode == "baseline":
        with gzip.open(reports_file, "wt", encoding="utf-8") as fh:
            json.dump(reports, fh, ensure_ascii=False)
        return 0
    with gzip.open(reports_file, "rt", encoding="utf-8") as fh:
        expected = json.load(fh)
    differ = [name for name in expected if reports.get(name) != expected[name]]
    if set(reports) != set(expected):
        print("the inputs differ from the baseline's")
        return 2
    for name in differ[:5]:
        import difflib

        print(f"--- {name}")
        diff = difflib.unified_diff(
            expected[name].splitlines(), reports[name].splitlines(), lineterm="", n=1
        )
        print("\n".join(list(diff)[:40]))
    print(f"{len(differ)} of {len(expected)} reports differ" if differ else "all reports identical")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
