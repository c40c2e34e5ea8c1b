"""Run a project's Python program with the project's own virtualenv (Pulumi.yaml
`runtime.options.virtualenv`), so its own dependencies and pulumi-aws version are what runs.

sesguard's mock runner must be importable by that interpreter without sesguard's environment
shadowing the project's: only the ``sesguard`` package is made visible, through a temporary folder
holding a link to it, and the child imports nothing of sesguard's dependencies beyond what a Pulumi
program's environment has (pulumi, protobuf, PyYAML). The child reads the run's request as JSON
on stdin and writes the recorded registrations as JSON on its stdout; the program's own output
goes to stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sesguard.errors import InputError, SesguardError
from sesguard.project import Project

TIMEOUT = 300.0  # as a forked worker's: a stack under mocks takes well under a second
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from sesguard.sources.pulumi import program_child; sys.exit(program_child.main())"
)


def interpreter(project: Project) -> Path | None:
    """The virtualenv's Python when it is not the one running sesguard; else None (run in-process)."""
    python = project.python()
    if python is None or project.virtualenv is None:
        return None
    if project.virtualenv.resolve() == Path(sys.prefix).resolve():
        return None
    if not python.exists():
        raise InputError(
            str(project.file),
            f"runtime.options.virtualenv {project.virtualenv} does not exist: create it first "
            f"(`pulumi install` in {project.root})",
        )
    return python


class _Recorded:
    def __init__(self, resources: dict[str, Any], outputs: dict[str, Any]) -> None:
        self.resources = resources
        self.outputs = outputs


def run(
    python: Path,
    project: Project,
    stack: str,
    runtime_config: dict[str, str],
    secret_keys: list[str],
) -> _Recorded:
    request = {
        "main": str(project.main),
        "root": str(project.root),
        "project": project.name,
        "stack": stack,
        "config": runtime_config,
        "secretKeys": secret_keys,
    }
    package_dir = Path(__file__).resolve().parents[2]  # the sesguard package folder
    # A neutral folder name: the program sees it on sys.path until the child takes it off.
    with tempfile.TemporaryDirectory() as link_dir:
        os.symlink(package_dir, Path(link_dir) / "sesguard", target_is_directory=True)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["VIRTUAL_ENV"] = str(project.virtualenv)
        try:
            done = subprocess.run(
                [str(python), "-c", _BOOTSTRAP, link_dir],
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                cwd=project.root,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SesguardError(f"the program did not finish in {TIMEOUT:g}s with {python}") from None
        except OSError as exc:
            raise SesguardError(f"cannot run {python}: {exc.strerror or exc}") from None
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None
    except ValueError:
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        raise SesguardError(answer["error"])
    if done.returncode != 0 or not isinstance(answer, dict):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SesguardError(f"the program failed with {python} (exit {done.returncode}): {last[:300]}")
    resources, outputs = answer.get("resources"), answer.get("outputs")
    if not isinstance(resources, dict) or not isinstance(outputs, dict):
        raise SesguardError(f"unexpected answer from the mock run under {python}")
    return _Recorded(resources, outputs)
