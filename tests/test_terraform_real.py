"""`sesguard check --terraform` on real `terraform show -json` output (tests/fixtures/terraform/<name>/,
made by terraform 1.11 and hashicorp/aws 5.100.0 against moto: see generate.py and each README).

Issue 20's false blocks on the canonical Terraform sender (Easy DKIM's sensitive empty private key,
the topic's default policy output beside an aws_sns_topic_policy, the dead-letter queue taken for a
subscriber, a state's region) and issue 20/21's plan shapes that collapse or hide resources.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from clirun import sesguard
from iac_mutations import tf_without

from sesguard.document import SECRET
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.errors import InputError
from sesguard.sources.common import resources as res
from sesguard.sources.pulumi import state as pulumi_state
from sesguard.sources.terraform import mapping as tfmapping
from sesguard.sources.terraform import plan as terraform

SENDER = Path(__file__).parent / "fixtures" / "terraform" / "compliant-sender"
EXPORT = Path(__file__).parent / "fixtures" / "exports" / "dev.json"
IDENTITY = "aws_sesv2_email_identity.this"
TOPIC = "aws_sns_topic.feedback"


def sender(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SENDER / name).read_text("utf-8"))
    return data


def read(data: dict[str, Any], name: str = "state") -> dict[str, Any]:
    return terraform.from_json(data, f"{name}.json", name)


def by_name(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["resources"] if r["name"] == name)


def findings(engine: EmbeddedEngine, doc: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return sorted((f.rule, f.resource.rsplit("::", 1)[-1], f.blocking) for f in engine.evaluate(doc))


def state_resources(state: dict[str, Any]) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = state["values"]["root_module"]["resources"]
    return resources


# --- the compliant sender passes, plan and state ---------------------------------------------------


def test_compliant_sender_plan_has_no_mandatory_finding(engine: EmbeddedEngine) -> None:
    doc = terraform.load(SENDER / "plan.json")
    assert (doc["source"], doc["region"]) == ("terraform", "us-east-1")
    # Only the queue's redrive policy, built from the dead-letter queue's ARN, is unknown at plan.
    assert findings(engine, doc) == [("SES-015", "aws_sqs_queue.feedback", False)]


def test_compliant_sender_state_has_no_finding(engine: EmbeddedEngine) -> None:
    doc = terraform.load(SENDER / "state.json")
    assert findings(engine, doc) == []


def test_compliant_sender_through_the_command_exits_0() -> None:
    for name in ("plan.json", "state.json"):
        run = sesguard("check", "--terraform", str(SENDER / name), "--format", "json")
        assert run.code == 0, run.stderr
        assert json.loads(run.stdout)["summary"]["mandatory"] == 0


# --- Easy DKIM's sensitive empty private key -------------------------------------------------------


def test_sensitive_empty_private_key_is_not_a_key() -> None:
    raw = next(r for r in state_resources(sender("state.json")) if r["address"] == IDENTITY)
    # What terraform show -json writes for an Easy DKIM identity.
    assert raw["values"]["dkim_signing_attributes"][0]["domain_signing_private_key"] == ""
    assert raw["sensitive_values"]["dkim_signing_attributes"][0]["domain_signing_private_key"] is True
    attrs = by_name(read(sender("state.json")), IDENTITY)["props"]["dkimSigningAttributes"]
    assert attrs.get("domainSigningPrivateKey") in (None, "")
    assert attrs["signingAttributesOrigin"] == "AWS_SES"
    assert len(attrs["tokens"]) == 3


def test_a_sensitive_value_with_content_is_still_redacted() -> None:
    assert tfmapping.redact("", True) == ""
    assert tfmapping.redact(None, True) is None
    assert tfmapping.redact([], True) == []
    assert tfmapping.redact("-----BEGIN RSA PRIVATE KEY-----", True) == SECRET
    assert tfmapping.redact(["k"], True) == SECRET
    assert tfmapping.redact({"a": "x", "b": ""}, {"a": True, "b": True}) == {"a": SECRET, "b": ""}


def test_a_byodkim_key_in_a_state_is_still_secret_and_judged(engine: EmbeddedEngine) -> None:
    state = sender("state.json")
    raw = next(r for r in state_resources(state) if r["address"] == IDENTITY)
    dkim = raw["values"]["dkim_signing_attributes"][0]
    dkim.update(domain_signing_private_key="MIIEpAIBAAKCAQEAplanted", signing_attributes_origin="EXTERNAL")
    doc = read(state)
    attrs = by_name(doc, IDENTITY)["props"]["dkimSigningAttributes"]
    assert attrs["domainSigningPrivateKey"] == SECRET
    assert "planted" not in json.dumps(doc)
    # BYODKIM with no selector: SES cannot sign.
    assert ("SES-002", IDENTITY, True) in findings(engine, doc)


# --- a state's region comes from its ARNs -----------------------------------------------------------


def test_state_region_is_read_from_the_resources_arns() -> None:
    doc = read(sender("state.json"))
    assert doc["region"] == "us-east-1"
    assert by_name(doc, IDENTITY)["region"] == "us-east-1"


# --- SES-014: an aws_sns_topic_policy governs over the topic's own policy output ---------------------


def test_topic_default_policy_output_is_marked_computed() -> None:
    topic = by_name(read(sender("state.json")), TOPIC)
    assert '"__default_statement_ID"' in topic["props"]["policy"]
    assert topic["computed"] == ["policy"]


def test_without_the_topic_policy_the_default_policy_output_blocks(engine: EmbeddedEngine) -> None:
    state = sender("state.json")
    module = state["values"]["root_module"]
    module["resources"] = [r for r in module["resources"] if r["type"] != "aws_sns_topic_policy"]
    assert ("SES-014", TOPIC, True) in findings(engine, read(state))


def test_a_policy_the_configuration_sets_on_the_topic_counts(engine: EmbeddedEngine) -> None:
    """A plan whose configuration sets the topic's `policy` (SNS's default, too broad): it counts
    beside the aws_sns_topic_policy, since a later apply of the topic would put it back."""
    plan = sender("plan.json")
    default = by_name(read(sender("state.json")), TOPIC)["props"]["policy"]
    rc = next(rc for rc in plan["resource_changes"] if rc["address"] == TOPIC)
    rc["change"]["after"]["policy"] = default
    rc["change"]["after_unknown"].pop("policy", None)
    block = next(r for r in plan["configuration"]["root_module"]["resources"] if r["address"] == TOPIC)
    block["expressions"]["policy"] = {"constant_value": default}
    doc = read(plan, "plan")
    assert "computed" not in by_name(doc, TOPIC)
    assert ("SES-014", TOPIC, True) in findings(engine, doc)


def _export_with_topic_policy_output(inputs: bool) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXPORT.read_text("utf-8"))
    for r in data["deployment"]["resources"]:
        if r["type"] == "aws:sns/topic:Topic" and r["urn"].endswith("-feedback-topic"):
            arn = r["outputs"]["arn"]
            statement = {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["SNS:Publish", "SNS:Subscribe"],
                "Resource": arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": arn.split(":")[4]}},
            }
            policy = json.dumps(
                {"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [statement]}
            )
            r["outputs"]["policy"] = policy
            if inputs:
                r["inputs"]["policy"] = policy
    return data


def test_pulumi_export_topic_policy_governs_over_the_topic_output(engine: EmbeddedEngine) -> None:
    doc = pulumi_state.from_json(_export_with_topic_policy_output(inputs=False), "dev.json")
    assert not [f for f in engine.evaluate(doc) if f.rule == "SES-014"]
    doc = pulumi_state.from_json(_export_with_topic_policy_output(inputs=True), "dev.json")
    assert [f for f in engine.evaluate(doc) if f.rule == "SES-014" and f.blocking]


def test_preview_and_export_states_mark_an_output_only_topic_policy() -> None:
    urn = "urn:pulumi:dev::p::aws:sns/topic:Topic::t"
    state = {"urn": urn, "type": "aws:sns/topic:Topic", "inputs": {"name": "t"}, "outputs": {"policy": "{}"}}
    r, _ = res.resource(state, "preview.json", "steps[0].newState")
    assert r["computed"] == ["policy"]
    state["inputs"] = {"name": "t", "policy": "{}"}
    r, _ = res.resource(state, "preview.json", "steps[0].newState")
    assert "computed" not in r


# --- SES-015: the dead-letter queue is not a subscriber --------------------------------------------


def test_dead_letter_queue_is_not_reported_as_subscribed(engine: EmbeddedEngine) -> None:
    doc = terraform.load(SENDER / "plan.json")
    sub = by_name(doc, "aws_sns_topic_subscription.feedback")
    dlq = by_name(doc, "aws_sqs_queue.feedback_dlq")
    # Terraform's dependencies are transitive: the subscription reaches the DLQ through the queue.
    assert dlq["urn"] in sub["dependencies"]
    reported = {r for rule, r, _ in findings(engine, doc) if rule == "SES-015"}
    assert reported == {"aws_sqs_queue.feedback"}


# --- plan shapes that collapse or hide resources (issues 20 and 21) -------------------------------


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(InputError) as err:
        read(data, "plan")
    return str(err.value)


def test_two_resource_changes_with_the_same_address_are_refused() -> None:
    plan = sender("plan.json")
    dmarc = next(rc for rc in plan["resource_changes"] if rc["address"] == "aws_route53_record.dmarc")
    weak = copy.deepcopy(dmarc)
    weak["change"]["after"]["records"] = ["v=DMARC1; p=none"]
    plan["resource_changes"].append(weak)
    message = _refused(plan)
    assert "aws_route53_record.dmarc" in message and "more than once" in message


def test_two_state_resources_with_the_same_address_are_refused() -> None:
    state = sender("state.json")
    resources = state_resources(state)
    resources.append(copy.deepcopy(next(r for r in resources if r["address"] == "data.aws_region.current")))
    assert "more than once" in _refused(state)


def test_a_plan_with_planned_values_but_no_resource_changes_is_refused() -> None:
    plan = sender("plan.json")
    del plan["resource_changes"]
    message = _refused(plan)
    assert "resource_changes" in message and "aws_" in message


def test_a_plan_without_resource_changes_or_planned_values_is_refused() -> None:
    """Left with its data source reads (a zone), it would pass as a stack without SES."""
    plan = sender("plan.json")
    del plan["resource_changes"]
    del plan["planned_values"]
    assert "no resource_changes" in _refused(plan)


def test_a_planned_resource_missing_from_resource_changes_is_refused() -> None:
    plan = sender("plan.json")
    plan["resource_changes"] = [
        rc for rc in plan["resource_changes"] if rc["address"] != "aws_route53_record.dmarc"
    ]
    assert "aws_route53_record.dmarc" in _refused(plan)


@pytest.mark.parametrize(
    ("key", "value"),
    [("errored", "true"), ("errored", "false"), ("complete", "false"), ("complete", "true"), ("complete", 0)],
)
def test_plan_status_flags_must_be_booleans(key: str, value: Any) -> None:
    plan = sender("plan.json")
    plan[key] = value
    message = _refused(plan)
    assert key in message and "boolean" in message


def test_plan_shape_refusal_is_exit_2_with_one_line(tmp_path: Path) -> None:
    plan = sender("plan.json")
    plan["errored"] = "true"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), "utf-8")
    run = sesguard("check", "--terraform", str(path))
    assert run.code == 2 and len(run.err_lines) == 1 and "errored" in run.stderr


# --- SES v1 domains through a for_each module (v1-domains-module) ---------------------------------

DOMAINS = Path(__file__).parent / "fixtures" / "terraform" / "v1-domains-module"
JP_DMARC = 'module.ses_domain["acmetickets.jp"].aws_route53_record.txt_dmarc'
EVENTS_TOPIC = "aws_sns_topic.events"


def domains(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DOMAINS / name).read_text("utf-8"))
    return data


@pytest.mark.parametrize("name", ["plan.json", "state.json"])
def test_v1_module_blocks_only_the_domain_with_dmarc_none(engine: EmbeddedEngine, name: str) -> None:
    doc = terraform.load(DOMAINS / name)
    assert doc["region"] == "eu-west-1"
    assert [(r, res_) for r, res_, blocking in findings(engine, doc) if blocking] == [("SES-005", JP_DMARC)]


def test_v1_module_dkim_records_belong_to_their_own_domain(engine: EmbeddedEngine) -> None:
    com = 'module.ses_domain["acmetickets.com"].'
    plan = domains("plan.json")
    tf_without(plan, lambda r: r["address"] != com + "aws_route53_record.dkim[2]")
    found = findings(engine, read(plan, "plan"))
    ses004 = {r for rule, r, blocking in found if rule == "SES-004" and blocking}
    assert ses004 == {com + "aws_ses_domain_identity.main"}


def test_a_topic_policy_set_on_the_topic_counts_in_plan_and_state(engine: EmbeddedEngine) -> None:
    """No aws_sns_topic_policy here: the topic's own policy governs, whether the configuration sets
    it (plan) or the state cannot say (no configuration)."""
    assert "computed" not in by_name(read(domains("plan.json"), "plan"), EVENTS_TOPIC)
    state = domains("state.json")
    topic = next(r for r in state_resources(state) if r["address"] == EVENTS_TOPIC)
    broad = json.loads(topic["values"]["policy"])
    broad["Statement"][0].pop("Condition")
    topic["values"]["policy"] = json.dumps(broad)
    doc = read(state)
    assert by_name(doc, EVENTS_TOPIC)["computed"] == ["policy"]
    assert ("SES-014", EVENTS_TOPIC, True) in findings(engine, doc)
