"""The context a record is evaluated in: what a check kind, a selection or a condition may read.

It lives apart from the engine so that the kinds and the query language can name it without
importing the engine that calls them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import Text
from ..language.paths import key_of
from ..record.plan import GROUP

if TYPE_CHECKING:
    from ..language.query import Selection
    from ..pack.loader import Pack
    from ..record.validate import RecordData

T = TypeVar("T")
_MISSING: Any = object()


class Context:
    """What a check kind may read: the record, the pack's sets, and per-record caches."""

    def __init__(self, record: RecordData, pack: Pack) -> None:
        self.record = record
        self.pack = pack
        self.meeting_date: dt.date = record.meeting["date"]
        # `cached`'s entries; the kinds may read them directly by a key they know.
        # (`_cache` is its older name, for tests that look inside.)
        self.shared: dict[Any, Any] = {}
        self._cache = self.shared
        # `memo`'s entries: (owner, value) by id(owner). Compiled conditions read a date bound
        # here directly (language/compiled.py), without a call.
        self.memos: dict[int, tuple[Any, Any]] = {}
        self._set_keys: dict[str, set[Any]] = {}
        # The items of the pack's named sets: asked for at every selection of a set (seven
        # times a check of the nine rules of issue 13), where `cached` made a key tuple and a
        # closure each time.
        self._sets: dict[str, list[Any]] = {}
        # The items (and keys) of the record's selections, by their token (language/selecting.py).
        self.selected: dict[int, Any] = {}

    def release(self) -> None:
        """Drop the per-record caches (once the rules have run)."""
        self.shared.clear()
        self.memos.clear()
        self._set_keys.clear()
        self._sets.clear()
        self.selected.clear()

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        value: T = self.shared.get(key, _MISSING)
        if value is _MISSING:
            value = self.shared[key] = compute()
        return value

    def memo(self, owner: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per record for ``owner``, a part of the pack, by identity: no
        hash of a large frozen spec, and the entry keeps ``owner`` so that its id is never
        another's. Not kept when ``compute`` raises (it raises again next time)."""
        entry = self.memos.get(id(owner))
        if entry is not None and entry[0] is owner:
            value: T = entry[1]
            return value
        value = compute()
        self.memos[id(owner)] = (owner, value)
        return value

    def set_items(self, name: str) -> list[Any]:
        items = self._sets.get(name)
        if items is None:  # not kept when the set's selection raises: it raises again
            items = self._sets[name] = self.pack.sets[name].items(self)
        return items

    def set_keys(self, name: str) -> set[Any]:
        # Asked for at every object an `in_set` test sees: one look-up, no key tuple to hash.
        keys = self._set_keys.get(name)
        if keys is None:
            keys = self._set_keys[name] = {key_of(v) for v in self.set_items(name)}
        return keys

    def set_label(self, name: str) -> Text:
        label = self.pack.manifest.set_labels.get(name)
        return Text.of(label) if label else Text(name, f"in the set {name}")

    def as_object(self, item: Any) -> Any:
        if isinstance(item, str):
            found = self.record.index.get(item)
            if found is not None:
                return found.obj
        return item

    def pointer_of(self, obj: Any) -> str | None:
        if isinstance(obj, str):
            found = self.record.index.get(obj)
            return found.pointer if found else None
        return self.record.pointer_of(obj)

    def selection_pointer(self, sel: Selection) -> str | None:
        """The record location a selection reads from, when it is a plain field path."""
        if sel.source is None:
            return None
        node: Any = self.record.data
        for seg in sel.source.segments:
            if not isinstance(node, dict) or seg not in node:
                return None
            node = node[seg]
        return self.record.pointer_of(node) or "/" + "/".join(sel.source.segments)

    def name(self, key: str) -> Text:
        """How a subject is shown in messages: a person's name with the id, a document's title…"""
        if key == GROUP:
            return Text(f"{self.record.data['unit'].get('party_org') or '党组'}", "the party group")
        found = self.record.index.get(key)
        if found is None:
            enums = self.record.enums
            for enum, labels in enums.labels.items():
                if key in labels:  # a required enumeration value, e.g. an org kind or a form
                    if enum == "org_kind":
                        return self.bodies(key)
                    return Text(labels[key], enums.en_label(enum, key))
            return Text(key, key)
        obj = found.obj
        if found.kind in ("person", "org", "department"):
            return Text(f"{obj['name']}（{key}）", f"{obj['name']} ({key})")
        if found.kind in ("document", "activity"):
            label = self.label(f"{found.kind}_kind", obj["kind"])
            return Text(f"{label.zh} {key}", f"{label.en} {key}")
        text = obj.get("text") or obj.get("title")
        if isinstance(text, str) and text:
            short = text if len(text) <= 16 else text[:15] + "…"
            return Text(f"{key}“{short}”", f"{key} “{short}”")
        return Text(key, key)

    def bodies(self, kind: str, among: Iterable[str] | None = None) -> Text:
        """The bodies of an org kind as the record names them (those of ``among``, org ids, when
        given), the kind's label in brackets unless the one name is the label: 县纪委监委（省纪委）.
        The label alone when the record names no body of that kind."""
        label = self.label("org_kind", kind)
        wanted = None if among is None else set(among)
        names = list(
            dict.fromkeys(
                str(org["name"])
                for org in self.record.data.get("orgs", [])
                if org.get("kind") == kind
                and isinstance(org.get("name"), str)
                and (wanted is None or org.get("id") in wanted)
            )
        )
        if not names:
            return label
        zh = "、".join(names)
        return Text(
            zh if names == [label.zh] else f"{zh}（{label.zh}）", f"{', '.join(names)} ({label.en})"
        )

    def label(self, enum: str, value: str) -> Text:
        enums = self.record.enums
        return Text(enums.label(enum, value), enums.en_label(enum, value))
