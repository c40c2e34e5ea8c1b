"""Run the installed `sesguard` command as a user or CI would: a subprocess, no TTY."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESGUARD = Path(sys.executable).parent / "sesguard"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        return self.stderr.splitlines()


def sesguard(
    *args: str, cwd: Path = ROOT, stdin: str | None = None, env: dict[str, str] | None = None
) -> Run:
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("OPA_TOKEN", "NO_COLOR", "GITHUB_STEP_SUMMARY")
    }
    full_env.update(env or {})
    proc = subprocess.run(
        [str(SESGUARD), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return Run(proc.returncode, proc.stdout, proc.stderr)
