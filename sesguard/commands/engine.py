"""`sesguard engine install`: install the embedded OPA engine into the Python running sesguard.

Runs `<this Python> -I -m pip install --no-deps --ignore-requires-python --require-hashes -r
<sesguard>/engine/engine-requirements.txt` (opa-golib-python-bindings==0.4.4 and the sha256 of each
of its wheels) and prints that command first. Needed on Python 3.11-3.13 (on 3.14 the wheel's own dependency
installs it); `--opa-url URL` evaluates on an OPA server instead.
"""

from __future__ import annotations

import argparse
import subprocess
from typing import Any

from sesguard import judging
from sesguard.commands import options
from sesguard.engine import install
from sesguard.errors import SesguardError


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(subparsers, "engine", "manage the embedded OPA engine", __doc__)
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("install", help="install the embedded OPA engine with this Python's pip")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if install.installed():
        print(f"sesguard: the embedded OPA engine ({install.PACKAGE}) is already installed")
        return judging.EXIT_PASS
    command = install.pip_command()
    print(f"sesguard: running {install.describe(command)}", flush=True)
    try:
        done = subprocess.run(command, timeout=install.TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SesguardError(f"{install.describe(command)}: {exc}") from None
    if done.returncode != 0:
        raise SesguardError(f"{install.describe(command)} failed (exit {done.returncode})")
    if not install.installed():
        raise SesguardError(f"{install.PACKAGE} was installed but cannot be imported by {command[0]}")
    print("sesguard: embedded OPA engine installed")
    return judging.EXIT_PASS
