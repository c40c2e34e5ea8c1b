"""Warm a process before it forks stack runs: import the installed packages the project's program
imports, so each forked worker finds them loaded instead of importing them again.

pulumi_aws loads each of its service modules (``aws.sesv2``, ``aws.sns``) on first use, and the
SDK and those modules are most of a stack run's start. Which ones a program uses is read from its
source (``__main__.py`` and the project's own modules it imports, followed with ``ast``); nothing
of the program runs here. The project's own modules are not imported: their top-level code belongs
to each stack's run, under that stack's config and mocks, and may not run outside one.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

from sesguard import project

# The project's own files read to find what the program imports: a program's package, not a tree.
MAX_FILES = 200


def preload(root: Path | str | None = None) -> list[str]:
    """Import what the project's program imports from outside the project; the modules imported.

    Best effort: a project that cannot be found or read, or a module that does not import, is the
    stack runs' to report (each names its stack), not this warm-up's.
    """
    try:
        import pulumi_aws  # noqa: F401  (every program sesguard runs judges AWS resources)
    except ImportError:
        return []
    try:
        main = project.find(root).main
    except Exception:
        return []
    loaded = []
    for name in program_imports(main):
        try:
            importlib.import_module(name)
        except Exception:  # also not a module at all: `from pulumi_aws.sesv2 import EmailIdentity`
            continue
        loaded.append(name)
    return loaded


def program_imports(main: Path) -> list[str]:
    """The modules from outside the project that the program at ``main`` names, in the order met:
    each import, each ``from M import N`` as M and M.N, and each attribute path off an imported
    module (``aws.sesv2.EmailIdentity`` after ``import pulumi_aws as aws``)."""
    found: dict[str, None] = {}
    for tree in _local_trees(main):
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if not _is_local(main, a.name):
                        found[a.name] = None
                        # `import a.b` binds a; `import a.b as x` binds x to a.b.
                        top = a.name.split(".")[0]
                        aliases[a.asname or top] = a.name if a.asname else top
            elif (
                isinstance(node, ast.ImportFrom)
                and not node.level
                and node.module
                and not _is_local(main, node.module)
            ):
                found[node.module] = None
                for a in node.names:
                    found[f"{node.module}.{a.name}"] = None
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and (dotted := _dotted(node)) is not None:
                head, _, rest = dotted.partition(".")
                if head in aliases:
                    found[f"{aliases[head]}.{rest}"] = None
    return list(found)


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _is_local(main: Path, module: str) -> bool:
    first = module.split(".")[0]
    return (main / f"{first}.py").is_file() or (main / first).is_dir()


def _local_trees(main: Path) -> Iterator[ast.Module]:
    """``__main__.py``, then each of the project's own modules it imports, transitively, parsed."""
    pending = [main / "__main__.py"]
    seen: set[Path] = set()
    while pending and len(seen) < MAX_FILES:
        path = pending.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        try:
            tree = ast.parse(path.read_text("utf-8"), str(path))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        yield tree
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _relative_base(main, path, node)
                names = [base, *(f"{base}.{a.name}" for a in node.names)] if base else []
            for name in names:
                if name and _is_local(main, name):
                    pending += _module_files(main, name)


def _relative_base(main: Path, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = path.parent
    for _ in range(node.level - 1):
        package = package.parent
    try:
        parts = list(package.relative_to(main).parts)
    except ValueError:
        return ""
    return ".".join(parts + ([node.module] if node.module else []))


def _module_files(main: Path, name: str) -> list[Path]:
    """The files a module may be: ``a/b.py`` or ``a/b/__init__.py``, and its packages' ``a/__init__.py``."""
    parts = name.split(".")
    packages = [main.joinpath(*parts[:i], "__init__.py") for i in range(1, len(parts))]
    base = main.joinpath(*parts)
    return [*packages, base.with_suffix(".py"), base / "__init__.py"]
