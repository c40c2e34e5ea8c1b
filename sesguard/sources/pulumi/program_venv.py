"""Which Python runs a project's program, by Pulumi's own rules, and the run in that Python.

Pulumi's rules (sdk/python/toolchain): ``toolchain: pip`` (the default) with
``runtime.options.virtualenv`` runs that virtualenv's python; without one, the ``python3`` on
``PATH`` (``PULUMI_PYTHON_CMD`` when set), which is an activated virtualenv's. ``toolchain: uv``
runs the environment uv keeps: ``virtualenv`` when declared, else ``.venv`` beside the nearest
``uv.lock``, else beside the nearest ``pyproject.toml``, else in the project. ``toolchain:
poetry`` runs the environment ``poetry env info -p`` names. Never sesguard's own interpreter
unless it is that one: then the program runs in-process.

sesguard's mock runner must be importable by that interpreter without sesguard's environment
shadowing the project's: only the ``sesguard`` package is made visible, through a temporary folder
holding a link to it, and the child imports nothing of sesguard's dependencies beyond what a Pulumi
program's environment has (pulumi, protobuf, PyYAML). The child reads the run's request as JSON
on stdin and writes the recorded registrations as JSON on its stdout; the program's own output
goes to stderr.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sesguard.errors import InputError, SesguardError
from sesguard.project import Project
from sesguard.sources.pulumi import sdk

TIMEOUT = 300.0  # as a forked worker's: a stack under mocks takes well under a second
PROBE_TIMEOUT = 60.0
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from sesguard.sources.pulumi import program_child; sys.exit(program_child.main())"
)
# What every SES program imports; an environment without them cannot run it.
_NEEDED = ("pulumi", "pulumi_aws")
# Which of the modules is missing, then the pulumi SDK's version ("" without one).
_PROBE = """import importlib.metadata, importlib.util, sys
missing = [m for m in sys.argv[1:] if importlib.util.find_spec(m) is None]
try:
    version = importlib.metadata.version("pulumi")
except importlib.metadata.PackageNotFoundError:
    version = ""
print(",".join(missing) + "|" + version)
"""
_BIN = "Scripts" if sys.platform == "win32" else "bin"
_EXE = "python.exe" if sys.platform == "win32" else "python"


def interpreter(project: Project) -> Path | None:
    """The Python that runs the program when it is not the one running sesguard; else None
    (run in-process). Exit 2, once, naming what to do when that Python cannot run it."""
    return _interpreter(project, os.environ.get("PATH", ""), os.environ.get("PULUMI_PYTHON_CMD", ""))


@functools.lru_cache(maxsize=8)
def _interpreter(project: Project, path: str, python_cmd: str) -> Path | None:
    python = _python(project, path, python_cmd)
    running = _is_running(python)
    if running:
        missing = _missing_in_process()
    else:
        missing, version = _probe(python, project)
        if "pulumi" not in missing:
            # An SDK too old to run is named before a missing pulumi-aws, which the upgrade may
            # bring anyway.
            sdk.require_supported(version, str(python))
    if missing:
        what = f"{python} has no module {', '.join(missing)}"
        raise InputError(str(project.file), f"{what}: {setup_hint(project)}")
    return None if running else python


def _python(project: Project, path: str, python_cmd: str) -> Path:
    if project.toolchain == "poetry":
        return _venv_python(project, _poetry_env(project), "Poetry's environment")
    if project.toolchain == "uv":
        venv = project.virtualenv or _uv_env(project.root)
        return _venv_python(project, venv, "uv's environment")
    if project.virtualenv is not None:
        return _venv_python(project, project.virtualenv, f"runtime.options.virtualenv {project.virtualenv}")
    if python_cmd:
        names = [python_cmd]
    else:  # Windows' python.org installer has no python3
        names = ["python", "python3"] if sys.platform == "win32" else ["python3", "python"]
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return Path(found)
    what = f"no {' or '.join(names)} on PATH to run the program"
    raise InputError(str(project.file), f"{what}: {setup_hint(project)}")


def _venv_python(project: Project, venv: Path, what: str) -> Path:
    python = venv / _BIN / _EXE
    if not python.is_file():
        raise InputError(str(project.file), f"{what} does not exist: {setup_hint(project, venv)}")
    return python


def _search_up(start: Path, name: str) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / name).is_file():
            return folder
    return None


def _uv_env(root: Path) -> Path:
    if os.environ.get("UV_PROJECT_ENVIRONMENT"):
        return (root / os.environ["UV_PROJECT_ENVIRONMENT"]).absolute()
    folder = _search_up(root, "uv.lock") or _search_up(root, "pyproject.toml") or root
    return folder / ".venv"


def _poetry_env(project: Project) -> Path:
    poetry = shutil.which("poetry")
    if poetry is None:
        raise InputError(
            str(project.file),
            "toolchain: poetry, but `poetry` is not on PATH: install Poetry (pipx install poetry), "
            f"then `poetry install` in {project.root}",
        )
    try:
        done = subprocess.run(
            [poetry, "env", "info", "--path"],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(str(project.file), f"`poetry env info --path` failed: {exc}") from None
    path = done.stdout.strip()
    if done.returncode != 0 or not path:
        what = "Poetry has no environment for the project"
        raise InputError(str(project.file), f"{what}: {setup_hint(project)}")
    return Path(path)


def _is_running(python: Path) -> bool:
    """Whether ``python`` is the interpreter running sesguard (a venv's link to a base counts as
    its venv, not the base)."""
    prefix = python.parent.parent
    if (prefix / "pyvenv.cfg").is_file():
        return prefix.resolve() == Path(sys.prefix).resolve()
    return sys.prefix == sys.base_prefix and python.resolve() == Path(sys.executable).resolve()


def _missing_in_process() -> list[str]:
    import importlib.util

    return [m for m in _NEEDED if importlib.util.find_spec(m) is None]


def _probe(python: Path, project: Project) -> tuple[list[str], str | None]:
    """The modules ``python`` lacks, and the version of its pulumi SDK (None without one)."""
    try:
        done = subprocess.run(
            [str(python), "-c", _PROBE, *_NEEDED],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            cwd=project.root,
            env=_env(python),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(str(project.file), f"cannot run {python}: {exc}") from None
    if done.returncode != 0:
        raise InputError(str(project.file), f"cannot run {python} (exit {done.returncode})")
    missing, _, version = done.stdout.strip().rpartition("\n")[2].partition("|")
    return [m for m in missing.split(",") if m], version or None


def setup_hint(project: Project, venv: Path | None = None) -> str:
    """What to run, without the Pulumi CLI, to give the program the environment Pulumi would."""
    where = project.root
    if project.toolchain == "uv":
        folder = venv.parent if venv is not None else where
        install = "" if shutil.which("uv") else "install uv (pipx install uv), then "
        return f"{install}run `uv sync` in {folder}"
    if project.toolchain == "poetry":
        return f"run `poetry install` in {where}"
    deps = "-r requirements.txt" if (where / "requirements.txt").is_file() else "pulumi pulumi-aws"
    if project.virtualenv_option:
        venv_dir = project.virtualenv_option
        return f"in {where} run `python3 -m venv {venv_dir} && {venv_dir}/{_BIN}/pip install {deps}`"
    return (
        f"in {where} run `python3 -m venv venv && venv/{_BIN}/pip install {deps}`, then activate it "
        "or declare it in Pulumi.yaml (runtime.options.virtualenv: venv)"
    )


def _env(python: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    prefix = python.parent.parent
    if (prefix / "pyvenv.cfg").is_file():  # as Pulumi activates the virtualenv it runs
        env["VIRTUAL_ENV"] = str(prefix)
        env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    return env


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
        env = _env(python)
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
        hint = f": {setup_hint(project)}" if "missing" in answer else ""
        raise SesguardError(answer["error"] + hint)
    if done.returncode != 0 or not isinstance(answer, dict):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SesguardError(f"the program failed with {python} (exit {done.returncode}): {last[:300]}")
    resources, outputs = answer.get("resources"), answer.get("outputs")
    if not isinstance(resources, dict) or not isinstance(outputs, dict):
        raise SesguardError(f"unexpected answer from the mock run under {python}")
    return _Recorded(resources, outputs)
