"""Where reports point, the way a user meets them (issue 22): a Terraform plan or a CloudFormation
template judged from another directory points at the input file (relative to its repository),
never at a Pulumi.yaml such a repository does not have; the text and markdown reports show
`file:line` for each finding that has a place."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from clirun import ROOT, sesguard

FIXTURES = ROOT / "tests" / "fixtures"


def repository(tmp_path: Path, source: Path, name: str) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    return Path(shutil.copy(source, repo / "infra" / name))


def sarif_uris(text: str) -> set[str]:
    sarif = json.loads(text)
    return {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for run in sarif["runs"]
        for res in run["results"]
        for loc in res["locations"]
    }


@pytest.mark.parametrize(
    ("flag", "source", "name"),
    [
        ("--terraform", FIXTURES / "terraform" / "plan-first.json", "plan.json"),
        ("--cloudformation", FIXTURES / "cloudformation" / "ses-sender.yaml", "ses-sender.yaml"),
    ],
)
def test_a_file_judged_from_another_directory_points_at_itself(
    tmp_path: Path, flag: str, source: Path, name: str
) -> None:
    file = repository(tmp_path, source, name)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = sesguard("check", flag, str(file), "--format", "sarif", cwd=elsewhere)
    assert run.code in (0, 1), run.stderr
    uris = sarif_uris(run.stdout)
    assert uris == {f"infra/{name}"}, uris
