"""Cheaper forms in the rule language (issue 13, session 6) agree with what they replace.

* `query.Ratio` keeps its share as two integers, and `query.share_of` computes the number
  needed without `Fraction`: compared with ``math.ceil(Fraction(n, d) * total)`` on drawn
  shares and totals, and the parsed parts with `Fraction`'s on every way a share is written;
* `compiled.holds_marker` (the text operators' `in` tests) against the search for the
  alternation of the escaped markers that it replaces, on drawn texts and markers with
  characters a pattern treats specially;
* a cached `check` of the example imports neither `fractions` nor `decimal`, and no text
  operator compiles a pattern.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
import test_cache
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cache import EXAMPLE, _cli_check_code, _modules_after

from dlsh_rules.language.compiled import holds_marker
from dlsh_rules.language.query import Ratio, share_of
from dlsh_rules.pack.frozen import Frozen
from dlsh_rules.pack.loader import load_pack


@given(
    st.integers(min_value=1, max_value=400),
    st.integers(min_value=1, max_value=400),
    st.integers(min_value=0, max_value=10_000),
)
@settings(max_examples=600, deadline=None)
def test_share_of_is_the_exact_ceiling(num: int, den: int, total: int) -> None:
    share = Fraction(num, den)
    assert share_of(share.numerator, share.denominator, total) == math.ceil(share * total)
    # unreduced parts give the same number
    assert share_of(num, den, total) == math.ceil(share * total)


def test_share_of_edges() -> None:
    assert share_of(2, 3, 3) == 2  # not 3: exact, no float rounding
    assert share_of(2, 3, 4) == 3
    assert share_of(1, 1, 0) == 0
    assert share_of(1, 3, 1) == 1
    assert share_of(1, 2, 7) == 4


@pytest.mark.parametrize(
    "written", ["2/3", "1/2", 0.5, "0.5", 1, "1", "3/4", 0.1, "10/20", "0.3333", 1 / 3]
)
def test_a_parsed_ratio_keeps_fractions_parts(written: object) -> None:
    ratio = Ratio.parse({"ratio": written, "of": {"set": "members"}})
    share = Fraction(str(written))
    assert (ratio.numerator, ratio.denominator) == (share.numerator, share.denominator)
    assert type(ratio.numerator) is int and type(ratio.denominator) is int
    for total in range(0, 40):
        assert share_of(ratio.numerator, ratio.denominator, total) == math.ceil(share * total)


def test_the_default_packs_ratios_hold_integers() -> None:
    pack = load_pack("provincial-bureau-2024")

    def walk(value: object, seen: set[int]) -> Iterator[object]:
        if id(value) in seen:
            return
        seen.add(id(value))
        yield value
        if isinstance(value, Frozen):
            for field in value.fields().values():
                yield from walk(field, seen)
        elif getattr(value, "_fields", None) is not None:
            for name in value._fields:  # type: ignore[attr-defined]
                yield from walk(getattr(value, name), seen)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from walk(item, seen)

    ratios = [v for v in walk(list(pack.rules), set()) if isinstance(v, Ratio)]
    assert ratios  # the quorum of prep.yaml
    for ratio in ratios:
        assert type(ratio.numerator) is int and type(ratio.denominator) is int


_TEXT = st.text(alphabet=st.sampled_from(list("ab.*+?()[]{}|^$\\整改问题 \n")), max_size=30)


@given(st.lists(_TEXT, min_size=1, max_size=6), st.lists(_TEXT, max_size=8))
@settings(max_examples=800, deadline=None)
def test_holds_marker_is_the_alternations_search(markers: list[str], texts: list[str]) -> None:
    search = re.compile("|".join(map(re.escape, markers))).search
    holds = holds_marker(tuple(markers))
    for text in [*texts, *markers, "".join(markers), ""]:
        assert holds(text) == (search(text) is not None), (markers, text)


def test_a_cached_check_imports_no_fractions_and_compiles_no_marker_pattern(
    cache_home: Path,
) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent)}
    env.pop("DLSH_CACHE_DIR", None)
    code = _cli_check_code(
        ["check", str(EXAMPLE)],
        before="import re\n"
        "compiled = []\n"
        "original = re.compile\n"
        "re.compile = lambda p, *a: (compiled.append(p), original(p, *a))[1]\n",
        after="assert not [p for p in compiled if any(0x4E00 <= ord(c) <= 0x9FFF for c in str(p))], compiled",
    )
    _modules_after(code, env)  # fills the cache
    loaded = _modules_after(code, env)
    assert "dlsh_rules.evaluate.engine" in loaded
    assert not {"fractions", "decimal", "_decimal"} & loaded


cache_home = test_cache.cache_home  # the same fixture: a private cache directory
