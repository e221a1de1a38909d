"""Selections compiled into closures, one per selection and shape (issue 13).

`Selection._items` (query.py) interprets a selection: which root it reads, whether the list
grouped by a field serves it, then `where`, `path` and `minus`, deciding each at every call.
A check of the whole default pack computes about 130 selections per record, so the shape is
decided once here and the closure does only what the selection needs, with its paths and its
`where` compiled. It evaluates what `_items` evaluates, in the same order, and returns the same
list (the same list object where `_items` returns one it did not make: a group, a set's items).
``query.FAST = False`` makes every selection take `_items`, as before;
tests/test_kinds_fast.py compares the two. Closures over data only: nothing of a pack becomes source code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .bulk import filter_keeper, filtered
from .compiled import op_filter, path_reader
from .paths import follow_id, key_of
from .shared import SharedKey, grouped, token

if TYPE_CHECKING:
    from ..evaluate.context import Context
    from .query import Condition, Selection

Items = Callable[["Context", Any], list[Any]]


def by_field(sel: Selection) -> tuple[str, Any, Condition | None, int] | None:
    """(field, value, the rest of the where, the token of the list grouped by the field) when
    a selection reads a list from the root and its where starts with ``eq`` on one plain field
    (``{from: documents, where: {kind: speech_outline, …}}``); else None.

    Objects that fail the first test go no further, so testing the rest only on the objects
    whose field is that value evaluates what the where evaluated, in the same order."""
    where = sel.where
    if sel.source is None:
        return None
    if where is None or not where.ops:
        return None
    first = where.ops[0]
    name = first.path.single
    if first.name != "eq" or name is None or first.only is not None or first.normalise != "exact":
        return None
    try:
        hash(first.arg)
    except TypeError:  # `eq` compares an unhashable argument without hashing it
        return None
    rest = None
    if len(where.ops) > 1 or where.all_of or where.any_of or where.negated is not None:
        # The where's own class (query.Condition), which this module cannot import.
        rest = type(where)(where.ops[1:], where.all_of, where.any_of, where.negated)
    return name, first.arg, rest, token(SharedKey(("grouped", sel.source.text, name)))


def on_second_use(sel: Selection, by: Any, install: Callable[[Items], None]) -> Items:
    """What a selection's entry computes it with: `_items` the first time, the compiled closure
    (built then, and installed in its entry by `install`) from the second on. A process that
    checks one record computes most selections once; compiling all of them made its check
    dearer than interpreting them (issue 13: cold start is a target too)."""

    def second(ctx: Context, obj: Any) -> list[Any]:
        compiled = compile_selection(sel, by)
        install(compiled)
        return compiled(ctx, obj)

    def first(ctx: Context, obj: Any) -> list[Any]:
        install(second)
        return sel._items(ctx, obj)

    return first


# What `Selection.items` needs to know of a selection before it reads the record, by the
# selection's identity (the entry keeps it, so that its id is never another's): whether it is
# relative, and the tokens under which the record's context keeps its items and their keys.
# Selections are asked for their items some 250 times per check of the whole pack (issue 13):
# one look-up by an int, where a key made of the spec was hashed and compared.
# Its last parts: how the selection may read a grouped list (`selecting.by_field`), and the
# selection compiled for its shape.
Entry = tuple["Selection", bool, int, int, "tuple[str, Any, Condition | None, int] | None", Items]
SELECTIONS: dict[int, Entry] = {}


def selection_entry(sel: Selection) -> Entry:
    by = by_field(sel)
    relative, tokens = (
        sel.relative,
        (token(SharedKey(("sel", sel.spec))), token(SharedKey(("keys", sel.spec)))),
    )

    def install(items: Items) -> None:
        SELECTIONS[id(sel)] = (sel, relative, *tokens, by, items)

    entry: Entry = (sel, relative, *tokens, by, on_second_use(sel, by, install))
    if len(SELECTIONS) >= 20_000:  # a process that loads many packs starts afresh
        SELECTIONS.clear()
    SELECTIONS[id(sel)] = entry
    return entry


def compile_selection(sel: Selection, by: Any) -> Items:
    """`sel._items` as a closure; `by` is the selection's `by_field`."""
    where = sel.where
    if sel.here is not None:
        root = _here_root(sel)
    elif sel.source is not None:
        if by is not None:
            return _grouped(sel, by)
        root = _source_root(sel)
    elif sel.set_name is not None:
        name = sel.set_name
        root = lambda ctx, obj: ctx.set_items(name)  # noqa: E731
    elif sel.literal is not None:
        literal = sel.literal
        root = lambda ctx, obj: list(literal)  # noqa: E731
    else:
        root = _union_root(sel)
    return _after_root(sel, root, where)


def _after_root(sel: Selection, root: Items, where: Condition | None) -> Items:
    """The root's items through `where`, `path` and `minus`, as `_items` takes them."""
    filter_ = _where_filter(where) if where is not None else None
    tail = _path_and_minus(sel)
    if filter_ is None and tail is None:
        return root
    if tail is None:
        assert filter_ is not None
        only = filter_
        return lambda ctx, obj: only(ctx, root(ctx, obj))

    def items(ctx: Context, obj: Any) -> list[Any]:
        found = root(ctx, obj)
        if filter_ is not None:
            found = filter_(ctx, found)
        return tail(ctx, obj, found)

    return items


def _here_root(sel: Selection) -> Items:
    assert sel.here is not None
    read = path_reader(sel.here)

    def here(ctx: Context, obj: Any) -> list[Any]:
        # The loader refuses `here` where no object is being checked (as `_items` says it).
        if obj is None:
            raise ValueError("{here: …} is evaluated without an object being checked")
        return read(ctx, obj)

    return here


def _source_root(sel: Selection) -> Items:
    assert sel.source is not None
    read = path_reader(sel.source)
    return lambda ctx, obj: read(ctx, ctx.record.data)


def _union_root(sel: Selection) -> Items:
    parts = sel.union

    def union(ctx: Context, obj: Any) -> list[Any]:
        items: list[Any] = []
        seen: set[Any] = set()
        for sub in parts:
            for item in sub.items(ctx, obj):
                key = key_of(item)
                if key not in seen:
                    seen.add(key)
                    items.append(item)
        return items

    return union


def _grouped(sel: Selection, by: Any) -> Items:
    """A selection from the root whose where starts with ``eq`` on one plain field: the group
    of the list by that field when the list can be grouped, else the list and the whole where."""
    source = sel.source
    assert source is not None
    name, value, rest, token = by
    read = path_reader(source)
    whole = _where_filter(sel.where) if sel.where is not None else None
    rest_filter = _where_filter(rest) if rest is not None else None
    tail = _path_and_minus(sel)

    def items(ctx: Context, obj: Any) -> list[Any]:
        groups = grouped(ctx, source, name, token)
        if groups is not None:
            found = groups.get(value, [])
            if rest_filter is not None:
                found = rest_filter(ctx, found)
        else:
            found = read(ctx, ctx.record.data)
            if whole is not None:
                found = whole(ctx, found)
        return found if tail is None else tail(ctx, obj, found)

    return items


def _where_filter(where: Condition) -> Callable[[Context, list[Any]], list[Any]]:
    """The items that pass `where`: all at once when they are mappings (`bulk.filtered`), else
    one by one with ids followed to their objects, as `_items` tests them. The one-by-one
    closure is built when first needed (a compliant record never needs most of them: building
    them all made the first check in a process dearer)."""
    keep = filter_keeper(where)

    def filter_(ctx: Context, items: list[Any]) -> list[Any]:
        for item in items:
            if type(item) is not dict:
                holds = op_filter(where)
                return [
                    item
                    for item in items
                    if holds(ctx, item if type(item) is dict else follow_id(ctx, item))
                ]
        return filtered(keep, where, ctx, items)

    return filter_


def _path_and_minus(sel: Selection) -> Callable[[Context, Any, list[Any]], list[Any]] | None:
    path, minus = sel.path, sel.minus
    if path is None and minus is None:
        return None
    read = path_reader(path) if path is not None else None

    def tail(ctx: Context, obj: Any, items: list[Any]) -> list[Any]:
        if read is not None:
            items = [v for item in items for v in read(ctx, item)]
        if minus is not None:
            drop = {key_of(v) for v in minus.items(ctx, obj)}
            items = [item for item in items if key_of(item) not in drop]
        return items

    return tail
