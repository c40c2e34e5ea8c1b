"""Findings land on the user's own lines: SARIF regions, GitHub annotations and Markdown links.

The fixtures under tests/fixtures/locations are a `pulumi stack export` and a `pulumi preview --json`
of a TypeScript program modelled on SoVote/so-vote's infra/global/src/ses.ts (a v1 SES domain
identity with its verification TXT record in Route53), with `sourcePosition` as the Pulumi engine
records it: `project:///<path relative to the project root>#<line>,<column>` (Node.js sends both).
"""

from __future__ import annotations

import builtins
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import sesguard

from sesguard import cli, judging, policyset, sources
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.findings import Finding, Location, StackResult
from sesguard.report import render
from sesguard.sources.common import positions

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "locations"
SARIF_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-schema-2.1.0.json"
IDENTITY = "urn:pulumi:prod::so-vote-global::aws:ses/domainIdentity:DomainIdentity::so-vote-domain-identity"


def _sarif_locations(text: str, resource: str | None = None) -> list[dict[str, Any]]:
    """Each result's physical location (only those on ``resource`` when given); schema-checked."""
    data = json.loads(text)
    jsonschema.validate(data, json.loads(SARIF_SCHEMA.read_text("utf-8")))
    return [
        res["locations"][0]["physicalLocation"]
        for res in data["runs"][0]["results"]
        if resource is None or res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == resource
    ]


@pytest.mark.parametrize(
    ("flag", "fixture"), [("--state", "state-positions.json"), ("--preview", "preview-positions.json")]
)
def test_sarif_and_annotations_point_at_the_program_line(flag: str, fixture: str, tmp_path: Path) -> None:
    sarif, annotations = tmp_path / "r.sarif", tmp_path / "r.github"
    path = str(FIXTURES / fixture)
    run = sesguard("check", flag, path, "--output", str(sarif), "--output", f"github={annotations}")
    assert run.code == 1, run.stderr
    locations = _sarif_locations(sarif.read_text("utf-8"), IDENTITY)
    assert locations, "the fixture must draw findings on the identity"
    for loc in locations:
        assert loc == {
            "artifactLocation": {"uri": "src/ses.ts", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 6, "startColumn": 40},
        }
    lines = annotations.read_text("utf-8").splitlines()
    on_identity = [line for line in lines if "sovote.com" in line and line.startswith("::error ")]
    assert on_identity
    assert all(line.startswith("::error file=src/ses.ts,line=6,col=40,title=") for line in on_identity)
    assert fixture not in sarif.read_text("utf-8") + annotations.read_text("utf-8")


def test_without_positions_findings_never_point_at_the_generated_json(tmp_path: Path) -> None:
    run = sesguard("check", "--state", str(FIXTURES / "state-no-positions.json"), "--format", "sarif")
    assert run.code == 1, run.stderr
    uris = {loc["artifactLocation"]["uri"] for loc in _sarif_locations(run.stdout)}
    assert uris == {"Pulumi.yaml"}


def test_without_positions_findings_point_at_the_stack_config_file(engine: EmbeddedEngine) -> None:
    doc = sources.load("state", FIXTURES / "state-no-positions.json")
    doc["config_file"] = "infra/global/Pulumi.prod.yaml"  # what a source records when it read the file
    doc["language"] = "typescript"  # what a source records from Pulumi.yaml's runtime
    result = judging.judge_one(doc, engine)
    assert result.language == "typescript" and result.config_file == "infra/global/Pulumi.prod.yaml"
    policies = policyset.load()
    locations = _sarif_locations(render("sarif", [result], policies))
    assert {loc["artifactLocation"]["uri"] for loc in locations} == {"infra/global/Pulumi.prod.yaml"}
    github = render("github", [result], policies)
    assert "::error file=infra/global/Pulumi.prod.yaml,line=1,title=" in github


def test_source_position_strings() -> None:
    assert positions.location("project:///index.ts#12,5") == {"file": "index.ts", "line": 12, "column": 5}
    assert positions.location("project:///__main__.py#30") == {"file": "__main__.py", "line": 30}
    assert positions.location("project:///src/my%20stack.ts#3", "infra") == {
        "file": "infra/src/my stack.ts",
        "line": 3,
    }
    for bad in ("project:///../../etc/passwd#1", "file:///etc/passwd#1", "project://host/x.ts#1", 12, None):
        assert positions.location(bad) is None
    # A document location that climbs out of the repository is dropped, never printed.
    assert Location.from_document({"file": "../x.ts", "line": 3}) is None
    assert Location.from_document({"file": "/etc/shadow"}) is None


@pytest.mark.parametrize("line", ["9" * 5000, "\u0661\u0662", "\u00b2", "12\u0663", "0", "-3", "1e3"])
def test_a_line_that_is_not_a_plain_number_drops_the_position(
    line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was an internal error (exit 2) for 5,000 digits and non-ASCII digits: a position only moves
    where a report points, so an unreadable one is dropped and the stack is still judged."""
    assert positions.location(f"project:///index.ts#{line}") == {"file": "index.ts"}
    assert positions.location(f"project:///index.ts#7,{line}") == {"file": "index.ts", "line": 7}
    state = json.loads((FIXTURES / "state-positions.json").read_text("utf-8"))
    for r in state["deployment"]["resources"]:
        if r.get("sourcePosition"):
            r["sourcePosition"] = f"project:///src/ses.ts#{line},40"
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state), "utf-8")
    code = cli.main(["check", "--state", str(path), "--format", "sarif"])
    out = capsys.readouterr()
    assert code == 1, out.err
    uris = {loc["artifactLocation"]["uri"] for loc in _sarif_locations(out.out)}
    assert uris <= {"src/ses.ts", "Pulumi.yaml"}


def test_project_prefix_is_the_project_root_inside_the_git_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra" / "global").mkdir(parents=True)
    assert positions.repo_prefix(tmp_path / "infra" / "global") == "infra/global"
    assert positions.repo_prefix(tmp_path) == ""


PROGRAM = """\
import pulumi_aws as aws

zone_id = "Z0123456789ABCDEFGHIJ"

identity = aws.sesv2.EmailIdentity(
    "acmetickets",
    email_identity="acmetickets.com",
)
"""


def test_program_mode_points_at_the_line_that_declares_the_resource(tmp_path: Path) -> None:
    """A Python program judged under mocks: findings on the identity sit on its constructor's line."""
    repo = tmp_path
    (repo / ".git").mkdir()
    project = repo / "deploy"
    (project / "stacks").mkdir(parents=True)
    (project / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    (project / "Pulumi.yaml").write_text(
        "name: ses-sender\nruntime: python\nstackConfigDir: stacks\n", encoding="utf-8"
    )
    (project / "stacks" / "Pulumi.prod.yaml").write_text("config:\n  aws:region: us-east-1\n", "utf-8")
    run = sesguard("check", "--root", str(project), "--format", "json", "--jobs", "1")
    assert run.code == 1, run.stderr
    findings = json.loads(run.stdout)["results"][0]["findings"]
    on_identity = [f for f in findings if f["resource"].endswith("::acmetickets")]
    assert on_identity, "the bare identity must draw findings, or this test proves nothing"
    line = PROGRAM.splitlines().index("identity = aws.sesv2.EmailIdentity(") + 1
    for f in on_identity:
        assert f["location"] == {"file": "deploy/__main__.py", "line": line}
    stackwide = [f for f in findings if not f["resource"]]
    assert all("location" not in f for f in stackwide)


def test_renderers_never_open_the_documents_own_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A document's `file` may name a FIFO or /etc/shadow: no format opens or stats it."""
    fifo = tmp_path / "stack.json"
    os.mkfifo(fifo)
    real_open, real_stat = builtins.open, os.stat
    touched: list[str] = []

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        touched.append(str(file))
        return real_open(file, *args, **kwargs)

    def spy_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        touched.append(str(path))
        return real_stat(path, *args, **kwargs)

    result = StackResult(
        "p", "prod", "state", [Finding("SES-005", IDENTITY, "no DMARC record")], file=str(fifo)
    )
    policies = policyset.load()
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "stat", spy_stat)
    for fmt in ("sarif", "github", "markdown", "text", "json", "junit"):
        render(fmt, [result], policies)
    assert str(fifo) not in touched


def test_markdown_links_to_the_declaring_line_on_github(monkeypatch: pytest.MonkeyPatch) -> None:
    finding = Finding("SES-005", IDENTITY, "no DMARC record", location=Location("src/ses.ts", 6, 40))
    result = StackResult("so-vote-global", "prod", "state", [finding])
    policies = policyset.load()
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)
    assert "src/ses.ts#L6" not in render("markdown", [result], policies)
    sha = "0123456789abcdef0123456789abcdef01234567"
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "sovote/so-vote")
    monkeypatch.setenv("GITHUB_SHA", sha)
    text = render("markdown", [result], policies)
    assert f"(https://github.com/sovote/so-vote/blob/{sha}/src/ses.ts#L6)" in text


def test_positions_are_rebased_once_the_project_directory_is_known() -> None:
    doc = sources.load("preview", FIXTURES / "preview-positions.json")
    positions.rebase(doc["resources"], "infra/global")
    identity = next(r for r in doc["resources"] if r["urn"] == IDENTITY)
    assert identity["location"] == {"file": "infra/global/src/ses.ts", "line": 6, "column": 40}
