"""The package is laid out as its pipeline, and the layout holds (docs/architecture.md).

Every import inside the package is read from the source, function-local ones included, and
checked: no module imports itself through others (no cycles), and no stage imports a later
stage. Imports under ``if TYPE_CHECKING:`` are annotations only and never run, so they are
left out. A module too long to read in one sitting fails too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dlsh_rules"

# The stages in pipeline order. A module may import its own stage and the ones before it.
# errors and dates are shared leaves; the top-level modules after `cli` are the documented
# import paths of docs/api.md and may import anything, while nothing inside imports them.
STAGES = [
    "errors",
    "dates",
    "load",
    "record",
    "language",
    "pack",
    "evaluate",
    "report",
    "render",
    "authoring",
    "cli",
    "api",
]
API_MODULES = {
    "__init__",
    "__main__",
    "batch",
    "docgen",
    "engine",
    "frozen",
    "source",
    "waivers",
}
MAX_LINES = 800


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    head = parts[1]
    if len(parts) == 2 and head in API_MODULES:
        return "api"
    return head


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> list[ast.ImportFrom | ast.Import]:
    found: list[ast.ImportFrom | ast.Import] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    walk(other)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            walk(child)

    walk(tree)
    return found


def _targets(
    module: str, is_package: bool, node: ast.ImportFrom | ast.Import, known: set[str]
) -> set[str]:
    """The package's modules an import statement loads (the module, and imported submodules)."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
        else:
            stem = node.module or ""
        names = [stem] + [f"{stem}.{a.name}" for a in node.names]
    out: set[str] = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name.startswith("dlsh_rules"):
            out.add(name)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in _runtime_imports(tree):
            edges |= _targets(name, path.name == "__init__.py", node, known)
        # a package's own __init__ is loaded on the way to any of its modules; it is no edge
        graph[name] = {e for e in edges if e != name and not name.startswith(e + ".")}
    return graph


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_imports_point_down_the_pipeline() -> None:
    order = {stage: i for i, stage in enumerate(STAGES)}
    upward = [
        f"{module} ({_stage(module)}) imports {target} ({_stage(target)})"
        for module, targets in sorted(_graph().items())
        for target in sorted(targets)
        if order[_stage(target)] > order[_stage(module)]
    ]
    assert not upward, "imports against the pipeline:\n" + "\n".join(upward)


def test_every_module_belongs_to_a_stage() -> None:
    strays = [m for m in _modules() if _stage(m) not in STAGES]
    assert not strays, f"modules outside the stages of docs/architecture.md: {strays}"


@pytest.mark.parametrize("module", sorted(_modules()))
def test_modules_can_be_read_in_one_sitting(module: str) -> None:
    lines = _modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES})"
