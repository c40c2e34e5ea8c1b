"""The embedded engine's install command, and what every command says when the engine is missing."""

from __future__ import annotations

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
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-deps",
        "--ignore-requires-python",
        "opa-golib-python-bindings==0.4.4",
    ]


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
