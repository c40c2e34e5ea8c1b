"""Which Python runs a project's program: Pulumi's own rules (issue 22).

A project that declares no virtualenv runs with the `python3` on PATH (an activated virtualenv),
never sesguard's own interpreter; `toolchain: uv` runs uv's `.venv`; `toolchain: poetry` the
environment `poetry env info --path` names. When that Python cannot run the program, one line
says what to run without the Pulumi CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import ROOT, Run, sesguard

pytestmark = pytest.mark.slow

PROJECTS = ROOT / "tests" / "fixtures" / "projects"
VENV = Path(sys.prefix)  # this checkout's virtualenv: pulumi and pulumi-aws
POETRY = "poetry==2.5.1"


@pytest.fixture(scope="session")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv without pulumi: what a user's shell has before `pip install -r requirements.txt`."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    return venv


@pytest.fixture(scope="session")
def poetry_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Poetry from PyPI in a virtualenv of its own, as `pipx install poetry` gives it."""
    venv = tmp_path_factory.mktemp("poetry") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "--no-compile", POETRY],
        check=True,
        timeout=540,
        capture_output=True,
    )
    return venv / "bin"


def newsletter(tmp_path: Path, options: str = "toolchain: pip") -> Path:
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    (project / "requirements.txt").write_text("pulumi>=3.0.0,<4.0.0\npulumi-aws>=7.0.0,<8.0.0\n", "utf-8")
    pulumi_yaml = project / "Pulumi.yaml"
    pulumi_yaml.write_text(pulumi_yaml.read_text("utf-8").replace("toolchain: pip", options), "utf-8")
    return project


def check(project: Path, path_first: Path, **extra: str) -> Run:
    """`sesguard check` with ``path_first`` leading PATH, as after `source <venv>/bin/activate`."""
    env = {"PATH": os.pathsep.join([str(path_first), "/usr/bin", "/bin"]), **extra}
    return sesguard("check", "--format", "json", cwd=project, env=env)


def rules(run: Run) -> set[str]:
    [result] = json.loads(run.stdout)["results"]
    return {f["rule"] for f in result["findings"]}


# --- no virtualenv declared: the python3 on PATH ------------------------------------------------


def test_without_a_declared_virtualenv_the_python_on_path_runs_it(tmp_path: Path, bare: Path) -> None:
    """sesguard's own interpreter has pulumi-aws; the activated one does not: that one decides."""
    project = newsletter(tmp_path)
    shutil.copy(project / "Pulumi.dev.yaml", project / "Pulumi.prod.yaml")
    run = check(project, bare / "bin")
    assert run.code == 2 and run.stdout == ""
    assert len(run.err_lines) == 1, run.stderr  # once, not once a stack
    assert f"{bare}/bin/python3 has no module pulumi, pulumi_aws" in run.stderr
    assert "python3 -m venv venv && venv/bin/pip install -r requirements.txt" in run.stderr
    assert "runtime.options.virtualenv: venv" in run.stderr
    assert "pulumi install" not in run.stderr


def test_an_activated_virtualenv_with_the_dependencies_runs_it(tmp_path: Path) -> None:
    run = check(newsletter(tmp_path), VENV / "bin")
    assert run.code == 1, run.stderr
    assert {"SES-004", "SES-005", "SES-008"} <= rules(run)


def test_a_missing_declared_virtualenv_says_how_to_create_it(tmp_path: Path) -> None:
    project = newsletter(tmp_path, "toolchain: pip\n    virtualenv: venv")
    run = check(project, VENV / "bin")
    assert run.code == 2 and len(run.err_lines) == 1
    assert "does not exist" in run.stderr
    assert "run `python3 -m venv venv && venv/bin/pip install -r requirements.txt`" in run.stderr


def test_a_program_importing_what_is_not_installed_says_to_install_the_requirements(tmp_path: Path) -> None:
    project = newsletter(tmp_path)
    main = project / "__main__.py"
    main.write_text("import sesguard_no_such_dependency\n" + main.read_text("utf-8"), "utf-8")
    run = check(project, VENV / "bin")
    assert run.code == 2 and len(run.err_lines) == 1
    assert "No module named 'sesguard_no_such_dependency'" in run.stderr
    assert "pip install -r requirements.txt" in run.stderr


# --- toolchain: uv ------------------------------------------------------------------------------


def test_uv_runs_the_venv_beside_pyproject(tmp_path: Path, bare: Path) -> None:
    """uv's environment (`.venv` beside pyproject.toml), not the activated python3 (bare)."""
    project = newsletter(tmp_path, "toolchain: uv")
    (project / "pyproject.toml").write_text('[project]\nname = "newsletter"\nversion = "0"\n', "utf-8")
    (project / ".venv").symlink_to(VENV, target_is_directory=True)
    run = check(project, bare / "bin")
    assert run.code == 1, run.stderr
    assert {"SES-004", "SES-005", "SES-008"} <= rules(run)


def test_uv_without_its_venv_or_uv_says_what_to_install(tmp_path: Path, bare: Path) -> None:
    project = newsletter(tmp_path, "toolchain: uv")
    run = check(project, bare / "bin")
    assert run.code == 2 and len(run.err_lines) == 1
    assert "uv's environment does not exist" in run.stderr
    assert "install uv (pipx install uv), then run `uv sync` in" in run.stderr


# --- toolchain: poetry --------------------------------------------------------------------------


def test_poetry_absent_says_to_install_it(tmp_path: Path, bare: Path) -> None:
    run = check(newsletter(tmp_path, "toolchain: poetry"), bare / "bin")
    assert run.code == 2 and len(run.err_lines) == 1
    assert "`poetry` is not on PATH: install Poetry" in run.stderr


def test_poetry_runs_the_environment_poetry_names(tmp_path: Path, bare: Path, poetry_bin: Path) -> None:
    project = newsletter(tmp_path, "toolchain: poetry")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "newsletter"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "[tool.poetry]\npackage-mode = false\n",
        "utf-8",
    )
    (project / ".venv").symlink_to(VENV, target_is_directory=True)
    path = os.pathsep.join([str(bare / "bin"), str(poetry_bin)])
    run = check(
        project, Path(path), POETRY_VIRTUALENVS_IN_PROJECT="true", POETRY_CACHE_DIR=str(tmp_path / "c")
    )
    assert run.code == 1, run.stderr
    assert {"SES-004", "SES-005", "SES-008"} <= rules(run)


def test_poetry_without_an_environment_says_poetry_install(
    tmp_path: Path, bare: Path, poetry_bin: Path
) -> None:
    project = newsletter(tmp_path, "toolchain: poetry")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "newsletter"\nversion = "0.1.0"\n[tool.poetry]\npackage-mode = false\n', "utf-8"
    )
    path = os.pathsep.join([str(bare / "bin"), str(poetry_bin)])
    run = check(
        project,
        Path(path),
        POETRY_VIRTUALENVS_IN_PROJECT="true",
        POETRY_CACHE_DIR=str(tmp_path / "cache"),
    )
    assert run.code == 2 and len(run.err_lines) == 1, run.stderr
    assert f"run `poetry install` in {project}" in run.stderr
