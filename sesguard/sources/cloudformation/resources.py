"""CloudFormation resources as the pulumi-aws resources the rules read.

CloudFormation spells properties in PascalCase and nests some children inside their parent; the
rules read pulumi-aws camelCase props, one resource per thing. Each converter here takes a
resource's evaluated properties and returns the Pulumi resources it stands for: the inline
children (a topic's ``Subscription``, a record set group's ``RecordSets``, a rule's ``Targets``,
an identity's ``MailFromAttributes``; ``ConfigurationSetAttributes`` becomes the identity's
``configurationSetName``) are split into their own resources. Types the rules do not read
convert to nothing but still carry dependencies through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sesguard.document import SECRET, UNKNOWN


@dataclass
class Part:
    """One Pulumi resource made from a CloudFormation resource (``suffix`` names an inline child)."""

    type: str
    props: dict[str, Any]
    suffix: str = ""
    depends_on_parent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def camel(value: Any) -> Any:
    """PascalCase keys to camelCase, at every depth (``ReputationOptions`` -> ``reputationOptions``)."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:]): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def _json_text(value: Any) -> Any:
    """Policies and patterns the rules read as JSON text, as the Pulumi/Terraform providers hand them."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _number(value: Any) -> Any:
    # CloudFormation writes numbers as strings as often as not (TTL: '1800', Threshold: '0.05').
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        return float(value)
    return value


def _known(value: Any) -> bool:
    return isinstance(value, str) and value not in (UNKNOWN, SECRET) and value != ""


def _event_type(value: Any) -> Any:
    """CloudFormation's lower-camel event types (``renderingFailure``) as the API's RENDERING_FAILURE."""
    if not _known(value):
        return value
    return re.sub(r"(?<!^)(?=[A-Z])", "_", value).upper()


def _pick(props: dict[str, Any], **names: str) -> dict[str, Any]:
    """Pulumi name -> CloudFormation name, for the properties present."""
    return {p: props[c] for p, c in names.items() if c in props}


def email_identity(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = _pick(props, emailIdentity="EmailIdentity")
    cs = props.get("ConfigurationSetAttributes")
    if isinstance(cs, dict) and "ConfigurationSetName" in cs:
        out["configurationSetName"] = cs["ConfigurationSetName"]
    dkim = props.get("DkimSigningAttributes")
    dkim = camel(dkim) if isinstance(dkim, dict) else {}
    if "domainSigningSelector" not in dkim:
        # Easy DKIM: the tokens exist only after deploy (GetAtt DkimDNSTokenName1..3).
        dkim["tokens"] = UNKNOWN
        dkim["currentSigningKeyLength"] = UNKNOWN
    out["dkimSigningAttributes"] = dkim
    attrs = props.get("DkimAttributes")
    if isinstance(attrs, dict) and "SigningEnabled" in attrs:
        out["dkimSigningEnabled"] = attrs["SigningEnabled"]
    out.update(ident)
    parts = [Part("aws:sesv2/emailIdentity:EmailIdentity", out)]
    mail_from = props.get("MailFromAttributes")
    if isinstance(mail_from, dict):
        mf = _pick(mail_from, mailFromDomain="MailFromDomain", behaviorOnMxFailure="BehaviorOnMxFailure")
        if "emailIdentity" in out:
            mf["emailIdentity"] = out["emailIdentity"]
        parts.append(
            Part(
                "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
                mf,
                ".MailFromAttributes",
                True,
            )
        )
    return parts


def configuration_set(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = camel({k: v for k, v in props.items() if k != "Name"})
    out["configurationSetName"] = props.get("Name", UNKNOWN)
    out.update(ident)
    return [Part("aws:sesv2/configurationSet:ConfigurationSet", out)]


def event_destination(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    dest = props.get("EventDestination")
    dest = dict(dest) if isinstance(dest, dict) else {}
    out: dict[str, Any] = _pick(props, configurationSetName="ConfigurationSetName")
    if "Name" in dest:
        out["eventDestinationName"] = dest.pop("Name")
    sns = dest.pop("SnsDestination", None)
    ed = camel(dest)
    types = ed.get("matchingEventTypes")
    if isinstance(types, list):
        ed["matchingEventTypes"] = [_event_type(t) for t in types]
    if isinstance(sns, dict):
        ed["snsDestination"] = {"topicArn": sns.get("TopicARN")}
    out["eventDestination"] = ed
    return [Part("aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination", out)]


def contact_list(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    return [Part("aws:sesv2/contactList:ContactList", camel(props))]


def topic(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = _pick(props, name="TopicName", kmsMasterKeyId="KmsMasterKeyId", fifoTopic="FifoTopic")
    out.setdefault("name", ident.get("name", UNKNOWN))
    out.update(ident)
    parts = [Part("aws:sns/topic:Topic", out)]
    subs = props.get("Subscription")
    for i, sub in enumerate(subs if isinstance(subs, list) else []):
        if isinstance(sub, dict):
            s = _pick(sub, protocol="Protocol", endpoint="Endpoint")
            s["topic"] = ident.get("arn", UNKNOWN)
            parts.append(Part("aws:sns/topicSubscription:TopicSubscription", s, f".Subscription[{i}]", True))
    return parts


def topic_policy(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    policy = _json_text(props.get("PolicyDocument"))
    topics = props.get("Topics")
    if not isinstance(topics, list):
        topics = [topics]
    return [
        Part("aws:sns/topicPolicy:TopicPolicy", {"arn": t, "policy": policy}, f".Topics[{i}]" if i else "")
        for i, t in enumerate(topics)
    ]


def topic_inline_policy(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = {"arn": props.get("TopicArn"), "policy": _json_text(props.get("PolicyDocument"))}
    return [Part("aws:sns/topicPolicy:TopicPolicy", out)]


def subscription(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = _pick(props, topic="TopicArn", protocol="Protocol", endpoint="Endpoint")
    out.update(_pick(props, rawMessageDelivery="RawMessageDelivery"))
    return [Part("aws:sns/topicSubscription:TopicSubscription", out)]


def queue(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = _pick(
        props,
        name="QueueName",
        kmsMasterKeyId="KmsMasterKeyId",
        sqsManagedSseEnabled="SqsManagedSseEnabled",
        messageRetentionPeriod="MessageRetentionPeriod",
    )
    if "RedrivePolicy" in props:
        out["redrivePolicy"] = _json_text(props["RedrivePolicy"])
    out.setdefault("name", ident.get("name", UNKNOWN))
    out.update(ident)
    return [Part("aws:sqs/queue:Queue", out)]


def _metric_query(m: Any) -> Any:
    if not isinstance(m, dict):
        return m
    out = _pick(m, id="Id", expression="Expression", returnData="ReturnData")
    stat = m.get("MetricStat")
    if isinstance(stat, dict):
        metric = stat["Metric"] if isinstance(stat.get("Metric"), dict) else {}
        out["metric"] = {
            **_pick(metric, namespace="Namespace", metricName="MetricName"),
            **_pick(stat, stat="Stat", period="Period"),
        }
    return out


def alarm(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = _pick(
        props,
        name="AlarmName",
        namespace="Namespace",
        metricName="MetricName",
        statistic="Statistic",
        comparisonOperator="ComparisonOperator",
        alarmActions="AlarmActions",
        actionsEnabled="ActionsEnabled",
        period="Period",
        evaluationPeriods="EvaluationPeriods",
    )
    if "Threshold" in props:
        out["threshold"] = _number(props["Threshold"])
    metrics = props.get("Metrics")
    if isinstance(metrics, list):
        out["metricQueries"] = [_metric_query(m) for m in metrics]
    out.update(ident)
    return [Part("aws:cloudwatch/metricAlarm:MetricAlarm", out)]


def event_rule(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = _pick(props, name="Name", eventBusName="EventBusName")
    if "EventPattern" in props:
        out["eventPattern"] = _json_text(props["EventPattern"])
    out.setdefault("name", ident.get("name", UNKNOWN))
    out.update(ident)
    parts = [Part("aws:cloudwatch/eventRule:EventRule", out)]
    targets = props.get("Targets")
    for i, t in enumerate(targets if isinstance(targets, list) else []):
        if isinstance(t, dict):
            target = {"rule": out.get("name", UNKNOWN), "arn": t.get("Arn"), "targetId": t.get("Id")}
            parts.append(Part("aws:cloudwatch/eventTarget:EventTarget", target, f".Targets[{i}]", True))
    return parts


def _record(r: dict[str, Any], zone: dict[str, Any]) -> dict[str, Any]:
    out = _pick(r, name="Name", type="Type", records="ResourceRecords", setIdentifier="SetIdentifier")
    if "TTL" in r:
        out["ttl"] = _number(r["TTL"])
    z = {**zone, **_pick(r, zoneId="HostedZoneId", zoneName="HostedZoneName")}
    if "zoneId" in z:
        out["zoneId"] = z["zoneId"]
    if "AliasTarget" in r and isinstance(r["AliasTarget"], dict):
        out["aliases"] = [camel(r["AliasTarget"])]
    return out


def record_set(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    return [Part("aws:route53/record:Record", _record(props, {}))]


def record_set_group(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    zone = _pick(props, zoneId="HostedZoneId", zoneName="HostedZoneName")
    sets = props.get("RecordSets")
    return [
        Part("aws:route53/record:Record", _record(r, zone), f".RecordSets[{i}]")
        for i, r in enumerate(sets if isinstance(sets, list) else [])
        if isinstance(r, dict)
    ]


def hosted_zone(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = _pick(props, name="Name")
    out.update(ident)
    return [Part("aws:route53/zone:Zone", out)]


def kms_key(props: dict[str, Any], ident: dict[str, Any]) -> list[Part]:
    out = _pick(props, enableKeyRotation="EnableKeyRotation", description="Description")
    if "KeyPolicy" in props:
        out["policy"] = _json_text(props["KeyPolicy"])
    return [Part("aws:kms/key:Key", out)]


Converter = Callable[[dict[str, Any], dict[str, Any]], list[Part]]

CONVERTERS: dict[str, Converter] = {
    "AWS::SES::EmailIdentity": email_identity,
    "AWS::SES::ConfigurationSet": configuration_set,
    "AWS::SES::ConfigurationSetEventDestination": event_destination,
    "AWS::SES::ContactList": contact_list,
    "AWS::SNS::Topic": topic,
    "AWS::SNS::TopicPolicy": topic_policy,
    "AWS::SNS::TopicInlinePolicy": topic_inline_policy,
    "AWS::SNS::Subscription": subscription,
    "AWS::SQS::Queue": queue,
    "AWS::CloudWatch::Alarm": alarm,
    "AWS::Events::Rule": event_rule,
    "AWS::Route53::RecordSet": record_set,
    "AWS::Route53::RecordSetGroup": record_set_group,
    "AWS::Route53::HostedZone": hosted_zone,
    "AWS::KMS::Key": kms_key,
}
