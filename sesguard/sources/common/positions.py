"""Pulumi source positions as document ``location``s: where the user's code declares each resource.

Pulumi records the position of the code that registered a resource on each resource of a stack
export (``deployment.resources[].sourcePosition``) and of a preview (``steps[].newState
.sourcePosition``) since 3.76: a string ``project:///<path relative to the project root>#<line>``
with ``,<column>`` when the SDK knows it (Node.js sends both; Python and Go the line only; .NET and
YAML nothing). The SDK itself sends the monitor an absolute ``file://`` URI, which is what the
program source sees under mocks. Both become ``{"file", "line", "column"}`` with ``file`` relative
to the repository root: the project's own directory inside the Git repository is the prefix.

A position that cannot be read is left out (a finding then points at the stack's config file);
it never fails a run, since it only moves where a report points, never what it says.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

PROJECT_SCHEME = "project"
FILE_SCHEME = "file"
# Paths in a report are at most this long; a longer one is not a real source file.
_MAX_PATH = 1024


def repo_prefix(project_root: Path | str | None) -> str:
    """The project root's path inside its Git repository ("" at the top, or when not in one).

    Cheap on purpose: looks for a ``.git`` entry upwards instead of running git.
    """
    if project_root is None:
        return ""
    root = Path(project_root).resolve()
    for candidate in (root, *root.parents):
        if (candidate / ".git").exists():
            rel = root.relative_to(candidate).as_posix()
            return "" if rel == "." else rel
    return ""


def input_file(path: Path | str) -> str:
    """Where reports point for a finding of a file source (a plan, a template): the input file,
    relative to the root of the Git repository holding it, wherever sesguard runs from; outside a
    repository, relative to the current directory when inside it, else its name. Never a
    Pulumi.yaml a Terraform or CloudFormation repository does not have."""
    file = Path(path).absolute()
    for candidate in file.parents:
        if (candidate / ".git").exists():
            return file.relative_to(candidate).as_posix()
    try:
        return file.relative_to(Path.cwd().absolute()).as_posix()
    except ValueError:
        return file.name


def _relative(path: str, prefix: str) -> str | None:
    parts = PurePosixPath(path).parts
    if not parts or ".." in parts or any(ord(c) < 32 for c in path) or len(path) > _MAX_PATH:
        return None
    rel = PurePosixPath(*parts).as_posix()
    return f"{prefix.rstrip('/')}/{rel}" if prefix else rel


# A line or column: ASCII digits only (str.isdigit also takes "²" and "١٢", which int() refuses or
# reads as another number), and few enough that no file has more lines (a 5,000-digit number is
# past what int() converts at all).
_NUMBER = re.compile(r"[0-9]{1,9}")


def _number(text: str) -> int | None:
    return int(text) if _NUMBER.fullmatch(text) and int(text) >= 1 else None


def _position(fragment: str) -> tuple[int | None, int | None]:
    line_text, _, column_text = fragment.partition(",")
    line = _number(line_text)
    column = _number(column_text) if line else None
    return line, column


def location(value: Any, prefix: str = "") -> dict[str, Any] | None:
    """A ``project:///path#line[,column]`` string as a document location, or None."""
    if not isinstance(value, str) or not value.startswith(f"{PROJECT_SCHEME}:"):
        return None
    parts = urlsplit(value)
    if parts.netloc:
        return None
    file = _relative(unquote(parts.path).lstrip("/"), prefix)
    if file is None:
        return None
    line, column = _position(parts.fragment)
    return _compact(file, line, column)


def from_file_uri(
    uri: str, line: int, column: int, project_root: Path, prefix: str = ""
) -> dict[str, Any] | None:
    """What the SDK sends the monitor (an absolute ``file://`` URI), if it is inside the project."""
    file = _project_file(uri, project_root, prefix)
    if file is None:
        return None
    return _compact(file, line if line >= 1 else None, column if line >= 1 and column >= 1 else None)


@lru_cache(maxsize=1024)
def _project_file(uri: str, project_root: Path, prefix: str) -> str | None:
    """The repository-relative path of a ``file://`` URI inside the project (cached: few files)."""
    parts = urlsplit(uri)
    if parts.scheme != FILE_SCHEME:
        return None
    try:
        rel = Path(unquote(parts.path)).relative_to(project_root).as_posix()
    except ValueError:
        return None
    if {"site-packages", "node_modules"} & set(rel.split("/")):
        return None  # a library in the project's own virtualenv or node_modules, not the user's code
    return _relative(rel, prefix)


def _compact(file: str, line: int | None, column: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"file": file}
    if line is not None:
        out["line"] = line
    if column is not None:
        out["column"] = column
    return out


def attach(resource: dict[str, Any], state: Any, prefix: str = "") -> dict[str, Any]:
    """``resource`` with the location of a Pulumi resource state's ``sourcePosition``, if it has one."""
    where = location(state.get("sourcePosition") if isinstance(state, dict) else None, prefix)
    if where is not None:
        resource["location"] = where
    return resource


def rebase(resources: list[dict[str, Any]], prefix: str) -> None:
    """Put the project's directory in front of each resource's location, once the project is known.

    A stack export or preview says paths relative to the project root; a source that learns where
    that root sits in the repository (``repo_prefix``) afterwards calls this on its resources.
    """
    if not prefix:
        return
    for r in resources:
        where = r.get("location")
        if isinstance(where, dict) and isinstance(where.get("file"), str):
            where["file"] = f"{prefix.rstrip('/')}/{where['file']}"
