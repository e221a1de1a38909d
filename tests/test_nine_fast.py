"""The nine rules' shortcuts of session 6 (issue 13) against the code they stand beside.

- the engine's `Step`: a rule's kind functions, its due's shared bound and its quiet results
  kept per (pack, selection), against `kinds.run` and `DateSpec.resolve` asked every time;
- `pairs._required_of` (the generators' tokens kept in the spec's plan) against
  `pairs_required.all_required`, the reference generator's required pairs;
- `base.plain_values` (used by `relation_pairs` and `delivered`'s reach table) against
  `Path.values`.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path as FilePath
from typing import Any

import pytest
from fastpaths import case_records, report_text, same_report
from strategies import compliant

from dlsh_rules.evaluate import engine
from dlsh_rules.evaluate.context import Context
from dlsh_rules.evaluate.kinds import pairs, pairs_required
from dlsh_rules.evaluate.kinds.base import plain_values
from dlsh_rules.language.paths import Path
from dlsh_rules.pack.loader import Pack, available_packs, load_pack
from dlsh_rules.record.validate import RecordData, validate_record

# The benchmark's nine rules (bench/handwritten.py's), whose path these shortcuts serve.
sys.path.insert(0, str(FilePath(__file__).resolve().parent.parent / "bench"))
from handwritten import RULES as NINE


def _record(pack: Pack, data: dict[str, Any]) -> RecordData | None:
    try:
        return validate_record(copy.deepcopy(data), "r", pack.enums)
    except Exception:  # this pack's enums refuse the generated record
        return None


@contextmanager
def general_steps() -> Iterator[None]:
    """Every check through `run`, every rule's due through `resolve`, no quiet result kept."""
    made = engine.Step.__init__

    def plain(self: engine.Step, rule: Any) -> None:
        made(self, rule)
        self.checks = tuple((spec, None) for spec, _ in self.checks)
        self.due_shared = None

    class Forgetful(dict[int, Any]):
        def get(self, key: int, default: Any = None) -> Any:
            return default

    def forgetful(self: engine.Step, rule: Any) -> None:
        plain(self, rule)
        self.quiet = Forgetful()

    saved = dict(engine._SELECTED)
    engine._SELECTED.clear()
    engine.Step.__init__ = forgetful  # type: ignore[method-assign]
    try:
        yield
    finally:
        engine.Step.__init__ = made  # type: ignore[method-assign]
        engine._SELECTED.clear()
        engine._SELECTED.update(saved)


def _records(pack: Pack) -> Iterator[tuple[RecordData, set[dt.date | None]]]:
    yield from case_records(pack)
    for members in (2, 5, 13):
        record = _record(pack, compliant(members))
        if record is not None:
            yield record, {None, dt.date(2024, 1, 20)}


@pytest.mark.parametrize("name", available_packs())
def test_steps_are_the_general_path(name: str) -> None:
    """Reports with the kept steps are those of `run` and `resolve` asked every time, for
    every case of every pack (findings, waivers, errors) and generated records, with the whole
    pack and with the nine rules selected."""
    pack = load_pack(name)
    ids = {r.id for r in pack.rules}
    nine = tuple(r for r in NINE if r in ids) or None
    compared = 0
    for record, days in _records(pack):
        for as_of in days:
            # () is the whole pack: `report_text` hands None to `check`, which refuses it.
            assert not same_report(record, pack, as_of, general_steps, ()).startswith("check ")
            if nine is not None:
                same_report(record, pack, as_of, general_steps, select=nine)
            compared += 1
    assert compared


def test_a_quiet_result_is_kept_per_count() -> None:
    pack = load_pack("provincial-bureau-2024")
    small = _record(pack, compliant(2))
    large = _record(pack, compliant(5))
    assert small is not None and large is not None
    texts = [report_text(r, pack, None, ()) for r in (small, large, small, large)]
    assert texts[0] == texts[2] and texts[1] == texts[3] and texts[0] != texts[1]


def _pairs_specs(pack: Pack) -> Iterator[Any]:
    for rule in pack.rules:
        for spec in rule.checks:
            if getattr(spec, "kind", None) == "pairs":
                yield spec


def _outcome(make: Any, *args: Any) -> Any:
    try:
        return ("pairs", list(make(*args)))
    except Exception as exc:  # the same exception, with the same text
        return ("raised", f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("name", available_packs())
def test_required_of_is_the_reference(name: str) -> None:
    """The fast path's required pairs, in order, are the reference generator's, on every case
    of the pack and on generated records, each spec in a fresh context and in one shared by
    every spec (so that generators' pairs are read back from their tokens)."""
    pack = load_pack(name)
    compared = 0
    for record, _ in _records(pack):
        shared = Context(record, pack)
        for spec in _pairs_specs(pack):
            _, ordered, _, _, gens = pairs._plan(spec)
            want = _outcome(pairs_required.all_required, Context(record, pack), spec, ordered)
            assert _outcome(pairs._required_of, Context(record, pack), gens, ordered) == want
            assert _outcome(pairs._required_of, shared, gens, ordered) == want
            compared += 1
    assert compared


PATHS = ["to.kind", "supervises.head", "supervises", "head", "participants", "documents.owner"]


def _starts(record: RecordData) -> list[Any]:
    data = record.data
    out: list[Any] = [None, 3, True, "nobody", "", [], ["p1"], {"to": None}, {"to": [None]}]
    out += [{"to": ["o1", None, "nobody", 7, {"kind": "x"}]}, {"head": {"id": "p1"}}]
    out += list(record.index)  # every id
    for key in ("people", "departments", "submissions", "talks", "orgs"):
        out += data.get(key, [])
    return out


@pytest.mark.parametrize("members", [2, 5, 13])
def test_plain_values_is_path_values(members: int) -> None:
    pack = load_pack("provincial-bureau-2024")
    record = _record(pack, compliant(members))
    assert record is not None
    ctx = Context(record, pack)
    for text in PATHS:
        path = Path.parse(text)
        for start in _starts(record):
            want = path.values(ctx, start)
            assert plain_values(record.index, [start], path.segments) == want, (text, start)
