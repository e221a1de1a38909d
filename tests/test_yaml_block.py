"""YAML read line by line (`yaml_block`) gives exactly what the event reader beside it gives
(`yaml_direct`, itself compared with composing in test_yaml_direct.py): the same data (values,
types, key order), the same positions of values and keys (read, when asked, from the same
text), and for anything it does not read, the other readers' own answer.

Each document is loaded twice, with the line reader on and off, and the outcomes are compared:
every YAML file of the project, generated records in several dump styles, thousands of mutations
of them, and documents drawn by Hypothesis from the pieces block YAML is made of (indentation,
dashes, keys YAML reads as other things, scalars of every kind and quoting, and what a plain
scalar may not hold)."""

from __future__ import annotations

from typing import Any

import pytest
import test_yaml_direct
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_yaml_direct import (
    TIGHT,
    _corpus,
    assert_no_cycle,
    checked_compliant,
    mutated,
    read_first,
    record_text,
)

from dlsh_rules.authoring.synth import compliant_record
from dlsh_rules.load import yaml_block, yaml_direct, yaml_text
from dlsh_rules.load.document import Limits
from dlsh_rules.load.source import load_bytes

pytestmark = pytest.mark.skipif(yaml_text._CLoader is None, reason="PyYAML without libyaml")


def _outcome(text: str, limits: Limits, block: bool) -> tuple[Any, ...]:
    saved = yaml_direct.BLOCK
    yaml_direct.BLOCK = block
    try:
        return test_yaml_direct._outcome(text, limits, truths=True)
    finally:
        yaml_direct.BLOCK = saved


def _read_here(text: str, limits: Limits | None = None) -> bool:
    """Whether the line reader reads the text itself (rather than handing it over)."""
    try:
        yaml_block._read(text, limits or Limits())
    except yaml_block._Unusual:
        return False
    return True


def _same(text: str, limits: Limits) -> None:
    assert _outcome(text, limits, True) == _outcome(text, limits, False), text


def test_the_line_reader_reads_the_usual_record() -> None:
    """Else the comparisons below would pass with the line reader never used."""
    for members in (2, 5, 20):
        text = record_text(members)
        assert _read_here(text)
        doc = load_bytes(text.encode(), "r.yaml")
        assert isinstance(doc.positions, yaml_block._LazyPositions)
        _same(text, Limits())


def test_same_as_the_event_reader_on_every_yaml_file_and_generated_record() -> None:
    texts = _corpus()
    for text in texts:
        for limits in (Limits(), *TIGHT, Limits(max_depth=1), Limits(max_depth=2)):
            _same(text, limits)
    assert sum(_read_here(t) for t in texts) >= 4


@pytest.mark.parametrize("seed", range(8))
def test_same_as_the_event_reader_on_mutated_documents(seed: int) -> None:
    read = 0
    for text, limits in mutated(seed, [t for t in _corpus() if _read_here(t)]):
        _same(text, limits)
        read += _read_here(text, limits)
    assert read > 15  # mutations the line reader still reads, not only ones it hands over


# The pieces documents are drawn from: keys (some YAML reads as booleans, numbers or null, some
# repeated), and values of every kind a line can end with.
KEYS = ["a", "b", "id", "name", "_x", "yes", "no", "on", "off", "null", "true", "y", "n", "Null"]
KEYS += ["x1", "1x", "NO", "a b", "中", "a~b", "a/b", "<<", "="]
VALUES = [
    "x", "p1", "王建国", "a b", "a  b", "a:b", "a: b", "a:", "a #b", "a#b", "a #", "#a", "a ",
    " a", "-", "-1", "-x", "- x", "-.5", "--", "+1", "0", "00", "012", "0x1F", "0o17", "1_000",
    "1e3", "1e400", ".inf", "-.inf", ".nan", ".5", "1.", "6", "12345678901234567890", "1:30",
    "2024-01-02", "2024-1-2", "2024-02-30", "2024-01-02 10:00:00", "2024-01-02T10:00:00Z",
    "true", "True", "TRUE", "yes", "No", "on", "off", "y", "n", "~", "null", "Null", "NULL",
    "=", "<<", "<", "a<<", "[]", "{}", "[ ]", "[a]", "{a: 1}", "[a, ]", "'x'", "'it''s'",
    "'a' b", "''", "'", "'a", "' a '", "'#'", "'a: b'", "'2024-01-02'", "'1'", "'true'",
    '"x"', '""', '"a\\"b"', '"\\u00e9"', '"a"b"', '"a', '"2024-01-02"', "&a x", "*a", "!!str 1",
    "!x y", "|", ">", "|-", "%x", "@x", "`x", "?x", "? x", ":x", ",x", "x,y", "x]", "x}", "a!",
    "a&b", "a*b", "a%", "a@b", "http://x", "a\\b", "é", "\u3000x", "x\u3000", "\xa0", "\u00a0x",
]  # fmt: skip
GOOD_KEYS = ["a", "b", "id", "name", "_x", "x1", "role"]
GOOD_VALUES = ["x", "p1", "王建国", "a b", "6", "-1", "'2024-01-02'", "2024-01-02", "true", "[]"]
GOOD_VALUES += [
    "三是对移民安置遗留问题攻坚力度不够，有的问题久拖未决；",
    "根源在于 政治站位不够高",
    "1",
    "yes",
]
ODD_LINES = ["", "# c", "  # c", "-", "- ", "---", "...", "a:  b", "a :b", "- - x", "a: b # c"]
ODD_LINES += ["a:\tb", "a: b\r", "a: |\n  x", "a: >\n  x\n  y", "  b", "a: 'x\n  y'"]
ODD_LINES += ["a: x\n  y", "\ufeffa: 1", "a: \x85", "- a: 1\n  - b", "a: [x, y]", "? a"]


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Block YAML as a person or `yaml.safe_dump` writes it (mappings, sequences indented or
    at their key's column, items that are mappings), with any piece now and then out of place:
    keys YAML reads as other things, odd scalars, odd lines, a line moved."""
    odd = draw(st.integers(0, 3))  # how often a piece is drawn from the odd ones

    def key() -> str:
        return draw(st.sampled_from(KEYS if draw(st.integers(0, 9)) < odd else GOOD_KEYS))

    def scalar() -> str:
        return draw(st.sampled_from(VALUES if draw(st.integers(0, 9)) < odd else GOOD_VALUES))

    lines: list[str] = []

    def mapping(indent: int, depth: int, first: str | None = None) -> None:
        for i in range(draw(st.integers(1, 4))):
            pad = first if i == 0 and first is not None else " " * indent
            shape = draw(st.sampled_from(["scalar", "scalar", "map", "seq", "empty"]))
            if depth >= 4:
                shape = "scalar"
            if shape == "scalar":
                lines.append(f"{pad}{key()}: {scalar()}")
                folded(indent)
            elif shape == "empty":
                lines.append(f"{pad}{key()}:")
            elif shape == "map":
                lines.append(f"{pad}{key()}:")
                mapping(indent + draw(st.sampled_from([2, 2, 1, 4])), depth + 1)
            else:
                lines.append(f"{pad}{key()}:")
                sequence(indent + draw(st.sampled_from([0, 0, 2])), depth + 1)

    def sequence(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 4))):
            if depth < 4 and draw(st.booleans()):
                mapping(indent + 2, depth + 1, first=" " * indent + "- ")
            else:
                lines.append(" " * indent + "- " + scalar())
                folded(indent)

    def folded(indent: int) -> None:
        """Lines that continue a scalar (long text `yaml.safe_dump` folds), now and then."""
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
            lines.append(" " * (indent + draw(st.sampled_from([1, 2, 2, 4, 0]))) + scalar())

    mapping(0, 0)
    for _ in range(draw(st.integers(0, 2)) if odd else 0):
        at = draw(st.integers(0, len(lines)))
        if draw(st.booleans()):
            lines.insert(at, draw(st.sampled_from(ODD_LINES)))
        elif at < len(lines):
            lines[at] = " " * draw(st.sampled_from([0, 1, 2, 4])) + lines[at].lstrip(" ")
    end = draw(st.sampled_from(["\n", "\n", "\n", "", "\n\n", "\n# end\n"]))
    return "\n".join(lines) + end


@settings(max_examples=600, deadline=None)
@given(documents(), st.sampled_from([Limits(), Limits(), Limits(max_depth=2), TIGHT[1]]))
def test_same_as_the_event_reader_on_drawn_documents(text: str, limits: Limits) -> None:
    _same(text, limits)


def test_drawn_documents_are_often_read_here() -> None:
    """The strategy above must give the line reader documents it reads, or it tests nothing."""
    read = 0

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(documents())
    def count(text: str) -> None:
        nonlocal read
        read += _read_here(text)

    count()
    assert read > 25  # 54 of the 300 derandomised draws when written


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n",
        "a:\n- 1\n- b\nc: d\n",
        "a:\n  - x\n  - y\nb:\n  c: 1\n  d:\n  e: []\nf: {}\n",
        "a:\n- b: 1\n  c:\n  - d\n  e: 2\n- f: 3\ng:\n",
        "people:\n- id: p1\n  supervises:\n  - d1\n- id: h1\n  name: '王'\n",
        "a: 'it''s'\nb: \"q\"\nc: ''\nd: -1\ne: 2024-01-02\nf: yes\ng: ~\nh: =\n",
        "a: x\nb: 1e400\n",
        "a: 2024-13-01\nb: 0x1F\n",
    ],
)
def test_same_on_the_shapes_a_record_is_made_of(text: str) -> None:
    for limits in (Limits(), Limits(max_depth=2), Limits(max_depth=3), Limits(max_nodes=5)):
        _same(text, limits)


@pytest.mark.parametrize("first", ["getitem", "get", "contains", "len", "iter", "repr", "eq"])
def test_positions_read_on_first_use_whatever_asks(first: str) -> None:
    text = record_text(3)
    reference = _outcome(text, Limits(), False)
    pointers = [*reference[2], "/nowhere", "/people/99"]
    for index, attr in ((2, "positions"), (3, "key_positions")):
        expected = reference[index]
        doc = yaml_direct.load_yaml(text, "doc.yaml", Limits())
        marks = getattr(doc, attr)
        assert isinstance(marks, yaml_block._LazyPositions)
        read_first(first, marks, expected, pointers)


def test_a_valid_record_is_checked_without_reading_positions() -> None:
    """A valid, compliant record never asks for a position; reading them costs a second parse."""
    positions = checked_compliant(yaml_block._LazyPositions)
    assert positions._of._doc is None  # not read


def test_a_finding_points_where_the_event_reader_points() -> None:
    """A record with findings and refusals: the report (with every line:column) is the same."""
    from dlsh_rules import check, load_pack

    record = compliant_record(5)
    record["talks"][0]["date"] = "2030-01-01"
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    assert _read_here(text)
    pack = load_pack()
    reports = []
    for block in (True, False):
        yaml_direct.BLOCK = block
        try:
            reports.append(check(load_bytes(text.encode(), "r.yaml"), pack).to_json("en"))
        finally:
            yaml_direct.BLOCK = True
    assert reports[0] == reports[1]
    assert '"line"' in reports[0]


@pytest.mark.parametrize("read_positions", [False, True])
def test_a_record_read_here_leaves_no_cycle_for_the_collector(read_positions: bool) -> None:
    assert_no_cycle(yaml_block._LazyPositions, read_positions)
