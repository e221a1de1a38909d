"""Validation and indexing of a record in one generated pass (issue 13).

`validate_record` used to make two passes over a valid record: plan.py's generated validator
copied it into pydantic's output, then walkcode.py's walk went over the copy again to record
the JSON pointer of every dict and list (35,000 at 80 members), index the objects by id and
check the references. The second pass cost as much as the first. Here both are one function
per model, made from the same plan: a field is read, tested and copied once, an object is
indexed as it is made, and each reference is put with the others that may name the same kinds
of object, to be tested all at once against the whole index at the end (`refs_valid`). No
pointer is made but the one of each object with an id, which the index holds;
`RecordData.pointers` makes the others when something asks for one (validate.py, `_Pointers`).

It decides nothing it is unsure of: anything the validator would decline, a duplicate or
reserved id, a wrong reference, a broken "exactly one of" group, or not exactly
one secretary makes it return None, and `validate_record` takes the old path (plan.py's
validator, pydantic if that declines, then `_index`), which gives the same data and words every
problem as before. Only a record that is not plainly valid pays twice.

As with plan.py's generated validator, only the package's own models become code, and no text
of the plan enters the source: aliases, defaults, enumeration names, kinds and markers are bound
to generated names, so the source is made of fixed templates and numbers only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from .plan import (
    BOOL,
    DATE,
    ENUM,
    GROUP,
    ID,
    ID_PATTERN,
    ID_RE,
    INT,
    LITERAL,
    MODEL,
    OPAQUE,
    STR,
    FieldPlan,
    ModelPlan,
    RecordPlan,
    compiled_source,
)
from .plan import _date_of as date_or_decline
from .plan import _Declined as Declined
from .plan import _raise_declined as decline

# run(data, alias tables, index, todo) -> the validated data, filling the index and the list of
# objects marked `todo: true`; raises Declined.
OnePass = Callable[
    [Any, Mapping[str, Mapping[str, str]], dict[str, Any], list[dict[str, Any]]], dict[str, Any]
]

# Kinds whose validated value is a str (or None): the ones a reference may be checked on.
_TEXT = (STR, ID, ENUM, LITERAL)

# Parsed dates by their text, shared by every record of a process: a record writes the same few
# dates many times, and a date is immutable, so validated data may share one. Bounded (cleared
# when full) so that a long batch of records of many dates cannot grow it without end.
_DAYS: dict[str, dt.date] = {}
_DAYS_MAX = 4096


def _new_day(text: str) -> dt.date:
    day = date_or_decline(text)
    if len(_DAYS) >= _DAYS_MAX:
        _DAYS.clear()
    _DAYS[text] = day
    return day


# What `ids_valid` tests, all ids at once. If the pattern changes, ids are tested one by one.
_BATCH_PATTERN = r"^[^\s~>/]{1,64}$"


def ids_valid(ids: Mapping[str, Any]) -> bool:
    """Whether every key of ``ids`` (all str) matches ID_PATTERN: what `fullmatch` tests of
    each, in a few scans of C over them all. Testing each id with the regex was a tenth of
    validating a record (17,000 ids at 80 members). `str.split()` splits at exactly the
    characters the pattern's `\\s` matches (tests/test_record_onepass.py checks every one),
    and strips them at the ends: the text is one part, and all of it, or an id holds one."""
    if not ids:
        return True
    text = "".join(ids)
    return not (
        "~" in text
        or ">" in text
        or "/" in text
        or text.split() != [text]
        or "" in ids
        or max(map(len, ids)) > 64
    )


def generate(plan: RecordPlan, indexed: Callable[..., Any]) -> OnePass | None:
    """The one-pass validator of ``plan``'s records, or None if the plan holds what it does not
    know how to fuse (then `validate_record` keeps the two passes). ``indexed`` is the class of
    index entries (validate.Indexed, a named tuple): entries are made with `tuple.__new__`."""
    if not _fusable(plan):
        return None
    names = {name: f"m{i}" for i, name in enumerate(plan.models)}
    needs_ptr = _needs_pointer(plan)
    space: dict[str, Any] = {
        "Declined": Declined,
        "MISSING": _MISSING,
        "GROUP": GROUP,
        "fullmatch": ID_RE.fullmatch,
        "fresh": _fresh,
        "decline": decline,
        "date_of": date_or_decline,
        "days_get": _DAYS.get,
        "new_day": _new_day,
        "new": tuple.__new__,
        "Indexed": indexed,
        "ids_valid": ids_valid,
        "refs_valid": refs_valid,
    }
    # The ids of indexed objects are tested all at once at the end (`ids_valid`).
    batch_ids = ID_PATTERN == _BATCH_PATTERN and all(
        model.fields[j].kind == ID and not model.fields[j].many
        for model in plan.models.values()
        if (j := _id_field(model)) is not None
    )
    outer = ["def run(value, aliases, index, todo):"]
    body: list[str] = []
    tables: dict[str, str] = {}
    for i, model in enumerate(plan.models.values()):
        if _merges(model):
            _merged_source(i, model, names, needs_ptr, space, tables, body, batch_ids)
            continue
        _model_source(i, model, names, needs_ptr, space, tables, body, _id_field(model), batch_ids)
    for enum, var in tables.items():
        space[f"n{var}"] = enum
        outer.append(f"    {var} = aliases[n{var}]")
    root = names[plan.root]
    root_call = f'{root}(value, "")' if needs_ptr[plan.root] else f"{root}(value)"
    buckets = space.pop(_BUCKETS, {}).values()
    outer += [f"    {name} = []" for name in buckets]
    tail = [
        f"    out = {root_call}",
        *(
            line
            for name in buckets
            for line in (
                f"    if {name} and not refs_valid({name}, index, K{name}, G{name}):",
                "        raise Declined",
            )
        ),
        *(["    if not ids_valid(index):", "        raise Declined"] if batch_ids else []),
        # The reserved id, tested once here rather than at every object: the record is
        # declined wherever it stands, as it was where it was met.
        "    if GROUP in index:",
        "        raise Declined",
        "    return out",
    ]
    source = "\n".join(outer + body + tail) + "\n"
    # Fixed templates and generated names only (see the module's docstring).
    exec(compiled_source(source, "<dlsh_rules record one pass>"), space)
    run: OnePass = space["run"]
    return run


_MISSING = object()


def _merges(model: ModelPlan) -> bool:
    """Whether a model's function starts from its defaults merged with the object given."""
    return not any(f.excluded or f.kind == OPAQUE for f in model.fields)


def _direct(f: FieldPlan) -> bool:
    """Whether a field's default can stand in the merged defaults as it is: required (then a
    marker no test accepts), None where None is allowed, an empty list where one may be empty,
    or a bool, int or str that the field's own test passes unchanged (no reference to keep).
    Any other default is a marker replaced by the default, so that no test sees it."""
    if f.required:
        return True
    default = f.default
    if f.many:
        return type(default) is list and default == [] and not f.min_length
    if default is None:
        return f.optional
    if f.ref is not None:
        return False
    if f.kind == BOOL:
        return type(default) is bool
    if f.kind == INT:
        return (
            type(default) is int
            and (f.ge is None or default >= f.ge)
            and (f.le is None or default <= f.le)
        )
    if f.kind == STR:
        return type(default) is str
    if f.kind == LITERAL:
        return type(default) is str and default in f.literal
    return False


def _fresh(value: Any) -> Any:
    # Every list and dict of the validated data must be its own object (RecordData.pointers).
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    return value


def _fusable(plan: RecordPlan) -> bool:
    """Whether every reference is on a text field, where the validated value is a str or None,
    as the walk (`validate._walk`) expects of the values it checks."""
    return all(
        f.kind in _TEXT or f.kind == OPAQUE
        for model in plan.models.values()
        for f in model.fields
        if f.ref is not None
    )


def _id_field(model: ModelPlan) -> int | None:
    """The position of the field the walk indexes an object by ("id"), for objects of a kind."""
    if model.object_kind is None:
        return None
    return next((j for j, f in enumerate(model.fields) if f.alias == "id" and not f.excluded), None)


def _needs_pointer(plan: RecordPlan) -> dict[str, bool]:
    """Models whose functions are given their object's pointer: those indexed, and those with
    an indexed object somewhere below them."""
    needs = {name: _id_field(model) is not None for name, model in plan.models.items()}
    changed = True
    while changed:
        changed = False
        for name, model in plan.models.items():
            if not needs[name] and any(
                f.model is not None and needs[f.model] for f in model.fields
            ):
                needs[name] = changed = True
    return needs


def _model_source(
    i: int,
    model: ModelPlan,
    names: dict[str, str],
    needs_ptr: dict[str, bool],
    space: dict[str, Any],
    tables: dict[str, str],
    out: list[str],
    id_field: int | None,
    batch_ids: bool,
) -> None:
    fn = names[model.name]
    pointer = needs_ptr[model.name]
    lines = [f"    def {fn}(value, ptr):" if pointer else f"    def {fn}(value):"]
    if any(f.kind == OPAQUE for f in model.fields):
        out.extend([*lines, "        raise Declined"])
        return
    lines += [
        "        if type(value) is not dict:",
        "            raise Declined",
        "        get = value.get",
        "        found = 0",
    ]
    order = list(range(len(model.fields)))
    if id_field is not None:
        # The id first, so that the object is in the index before anything below it, as the
        # walk indexes it (the index keeps that order). The output keeps the model's order.
        order.remove(id_field)
        order.insert(0, id_field)
    kept: list[tuple[str, str]] = []
    for j in order:
        f = model.fields[j]
        tag = f"{i}_{j}"
        space[f"a{tag}"] = f.alias
        var = f"f{j}"
        lines.append(f"        {var} = get(a{tag}, MISSING)")
        lines.append(f"        if {var} is MISSING:")
        if f.required:
            lines.append("            raise Declined")
        elif f.excluded:
            lines.append("            pass")
        elif f.default == [] and type(f.default) is list:
            lines.append(f"            {var} = []")
        else:
            space[f"d{tag}"] = f.default
            fresh = isinstance(f.default, (list, dict))
            lines.append(
                f"            {var} = fresh(d{tag})" if fresh else f"            {var} = d{tag}"
            )
        lines.append("        else:")
        lines.append("            found += 1")
        lines.append(f"            if {var} is None:")
        lines.append("                pass" if f.optional else "                raise Declined")
        if f.many:
            lines.append(f"            elif type({var}) is not list{_too_short(f, var)}:")
            lines.append("                raise Declined")
            lines.append("            else:")
            lines.extend(
                _list_source(f, var, tag, names, needs_ptr, space, tables, "                ")
            )
        else:
            lines.append("            else:")
            if f.kind == MODEL:
                assert f.model is not None
                call = (
                    f'{names[f.model]}({var}, f"{{ptr}}/{{a{tag}}}")'
                    if needs_ptr[f.model]
                    else f"{names[f.model]}({var})"
                )
                lines.append(f"                {var} = {call}")
            elif j == id_field and f.kind == ID and batch_ids:
                lines.append(
                    f"                {var} = ({var} if type({var}) is str else decline())"
                )
            else:
                lines.append(f"                {var} = {_value_expr(f, var, tag, space, tables)}")
                if f.ref is not None:
                    lines.extend(_ref_source(f, var, tag, space, "                "))
        if j == id_field:
            space[f"k{i}"] = model.object_kind
            space[f"p{i}"] = (model.object_kind,)  # stands in for the entry until it is made
            lines += [
                f"        if {var} is not None:",
                f"            if {var} in index:",
                "                raise Declined",
                f"            index[{var}] = p{i}",
            ]
        if not f.excluded:
            kept.append((f"a{tag}", var))
    if model.object_kind is not None:
        todo = next((j for j, f in enumerate(model.fields) if f.alias == "todo"), None)
        if todo is not None and not model.fields[todo].excluded:
            # Left to the old path (only the record itself is made here, which has no kind).
            lines += [f"        if f{todo} is True:", "            raise Declined"]
    aliases = {f.alias: j for j, f in enumerate(model.fields) if not f.excluded}
    for group in model.exactly_one:
        if not all(alias in aliases for alias in group):
            lines.append("        raise Declined")  # the walk reads a field the data lacks
            continue
        given = " + ".join(f"(f{aliases[alias]} is not None)" for alias in group)
        lines += [f"        if ({given}) != 1:", "            raise Declined"]
    lines += [
        "        # A key no field reads: unknown, or a field given by its Python name.",
        "        if found != len(value):",
        "            raise Declined",
        "        out = {" + ", ".join(f"{a}: {v}" for a, v in kept) + "}",
    ]
    if id_field is not None:
        lines += [
            f"        if f{id_field} is not None:",
            f"            index[f{id_field}] = new(Indexed, (k{i}, out, ptr))",
        ]
    lines.append("        return out")
    out.extend(lines)


def _merged_source(
    i: int,
    model: ModelPlan,
    names: dict[str, str],
    needs_ptr: dict[str, bool],
    space: dict[str, Any],
    tables: dict[str, str],
    out: list[str],
    batch_ids: bool,
) -> None:
    """A model's function that starts from its defaults merged with the object given.

    ``{**defaults, **value}`` copies the object in C with the model's keys in the model's
    order, absent fields already at their defaults; a key of the object no field reads makes it
    longer. Then each field is tested where it stands and only a value that changes (an
    enumeration's alias, a date, a sub-object, a list, which must be a new one) is written
    back: about a third cheaper than reading each field into a local and building the dict from
    them (`_model_source`, which the record itself keeps for its excluded `$schema`).
    A required field's default is `MISSING` and a default other than None or an empty list is
    a marker replaced by the default, so that what a test sees is always a given value or one
    that passes it unchanged.
    """
    fn = names[model.name]
    pointer = needs_ptr[model.name]
    id_field = _id_field(model)
    defaults: dict[str, Any] = {}
    lines = [f"    def {fn}(value, ptr):" if pointer else f"    def {fn}(value):"]
    lines += [
        "        if type(value) is not dict:",
        "            raise Declined",
        f"        out = {{**D{i}, **value}}",
        f"        if len(out) != {len(model.fields)}:",
        "            raise Declined",
    ]
    order = list(range(len(model.fields)))
    if id_field is not None:
        order.remove(id_field)
        order.insert(0, id_field)
    for j in order:
        f = model.fields[j]
        tag = f"{i}_{j}"
        a, var = f"a{tag}", f"f{j}"
        space[a] = f.alias
        # Where the defaults hold the value itself: a test passes it unchanged.
        direct = _direct(f)
        if f.required:
            defaults[f.alias] = _MISSING
        elif direct:
            defaults[f.alias] = f.default
        else:
            space[f"d{tag}"] = f.default
            space[f"s{tag}"] = marker = object()
            defaults[f.alias] = marker
        lines.append(f"        {var} = out[{a}]")
        pad = "        "
        if not direct:
            fresh = isinstance(f.default, (list, dict))
            value = f"fresh(d{tag})" if fresh else f"d{tag}"
            lines += [f"        if {var} is s{tag}:", f"            out[{a}] = {value}"]
            lines.append(f"        elif {var} is not None:" if f.optional else "        else:")
            pad = "            "
        elif f.optional:
            lines.append(f"        if {var} is not None:")
            pad = "            "
        lines += _merged_field(
            f, var, a, tag, j == id_field, names, needs_ptr, space, tables, pad, batch_ids
        )
        if j == id_field:
            # `out` is already the object the data will hold: its entry is made here, before
            # anything below it is indexed, in the order the walk indexes them.
            space[f"k{i}"] = model.object_kind
            # The test above leaves a str, or None only where the field may be null.
            guard = [f"        if {var} is not None:"] if f.optional else []
            body_pad = "    " if f.optional else ""
            lines += [
                *guard,
                f"        {body_pad}if {var} in index:",
                f"        {body_pad}    raise Declined",
                f"        {body_pad}index[{var}] = new(Indexed, (k{i}, out, ptr))",
            ]
    space[f"D{i}"] = defaults
    if model.object_kind is not None:
        todo = next((j for j, f in enumerate(model.fields) if f.alias == "todo"), None)
        if todo is not None:
            # Kept for validate.py, which leaves it out of the data as the old path does. A
            # field whose default is its own value still holds what `out` holds.
            mark = model.fields[todo]
            held = f"f{todo}" if _direct(mark) and not mark.many else f"out[a{i}_{todo}]"
            lines += [f"        if {held} is True:", "            todo.append(out)"]
    aliases = {f.alias: j for j, f in enumerate(model.fields)}
    for group in model.exactly_one:
        if not all(alias in aliases for alias in group):
            lines.append("        raise Declined")
            continue
        given = " + ".join(f"(out[a{i}_{aliases[alias]}] is not None)" for alias in group)
        lines += [f"        if ({given}) != 1:", "            raise Declined"]
    lines.append("        return out")
    out.extend(lines)


def _merged_field(
    f: FieldPlan,
    var: str,
    a: str,
    tag: str,
    is_id: bool,
    names: dict[str, str],
    needs_ptr: dict[str, bool],
    space: dict[str, Any],
    tables: dict[str, str],
    pad: str,
    batch_ids: bool,
) -> list[str]:
    """The test of a given value of field ``f`` (in ``var``, at ``out[a]``), writing back what
    changes. Every test refuses `MISSING` (it is of no type a field may hold)."""
    if f.many:
        lines = [
            f"{pad}if type({var}) is not list{_too_short(f, var)}:",
            f"{pad}    raise Declined",
        ]
        lines += _list_source(f, var, tag, names, needs_ptr, space, tables, pad)
        return [*lines, f"{pad}out[{a}] = {var}"]
    if f.kind == MODEL:
        assert f.model is not None
        call = (
            f'{names[f.model]}({var}, f"{{ptr}}/{{{a}}}")'
            if needs_ptr[f.model]
            else f"{names[f.model]}({var})"
        )
        return [f"{pad}out[{a}] = {call}"]
    if f.kind in (STR, BOOL, INT, LITERAL, ID):
        exact = "bool" if f.kind == BOOL else "int" if f.kind == INT else "str"
        test = f"type({var}) is not {exact}"
        if f.kind == ID and not (is_id and batch_ids):
            test += f" or not fullmatch({var})"
        elif f.kind == INT:
            if f.ge is not None:
                space[f"lo{tag}"] = f.ge
                test += f" or {var} < lo{tag}"
            if f.le is not None:
                space[f"hi{tag}"] = f.le
                test += f" or {var} > hi{tag}"
        elif f.kind == LITERAL:
            space[f"l{tag}"] = frozenset(f.literal)
            test += f" or {var} not in l{tag}"
        lines = [f"{pad}if {test}:", f"{pad}    raise Declined"]
    else:  # ENUM, DATE: the validated value replaces the one given
        lines = [f"{pad}{var} = out[{a}] = {_value_expr(f, var, tag, space, tables)}"]
    if f.ref is not None:
        lines += _ref_source(f, var, tag, space, pad, given=True)
    return lines


def _list_source(
    f: FieldPlan,
    var: str,
    tag: str,
    names: dict[str, str],
    needs_ptr: dict[str, bool],
    space: dict[str, Any],
    tables: dict[str, str],
    pad: str,
) -> list[str]:
    """The items of a given list (in ``var``, a list) validated into a new list in ``var``.

    A list comprehension is a call of its own (about 120 ns), several times the cost of an
    item's test: an empty list (most of an object's list fields) is replaced by a new empty
    one, and a list of one item (a rectification item's one source) is made without it."""
    inner = pad + "    "
    one: list[str] = []
    if f.kind == MODEL:
        assert f.model is not None
        fn = names[f.model]
        if needs_ptr[f.model]:
            lines = [
                f'{inner}here = f"{{ptr}}/{{a{tag}}}"',
                f'{inner}{var} = [{fn}(x, f"{{here}}/{{n}}") for n, x in enumerate({var})]',
            ]
            one = [f'{inner}{var} = [{fn}({var}[0], f"{{ptr}}/{{a{tag}}}/0")]']
        else:
            lines = [f"{inner}{var} = [{fn}(x) for x in {var}]"]
            one = [f"{inner}{var} = [{fn}({var}[0])]"]
    elif f.ref is not None and f.kind == STR:
        # The items are kept as they are, in a new list, and tested with the references they
        # make (`refs_valid`: exactly str, each the id of an object of the right kind).
        lines = [f"{inner}{var} = {var}[:]", f"{inner}{_bucket(f, space)}.extend({var})"]
    else:
        expr = _value_expr(f, "x", tag, space, tables)
        lines = [f"{inner}{var} = [{expr} for x in {var}]"]
        one = [f"{inner}x = {var}[0]", f"{inner}{var} = [{expr}]"]
        if f.ref is not None:
            lines.append(f"{inner}{_bucket(f, space)}.extend({var})")
            one.append(f"{inner}{_bucket(f, space)}.extend({var})")
    head = [f"{pad}if not {var}:", f"{inner}{var} = []"]
    if one:
        head += [f"{pad}elif len({var}) == 1:", *one]
    return [*head, f"{pad}else:", *lines]


def _too_short(f: FieldPlan, var: str) -> str:
    return f" or len({var}) < {int(f.min_length)}" if f.min_length else ""


def _ref_source(
    f: FieldPlan, x: str, tag: str, space: dict[str, Any], pad: str, given: bool = False
) -> list[str]:
    """Keep a reference (a str) with the others of its kinds, tested at the end."""
    if not f.many and not given:
        return [f"{pad}if {x} is not None:", f"{pad}    {_bucket(f, space)}.append({x})"]
    return [f"{pad}{_bucket(f, space)}.append({x})"]


# The references of a record by what they may name: the name of their list in `run`.
_BUCKETS = "buckets of references"


def _bucket(f: FieldPlan, space: dict[str, Any]) -> str:
    assert f.ref is not None
    buckets: dict[tuple[frozenset[str], bool], str] = space.setdefault(_BUCKETS, {})
    key = (frozenset(f.ref.kinds), f.ref.group)
    if key not in buckets:
        buckets[key] = name = f"b{len(buckets)}"
        space[f"K{name}"] = key[0]
        space[f"G{name}"] = key[1]
    return buckets[key]


def refs_valid(
    targets: list[Any], index: Mapping[str, Any], kinds: frozenset[str], group: bool
) -> bool:
    """Whether every reference of ``targets`` is a str naming an object of one of ``kinds`` (or
    the party group, where ``group``): what `_index` checks of each, tested on them all at once.

    Each reference was tested one by one against the index as far as it was made (the walk
    kept the others for the end); collecting them and testing the distinct ones here takes set
    operations of C and one look-up per distinct id (a few hundred, where the references are
    tens of thousands)."""
    if set(map(type, targets)) != {str}:
        return False
    distinct = set(targets)
    if group:
        distinct.discard(GROUP)
    try:  # each distinct id's entry, its kind, whether it may be named: iterated in C
        return all(map(kinds.__contains__, map(_first, map(index.__getitem__, distinct))))
    except KeyError:  # no object has that id
        return False


_first = itemgetter(0)


def _value_expr(
    f: FieldPlan, x: str, tag: str, space: dict[str, Any], tables: dict[str, str]
) -> str:
    """An expression that is the validated value of ``x`` or raises (through ``decline()``):
    what plan.py's `_value_expr` tests, with the enumeration tables read once per record."""
    kind = f.kind
    if kind == STR:
        return f"({x} if type({x}) is str else decline())"
    if kind == BOOL:
        return f"({x} if type({x}) is bool else decline())"
    if kind == ID:
        return f"({x} if type({x}) is str and fullmatch({x}) else decline())"
    if kind == ENUM:
        assert f.enum is not None
        table = tables.setdefault(f.enum, f"t{len(tables)}")
        return f"(n if type({x}) is str and (n := {table}.get({x})) is not None else decline())"
    if kind == INT:
        test = f"type({x}) is int"
        if f.ge is not None:
            space[f"lo{tag}"] = f.ge
            test += f" and {x} >= lo{tag}"
        if f.le is not None:
            space[f"hi{tag}"] = f.le
            test += f" and {x} <= hi{tag}"
        return f"({x} if {test} else decline())"
    if kind == DATE:
        return (
            f"((d if (d := days_get({x})) is not None else new_day({x}))"
            f" if type({x}) is str else date_of({x}))"
        )
    if kind == LITERAL:
        space[f"l{tag}"] = frozenset(f.literal)
        return f"({x} if type({x}) is str and {x} in l{tag} else decline())"
    return "decline()"
