"""Virtualenvs that each hold one real Pulumi SDK version from PyPI, for running a project's program.

Each is made once and kept in a cache folder keyed by the interpreter and the versions
(``$SESGUARD_TEST_CACHE`` or ``~/.cache/sesguard-tests``, then ``pulumi-sdks/``): about a minute
to build, instant afterwards. A lock file lets pytest-xdist workers share one build; a marker
written last means a build that was interrupted is rebuilt, never used half made.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

STEP_TIMEOUT = 540  # each pip step alone stays under the 10-minute ceiling for one command
_MARKER = ".sesguard-complete"


def cache_dir() -> Path:
    base = os.environ.get("SESGUARD_TEST_CACHE") or str(Path.home() / ".cache" / "sesguard-tests")
    return Path(base) / "pulumi-sdks"


def _step(what: str, cmd: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False, env=env)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n{tail}")


def venv(pulumi: str, pulumi_aws: str | None) -> Path:
    """The virtualenv with ``pulumi==<pulumi>`` (and ``pulumi-aws==<pulumi_aws>`` when given)."""
    py = f"py{sys.version_info.major}.{sys.version_info.minor}"
    key = f"{py}-pulumi-{pulumi}" + (f"-aws-{pulumi_aws}" if pulumi_aws else "")
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    path = root / key
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (path / _MARKER).is_file():
            return path
        shutil.rmtree(path, ignore_errors=True)
        # The base interpreter, not this virtualenv's: the project's virtualenv is its own.
        base = getattr(sys, "_base_executable", sys.executable)
        _step("python -m venv", [base, "-m", "venv", str(path)])
        wanted = [f"pulumi=={pulumi}"] + ([f"pulumi-aws=={pulumi_aws}"] if pulumi_aws else [])
        _step(
            f"pip install {' '.join(wanted)}",
            [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", *wanted],
        )
        (path / _MARKER).write_text(" ".join(wanted) + "\n", "utf-8")
    return path
