"""`sesguard check --cloudformation`: hand-written templates (JSON or YAML with short-form intrinsics)
and `cdk synth` output judged by the same rules (fixtures in tests/fixtures/cloudformation)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from clirun import sesguard

from sesguard import judging, policyset, report
from sesguard.document import SECRET, UNKNOWN
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.errors import InputError
from sesguard.sources.cloudformation import inputs as cloudformation
from sesguard.sources.cloudformation import template as cfn_template

FIXTURES = Path(__file__).parent / "fixtures" / "cloudformation"
TEMPLATE = FIXTURES / "ses-sender.yaml"
CDK_OUT = FIXTURES / "cdk.out"
FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")


def by_name(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["resources"] if r["name"] == name)


def blocking_rules(engine: EmbeddedEngine, doc: dict[str, Any]) -> set[str]:
    return {f.rule for f in engine.evaluate(doc) if f.blocking}


# The deploy's parameter values (`--parameter`): only given values decide Conditions.
PROD = {
    "Environment": "prod",
    "AlertEmails": "platform-oncall@acmetickets.com,deliverability@acmetickets.com",
}


def test_short_form_intrinsics_and_conditions_are_evaluated() -> None:
    doc = cloudformation.load(TEMPLATE, region="us-east-1", parameters=PROD)
    assert (doc["source"], doc["language"], doc["region"]) == (
        "cloudformation",
        "cloudformation",
        "us-east-1",
    )
    config_set = by_name(doc, "ConfigurationSet")["props"]
    assert config_set["configurationSetName"] == "ses-sender-prod"  # !Sub with a parameter default
    assert config_set["deliveryOptions"] == {"tlsPolicy": "REQUIRE"}  # !If on a decided condition
    identity = by_name(doc, "Identity")["props"]
    assert identity["configurationSetName"] == "ses-sender-prod"  # !Ref to the set is its Name
    assert identity["dkimSigningAttributes"]["tokens"] == UNKNOWN
    mx = by_name(doc, "MailFromMx")["props"]
    assert mx["records"] == ["10 feedback-smtp.us-east-1.amazonses.com"]  # AWS::Region from --region
    assert mx["ttl"] == 3600.0
    names = {r["name"] for r in doc["resources"]}
    assert "StagingOnlyTopic" not in names  # Condition IsStaging is false
    subs = [r for r in doc["resources"] if r["name"].startswith("AlertsTopic.Subscription")]
    assert [s["props"]["endpoint"] for s in subs] == [
        "platform-oncall@acmetickets.com",
        "deliverability@acmetickets.com",
    ]


def test_inline_children_are_split_into_their_own_resources() -> None:
    doc = cloudformation.load(TEMPLATE, region="us-east-1")
    identity = by_name(doc, "Identity")
    mail_from = by_name(doc, "Identity.MailFromAttributes")
    assert mail_from["type"] == "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"
    assert mail_from["props"] == {
        "emailIdentity": "acmetickets.com",
        "mailFromDomain": "mail.acmetickets.com",
        "behaviorOnMxFailure": "REJECT_MESSAGE",
    }
    assert identity["urn"] in mail_from["dependencies"]
    dkim = [r for r in doc["resources"] if r["name"].startswith("DkimRecords.RecordSets")]
    assert len(dkim) == 3
    for record in dkim:
        assert (record["type"], record["props"]["type"]) == ("aws:route53/record:Record", "CNAME")
        assert record["props"]["name"] == UNKNOWN and identity["urn"] in record["dependencies"]
        assert not any(other["urn"] in record["dependencies"] for other in dkim)
    subscription = by_name(doc, "AlertsTopic.Subscription[0]")
    assert by_name(doc, "AlertsTopic")["urn"] in subscription["dependencies"]
    destination = by_name(doc, "EventDestination")["props"]["eventDestination"]
    assert destination["matchingEventTypes"] == [
        "BOUNCE",
        "COMPLAINT",
        "DELIVERY",
        "REJECT",
        "RENDERING_FAILURE",
    ]


def test_locations_are_the_logical_ids_lines_relative_to_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    doc = cloudformation.load(TEMPLATE.resolve())  # an absolute path, as CI tools pass it
    lines = TEMPLATE.read_text("utf-8").splitlines()
    for name in ("Identity", "DmarcRecord", "Identity.MailFromAttributes"):
        loc = by_name(doc, name)["location"]
        assert loc["file"] == "tests/fixtures/cloudformation/ses-sender.yaml"
        assert lines[loc["line"] - 1] == "  " + name.split(".")[0] + ":" and loc["column"] == 3


def _comparable(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in r.items() if k not in ("location", "urn", "dependencies")} for r in doc["resources"]
    ]


def test_a_json_template_reads_the_same(tmp_path: Path) -> None:
    from cfnlint.decode import decode_str

    template, _ = decode_str(TEMPLATE.read_text("utf-8"))
    path = tmp_path / "ses-sender.json"
    path.write_text(json.dumps(template, indent=2), "utf-8")
    from_json = cloudformation.load(path, region="us-east-1")
    from_yaml = cloudformation.load(TEMPLATE, region="us-east-1")
    assert _comparable(from_json) == _comparable(from_yaml)
    assert by_name(from_json, "Identity")["location"]["line"] > 1


def test_the_compliant_template_passes_with_or_without_a_region(engine: EmbeddedEngine) -> None:
    assert blocking_rules(engine, cloudformation.load(TEMPLATE, region="us-east-1")) == set()
    # The MAIL FROM MX is built from AWS::Region in the identity's own template: right wherever
    # the stack deploys, so it is compared symbolically, not "cannot verify".
    doc = cloudformation.load(TEMPLATE)
    assert by_name(doc, "MailFromMx")["props"]["records"] == ["10 feedback-smtp.${aws::region}.amazonses.com"]
    assert blocking_rules(engine, doc) == set()


def test_a_literal_region_in_the_mx_needs_the_region(engine: EmbeddedEngine, tmp_path: Path) -> None:
    text = TEMPLATE.read_text("utf-8").replace(
        "!Join ['', ['10 feedback-smtp.', !Ref 'AWS::Region', '.amazonses.com']]",
        "10 feedback-smtp.us-east-1.amazonses.com",
    )
    path = tmp_path / "literal.yaml"
    path.write_text(text, "utf-8")
    findings = [f for f in engine.evaluate(cloudformation.load(path)) if f.blocking]
    assert [f.rule for f in findings] == ["SES-009"]
    assert "pass --region" in findings[0].message
    assert blocking_rules(engine, cloudformation.load(path, region="us-east-1")) == set()
    assert "SES-009" in blocking_rules(engine, cloudformation.load(path, region="eu-west-1"))


def test_a_condition_on_a_parameter_default_is_judged_both_ways(engine: EmbeddedEngine) -> None:
    """`Environment` defaults to prod but the deploy may say staging: unless --parameter fixes
    it, the staging-only topic is judged as present and `!If [IsProd, REQUIRE, OPTIONAL]` as unknown."""
    doc = cloudformation.load(TEMPLATE, region="us-east-1")
    assert "StagingOnlyTopic" in {r["name"] for r in doc["resources"]}
    assert by_name(doc, "ConfigurationSet")["props"]["deliveryOptions"]["tlsPolicy"] == UNKNOWN
    # Values still read the default: only Conditions wait for a fixed value.
    assert by_name(doc, "ConfigurationSet")["props"]["configurationSetName"] == "ses-sender-prod"
    staging = cloudformation.load(TEMPLATE, region="us-east-1", parameters={"Environment": "staging"})
    assert "StagingOnlyTopic" in {r["name"] for r in staging["resources"]}
    assert by_name(staging, "ConfigurationSet")["props"]["deliveryOptions"]["tlsPolicy"] == "OPTIONAL"
    prod = cloudformation.load(TEMPLATE, region="us-east-1", parameters={"Environment": "prod"})
    assert "StagingOnlyTopic" not in {r["name"] for r in prod["resources"]}
    assert by_name(prod, "ConfigurationSet")["props"]["deliveryOptions"]["tlsPolicy"] == "REQUIRE"


def test_account_suppression_cannot_be_declared_so_the_template_must_say_who_owns_it(
    engine: EmbeddedEngine, tmp_path: Path
) -> None:
    text = TEMPLATE.read_text("utf-8").replace("    accountSuppression: false\n", "    {}\n")
    path = tmp_path / "no-owner.yaml"
    path.write_text(text.replace("  sesguard:\n", "  sesguard:\n"), "utf-8")
    findings = [f for f in engine.evaluate(cloudformation.load(path, region="us-east-1")) if f.blocking]
    assert [f.rule for f in findings] == ["SES-016"]
    assert "accountSuppression: false" in findings[0].message


def test_cdk_out_gives_region_account_and_construct_paths(engine: EmbeddedEngine) -> None:
    doc = cloudformation.load(CDK_OUT)
    assert (doc["stack"], doc["region"]) == ("SesSenderStack", "eu-west-1")
    identity = by_name(doc, "SesSenderStack/EmailIdentity/Resource")
    # Not synthesised with --debug: the resource's own line in the template, never line 1.
    assert identity["location"]["file"].endswith("cdk.out/SesSenderStack.template.json")
    assert identity["location"]["line"] > 1
    mx = by_name(doc, "SesSenderStack/EmailIdentity/MailFromMxRecord/Resource")
    assert mx["props"]["records"] == ["10 feedback-smtp.eu-west-1.amazonses.com"]
    rules = blocking_rules(engine, doc)
    # Identity.publicHostedZone(zone) declares the DKIM CNAMEs and the MAIL FROM records.
    assert not rules & {"SES-004", "SES-009"}
    # What a bare EmailIdentity leaves out is still required.
    assert {"SES-005", "SES-011", "SES-012", "SES-016", "SES-021", "SES-022"} <= rules
    same = cloudformation.load(CDK_OUT / "SesSenderStack.template.json")
    assert [r["name"] for r in same["resources"]] == [r["name"] for r in doc["resources"]]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "file is empty"),
        ("Resources: [unclosed\n", "not a readable JSON or YAML template at line"),
        (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  F: {Type: AWS::Serverless::Function}\n",
            "Transform",
        ),
        ("AWSTemplateFormatVersion: '2010-09-09'\n", "no `Resources`"),
        ("Resources:\n  B: {Type: AWS::S3::Bucket}\n", "declares no resource sesguard judges"),
    ],
)
def test_templates_that_cannot_be_judged_are_refused(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(content, "utf-8")
    with pytest.raises(InputError, match=expected):
        cloudformation.load(path)


def test_an_undecidable_condition_keeps_the_resource(engine: EmbeddedEngine, tmp_path: Path) -> None:
    text = TEMPLATE.read_text("utf-8").replace(
        "    Default: prod\n    AllowedValues: [prod, staging]\n", "    AllowedValues: [prod, staging]\n"
    )
    path = tmp_path / "no-default.yaml"
    path.write_text(text, "utf-8")
    doc = cloudformation.load(path, region="us-east-1")
    assert "StagingOnlyTopic" in {r["name"] for r in doc["resources"]}
    assert by_name(doc, "ConfigurationSet")["props"]["deliveryOptions"]["tlsPolicy"] == UNKNOWN


CANARY = "n0echo-canary-5ecret-31415"


def test_no_echo_parameters_never_reach_a_report(engine: EmbeddedEngine, tmp_path: Path) -> None:
    text = TEMPLATE.read_text("utf-8").replace(
        "Parameters:\n",
        f"Parameters:\n  WebhookToken:\n    Type: String\n    NoEcho: true\n    Default: {CANARY}\n",
    )
    text = text.replace(
        "          Endpoint: !Select [0, !Ref AlertEmails]\n",
        "          Endpoint: !Sub 'https://hooks.example.com/${WebhookToken}'\n",
    )
    path = tmp_path / "secret.yaml"
    path.write_text(text, "utf-8")
    doc = cloudformation.load(path, region="us-east-1")
    assert CANARY not in json.dumps(doc)
    assert by_name(doc, "AlertsTopic.Subscription[0]")["props"]["endpoint"] == UNKNOWN
    plain = text.replace("NoEcho: true", "NoEcho: false")
    assert by_name(
        cfn_template.from_template(*_decoded(plain), "t", cfn_template.Environment(), None),
        "AlertsTopic.Subscription[0]",
    )["props"]["endpoint"].endswith(CANARY)
    result = judging.judge_one(doc, engine)
    for fmt in FORMATS:
        assert CANARY not in report.render(fmt, [result], policyset.load(), color=False), fmt
    run = sesguard("check", "--cloudformation", str(path), "--region", "us-east-1", "--format", "sarif")
    assert run.code == 0 and CANARY not in run.stdout + run.stderr
    assert SECRET != CANARY


def _decoded(text: str) -> tuple[dict[str, Any], Any]:
    from cfnlint.decode import decode_str

    template, _ = decode_str(text)
    return template, template


@pytest.mark.parametrize("source", [TEMPLATE, CDK_OUT])
def test_every_report_format_renders_cloudformation_findings(engine: EmbeddedEngine, source: Path) -> None:
    doc = cloudformation.load(source, region="us-east-1")
    result = judging.judge_one(doc, engine)
    for fmt in FORMATS:
        text = report.render(fmt, [result], policyset.load(), color=False)
        assert text.strip(), fmt
        if source == CDK_OUT:
            assert "SES-005" in text, fmt


def test_the_command_reads_a_template_and_a_cloud_assembly() -> None:
    ok = sesguard("check", "--cloudformation", str(TEMPLATE), "--region", "us-east-1", "--format", "json")
    assert ok.code == 0, ok.stderr
    assert json.loads(ok.stdout)["results"][0]["source"] == "cloudformation"
    bad = sesguard("check", "--cloudformation", str(CDK_OUT))
    assert bad.code == 1 and "SesSenderStack/EmailIdentity/Resource" in bad.stdout
    wrong = sesguard("check", "--preview", str(TEMPLATE), "--region", "us-east-1")
    assert wrong.code == 2 and "--region applies to --terraform and --cloudformation only" in wrong.stderr
    stdin = sesguard(
        "check", "--cloudformation", "-", "--region", "us-east-1", stdin=TEMPLATE.read_text("utf-8")
    )
    assert stdin.code == 0, stdin.stderr


@pytest.mark.parametrize(
    ("source", "path", "problem"),
    [
        ("terraform", "tests/fixtures/no-such.json", "no such file"),
        ("terraform", "tests/fixtures", "no .tf files in this directory"),
        ("terraform", "tests/fixtures/bad/binary.json", "not UTF-8"),
        ("terraform", "tests/fixtures/bad/deep.json", "nested more than 100 levels deep"),
        ("cloudformation", "tests/fixtures/no-such.yaml", "no such file"),
        ("cloudformation", "tests/fixtures", "without manifest.json"),
        ("cloudformation", "tests/fixtures/bad/binary.json", "not UTF-8"),
    ],
)
def test_unreadable_inputs_exit_2_with_one_line(source: str, path: str, problem: str) -> None:
    run = sesguard("check", f"--{source}", path)
    assert run.code == 2 and run.stdout == "", run.stderr
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith(f"sesguard: {path}"), run.stderr
    assert problem in run.stderr


def test_a_deeply_nested_template_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    deep = "[" * 5000 + "]" * 5000
    path.write_text(
        '{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"X": ' + deep + "}}}}", "utf-8"
    )
    run = sesguard("check", "--cloudformation", str(path))
    assert run.code == 2 and len(run.err_lines) == 1, run.stderr


def test_config_gives_the_template_its_region(tmp_path: Path) -> None:
    """A template does not say where it deploys: the stack config's aws:region does, like --region.

    Without it a literal region in the MAIL FROM MX cannot be checked (SES-009 cannot verify);
    with it the template passes.
    """
    template = str(tmp_path / "literal.yaml")
    Path(template).write_text(
        TEMPLATE.read_text("utf-8").replace(
            "!Join ['', ['10 feedback-smtp.', !Ref 'AWS::Region', '.amazonses.com']]",
            "10 feedback-smtp.us-east-1.amazonses.com",
        ),
        "utf-8",
    )
    alone = sesguard("check", "--cloudformation", template, "--format", "json")
    assert alone.code == 1 and "SES-009" in alone.stdout and "pass --region" in alone.stdout
    config = tmp_path / "Pulumi.prod.yaml"
    config.write_text("config:\n  aws:region: us-east-1\n", "utf-8")
    run = sesguard("check", "--cloudformation", template, "--config", str(config), "--format", "json")
    assert run.code == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["summary"]["mandatory"] == 0


def test_findings_without_a_line_point_at_the_template_not_pulumi_yaml(tmp_path: Path) -> None:
    """A cdk.out template has no lines worth showing (it is generated): a finding falls back to
    the template the user handed in, never to a Pulumi.yaml that a CDK repository does not have."""
    shutil.copytree(FIXTURES / "cdk.out", tmp_path / "cdk.out")
    run = sesguard("check", "--cloudformation", "cdk.out", "--format", "sarif", cwd=tmp_path)
    assert run.code == 1, run.stderr
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for res in json.loads(run.stdout)["runs"][0]["results"]
        for loc in res["locations"]
    }
    assert uris == {"cdk.out/SesSenderStack.template.json"}


@pytest.mark.parametrize(
    ("resource", "where"),
    [
        # Beside the properties: CloudFormation hands the resource to the macro.
        (
            "  Identity:\n    Type: AWS::SES::EmailIdentity\n"
            "    Properties: {EmailIdentity: acmetickets.com}\n"
            "    Fn::Transform: {Name: AddDefaults}\n",
            "Resources.Identity",
        ),
        # AWS::Include inside the properties: the included snippet is what deploys.
        (
            "  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n"
            "      Fn::Transform:\n        Name: AWS::Include\n"
            "        Parameters: {Location: 's3://bucket/identity.yaml'}\n",
            "Resources.Identity.Properties",
        ),
    ],
)
def test_a_macro_anywhere_in_a_resource_is_refused(tmp_path: Path, resource: str, where: str) -> None:
    path = tmp_path / "macro.yaml"
    path.write_text("Resources:\n" + resource, "utf-8")
    with pytest.raises(InputError, match="Fn::Transform") as info:
        cloudformation.load(path)
    assert f"{path}: {where}:" in str(info.value)
    run = sesguard("check", "--cloudformation", str(path))
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1, run.stderr


def test_ref_of_an_event_bus_is_its_name(tmp_path: Path) -> None:
    path = tmp_path / "bus.yaml"
    path.write_text(
        "Resources:\n"
        "  Bus: {Type: AWS::Events::EventBus, Properties: {Name: ses-events}}\n"
        "  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n      EventBusName: !Ref Bus\n"
        "      EventPattern: {source: [aws.ses]}\n"
        "      Targets: [{Id: q, Arn: !GetAtt Bus.Arn}]\n",
        "utf-8",
    )
    doc = cloudformation.load(path, region="us-east-1")
    rule = by_name(doc, "Rule")["props"]
    # A custom bus (SES publishes to the default one): named, so the rules can tell.
    assert rule["eventBusName"] == "ses-events"
    assert by_name(doc, "Rule.Targets[0]")["props"]["arn"] == UNKNOWN  # no account: not an ARN yet


@pytest.mark.parametrize(
    "content",
    [
        '["Environment=staging", "Domain=acmetickets.com"]',
        '[{"ParameterKey": "Environment", "ParameterValue": "staging"},'
        ' {"ParameterKey": "AlertEmails", "UsePreviousValue": true}]',
        '{"Parameters": {"Environment": "staging"}, "Tags": {"team": "mail"}}',
    ],
)
def test_a_parameters_file_fixes_conditions(tmp_path: Path, content: str) -> None:
    """The files `aws cloudformation deploy --parameter-overrides file://…` reads."""
    params = tmp_path / "params.json"
    params.write_text(content, "utf-8")
    run = sesguard(
        "check", "--cloudformation", str(TEMPLATE), "--parameters", str(params), "--format", "json"
    )
    assert run.code == 0, run.stderr
    findings = json.loads(run.stdout)["results"][0]["findings"]
    assert any(f["rule"] == "SES-019" and "tlsPolicy OPTIONAL" in f["message"] for f in findings)
    # --parameter wins over the file.
    run = sesguard(
        "check", "--cloudformation", str(TEMPLATE), "--parameters", str(params),
        "--parameter", "Environment=prod", "--format", "json",
    )  # fmt: skip
    assert not any(f["rule"] == "SES-019" for f in json.loads(run.stdout)["results"][0]["findings"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--parameter", "Nope=1"], "--parameter Nope: the template declares no such parameter"),
        (["--parameter", "Environment"], "--parameter: expected NAME=VALUE"),
        (["--parameters", "tests/fixtures/no-such.json"], "no such file"),
    ],
)
def test_bad_parameters_exit_2(args: list[str], message: str) -> None:
    run = sesguard("check", "--cloudformation", str(TEMPLATE), *args)
    assert run.code == 2 and len(run.err_lines) == 1 and message in run.stderr, run.stderr
    other = sesguard("check", "--terraform", "plan.json", "--parameter", "A=b")
    assert other.code == 2 and "apply to --cloudformation only" in other.stderr


def test_typescript_on_a_template_means_cdk_not_pulumi(tmp_path: Path) -> None:
    """A CloudFormation user asking for TypeScript writes CDK: SES-016's fix is the template
    Metadata opt-out as aws-cdk-lib code, never a Pulumi resource CloudFormation cannot declare."""
    path = tmp_path / "no-owner.yaml"
    path.write_text(
        TEMPLATE.read_text("utf-8").replace("    accountSuppression: false\n", "    {}\n"), "utf-8"
    )
    run = sesguard("check", "--cloudformation", str(path), "--language", "typescript")
    assert run.code == 1, run.stderr
    assert "templateOptions.metadata = { sesguard: { accountSuppression: false } }" in run.stdout
    assert "AccountSuppressionAttributes" not in run.stdout  # neither in the fix nor the message
    plain = sesguard("check", "--cloudformation", str(path))
    assert "accountSuppression: false" in plain.stdout and "25 November 2019" in plain.stdout
