"""YAML is read with ``yaml.SafeLoader``'s scanner, parser and resolver only; nodes are composed
and turned into plain data here, without recursion, so that depth, alias expansion and node
count are checked before any work grows with them. When PyYAML has libyaml, its C parser makes
the events (about 20 times faster than the Python one, with the same lines and columns); any
document it refuses is read again with the Python parser, so that every error is reported in
the same words as without libyaml. Choices made for YAML:

- Merge keys (``<<: *base``) are refused (code ``merge_key``): a record should say each value
  where it applies, and expanding merges would hide where a value came from.
- Anchors may not be redefined (as in PyYAML) and an alias may not point into the node that
  contains it (code ``alias``).
- Scalars resolve as in ``yaml.safe_load`` (YAML 1.1: ``yes``/``no`` are booleans), except that
  dates become ISO ``YYYY-MM-DD`` strings, an impossible date is kept as the text written, and a
  timestamp with a time is refused (the record format has dates only)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, cast

import yaml

from ..errors import Found, InputError, Text, Value, describe
from .document import (
    EXPECT_DATE,
    EXPECT_FINITE,
    EXPECT_NO_MERGE,
    EXPECT_NUMBER_SIZE,
    EXPECT_ONE_DOCUMENT,
    EXPECT_PLAIN_TAG,
    EXPECT_PRINTABLE,
    EXPECT_STRING_KEY,
    EXPECT_UNICODE,
    EXPECT_UNIQUE_KEY,
    EXPECT_YAML,
    MAX_INT_DIGITS,
    SURROGATE,
    Document,
    Limits,
    Position,
    ProblemList,
    expect_depth,
    expect_nodes,
    fail_input,
    pointer_join,
    text_position,
)
from .wording import (
    FULL_WIDTH_COLON,
    deeper_than,
    full_width_colon,
    key_again,
    lone_surrogate,
    more_values,
    yaml_syntax,
)

if TYPE_CHECKING:
    from yaml.error import Mark


# YAML

_YAML = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP = (
    _YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_SEQ, _MAP, _MERGE, _VALUE = (_YAML + t for t in ("seq", "map", "merge", "value"))
_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP})
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\Z")
_KEY_KINDS = {
    _INT: "number",
    _FLOAT: "number",
    _BOOL: "boolean",
    _NULL: "null",
    _TIMESTAMP: "date",
}
_KEY_KINDS_ZH = {_INT: "数值", _FLOAT: "数值", _BOOL: "布尔值", _NULL: "空值", _TIMESTAMP: "日期"}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


class _Events(Protocol):
    """The typed slice of ``yaml.SafeLoader`` used here (its stubs leave these untyped)."""

    def get_event(self) -> yaml.Event: ...
    def check_event(self, *choices: type[yaml.Event]) -> bool: ...
    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str: ...


def _node_mark(mark: object) -> Mark | None:
    # The stubs type node marks as yaml.error.Mark; libyaml's parser makes yaml._yaml.Mark, which
    # has the same line and column (counted in characters), and only those are read here.
    return cast("Mark | None", mark)


def _mark(mark: Any) -> Position | None:
    if mark is None:
        return None
    return Position(int(mark.line) + 1, int(mark.column) + 1)


class _AliasNode(yaml.Node):
    """An alias in the composed graph; kept apart so its own position is known."""

    id = "alias"

    def __init__(self, target: yaml.Node, start_mark: Any, end_mark: Any) -> None:
        super().__init__(target.tag, target, start_mark, end_mark)


class _Anchored(Value):
    __slots__ = ("aliases", "chars", "height", "node", "size")
    node: yaml.Node
    size: int  # nodes once aliases are expanded
    aliases: int  # alias dereferences once aliases are expanded
    height: int  # collection nesting levels
    chars: int  # scalar text once aliases are expanded

    def __init__(self, node: yaml.Node, size: int, aliases: int, height: int, chars: int) -> None:
        self.node = node
        self.size = size
        self.aliases = aliases
        self.height = height
        self.chars = chars


class _Open(Value):
    __slots__ = ("aliases", "anchor", "chars", "height", "key", "node", "sequence", "size")
    node: yaml.SequenceNode | yaml.MappingNode
    anchor: str | None
    sequence: bool  # node is a SequenceNode
    size: int
    aliases: int
    height: int  # of the deepest child
    chars: int
    key: yaml.Node | None

    def __init__(
        self,
        node: yaml.SequenceNode | yaml.MappingNode,
        anchor: str | None,
        sequence: bool,
        size: int = 1,
        aliases: int = 0,
        height: int = 0,
        chars: int = 0,
        key: yaml.Node | None = None,
    ) -> None:
        self.node = node
        self.anchor = anchor
        self.sequence = sequence
        self.size = size
        self.aliases = aliases
        self.height = height
        self.chars = chars
        self.key = key


def _compose(loader: _Events, name: str, limits: Limits) -> yaml.Node | None:
    """Compose the single document of the stream into nodes, without recursion.

    PyYAML's own composer recurses once per nesting level and lets an alias share its node,
    so neither depth nor expanded size is known until too late. Here every limit is checked
    at the event that would break it, with the expanded size of each anchor kept alongside.
    """
    events = loader
    events.get_event()  # stream start
    if events.check_event(yaml.StreamEndEvent):
        return None
    events.get_event()  # document start
    anchors: dict[str, _Anchored] = {}
    open_anchors: set[str] = set()
    stack: list[_Open] = []
    nodes = 0
    aliases = 0
    chars = 0  # of scalar text, aliases expanded
    resolved: dict[tuple[str, Any], str] = {}

    def fail(code: str, expected: Text, found: Found, mark: Any) -> InputError:
        return fail_input(name, code, "", expected, found, _mark(mark))

    def check_anchor(anchor: str | None, mark: Any) -> None:
        if anchor is not None and (anchor in anchors or anchor in open_anchors):
            raise fail(
                "alias",
                Text(zh="不重复的锚点名", en="each anchor name defined once"),
                Text(f"锚点 &{anchor} 再次定义", f"anchor &{anchor} defined again"),
                mark,
            )

    while True:
        event = events.get_event()
        node: yaml.Node
        if isinstance(event, yaml.ScalarEvent):  # most events: tested first
            value = event.value
            if event.style == "" and not value and (not stack or stack[-1].node.flow_style):
                # libyaml (plain style "", PyYAML's is None) puts an empty value in a flow
                # collection, or a document's only one, a token later than PyYAML.
                raise _Diverges
            nodes += 1
            if event.anchor is not None:
                check_anchor(event.anchor, event.start_mark)
            tag = event.tag
            if tag is None or tag == "!":
                # The resolver's answer depends on the text and `implicit` alone, and records
                # repeat the same ids, dates and booleans many times.
                memo = (value, event.implicit)
                tag = resolved.get(memo)
                if tag is None:
                    tag = events.resolve(yaml.ScalarNode, value, event.implicit)
                    # A lone plain '=' resolves to the YAML 1.1 'value' tag, which SafeLoader
                    # cannot construct; as text it is harmless.
                    if tag == _VALUE:
                        tag = _STR
                    resolved[memo] = tag
            # Only start marks are read (positions); end marks are not kept.
            node = yaml.ScalarNode(tag, value, _node_mark(event.start_mark), None, event.style)
            size, expansions, height, length = 1, 0, 0, len(value)
            chars += length
            if event.anchor is not None:
                anchors[event.anchor] = _Anchored(node, 1, 0, 0, length)
        elif isinstance(event, yaml.AliasEvent):
            anchor = event.anchor or ""
            target = anchors.get(anchor)
            if target is None:
                if anchor in open_anchors:
                    expected = Text(
                        zh="不引用其所在节点的别名", en="an alias outside the node it names"
                    )
                    raise fail(
                        "alias",
                        expected,
                        Text(
                            f"别名 *{anchor} 在 &{anchor} 之内", f"alias *{anchor} inside &{anchor}"
                        ),
                        event.start_mark,
                    )
                expected = Text(zh="此前已定义的锚点", en="an anchor defined earlier")
                raise fail(
                    "alias",
                    expected,
                    Text(f"未定义的别名 *{anchor}", f"undefined alias *{anchor}"),
                    event.start_mark,
                )
            aliases += 1 + target.aliases
            if aliases > limits.max_alias_expansions:
                raise fail(
                    "alias_bomb",
                    Text(
                        zh=f"别名展开不超过 {limits.max_alias_expansions} 次",
                        en=f"at most {limits.max_alias_expansions} alias expansions",
                    ),
                    Text(
                        f"在 *{anchor} 处别名展开超过 {limits.max_alias_expansions} 次",
                        f"more than {limits.max_alias_expansions} alias expansions at *{anchor}",
                    ),
                    event.start_mark,
                )
            nodes += target.size
            chars += target.chars
            if chars > limits.max_expanded_chars:
                raise fail(
                    "alias_bomb",
                    Text(
                        zh=f"别名展开后的文本不超过 {limits.max_expanded_chars} 个字符",
                        en=f"at most {limits.max_expanded_chars} characters of text once aliases are expanded",
                    ),
                    Text(
                        f"展开 *{anchor} 后超过 {limits.max_expanded_chars} 个字符",
                        f"more than {limits.max_expanded_chars} characters once *{anchor} is expanded",
                    ),
                    event.start_mark,
                )
            if len(stack) + target.height > limits.max_depth:
                raise fail(
                    "too_deep",
                    expect_depth(limits.max_depth),
                    Text(
                        f"展开 *{anchor} 后嵌套超过 {limits.max_depth} 层",
                        f"nesting deeper than {limits.max_depth} levels once *{anchor} is expanded",
                    ),
                    event.start_mark,
                )
            node = _AliasNode(target.node, event.start_mark, None)
            size, expansions, height = target.size, target.aliases + 1, target.height
            length = target.chars
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            nodes += 1
            if len(stack) + 1 > limits.max_depth:
                raise fail(
                    "too_deep",
                    expect_depth(limits.max_depth),
                    deeper_than(limits.max_depth),
                    event.start_mark,
                )
            check_anchor(event.anchor, event.start_mark)
            sequence = isinstance(event, yaml.SequenceStartEvent)
            kind: type[yaml.SequenceNode | yaml.MappingNode] = (
                yaml.SequenceNode if sequence else yaml.MappingNode
            )
            tag = event.tag
            if tag is None or tag == "!":
                tag = events.resolve(kind, None, event.implicit)
            collection = kind(
                tag, [], _node_mark(event.start_mark), None, flow_style=event.flow_style
            )
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            stack.append(_Open(collection, event.anchor, sequence))
            if nodes > limits.max_nodes:
                raise fail(
                    "too_large",
                    expect_nodes(limits.max_nodes),
                    more_values(limits.max_nodes),
                    event.start_mark,
                )
            continue
        else:  # the end of the innermost open collection
            done = stack.pop()
            node = done.node
            size, expansions, height, length = done.size, done.aliases, done.height + 1, done.chars
            if done.anchor is not None:
                open_anchors.discard(done.anchor)
                anchors[done.anchor] = _Anchored(node, size, expansions, height, length)
        if nodes > limits.max_nodes:
            raise fail(
                "too_large",
                expect_nodes(limits.max_nodes),
                Text(
                    f"别名展开后超过 {limits.max_nodes} 个值",
                    f"more than {limits.max_nodes} values once aliases are expanded",
                ),
                event.start_mark,
            )
        if not stack:
            break
        parent = stack[-1]
        parent.size += size
        parent.chars += length
        if expansions:
            parent.aliases += expansions
        if height > parent.height:
            parent.height = height
        if parent.sequence:
            parent.node.value.append(node)
        elif parent.key is None:
            parent.key = node
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None
    events.get_event()  # document end
    if not events.check_event(yaml.StreamEndEvent):
        extra = events.get_event()
        raise fail(
            "multiple_documents",
            EXPECT_ONE_DOCUMENT,
            Text("第二个文档", "a second document"),
            extra.start_mark,
        )
    return node


class _Refused:
    """Result of a scalar that could not be turned into a value; the problem is recorded."""


_REFUSED = _Refused()


def _scalar(
    loader: yaml.SafeLoader, node: yaml.ScalarNode, pointer: str, problems: ProblemList
) -> Any:
    tag = node.tag
    text: str = node.value
    if tag == _STR:
        if node.style == '"' and SURROGATE.search(text):
            problems.add(
                "encoding", pointer, EXPECT_UNICODE, lone_surrogate(), _mark(node.start_mark)
            )
            return _REFUSED
        return text
    if tag == _NULL:
        return None
    # Only the rarer scalars get here; the position is made once, for their problems.
    pos = _mark(node.start_mark)
    if tag == _TIMESTAMP:
        match = _DATE.match(text)
        if match is None:
            problems.add("type", pointer, EXPECT_DATE, describe(text), pos)
            return _REFUSED
        try:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        except ValueError:
            # An impossible date stays as written, for the record model to name precisely.
            return text
    if tag not in _SCALAR_TAGS:
        problems.add(
            "tag",
            pointer,
            EXPECT_PLAIN_TAG,
            Text(f"标签 {_short_tag(tag)}", f"tag {_short_tag(tag)}"),
            pos,
        )
        return _REFUSED
    if len(text) > MAX_INT_DIGITS:
        problems.add("number_range", pointer, EXPECT_NUMBER_SIZE, describe(text), pos)
        return _REFUSED
    try:
        if tag == _BOOL:
            return loader.bool_values[text.lower()]
        if tag == _INT:
            return loader.construct_yaml_int(node)
        number = loader.construct_yaml_float(node)
    except (ValueError, KeyError, IndexError):
        # Only an explicit tag can put such text here; the implicit resolvers match valid forms.
        expected = Text(
            zh=f"符合标签 {_short_tag(tag)} 的值", en=f"a valid {_short_tag(tag)} value"
        )
        problems.add("type", pointer, expected, describe(text), pos)
        return _REFUSED
    if not math.isfinite(number):
        problems.add("yaml_constant", pointer, EXPECT_FINITE, describe(text), pos)
        return _REFUSED
    return number


def _key(
    loader: yaml.SafeLoader, node: yaml.Node, pointer: str, problems: ProblemList
) -> str | None:
    """The text of a mapping key, or None once the reason it is unusable is recorded."""
    target = node.value if isinstance(node, _AliasNode) else node
    if (
        isinstance(target, yaml.ScalarNode)
        and target.tag == _STR
        and not (target.style == '"' and SURROGATE.search(target.value))
    ):
        key: str = target.value  # the usual key, plain text: nothing to check or to report
        return key
    pos = _mark(node.start_mark)
    if not isinstance(target, yaml.ScalarNode):
        found = (
            Text("用列表作键", "a list as key")
            if isinstance(target, yaml.SequenceNode)
            else Text("用对象作键", "a mapping as key")
        )
        problems.add("key_type", pointer, EXPECT_STRING_KEY, found, pos)
        return None
    tag = target.tag
    # Name the member by the key as written, so the reader can find it.
    member = pointer_join(pointer, target.value)
    if tag == _MERGE:
        problems.add("merge_key", member, EXPECT_NO_MERGE, Text("合并键 <<", "merge key <<"), pos)
        return None
    if tag == _STR:
        value = _scalar(loader, target, member, problems)
        return value if isinstance(value, str) else None
    if tag not in _SCALAR_TAGS:
        problems.add(
            "tag",
            member,
            EXPECT_PLAIN_TAG,
            Text(f"键上的标签 {_short_tag(tag)}", f"tag {_short_tag(tag)} on a key"),
            pos,
        )
        return None
    found = Text(
        f"{_KEY_KINDS_ZH[tag]}键 {describe(target.value)}",
        f"{_KEY_KINDS[tag]} key {describe(target.value)}",
    )
    problems.add("key_type", member, EXPECT_STRING_KEY, found, pos)
    return None


class _MarkPositions(Mapping[str, Position]):
    """Positions kept as the parser's marks, made into lines and columns when looked up.

    As with `OffsetPositions`: positions are read only when something is wrong, so making a
    `Position` for each of the document's values and keys up front would be wasted.
    """

    __slots__ = ("_marks",)

    def __init__(self, marks: dict[str, Any]) -> None:
        self._marks = marks

    def __getitem__(self, pointer: str) -> Position:
        mark = self._marks[pointer]
        return Position(int(mark.line) + 1, int(mark.column) + 1)

    def __contains__(self, pointer: object) -> bool:
        return pointer in self._marks

    def __iter__(self) -> Iterator[str]:
        return iter(self._marks)

    def __len__(self) -> int:
        return len(self._marks)

    def __repr__(self) -> str:
        return f"<{len(self._marks)} positions>"


def _build(
    loader: yaml.SafeLoader, root: yaml.Node, problems: ProblemList
) -> tuple[Any, _MarkPositions, _MarkPositions]:
    """Plain data and positions from composed nodes, expanding aliases; no recursion.

    The composer has already bounded the expanded size, so expansion here is safe. Inside an
    expanded alias, positions point at the anchored original; the alias's own pointer points
    at the alias.
    """
    marks: dict[str, Any] = {}
    key_marks: dict[str, Any] = {}
    holder: list[Any] = [None]
    todo: list[tuple[yaml.Node, str, Any, Any]] = [(root, "", holder, 0)]
    while todo:
        node, pointer, container, slot = todo.pop()
        if node.start_mark is not None:
            marks[pointer] = node.start_mark
        if isinstance(node, _AliasNode):
            node = node.value
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = _scalar(loader, node, pointer, problems)
        elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            items: list[yaml.Node] = node.value
            value = [None] * len(items)
            todo.extend(
                (items[i], f"{pointer}/{i}", value, i) for i in range(len(items) - 1, -1, -1)
            )
        elif isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            value = {}
            members: list[tuple[str, str, yaml.Node]] = []
            for key_node, value_node in node.value:
                key = _key(loader, key_node, pointer, problems)
                if key is None:
                    continue
                member = pointer_join(pointer, key)
                if key in value:
                    first = _mark(key_marks.get(member))
                    found = key_again(key, first)
                    problems.add(
                        "duplicate_key",
                        member,
                        EXPECT_UNIQUE_KEY,
                        found,
                        _mark(key_node.start_mark),
                    )
                    continue
                if key_node.start_mark is not None:
                    key_marks[member] = key_node.start_mark
                value[key] = None
                members.append((key, member, value_node))
            todo.extend(
                (value_node, member, value, key) for key, member, value_node in reversed(members)
            )
        else:
            pos = _mark(marks.get(pointer))
            problems.add(
                "tag",
                pointer,
                EXPECT_PLAIN_TAG,
                Text(f"标签 {_short_tag(node.tag)}", f"tag {_short_tag(node.tag)}"),
                pos,
            )
            value = None
        container[slot] = None if value is _REFUSED else value
    return holder[0], _MarkPositions(marks), _MarkPositions(key_marks)


# libyaml's parser, when PyYAML was built with it; the resolver stays PyYAML's own.
_CLoader: type[yaml.CSafeLoader] | None = (
    getattr(yaml, "CSafeLoader", None) if getattr(yaml, "__with_libyaml__", False) else None
)
# Text where the two parsers are known to part ways, left to the Python parser: libyaml takes
# tabs, '?' and a comment right after a block scalar's '|' or '>' in places where PyYAML refuses
# them, and reads a byte order mark or a directive after the start differently. (Found by
# comparing both on mutated rule files, cases and records; see docs/performance.md.)
_C_DIVERGES = re.compile(r"[\t?\ufeff]|^%|[|>][-+0-9]*#", re.MULTILINE)
_DIRECTIVE = re.compile(r"^%", re.MULTILINE)
_COMMENT_AFTER_BLOCK = re.compile(r"[|>][-+0-9]*#")


def _c_diverges(text: str) -> bool:
    """``_C_DIVERGES.search(text)``, answered by substring tests first: the one pattern took
    0.4 ms of a 30 KB record, the tests a few microseconds; the two smaller patterns run only on
    text that has a '%' or a '#'."""
    return (
        "\t" in text
        or "?" in text
        or "\ufeff" in text
        or ("%" in text and _DIRECTIVE.search(text) is not None)
        or ("#" in text and _COMMENT_AFTER_BLOCK.search(text) is not None)
    )


class _Unread:
    """Result of `_compose_fast` when the C parser did not read the document."""


_UNREAD = _Unread()


class _Diverges(Exception):
    """The C parser met something it places differently from the Python parser."""


def _compose_fast(text: str, name: str, limits: Limits) -> yaml.Node | _Unread | None:
    """Compose with libyaml's events; `_UNREAD` if it cannot give what PyYAML would.

    The two parsers agree on the events, lines and columns of ordinary documents, but word
    their errors differently and disagree on a few corners (`_C_DIVERGES`, `_Diverges`); all
    of those, and whatever goes wrong, are left to the Python parser to read or report,
    exactly as it would without libyaml.
    """
    if _CLoader is None or _c_diverges(text):
        return _UNREAD
    parser = _CLoader(text)
    try:
        return _compose(cast("_Events", parser), name, limits)
    except (yaml.YAMLError, InputError, _Diverges):
        return _UNREAD
    finally:
        parser.dispose()


def _compose_python(
    loader: yaml.SafeLoader, text: str, name: str, limits: Limits
) -> yaml.Node | None:
    try:
        return _compose(cast("_Events", loader), name, limits)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _mark(mark)
        # A key written with a full-width colon is the usual cause, lines before the parser
        # notices: point at it.
        colon = full_width_colon(text, pos.line) if pos is not None else None
        if colon is not None:
            raise fail_input(name, "syntax", "", EXPECT_YAML, FULL_WIDTH_COLON, colon) from None
        found = yaml_syntax(exc.context, exc.problem)
        raise fail_input(name, "syntax", "", EXPECT_YAML, found, pos) from None
    except yaml.YAMLError as exc:
        raise fail_input(
            name, "syntax", "", EXPECT_YAML, Text("不符合 YAML 语法", str(exc))
        ) from None
    finally:
        loader.dispose()


def load_yaml(text: str, name: str, limits: Limits) -> Document:
    """Read a YAML document by composing it (`yaml_direct.load_yaml` reads the usual record
    straight from events first, and comes here for everything else)."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        position = int(exc.position)
        found = (
            Text(f"字符 U+{ord(text[position]):04X}", f"character U+{ord(text[position]):04X}")
            if position < len(text)
            else Text("不允许的字符", str(exc.reason))
        )
        raise fail_input(
            name, "encoding", "", EXPECT_PRINTABLE, found, text_position(text, position)
        ) from None
    fast = _compose_fast(text, name, limits)
    if isinstance(fast, _Unread):
        root = _compose_python(loader, text, name, limits)
    else:
        root = fast
        loader.dispose()
    if root is None:  # an empty stream, or only comments
        return Document(name, None, {}, {})
    problems = ProblemList(name)
    data, positions, key_positions = _build(loader, root, problems)
    problems.raise_if_any()
    return Document(name, data, positions, key_positions)
