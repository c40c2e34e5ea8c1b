"""Run a project's Node.js program (Pulumi.yaml ``runtime: nodejs``) under @pulumi/pulumi's own mocks.

The Node twin of ``program_venv``: the project's ``node``-side dependencies are what runs (its
``node_modules``, its @pulumi/pulumi and @pulumi/aws, its TypeScript setup as Pulumi's run.js sets
it up), driven by ``nodejs_runner.js``, which sesguard ships beside this module. The runner records
every registration in wire form, as the Python mock monitor does, plus the Node SDK's source
position (file, line and column of the ``new aws....`` call); this module turns positions into
document locations and everything else into the recorder ``program.run_stack`` reads.

Nothing is installed here: no ``node`` or no ``node_modules`` is exit 2 saying what to run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from sesguard.errors import InputError, SesguardError
from sesguard.project import Project
from sesguard.sources.common import positions

TIMEOUT = 300.0  # as a Python run's: a stack under mocks takes a few seconds at most
RUNNER = Path(__file__).with_name("nodejs_runner.js")
MOCK_ACCOUNT_ID = "123456789012"

# Lock file -> the command that installs exactly what it pins (first found wins, nearest folder first).
LOCK_FILES = (
    ("package-lock.json", "npm ci"),
    ("npm-shrinkwrap.json", "npm ci"),
    ("pnpm-lock.yaml", "pnpm install --frozen-lockfile"),
    ("yarn.lock", "yarn install --frozen-lockfile"),
    ("bun.lock", "bun install --frozen-lockfile"),
    ("bun.lockb", "bun install --frozen-lockfile"),
)


class Recorded:
    def __init__(self, resources: dict[str, Any], outputs: dict[str, Any]) -> None:
        self.resources = resources
        self.outputs = outputs


def entry(project: Project) -> tuple[Path, str]:
    """The folder the program runs in and its entry point, as Pulumi's Node.js host gives them.

    ``main`` unset or a folder: that folder, entry ``.`` (package.json ``main``/``exports`` decide);
    ``main`` a file: the project folder, entry that file.
    """
    if project.main_given is None:
        return project.root, "."
    if project.main.is_dir():
        return project.main, "."
    return project.root, project.main_given


def install_command(folder: Path) -> str:
    """What installs the project's packages, from the lock file nearest to ``folder``."""
    for candidate in (folder, *folder.parents):
        for lock, command in LOCK_FILES:
            if (candidate / lock).is_file():
                where = "" if candidate == Path.cwd().resolve() else f" (in {candidate})"
                return f"`{command}`{where}"
        if (candidate / ".git").exists():
            break
    return f"`npm install` (in {folder})" if folder != Path.cwd().resolve() else "`npm install`"


def _sdk_present(folder: Path) -> bool:
    # Node's own lookup: node_modules in the folder and in every folder above it.
    return any(
        (candidate / "node_modules" / "@pulumi" / "pulumi" / "package.json").is_file()
        for candidate in (folder, *folder.parents)
    )


def _node(project: Project) -> str:
    node = shutil.which("node")
    if node is None:
        raise InputError(
            str(project.file),
            "runtime nodejs: `node` is not on PATH: install Node.js (18 or later), then run "
            f"{install_command(project.root)}",
        )
    return node


def _typescript(project: Project) -> bool:
    value = project.options.get("typescript", True)
    if not isinstance(value, bool):
        raise InputError(str(project.file), "runtime.options.typescript must be true or false")
    return value


def _nodeargs(project: Project) -> list[str]:
    value = project.options.get("nodeargs")
    if value is None:
        return []
    if not isinstance(value, str):
        raise InputError(str(project.file), "runtime.options.nodeargs must be a string")
    try:
        return shlex.split(value)
    except ValueError as exc:
        raise InputError(str(project.file), f"runtime.options.nodeargs: {exc}") from None


def run(
    project: Project,
    stack: str,
    runtime_config: dict[str, str],
    secret_keys: list[str],
    computed: dict[str, tuple[str, ...]],
    dkim_computed: tuple[str, ...],
) -> Recorded:
    pwd, program = entry(project)
    tsconfig = project.options.get("tsconfig")
    if tsconfig is not None and not isinstance(tsconfig, str):
        raise InputError(str(project.file), "runtime.options.tsconfig must be a path")
    node = _node(project)
    if not _sdk_present(pwd):
        raise InputError(
            str(pwd / "node_modules"),
            f"no @pulumi/pulumi installed: run {install_command(pwd)} first, then sesguard check",
        )
    with tempfile.TemporaryDirectory(prefix="sesguard-node-") as scratch:
        answer_file = Path(scratch) / "answer.json"
        request = {
            "answer": str(answer_file),
            "pwd": str(pwd),
            "program": program,
            "project": project.name,
            "stack": stack,
            "typescript": _typescript(project),
            "tsconfig": tsconfig,
            "accountId": MOCK_ACCOUNT_ID,
            "computed": computed,
            "dkimComputed": list(dkim_computed),
        }
        env = dict(os.environ)
        # How Pulumi's Node.js host hands a program its config (the SDK reads these at startup).
        env["PULUMI_CONFIG"] = json.dumps(runtime_config)
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(secret_keys)
        env["PULUMI_NODEJS_PROJECT"] = project.name
        env["PULUMI_NODEJS_STACK"] = stack
        env["PULUMI_NODEJS_DRY_RUN"] = "true"
        try:
            done = subprocess.run(
                [node, *_nodeargs(project), str(RUNNER)],
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                cwd=pwd,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SesguardError(f"the program did not finish in {TIMEOUT:g}s under node") from None
        except OSError as exc:
            raise SesguardError(f"cannot run {node}: {exc.strerror or exc}") from None
        try:
            answer = json.loads(answer_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            answer = None
    if not isinstance(answer, dict):
        why = _last_error(done.stderr)
        raise SesguardError(f"the program failed under node (exit {done.returncode}): {why}")
    if isinstance(answer.get("error"), str):
        raise _failure(project, pwd, answer)
    resources, outputs = answer.get("resources"), answer.get("outputs")
    if not isinstance(resources, dict) or not isinstance(outputs, dict):
        raise SesguardError("unexpected answer from the mock run under node")
    return Recorded(_located(resources, project.root), _floats(outputs))


def _failure(project: Project, pwd: Path, answer: dict[str, Any]) -> SesguardError:
    message = answer["error"]
    kind = answer.get("kind")
    if kind == "no-sdk":
        return InputError(str(pwd / "node_modules"), f"{message}: run {install_command(pwd)} first")
    file, line = answer.get("file"), answer.get("line")
    if kind in ("typescript", "syntax") and isinstance(file, str):
        path = Path(file) if Path(file).is_absolute() else pwd / file
        where = project.relative(path) + (f":{line}" if isinstance(line, int) else "")
        return InputError(where, f"TypeScript error {message}" if kind == "typescript" else message)
    missing = re.search(r"Cannot find module '([^']+)'", message)
    if missing and not missing.group(1).startswith((".", "/")):
        # A package the program imports is not installed (a path is the program's own mistake).
        return SesguardError(f"{message.splitlines()[0]} (run {install_command(pwd)} first)")
    # Pulumi's messages hold newlines and tabs: one line of words, as for a Python program.
    return SesguardError(" ".join(message.split()))


def _last_error(stderr: str) -> str:
    """The line that says what went wrong when node died before the runner could answer."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]*(Error|Exception)\b", line)]
    return ((errors or lines or ["no output"])[-1])[:300]


def _floats(value: Any) -> Any:
    # The Python SDK's wire form (protobuf Struct) has only floats: a number reads the same either way.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


def _located(resources: dict[str, Any], root: Path) -> dict[str, Any]:
    prefix = positions.repo_prefix(root)
    out: dict[str, Any] = {}
    for urn, res in resources.items():
        if not isinstance(res, dict):
            raise SesguardError("unexpected answer from the mock run under node")
        res = {**res, "props": _floats(res.get("props") or {})}
        pos = res.pop("sourcePosition", None)
        res.pop("provider", None)
        if isinstance(pos, dict) and isinstance(pos.get("uri"), str):
            where = positions.from_file_uri(
                pos["uri"], int(pos.get("line") or 0), int(pos.get("column") or 0), root, prefix
            )
            if where is not None:
                res["location"] = where
        out[urn] = res
    return out
