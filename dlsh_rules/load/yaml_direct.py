"""The usual YAML record read straight from libyaml's events, without nodes (docs/performance.md,
issue 13 change 27); everything else is read by composing, in `yaml_text.py`, which words every
problem. `load_yaml` here is the YAML reader `source.py` calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from .document import SURROGATE, Document, Limits, Position, ProblemList
from .yaml_block import _Unusual, read_block
from .yaml_text import (
    _MAP,
    _NULL,
    _SEQ,
    _STR,
    _VALUE,
    _c_diverges,
    _CLoader,
    _MarkPositions,
    _scalar,
)
from .yaml_text import load_yaml as load_composed

# Whether `load_yaml` tries the line reader first (`yaml_block`); tests that compare this
# module's event reader with composing switch it off.
BLOCK = True


def load_yaml(text: str, name: str, limits: Limits, *, printable: bool | None = None) -> Document:
    """``printable``: True if the text is known to hold no character YAML's reader refuses
    (source.py scans once for those and the controls it refuses itself)."""
    if (
        _CLoader is not None
        and (printable or _NON_PRINTABLE.search(text) is None)
        and not _c_diverges(text)
    ):
        if BLOCK:
            # The commonest record, read line by line; its positions, when asked for, are
            # those of the same text read from events below.
            try:
                return read_block(text, name, limits, lambda: _from_events(text, name, limits))
            except _Unusual:
                pass
        return _from_events(text, name, limits)
    return load_composed(text, name, limits)


def _from_events(text: str, name: str, limits: Limits) -> Document:
    """The usual record, read without nodes; anything else is read and reported by composing.
    (`load_yaml` has ruled out what libyaml reads differently.)"""
    assert _CLoader is not None
    parser = _CLoader(text)
    try:
        return _read_direct(parser, name, limits, text)
    except (yaml.YAMLError, _Fallback):
        pass
    finally:
        parser.dispose()
    return load_composed(text, name, limits)


class _Fallback(Exception):
    """`_read_direct` met something only the composing path reads or reports."""


# The constructor of the rarer scalars (booleans, numbers) for `_read_direct`; SafeConstructor's
# scalar methods read only the node, so one instance serves every document.
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _read_direct(events: Any, name: str, limits: Limits, text: str | None = None) -> Document:
    """Plain data and positions straight from libyaml's events, without nodes, for the usual
    record: no anchor or alias, plain text keys each given once, no refused value, within the
    limits.

    For such a document it gives exactly what `_compose` and `_build` give: the same values in
    the same order, the same start marks under the same pointers. At the first event of anything
    else it raises `_Fallback` (or libyaml's own error propagates), and `load_yaml` reads the
    text again by composing, which reports every problem as before.

    The marks are only listed here, in the order of the events; their pointers are worked out
    when a position is first asked for (`_EventMarks`). A valid record is seldom asked for one
    (a finding or a refusal asks), and making two pointer strings per value, most never read,
    was a third of this loop (issue 13, batch).

    Given the ``text`` the events are of, it skips reading what the text cannot hold: an anchor
    without a '&', a tag without a '!', a lone surrogate without a '\\u' or '\\U' escape (the
    text was decoded from UTF-8, so only a double-quoted escape can make one). An attribute of a
    Python event object costs about as much as the test that reads it.
    """
    anchors = text is None or "&" in text
    tags = text is None or "!" in text
    surrogates = text is None or "\\u" in text or "\\U" in text
    get_event = events.get_event
    resolve = events.resolve
    get_event()  # stream start
    if events.check_event(yaml.StreamEndEvent):
        raise _Fallback  # an empty stream: rare, and the composing path says what it is
    get_event()  # document start
    marks: list[Any] = []
    mark_of = marks.append
    resolved: dict[tuple[str, Any], str] = {}
    built: dict[tuple[str, str], Any] = {}
    # `resolve` tries the implicit resolvers of a plain scalar's first character (none for
    # most text: Chinese, ids) and else gives the default tag; a quoted scalar gets the default
    # straight away. That answer is given here without the call, when no resolver applies to
    # every character and none to a path (so never for a loader set up otherwise).
    first_chars = events.yaml_implicit_resolvers
    plain_text = (
        events.DEFAULT_SCALAR_TAG
        if None not in first_chars and not events.yaml_path_resolvers
        else None
    )
    collection_tags: dict[tuple[bool, Any], str] = {}
    max_nodes = limits.max_nodes
    max_depth = limits.max_depth
    nodes = 0
    # The open collection (None before the root), whether it is a mapping, whether it is
    # written in flow style, and its key waiting for a value (_KEY while the next scalar read
    # is a key); the same four of each enclosing collection are saved on the stack.
    container: Any = None
    mapping = False
    flow = True  # an empty plain scalar as the whole document goes to the composing path too
    key: Any = _KEY
    stack: list[tuple[Any, bool, bool, Any]] = []
    push, pop = stack.append, stack.pop
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    seq_start, map_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    scalar_node = yaml.ScalarNode
    root: Any = None
    item: Any
    while True:
        event = get_event()
        cls = type(event)
        if cls is scalar_event:
            value = event.value
            if anchors and event.anchor is not None:
                raise _Fallback
            if not value and flow and event.style == "":
                raise _Fallback  # `_Diverges` in `_compose`
            nodes += 1
            if nodes > max_nodes:
                raise _Fallback
            tag = event.tag if tags else None
            if tag is None or tag == "!":
                implicit = event.implicit
                if plain_text and (not implicit[0] or (value and value[0] not in first_chars)):
                    tag = plain_text  # what `resolve` answers: no implicit resolver to try
                else:
                    memo = (value, implicit)
                    tag = resolved.get(memo)
                    if tag is None:
                        tag = resolve(scalar_node, value, implicit)
                        if tag == _VALUE:
                            tag = _STR
                        resolved[memo] = tag
            mark_of(event.start_mark)
            if key is _KEY and mapping:
                if tag != _STR or (surrogates and event.style == '"' and SURROGATE.search(value)):
                    raise _Fallback
                if value in container:
                    raise _Fallback  # a duplicate key
                key = value
                continue
            if tag == _STR:
                if surrogates and event.style == '"' and SURROGATE.search(value):
                    raise _Fallback
                item = value
            elif tag == _NULL:
                item = None
            else:
                # A number, boolean or date: the same text and tag make the same (immutable)
                # value, and a record repeats a few of them (years, counts) many times.
                memo = (tag, value)
                item = built.get(memo, _KEY)
                if item is _KEY:
                    # the pointer and mark are for the problems, and any problem falls back
                    problems = ProblemList(name)
                    node = scalar_node(tag, value, event.start_mark, None, event.style)
                    item = _scalar(_CONSTRUCTOR, node, "", problems)  # type: ignore[arg-type]
                    if problems.items or problems.dropped:
                        raise _Fallback
                    built[memo] = item
            if mapping:
                container[key] = item
                key = _KEY
            elif container is not None:
                container.append(item)
            else:  # the document is one scalar
                root = item
                break
        elif cls is seq_start or cls is map_start:
            if anchors and event.anchor is not None:
                raise _Fallback
            nodes += 1
            if len(stack) >= max_depth:
                raise _Fallback
            sequence = cls is seq_start
            tag = event.tag if tags else None
            if tag is None or tag == "!":
                # no path resolvers: the tag depends on the kind alone
                memo_kind = (sequence, event.implicit)
                tag = collection_tags.get(memo_kind)
                if tag is None:
                    kind = yaml.SequenceNode if sequence else yaml.MappingNode
                    tag = collection_tags[memo_kind] = resolve(kind, None, event.implicit)
            if tag != (_SEQ if sequence else _MAP) or nodes > max_nodes:
                raise _Fallback
            if key is _KEY and mapping:
                raise _Fallback  # a collection as a key
            mark_of(event.start_mark)
            item = [] if sequence else {}
            if mapping:
                container[key] = item
                push((container, True, flow, _KEY))
            elif container is not None:
                container.append(item)
                push((container, False, flow, key))
            else:
                root = item
                push((None, False, True, _KEY))
            container = item
            mapping = not sequence
            flow = event.flow_style
            key = _KEY
        elif cls is alias_event or cls not in ends:
            raise _Fallback
        else:  # the end of the innermost open collection
            container, mapping, flow, key = pop()
            if not stack:
                break
    get_event()  # document end
    if not events.check_event(yaml.StreamEndEvent):
        raise _Fallback
    layout = _EventMarks(root, marks)
    return Document(name, root, _LazyMarkPositions(layout, False), _LazyMarkPositions(layout, True))


class _Key:
    """The state of a mapping whose next scalar is a key (no key read can be this object)."""


_KEY: Any = _Key()


class _EventMarks:
    """The marks of `_read_direct`, in the order of their events, given their pointers on first
    use: a walk of the data in document order meets its values and keys in that order (the
    direct reader reads no alias or merge key, and no key twice), so the n-th value or key met
    owns the n-th mark. The two maps are what `_compose`/`_build` keep (`_MarkPositions`)."""

    # It holds no reference to the two `_LazyMarkPositions` over it (they hold it): a cycle
    # would leave the record's ~3,000 marks to the cyclic collector instead of freeing them
    # with the document (about 1 ms a five-member record in a batch).
    __slots__ = ("_keys", "_marks", "_root", "_values")

    def __init__(self, root: Any, marks: list[Any]) -> None:
        self._root = root
        self._marks: list[Any] | None = marks
        self._values: dict[str, Any] = {}
        self._keys: dict[str, Any] = {}

    def has_any(self, keys: bool) -> bool:
        """Whether the map of keys (or of values) has a position, without laying them out:
        `validate_record` asks (``positions or {}``) of every record."""
        marks = self._marks
        if marks is not None:
            # the first mark is the root's; the second, under a mapping with keys, its first key's
            if not keys:
                if marks[0] is not None:
                    return True
            elif isinstance(self._root, dict) and self._root and marks[1] is not None:
                return True
        self.lay_out()
        return bool(self._keys if keys else self._values)

    def lay_out(self) -> None:
        marks = self._marks
        if marks is None:
            return
        self._marks = None
        values, keys = self._values, self._keys
        walked = iter(marks)
        mark = next(walked)
        if mark is not None:
            values[""] = mark
        root = self._root
        if not isinstance(root, (dict, list)):
            return
        open_: list[tuple[str, Any]] = [("", _children(root))]
        while open_:
            pointer, children = open_[-1]
            for token, child in children:
                member = f"{pointer}/{token}"
                if type(token) is str:
                    mark = next(walked)
                    if mark is not None:
                        keys[member] = mark
                mark = next(walked)
                if mark is not None:
                    values[member] = mark
                if isinstance(child, (dict, list)):
                    open_.append((member, _children(child)))
                    break
            else:
                open_.pop()


def _children(container: dict[str, Any] | list[Any]) -> Iterator[tuple[str | int, Any]]:
    """(reference token, value) of each member: a key escaped as in a pointer, or an index."""
    if isinstance(container, list):
        return enumerate(container)
    return (
        (
            key.replace("~", "~0").replace("/", "~1") if "~" in key or "/" in key else key,
            value,
        )
        for key, value in container.items()
    )


class _LazyMarkPositions(_MarkPositions):
    """`_MarkPositions` over one of the maps of an `_EventMarks`, laid out when first read."""

    __slots__ = ("_is_keys", "_layout")

    def __init__(self, layout: _EventMarks, keys: bool) -> None:
        super().__init__(layout._keys if keys else layout._values)
        self._layout = layout
        self._is_keys = keys

    def __getitem__(self, pointer: str) -> Position:
        self._layout.lay_out()
        return super().__getitem__(pointer)

    def __contains__(self, pointer: object) -> bool:
        self._layout.lay_out()
        return super().__contains__(pointer)

    def __iter__(self) -> Iterator[str]:
        self._layout.lay_out()
        return super().__iter__()

    def __len__(self) -> int:
        self._layout.lay_out()
        return super().__len__()

    def __bool__(self) -> bool:
        return self._layout.has_any(self._is_keys)

    def __repr__(self) -> str:
        self._layout.lay_out()
        return super().__repr__()
