"""sesguard as a user installs it: the wheel built from this checkout, in a fresh virtualenv outside
the repository, with the travelling policy pack that virtualenv belongs to.

Built once per test session and shared by the pytest-xdist workers: the first worker to take
the lock builds (about two minutes: the wheel, `sesguard pack init`, a virtualenv from the pack's
requirements.txt, `sesguard engine install`), the others wait and reuse it. A failed build is
recorded, so the other worker fails at once with the same reason instead of building again.

Layout under the session's shared temporary directory:
  dist/            sesguard-<version>.tar.gz and -py3-none-any.whl (`python -m build`)
  pack/            `sesguard pack init pack --extra-policies tests/fixtures/org-policies/acme`
  pack/venv/       the pack's virtualenv: `pip install -r requirements.txt --find-links dist`
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORG_POLICIES = ROOT / "tests" / "fixtures" / "org-policies" / "acme"
STEP_TIMEOUT = 540  # each step alone stays under the 10-minute ceiling for one command


@dataclass(frozen=True)
class Installed:
    dist: Path
    pack: Path

    @property
    def python(self) -> Path:
        return self.pack / "venv" / "bin" / "python"

    @property
    def sesguard(self) -> Path:
        return self.pack / "venv" / "bin" / "sesguard"

    @property
    def wheel(self) -> Path:
        return next(self.dist.glob("sesguard-*.whl"))


def _step(what: str, cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n{tail}")


def _build(shared: Path) -> Installed:
    dist, pack = shared / "dist", shared / "pack"
    # --no-isolation: the dev extra pins the build backend (setuptools, wheel) in this virtualenv,
    # so the build needs no download; sdist first, then the wheel built from the sdist.
    _step(
        "python -m build", [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), "."], ROOT
    )
    _step(
        "sesguard pack init",
        [sys.executable, "-m", "sesguard", "pack", "init", str(pack), "--extra-policies", str(ORG_POLICIES)],
        shared,
    )
    _step("python -m venv", [sys.executable, "-m", "venv", str(pack / "venv")], shared)
    installed = Installed(dist, pack)
    _step(
        "pip install -r requirements.txt",
        [
            str(installed.python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            # No bytecode for every installed module (pulumi, grpc, boto3, cfn-lint): what the
            # tests import is compiled when first imported.
            "--no-compile",
            "--find-links",
            str(dist),
            "-r",
            str(pack / "requirements.txt"),
        ],
        shared,
    )
    _step("sesguard engine install", [str(installed.sesguard), "engine", "install"], shared)
    return installed


def shared_install(shared: Path) -> Installed:
    shared.mkdir(parents=True, exist_ok=True)
    state = shared / "state.json"
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if state.exists():
                recorded = json.loads(state.read_text("utf-8"))
                if recorded.get("error"):
                    raise RuntimeError(f"(built by another worker) {recorded['error']}")
                return Installed(Path(recorded["dist"]), Path(recorded["pack"]))
            try:
                installed = _build(shared)
            except Exception as exc:
                state.write_text(json.dumps({"error": str(exc)}), "utf-8")
                raise
            state.write_text(json.dumps({"dist": str(installed.dist), "pack": str(installed.pack)}), "utf-8")
            return installed
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
