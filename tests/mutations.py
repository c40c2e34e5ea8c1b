"""Single-property mutations of the compliant prod stack, each one a way to lose SES production access.

Every mutation changes one thing in the stack document the program produces for stacks/Pulumi.prod.yaml
(``run_stack("prod")``) and names the MANDATORY rule that must block it. The suite in
tests/test_mutations.py applies each to a fresh copy and asserts that rule reports a blocking finding:
a mutant that survives is a hole in the gate.

Resources are found by type and by the sender they belong to (``acmetickets-com``), never by list
position, so the mutations keep their meaning when the program gains or reorders resources.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]

DOMAIN = "acmetickets.com"
SLUG = "acmetickets-com"

T_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity"
T_MAIL_FROM = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"
T_IDENTITY_POLICY = "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy"
T_CONFIG_SET = "aws:sesv2/configurationSet:ConfigurationSet"
T_DESTINATION = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination"
T_SUPPRESSION = "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes"
T_RECORD = "aws:route53/record:Record"
T_TOPIC = "aws:sns/topic:Topic"
T_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
T_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
T_V1_IDENTITY = "aws:ses/domainIdentity:DomainIdentity"
T_V1_DKIM = "aws:ses/domainDkim:DomainDkim"
T_V1_NOTIFICATION = "aws:ses/identityNotificationTopic:IdentityNotificationTopic"


@dataclass(frozen=True)
class Mutation:
    id: str
    rule: str
    what: str
    apply: Callable[[Doc], None]


# --- finding resources ---------------------------------------------------------------------------


def _all(doc: Doc, type_: str, name_part: str = "") -> list[dict[str, Any]]:
    return [r for r in doc["resources"] if r["type"] == type_ and name_part in r["name"]]


def one(doc: Doc, type_: str, name_part: str = "") -> dict[str, Any]:
    found = _all(doc, type_, name_part)
    if len(found) != 1:
        names = [r["name"] for r in found]
        raise LookupError(f"expected one {type_} named like {name_part!r}, found {names}")
    return found[0]


def _record(doc: Doc, suffix: str) -> dict[str, Any]:
    return one(doc, T_RECORD, f"{SLUG}-dns-{suffix}")


def _alarm(doc: Doc, metric: str) -> dict[str, Any]:
    return next(r for r in _all(doc, T_ALARM) if r["props"].get("metricName") == metric)


def _remove(doc: Doc, resource: dict[str, Any]) -> None:
    """Drop a resource and every reference to it, as if the program never declared it."""
    urn = resource["urn"]
    doc["resources"] = [r for r in doc["resources"] if r["urn"] != urn]
    for r in doc["resources"]:
        r["dependencies"] = [d for d in r.get("dependencies") or [] if d != urn]


def _policy(resource: dict[str, Any]) -> dict[str, Any]:
    return json.loads(resource["props"]["policy"])


def _set_policy(resource: dict[str, Any], policy: dict[str, Any]) -> None:
    resource["props"]["policy"] = json.dumps(policy)


def _statement(doc: Doc) -> dict[str, Any]:
    return _policy(one(doc, T_TOPIC_POLICY, SLUG))["Statement"][0]


def _add(
    doc: Doc, type_: str, name: str, props: dict[str, Any], deps: list[str] | None = None
) -> dict[str, Any]:
    resource = {
        "urn": f"urn:pulumi:{doc['stack']}::{doc['project']}::{type_}::{name}",
        "type": type_,
        "name": name,
        "props": props,
        "parent": None,
        "dependencies": deps or [],
    }
    doc["resources"].append(resource)
    return resource


# --- mutations -----------------------------------------------------------------------------------


def _props(type_: str, name_part: str, **changes: Any) -> Callable[[Doc], None]:
    """Set props (a dotted key sets a nested value) on the one resource of type named like name_part."""

    def apply(doc: Doc) -> None:
        props = one(doc, type_, name_part)["props"]
        for key, value in changes.items():
            *path, last = key.split("__")
            node = props
            for part in path:
                node = node.setdefault(part, {})
            node[last] = value

    return apply


def _drop_prop(type_: str, name_part: str, *path: str) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        node = one(doc, type_, name_part)["props"]
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return apply


def _remove_one(type_: str, name_part: str) -> Callable[[Doc], None]:
    return lambda doc: _remove(doc, one(doc, type_, name_part))


def _dmarc(value: str) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        _record(doc, "dmarc")["props"]["records"] = [value]

    return apply


def _record_values(suffix: str, values: list[str]) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        _record(doc, suffix)["props"]["records"] = values

    return apply


def _alarm_props(metric: str, **changes: Any) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        _alarm(doc, metric)["props"].update(changes)

    return apply


def _remove_alarm(metric: str) -> Callable[[Doc], None]:
    return lambda doc: _remove(doc, _alarm(doc, metric))


def _event_types(types: list[str]) -> Callable[[Doc], None]:
    return _props(T_DESTINATION, SLUG, eventDestination__matchingEventTypes=types)


def _topic_statement(change: Callable[[dict[str, Any]], None]) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        resource = one(doc, T_TOPIC_POLICY, SLUG)
        policy = _policy(resource)
        change(policy["Statement"][0])
        _set_policy(resource, policy)

    return apply


def _extra_topic_statement(statement: dict[str, Any]) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        resource = one(doc, T_TOPIC_POLICY, SLUG)
        policy = _policy(resource)
        policy["Statement"].append(statement)
        _set_policy(resource, policy)

    return apply


def _identity_policy(statement: dict[str, Any]) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        identity = one(doc, T_IDENTITY, SLUG)
        _add(
            doc,
            T_IDENTITY_POLICY,
            f"{SLUG}-sending-authorization",
            {
                "emailIdentity": DOMAIN,
                "policyName": "delegated-sending",
                "policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
            },
            [identity["urn"]],
        )

    return apply


def _config(key: str, value: Any) -> Callable[[Doc], None]:
    def apply(doc: Doc) -> None:
        doc["config"][key] = value

    return apply


def _address_identity(doc: Doc) -> None:
    _add(doc, T_IDENTITY, "alerts-address", {"emailIdentity": "alerts@status-acmetickets.net"})


def _address_identity_on_bare_set(doc: Doc) -> None:
    """An address identity sending through its own configuration set, which publishes no events."""
    _add(
        doc,
        T_CONFIG_SET,
        "alerts-configuration-set",
        {"configurationSetName": "alerts", "reputationOptions": {"reputationMetricsEnabled": True}},
    )
    _add(
        doc,
        T_IDENTITY,
        "alerts-address",
        {"emailIdentity": f"alerts@{DOMAIN}", "configurationSetName": "alerts"},
    )


def _v1_identity_bounce_only(doc: Doc) -> None:
    """A legacy v1 sender with DKIM but only a Bounce notification topic: complaints go nowhere."""
    identity = _add(doc, T_V1_IDENTITY, "legacy-identity", {"domain": "legacy.acmetickets.com"})
    _add(doc, T_V1_DKIM, "legacy-dkim", {"domain": "legacy.acmetickets.com"}, [identity["urn"]])
    topic = one(doc, T_TOPIC, f"{SLUG}-feedback-topic")
    _add(
        doc,
        T_V1_NOTIFICATION,
        "legacy-bounces",
        {
            "identity": "legacy.acmetickets.com",
            "notificationType": "Bounce",
            "topicArn": topic["props"]["arn"],
        },
        [identity["urn"], topic["urn"]],
    )


def _v1_notification_to_undeclared_topic(doc: Doc) -> None:
    """A v1 identity notifying Bounce and Complaint to a topic this stack does not declare."""
    identity = _add(doc, T_V1_IDENTITY, "legacy-identity", {"domain": "legacy.acmetickets.com"})
    _add(doc, T_V1_DKIM, "legacy-dkim", {"domain": "legacy.acmetickets.com"}, [identity["urn"]])
    for kind in ("Bounce", "Complaint"):
        _add(
            doc,
            T_V1_NOTIFICATION,
            f"legacy-{kind.lower()}",
            {
                "identity": "legacy.acmetickets.com",
                "notificationType": kind,
                "topicArn": "arn:aws:sns:us-east-1:123456789012:somebody-elses-topic",
            },
            [identity["urn"]],
        )


_PUBLIC = {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}
_SEND = ["ses:SendEmail", "ses:SendRawEmail"]
_ARN = f"arn:aws:ses:us-east-1:123456789012:identity/{DOMAIN}"


MUTATIONS: list[Mutation] = [
    # SES-001 domain identity
    Mutation(
        "address-identity-without-domain",
        "SES-001",
        "an address identity for a domain with no domain identity",
        _address_identity,
    ),
    Mutation(
        "identity-becomes-address",
        "SES-001",
        "the domain identity becomes an address identity",
        _props(T_IDENTITY, SLUG, emailIdentity=f"noreply@{DOMAIN.replace('.com', '-mail.com')}"),
    ),
    # SES-002 DKIM signing
    Mutation(
        "byodkim-without-key",
        "SES-002",
        "Bring Your Own DKIM selector with no private key",
        _props(T_IDENTITY, SLUG, dkimSigningAttributes__domainSigningSelector="sel1"),
    ),
    # SES-004 DKIM records
    Mutation(
        "remove-dkim-cname",
        "SES-004",
        "one of the three DKIM CNAMEs removed",
        _remove_one(T_RECORD, f"{SLUG}-dns-dkim-0"),
    ),
    Mutation(
        "dkim-cname-as-txt",
        "SES-004",
        "a DKIM record declared as TXT instead of CNAME",
        _props(T_RECORD, f"{SLUG}-dns-dkim-1", type="TXT"),
    ),
    # SES-005 DMARC p=reject
    Mutation("remove-dmarc", "SES-005", "no DMARC record", _remove_one(T_RECORD, f"{SLUG}-dns-dmarc")),
    Mutation(
        "dmarc-p-none",
        "SES-005",
        "DMARC p=none",
        _dmarc("v=DMARC1; p=none; sp=reject; pct=100; rua=mailto:d@acmetickets.com"),
    ),
    Mutation(
        "dmarc-p-quarantine",
        "SES-005",
        "DMARC p=quarantine",
        _dmarc("v=DMARC1; p=quarantine; sp=reject; pct=100; rua=mailto:d@acmetickets.com"),
    ),
    Mutation(
        "dmarc-pct-50",
        "SES-005",
        "DMARC pct=50",
        _dmarc("v=DMARC1; p=reject; sp=reject; pct=50; rua=mailto:d@acmetickets.com"),
    ),
    Mutation(
        "dmarc-sp-none",
        "SES-005",
        "DMARC sp=none",
        _dmarc("v=DMARC1; p=reject; sp=none; pct=100; rua=mailto:d@acmetickets.com"),
    ),
    Mutation(
        "dmarc-wrong-version",
        "SES-005",
        "DMARC record not starting with v=DMARC1",
        _dmarc("v=DMARC2; p=reject; sp=reject; pct=100; rua=mailto:d@acmetickets.com"),
    ),
    Mutation(
        "dmarc-two-records",
        "SES-005",
        "two DMARC records at _dmarc",
        _record_values("dmarc", ["v=DMARC1; p=reject; pct=100", "v=DMARC1; p=none"]),
    ),
    Mutation(
        "dmarc-wrong-name",
        "SES-005",
        "the DMARC record on the wrong name",
        _props(T_RECORD, f"{SLUG}-dns-dmarc", name=f"dmarc.{DOMAIN}"),
    ),
    # SES-008 MAIL FROM
    Mutation(
        "mail-from-outside-domain",
        "SES-008",
        "MAIL FROM outside the identity's domain",
        _props(T_MAIL_FROM, SLUG, mailFromDomain="mail.example.net"),
    ),
    Mutation(
        "mail-from-default-behavior",
        "SES-008",
        "behaviorOnMxFailure USE_DEFAULT_VALUE",
        _props(T_MAIL_FROM, SLUG, behaviorOnMxFailure="USE_DEFAULT_VALUE"),
    ),
    Mutation("remove-mail-from", "SES-008", "no custom MAIL FROM", _remove_one(T_MAIL_FROM, SLUG)),
    # SES-009 MAIL FROM DNS
    Mutation(
        "mx-wrong-region",
        "SES-009",
        "MAIL FROM MX pointing at another region's feedback host",
        _record_values("mail-from-mx", ["10 feedback-smtp.eu-west-1.amazonses.com"]),
    ),
    Mutation(
        "mx-wrong-host",
        "SES-009",
        "MAIL FROM MX pointing at the domain's own mail server",
        _record_values("mail-from-mx", [f"10 mx1.{DOMAIN}"]),
    ),
    Mutation("remove-mx", "SES-009", "no MAIL FROM MX", _remove_one(T_RECORD, f"{SLUG}-dns-mail-from-mx")),
    Mutation(
        "spf-without-amazonses",
        "SES-009",
        "MAIL FROM SPF not including amazonses.com",
        _record_values("mail-from-spf", ["v=spf1 include:_spf.google.com ~all"]),
    ),
    Mutation(
        "remove-spf", "SES-009", "no MAIL FROM SPF record", _remove_one(T_RECORD, f"{SLUG}-dns-mail-from-spf")
    ),
    # SES-011 default configuration set
    Mutation(
        "configuration-set-name-typo",
        "SES-011",
        "identity names a configuration set that is not declared",
        _props(T_IDENTITY, SLUG, configurationSetName="ses-sender-prod-acmetickets-co"),
    ),
    Mutation(
        "no-configuration-set-name",
        "SES-011",
        "identity names no configuration set",
        _drop_prop(T_IDENTITY, SLUG, "configurationSetName"),
    ),
    # SES-012 bounce and complaint events
    Mutation(
        "destination-disabled",
        "SES-012",
        "event destination disabled",
        _props(T_DESTINATION, SLUG, eventDestination__enabled=False),
    ),
    Mutation(
        "drop-bounce-event",
        "SES-012",
        "BOUNCE dropped from the event types",
        _event_types(["COMPLAINT", "DELIVERY", "REJECT", "RENDERING_FAILURE"]),
    ),
    Mutation(
        "drop-complaint-event",
        "SES-012",
        "COMPLAINT dropped from the event types",
        _event_types(["BOUNCE", "DELIVERY", "REJECT", "RENDERING_FAILURE"]),
    ),
    Mutation("remove-event-destination", "SES-012", "no event destination", _remove_one(T_DESTINATION, SLUG)),
    Mutation(
        "destination-on-other-set",
        "SES-012",
        "the destination hangs off a configuration set the identity does not use",
        _props(T_DESTINATION, SLUG, configurationSetName="ses-sender-prod-acmetickets-jp"),
    ),
    Mutation(
        "address-identity-set-without-destination",
        "SES-012",
        "an address identity whose own configuration set has no event destination",
        _address_identity_on_bare_set,
    ),
    Mutation(
        "v1-notification-bounce-only",
        "SES-012",
        "a v1 identity notifying Bounce but not Complaint",
        _v1_identity_bounce_only,
    ),
    # SES-013 feedback consumer
    Mutation(
        "remove-subscription",
        "SES-013",
        "the feedback topic's subscription removed",
        _remove_one(T_SUBSCRIPTION, f"{SLUG}-feedback"),
    ),
    Mutation(
        "http-subscription",
        "SES-013",
        "feedback delivered over plain http",
        _props(
            T_SUBSCRIPTION, f"{SLUG}-feedback", protocol="http", endpoint="http://hooks.acmetickets.com/ses"
        ),
    ),
    Mutation(
        "v1-notification-undeclared-topic",
        "SES-013",
        "v1 notifications to a topic not in the stack",
        _v1_notification_to_undeclared_topic,
    ),
    # SES-014 topic policy
    Mutation(
        "remove-topic-policy",
        "SES-014",
        "the feedback topic has no policy",
        _remove_one(T_TOPIC_POLICY, SLUG),
    ),
    Mutation(
        "topic-policy-unconditioned",
        "SES-014",
        "ses.amazonaws.com may publish without a source condition",
        _topic_statement(lambda s: s.pop("Condition")),
    ),
    Mutation(
        "topic-policy-wildcard-principal",
        "SES-014",
        "an extra statement lets any principal publish, unconditioned",
        _extra_topic_statement(_PUBLIC),
    ),
    Mutation(
        "topic-policy-no-ses",
        "SES-014",
        "the policy lets sns.amazonaws.com publish instead of SES",
        _topic_statement(lambda s: s.update(Principal={"Service": "sns.amazonaws.com"})),
    ),
    Mutation(
        "topic-policy-sns-default",
        "SES-014",
        "SNS's default topic policy (AWS * under AWS:SourceOwner) instead of an SES statement",
        _topic_statement(
            lambda s: s.update(
                Sid="__default_statement_ID",
                Principal={"AWS": "*"},
                Action=["SNS:GetTopicAttributes", "SNS:Subscribe", "SNS:Publish"],
                Condition={"StringEquals": {"AWS:SourceOwner": "123456789012"}},
            )
        ),
    ),
    Mutation(
        "topic-policy-not-json",
        "SES-014",
        "the topic policy is not a JSON document",
        _props(T_TOPIC_POLICY, SLUG, policy="Allow ses to publish"),
    ),
    # SES-016 account suppression
    Mutation(
        "remove-account-suppression",
        "SES-016",
        "no account-level suppression list",
        _remove_one(T_SUPPRESSION, ""),
    ),
    Mutation(
        "account-suppression-bounce-only",
        "SES-016",
        "account suppression without COMPLAINT",
        _props(T_SUPPRESSION, "", suppressedReasons=["BOUNCE"]),
    ),
    Mutation(
        "account-suppression-empty",
        "SES-016",
        "account suppression with no reasons",
        _props(T_SUPPRESSION, "", suppressedReasons=[]),
    ),
    # SES-017 suppression not overridden
    Mutation(
        "set-suppression-empty",
        "SES-017",
        "configuration set suppression list emptied (turns it off)",
        _props(T_CONFIG_SET, SLUG, suppressionOptions__suppressedReasons=[]),
    ),
    Mutation(
        "set-suppression-no-bounce",
        "SES-017",
        "configuration set suppresses COMPLAINT only",
        _props(T_CONFIG_SET, SLUG, suppressionOptions__suppressedReasons=["COMPLAINT"]),
    ),
    # SES-018 reputation metrics
    Mutation(
        "reputation-metrics-off",
        "SES-018",
        "reputation metrics disabled",
        _props(T_CONFIG_SET, SLUG, reputationOptions__reputationMetricsEnabled=False),
    ),
    Mutation(
        "no-reputation-options",
        "SES-018",
        "reputation options left out (off by default)",
        _drop_prop(T_CONFIG_SET, SLUG, "reputationOptions"),
    ),
    # SES-021 bounce alarm
    Mutation(
        "bounce-threshold-above-aws",
        "SES-021",
        "bounce alarm at 6 %, above AWS's 5 % review level",
        _alarm_props("Reputation.BounceRate", threshold=0.06),
    ),
    Mutation(
        "bounce-comparison-less-than",
        "SES-021",
        "bounce alarm comparison LessThanThreshold",
        _alarm_props("Reputation.BounceRate", comparisonOperator="LessThanThreshold"),
    ),
    Mutation(
        "bounce-alarm-no-actions",
        "SES-021",
        "bounce alarm without actions",
        _alarm_props("Reputation.BounceRate", alarmActions=[]),
    ),
    Mutation(
        "bounce-alarm-actions-disabled",
        "SES-021",
        "bounce alarm with actionsEnabled false",
        _alarm_props("Reputation.BounceRate", actionsEnabled=False),
    ),
    Mutation(
        "bounce-alarm-statistic-minimum",
        "SES-021",
        "bounce alarm on the Minimum statistic",
        _alarm_props("Reputation.BounceRate", statistic="Minimum"),
    ),
    Mutation(
        "remove-bounce-alarm", "SES-021", "no bounce-rate alarm", _remove_alarm("Reputation.BounceRate")
    ),
    Mutation(
        "bounce-alarm-wrong-namespace",
        "SES-021",
        "bounce alarm on a custom namespace",
        _alarm_props("Reputation.BounceRate", namespace="Custom/SES"),
    ),
    # SES-022 complaint alarm
    Mutation(
        "complaint-threshold-above-aws",
        "SES-022",
        "complaint alarm at 0.2 %, above AWS's 0.1 % review level",
        _alarm_props("Reputation.ComplaintRate", threshold=0.002),
    ),
    Mutation(
        "complaint-alarm-no-actions",
        "SES-022",
        "complaint alarm without actions",
        _alarm_props("Reputation.ComplaintRate", alarmActions=[]),
    ),
    Mutation(
        "complaint-comparison-less-than",
        "SES-022",
        "complaint alarm comparison LessThanOrEqualToThreshold",
        _alarm_props("Reputation.ComplaintRate", comparisonOperator="LessThanOrEqualToThreshold"),
    ),
    Mutation(
        "remove-complaint-alarm",
        "SES-022",
        "no complaint-rate alarm",
        _remove_alarm("Reputation.ComplaintRate"),
    ),
    # SES-024 identity policy
    Mutation(
        "identity-policy-wildcard-principal",
        "SES-024",
        "sending authorization for any principal, unconditioned",
        _identity_policy({"Effect": "Allow", "Principal": "*", "Action": _SEND, "Resource": _ARN}),
    ),
    Mutation(
        "identity-policy-ses-star",
        "SES-024",
        "sending authorization granting ses:*",
        _identity_policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                "Action": "ses:*",
                "Resource": _ARN,
            }
        ),
    ),
    # SES-025 unsubscribe (MARKETING)
    Mutation(
        "marketing-without-contact-list",
        "SES-025",
        "the stack declares MARKETING mail but no contact list",
        _config("ses-sender:mailType", "MARKETING"),
    ),
    # SES-026 waivers
    Mutation(
        "waiver-expired",
        "SES-026",
        "a waiver that expired",
        _config("sesguard:waivers", [{"rule": "SES-019", "reason": "legacy relay", "expires": "2020-01-01"}]),
    ),
    Mutation(
        "waiver-without-reason",
        "SES-026",
        "a waiver without a reason",
        _config("sesguard:waivers", [{"rule": "SES-019", "expires": "2099-01-01"}]),
    ),
]


def by_id() -> dict[str, Mutation]:
    return {m.id: m for m in MUTATIONS}
