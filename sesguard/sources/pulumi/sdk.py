"""Which Pulumi SDK runs the program, and whether sesguard's mock runner supports it.

The runner drives the SDK's own entry point (``run_in_stack`` under ``set_mocks``), whose contract
changed in 3.254 (it awaits the program; before, it called it inside the Stack's constructor), so
each supported version is exercised by the tests in a virtualenv of its own. Below the oldest
supported version the run stops with one line naming both versions, never a guess.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
import sys

from sesguard.errors import SesguardError

# The oldest SDK whose documentation Pulumi still publishes (its versioned SDK docs start at
# v3.150.0) and the oldest the tests run programs under (tests/test_program_sdks.py).
MINIMUM = (3, 150, 0)


@functools.cache
def installed() -> str | None:
    """The version of the ``pulumi`` distribution this interpreter imports; None without one."""
    try:
        return importlib.metadata.version("pulumi")
    except importlib.metadata.PackageNotFoundError:
        return None


def parse(version: str) -> tuple[int, int, int] | None:
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def require_supported(version: str | None = None, python: str | None = None) -> None:
    """Stop (exit 2) when the SDK (``version`` of ``python``; default: the running one's) is older
    than MINIMUM or cannot be told."""
    if python is None:
        version, python = installed(), sys.prefix
    minimum = ".".join(map(str, MINIMUM))
    if version is None:
        raise SesguardError(
            f"the program's Python ({python}) has no pulumi package: install the project's "
            f"requirements there (pip install -r requirements.txt), pulumi {minimum} or later"
        )
    parsed = parse(version)
    if parsed is not None and parsed >= MINIMUM:
        return
    raise SesguardError(
        f"the program's Python ({python}) has pulumi {version}; sesguard runs programs with "
        f"pulumi {minimum} or later: upgrade it there (pip install 'pulumi>={minimum}')"
    )
