"""The one line a user gets when sesguard cannot judge what they gave it (issue 22)."""

from __future__ import annotations

import shutil
from pathlib import Path

from clirun import ROOT, sesguard

PROJECTS = ROOT / "tests" / "fixtures" / "projects"


def test_a_terraform_configuration_says_how_to_make_the_plan(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_sesv2_email_identity" "x" {\n  email_identity = "a.org"\n}\n'
    )
    run = sesguard("check", "--terraform", "main.tf", cwd=tmp_path)
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert "a Terraform configuration, not a plan" in run.stderr
    assert "terraform show -json tfplan > tfplan.json" in run.stderr


def test_no_pulumi_yaml_names_every_file_source(tmp_path: Path) -> None:
    run = sesguard("check", cwd=tmp_path)
    assert run.code == 2 and len(run.err_lines) == 1
    for flag in ("--preview", "--state", "--terraform", "--cloudformation", "--document"):
        assert flag in run.stderr


def test_a_project_on_the_preview_route_names_every_stack(tmp_path: Path) -> None:
    """TypeScript now runs under mocks; Go, C#, Java and YAML are judged from their previews, one per
    stack, and the message names each stack's command."""
    project = shutil.copytree(PROJECTS / "ts-app", tmp_path / "go-app")
    pulumi_yaml = project / "Pulumi.yaml"
    pulumi_yaml.write_text(pulumi_yaml.read_text("utf-8").replace("nodejs", "go"), "utf-8")
    for stack in ("prod", "staging"):
        shutil.copy(project / "Pulumi.dev.yaml", project / f"Pulumi.{stack}.yaml")
    run = sesguard("check", cwd=project)
    assert run.code == 2 and len(run.err_lines) == 1
    assert "pulumi preview --json --stack dev | sesguard check --preview -" in run.stderr
    assert "--stack prod" in run.stderr and "--stack staging" in run.stderr


def test_an_esc_environment_import_is_one_clear_line(tmp_path: Path) -> None:
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    stack = project / "Pulumi.dev.yaml"
    stack.write_text("environment:\n  - acme/ses-prod\n" + stack.read_text("utf-8"), "utf-8")
    run = sesguard("check", cwd=project)
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert "Pulumi.dev.yaml: imports the Pulumi ESC environment acme/ses-prod" in run.stderr
    assert "pulumi preview --json --stack dev | sesguard check --preview -" in run.stderr


def test_a_missing_config_value_is_one_line_without_escapes(tmp_path: Path) -> None:
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n", "utf-8")
    run = sesguard("check", cwd=project)
    assert run.code == 2 and len(run.err_lines) == 1
    assert "Missing required configuration variable 'newsletter:domain'" in run.stderr
    assert "\\n" not in run.stderr and "\\t" not in run.stderr
