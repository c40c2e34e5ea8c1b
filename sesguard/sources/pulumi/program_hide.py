"""While a program runs under mocks, nothing of sesguard is there for it to find by name.

A program can behave differently when it knows it is being judged (declare ``p=reject`` only when
sesguard's modules are loaded). No mock runner can rule that out: the program runs in a process
sesguard started, and a determined program can still inspect its call stack or the installed
distributions. So program mode is fast feedback, and the deploy gate is the policy pack inside
``pulumi preview``/``up`` or a preview/export judged with ``--preview``/``--state`` (README,
docs/program.md). What this module removes are the obvious probes, for the run's duration:

- ``sesguard`` and its submodules are taken out of ``sys.modules``;
- importing ``sesguard`` (``import``, ``importlib.import_module``, ``importlib.util.find_spec``)
  fails as for a module that is not installed, except for sesguard's own code (the mocks, a
  background compilation), which gets the very module objects it was using;
- ``sys.argv`` is the program's path, as for ``python __main__.py``, not ``sesguard check ...``.

Everything is put back when the run ends, however it ends.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE = "sesguard"
_PACKAGE_DIR = str(Path(__file__).resolve().parents[2])
_IMPORT_MACHINERY = ("<frozen importlib", "importlib/")


def _ours(name: str) -> bool:
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def _asked_by_sesguard() -> bool:
    """Whether the import being resolved comes from sesguard's own code (not the program's)."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename != __file__ and not any(m in filename for m in _IMPORT_MACHINERY):
            return str(Path(filename).resolve()).startswith(_PACKAGE_DIR)
        frame = frame.f_back  # type: ignore[assignment]
    return False


class _Saved(importlib.abc.Loader):
    """Hands back a module sesguard already loaded, as it was (its own ``__spec__`` kept: package
    data is found through it)."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self.spec


class _Hider(importlib.abc.MetaPathFinder):
    def __init__(self, saved: dict[str, ModuleType]) -> None:
        self.saved = saved

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not _ours(fullname):
            return None
        if not _asked_by_sesguard():
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        module = self.saved.get(fullname)
        if module is None:
            # A module sesguard had not loaded yet, found in its package's folder (the venv
            # child's link folder is no longer on sys.path).
            return importlib.machinery.PathFinder.find_spec(fullname, path)
        return importlib.machinery.ModuleSpec(
            fullname, _Saved(module), origin=getattr(module, "__file__", None)
        )


@contextmanager
def hidden(program: Path) -> Iterator[None]:
    """sesguard out of sight of the program at ``program`` (its ``__main__.py``) for the block."""
    saved = {name: mod for name, mod in list(sys.modules.items()) if _ours(name)}
    for name in saved:
        del sys.modules[name]
    hider = _Hider(saved)
    sys.meta_path.insert(0, hider)
    argv: list[Any] = sys.argv
    sys.argv = [str(program)]
    try:
        yield
    finally:
        sys.argv = argv
        if hider in sys.meta_path:
            sys.meta_path.remove(hider)
        # What sesguard's own code loaded during the run stays; the rest is put back as it was.
        sys.modules.update(saved)
