"""The warm-up before forked stack runs knows no project: it imports what any program imports from
outside its project, and never a module of the project itself (whose top-level code belongs to a
stack's run, under its config and mocks)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sesguard.sources.pulumi import preload

MAIN = """\
import pulumi
import pulumi_aws as aws
from {package}.program import build
from {package} import mail

build(aws.sesv2.EmailIdentity)
"""


def _project(root: Path, package: str) -> Path:
    """A Pulumi project whose program lives in its own package, which records being imported."""
    (root / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", "utf-8")
    (root / "__main__.py").write_text(MAIN.format(package=package), "utf-8")
    pkg = root / package
    pkg.mkdir()
    marker = root / "imported"
    (pkg / "__init__.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('yes')\n", "utf-8"
    )
    (pkg / "config.py").write_text("", "utf-8")
    (pkg / "program.py").write_text(
        "from .alarms import alarm\n\ndef build(kind):\n    return kind\n", "utf-8"
    )
    (pkg / "alarms.py").write_text(
        "from pulumi_aws import cloudwatch\n\nalarm = cloudwatch.MetricAlarm\n", "utf-8"
    )
    (pkg / "mail.py").write_text("import pulumi_aws.sns\n\ntopic = pulumi_aws.sns.Topic\n", "utf-8")
    return marker


@pytest.fixture
def fresh_modules() -> Iterator[None]:
    """The project packages these tests write are imported (if at all) afresh, and forgotten after."""
    names = ("infra", "shopmail")
    saved = {k: v for k, v in sys.modules.items() if k.split(".")[0] in names}
    for k in saved:
        del sys.modules[k]
    path = list(sys.path)
    yield
    for k in [k for k in sys.modules if k.split(".")[0] in names]:
        del sys.modules[k]
    sys.modules.update(saved)
    sys.path[:] = path


@pytest.mark.parametrize("package", ["infra", "shopmail"])
def test_the_warm_up_imports_no_module_of_the_project(
    package: str, tmp_path: Path, fresh_modules: None
) -> None:
    # "infra" is this repository's example's package name: it is no different from any other.
    marker = _project(tmp_path, package)
    loaded = preload.preload(tmp_path)
    assert not marker.exists()
    assert not any(name.split(".")[0] == package for name in loaded)
    assert {"pulumi_aws.sesv2", "pulumi_aws.sns", "pulumi_aws.cloudwatch"} <= set(loaded)


def test_what_a_program_imports_is_read_through_its_own_modules(tmp_path: Path) -> None:
    _project(tmp_path, "shopmail")
    names = preload.program_imports(tmp_path)
    # From __main__.py, and from the project's modules it imports (relative imports too).
    assert {"pulumi", "pulumi_aws", "pulumi_aws.sesv2", "pulumi_aws.sesv2.EmailIdentity"} <= set(names)
    assert {"pulumi_aws.sns", "pulumi_aws.cloudwatch", "pulumi_aws.cloudwatch.MetricAlarm"} <= set(names)
    assert not [n for n in names if n.split(".")[0] == "shopmail"]


def test_a_project_that_cannot_be_read_is_left_to_the_runs(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", "utf-8")
    (tmp_path / "__main__.py").write_text("import pulumi_aws as aws\ndef broken(:\n", "utf-8")
    assert preload.program_imports(tmp_path) == []
    assert preload.preload(tmp_path / "no-such-project") == []
