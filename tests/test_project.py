"""Which project `sesguard check` judges, and the stack config the file sources get (issue 11).

The project is the one in the current directory (or --root): never this repository's example
when run elsewhere. A stack export or preview judged with its stack config gets exactly the
findings the program run gets.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import builders
import pytest
from clirun import ROOT, sesguard

FIXTURES = ROOT / "tests" / "fixtures"
PROJECTS = FIXTURES / "projects"
EXPORTS = FIXTURES / "exports"
STACKS = ("dev", "staging", "prod", "marketing")

pytestmark = pytest.mark.slow


def findings(report: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """Per stack: each finding's rule, resource, waiver state and message, in order."""
    return {
        r["stack"]: sorted(
            (f["rule"], f.get("resource"), f.get("waived"), f.get("message")) for f in r["findings"]
        )
        for r in report["results"]
    }


@pytest.fixture(scope="module")
def program_findings() -> dict[str, list[tuple[Any, ...]]]:
    run = sesguard("check", "--format", "json")
    assert run.code == 0, run.stderr
    return findings(json.loads(run.stdout))


# --- which project ------------------------------------------------------------------------------


def test_a_typescript_project_without_node_modules_is_exit_2_saying_what_to_run(tmp_path: Path) -> None:
    shutil.copytree(PROJECTS / "ts-app", tmp_path / "ts-app")
    run = sesguard("check", cwd=tmp_path / "ts-app")
    assert run.code == 2 and run.stdout == ""
    assert len(run.err_lines) == 1
    assert "node_modules: no @pulumi/pulumi installed: run `npm install`" in run.stderr


def test_an_empty_directory_is_exit_2_never_the_bundled_example(tmp_path: Path) -> None:
    run = sesguard("check", "--format", "json", cwd=tmp_path)
    assert run.code == 2 and run.stdout == ""
    assert len(run.err_lines) == 1 and "no Pulumi.yaml" in run.stderr
    assert "ses-sender" not in run.stderr


def test_root_points_at_another_project(tmp_path: Path) -> None:
    run = sesguard("check", "--root", str(tmp_path), cwd=ROOT)
    assert run.code == 2 and f"{tmp_path}: no Pulumi.yaml" in run.stderr


def test_a_second_python_program_is_judged_with_its_own_findings(tmp_path: Path) -> None:
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    run = sesguard("check", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    [result] = report["results"]
    assert (result["project"], result["stack"]) == ("newsletter", "dev")
    rules = {f["rule"] for f in result["findings"]}
    assert {"SES-004", "SES-005", "SES-008"} <= rules  # no DKIM CNAMEs, no DMARC, no MAIL FROM
    resources = {f["resource"] for f in result["findings"] if f.get("resource")}
    assert resources and all("::newsletter::" in urn for urn in resources)


def test_an_invoke_the_mocks_cannot_answer_names_it_and_suggests_a_preview(tmp_path: Path) -> None:
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    main = project / "__main__.py"
    main.write_text(main.read_text("utf-8") + "\nzones = aws.get_availability_zones()\n", "utf-8")
    run = sesguard("check", "--format", "json", cwd=project)
    assert run.code == 2 and run.stdout == ""
    assert len(run.err_lines) == 1
    assert "aws:index/getAvailabilityZones:getAvailabilityZones" in run.stderr and "--preview" in run.stderr


def test_a_declared_virtualenv_that_does_not_exist_is_exit_2(tmp_path: Path) -> None:
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    pulumi_yaml = project / "Pulumi.yaml"
    pulumi_yaml.write_text(
        pulumi_yaml.read_text("utf-8").replace("toolchain: pip", "toolchain: pip\n    virtualenv: venv"),
        "utf-8",
    )
    run = sesguard("check", cwd=project)
    assert run.code == 2 and run.stdout == ""
    assert "virtualenv" in run.stderr and "does not exist" in run.stderr


def test_language_comes_from_the_runtime(tmp_path: Path) -> None:
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    from sesguard.sources.pulumi import program

    assert program.run_stack("dev", root=project)["language"] == "python"


# --- stack config for the file sources -----------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_an_export_with_its_config_gets_the_program_findings(
    stack: str, tmp_path: Path, program_findings: dict[str, list[tuple[Any, ...]]]
) -> None:
    run = sesguard(
        "check",
        "--state",
        str(EXPORTS / f"{stack}.json"),
        "--config",
        str(ROOT / "stacks" / f"Pulumi.{stack}.yaml"),
        "--format",
        "json",
        cwd=tmp_path,  # outside any project: only --config gives the stack its config
    )
    assert run.code in (0, 1), run.stderr
    assert findings(json.loads(run.stdout)) == {stack: program_findings[stack]}


def test_without_its_config_the_marketing_export_loses_its_waivers_and_dns(tmp_path: Path) -> None:
    """What the test above guards against: an export judged without config differs."""
    run = sesguard("check", "--state", str(EXPORTS / "marketing.json"), "--format", "json", cwd=tmp_path)
    assert run.code == 1
    assert findings(json.loads(run.stdout))["marketing"] != []


def test_inside_the_project_the_config_is_found_from_the_stack_name(
    program_findings: dict[str, list[tuple[Any, ...]]],
) -> None:
    run = sesguard("check", "--state", str(EXPORTS / "marketing.json"), "--format", "json", cwd=ROOT)
    assert run.code == 0, run.stderr
    assert findings(json.loads(run.stdout)) == {"marketing": program_findings["marketing"]}


def test_another_projects_stack_files_are_never_used(tmp_path: Path) -> None:
    """In the newsletter project, an export of ses-sender/marketing gets no newsletter config."""
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    (project / "Pulumi.marketing.yaml").write_text(
        (ROOT / "stacks" / "Pulumi.marketing.yaml").read_text("utf-8"), "utf-8"
    )
    run = sesguard("check", "--state", str(EXPORTS / "marketing.json"), "--format", "json", cwd=project)
    assert run.code == 1 and findings(json.loads(run.stdout))["marketing"] != []


def test_a_preview_uses_its_own_config_block(
    tmp_path: Path, program_findings: dict[str, list[tuple[Any, ...]]]
) -> None:
    from sesguard.sources.pulumi import program

    doc = program.run_stack("marketing", root=ROOT)
    preview = builders.write_json(tmp_path / "preview.json", builders.to_preview(doc))
    run = sesguard("check", "--preview", str(preview), "--format", "json", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert findings(json.loads(run.stdout)) == {"marketing": program_findings["marketing"]}


def test_config_is_only_for_state_and_preview(tmp_path: Path) -> None:
    run = sesguard("check", "--config", str(ROOT / "stacks" / "Pulumi.dev.yaml"), cwd=ROOT)
    assert run.code == 2 and len(run.err_lines) == 1 and "--config" in run.stderr


def test_a_missing_config_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "Pulumi.nope.yaml"
    run = sesguard("check", "--state", str(EXPORTS / "dev.json"), "--config", str(missing), cwd=tmp_path)
    assert run.code == 2 and str(missing) in run.stderr and len(run.err_lines) == 1


def test_a_broken_module_of_the_project_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A project laid out like the example (infra/program.py) whose module does not compile: the
    stack's run reports the program's failure in one line, never a traceback or a verdict."""
    (tmp_path / "Pulumi.yaml").write_text("name: mailer\nruntime: python\n", "utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n", "utf-8")
    (tmp_path / "__main__.py").write_text("import infra.program\n", "utf-8")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "__init__.py").write_text("", "utf-8")
    (tmp_path / "infra" / "program.py").write_text("from infra import config\n", "utf-8")
    (tmp_path / "infra" / "config.py").write_text("x =\n", "utf-8")
    run = sesguard("check", "--root", str(tmp_path), "--jobs", "1")
    assert run.code == 2, run.stderr
    assert "Traceback" not in run.stderr and len(run.err_lines) == 1, run.stderr
    assert "SyntaxError" in run.stderr and "Pulumi.dev.yaml" in run.stderr
