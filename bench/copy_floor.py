"""What validation may cost under issue 13's "load_record + check ≤ 4×", beside what a copy costs.

    python bench/copy_floor.py               # 5, 20, 80 and 200 members
    python bench/copy_floor.py --sizes 5,80
    pip install msgspec                      # for the C validator's column (optional)

`load_record` returns `data`: the record validated, defaults filled, keys in the models' order,
dates as `datetime.date`, sharing no container with the caller's dict. The target leaves
validation `4 × hand-written − check` (the 9 rules, as bench/vs_handwritten.py measures them).
This script sets that allowance beside two floors of making such a `data` at all:

* `copy`: a recursive copy in plain Python of every dict and list, testing nothing, filling
  nothing, parsing no date: less than any validator can do and still hand back new containers;
* `msgspec`: msgspec's C validator (`convert` into Structs generated from the record plan, then
  `to_builtins` back to dicts), whose output is checked to equal `load_record`'s `data`, key
  order included, before it is timed. It still leaves out what `load_record` adds: references,
  unique ids, one secretary, the index, and it tests less than the one pass does (no id
  pattern, no year bounds on dates), which only makes it a lower floor. It stands for the
  fastest validating copy available to Python today (it is not a dependency of the project);
* `index`: the least of what `load_record` adds, written by hand for these generated records:
  the index entries of the seven long lists (people, talks, documents, activities, opinions,
  criticisms, rectification items) and the test of their three most frequent references
  (talk participants, the two people of a criticism, a rectification item's sources), each one
  comprehension, on `load_record`'s `data`. The index of `load_record` covers every object with
  an id and every reference; this is a floor under it, not a replacement;
* `msgspec + index`: the two together, the least a validating copy in C followed by an index in
  Python could cost.

Every call starts after a full collection with the collector paused (the harness of
vs_handwritten.py); CPU time, median. Measurements, not tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(ROOT / "bench")):
    if p not in sys.path:
        sys.path.insert(0, p)

import handwritten  # noqa: E402
from vs_handwritten import interleaved  # noqa: E402


def plain_copy(value: Any) -> Any:
    """Every dict and list new, nothing tested: the least a copying validator does."""
    if type(value) is dict:
        return {k: plain_copy(v) for k, v in value.items()}
    if type(value) is list:
        return [plain_copy(v) for v in value]
    return value


def least_index(data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The index entries and reference tests `load_record` cannot do without, on the long lists
    of a generated record only, each one comprehension: a floor, not an index (see above)."""
    from dlsh_rules.record.validate import Indexed

    new = tuple.__new__
    index: dict[str, Any] = {}
    for key, kind in (
        ("people", "person"),
        ("talks", "talk"),
        ("documents", "document"),
        ("activities", "activity"),
        ("opinions", "opinion"),
    ):
        index.update(
            {o["id"]: new(Indexed, (kind, o, f"/{key}/{n}")) for n, o in enumerate(data[key])}
        )
    criticisms = data["meeting"]["criticisms"]
    items = data["rectification"]["items"]
    index.update(
        {
            o["id"]: new(Indexed, ("criticism", o, f"/meeting/criticisms/{n}"))
            for n, o in enumerate(criticisms)
        }
    )
    index.update(
        {
            o["id"]: new(Indexed, ("rectification_item", o, f"/rectification/items/{n}"))
            for n, o in enumerate(items)
        }
    )
    people = {o["id"] for o in data["people"]}
    ok = all(p in people for t in data["talks"] for p in t["participants"])
    ok &= all(c["from"] in people and c["to"] in people for c in criticisms)
    ok &= all(s["ref"] in index for r in items for s in r["sources"] if s["ref"] is not None)
    return index, ok


def msgspec_validator(enums: Any) -> Callable[[Any], dict[str, Any]] | None:
    """A msgspec validator of the record plan (`record_plan()`), or None without msgspec."""
    try:
        import msgspec
    except ImportError:
        return None
    from typing import Annotated, Literal, Optional

    from dlsh_rules.record import plan as P
    from dlsh_rules.record.validate import record_plan

    rp = record_plan()
    structs: dict[str, Any] = {}

    def field_type(f: Any) -> Any:
        t: Any
        if f.kind in (P.STR, P.ID):
            t = str
        elif f.kind == P.ENUM:
            t = Literal[tuple(enums.values(f.enum))]
        elif f.kind == P.INT:
            bounded = f.ge is not None or f.le is not None
            t = Annotated[int, msgspec.Meta(ge=f.ge, le=f.le)] if bounded else int
        elif f.kind == P.BOOL:
            t = bool
        elif f.kind == P.DATE:
            t = dt.date
        elif f.kind == P.LITERAL:
            t = Literal[f.literal]
        elif f.kind == P.MODEL:
            t = struct(f.model)
        else:
            t = Any
        if f.many:
            t = (
                Annotated[list[t], msgspec.Meta(min_length=f.min_length)]
                if f.min_length
                else list[t]
            )
        return Optional[t] if f.optional else t  # noqa: UP045 (a runtime type, Python 3.10)

    def struct(name: str) -> Any:
        if name not in structs:
            fields = []
            for f in rp.models[name].fields:
                if f.required:
                    spec = msgspec.field(name=f.alias)
                elif isinstance(f.default, list | dict):
                    spec = msgspec.field(default_factory=type(f.default), name=f.alias)
                else:
                    spec = msgspec.field(default=f.default, name=f.alias)
                fields.append((f.name, field_type(f), spec))
            structs[name] = msgspec.defstruct(
                name.rsplit(".", 1)[-1], fields, kw_only=True, forbid_unknown_fields=True
            )
        return structs[name]

    root = struct(rp.root)
    excluded = [f.alias for f in rp.top.fields if f.excluded]

    def validate(parsed: Any) -> dict[str, Any]:
        out: dict[str, Any] = msgspec.to_builtins(
            msgspec.convert(parsed, root), builtin_types=(dt.date,)
        )
        for alias in excluded:
            out.pop(alias, None)
        return out

    return validate


def _calls(
    parsed: Any, record: Any, pack: Any, fast: Callable[[Any], dict[str, Any]] | None
) -> dict[str, Callable[[], Any]]:
    from dlsh_rules import check, load_record

    calls: dict[str, Callable[[], Any]] = {
        "hand": lambda: handwritten.check_record(parsed),
        "check": lambda: check(record, pack, select=handwritten.RULES),
        "load": lambda: load_record(parsed, pack.enums),
        "copy": lambda: plain_copy(parsed),
        "index": lambda: least_index(record.data),
    }
    if fast is not None:
        calls["msgspec"] = lambda: fast(parsed)
        calls["msgspec_index"] = lambda: least_index(fast(parsed))
    return calls


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5,20,80,200")
    args = parser.parse_args(argv)
    from dlsh_rules import load_pack, load_record
    from dlsh_rules.authoring.synth import compliant_record

    pack = load_pack()
    fast = msgspec_validator(pack.enums)
    if fast is None:
        print("msgspec is not installed: its column is left out (pip install msgspec)")
    print(
        f"{'members':>7} {'hand':>8} {'check':>8} {'allowed':>8} {'load':>8} {'copy':>8}"
        f" {'index':>8} {'msgspec':>8} {'+index':>8}"
        "   (ms CPU; allowed = 4 × hand − check, for load_record)"
    )
    for members in (int(s) for s in args.sizes.split(",")):
        parsed = json.loads(json.dumps(compliant_record(members), ensure_ascii=False))
        record = load_record(parsed, pack.enums)
        if not least_index(record.data)[1]:
            raise SystemExit(f"the least index finds a wrong reference at {members} members")
        if fast is not None:
            made = fast(parsed)
            if made != record.data or json.dumps(made, default=str) != json.dumps(
                record.data, default=str
            ):
                raise SystemExit(f"msgspec's data differs from load_record's at {members} members")
        calls = _calls(parsed, record, pack, fast)
        rounds = 400 if members <= 5 else 100 if members <= 20 else 15 if members <= 80 else 5
        t = {k: v * 1e3 for k, v in interleaved(calls, rounds, 60.0).items() if k != "rounds"}
        allowed = 4 * t["hand"] - t["check"]
        cells = [
            *(t["hand"], t["check"], allowed, t["load"], t["copy"], t["index"]),
            *(t.get("msgspec"), t.get("msgspec_index")),
        ]
        print(
            f"{members:>7} "
            + " ".join(f"{c:>8.3f}" if c is not None else f"{'-':>8}" for c in cells),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
