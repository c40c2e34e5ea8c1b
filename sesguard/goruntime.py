"""Go's garbage collector for the embedded OPA, chosen before the process loads it.

Compiling the pack is most of a small run (0.15-0.2 s of a 0.3 s `check --state`), and at Go's
default GOGC=100 over a heap of tens of MB the collector runs dozens of times during it, on the
second core that the Python side needs meanwhile. With GOGC=400 fewer collections run, for 17 MiB
more peak RSS (bench/user_wait.py measures both ways, side by side).

Go reads GOGC once, at the runtime's start, and a c-shared library takes it from the environment
block the *process* started with: setting ``os.environ`` before the library loads changes nothing
(measured). So the installed command, when its run is small, starts itself again with GOGC set:
one interpreter start (about 0.025 s) against the collections saved (measured: 271 ms against
286 ms on an idle machine, 377 against 426 ms at load 2; more under load, where the collector's
work competes with Python's for the two cores).

It does not when:
- the user set GOGC or GOMEMLIMIT: theirs is the setting;
- the command compiles no Rego here (``status``, ``bundle``, ``--help``, or ``--opa-url``: an OPA
  server evaluates);
- the run reads standard input (``-``: its size is unknown) or names a file over ``SMALL_INPUT``:
  a big stack's heap is GBs, and GOGC=400 would let it grow to five times what it holds (Go's
  default lets it grow to twice);
- the platform is not POSIX (``exec`` is a new process on Windows, which breaks waiting callers).

Once Go has read it, the restarted process takes GOGC out of ``os.environ`` again (``forget``),
so a program, pip or Pulumi it runs does not inherit a setting meant for OPA. Not before: glibc's
``unsetenv`` edits the startup block in place, which is where Go reads it (measured: taking it out
first left Go at its default).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence

GOGC = "400"
# The marker the restarted process recognises as its own doing (never the user's GOGC).
_MARK = "SESGUARD_GOGC_SET"
# A stack document's OPA heap is about 6x its file (the engine's projection, then OPA's value
# tree); at 4 MiB GOGC=400 adds at most ~100 MB.
SMALL_INPUT = 4 * 1024 * 1024
# The commands that compile the pack.
COMPILING = frozenset({"check", "audit", "dns", "request", "test"})


def is_small(argv: Sequence[str], size_of: Callable[[str], int | None]) -> bool:
    """Whether the run ``argv`` (without the program name) names no input of unknown or big size.

    Every argument, and the value of an ``--option=value``, that is a regular file counts by its
    size; a directory (a project) or a stack name reads only a program's own output.
    """
    for arg in argv:
        value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
        if value == "-":
            return False
        size = size_of(value)
        if size is not None and size > SMALL_INPUT:
            return False
    return True


def _file_size(path: str) -> int | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_size if os.path.isfile(path) else None


def wants_restart(argv: Sequence[str], environ: Mapping[str, str], platform: str = os.name) -> bool:
    return (
        platform == "posix"
        and "GOGC" not in environ
        and "GOMEMLIMIT" not in environ
        and _MARK not in environ
        and bool(argv)
        and argv[0] in COMPILING
        and not any(a == "--opa-url" or a.startswith("--opa-url=") for a in argv)
        and is_small(argv[1:], _file_size)
    )


def settle() -> None:
    """First thing of a run: restart with GOGC when the run is small (the process is replaced and
    this does not return)."""
    if not wants_restart(sys.argv[1:], os.environ):
        return
    os.environ["GOGC"] = GOGC
    os.environ[_MARK] = GOGC
    try:
        # sys.orig_argv: the interpreter's own options and how it was started (the console
        # script, ``-m sesguard``, ``-c``), exactly as the user's shell gave them.
        os.execv(sys.executable, sys.orig_argv)
    except OSError:  # cannot start again (no executable?): run as is, only slower
        forget()


def forget() -> None:
    """Take the GOGC ``settle`` set out of the environment children inherit; call it once the Go
    runtime has started (it has its own copy by then). A GOGC of the user's own stays."""
    if os.environ.get(_MARK) == GOGC:
        del os.environ[_MARK]
        os.environ.pop("GOGC", None)
