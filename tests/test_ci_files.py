"""Every workflow and action file passes actionlint and the GitHub schemas check-jsonschema vendors.

That covers this repository's workflows, the Action (action.yml: its schema, and its steps linted
as a reusable workflow so actionlint checks their expressions), the workflows docs/ci.md tells
users to copy, and the pre-commit hook manifest (pre-commit's own validator).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from clirun import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _run(*cmd: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120
    )


def _actionlint(text: str, name: str) -> str:
    # -shellcheck= / -pyflakes=: the same result whether or not those happen to be installed.
    run = _run(
        BIN / "actionlint", "-oneline", "-shellcheck=", "-pyflakes=", "-stdin-filename", name, "-", stdin=text
    )
    return run.stdout + run.stderr if run.returncode else ""


def test_the_repository_has_a_ci_workflow_running_lint_and_tests() -> None:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text("utf-8"))
    commands = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
    assert "make lint" in commands and "make test" in commands


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint_and_the_workflow_schema(path: Path) -> None:
    run = _run(BIN / "actionlint", "-oneline", "-shellcheck=", "-pyflakes=", path)
    assert run.returncode == 0, run.stdout + run.stderr
    run = _run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_action_passes_the_action_schema() -> None:
    run = _run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-actions", ROOT / "action.yml")
    assert run.returncode == 0, run.stdout + run.stderr


def _action_as_workflow(action: dict) -> str:
    # actionlint reads action metadata only through `uses: ./`; to lint the composite steps
    # themselves, they become the one job of a reusable workflow with the same inputs.
    inputs = {
        name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
        for name, spec in action["inputs"].items()
    }
    workflow = {
        "name": "action-steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    return yaml.safe_dump(workflow, sort_keys=False)


def test_action_steps_pass_actionlint() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    assert _actionlint(_action_as_workflow(action), "action.yml") == ""


def test_actionlint_catches_a_broken_action_step() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    action["runs"]["steps"][-1]["env"]["SOURCE"] = "${{ inputs.sorce }}"
    assert "sorce" in _actionlint(_action_as_workflow(action), "action.yml")


def _doc_workflows() -> list[str]:
    text = (ROOT / "docs" / "ci.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    return [b for b in blocks if b.startswith("# .github/workflows/")]


def test_docs_workflows_pass_actionlint_and_the_schema(tmp_path: Path) -> None:
    workflows = _doc_workflows()
    assert workflows, "docs/ci.md shows no workflow"
    for i, text in enumerate(workflows):
        assert _actionlint(text, f"docs-ci-{i}.yml") == "", text
        path = tmp_path / f"docs-ci-{i}.yml"
        path.write_text(text)
        run = _run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", path)
        assert run.returncode == 0, run.stdout + run.stderr


def test_current_action_majors_only() -> None:
    # Majors that run on node24 (setup-python v6, checkout v5+, codeql-action v4, github-script v8).
    minimum = {
        "actions/checkout": 5,
        "actions/setup-python": 6,
        "github/codeql-action/upload-sarif": 4,
        "actions/github-script": 8,
    }
    texts = [p.read_text("utf-8") for p in [*WORKFLOWS, ROOT / "action.yml"]] + _doc_workflows()
    seen = set()
    for text in texts:
        for action, major in re.findall(r"uses:\s*([\w./-]+)@v(\d+)", text):
            if action in minimum:
                seen.add(action)
                assert int(major) >= minimum[action], f"{action}@v{major}"
    assert seen == set(minimum)


def test_pre_commit_hook_manifest_is_valid() -> None:
    run = _run(BIN / "pre-commit", "validate-manifest", ROOT / ".pre-commit-hooks.yaml")
    assert run.returncode == 0, run.stdout + run.stderr
