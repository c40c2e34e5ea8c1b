"""Single-change mutations of the compliant Terraform plan and CloudFormation template, each a way to
lose SES production access that the format can express, and the MANDATORY rule that must block it.

tests/test_iac_mutations.py applies each to a fresh copy of tests/fixtures/terraform/plan-first.json
or tests/fixtures/cloudformation/ses-sender.yaml, reads it through the source and asserts that rule
reports a blocking finding. Rules a format cannot express are listed in NOT_EXPRESSIBLE with why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Data = dict[str, Any]

COM = 'module.ses_domain["acmetickets.com"].'


@dataclass(frozen=True)
class Mutation:
    id: str
    rule: str
    what: str
    apply: Callable[[Data], None]


# --- Terraform: edit `change.after` of one resource change ---------------------------------------


def _after(plan: Data, address: str) -> Data:
    return next(rc for rc in plan["resource_changes"] if rc["address"] == address)["change"]["after"]


def _tf(address: str, **changes: Any) -> Callable[[Data], None]:
    """Set attributes (``a__0__b`` walks into lists and blocks) of one resource's planned values."""

    def apply(plan: Data) -> None:
        for key, value in changes.items():
            node: Any = _after(plan, address)
            *path, last = key.split("__")
            for step in path:
                node = node[int(step)] if step.isdigit() else node[step]
            node[int(last) if last.isdigit() else last] = value

    return apply


def tf_without(plan: Data, keep: Callable[[Data], bool]) -> None:
    """The plan as Terraform writes it without some resources: gone from `resource_changes` and
    from `planned_values` alike (a resource planned but not among the changes is refused)."""
    plan["resource_changes"] = [rc for rc in plan["resource_changes"] if keep(rc)]
    stack = [plan.get("planned_values", {}).get("root_module")]
    while stack:
        module = stack.pop()
        if not module:
            continue
        if "resources" in module:
            module["resources"] = [r for r in module["resources"] if keep(r)]
        stack += module.get("child_modules", [])


def _tf_remove(address: str) -> Callable[[Data], None]:
    def apply(plan: Data) -> None:
        tf_without(plan, lambda r: r["address"] != address)

    return apply


def _tf_add_identity_policy(plan: Data) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": "*",
            }
        ],
    }
    plan["resource_changes"].append(
        {
            "address": COM + "aws_sesv2_email_identity_policy.delegated",
            "module_address": COM.rstrip("."),
            "mode": "managed",
            "type": "aws_sesv2_email_identity_policy",
            "name": "delegated",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": {
                    "email_identity": "acmetickets.com",
                    "policy_name": "delegated",
                    "policy": json.dumps(policy),
                },
                "after_unknown": {"id": True},
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
    )


TERRAFORM: list[Mutation] = [
    Mutation(
        "identity-becomes-address",
        "SES-001",
        "the domain identity becomes an address",
        _tf(COM + "aws_sesv2_email_identity.this", email_identity="noreply@acmetickets-mail.com"),
    ),
    Mutation(
        "byodkim-without-key",
        "SES-002",
        "a BYODKIM selector with no private key",
        _tf(
            COM + "aws_sesv2_email_identity.this", dkim_signing_attributes__0__domain_signing_selector="sel1"
        ),
    ),
    Mutation(
        "remove-dkim-cname",
        "SES-004",
        "one of the three DKIM CNAMEs removed",
        _tf_remove(COM + "aws_route53_record.dkim[1]"),
    ),
    Mutation(
        "dmarc-p-none",
        "SES-005",
        "DMARC p=none",
        _tf(COM + "aws_route53_record.dmarc", records=["v=DMARC1; p=none; rua=mailto:d@acmetickets.com"]),
    ),
    Mutation(
        "mail-from-use-default",
        "SES-008",
        "MAIL FROM falls back on MX failure",
        _tf(
            COM + "aws_sesv2_email_identity_mail_from_attributes.this",
            behavior_on_mx_failure="USE_DEFAULT_VALUE",
        ),
    ),
    Mutation(
        "remove-mail-from-mx",
        "SES-009",
        "no MAIL FROM MX record",
        _tf_remove(COM + "aws_route53_record.mail_from_mx"),
    ),
    Mutation(
        "no-default-configuration-set",
        "SES-011",
        "the identity names no configuration set",
        _tf(COM + "aws_sesv2_email_identity.this", configuration_set_name=None),
    ),
    Mutation(
        "event-destination-disabled",
        "SES-012",
        "the event destination is disabled",
        _tf(COM + "aws_sesv2_configuration_set_event_destination.sns", event_destination__0__enabled=False),
    ),
    Mutation(
        "remove-feedback-subscription",
        "SES-013",
        "nothing consumes the feedback topic",
        _tf_remove(COM + "aws_sns_topic_subscription.feedback"),
    ),
    Mutation(
        "remove-topic-policy",
        "SES-014",
        "SES may not publish to the feedback topic",
        _tf_remove(COM + "aws_sns_topic_policy.feedback"),
    ),
    Mutation(
        "remove-account-suppression",
        "SES-016",
        "no account suppression list",
        _tf_remove("aws_sesv2_account_suppression_attributes.this"),
    ),
    Mutation(
        "set-suppression-complaints-only",
        "SES-017",
        "the configuration set suppresses complaints only",
        _tf(
            COM + "aws_sesv2_configuration_set.this", suppression_options__0__suppressed_reasons=["COMPLAINT"]
        ),
    ),
    Mutation(
        "reputation-metrics-off",
        "SES-018",
        "reputation metrics off",
        _tf(
            COM + "aws_sesv2_configuration_set.this", reputation_options__0__reputation_metrics_enabled=False
        ),
    ),
    Mutation(
        "bounce-alarm-threshold-high",
        "SES-021",
        "the bounce alarm fires above AWS's review level",
        _tf("aws_cloudwatch_metric_alarm.bounce_rate", threshold=0.06),
    ),
    Mutation(
        "remove-complaint-alarm",
        "SES-022",
        "no complaint-rate alarm",
        _tf_remove("aws_cloudwatch_metric_alarm.complaint_rate"),
    ),
    Mutation("public-identity-policy", "SES-024", "anyone may send as the identity", _tf_add_identity_policy),
]


# --- CloudFormation: edit one resource's Properties ----------------------------------------------


def _cfn(lid: str, *path: str, value: Any) -> Callable[[Data], None]:
    def apply(template: Data) -> None:
        node: Any = template["Resources"][lid]["Properties"]
        for step in path[:-1]:
            node = node[int(step)] if step.isdigit() else node[step]
        last: Any = int(path[-1]) if path[-1].isdigit() else path[-1]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return apply


_DELETE = object()


def _cfn_remove(lid: str) -> Callable[[Data], None]:
    def apply(template: Data) -> None:
        del template["Resources"][lid]

    return apply


def _cfn_drop_suppression_owner(template: Data) -> None:
    del template["Metadata"]["sesguard"]


CLOUDFORMATION: list[Mutation] = [
    Mutation(
        "identity-becomes-address",
        "SES-001",
        "the domain identity becomes an address",
        _cfn("Identity", "EmailIdentity", value="noreply@acmetickets-mail.com"),
    ),
    Mutation(
        "byodkim-without-key",
        "SES-002",
        "a BYODKIM selector with no private key",
        _cfn("Identity", "DkimSigningAttributes", "DomainSigningSelector", value="sel1"),
    ),
    Mutation(
        "dkim-signing-off",
        "SES-002",
        "DKIM signing switched off",
        _cfn("Identity", "DkimAttributes", value={"SigningEnabled": False}),
    ),
    Mutation(
        "remove-dkim-cname",
        "SES-004",
        "one of the three DKIM CNAMEs removed",
        _cfn("DkimRecords", "RecordSets", "2", value=_DELETE),
    ),
    Mutation(
        "dmarc-p-none",
        "SES-005",
        "DMARC p=none",
        _cfn("DmarcRecord", "ResourceRecords", value=['"v=DMARC1; p=none"']),
    ),
    Mutation(
        "mail-from-use-default",
        "SES-008",
        "MAIL FROM falls back on MX failure",
        _cfn("Identity", "MailFromAttributes", "BehaviorOnMxFailure", value="USE_DEFAULT_VALUE"),
    ),
    Mutation(
        "mail-from-mx-wrong-region",
        "SES-009",
        "the MAIL FROM MX points at another region",
        _cfn("MailFromMx", "ResourceRecords", value=["10 feedback-smtp.eu-west-1.amazonses.com"]),
    ),
    Mutation(
        "no-default-configuration-set",
        "SES-011",
        "the identity names no configuration set",
        _cfn("Identity", "ConfigurationSetAttributes", value=_DELETE),
    ),
    Mutation(
        "event-destination-misses-bounces",
        "SES-012",
        "bounce events are not published",
        _cfn("EventDestination", "EventDestination", "MatchingEventTypes", value=["complaint", "delivery"]),
    ),
    Mutation(
        "remove-feedback-subscription",
        "SES-013",
        "nothing consumes the feedback topic",
        _cfn_remove("FeedbackSubscription"),
    ),
    Mutation(
        "remove-topic-policy",
        "SES-014",
        "SES may not publish to the feedback topic",
        _cfn_remove("FeedbackTopicPolicy"),
    ),
    Mutation(
        "no-suppression-owner",
        "SES-016",
        "no stack owns the account suppression list",
        _cfn_drop_suppression_owner,
    ),
    Mutation(
        "set-suppression-complaints-only",
        "SES-017",
        "the configuration set suppresses complaints only",
        _cfn("ConfigurationSet", "SuppressionOptions", "SuppressedReasons", value=["COMPLAINT"]),
    ),
    Mutation(
        "reputation-metrics-off",
        "SES-018",
        "reputation metrics off",
        _cfn("ConfigurationSet", "ReputationOptions", "ReputationMetricsEnabled", value=False),
    ),
    Mutation(
        "bounce-alarm-threshold-high",
        "SES-021",
        "the bounce alarm fires above AWS's review level",
        _cfn("BounceAlarm", "Threshold", value="0.06"),
    ),
    Mutation("remove-complaint-alarm", "SES-022", "no complaint-rate alarm", _cfn_remove("ComplaintAlarm")),
]

# Mandatory rules with no mutation above, and why the format cannot express them.
NOT_EXPRESSIBLE = {
    "cloudformation": {
        "SES-024": "CloudFormation has no SES identity (sending authorization) policy resource",
    },
    "both": {
        "SES-025": "needs the stack's mailType setting (config), which neither format carries",
        "SES-026": "judges waiver entries in the stack config, which neither format carries",
        "SES-030..032": "production-access request rules judge `sesguard request` documents",
    },
}
