"""The usual YAML record read straight from libyaml's events, without nodes (docs/performance.md,
issue 13 change 27); everything else is read by composing, in `yaml_text.py`, which words every
problem. `load_yaml` here is the YAML reader `source.py` calls."""

from __future__ import annotations

from typing import Any

import yaml

from .document import SURROGATE, Document, Limits, ProblemList
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


def load_yaml(text: str, name: str, limits: Limits) -> Document:
    if _CLoader is not None and _NON_PRINTABLE.search(text) is None and not _c_diverges(text):
        # The usual record, read without nodes; anything else is read and reported by composing.
        parser = _CLoader(text)
        try:
            return _read_direct(parser, name, limits)
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


def _read_direct(events: Any, name: str, limits: Limits) -> Document:
    """Plain data and positions straight from libyaml's events, without nodes, for the usual
    record: no anchor or alias, plain text keys each given once, no refused value, within the
    limits.

    For such a document it gives exactly what `_compose` and `_build` give: the same values in
    the same order, the same start marks under the same pointers. At the first event of anything
    else it raises `_Fallback` (or libyaml's own error propagates), and `load_yaml` reads the
    text again by composing, which reports every problem as before.
    """
    get_event = events.get_event
    resolve = events.resolve
    get_event()  # stream start
    if events.check_event(yaml.StreamEndEvent):
        raise _Fallback  # an empty stream: rare, and the composing path says what it is
    get_event()  # document start
    marks: dict[str, Any] = {}
    key_marks: dict[str, Any] = {}
    resolved: dict[tuple[str, Any], str] = {}
    max_nodes = limits.max_nodes
    max_depth = limits.max_depth
    nodes = 0
    # Open collections: [container, pointer, flow style, key, key's pointer]. A sequence's key
    # is None; a mapping's is "" until its first key is read, and its key's pointer is None
    # while the next thing read is a key.
    stack: list[list[Any]] = []
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    seq_start, map_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    root: Any = None
    item: Any
    while True:
        event = get_event()
        cls = type(event)
        if cls is scalar_event:
            value = event.value
            if event.anchor is not None:
                raise _Fallback
            if event.style == "" and not value and (not stack or stack[-1][2]):
                raise _Fallback  # `_Diverges` in `_compose`
            nodes += 1
            if nodes > max_nodes:
                raise _Fallback
            tag = event.tag
            if tag is None or tag == "!":
                memo = (value, event.implicit)
                tag = resolved.get(memo)
                if tag is None:
                    tag = resolve(yaml.ScalarNode, value, event.implicit)
                    if tag == _VALUE:
                        tag = _STR
                    resolved[memo] = tag
            mark = event.start_mark
            frame = stack[-1] if stack else None
            if frame is not None and frame[3] is not None and frame[4] is None:  # a key
                if tag != _STR or (event.style == '"' and SURROGATE.search(value)):
                    raise _Fallback
                if value in frame[0]:
                    raise _Fallback  # a duplicate key
                token = value
                if "~" in token or "/" in token:
                    token = token.replace("~", "~0").replace("/", "~1")
                member = f"{frame[1]}/{token}"
                if mark is not None:
                    key_marks[member] = mark
                frame[3] = value
                frame[4] = member
                continue
            if tag == _STR:
                if event.style == '"' and SURROGATE.search(value):
                    raise _Fallback
                item = value
            elif tag == _NULL:
                item = None
            else:
                problems = ProblemList(name)
                node = yaml.ScalarNode(tag, value, mark, None, event.style)
                pointer = "" if frame is None else _child_pointer(frame)
                item = _scalar(_CONSTRUCTOR, node, pointer, problems)  # type: ignore[arg-type]
                if problems.items or problems.dropped:
                    raise _Fallback
            if frame is None:  # the document is one scalar
                if mark is not None:
                    marks[""] = mark
                root = item
                break
            pointer = _child_pointer(frame)
            if mark is not None:
                marks[pointer] = mark
            _put(frame, item)
        elif cls is seq_start or cls is map_start:
            if event.anchor is not None:
                raise _Fallback
            nodes += 1
            if len(stack) + 1 > max_depth:
                raise _Fallback
            sequence = cls is seq_start
            tag = event.tag
            if tag is None or tag == "!":
                kind = yaml.SequenceNode if sequence else yaml.MappingNode
                tag = resolve(kind, None, event.implicit)
            if tag != (_SEQ if sequence else _MAP) or nodes > max_nodes:
                raise _Fallback
            mark = event.start_mark
            frame = stack[-1] if stack else None
            if frame is not None and frame[3] is not None and frame[4] is None:
                raise _Fallback  # a collection as a key
            item = [] if sequence else {}
            if frame is None:
                pointer = ""
                root = item
            else:
                pointer = _child_pointer(frame)
                _put(frame, item)
            if mark is not None:
                marks[pointer] = mark
            stack.append([item, pointer, event.flow_style, None if sequence else "", None])
        elif cls is alias_event or cls not in ends:
            raise _Fallback
        else:  # the end of the innermost open collection
            stack.pop()
            if not stack:
                break
    get_event()  # document end
    if not events.check_event(yaml.StreamEndEvent):
        raise _Fallback
    return Document(name, root, _MarkPositions(marks), _MarkPositions(key_marks))


def _child_pointer(frame: list[Any]) -> str:
    """The pointer of the next value of an open collection."""
    if frame[3] is None:  # a sequence
        return f"{frame[1]}/{len(frame[0])}"
    pointer: str = frame[4]
    return pointer


def _put(frame: list[Any], item: Any) -> None:
    if frame[3] is None:
        frame[0].append(item)
    else:
        frame[0][frame[3]] = item
        frame[4] = None
