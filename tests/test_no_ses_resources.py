"""A run that judged nothing SES is never read as a compliant sender (issue 20).

A mock run that records nothing but the Stack is exit 2 (the program declared nothing, or the run
never reached it). A stack that declares resources but no SES ones may pass, and every report
format then says "no SES resources" beside the verdict instead of a bare "passed".
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from sesguard import cli, judging, policyset
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.findings import StackResult
from sesguard.report import FORMATS, render
from sesguard.sources.pulumi import program

TESTS = Path(__file__).resolve().parent
REPORT_SCHEMA = TESTS.parent / "sesguard" / "schema" / "report-v1.json"
SARIF_SCHEMA = TESTS / "fixtures" / "sarif-schema-2.1.0.json"

PULUMI_YAML = "name: {name}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
STACK_YAML = "config:\n  aws:region: eu-west-1\n"
# A stack that sends no mail: an alerts topic and its e-mail subscription, nothing SES.
ALERTS = """import pulumi
import pulumi_aws as aws

topic = aws.sns.Topic("alerts", kms_master_key_id="alias/aws/sns")
aws.sns.TopicSubscription("oncall", topic=topic.arn, protocol="email", endpoint="oncall@example.com")
pulumi.export("topic", topic.arn)
"""
NOTHING = """import pulumi

pulumi.export("greeting", "hello")  # exports a value, declares no resource
"""


def make_project(tmp_path: Path, name: str, main: str) -> Path:
    root = tmp_path / name
    root.mkdir()
    (root / "Pulumi.yaml").write_text(PULUMI_YAML.format(name=name), "utf-8")
    (root / "Pulumi.dev.yaml").write_text(STACK_YAML, "utf-8")
    (root / "__main__.py").write_text(main, "utf-8")
    return root


def test_a_program_that_declares_nothing_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path, "empty", NOTHING)
    code = cli.main(["check", "--root", str(root), "--jobs", "1", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2 and '"passed": true' not in out
    assert "Pulumi.dev.yaml: the program declared nothing under the mocks" in err
    assert err.count("\n") == 1


@pytest.fixture(scope="module")
def alerts_result(tmp_path_factory: pytest.TempPathFactory, engine: EmbeddedEngine) -> StackResult:
    root = make_project(tmp_path_factory.mktemp("alerts"), "alerts", ALERTS)
    document = program.run_stack("dev", root)
    assert {r["type"] for r in document["resources"]} == {
        "pulumi:pulumi:Stack",
        "aws:sns/topic:Topic",
        "aws:sns/topicSubscription:TopicSubscription",
    }
    return judging.judge_one(document, engine)


def test_a_stack_without_ses_resources_passes_but_says_so(alerts_result: StackResult) -> None:
    assert alerts_result.passed and alerts_result.ses_resources == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_says_no_ses_resources(
    alerts_result: StackResult, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    text = render(fmt, [alerts_result], policyset.load())
    assert "no SES resources" in text
    if fmt == "json":
        data = json.loads(text)
        jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text("utf-8"))).validate(data)
        [result] = data["results"]
        assert result["passed"] is True and result["ses_resources"] == 0
        assert result["note"].startswith("no SES resources")
    elif fmt == "sarif":
        data = json.loads(text)
        jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text("utf-8"))).validate(data)
        [note] = data["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert note["descriptor"]["id"] == "no-ses-resources" and note["level"] == "note"
    elif fmt == "junit":
        suite = ET.fromstring(text.encode()).find("testsuite")
        assert suite is not None
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["note"] == "no SES resources"
    elif fmt == "markdown":
        assert text.startswith("## sesguard: ✅ passed (no SES resources)\n")
        assert "| ✅ passed (no SES resources) |" in text
    elif fmt == "text":
        assert text.startswith("stack alerts/dev (program, Pulumi.dev.yaml): passed (no SES resources)\n")
    else:  # github: a notice annotation, and the summary line
        assert "::notice title=no SES resources::" in text
        assert text.rstrip().endswith("— passed; no SES resources in dev")


def test_a_stack_with_ses_resources_says_nothing_of_the_kind(engine: EmbeddedEngine) -> None:
    document = {
        "schema": "sesguard/stack/v1",
        "source": "document",
        "project": "p",
        "stack": "s",
        "config": {},
        "resources": [
            {
                "urn": "urn:pulumi:s::p::aws:sesv2/configurationSet:ConfigurationSet::cs",
                "type": "aws:sesv2/configurationSet:ConfigurationSet",
                "name": "cs",
                "props": {"configurationSetName": "cs"},
            }
        ],
    }
    result = judging.judge_one(document, engine)
    assert result.ses_resources == 1
    for fmt in FORMATS:
        assert "no SES resources" not in render(fmt, [result], policyset.load())


def test_a_run_with_and_without_ses_resources_names_the_empty_stack(alerts_result: StackResult) -> None:
    sender = StackResult("shop", "prod", "program", ses_resources=4)
    policies = policyset.load()
    markdown = render("markdown", [sender, alerts_result], policies)
    assert markdown.startswith("## sesguard: ✅ passed (no SES resources in 1 of 2)\n")
    assert "| shop/prod | program | ✅ passed |" in markdown
    assert (
        render("text", [sender, alerts_result], policies)
        .rstrip()
        .endswith("— passed; no SES resources in dev")
    )
