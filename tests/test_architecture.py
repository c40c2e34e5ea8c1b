"""The package reads one way (docs/architecture.md): the command line stops at the command layer,
and no module imports another that imports it back.

Read from the source with ``ast``, so an import inside a function (a lazy import, which runs the
first time the function does) counts as much as one at the top of the module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sesguard"
# Where the command line may be seen: argument parsing, and the subcommands that read it.
COMMAND_LAYER = ("sesguard.cli", "sesguard.commands")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _trees() -> Iterator[tuple[str, ast.Module]]:
    for name, path in MODULES.items():
        yield name, ast.parse(path.read_text("utf-8"), str(path))


def _imported(name: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """Every module name an import statement names (``from a import b``: a.b when b is a module)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:  # relative: from the module's own package
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
    yield base
    yield from (f"{base}.{alias.name}" for alias in node.names)


def _in_package(target: str) -> str | None:
    """The package module ``target`` names: itself, or the nearest enclosing module that exists."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at any depth of its code.

    A package's ``__init__`` runs before its submodules are imported, as Python does; that is not
    counted as the submodule importing its package, only imports that are written are.
    """
    graph: dict[str, set[str]] = {}
    for name, tree in _trees():
        deps: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                named = [t for t in _imported(name, MODULES[name], node) if t.split(".")[0] == "sesguard"]
                # `from a import b`: the module a.b when there is one, else a itself.
                found = {t for t in named if t in MODULES} or {_in_package(t) for t in named[:1]}
                deps |= {d for d in found if d is not None and d != name}
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    # The graph is the real one: a lazy import inside a function is in it.
    assert "sesguard.engine.embedded" in graph["sesguard.engine.compiled"]
    assert "sesguard.sources.pulumi.parallel" in graph["sesguard.commands.check"]
    found = cycles(graph)
    assert found == [], "\n".join(
        " <-> ".join(c) + ": " + "; ".join(f"{m} imports {sorted(graph[m] & set(c))}" for m in c)
        for c in found
    )


def test_the_cycle_finder_finds_a_cycle_through_a_lazy_import() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def _below_command_layer() -> list[str]:
    return [n for n in MODULES if not any(n == c or n.startswith(c + ".") for c in COMMAND_LAYER)]


def _takes_the_command_line(tree: ast.Module) -> list[str]:
    """Where a module sees the command line: argparse imported, a parameter typed as its Namespace,
    or an option read off an untyped parameter by name (``getattr(args, "policies", None)``)."""
    seen = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            seen += [f"line {node.lineno}: imports argparse" for n in names if n.split(".")[0] == "argparse"]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            params = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            untyped = {
                p.arg
                for p in params
                if p.arg not in ("self", "cls")
                and (p.annotation is None or ast.unparse(p.annotation) in ("object", "Any", "typing.Any"))
            }
            for p in params:
                if p.annotation is not None and "Namespace" in ast.unparse(p.annotation):
                    seen.append(f"line {node.lineno}: parameter {p.arg} is a Namespace")
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id == "getattr"
                    and isinstance(inner.args[0], ast.Name)
                    and inner.args[0].id in untyped
                    and isinstance(inner.args[1], ast.Constant)
                ):
                    seen.append(
                        f"line {inner.lineno}: reads {inner.args[1].value!r} off untyped {inner.args[0].id}"
                    )
    return seen


def test_nothing_below_the_command_layer_sees_the_command_line() -> None:
    trees = dict(_trees())
    found = {
        name: where for name in _below_command_layer() if (where := _takes_the_command_line(trees[name]))
    }
    assert found == {}


@pytest.mark.parametrize(
    "code",
    [
        "import argparse",
        "def f():\n    from argparse import Namespace",
        "def f(args: argparse.Namespace) -> None: ...",
        "def from_args(args: object):\n    return getattr(args, 'policies', None)",
    ],
)
def test_the_command_line_check_sees_each_way_in(code: str) -> None:
    assert _takes_the_command_line(ast.parse(code))
