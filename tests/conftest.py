"""Fixtures every test module shares."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sesguard import policyset
from sesguard.engine.embedded import EmbeddedEngine

# The suite runs as from an activated virtualenv (this checkout's): a project that declares no
# virtualenv runs with the `python3` on PATH, as under Pulumi, and that is this one.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


@pytest.fixture(scope="session")
def engine() -> Iterator[EmbeddedEngine]:
    """The embedded OPA with the repository's policies, compiled once per test process."""
    e = EmbeddedEngine(policyset.load())
    yield e
    e.close()


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """@pulumi/pulumi, @pulumi/aws and typescript from npm, installed once per machine (nodeprojects)."""
    import nodeprojects

    return nodeprojects.node_modules()
