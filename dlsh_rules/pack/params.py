"""Pack parameters: substitution of $name and ${name}, parameters built from parameters, their
cycles and the ranges of the date bounds they hold."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import Problem, Text, describe_found
from ..language.normalise import SpecError
from ..language.query import DateSpec
from ..language.query_leaves import BOUND_KEYS
from ..load.document import Document, pointer_join

if TYPE_CHECKING:
    from ..language.models import Param

# The models of a pack, importable from here as before; they load pydantic, so only on request.
from ..load.document import problem_at as _at

_WHOLE_PARAM = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
# "$$" is matched in the same pass, so that it escapes a "${" as well as a lone "$".
_INLINE_PARAM = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def substitute(
    value: Any,
    params: Mapping[str, Param | _Resolved],
    pointer: str,
    used: set[str],
    problems: list[tuple[str, str]],
) -> Any:
    """Replace "$name" by the parameter's value and "${name}" inside texts by its text."""
    if isinstance(value, dict):
        return {
            k: substitute(v, params, pointer_join(pointer, k), used, problems)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            substitute(v, params, pointer_join(pointer, i), used, problems)
            for i, v in enumerate(value)
        ]
    if not isinstance(value, str) or "$" not in value:
        return value
    whole = _WHOLE_PARAM.match(value)
    if whole:
        name = whole.group(1)
        if name not in params:
            problems.append((pointer, name))
            return value
        used.add(name)
        return params[name].value

    def inline(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return "$"
        if name not in params:
            problems.append((pointer, name))
            return m.group(0)
        used.add(name)
        got = params[name].value
        if isinstance(got, list):
            return "、".join(map(str, got))
        if isinstance(got, dict):
            return ", ".join(f"{k} {v}" for k, v in got.items())
        return str(got)

    return _INLINE_PARAM.sub(inline, value)


class _Resolved(NamedTuple):
    """A parameter's value with the parameters it names filled in (what `substitute` reads)."""

    value: Any


def _references(value: Any) -> list[str]:
    """The parameters a value names, as "$name" (the whole text) or "${name}", in order."""
    if isinstance(value, dict):
        return [name for v in value.values() for name in _references(v)]
    if isinstance(value, list):
        return [name for v in value for name in _references(v)]
    if not isinstance(value, str) or "$" not in value:
        return []
    whole = _WHOLE_PARAM.match(value)
    if whole:
        return [whole.group(1)]
    return [m.group(1) for m in _INLINE_PARAM.finditer(value) if m.group(1) is not None]


def resolve_params(
    params: Mapping[str, Param], doc: Document
) -> tuple[dict[str, _Resolved], dict[str, set[str]], list[Problem]]:
    """Parameters built from parameters: each value with the others it names filled in.

    Returns the resolved parameters, the parameters each one names (a rule that uses one uses
    those too), and the problems — an unknown name, a cycle, a bad date bound — each at the line
    of pack.yaml that defines the parameter.
    """
    deps = {name: set(_references(p.value)) & set(params) for name, p in params.items()}
    resolved: dict[str, _Resolved] = {}
    problems: list[Problem] = []
    visiting: list[str] = []
    cycles: set[frozenset[str]] = set()

    def visit(name: str) -> None:
        if name in resolved:
            return
        if name in visiting:
            loop = [*visiting[visiting.index(name) :], name]
            if frozenset(loop) not in cycles:
                cycles.add(frozenset(loop))
                problems.append(
                    _at(
                        doc,
                        pointer_join(pointer_join("/params", loop[0]), "value"),
                        Text("不循环引用的参数", "a parameter without cycles"),
                        " → ".join(f"${n}" for n in loop),
                        "param_cycle",
                    )
                )
            return
        visiting.append(name)
        for dep in sorted(deps[name]):
            visit(dep)
        visiting.pop()
        unknown: list[tuple[str, str]] = []
        known = {**{n: _Resolved(p.value) for n, p in params.items()}, **resolved}
        pointer = pointer_join(pointer_join("/params", name), "value")
        value = substitute(params[name].value, known, pointer, set(), unknown)
        for where, missing in unknown:
            problems.append(
                _at(
                    doc,
                    where,
                    Text("清单中声明的参数", "a parameter declared in params"),
                    f"${missing}",
                    "unknown_param",
                )
            )
        resolved[name] = _Resolved(value)

    for name in params:
        visit(name)
    cyclic = {n for loop in cycles for n in loop}
    for name, got in resolved.items():
        if with_dependencies({name}, deps) & cyclic:
            continue  # its value is not whole: the cycle is the problem to report
        problem = _param_bound_problem(got.value)
        if problem is not None:
            problems.append(
                _at(
                    doc,
                    pointer_join(pointer_join("/params", name), "value"),
                    Text(f"合法的日期界限（{problem.zh}）", f"a valid date bound ({problem.en})"),
                    describe_found(params[name].value),
                    "param_date",
                )
            )
    return resolved, deps, problems


_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def _param_bound_problem(value: Any) -> Text | None:
    """Why a parameter that is written as a date bound is not a valid one (None: it is fine, or
    it is not a date bound at all). A text that looks like a date must be a real date."""
    if isinstance(value, str):
        if _DATE_LIKE.match(value):
            try:
                DateSpec.parse(value)
            except SpecError as exc:
                return exc.text()
        return None
    if not isinstance(value, dict) or not value or not set(value) <= BOUND_KEYS:
        return None
    if isinstance(value.get("date"), (dict, list)) or any(
        isinstance(value.get(k), (dict, list))
        for k in ("years", "months", "days", "working_days", "month", "day", "pick")
    ):
        return None  # a condition on fields of those names, not a date bound
    try:
        DateSpec.parse(value)
    except SpecError as exc:
        return Text(
            exc.zh + (f"（位置 {exc.where}）" if exc.where else ""),
            str(exc) + (f" (at {exc.where})" if exc.where else ""),
        )
    return None


def with_dependencies(used: set[str], deps: Mapping[str, set[str]]) -> set[str]:
    """The parameters used, and those they are built from, transitively."""
    out, stack = set(used), list(used)
    while stack:
        for dep in deps.get(stack.pop(), ()):
            if dep not in out:
                out.add(dep)
                stack.append(dep)
    return out
