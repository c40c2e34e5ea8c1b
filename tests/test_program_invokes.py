"""Invokes the mock runner answers locally, as the provider would at a preview (issue 22).

aws.getRegion from the stack's aws:region (or the invoke's provider); aws.iam.getPolicyDocument
rendered as the provider renders it (tests/test_policy_document.py); aws.route53.getZone by
name, its id unknown. Anything else stays exit 2 naming the stack's preview command.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from clirun import ROOT, sesguard

from sesguard.document import UNKNOWN
from sesguard.errors import SesguardError
from sesguard.sources.pulumi import program

PROJECTS = ROOT / "tests" / "fixtures" / "projects"


def project_with(tmp_path: Path, code: str) -> Path:
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    main = project / "__main__.py"
    main.write_text(main.read_text("utf-8") + "\n" + code, "utf-8")
    return project


def resources(doc: Any, type_: str) -> list[dict[str, Any]]:
    return [r for r in doc["resources"] if r["type"] == type_]


def exports(doc: Any) -> dict[str, Any]:
    [stack] = resources(doc, "pulumi:pulumi:Stack")
    return stack["props"]


def test_get_region_answers_the_stacks_region_and_a_providers(tmp_path: Path) -> None:
    project = project_with(
        tmp_path,
        "pulumi.export('region', aws.get_region().region)\n"
        "pulumi.export('region_output', aws.get_region_output().region)\n"
        "pulumi.export('endpoint', aws.get_region().endpoint)\n"
        "use1 = aws.Provider('use1', region='us-east-1')\n"
        "pulumi.export('provider_region', aws.get_region(opts=pulumi.InvokeOptions(provider=use1)).region)\n",
    )
    out = exports(program.run_stack("dev", root=project))
    assert out["region"] == "eu-west-1" and out["region_output"] == "eu-west-1"
    assert out["endpoint"] == "ec2.eu-west-1.amazonaws.com"
    assert out["provider_region"] == "us-east-1"


def test_get_region_without_aws_region_names_the_stack(tmp_path: Path) -> None:
    project = project_with(tmp_path, "pulumi.export('region', aws.get_region().region)\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  newsletter:domain: news.example.org\n", "utf-8")
    with pytest.raises(
        SesguardError, match=r"stack dev: the program calls aws\.getRegion, and the stack sets no"
    ):
        program.run_stack("dev", root=project)


TOPIC_POLICY = """
topic = aws.sns.Topic("feedback")
doc = aws.iam.get_policy_document(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(
        sid="AllowSESPublish",
        actions=["SNS:Publish"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="Service", identifiers=["ses.amazonaws.com"])],
        resources=["arn:aws:sns:eu-west-1:123456789012:feedback"],
        conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
            test="StringEquals", variable="AWS:SourceAccount", values=["123456789012"])],
    ),
])
aws.sns.TopicPolicy("feedback", arn=topic.arn, policy=doc.json)
out = aws.iam.get_policy_document_output(statements=[{"actions": ["sqs:SendMessage", "sqs:SendMessage"],
    "resources": ["*"], "principals": [{"type": "Service", "identifiers": ["sns.amazonaws.com"]}]}])
aws.sns.TopicPolicy("minified", arn=topic.arn, policy=out.minified_json)
"""


def test_get_policy_document_renders_the_providers_json(tmp_path: Path) -> None:
    doc = program.run_stack("dev", root=project_with(tmp_path, TOPIC_POLICY))
    policies = {r["name"]: r["props"]["policy"] for r in resources(doc, "aws:sns/topicPolicy:TopicPolicy")}
    assert policies["feedback"] == (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [\n'
        "    {\n"
        '      "Sid": "AllowSESPublish",\n'
        '      "Effect": "Allow",\n'
        '      "Action": "SNS:Publish",\n'
        '      "Resource": "arn:aws:sns:eu-west-1:123456789012:feedback",\n'
        '      "Principal": {\n'
        '        "Service": "ses.amazonaws.com"\n'
        "      },\n"
        '      "Condition": {\n'
        '        "StringEquals": {\n'
        '          "AWS:SourceAccount": "123456789012"\n'
        "        }\n"
        "      }\n"
        "    }\n"
        "  ]\n"
        "}"
    )
    assert policies["minified"] == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage",'
        '"Resource":"*","Principal":{"Service":"sns.amazonaws.com"}}]}'
    )


def test_get_zone_by_name_knows_the_name_not_the_id(tmp_path: Path) -> None:
    project = project_with(
        tmp_path,
        "zone = aws.route53.get_zone(name='News.Example.org.')\n"
        "aws.route53.Record('dmarc', zone_id=zone.zone_id, name=f'_dmarc.{zone.name}', type='TXT',\n"
        "    ttl=300, records=['v=DMARC1; p=reject'])\n"
        "zone2 = aws.route53.get_zone_output(name='news.example.org')\n"
        "aws.route53.Record('spf', zone_id=zone2.zone_id, name=zone2.name, type='TXT', ttl=300,\n"
        "    records=['v=spf1 include:amazonses.com -all'])\n",
    )
    doc = program.run_stack("dev", root=project)
    records = {r["name"]: r["props"] for r in resources(doc, "aws:route53/record:Record")}
    assert records["dmarc"]["name"] == "_dmarc.news.example.org"
    assert records["spf"]["name"] == "news.example.org"
    assert records["dmarc"]["zoneId"] == UNKNOWN and records["spf"]["zoneId"] == UNKNOWN


def test_get_zone_by_id_is_exit_2_with_the_stacks_preview_command(tmp_path: Path) -> None:
    project = project_with(tmp_path, "zone = aws.route53.get_zone(zone_id='Z123')\n")
    with pytest.raises(SesguardError, match="pulumi preview --json --stack dev"):
        program.run_stack("dev", root=project)


def test_another_invoke_is_exit_2_with_the_stack_filled_in(tmp_path: Path) -> None:
    project = project_with(tmp_path, "zones = aws.get_availability_zones()\n")
    run = sesguard("check", "--format", "json", cwd=project)
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert "aws:index/getAvailabilityZones:getAvailabilityZones" in run.stderr
    assert "pulumi preview --json --stack dev | sesguard check --preview -" in run.stderr
    assert "<stack>" not in run.stderr


def test_a_refused_policy_document_is_one_line_naming_the_stack(tmp_path: Path) -> None:
    project = project_with(
        tmp_path,
        "aws.iam.get_policy_document(statements=[\n"
        "    {'sid': 'a', 'actions': ['x:y']}, {'sid': 'a', 'actions': ['x:z']}])\n",
    )
    run = sesguard("check", cwd=project)
    assert run.code == 2 and len(run.err_lines) == 1
    assert (
        "stack dev: aws.iam.getPolicyDocument: writing IAM Policy Document: duplicate Sid (a)" in run.stderr
    )
