"""Fixtures every test module shares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sesguard import policyset
from sesguard.engine.embedded import EmbeddedEngine


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
