"""Go's collector for the embedded OPA: a small run restarts itself with GOGC set, a big one or a
user's own setting is left alone, and nothing the run starts inherits it.

Go reads GOGC from the environment block the process started with (what /proc/self/environ
shows), so that is what these tests read; the speed it buys is measured in bench/user_wait.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import builders
import pytest

from sesguard import goruntime

# Stands in for the console script: settle(), then report what Go would read at its start and what
# a child would inherit once the engine (and so the Go runtime) is up.
_PROBE = """
import json, os, sys
from sesguard import goruntime
goruntime.settle()
startup = open("/proc/self/environ", "rb").read().split(b"\\0")
from sesguard import policyset
from sesguard.engine.embedded import EmbeddedEngine
EmbeddedEngine(policyset.load(), sources={"state"}).close()
child = os.environ.get("GOGC")
print(json.dumps({"go_reads": [e.decode() for e in startup if e.startswith(b"GOGC=")], "child": child}))
"""


def _probe(*argv: str, env: dict[str, str] | None = None, cwd: Path) -> dict[str, object]:
    base = {k: v for k, v in os.environ.items() if k not in ("GOGC", "GOMEMLIMIT", goruntime._MARK)}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**base, **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


@pytest.fixture
def small_state(tmp_path: Path) -> Path:
    return builders.write_json(tmp_path / "state.json", builders.to_state(builders.compliant_document()))


@pytest.fixture
def big_state(tmp_path: Path) -> Path:
    path = tmp_path / "big.json"
    with path.open("wb") as f:  # sparse: only the size matters to the decision
        f.truncate(goruntime.SMALL_INPUT + 1)
    return path


@pytest.mark.skipif(os.name != "posix", reason="the restart is POSIX-only by design")
def test_a_small_check_starts_with_gogc_and_its_children_do_not_inherit_it(
    small_state: Path, tmp_path: Path
) -> None:
    got = _probe("check", "--state", str(small_state), cwd=tmp_path)
    assert got == {"go_reads": [f"GOGC={goruntime.GOGC}"], "child": None}


@pytest.mark.skipif(os.name != "posix", reason="the restart is POSIX-only by design")
@pytest.mark.parametrize("form", ["separate", "equals", "stdin"])
def test_a_big_or_unknown_input_keeps_gos_default(form: str, big_state: Path, tmp_path: Path) -> None:
    argv = {
        "separate": ["check", "--document", str(big_state)],
        "equals": ["check", f"--document={big_state}"],
        "stdin": ["check", "--document", "-"],
    }[form]
    assert _probe(*argv, cwd=tmp_path) == {"go_reads": [], "child": None}


@pytest.mark.skipif(os.name != "posix", reason="the restart is POSIX-only by design")
@pytest.mark.parametrize("variable", ["GOGC", "GOMEMLIMIT"])
def test_the_users_own_setting_wins_and_is_still_inherited(
    variable: str, small_state: Path, tmp_path: Path
) -> None:
    value = {"GOGC": "150", "GOMEMLIMIT": "2GiB"}[variable]
    got = _probe("check", "--state", str(small_state), env={variable: value}, cwd=tmp_path)
    assert got["go_reads"] == ([f"GOGC={value}"] if variable == "GOGC" else [])
    assert got["child"] == (value if variable == "GOGC" else None)


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["bundle", "x"],
        ["--help"],
        ["--version"],
        [],
        ["check", "--opa-url", "http://127.0.0.1:8181"],
        ["check", "--opa-url=http://127.0.0.1:8181"],
    ],
)
def test_a_command_that_compiles_nothing_here_is_not_restarted(argv: list[str]) -> None:
    assert not goruntime.wants_restart(argv, {})


def test_only_posix_restarts(small_state: Path) -> None:
    argv = ["check", "--state", str(small_state)]
    assert goruntime.wants_restart(argv, {}, platform="posix")
    assert not goruntime.wants_restart(argv, {}, platform="nt")
    # The restarted process itself never restarts again.
    assert not goruntime.wants_restart(argv, {goruntime._MARK: goruntime.GOGC}, platform="posix")


def test_a_project_directory_or_a_missing_path_counts_as_small(tmp_path: Path) -> None:
    assert goruntime.is_small(["--root", str(tmp_path), "--stack", "prod"], goruntime._file_size)
    assert goruntime.is_small(["--state", str(tmp_path / "missing.json")], goruntime._file_size)


def test_the_size_limit_is_inclusive_of_small_files(tmp_path: Path) -> None:
    at_limit = tmp_path / "at.json"
    with at_limit.open("wb") as f:
        f.truncate(goruntime.SMALL_INPUT)
    assert goruntime.is_small(["--state", str(at_limit)], goruntime._file_size)
