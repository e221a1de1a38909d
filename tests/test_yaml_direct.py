"""YAML read straight from libyaml's events (`yaml_direct._read_direct`) gives exactly what the
composing path gives: the same data (values, types, key order), the same positions of values and
keys, and for anything it does not read, the composing path's own answer (it falls back).

Each document is loaded twice, once as `load_yaml` does it and once with the direct reader
switched off, and the outcomes are compared; the documents are every YAML file of the project,
generated records in several dump styles, and thousands of mutations of them that put in what
the direct reader must hand over (anchors, aliases, tags, duplicate and non-text keys, refused
scalars, empty flow values, documents past the limits…)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from dlsh_rules.authoring.synth import compliant_record
from dlsh_rules.errors import InputError
from dlsh_rules.load import yaml_direct, yaml_text
from dlsh_rules.load.document import Limits
from dlsh_rules.load.source import load_bytes

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(yaml_text._CLoader is None, reason="PyYAML without libyaml")


@pytest.fixture(autouse=True)
def _no_line_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are of the event reader; the line reader in front of it, which hands it
    every document it does not read, has its own (test_yaml_block.py)."""
    monkeypatch.setattr(yaml_direct, "BLOCK", False)


def _outcome(text: str, limits: Limits, truths: bool = False) -> tuple[Any, ...]:
    """What reading ``text`` gives: its data, positions and key positions (``truths``: and
    whether each map is non-empty, asked after laying them out), or its error."""
    try:
        doc = yaml_direct.load_yaml(text, "doc.yaml", limits)
    except InputError as exc:
        return ("error", repr(exc.problems))
    except yaml.YAMLError as exc:  # neither path should let one out, but compare it if so
        return ("yaml error", str(exc))
    return (
        "ok",
        repr(doc.data),
        {k: doc.positions[k] for k in doc.positions},
        {k: doc.key_positions[k] for k in doc.key_positions},
        *((bool(doc.positions), bool(doc.key_positions)) if truths else ()),
    )


def _composed(monkeypatch: pytest.MonkeyPatch, text: str, limits: Limits) -> tuple[Any, ...]:
    def fall_back(*_args: Any) -> Any:
        raise yaml_direct._Fallback

    with monkeypatch.context() as m:
        m.setattr(yaml_direct, "_read_direct", fall_back)
        return _outcome(text, limits)


@cache
def _corpus() -> tuple[str, ...]:
    """Every YAML file of the project and generated records in several dump styles (read and
    dumped once a session: both this file and test_yaml_block.py walk it in many tests)."""
    texts = []
    for pattern in ("rules/**/*.yaml", "docs/**/*.yaml", "tests/**/*.yaml", "tests/**/*.yml"):
        for path in sorted(ROOT.glob(pattern)):
            texts.append(path.read_text(encoding="utf-8"))
    for members, style in ((2, None), (3, False), (4, True), (5, None)):
        record = compliant_record(members)
        texts.append(yaml.safe_dump(record, allow_unicode=True, sort_keys=False))
        texts.append(
            yaml.safe_dump(record, allow_unicode=style is None, default_flow_style=style, width=60)
        )
        texts.append(yaml.safe_dump(record, explicit_start=True, default_style='"'))
    return tuple(texts)


def record_text(members: int) -> str:
    """The compliant record of ``members`` as `yaml.safe_dump` writes a record."""
    return yaml.safe_dump(compliant_record(members), allow_unicode=True, sort_keys=False)


# What the direct reader must hand to the composing path, or read the same way.
SNIPPETS = [
    "a: &x 1",
    "b: *x",
    "c: &y {p: 1}",
    "d: *y",
    "<<: *y",
    "e: !!str 12",
    "f: !!int '12'",
    "g: !custom x",
    "h: !!binary aGk=",
    "? k",
    "1: one",
    "null: nothing",
    "true: yes",
    "2024-01-01: a date as key",
    '"a/b~c": slash',
    "a~b: tilde",
    "i: yes",
    "j: 1e400",
    "k: .inf",
    "l: 0x1F",
    "m: 2024-02-30",
    "n: 2024-01-01 10:00:00",
    "o: 2024-1-2",
    "p: ~",
    "q: =",
    'r: "\\ud800"',
    '"\\ud800": key',
    "s: [a, ]",
    "t: {u: }",
    "v: []",
    "w: {}",
    "x: [[[[[[[[1]]]]]]]]",
    "y: -",
    "z: '  '",
    "aa: |",
    "ab: >-",
    "ac: 12345678901234567890123",
    "ad: 0o17",
    "ae: +1_000",
    "af: 1:30",
    "---",
    "...",
    "%YAML 1.1",
    'ag: "\\x85 \\u2028"',
    "ah: 'it''s'",
    "[x]: 1",
    "{x: 1}: 2",
]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines) + 1)
        how = rng.random()
        if how < 0.5:
            indent = ""
            if at < len(lines):
                line = lines[at]
                indent = line[: len(line) - len(line.lstrip(" -"))].replace("-", " ")
            lines.insert(at, indent + rng.choice(SNIPPETS))
        elif how < 0.7 and lines:
            lines.insert(at, lines[min(at, len(lines) - 1)])  # a duplicate key or item
        elif how < 0.85 and at < len(lines):
            del lines[at]
        elif at < len(lines) and lines[at]:
            line = lines[at]
            cut = rng.randrange(len(line))
            lines[at] = (
                line[:cut] + rng.choice(["#", ": ", "'", '"', "*x", "&z ", "  "]) + line[cut:]
            )
    return "\n".join(lines)


TIGHT = [Limits(max_depth=4), Limits(max_nodes=50), Limits(max_depth=3, max_nodes=200)]


def mutated(seed: int, corpus: Sequence[str], count: int = 300) -> Iterator[tuple[str, Limits]]:
    """``count`` mutations of documents of ``corpus``, each with the limits to read it under
    (mostly none), drawn from ``random.Random(seed)``: the same for a seed, run after run."""
    rng = random.Random(seed)
    for _ in range(count):
        text = _mutate(rng.choice(corpus), rng)
        yield text, rng.choice([Limits(), Limits(), Limits(), *TIGHT])


def test_the_direct_reader_reads_the_usual_record() -> None:
    """Else the comparisons below would pass with the direct reader never used."""
    text = (ROOT / "docs/examples/bureau-2024.yaml").read_text(encoding="utf-8")
    events = yaml.CSafeLoader(text)
    try:
        doc = yaml_direct._read_direct(events, "doc.yaml", Limits())
    finally:
        events.dispose()
    assert doc.data == load_bytes(text.encode(), "doc.yaml").data


def test_same_as_composing_on_every_yaml_file_and_generated_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for text in _corpus():
        for limits in (Limits(), *TIGHT):
            assert _outcome(text, limits) == _composed(monkeypatch, text, limits)


@pytest.mark.parametrize("seed", range(8))
def test_same_as_composing_on_mutated_documents(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    for text, limits in mutated(seed, _corpus()):
        assert _outcome(text, limits) == _composed(monkeypatch, text, limits), text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a\tb",
        "? x",
        "\ufeffa: 1",
        "%YAML 1.1\n---\na: 1",
        "a: 50%",
        "a: |-2 # c\n  x",
        "a: >#",
        "a: '#'",
        "a: x # comment",
        "a: b|#",
        "x\n%",
    ],
)
def test_the_divergence_test_is_the_pattern(text: str) -> None:
    assert yaml_text._c_diverges(text) == bool(yaml_text._C_DIVERGES.search(text))


def _direct(text: str, limits: Limits, *, given_text: bool) -> tuple[Any, ...]:
    events = yaml.CSafeLoader(text)
    try:
        doc = yaml_direct._read_direct(events, "doc.yaml", limits, text if given_text else None)
    except (yaml.YAMLError, yaml_direct._Fallback) as exc:
        return ("fallback", type(exc).__name__)
    finally:
        events.dispose()
    return (
        "ok",
        repr(doc.data),
        {k: doc.positions[k] for k in doc.positions},
        {k: doc.key_positions[k] for k in doc.key_positions},
    )


@pytest.mark.parametrize("seed", range(3))
def test_what_the_text_cannot_hold_is_not_read(seed: int) -> None:
    """Given the text, the direct reader skips the anchor, tag and surrogate tests the text
    rules out ('&', '!', '\\u'); it must read or hand over each document as without the text."""
    rng = random.Random(seed)
    corpus = _corpus()
    texts = corpus if seed == 0 else [_mutate(rng.choice(corpus), rng) for _ in range(300)]
    for text in texts:
        limits = rng.choice([Limits(), Limits(), *TIGHT])
        given = _direct(text, limits, given_text=True)
        assert given == _direct(text, limits, given_text=False), text
    assert any(_direct(t, Limits(), given_text=True)[0] == "ok" for t in texts)


@pytest.mark.parametrize("first", ["getitem", "get", "contains", "len", "iter", "repr"])
def test_positions_laid_out_on_first_use_whatever_asks(
    monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    """The direct reader's positions are laid out from the marks when first read; every way of
    reading a position map lays them out, and then gives what the composing path gives."""
    text = (ROOT / "docs/examples/bureau-2024.yaml").read_text(encoding="utf-8")
    composed = _composed(monkeypatch, text, Limits())
    pointers = [*composed[2], "/nowhere", "/people/99"]
    for attr, expected in (("positions", composed[2]), ("key_positions", composed[3])):
        doc = yaml_direct.load_yaml(text, "doc.yaml", Limits())
        marks = getattr(doc, attr)
        assert isinstance(marks, yaml_direct._LazyMarkPositions)
        read_first(first, marks, expected, pointers)


def read_first(first: str, marks: Any, expected: dict[str, Any], pointers: list[str]) -> None:
    """A lazy position map read first by ``first``, then in full: as ``expected`` both times.
    (Also `test_yaml_block`'s, whose reader's positions are made on first use too.)"""
    if first == "getitem":
        some = next(iter(expected))
        assert marks[some] == expected[some]
        with pytest.raises(KeyError):
            marks["/nowhere"]
    elif first == "get":
        assert [marks.get(p) for p in pointers] == [expected.get(p) for p in pointers]
    elif first == "contains":
        assert [p in marks for p in pointers] == [p in expected for p in pointers]
    elif first == "len":
        assert len(marks) == len(expected)
    elif first == "iter":  # in document order, where composing keeps another
        assert sorted(marks) == sorted(expected)
    elif first == "eq":
        assert marks == expected
    else:
        assert repr(marks) == f"<{len(expected)} positions>"
    assert {k: marks[k] for k in marks} == expected


def test_positions_of_a_scalar_document_and_escaped_keys() -> None:
    """The lay-out walk's corners: a document that is one scalar, keys that need escaping in a
    pointer, empty collections, and nested sequences."""
    for text in ("just text\n", "a/b: {c~d: [[1, []], {}]}\n'~': x\n"):
        events = yaml.CSafeLoader(text)
        try:
            doc = yaml_direct._read_direct(events, "doc.yaml", Limits(), text)
        finally:
            events.dispose()
        reference = yaml_text.load_yaml(text, "doc.yaml", Limits())
        assert doc.data == reference.data
        assert dict(doc.positions) == dict(reference.positions)
        assert dict(doc.key_positions) == dict(reference.key_positions)


@pytest.mark.parametrize(
    "text", ["just text\n", "{}\n", "[]\n", "[1, [2]]\n", "- a: 1\n", "a: 1\n", "a: {}\n"]
)
def test_truth_of_the_position_maps_is_their_lay_out(text: str) -> None:
    events = yaml.CSafeLoader(text)
    try:
        doc = yaml_direct._read_direct(events, "doc.yaml", Limits(), text)
    finally:
        events.dispose()
    reference = yaml_text.load_yaml(text, "doc.yaml", Limits())
    assert bool(doc.positions) == bool(dict(reference.positions))
    assert bool(doc.key_positions) == bool(dict(reference.key_positions))
    assert (bool(doc.positions), bool(doc.key_positions)) == (
        len(doc.positions) > 0,
        len(doc.key_positions) > 0,
    )


def checked_compliant(lazy: type[Any]) -> Any:
    """The compliant record of 5 read (its positions a ``lazy`` map) and checked compliant with
    the default pack, as `check` does it: the position maps, for the caller to see untouched."""
    from dlsh_rules.pack.loader import DEFAULT_PACK, load_pack
    from dlsh_rules.record.validate import load_record
    from dlsh_rules.report.waivers import check_record

    doc = load_bytes(record_text(5).encode(), "r.yaml")
    assert isinstance(doc.positions, lazy)
    pack = load_pack(DEFAULT_PACK)
    report = check_record(load_record(doc, pack.enums), pack)
    assert report.summary.compliant
    return doc.positions


def test_a_valid_record_is_checked_without_laying_out_positions() -> None:
    """Laying out costs as much as reading the marks did; a valid, compliant record never asks
    for a position, and `validate_record`'s ``positions or {}`` must not lay them out."""
    positions = checked_compliant(yaml_direct._LazyMarkPositions)
    assert positions._layout._marks is not None  # not laid out


def assert_no_cycle(lazy: type[Any], read_positions: bool) -> None:
    """The compliant record of 5, read (its positions a ``lazy`` map, read or not) and checked,
    is freed by reference counting alone: nothing is left to the cyclic collector."""
    import gc

    from dlsh_rules import check, load_pack

    pack = load_pack()
    text = record_text(5)
    check(load_bytes(text.encode(), "r.yaml"), pack)  # first-use caches out of the way
    gc.collect()
    gc.disable()
    try:
        doc = load_bytes(text.encode(), "r.yaml")
        assert isinstance(doc.positions, lazy)
        if read_positions:
            assert doc.positions["/meeting/date"].line > 1
        assert check(doc, pack).summary.compliant
        del doc
        assert gc.collect() == 0
    finally:
        gc.enable()


@pytest.mark.parametrize("lay_out", [False, True])
def test_a_record_read_and_checked_leaves_no_cycle_for_the_collector(lay_out: bool) -> None:
    """A document's marks are freed with it by reference counting: the lazy position maps and
    their layout once made a cycle that left ~3,000 marks a record to the cyclic collector."""
    assert_no_cycle(yaml_direct._LazyMarkPositions, lay_out)


_FIRSTS = "".join(k for k in yaml.CSafeLoader.yaml_implicit_resolvers if k) + "a中p_x 'é\\"


@pytest.mark.parametrize("quote", ["", "'", '"'])
def test_tags_given_without_resolve_are_resolves(
    monkeypatch: pytest.MonkeyPatch, quote: str
) -> None:
    """A plain scalar whose first character no implicit resolver starts with, and any quoted
    one, get the default tag without `resolve`; the others go to `resolve`. Values starting with
    every character a resolver knows, and some it does not, read as composing reads them."""
    tails = ["", "1", "0", ".5", "rue", "ull", "es", "2024-01-02", "=", "x y", "~"]
    lines = []
    for i, first in enumerate(_FIRSTS):
        for j, tail in enumerate(tails):
            value = (first + tail).strip() or "v"
            if quote == '"':
                value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            elif quote == "'":
                value = "'" + value.replace("'", "''") + "'"
            lines.append(f"k{i}_{j}: {value}")
    for line in lines:
        for text in (line + "\n", "- " + line.split(": ", 1)[1] + "\n"):
            assert _outcome(text, Limits()) == _composed(monkeypatch, text, Limits()), text
