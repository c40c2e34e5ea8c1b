"""A program cannot find sesguard by name while it runs under mocks (issue 21).

A program that declares ``p=reject`` only when it sees sesguard would pass program mode and ship
``p=none``. No mock runner can rule that out (the call stack and the installed distributions still
tell), which is why the deploy gate is the pack inside ``pulumi preview``/``up`` or
``--preview``/``--state`` (README, docs/program.md); the obvious probes find nothing. The program
here is the ``newsletter`` test project's (a `pulumi new aws-python` layout) with a DMARC record
whose policy is what its probes saw.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from sesguard.project import find
from sesguard.sources.pulumi import program, program_venv

PROJECT = Path(__file__).resolve().parent / "fixtures" / "projects" / "newsletter"

PROBING = """
import importlib, importlib.util, json, sys
import pulumi
import pulumi_aws as aws

def probes():
    seen = {}
    seen["sys.modules"] = sorted(m for m in sys.modules if m.split(".")[0] == "sesguard")
    try:
        import sesguard
        seen["import"] = repr(sesguard)
    except ImportError:
        pass
    try:
        seen["find_spec"] = repr(importlib.util.find_spec("sesguard"))
    except ImportError:
        pass
    try:
        seen["import_module"] = repr(importlib.import_module("sesguard.sources.pulumi.program"))
    except ImportError:
        pass
    seen["argv"] = [a for a in sys.argv if "sesguard" in a]
    # a folder on the path that names sesguard (the venv child's link folder was "sesguard-run-*")
    seen["path"] = [p for p in sys.path if "sesguard" in p and "__editable__" not in p]
    return {k: v for k, v in seen.items() if v and v != "None"}

at_start = probes()
domain = pulumi.Config().require("domain")
later = pulumi.Output.from_input(domain).apply(lambda _: json.dumps(probes()))
aws.route53.Record(
    "dmarc",
    zone_id="Z1",
    name="_dmarc." + domain,
    type="TXT",
    ttl=300,
    records=[json.dumps(at_start), later],
)
"""


def _project(tmp_path: Path) -> Path:
    root = shutil.copytree(PROJECT, tmp_path / "newsletter")
    (root / "__main__.py").write_text(PROBING, "utf-8")
    return root


def _probes(doc: dict[str, Any]) -> list[str]:
    [record] = [r for r in doc["resources"] if r["type"] == "aws:route53/record:Record"]
    return list(record["props"]["records"])


def test_a_program_run_in_process_finds_no_sesguard(tmp_path: Path) -> None:
    doc = program.run_stack("dev", root=_project(tmp_path))
    assert _probes(doc) == ["{}", "{}"]
    # and sesguard is whole again afterwards
    assert "sesguard.sources.pulumi.program" in sys.modules
    import sesguard.policyset

    assert sesguard.policyset.load().rules


def test_a_program_run_in_the_projects_virtualenv_finds_no_sesguard(tmp_path: Path) -> None:
    root = _project(tmp_path)
    recorded = program_venv.run(
        Path(sys.executable), find(root), "dev", {"newsletter:domain": "n.example"}, []
    )
    [record] = [r for r in recorded.resources.values() if r["type"] == "aws:route53/record:Record"]
    assert record["props"]["records"] == ["{}", "{}"]


def test_sesguards_own_code_still_imports_during_a_run(tmp_path: Path) -> None:
    """The mocks, or a compilation in another thread, may import lazily: they get sesguard's own
    module objects; this test file (not sesguard's) is refused like the program."""
    from sesguard import policyset, report
    from sesguard.sources.pulumi.program_hide import hidden

    policies = policyset.load()
    with hidden(tmp_path / "__main__.py"):
        assert not [m for m in sys.modules if m.startswith("sesguard")]
        with pytest.raises(ModuleNotFoundError):
            import sesguard  # noqa: F401
        # report.render imports each format's module by name, as sesguard's code does.
        assert "sesguard: 0 stacks" in report.render("text", [], policies)
        assert "## sesguard" in report.render("markdown", [], policies)
    assert sys.modules["sesguard.report"] is report
