"""`sesguard check --terraform`: `terraform show -json` / `tofu show -json` plans and states judged by
the same rules, with unknowns, secrets, modules, dependencies and regions read the way Terraform
writes them (fixtures in tests/fixtures/terraform, README there names the modules they model)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from clirun import sesguard
from iac_mutations import tf_without

from sesguard import judging, policyset, report
from sesguard.document import SECRET, UNKNOWN
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.errors import InputError
from sesguard.sources.terraform import address as tfaddress
from sesguard.sources.terraform import mapping as tfmapping
from sesguard.sources.terraform import plan as terraform

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"
FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")
IDENTITY_COM = 'module.ses_domain["acmetickets.com"].aws_sesv2_email_identity.this'
IDENTITY_JP = 'module.ses_domain["acmetickets.jp"].aws_sesv2_email_identity.this'


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def read(data: dict[str, Any]) -> dict[str, Any]:
    return terraform.from_json(data, "plan.json", "plan")


def by_name(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["resources"] if r["name"] == name)


def blocking(engine: EmbeddedEngine, doc: dict[str, Any]) -> list[str]:
    return sorted(f"{f.rule} {f.message}" for f in engine.evaluate(doc) if f.blocking)


def change(plan: dict[str, Any], address: str) -> dict[str, Any]:
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)


# --- the fixtures, judged ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan-first.json", "state.json"])
def test_compliant_plan_and_state_have_no_blocking_finding(engine: EmbeddedEngine, name: str) -> None:
    doc = terraform.load(FIXTURES / name)
    assert (doc["source"], doc["language"], doc["region"]) == ("terraform", "terraform", "us-east-1")
    assert blocking(engine, doc) == []


def test_an_update_plan_that_weakens_dmarc_is_blocked(engine: EmbeddedEngine) -> None:
    doc = terraform.load(FIXTURES / "plan-update.json")
    findings = [f for f in engine.evaluate(doc) if f.blocking]
    assert [(f.rule, f.resource) for f in findings] == [
        ("SES-005", by_name(doc, 'module.ses_domain["acmetickets.jp"].aws_route53_record.dmarc')["urn"])
    ]


def test_first_plan_keeps_unknown_dkim_names_and_links_records_to_their_own_identity() -> None:
    doc = terraform.load(FIXTURES / "plan-first.json")
    identity = by_name(doc, IDENTITY_JP)
    assert identity["props"]["dkimSigningAttributes"]["tokens"] == UNKNOWN
    assert identity["props"]["dkimSigningAttributes"]["nextSigningKeyLength"] == "RSA_2048_BIT"
    for i in range(3):
        record = by_name(doc, f'module.ses_domain["acmetickets.jp"].aws_route53_record.dkim[{i}]')
        assert record["props"]["name"] == UNKNOWN and record["props"]["records"] == UNKNOWN
        assert identity["urn"] in record["dependencies"]
        assert by_name(doc, IDENTITY_COM)["urn"] not in record["dependencies"]


def test_zone_lookups_become_zones_and_other_data_sources_are_left_out() -> None:
    doc = terraform.load(FIXTURES / "plan-first.json")
    zone = by_name(doc, 'module.ses_domain["acmetickets.jp"].data.aws_route53_zone.this')
    assert zone["type"] == "aws:route53/zone:Zone"
    assert (zone["props"]["name"], zone["props"]["zoneId"]) == ("acmetickets.jp", "Z2K9W5JP0ACMETIX0002")
    assert all(".data." not in r["name"] or r["type"].endswith("Zone") for r in doc["resources"])


def test_a_relative_record_name_is_completed_from_a_zone_lookup(engine: EmbeddedEngine) -> None:
    plan = fixture("plan-first.json")
    dmarc = change(plan, 'module.ses_domain["acmetickets.jp"].aws_route53_record.dmarc')["change"]["after"]
    dmarc["name"] = "_dmarc"  # as aws_route53_record allows: relative to the zone the lookup found
    assert blocking(engine, read(plan)) == []
    without_zone = copy.deepcopy(plan)
    without_zone["prior_state"]["values"]["root_module"]["child_modules"] = []
    assert any(b.startswith("SES-005") for b in blocking(engine, read(without_zone)))


def test_every_instance_is_named_by_its_address_and_typed_by_the_table() -> None:
    doc = terraform.load(FIXTURES / "plan-first.json")
    names = {r["name"] for r in doc["resources"]}
    assert 'aws_sns_topic_subscription.alerts["deliverability@acmetickets.com"]' in names
    assert by_name(doc, "aws_cloudwatch_metric_alarm.bounce_rate")["props"]["name"] == "ses-bounce-rate"
    # Types the rules do not read (queue policies) are not in the document.
    assert not any("aws_sqs_queue_policy" in n for n in names)


# --- unknowns and optional+computed attributes ---------------------------------------------------


def test_after_unknown_marks_unknowns_at_any_depth() -> None:
    after = {"a": 1, "block": [{"x": "known"}], "items": ["k", None], "nested": {"deep": [{"v": None}]}}
    unknown = {
        "block": [{"y": True}],
        "items": [False, True],
        "nested": {"deep": [{"v": True}]},
        "whole": True,
    }
    assert tfmapping.overlay_unknown(after, unknown) == {
        "a": 1,
        "block": [{"x": "known", "y": UNKNOWN}],
        "items": ["k", UNKNOWN],
        "nested": {"deep": [{"v": UNKNOWN}]},
        "whole": UNKNOWN,
    }


def test_an_unknown_nested_destination_is_unknown_not_absent() -> None:
    plan = fixture("plan-first.json")
    doc = read(plan)
    dest = by_name(
        doc, 'module.ses_domain["acmetickets.jp"].aws_sesv2_configuration_set_event_destination.sns'
    )
    assert dest["props"]["eventDestination"]["snsDestination"] == {"topicArn": UNKNOWN}
    alarm = by_name(doc, "aws_cloudwatch_metric_alarm.bounce_rate")
    assert alarm["props"]["alarmActions"] == [UNKNOWN]


def test_optional_computed_attribute_not_configured_is_absent_and_configured_is_unknown() -> None:
    plan = fixture("plan-first.json")
    topic = 'module.ses_domain["acmetickets.com"].aws_sns_topic.feedback'
    assert "policy" not in by_name(read(plan), topic)["props"]
    module = plan["configuration"]["root_module"]["module_calls"]["ses_domain"]["module"]
    block = next(r for r in module["resources"] if r["address"] == "aws_sns_topic.feedback")
    block["expressions"]["policy"] = {"references": ["data.aws_iam_policy_document.feedback.json"]}
    assert by_name(read(plan), topic)["props"]["policy"] == UNKNOWN
    # Without a configuration to tell, an unknown stays unknown (fail closed).
    del plan["configuration"]
    assert by_name(read(plan), topic)["props"]["policy"] == UNKNOWN


# --- refusals ------------------------------------------------------------------------------------


def _refused(tmp_path: Path, content: bytes) -> str:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        terraform.load(path)
    return str(err.value)


def test_refusals_name_the_command_to_run(tmp_path: Path) -> None:
    plan = fixture("plan-first.json")
    cases = {
        "binary plan": (b"PK\x03\x04\x14\x00\x00\x00tfplan", "terraform show -json <planfile>"),
        "raw state": (
            json.dumps(
                {"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "x", "resources": []}
            ),
            "raw terraform.tfstate",
        ),
        "errored": (json.dumps({**plan, "errored": True}), "errored"),
        "major 2": (json.dumps({**plan, "format_version": "2.0"}), "not supported"),
        "targeted": (json.dumps({**plan, "complete": False}), "partial plan"),
        "deferred": (
            json.dumps({**plan, "deferred_changes": [{"reason": "instance_count_unknown"}]}),
            "partial",
        ),
        "refresh-only": (
            json.dumps({**plan, "resource_changes": [], "prior_state": fixture("state.json")}),
            "refresh-only",
        ),
        "not terraform": (json.dumps({"steps": []}), "--preview"),
    }
    for label, (content, expected) in cases.items():
        raw = content if isinstance(content, bytes) else content.encode()
        assert expected in _refused(tmp_path, raw), label


def test_refusal_is_exit_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "tfplan"
    path.write_bytes(b"PK\x03\x04\x14\x00binary")
    run = sesguard("check", "--terraform", str(path))
    assert run.code == 2 and len(run.err_lines) == 1 and "terraform show -json" in run.stderr


def test_deletes_forgets_and_deposed_objects_are_not_judged() -> None:
    plan = fixture("plan-update.json")
    for address, actions in (
        ("aws_sesv2_account_suppression_attributes.this", ["delete"]),
        ("aws_cloudwatch_metric_alarm.complaint_rate", ["forget"]),
    ):
        change(plan, address)["change"]["actions"] = actions
    deposed = copy.deepcopy(change(plan, "aws_cloudwatch_metric_alarm.bounce_rate"))
    deposed["deposed"] = "00000001"
    deposed["change"]["after"]["threshold"] = 0.5
    plan["resource_changes"].append(deposed)
    names = {r["name"] for r in read(plan)["resources"]}
    assert "aws_sesv2_account_suppression_attributes.this" not in names
    assert "aws_cloudwatch_metric_alarm.complaint_rate" not in names
    assert by_name(read(plan), "aws_cloudwatch_metric_alarm.bounce_rate")["props"]["threshold"] == 0.02


# --- addresses, modules, dependencies, regions ---------------------------------------------------


def test_addresses_with_dots_brackets_and_quotes_in_keys() -> None:
    a = tfaddress.parse('module.outer["a.b[0]"].module.inner[2].data.aws_route53_zone.z["k\\"]."]')
    assert [(m.name, m.key) for m in a.modules] == [("outer", "a.b[0]"), ("inner", 2)]
    assert (a.mode, a.type, a.name, a.key) == ("data", "aws_route53_zone", "z", 'k"].')
    with pytest.raises(tfaddress.AddressError):
        tfaddress.parse('aws_x.y["unterminated')


def test_nested_module_instances_and_state_depends_on(engine: EmbeddedEngine) -> None:
    state = fixture("state.json")
    root = state["values"]["root_module"]
    child = root["child_modules"][0]
    # The same module one level deeper, as a wrapper module calling it would put it.
    nested = copy.deepcopy(child)
    prefix = 'module.wrapper["eu.prod"].'
    nested["address"] = prefix + child["address"]
    for r in nested["resources"]:
        r["address"] = prefix + r["address"]
    root["child_modules"] = [
        {"address": 'module.wrapper["eu.prod"]', "resources": [], "child_modules": [nested]}
    ]
    doc = terraform.from_json(state, "state.json", "state")
    identity = by_name(doc, prefix + IDENTITY_COM)
    record = by_name(doc, prefix + 'module.ses_domain["acmetickets.com"].aws_route53_record.dkim[0]')
    assert identity["urn"] in record["dependencies"]
    assert record["props"]["name"].endswith("._domainkey.acmetickets.com")


def test_dependencies_are_closed_through_data_sources_and_unmapped_resources() -> None:
    plan = fixture("plan-first.json")
    module = plan["configuration"]["root_module"]["module_calls"]["ses_domain"]["module"]
    policy = next(r for r in module["resources"] if r["address"] == "aws_sns_topic_policy.feedback")
    policy["expressions"]["policy"] = {"references": ["data.aws_iam_policy_document.feedback.json"]}
    module["resources"].append(
        {
            "address": "data.aws_iam_policy_document.feedback",
            "mode": "data",
            "type": "aws_iam_policy_document",
            "name": "feedback",
            "expressions": {
                "statement": [{"resources": {"references": ["aws_sesv2_configuration_set.this.arn"]}}]
            },
        }
    )
    doc = read(plan)
    topic_policy = by_name(doc, 'module.ses_domain["acmetickets.com"].aws_sns_topic_policy.feedback')
    config_set = by_name(doc, 'module.ses_domain["acmetickets.com"].aws_sesv2_configuration_set.this')
    assert config_set["urn"] in topic_policy["dependencies"]


def test_region_from_aliased_provider_variable_and_own_region_argument() -> None:
    plan = fixture("plan-first.json")
    cfg = plan["configuration"]
    cfg["provider_config"]["aws.eu"] = {
        "name": "aws",
        "full_name": "registry.terraform.io/hashicorp/aws",
        "alias": "eu",
        "expressions": {"region": {"references": ["var.eu_region"]}},
    }
    plan["variables"]["eu_region"] = {"value": "eu-west-1"}
    alarm = next(r for r in cfg["root_module"]["resources"] if r["name"] == "bounce_rate")
    alarm["provider_config_key"] = "aws.eu"
    for rc in plan["resource_changes"]:
        rc["change"]["after"].pop("region", None)
    change(plan, "aws_cloudwatch_metric_alarm.complaint_rate")["change"]["after"]["region"] = "ap-northeast-1"
    doc = read(plan)
    assert doc["region"] == "us-east-1"
    assert by_name(doc, "aws_cloudwatch_metric_alarm.bounce_rate")["region"] == "eu-west-1"
    assert by_name(doc, "aws_cloudwatch_metric_alarm.complaint_rate")["region"] == "ap-northeast-1"
    assert by_name(doc, "aws_sns_topic.alerts")["region"] == "us-east-1"


def test_configuration_set_attributes_resource_is_merged_into_its_identity(engine: EmbeddedEngine) -> None:
    plan = fixture("plan-first.json")
    rc = change(plan, IDENTITY_JP)
    del rc["change"]["after"]["configuration_set_name"]
    assert any(b.startswith("SES-011") for b in blocking(engine, read(plan)))
    plan["resource_changes"].append(
        {
            "address": 'module.ses_domain["acmetickets.jp"].'
            "aws_sesv2_email_identity_configuration_set_attributes.this",
            "module_address": 'module.ses_domain["acmetickets.jp"]',
            "mode": "managed",
            "type": "aws_sesv2_email_identity_configuration_set_attributes",
            "name": "this",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": {"email_identity": "acmetickets.jp", "configuration_set_name": "ses-acmetickets-jp"},
                "after_unknown": {"id": True},
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
    )
    doc = read(plan)
    assert by_name(doc, IDENTITY_JP)["props"]["configurationSetName"] == "ses-acmetickets-jp"
    assert blocking(engine, doc) == []


# --- the mapping table ---------------------------------------------------------------------------

ORACLE = {k: v for k, v in fixture("mapping-oracle.json").items() if not k.startswith("$")}
MARK = "sesguard-mapping-marker"


def _tf_value(path: str) -> dict[str, Any]:
    """{"a": [{"b": MARK}]} for "a[0].b" (a MaxItems=1 block) or "a[].b" (a list of blocks)."""
    head, _, rest = path.partition(".")
    name = head.removesuffix("[0]").removesuffix("[]")
    inner: Any = _tf_value(rest) if rest else MARK
    return {name: [inner] if head.endswith("]") else inner}


def _pulumi_value(props: Any, path: str) -> Any:
    for step in path.split("."):
        name = step.removesuffix("[]")
        props = props[name]
        if step.endswith("[]"):
            props = props[0]
    return props


@pytest.mark.parametrize(
    ("token", "pulumi_path", "tf_path"),
    [
        (token, p, paths[0])
        for token, entry in ORACLE.items()
        for p, paths in entry["props"].items()
        if entry["tf"] and paths[0]
    ],
)
def test_every_property_the_rules_read_maps_to_its_pulumi_name(
    token: str, pulumi_path: str, tf_path: str
) -> None:
    tm = tfmapping.table().resources[ORACLE[token]["tf"]]
    assert tm.token == token
    # Cloudflare's v4 zone has `zone`, v5 `name`: both are in the oracle and both reach the rules.
    assert _pulumi_value(tfmapping.convert(tm, _tf_value(tf_path)), pulumi_path) == MARK


def test_every_type_the_rules_read_is_in_the_table() -> None:
    table = tfmapping.table()
    tf_types = {e["tf"] for e in ORACLE.values() if e["tf"]}
    assert tf_types <= set(table.resources)
    assert {"aws_route53_zone", "cloudflare_zone"} <= set(table.data_sources)
    assert "aws_sesv2_email_identity_configuration_set_attributes" in table.merged


def test_tag_keys_are_user_data_not_attribute_names() -> None:
    tm = tfmapping.table().resources["aws_sns_topic"]
    assert tfmapping.convert(tm, {"tags": {"cost_center": "mail"}})["tags"] == {"cost_center": "mail"}


# --- secrets -------------------------------------------------------------------------------------

CANARY = "c4n4ry-tf-s3cr3t-9f8e7d"


def _plant_canaries(plan: dict[str, Any]) -> dict[str, Any]:
    """The canary in every place Terraform writes a sensitive value in plain text."""
    plan = copy.deepcopy(plan)
    rc = change(plan, IDENTITY_COM)["change"]
    rc["after"]["dkim_signing_attributes"][0]["domain_signing_private_key"] = CANARY
    rc["after"]["dkim_signing_attributes"][0]["domain_signing_selector"] = "sel1"
    rc["after_sensitive"] = {"dkim_signing_attributes": [{"domain_signing_private_key": True}]}
    rc["before"] = {"email_identity": CANARY}
    rc["before_sensitive"] = {"email_identity": True}
    dmarc = change(plan, 'module.ses_domain["acmetickets.jp"].aws_route53_record.dmarc')["change"]
    dmarc["after"]["records"] = [f"v=DMARC1; p=none; rua=mailto:{CANARY}@example.com"]
    dmarc["after_sensitive"] = {"records": [True]}  # from a sensitive variable
    zone = plan["prior_state"]["values"]["root_module"]["child_modules"][0]["resources"][0]
    zone["values"]["comment"] = CANARY
    zone["sensitive_values"] = {"comment": True}
    plan["variables"]["cloudflare_api_token"] = {"value": CANARY}
    plan["configuration"]["root_module"]["variables"]["cloudflare_api_token"] = {
        "sensitive": True,
        "default": CANARY,
    }
    plan["configuration"]["provider_config"]["aws"]["expressions"]["access_key"] = {"constant_value": CANARY}
    return plan


def test_sensitive_values_never_reach_the_document_or_any_report(engine: EmbeddedEngine) -> None:
    plan = _plant_canaries(fixture("plan-first.json"))
    doc = read(plan)
    assert CANARY not in json.dumps(doc)
    identity = by_name(doc, IDENTITY_COM)
    assert identity["props"]["dkimSigningAttributes"]["domainSigningPrivateKey"] == SECRET
    result = judging.judge_one(doc, engine)
    assert any(f.rule == "SES-005" for f in result.findings)  # the secret DMARC value is judged, not shown
    policies = policyset.load()
    for fmt in FORMATS:
        assert CANARY not in report.render(fmt, [result], policies, color=False), fmt


def test_sensitive_values_never_reach_the_command_output_or_its_errors(tmp_path: Path) -> None:
    plan = _plant_canaries(fixture("plan-first.json"))
    good = tmp_path / "plan.json"
    good.write_text(json.dumps(plan), "utf-8")
    broken = copy.deepcopy(plan)
    change(broken, IDENTITY_COM)["address"] = f'aws_x.y["{CANARY}'
    bad_address = tmp_path / "bad-address.json"
    bad_address.write_text(json.dumps(broken), "utf-8")
    wrong_type = copy.deepcopy(plan)
    change(wrong_type, IDENTITY_COM)["change"]["after"] = CANARY
    bad_after = tmp_path / "bad-after.json"
    bad_after.write_text(json.dumps(wrong_type), "utf-8")
    runs = [sesguard("check", "--terraform", str(good), "--format", f) for f in ("sarif", "github")]
    runs += [sesguard("check", "--terraform", str(p)) for p in (bad_address, bad_after)]
    assert [r.code for r in runs] == [1, 1, 2, 2]
    for run in runs:
        assert CANARY not in run.stdout + run.stderr


# --- every report format -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan-first.json", "state.json", "plan-update.json"])
def test_every_report_format_renders_terraform_findings(engine: EmbeddedEngine, name: str) -> None:
    doc = terraform.load(FIXTURES / name)
    result = judging.judge_one(doc, engine)
    policies = policyset.load()
    for fmt in FORMATS:
        text = report.render(fmt, [result], policies, color=False)
        assert text.strip(), fmt
        if name == "plan-update.json":
            assert "SES-005" in text, fmt


def test_plan_from_stdin_through_the_command() -> None:
    text = (FIXTURES / "plan-update.json").read_text("utf-8")
    run = sesguard("check", "--terraform", "-", "--format", "json", stdin=text)
    assert run.code == 1, run.stderr
    result = json.loads(run.stdout)["results"][0]
    assert result["source"] == "terraform"
    assert [f["rule"] for f in result["findings"] if f["enforcement"] == "mandatory"] == ["SES-005"]


def test_terraform_is_exclusive_with_other_file_sources() -> None:
    run = sesguard("check", "--terraform", "a.json", "--preview", "b.json")
    assert run.code == 2 and "not allowed with" in run.stderr


# --- SES v1 through a module, with Cloudflare v4 records and a sensitive variable ----------------

TOKEN = "TFVAR-cloudflare-token-must-never-print-7f3a"
SMTP_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSMTPSECRET"


def test_v1_identity_with_cloudflare_v4_records_is_judged(engine: EmbeddedEngine) -> None:
    doc = terraform.load(FIXTURES / "plan-v1-cloudflare.json")
    zone = by_name(doc, "module.ses.data.cloudflare_zone.this")
    assert (zone["type"], zone["props"]["name"]) == ("cloudflare:index/zone:Zone", "acmetickets.com")
    mx = by_name(doc, "module.ses.cloudflare_record.from_domain_mx")
    assert mx["type"] == "cloudflare:index/record:Record"
    # `content` is Optional+Computed in provider v4 and not configured: absent, so `value` is read.
    assert "content" not in mx["props"] and mx["props"]["value"] == "feedback-smtp.us-east-1.amazonses.com"
    rules = {f.rule for f in engine.evaluate(doc) if f.blocking}
    # The module declares DKIM, DMARC and MAIL FROM records (none of these fire) but no
    # configuration set, no feedback, no alarms and a MAIL FROM that falls back on MX failure. A v1
    # identity's missing Bounce/Complaint handling is one gap, owned by SES-012 (SES-011 judges the
    # configuration set of v2 identities).
    assert rules == {"SES-008", "SES-012", "SES-016", "SES-021", "SES-022"}
    assert TOKEN not in json.dumps(doc) and SMTP_SECRET not in json.dumps(doc)


def test_v1_dkim_records_are_required(engine: EmbeddedEngine) -> None:
    plan = fixture("plan-v1-cloudflare.json")
    tf_without(plan, lambda r: "ses_dkim[2]" not in r["address"])
    assert "SES-004" in {f.rule for f in engine.evaluate(read(plan)) if f.blocking}


def test_v1_plan_secrets_never_reach_a_report(tmp_path: Path) -> None:
    # Every format from one run: --output FORMAT=FILE is repeatable.
    outs = {fmt: tmp_path / f"report.{fmt}" for fmt in FORMATS}
    run = sesguard(
        "check",
        "--terraform",
        str(FIXTURES / "plan-v1-cloudflare.json"),
        *(f"--output={fmt}={out}" for fmt, out in outs.items()),
    )
    assert run.code == 1, run.stderr
    assert TOKEN not in run.stdout + run.stderr and SMTP_SECRET not in run.stdout + run.stderr
    for fmt, out in outs.items():
        text = out.read_text("utf-8")
        assert TOKEN not in text and SMTP_SECRET not in text, fmt


def test_a_for_each_reference_without_a_key_links_the_instance_with_the_same_key() -> None:
    from sesguard.sources.terraform import config as tfconfig
    from sesguard.sources.terraform import deps as tfdeps

    cfg = tfconfig.read(
        {
            "root_module": {
                "resources": [
                    {"address": "aws_sesv2_email_identity.d", "mode": "managed", "type": "x", "name": "d"},
                    {
                        "address": "aws_route53_record.dkim",
                        "mode": "managed",
                        "type": "y",
                        "name": "dkim",
                        "expressions": {"name": {"references": ["aws_sesv2_email_identity.d", "each.key"]}},
                    },
                    {
                        "address": "aws_route53_record.first",
                        "mode": "managed",
                        "type": "y",
                        "name": "first",
                        "expressions": {"name": {"references": ['aws_sesv2_email_identity.d["a.com"]']}},
                    },
                ]
            }
        }
    )
    instances = {
        a: tfaddress.parse(a)
        for a in (
            'aws_sesv2_email_identity.d["a.com"]',
            'aws_sesv2_email_identity.d["b.com"]',
            'aws_route53_record.dkim["b.com"]',
            "aws_route53_record.first",
        )
    }
    deps = tfdeps.dependencies(instances, cfg, {})
    assert deps['aws_route53_record.dkim["b.com"]'] == ['aws_sesv2_email_identity.d["b.com"]']
    assert deps["aws_route53_record.first"] == ['aws_sesv2_email_identity.d["a.com"]']


def test_stack_settings_given_outside_the_plan_reach_the_rules(engine: EmbeddedEngine) -> None:
    """The seam for --config: a plan carries no stack config, so settings come from outside it."""
    plan = fixture("plan-first.json")
    tf_without(plan, lambda r: r["type"] != "aws_sesv2_account_suppression_attributes")
    assert "SES-016" in {f.rule for f in engine.evaluate(read(plan)) if f.blocking}
    owned_elsewhere = terraform.from_json(plan, "plan.json", config={"sesguard:accountSuppression": False})
    assert "SES-016" not in {f.rule for f in engine.evaluate(owned_elsewhere) if f.blocking}


def test_dependencies_cross_module_outputs_and_inputs() -> None:
    from sesguard.sources.terraform import config as tfconfig
    from sesguard.sources.terraform import deps as tfdeps

    cfg = tfconfig.read(
        {
            "root_module": {
                "resources": [
                    {"address": "aws_sns_topic.t", "mode": "managed", "type": "aws_sns_topic", "name": "t"},
                    {
                        "address": "aws_cloudwatch_metric_alarm.a",
                        "mode": "managed",
                        "type": "aws_cloudwatch_metric_alarm",
                        "name": "a",
                        "expressions": {"dimensions": {"references": ["module.ses.identity", "module.ses"]}},
                    },
                ],
                "module_calls": {
                    "ses": {
                        "expressions": {
                            "topic_arn": {"references": ["aws_sns_topic.t.arn", "aws_sns_topic.t"]}
                        },
                        "module": {
                            "resources": [
                                {
                                    "address": "aws_sesv2_email_identity.i",
                                    "mode": "managed",
                                    "type": "x",
                                    "name": "i",
                                },
                                {
                                    "address": "aws_sesv2_configuration_set_event_destination.d",
                                    "mode": "managed",
                                    "type": "y",
                                    "name": "d",
                                    "expressions": {
                                        "event_destination": [{"topic": {"references": ["var.topic_arn"]}}]
                                    },
                                },
                            ],
                            "outputs": {
                                "identity": {"expression": {"references": ["aws_sesv2_email_identity.i"]}}
                            },
                        },
                    }
                },
            }
        }
    )
    names = (
        "aws_sns_topic.t",
        "aws_cloudwatch_metric_alarm.a",
        "module.ses.aws_sesv2_email_identity.i",
        "module.ses.aws_sesv2_configuration_set_event_destination.d",
    )
    deps = tfdeps.dependencies({n: tfaddress.parse(n) for n in names}, cfg, {})
    assert deps["module.ses.aws_sesv2_configuration_set_event_destination.d"] == ["aws_sns_topic.t"]
    assert deps["aws_cloudwatch_metric_alarm.a"] == ["module.ses.aws_sesv2_email_identity.i"]


def test_findings_without_a_line_point_at_the_plan_not_pulumi_yaml(tmp_path: Path) -> None:
    """A plan names no file for its resources: findings fall back to the plan handed in (as a
    CloudFormation finding falls back to its template), never to a Pulumi.yaml a Terraform
    repository does not have; --config's stack file takes its place when given."""
    import shutil

    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(FIXTURES / "plan-first.json", plans / "plan.json")
    run = sesguard(
        "check", "--terraform", "plans/plan.json", "--region", "us-east-1", "--format", "sarif", cwd=tmp_path
    )
    assert run.code in (0, 1), run.stderr
    results = json.loads(run.stdout)["runs"][0]["results"]
    assert results, "the plan draws no finding: the test proves nothing"
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for res in results for loc in res["locations"]}
    assert uris == {"plans/plan.json"}
    config = tmp_path / "Pulumi.tf.yaml"
    config.write_text("config:\n  aws:region: us-east-1\n", "utf-8")
    run = sesguard(
        "check", "--terraform", "plans/plan.json", "--config", str(config), "--format", "sarif", cwd=tmp_path
    )
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for res in json.loads(run.stdout)["runs"][0]["results"]
        for loc in res["locations"]
    }
    assert uris == {"Pulumi.tf.yaml"}
