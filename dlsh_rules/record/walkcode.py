"""The walk that indexes a validated record, as one generated function (issue 13).

`validate._walk` follows a record's models recursively, one call per object with nine
arguments and a loop over each model's steps: after the fast validator, most of what validating
a large record cost. The record models nest four deep and never recursively, so the whole walk
unrolls into one function of nested loops whose state is local variables: it records the same
JSON pointers, index entries, `todo` items and references, in the same order.

References are checked as they are met when they name an object indexed before them (most
do: people come first), and only the others are kept for `_index` to check; every reference
that is wrong is among those, in the same order, so the problems are the same.

It never words a problem. At the first duplicate id or broken "exactly one of" group it gives
up (`Fallback`), and `validate._index` walks the record again with `_walk`, which words every
problem as before; only an invalid record pays twice. As in plan.py's generated validator, no
text of the plan is written into the source: aliases, kinds and markers are bound to generated
names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .plan import GROUP, ModelPlan, RecordPlan, Ref, compiled_source

# walk(data, pointers, index, refs, todo): what `_walk` fills, for a record without problems.
Walk = Callable[
    [dict[str, Any], dict[int, str], dict[str, Any], list[Any], list[Any]],
    None,
]


class Fallback(Exception):
    """A problem was found: `_walk` is to walk the record and word it."""


def generate(plan: RecordPlan, indexed: Callable[[str, dict[str, Any], str], Any]) -> Walk:
    """The walk of ``plan``'s records; ``indexed`` makes an index entry (validate.Indexed)."""
    space: dict[str, Any] = {"Fallback": Fallback, "GROUP": GROUP, "Indexed": indexed}
    lines = ["def walk(obj0, pointers, index, refs, todo):", '    ptr0 = ""']
    counter = [0]

    def name(value: Any) -> str:
        counter[0] += 1
        key = f"c{counter[0]}"
        space[key] = value
        return key

    def emit(model: ModelPlan, level: int, pad: str, depth: int) -> None:
        if depth > 16:
            raise RecursionError("the record models nest too deep to unroll")
        obj, ptr = f"obj{level}", f"ptr{level}"
        lines.append(f"{pad}pointers[id({obj})] = {ptr}")
        if model.object_kind is not None:
            lines.extend(
                [
                    f'{pad}if {obj}.get("todo") is True:',
                    f"{pad}    todo.append(({ptr}, {obj}))",
                    f'{pad}oid = {obj}.get("id")',
                    f"{pad}if oid is not None:",
                    f"{pad}    if oid in index or oid == GROUP:",
                    f"{pad}        raise Fallback",
                    f"{pad}    index[oid] = Indexed({name(model.object_kind)}, {obj}, {ptr})",
                ]
            )
        for group in model.exactly_one:
            given = " + ".join(f"({obj}.get({name(alias)}) is not None)" for alias in group)
            lines.extend([f"{pad}if ({given}) != 1:", f"{pad}    raise Fallback"])
        value, here, i, sub_obj, sub_ptr = (
            f"v{level}",
            f"here{level}",
            f"i{level}",
            f"obj{level + 1}",
            f"ptr{level + 1}",
        )

        def keep_ref(pad: str, item: str, marker: Ref) -> None:
            """Keep a reference for `_index` to check, unless it is already known to be right:
            the object it names was indexed earlier with one of the kinds it may name."""
            kinds = name(frozenset(marker.kinds))
            test = f"(found := index.get({item})) is None or found[0] not in {kinds}"
            if marker.group:
                test = f"{item} != GROUP and ({test})"
            ref_name = name(marker)
            index_ = "None" if item == value else i
            lines.extend(
                [
                    f"{pad}if {test}:",
                    f"{pad}    refs.append(({ptr}, {alias}, {index_}, {item}, {ref_name}))",
                ]
            )

        for f in model.walk:
            alias = name(f.alias)
            ref = f.ref
            sub = plan.models[f.model] if f.model is not None else None
            lines.extend([f"{pad}{value} = {obj}.get({alias})", f"{pad}if {value} is not None:"])
            inner = pad + "    "
            if not f.many:
                if sub is not None:
                    lines.extend(
                        [
                            f"{inner}if isinstance({value}, dict):",
                            f"{inner}    {sub_obj} = {value}",
                            f'{inner}    {sub_ptr} = f"{{{ptr}}}/{{{alias}}}"',
                        ]
                    )
                    emit(sub, level + 1, inner + "    ", depth + 1)
                    if ref is not None:
                        lines.append(f"{inner}elif isinstance({value}, str):")
                        keep_ref(inner + "    ", value, ref)
                elif ref is not None:
                    lines.append(f"{inner}if isinstance({value}, str):")
                    keep_ref(inner + "    ", value, ref)
                else:
                    lines.append(f"{inner}pass")
                continue
            lines.extend(
                [
                    f'{inner}{here} = f"{{{ptr}}}/{{{alias}}}"',
                    f"{inner}pointers[id({value})] = {here}",
                    f"{inner}for {i}, {sub_obj} in enumerate({value}):",
                ]
            )
            body = inner + "    "
            if sub is not None:
                lines.extend(
                    [
                        f"{body}if isinstance({sub_obj}, dict):",
                        f'{body}    {sub_ptr} = f"{{{here}}}/{{{i}}}"',
                    ]
                )
                emit(sub, level + 1, body + "    ", depth + 1)
                if ref is not None:
                    lines.append(f"{body}elif isinstance({sub_obj}, str):")
                    keep_ref(body + "    ", sub_obj, ref)
            elif ref is not None:
                lines.append(f"{body}if isinstance({sub_obj}, str):")
                keep_ref(body + "    ", sub_obj, ref)
            else:
                lines.append(f"{body}pass")

    emit(plan.top, 0, "    ", 0)
    # Fixed templates and generated names only (see the module's docstring).
    exec(compiled_source("\n".join(lines) + "\n", "<dlsh_rules record walk>"), space)
    walk: Walk = space["walk"]
    return walk
