"""What the checks of one record share: keys under which they share work, and lists grouped by
a field's value, so that selections of one list by that field read it once."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..evaluate.context import Context
    from .paths import Path
from .compiled import canonical as canonical  # for the query language, which imports it here
from .compiled import memoised

# --- keys under which checks share work -------------------------------------------------------


class SharedKey:
    """A key of `Context.cached` made of a rule's specs, with its hash computed once.

    The specs are nested tuples, which Python hashes anew at every lookup: a check asked for
    its selections' and indexes' keys hundreds of times per record (issue 13). The key of a
    spec object is made once (`memoised_key`), so a lookup hashes nothing and finds the entry
    by identity; equal keys made apart are still equal."""

    __slots__ = ("_hash", "parts")

    def __init__(self, parts: tuple[Any, ...]) -> None:
        self.parts = parts
        self._hash = hash(parts)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (type(other) is SharedKey and self.parts == other.parts)

    def __reduce__(self) -> tuple[Any, ...]:
        # Hashes of strings differ between processes: never carry one over.
        return (SharedKey, (self.parts,))


# A token per distinct key: equal keys get the same token, so checks with equal specs share
# their work within a record, and the context's dicts hash an int (in C) where a `SharedKey`
# ran its Python ``__hash__`` at every look-up. Never reused (a counter), so a table started
# afresh only stops sharing with older entries, never mistakes one for another.
_TOKENS: dict[SharedKey, int] = {}
_COUNTER = itertools.count()


def token(key: SharedKey) -> int:
    found = _TOKENS.get(key)
    if found is None:
        if len(_TOKENS) >= 20_000:  # a process that loads many packs starts afresh
            _TOKENS.clear()
        found = _TOKENS[key] = next(_COUNTER)
    return found


def memoised_key(kind: str, owner: object, make: Callable[[], SharedKey | None]) -> Any:
    """A key of `Context.cached` for ``make()``, once per process for ``owner`` (a part of a
    pack) and ``kind``: the token of the key (equal keys, equal tokens); None when ``make()``
    is None."""
    return memoised("key:" + kind, owner, lambda: _token_of(make()))


def _token_of(key: SharedKey | None) -> int | None:
    return None if key is None else token(key)


def key_of_parts(parts: tuple[Any, ...], condition: type) -> SharedKey | None:
    """`query.shared_key`: a key under which checks share work that depends only on `parts`.

    Conditions (instances of `condition`) are compared by their spec as written, keys in order
    and values with their types (``true`` and ``1`` test alike but are shown differently in
    messages, and the order of operators is the order of a finding's failures); None when a
    part cannot be a key.
    """
    key = tuple(_condition_key(p) if isinstance(p, condition) else p for p in parts)
    try:
        return SharedKey(key)
    except TypeError:
        return None


def _condition_key(cond: Any) -> Any:
    if cond.spec is None:  # built in code, not parsed: only itself is known to be the same
        return ("id", id(cond))
    spec = cond.spec
    return memoised("as written", cond, lambda: _as_written(spec))


def _as_written(value: Any) -> Any:
    if isinstance(value, dict):
        return ("{", tuple((_as_written(k), _as_written(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("[", tuple(_as_written(v) for v in value))
    return (type(value), value)


# --- lists grouped by a field -----------------------------------------------------------------

# The values a list may be grouped by: for these, `eq`'s test (`arg in (value,)`) is a dict
# look-up of the argument (equal values hash alike, and a look-up tries identity first too).
_GROUPABLE = (str, int, bool)


def grouped(ctx: Context, source: Path, name: str, key: int) -> dict[Any, list[Any]] | None:
    """The objects at `source` (from the record's root) by the value of their field `name`,
    each group in the list's order; None when an object is not a mapping or its field holds
    anything but one text, number or boolean (a list, a date…), for which the selection
    tests its objects one by one as before. Made once per record under `key` (a token of the
    source and field): a pack selects documents by kind some twenty times (issue 13).
    """
    found: Any = ctx.selected.get(key, ctx)  # the context itself marks "not made yet"
    if found is ctx:
        found = ctx.selected[key] = _group(source.values(ctx, ctx.record.data), name)
    return found  # type: ignore[no-any-return]


def _group(items: list[Any], name: str) -> dict[Any, list[Any]] | None:
    groups: dict[Any, list[Any]] = {}
    for obj in items:
        if type(obj) is not dict:
            return None
        value = obj.get(name)
        if value is None:  # absent: `eq` fails, whatever its argument
            continue
        if type(value) not in _GROUPABLE:
            return None
        group = groups.get(value)
        if group is None:
            groups[value] = [obj]
        else:
            group.append(obj)
    return groups
