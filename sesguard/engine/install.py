"""Installing the embedded OPA engine into the Python that runs sesguard.

opa-golib-python-bindings 0.4.4 declares Python >= 3.14, so on 3.14 it is an ordinary dependency
of the wheel; its ctypes wrapper runs on 3.11-3.13 too, where pip must be told to ignore that
declaration. The pip is always ``sys.executable -I -m pip``: the one of the environment (venv,
pipx, system) sesguard itself runs in, whichever `pip` is first on PATH or in the current
directory; the engine is pinned by version and by its wheels' hashes.
"""

from __future__ import annotations

import importlib
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sesguard.errors import SesguardError

PACKAGE = "opa-golib-python-bindings==0.4.4"
# PACKAGE with the sha256 of each of its wheels (package data: the file says where they came from).
REQUIREMENTS = Path(__file__).resolve().with_name("engine-requirements.txt")
COMMAND = "sesguard engine install"
MISSING = f"the embedded OPA engine is not installed: run `{COMMAND}` (or use --opa-url URL)"
TIMEOUT = 600.0


def pip_command(python: str | None = None, *extra: str) -> list[str]:
    """``python -I -m pip install`` of the engine, pinned by version and hash.

    ``-I`` (isolated mode): the current directory is not put first on ``sys.path``, so a
    repository's own ``pip/__main__.py`` (a pre-commit hook runs in the repository) is not what
    runs, and no ``PYTHON*`` variable changes the interpreter. ``--require-hashes``: pip installs
    only a file whose sha256 is listed.
    """
    return [
        python or sys.executable,
        "-I",
        "-m",
        "pip",
        "install",
        *extra,
        "--disable-pip-version-check",
        "--no-deps",
        "--ignore-requires-python",
        "--require-hashes",
        "-r",
        str(REQUIREMENTS),
    ]


def installed() -> bool:
    importlib.invalidate_caches()  # just installed by this process's pip: look again
    try:
        import opa_bindings  # noqa: F401
    except ImportError:
        return False
    return True


def describe(command: list[str]) -> str:
    return shlex.join(command)


def ensure(log: Callable[[str], None]) -> None:
    """Install the engine into this Python when it is missing (the travelling pack's start)."""
    if installed():
        return
    command = pip_command()
    log(f"the embedded OPA engine is missing: running {describe(command)}")
    try:
        done = subprocess.run(command, timeout=TIMEOUT, check=False, capture_output=True, text=True)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SesguardError(f"{describe(command)}: {exc}") from None
    if done.returncode != 0 or not installed():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SesguardError(f"{describe(command)} failed (exit {done.returncode}): {last[:200]}")
