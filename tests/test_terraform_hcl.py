"""`sesguard check --terraform DIR`: Terraform configuration judged without a plan.

The configuration in tests/fixtures/terraform/hcl/ses-domain (modelled on
trussworks/terraform-aws-ses-domain, README beside it) has real `terraform show -json` plans beside
it, made by tests/fixtures/terraform/hcl/generate.sh with terraform 1.11 and hashicorp/aws
5.100.0: the directory must give the plan's findings, except where one of them knows a value the
other cannot (listed below, each with why).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from clirun import sesguard

from sesguard.document import SECRET, UNKNOWN
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.errors import InputError
from sesguard.sources.terraform import hcl
from sesguard.sources.terraform import plan as terraform

HERE = Path(__file__).parent / "fixtures" / "terraform" / "hcl"
SES_DOMAIN = HERE / "ses-domain"
COM = 'module.ses_domain["example.com"]'

# Where the directory and its plan differ, and why. The plan's jsonencode over an unknown ARN is
# unknown as a whole (Terraform's rule); the directory reads the literal and knows the queue names a
# dead-letter target (whose ARN only apply knows).
KNOWN_DIFFERENCES = {
    ("SES-015", f"{COM}.aws_sqs_queue.feedback"),
    ("SES-015", 'module.ses_domain["example.org"].aws_sqs_queue.feedback'),
}


def findings(engine: EmbeddedEngine, doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f.rule, f.resource.split("::")[-1]) for f in engine.evaluate(doc)}


def by_name(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["resources"] if r["name"] == name)


@pytest.mark.parametrize(
    ("folder", "var_files", "plan_file", "blocked"),
    [
        ("ses-domain", [], "plan.json", None),
        ("ses-domain", ["weak-dmarc.tfvars"], "plan-weak-dmarc.json", f"{COM}.aws_route53_record.dmarc"),
        ("trussworks", [], "plan.json", "module.ses_domain.aws_route53_record.txt_dmarc[0]"),
        ("trussworks", ["reject.tfvars"], "plan-reject.json", None),
    ],
)
def test_the_directory_gives_its_plans_findings(
    engine: EmbeddedEngine, folder: str, var_files: list[str], plan_file: str, blocked: str | None
) -> None:
    root = HERE / folder
    from_hcl = findings(engine, hcl.load(root, var_files=[root / f for f in var_files]))
    from_plan = findings(engine, terraform.load(root / plan_file))
    assert from_hcl ^ from_plan == KNOWN_DIFFERENCES & from_plan
    assert (blocked is not None) == (("SES-005", blocked) in from_hcl)


def test_count_for_each_modules_and_variables_are_expanded() -> None:
    doc = hcl.load(SES_DOMAIN)
    names = {r["name"] for r in doc["resources"]}
    for domain in ("example.com", "example.org"):
        # for_each over a map from terraform.tfvars, count = 3 inside the module.
        assert {f'module.ses_domain["{domain}"].aws_route53_record.dkim[{i}]' for i in range(3)} <= names
    identity = by_name(doc, f"{COM}.aws_sesv2_email_identity.this")
    assert identity["props"]["emailIdentity"] == "example.com"  # each.key through a module input
    assert identity["props"]["configurationSetName"] == "example-com"  # a local over a variable
    assert identity["props"]["arn"] == UNKNOWN  # what only apply knows, as a plan's after_unknown
    assert doc["region"] == "eu-west-1"  # the provider's region from a variable default


def test_references_between_resources_still_count() -> None:
    """A DKIM CNAME whose name reads the identity's tokens belongs to that identity: the link lives
    inside an interpolation, which tfparse does not report."""
    doc = hcl.load(SES_DOMAIN)
    record = by_name(doc, f"{COM}.aws_route53_record.dkim[0]")
    identity = by_name(doc, f"{COM}.aws_sesv2_email_identity.this")
    assert record["props"]["name"] == UNKNOWN
    assert identity["urn"] in record["dependencies"]
    other = by_name(doc, 'module.ses_domain["example.org"].aws_sesv2_email_identity.this')
    assert other["urn"] not in record["dependencies"]


def test_the_provider_region_makes_the_mail_from_mx_known() -> None:
    """`data.aws_region.current.name` in the MX (trussworks' pattern) is the provider's region."""
    mx = by_name(hcl.load(SES_DOMAIN), f"{COM}.aws_route53_record.mail_from_mx")
    assert mx["props"]["records"] == ["10 feedback-smtp.eu-west-1.amazonses.com"]


def test_a_jsonencoded_policy_keeps_what_is_known(engine: EmbeddedEngine) -> None:
    doc = hcl.load(SES_DOMAIN)
    policy = json.loads(by_name(doc, f"{COM}.aws_sns_topic_policy.feedback")["props"]["policy"])
    statement = policy["Statement"][0]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    # The account id is a data source's: known to a plan, unknown here.
    assert statement["Condition"]["StringEquals"]["AWS:SourceAccount"] == UNKNOWN
    assert not {f for f in findings(engine, doc) if f[0] == "SES-014"}


def copy_fixture(tmp_path: Path) -> Path:
    target = tmp_path / "ses-domain"
    shutil.copytree(SES_DOMAIN, target, ignore=shutil.ignore_patterns("plan*.json"))
    return target


def test_a_variable_with_no_value_is_unknown_and_fails_closed(engine: EmbeddedEngine, tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    main = root / "main.tf"
    main.write_text(
        main.read_text().replace('  type    = string\n  default = "reject"\n', "  type = string\n")
    )
    doc = hcl.load(root)
    dmarc = by_name(doc, f"{COM}.aws_route53_record.dmarc")
    assert dmarc["props"]["records"] == [UNKNOWN]
    assert ("SES-005", f"{COM}.aws_route53_record.dmarc") in findings(engine, doc)


def test_a_condition_on_an_unknown_variable_is_judged_as_the_worse(
    engine: EmbeddedEngine, tmp_path: Path
) -> None:
    root = copy_fixture(tmp_path)
    module = root / "modules" / "ses-domain" / "main.tf"
    text = module.read_text()
    module.write_text(
        text.replace(
            'records = ["v=DMARC1; p=${var.dmarc_policy}; rua=${var.dmarc_rua}"]',
            'records = [var.strict ? "v=DMARC1; p=reject" : "v=DMARC1; p=none"]',
        )
        + 'variable "strict" { type = bool }\n'
    )
    doc = hcl.load(root)
    assert by_name(doc, f"{COM}.aws_route53_record.dmarc")["props"]["records"] == [UNKNOWN]
    assert ("SES-005", f"{COM}.aws_route53_record.dmarc") in findings(engine, doc)


def test_locations_are_the_blocks_own_lines() -> None:
    doc = hcl.load(SES_DOMAIN)
    module_file = SES_DOMAIN / "modules" / "ses-domain" / "main.tf"
    lines = module_file.read_text().splitlines()
    dmarc = by_name(doc, f"{COM}.aws_route53_record.dmarc")["location"]
    assert Path(dmarc["file"]).resolve() == module_file.resolve()
    assert lines[dmarc["line"] - 1] == 'resource "aws_route53_record" "dmarc" {'
    alarm = by_name(doc, "aws_cloudwatch_metric_alarm.bounce_rate")["location"]
    assert Path(alarm["file"]).name == "main.tf" and alarm["line"] > 1


def test_a_sensitive_variable_never_reaches_the_document(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "secret.tf").write_text(
        'variable "alerts_email" {\n  type      = string\n  sensitive = true\n'
        '  default   = "pager-token-7731@example.com"\n}\n'
        'resource "aws_sns_topic_subscription" "pager" {\n  topic_arn = aws_sns_topic.alerts.arn\n'
        '  protocol  = "email"\n  endpoint  = var.alerts_email\n}\n'
    )
    doc = hcl.load(root)
    assert "pager-token-7731" not in json.dumps(doc)
    assert by_name(doc, "aws_sns_topic_subscription.pager")["props"]["endpoint"] == SECRET


def test_a_module_terraform_init_did_not_lay_out_exits_2(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "extra.tf").write_text(
        'module "ses" {\n  source  = "cloudposse/ses/aws"\n  version = "0.25.0"\n'
        '  domain  = "example.net"\n}\n'
    )
    with pytest.raises(InputError) as err:
        hcl.load(root)
    assert "module.ses" in str(err.value) and "terraform init -backend=false" in str(err.value)


def test_an_initialised_registry_module_is_read(engine: EmbeddedEngine, tmp_path: Path) -> None:
    """What `terraform init -backend=false` lays out: the module's source and modules.json."""
    root = copy_fixture(tmp_path)
    (root / "extra.tf").write_text(
        'module "weak" {\n  source  = "example/dmarc/aws"\n  version = "1.0.0"\n'
        '  domain  = "example.net"\n}\n'
    )
    laid = root / ".terraform" / "modules" / "weak"
    laid.mkdir(parents=True)
    (laid / "main.tf").write_text(
        'variable "domain" { type = string }\n'
        'resource "aws_route53_record" "dmarc" {\n  zone_id = "Z0123456789ABCDEFGHIJ"\n'
        '  name    = "_dmarc.${var.domain}"\n  type    = "TXT"\n  ttl     = 600\n'
        '  records = ["v=DMARC1; p=none"]\n}\n'
    )
    (root / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {
                        "Key": "weak",
                        "Source": "registry.terraform.io/example/dmarc/aws",
                        "Version": "1.0.0",
                        "Dir": ".terraform/modules/weak",
                    },
                    {"Key": "ses_domain", "Source": "./modules/ses-domain", "Dir": "modules/ses-domain"},
                ]
            }
        )
    )
    doc = hcl.load(root)
    record = by_name(doc, "module.weak.aws_route53_record.dmarc")
    assert record["props"]["name"] == "_dmarc.example.net"
    assert record["props"]["records"] == ["v=DMARC1; p=none"]


def test_invalid_hcl_exits_2_naming_the_file(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "broken.tf").write_text('resource "aws_sns_topic" "x" {\n  name = \n')
    run = sesguard("check", "--terraform", str(root))
    assert run.code == 2, run.stderr
    assert len(run.err_lines) == 1 and "broken.tf" in run.stderr and "Traceback" not in run.stderr


def test_a_directory_without_tf_files_exits_2(tmp_path: Path) -> None:
    run = sesguard("check", "--terraform", str(tmp_path))
    assert run.code == 2 and "no .tf files" in run.stderr


def test_check_in_a_terraform_repository_judges_its_configuration(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    run = sesguard("check", "--var-file", "weak-dmarc.tfvars", "--format", "json", cwd=root)
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    rules = {f["rule"] for r in report["results"] for f in r["findings"]}
    assert "SES-005" in rules
    assert report["results"][0]["source"] == "terraform"


def test_sarif_points_at_the_tf_line(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    run = sesguard(
        "check", "--terraform", ".", "--var-file", "weak-dmarc.tfvars", "--format", "sarif", cwd=root
    )
    assert run.code == 1, run.stderr
    results = json.loads(run.stdout)["runs"][0]["results"]
    dmarc = next(r for r in results if r["ruleId"] == "SES-005")
    where = dmarc["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "modules/ses-domain/main.tf"
    lines = (root / "modules/ses-domain/main.tf").read_text().splitlines()
    assert lines[where["region"]["startLine"] - 1].startswith('resource "aws_route53_record" "dmarc"')


def test_var_file_without_a_directory_is_a_usage_error() -> None:
    run = sesguard("check", "--terraform", str(SES_DOMAIN / "plan.json"), "--var-file", "x.tfvars")
    assert run.code == 2 and "--var-file" in run.stderr


def test_an_aliased_provider_gives_its_resources_its_region(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "virginia.tf").write_text(
        'provider "aws" {\n  alias  = "virginia"\n  region = "us-east-1"\n}\n'
        'resource "aws_sesv2_configuration_set" "virginia" {\n  provider               = aws.virginia\n'
        '  configuration_set_name = "virginia"\n}\n'
    )
    doc = hcl.load(root)
    assert by_name(doc, "aws_sesv2_configuration_set.virginia")["region"] == "us-east-1"
    assert by_name(doc, f"{COM}.aws_sesv2_configuration_set.this")["region"] == "eu-west-1"
