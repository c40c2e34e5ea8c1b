"""Real npm packages for the Node.js program tests, installed once per machine.

tests/fixtures/node/package-lock.json pins what `pulumi new aws-typescript` installs
(@pulumi/pulumi, @pulumi/aws, typescript, @types/node). `npm ci` installs it once into
~/.cache/sesguard-tests/node/<hash of the lock>/ (another lock, another folder); each test copies
its project into tmp_path and links that node_modules beside it, as `npm ci` in the project would
leave it. Two test processes installing at once each install into their own folder and the first
rename wins, so no process ever sees a half-installed cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK_DIR = ROOT / "tests" / "fixtures" / "node"
PROJECTS = ROOT / "tests" / "fixtures" / "projects"
DONE = ".sesguard-installed"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sesguard-tests" / "node"


def node_modules() -> Path:
    """The shared node_modules for the lock file (installed on first use)."""
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((LOCK_DIR / name).read_bytes())
    target = cache_root() / digest.hexdigest()[:16]
    if (target / DONE).is_file():
        return target / "node_modules"
    scratch = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(LOCK_DIR / name, scratch / name)
    npm = shutil.which("npm")
    assert npm is not None, "the Node.js tests need npm (Node.js 20) on PATH"
    done = subprocess.run(
        [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"npm ci failed in {scratch}:\n{done.stderr[-3000:]}"
    (scratch / DONE).write_text("ok\n")
    try:
        scratch.rename(target)
    except OSError:  # another process finished first: use its copy
        shutil.rmtree(scratch, ignore_errors=True)
    assert (target / DONE).is_file()
    return target / "node_modules"


def project(name: str, where: Path, modules: Path | None) -> Path:
    """A copy of tests/fixtures/projects/<name> in ``where``, with ``modules`` linked as node_modules."""
    copy = shutil.copytree(
        PROJECTS / name, where / name, ignore=shutil.ignore_patterns("node_modules"), dirs_exist_ok=True
    )
    if modules is not None:
        (copy / "node_modules").symlink_to(modules, target_is_directory=True)
    return copy
