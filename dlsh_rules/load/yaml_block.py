"""The commonest YAML record — block style, one line per key or item, as `yaml.safe_dump` and
most people write it — read line by line in Python, without libyaml's event objects
(docs/performance.md, issue 13, batch round two).

libyaml parses a five-member record (29 KB, 3,300 events) in about 0.4 ms; making a Python
object and two marks for each of its events takes 1.6 ms more, and `yaml_direct` turning them
into data about 1.5 ms. Here one regular expression splits every line into its indentation, its
dash, its key and its value, and a loop over the lines builds the data. It reads a strict subset
of YAML: anything outside it (flow collections but `[]` and `{}`, anchors, aliases, tags, block
scalars, multi-line scalars, escapes, comments after a value, keys that are not plain
identifiers, a duplicate key, tabs, unusual line breaks…) makes it give up, and the text goes to
`yaml_direct`, which reads or reports it exactly as before. For what it reads it gives the same
data as `yaml_direct` (the same values of the same types in the same order:
`tests/test_yaml_block.py`).

Positions are not worked out here at all: a valid record is seldom asked for one, and when it
is, the text is read again by `yaml_direct` (or by composing), so every position is the one the
other readers give, by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

import yaml

from .document import Document, Limits, Position, ProblemList
from .yaml_text import _NULL, _STR, _VALUE, _CLoader, _Events, _scalar

# One line: indentation, an optional "- ", then either `key:` with an optional value after one
# space, or (after a dash) a value alone. Keys are plain identifiers; anything else in the key
# place makes the line the second form, whose value then fails the tests below.
_LINE = re.compile(r"^( *)(- )?(?:([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?|(.*))$", re.MULTILINE)
# What a plain scalar may not start with (YAML's indicators and blanks); "-" is allowed before
# a letter or digit, as YAML allows it before any character but a blank.
_NOT_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# Characters that make the whole text go elsewhere: a tab (indentation or a blank around an
# indicator), the line breaks libyaml counts besides "\n", and the byte order mark it skips at
# the start of any line.
# (Tested one by one: a substring test scans 29 KB in microseconds, the class in 0.07 ms.)
_REFUSED = "\t\r\x85\u2028\u2029\ufeff"
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# The resolver `yaml_direct` asks (libyaml's loader class, with whatever resolvers it was given).
_LOADER: Any = _CLoader("") if _CLoader is not None else yaml.SafeLoader("")
_RESOLVER = cast("_Events", _LOADER)
_FIRST_CHARS: dict[str | None, Any] = _LOADER.yaml_implicit_resolvers


class _Unusual(Exception):
    """The text is outside what this reader reads; `yaml_direct` reads it."""


def read_block(text: str, name: str, limits: Limits, full: Callable[[], Document]) -> Document:
    """The document of ``text`` if it is in the subset this module reads, else raise
    `_Unusual`. ``full`` reads the same text the usual way; its positions are this document's."""
    data = _read(text, limits)
    # The two maps refer to the reading they share, and it to neither of them: a cycle would
    # leave the document to the cyclic collector instead of reference counting.
    shared = _Positions(full)
    return Document(name, data, _LazyPositions(shared, False), _LazyPositions(shared, True))


def _read(text: str, limits: Limits) -> dict[str, Any]:
    if not text or any(c in text for c in _REFUSED) or _LOADER.yaml_path_resolvers:
        raise _Unusual
    lines = _LINE.findall(text)
    # Every line of the text, and nothing else, is a match (the last one empty when the text
    # ends with a line break: a blank line, read past like any other).
    if len(lines) != text.count("\n") + 1:
        raise _Unusual
    if 3 * len(lines) + 1 > limits.max_nodes:
        raise _Unusual  # a key, an item's mapping and a value a line: let the others count
    # One short of the limit, so that the others decide at the edge; the root and an empty
    # `[]` or `{}` under the deepest collection are then always within it.
    max_depth = limits.max_depth - 1
    if max_depth < 2:
        raise _Unusual
    root: dict[str, Any] = {}
    # Open collections, innermost last: (indent, the collection, whether it is a mapping).
    frames: list[tuple[int, Any, bool]] = [(0, root, True)]
    indent, mapping = 0, True
    container: Any = root
    # A key whose value is on the lines that follow (`key:` alone): its mapping and indent.
    pending: dict[str, Any] | None = None
    pending_key = ""
    pending_indent = 0
    plain = _plain_value
    known, miss, text_keys = _KNOWN, _MISS, _TEXT_KEYS
    # The scalar that ended the line before, as written: a line indented deeper than its
    # collection continues it if it is plain (`yaml.safe_dump` folds long text so).
    last = ""
    for spaces, dash, key, value, item in lines:
        n = len(spaces)
        if not (key or dash):
            if not item or item[0] == "#":
                last = ""  # the end of a scalar, where one was open
                continue  # a blank line, or a comment alone on its line: YAML reads past both
            if last and n > indent:
                # One more line of the scalar: YAML folds the line break into a space.
                if item[0] in _NOT_FIRST or last[0] in "'\"[{":
                    raise _Unusual
                last = f"{last} {item}"
                if mapping:
                    container[next(reversed(container))] = plain(last)
                else:
                    container[-1] = plain(last)
                continue
        if pending is not None:
            if dash and n >= pending_indent:
                # a sequence as the value, indented or (at the key's own column) not
                new: Any = []
                pending[pending_key] = new
                if len(frames) >= max_depth:
                    raise _Unusual
                frames.append((n, new, False))
                indent, container, mapping = n, new, False
                pending = None
            elif not dash and n > pending_indent:
                if not key:
                    raise _Unusual  # a value on the next line: a multi-line scalar
                new = {}
                pending[pending_key] = new
                if len(frames) >= max_depth:
                    raise _Unusual
                frames.append((n, new, True))
                indent, container, mapping = n, new, True
                pending = None
            else:
                pending[pending_key] = None  # `key:` and nothing under it
                pending = None
        if n != indent or mapping == bool(dash):
            # Not the next line of the open collection: close those indented deeper, and a
            # sequence written at its mapping's column (`key:` then `- item` lines) that a
            # line without a dash ends; then the line must continue the collection it reaches.
            while n < indent:
                frames.pop()
                indent, container, mapping = frames[-1]
            if n == indent and not mapping and not dash:
                frames.pop()
                indent, container, mapping = frames[-1]
            if n != indent or mapping == bool(dash):
                raise _Unusual
        if dash:
            if key:
                new = {}
                container.append(new)
                if len(frames) >= max_depth:
                    raise _Unusual
                frames.append((n + 2, new, True))
                indent, container, mapping = n + 2, new, True
            else:
                got = known.get(item, miss)
                container.append(plain(item) if got is miss else got)
                last = item
                continue
        elif not key:
            raise _Unusual  # a value where a key belongs
        if key in container or (key not in text_keys and not _text_key(key)):
            raise _Unusual  # a duplicate key, or one YAML reads as a number, boolean or null
        if value:
            got = known.get(value, miss)
            container[key] = plain(value) if got is miss else got
        else:
            pending, pending_key, pending_indent = container, key, indent
        last = value
    if pending is not None:
        pending[pending_key] = None
    if not root:
        raise _Unusual  # comments alone: no document
    return root


# What the same text on its line always reads as, across documents: keys known to be text,
# and scalars (immutable ones, short enough to recur: ids, kinds, dates, numbers). A record
# repeats most of them, and the next record the same ones.
_TEXT_KEYS: set[str] = set()
_KNOWN: dict[str, Any] = {}
_MISS: Any = object()
_MEMO_MAX = 20_000
_MEMO_TEXT = 64


def _text_key(key: str) -> bool:
    if _resolve(key) != _STR:
        return False
    if len(_TEXT_KEYS) < _MEMO_MAX:
        _TEXT_KEYS.add(key)
    return True


def _resolve(value: str) -> str:
    """The tag `yaml_direct` gives a plain scalar (`resolve`, with `=` read as text)."""
    if value and value[0] not in _FIRST_CHARS and None not in _FIRST_CHARS:
        return _STR
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    return _STR if tag == _VALUE else tag


def _plain_value(value: str) -> Any:
    """The value of a scalar written on its line: plain, or quoted without escapes."""
    item = _scalar_value(value)
    if len(value) <= _MEMO_TEXT and len(_KNOWN) < _MEMO_MAX and value not in ("[]", "{}"):
        _KNOWN[value] = item
    return item


def _scalar_value(value: str) -> Any:
    if not value:
        raise _Unusual  # "- " or "key: " with nothing after the blank
    first = value[0]
    if first == "'":
        found = _SINGLE_QUOTED.fullmatch(value)
        if found is None:
            raise _Unusual
        return found.group(1).replace("''", "'")
    if first == '"':
        if value[-1] != '"' or len(value) < 2 or "\\" in value or '"' in value[1:-1]:
            raise _Unusual
        return value[1:-1]
    if value == "[]":
        return []  # an empty list, as `yaml.safe_dump` writes one (a new one each time)
    if value == "{}":
        return {}
    if (
        (
            first in _NOT_FIRST
            and not (first == "-" and len(value) > 1 and value[1].isalnum() and value[1].isascii())
        )
        or value[-1] in " :"
        or ": " in value
        or " #" in value
    ):
        raise _Unusual
    if first not in _FIRST_CHARS:
        return value
    tag = _resolve(value)
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    problems = ProblemList("")
    item = _scalar(_CONSTRUCTOR, yaml.ScalarNode(tag, value, None, None, ""), "", problems)  # type: ignore[arg-type]
    if problems.items or problems.dropped:
        raise _Unusual
    return item


class _Positions:
    """The positions of a document read here: those of the same text read the usual way, read
    when first asked for."""

    __slots__ = ("_doc", "_full")

    def __init__(self, full: Callable[[], Document]) -> None:
        self._full: Callable[[], Document] | None = full
        self._doc: Document | None = None

    def get(self, keys: bool) -> Mapping[str, Position]:
        if self._doc is None:
            assert self._full is not None
            self._doc = self._full()
            self._full = None
        return self._doc.key_positions if keys else self._doc.positions


class _LazyPositions(Mapping[str, Position]):
    __slots__ = ("_is_keys", "_of")

    def __init__(self, of: _Positions, keys: bool) -> None:
        self._of = of
        self._is_keys = keys

    def __getitem__(self, pointer: str) -> Position:
        return self._of.get(self._is_keys)[pointer]

    def __contains__(self, pointer: object) -> bool:
        return pointer in self._of.get(self._is_keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._of.get(self._is_keys))

    def __len__(self) -> int:
        return len(self._of.get(self._is_keys))

    def __bool__(self) -> bool:
        # The root is a mapping with at least one key (a text without one is not read here),
        # so both maps have a position: the root's, and its first key's.
        return True

    def __repr__(self) -> str:
        return repr(self._of.get(self._is_keys))
