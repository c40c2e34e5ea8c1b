"""The pre-commit hooks (.pre-commit-hooks.yaml) used as a user uses them: `repo:` this repository.

A temporary Git repository holds a small Python Pulumi project (tests/fixtures/precommit: Pulumi.yaml,
__main__.py, stacks/Pulumi.dev.yaml) and a .pre-commit-config.yaml naming a snapshot of this
repository's working tree at a commit, exactly the configuration `pre-commit try-repo` writes. The
hook is installed with `pre-commit install`; then a commit whose program drops the complaint-rate
alarm is refused with SES-022's finding, and the commit that puts it back goes through.

pre-commit builds the hook's environment itself (`pip install` of this repository, then the
wrapper installs the engine on first use), so this test needs the package index and takes minutes;
the environment is built once and shared by both commits (`pre-commit try-repo` would build it
anew for each run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "precommit"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
COMPLAINT_ALARM = '    ("complaint-rate", "Reputation.ComplaintRate", 0.001),\n'


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60
    ).stdout.strip()


def _new_repo(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    _git("init", "-q", "-b", "main", cwd=path)
    _git("config", "user.email", "dev@example.com", cwd=path)
    _git("config", "user.name", "dev", cwd=path)
    _git("config", "commit.gpgsign", "false", cwd=path)


def _snapshot_of_this_repository(dest: Path) -> str:
    # What `pre-commit try-repo` does for a working tree with uncommitted changes: commit the
    # tree as it is to a repository of its own, and name that commit as the rev.
    _new_repo(dest)
    files = _git("ls-files", "-co", "--exclude-standard", "-z", cwd=ROOT).split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "snapshot", cwd=dest)
    return _git("rev-parse", "HEAD", cwd=dest)


def _commit(project: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    _git("add", "-A", cwd=project)
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


@pytest.mark.slow
def test_hook_refuses_a_violating_commit_and_passes_a_compliant_one(tmp_path: Path) -> None:
    hooks = tmp_path / "sesguard"
    rev = _snapshot_of_this_repository(hooks)

    project = tmp_path / "mailer"
    _new_repo(project)
    shutil.copytree(FIXTURE, project, dirs_exist_ok=True)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: sesguard-check\n"
        # The program declares no virtualenv, so it runs in the hook's environment, which needs
        # the program's own dependency, as docs/ci.md shows.
        '        additional_dependencies: ["pulumi-aws==7.51.1"]\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRTUAL_ENV", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    # pip installs without compiling every module to bytecode (pulumi-aws alone is 3,000 files,
    # 119 MB, most of the environment's build); what the hook imports is compiled when first
    # imported. pip reads a negated option's variable inverted: PIP_NO_COMPILE=0 is --no-compile.
    env["PIP_NO_COMPILE"] = "0"
    subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=project, env=env, check=True, capture_output=True, timeout=60
    )

    program = project / "__main__.py"
    compliant = program.read_text("utf-8")
    assert COMPLAINT_ALARM in compliant
    program.write_text(compliant.replace(COMPLAINT_ALARM, ""))
    refused = _commit(project, env, "drop the complaint alarm")
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0, out
    assert "SES-022" in out and "mandatory" in out, out
    assert "Traceback" not in out
    assert subprocess.run(
        ["git", "rev-parse", "--verify", "HEAD"], cwd=project, capture_output=True
    ).returncode

    program.write_text(compliant)
    passed = _commit(project, env, "mail through SES")
    out = passed.stdout + passed.stderr
    assert passed.returncode == 0, out
    assert "sesguard check" in out and "Passed" in out, out
    assert _git("log", "--format=%s", cwd=project) == "mail through SES"


# --- the hook's entry, sesguard-pre-commit ----------------------------------------------------


def test_entry_installs_the_pinned_engine_only_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from sesguard import precommit

    calls: list[list[str]] = []
    installed = {"opa_bindings": False}

    def fake_run(command: list[str], check: bool) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        installed["opa_bindings"] = True
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(precommit.subprocess, "run", fake_run)
    monkeypatch.setattr(
        precommit.importlib.util, "find_spec", lambda name: object() if installed.get(name) else None
    )
    precommit.ensure_engine()
    precommit.ensure_engine()
    assert calls == [
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "--ignore-requires-python",
            "opa-golib-python-bindings==0.4.4",
        ]
    ]


def test_entry_fails_closed_when_the_engine_cannot_be_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    from sesguard import precommit

    monkeypatch.setattr(precommit.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(
        precommit.subprocess, "run", lambda command, check: subprocess.CompletedProcess(command, 1)
    )
    with pytest.raises(SystemExit) as exit_:
        precommit.main(["check"])
    assert "could not install opa-golib-python-bindings==0.4.4" in str(exit_.value.code)


def test_entry_runs_sesguard_with_the_hooks_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    from sesguard import cli, precommit

    seen: list[list[str]] = []
    monkeypatch.setattr(precommit, "ensure_engine", lambda: None)
    monkeypatch.setattr(cli, "main", lambda argv: seen.append(argv) or 1)
    assert precommit.main(["check", "--root", "."]) == 1
    assert seen == [["check", "--root", "."]]
