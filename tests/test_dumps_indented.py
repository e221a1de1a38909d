"""`load.perf.dumps_indented` writes exactly what ``json.dumps(…, ensure_ascii=False, indent=2)``
writes, for any JSON-like data and for what it hands back to `json` (other key types, subclasses,
other objects). The JSON, SARIF and batch reports are written with it."""

from __future__ import annotations

import enum
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dlsh_rules.load.perf import dumps_indented

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.sampled_from(["", "\x00\x1f\x7f\x85\u2028\u202e\ud800", '"\\/', "中文"])
)
keys = st.text() | st.sampled_from(["", "a", "\n", '"', "中文"])
data = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=5).map(tuple)
        | st.dictionaries(keys, inner, max_size=5)
    ),
    max_leaves=40,
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=600, deadline=None)
@given(data)
def test_the_same_text_as_json(value: Any) -> None:
    assert dumps_indented(value) == _json(value)


class Level(enum.IntEnum):
    ERROR = 2


class Label(str):
    pass


def test_what_it_hands_to_json_comes_out_as_json_writes_it() -> None:
    for value in (
        {1: "a", None: 2, False: [3], 2.5: 0},
        {"a": Level.ERROR, "b": [Label("x")], "c": {"d": 1.5}},
        {"nested": {"deep": [{"k": (1, 2.0, float("nan"))}]}},
        [[], {}, (), ""],
        -0.0,
    ):
        assert dumps_indented(value) == _json(value)


def test_a_real_report() -> None:
    from dlsh_rules import check
    from dlsh_rules.authoring.synth import compliant_record

    record = compliant_record(3)
    record["talks"] = record["talks"][1:]  # a finding, so the report has findings
    report = check(record)
    for lang in ("zh", "en"):
        assert report.to_json(lang) == _json(report.to_dict(lang)) + "\n"


@settings(max_examples=300, deadline=None)
@given(data, st.sampled_from(["", "    ", "\t", "  x "]))
def test_indented_as_its_text_with_every_line_break_indented(value: Any, indent: str) -> None:
    """With ``indent``, the text of `json` with each line break followed by it (the batch JSON
    nests each record's object so, without a second pass over its text)."""
    assert dumps_indented(value, indent) == _json(value).replace("\n", "\n" + indent)
    handed_back = {"level": [Level.ERROR], "value": value}  # to json.dumps, and indented too
    assert dumps_indented(handed_back, indent) == _json(handed_back).replace("\n", "\n" + indent)
