"""Sources: each turns one kind of input into the stack document (DESIGN: source -> document).

File sources are read by ``load(kind, path)``; the program source (``program.run_stack``) and its
parallel runner (``parallel``) run the Pulumi program under mocks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from checks.document import Document

FILE_SOURCES = ("preview", "state", "document")


def loader(kind: str) -> Callable[[str | Path], Document]:
    if kind == "preview":
        from checks.sources import preview

        return preview.load
    if kind == "state":
        from checks.sources import state

        return state.load
    if kind == "document":
        from checks.sources import document

        return document.load
    raise ValueError(f"unknown file source {kind!r}")


def load(kind: str, path: str | Path) -> Document:
    """The stack document of a file source; InputError (exit 2) names the file and the problem."""
    return loader(kind)(path)
