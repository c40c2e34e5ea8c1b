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


@pytest.fixture(scope="module")
def newsletter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(
        shutil.copytree(FIXTURES / "projects" / "newsletter", tmp_path_factory.mktemp("p") / "newsletter")
    )


def _identity_line() -> int:
    lines = (FIXTURES / "projects" / "newsletter" / "__main__.py").read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if "aws.sesv2.EmailIdentity(" in line)


def test_the_text_report_shows_file_and_line(newsletter: Path) -> None:
    run = sesguard("check", cwd=newsletter)
    assert run.code == 1, run.stderr
    lines = run.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("SES-005"))
    # The finding's row and its continuation lines (the place is printed under the resource).
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    assert f"at __main__.py:{_identity_line()}" in " ".join(lines[start:end])
    # A stack-wide finding has no line of its own.
    assert "SES-016" in run.stdout


def test_the_markdown_report_shows_file_and_line(newsletter: Path) -> None:
    run = sesguard("check", "--format", "markdown", cwd=newsletter)
    assert run.code == 1, run.stderr
    row = next(line for line in run.stdout.splitlines() if "SES-005" in line and line.startswith("|"))
    assert f"(\\_\\_main\\_\\_.py:{_identity_line()})" in row


# --- a fix's text uses the threshold in force -----------------------------------------------------


def _fix_of(text: str, rule: str) -> str:
    start = text.index(f"  {rule} ")
    return text[start : text.index("https://", start)]


def test_a_fix_uses_the_runs_threshold(newsletter: Path) -> None:
    run = sesguard("check", "--threshold", "bounce_rate=0.02", cwd=newsletter)
    assert run.code == 1, run.stderr
    fix = _fix_of(run.stdout, "SES-021")
    assert "0.02 or lower" in fix and "threshold=0.02" in fix
    assert "0.05" not in fix
    assert "0.001 or lower" in _fix_of(run.stdout, "SES-022")  # untouched: its own default


def test_a_fix_uses_the_stacks_threshold(tmp_path: Path) -> None:
    project = Path(shutil.copytree(FIXTURES / "projects" / "newsletter", tmp_path / "newsletter"))
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(
        stack.read_text("utf-8") + "  sesguard:thresholds:\n    complaint_rate: 0.0005\n", "utf-8"
    )
    run = sesguard("check", "--format", "markdown", cwd=project)
    assert run.code == 1, run.stderr
    assert "threshold 0.0005 or lower" in run.stdout and "threshold=0.0005" in run.stdout


# --- fix code as users copy it --------------------------------------------------------------------


def test_java_is_not_offered_while_no_rule_has_java_code(tmp_path: Path) -> None:
    run = sesguard(
        "check", "--state", str(FIXTURES / "exports" / "dev.json"), "--language", "java", cwd=tmp_path
    )
    assert run.code == 2 and "--language" in run.stderr and "invalid choice" in run.stderr


def test_the_text_report_never_wraps_fix_code() -> None:
    """The longest snippet lines (Terraform ARNs built in string literals) come out whole."""
    from sesguard import policyset
    from sesguard.findings import Finding, StackResult
    from sesguard.report import text

    policies = policyset.load()
    for rule_id in ("SES-015", "SES-024"):
        rule = policies.rule(rule_id)
        assert rule is not None
        snippet = rule.snippet("terraform")
        assert snippet and max(len(line) for line in snippet.splitlines()) > 120
        finding = Finding(
            rule=rule_id, resource="urn:pulumi:s::p::t::n", message="m", enforcement="mandatory"
        )
        out = text.render([StackResult("p", "s", "terraform", [finding], language="terraform")], policies)
        for line in snippet.splitlines():
            assert line.rstrip() in out, line
