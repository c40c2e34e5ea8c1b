"""A fake AWS account for the live-audit tests: moto where it implements a call, botocore's
Stubber where it does not (sesv2 get_account, DKIM/MAIL FROM details, event destinations).

Nothing here reaches the network: moto answers inside botocore, Stubber before it sends.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from sesguard.sources.live import aws as live

REGION = "us-east-1"
ACCOUNT = "123456789012"
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


def fake_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    for key, value in FAKE_ENV.items():
        monkeypatch.setenv(key, value)


class PartialStubber(Stubber):
    """A Stubber that answers only the calls it has a queued response for (same operation, and the
    expected parameters if given); every other call goes on to moto. Each response is validated
    against the service model like any Stubber response."""

    def _select(self, model: Any, params: Any) -> bool:
        for item in self._queue:
            expected = item["expected_params"]
            if item["operation_name"] == model.name and (
                expected is None or all(params.get(k) == v for k, v in expected.items())
            ):
                if item is not self._queue[0]:
                    self._queue.remove(item)
                    self._queue.appendleft(item)
                return True
        return False

    # botocore asks twice per call: before building the request (with the API parameters, where the
    # matching response is moved to the head of the queue) and before sending (with the request).
    _matched = False

    def _assert_expected_params(self, model: Any, params: Any, context: Any, **kwargs: Any) -> None:
        self._matched = self._select(model, params)
        if self._matched:
            super()._assert_expected_params(model, params, context, **kwargs)

    def _get_response_handler(self, model: Any, params: Any, context: Any, **kwargs: Any) -> Any:
        if self._matched:
            self._matched = False
            return super()._get_response_handler(model, params, context, **kwargs)
        return None


def http_error(status: int, code: str, message: str = "") -> AWSResponse:
    """A raw JSON error response, answered by a before-send hook inside botocore's retry loop."""

    class _Raw:
        def __init__(self, body: bytes) -> None:
            self._body = body

        def stream(self, **_: Any) -> Iterator[bytes]:
            yield self._body

    body = json.dumps({"__type": code, "message": message or code}).encode()
    return AWSResponse(
        "https://fake", status, {"x-amzn-ErrorType": code, "Content-Type": "application/json"}, _Raw(body)
    )


def fail_first(client: Any, operation: str, responses: list[AWSResponse]) -> list[int]:
    """Answer the first len(responses) sends of `operation` with those responses (retries count
    as sends), then let the call through. Returns a list whose length is the number of sends."""
    sends: list[int] = []

    def hook(**_: Any) -> AWSResponse | None:
        sends.append(1)
        return responses[len(sends) - 1] if len(sends) <= len(responses) else None

    name = client.meta.method_to_api_mapping[operation]
    client.meta.events.register_first(
        f"before-send.{client.meta.service_model.service_id.hyphenize()}.{name}", hook
    )
    return sends


@dataclass
class Account:
    """What the fake account holds; defaults are the compliant prod account of stacks/Pulumi.prod.yaml."""

    production: bool = True
    sending: bool = True
    enforcement: str = "HEALTHY"
    review: dict[str, str] | None = None
    bounce: float | None = 0.004
    complaint: float | None = 0.0001
    destination_enabled: bool = True
    bounce_threshold: float = 0.02
    complaint_threshold: float = 0.0005
    dkim_status: str = "SUCCESS"
    max_24h: float = 50000.0
    deny: set[str] = field(default_factory=set)  # sesv2 operations answered with AccessDenied


SENDERS = {
    "acmetickets.com": ["BOUNCE", "COMPLAINT", "DELIVERY", "REJECT", "RENDERING_FAILURE"],
    "acmetickets.jp": ["BOUNCE", "COMPLAINT", "REJECT"],
}


def _set_name(domain: str) -> str:
    return f"ses-sender-prod-{domain.replace('.', '-')}"


def _topic_policy(topic_arn: str, set_name: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowSesPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "ses.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {
                        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
                        "ArnLike": {
                            "AWS:SourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{set_name}"
                        },
                    },
                }
            ],
        }
    )


def populate(clients: live.Clients, stub: PartialStubber, a: Account) -> None:
    """Create the account in moto and queue what moto cannot answer, in the order the audit asks."""
    sesv2, sns, cw = clients.sesv2, clients.sns, clients.cloudwatch
    alerts = sns.create_topic(
        Name="ses-sender-prod-reputation-alerts", Attributes={"KmsMasterKeyId": "alias/sns"}
    )
    sns.subscribe(TopicArn=alerts["TopicArn"], Protocol="email", Endpoint="platform-oncall@acmetickets.com")
    if "GetAccount" in a.deny:
        stub.add_client_error("get_account", "AccessDeniedException", "not authorized", 403)
    else:
        details: dict[str, Any] = {"MailType": "TRANSACTIONAL", "WebsiteURL": "https://www.acmetickets.com"}
        if a.review:
            details["ReviewDetails"] = a.review
        stub.add_response(
            "get_account",
            {
                "ProductionAccessEnabled": a.production,
                "SendingEnabled": a.sending,
                "EnforcementStatus": a.enforcement,
                "DedicatedIpAutoWarmupEnabled": False,
                "SendQuota": {
                    "Max24HourSend": a.max_24h if a.production else 200.0,
                    "MaxSendRate": 14.0 if a.production else 1.0,
                    "SentLast24Hours": 1234.0 if a.production else 12.0,
                },
                "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
                "Details": details,
            },
        )
    for domain, types in SENDERS.items():
        set_name = _set_name(domain)
        sesv2.create_email_identity(EmailIdentity=domain)
        sesv2.create_configuration_set(
            ConfigurationSetName=set_name,
            ReputationOptions={"ReputationMetricsEnabled": True},
            SendingOptions={"SendingEnabled": True},
            SuppressionOptions={"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
            DeliveryOptions={"TlsPolicy": "REQUIRE"},
        )
        # moto 5.2.5 nests SendingOptions in its answer ({"SendingEnabled": {"SendingEnabled": true}}),
        # which botocore reads as false: the configuration set's details come from the stub.
        stub.add_response(
            "get_configuration_set",
            {
                "ConfigurationSetName": set_name,
                "DeliveryOptions": {"TlsPolicy": "REQUIRE"},
                "ReputationOptions": {"ReputationMetricsEnabled": True},
                "SendingOptions": {"SendingEnabled": True},
                "SuppressionOptions": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
            },
            {"ConfigurationSetName": set_name},
        )
        topic = sns.create_topic(
            Name=f"ses-feedback-{set_name}", Attributes={"KmsMasterKeyId": "alias/ses-sender-prod-sns"}
        )["TopicArn"]
        sns.set_topic_attributes(
            TopicArn=topic, AttributeName="Policy", AttributeValue=_topic_policy(topic, set_name)
        )
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:ses-feedback-{set_name}"
        )
        if "GetEmailIdentity" in a.deny:
            stub.add_client_error("get_email_identity", "AccessDeniedException", "not authorized", 403)
        else:
            stub.add_response(
                "get_email_identity",
                {
                    "IdentityType": "DOMAIN",
                    "FeedbackForwardingStatus": False,
                    "VerifiedForSendingStatus": True,
                    "VerificationStatus": "SUCCESS",
                    "DkimAttributes": {
                        "SigningEnabled": True,
                        "Status": a.dkim_status,
                        "Tokens": ["tok1", "tok2", "tok3"],
                        "SigningAttributesOrigin": "AWS_SES",
                        "NextSigningKeyLength": "RSA_2048_BIT",
                        "CurrentSigningKeyLength": "RSA_2048_BIT",
                    },
                    "MailFromAttributes": {
                        "MailFromDomain": f"mail.{domain}",
                        "MailFromDomainStatus": "SUCCESS",
                        "BehaviorOnMxFailure": "REJECT_MESSAGE",
                    },
                    "Policies": {},
                    "ConfigurationSetName": set_name,
                },
                {"EmailIdentity": domain},
            )
        stub.add_response(
            "get_configuration_set_event_destinations",
            {
                "EventDestinations": [
                    {
                        "Name": "feedback-sns",
                        "Enabled": a.destination_enabled,
                        "MatchingEventTypes": types,
                        "SnsDestination": {"TopicArn": topic},
                    }
                ]
            },
            {"ConfigurationSetName": set_name},
        )
    for metric, threshold in (
        ("Reputation.BounceRate", a.bounce_threshold),
        ("Reputation.ComplaintRate", a.complaint_threshold),
    ):
        cw.put_metric_alarm(
            AlarmName=f"reputation-{metric.split('.')[1].lower()}",
            Namespace="AWS/SES",
            MetricName=metric,
            Statistic="Average",
            Period=900,
            EvaluationPeriods=1,
            Threshold=threshold,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="ignore",
            AlarmActions=[alerts["TopicArn"]],
            OKActions=[alerts["TopicArn"]],
        )
    # SES publishes its reputation metrics with some delay; a point "now" would also fall on
    # moto's exclusive end of the query window.
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    data = [
        {"MetricName": name, "Value": value, "Timestamp": when}
        for name, value in (("Reputation.BounceRate", a.bounce), ("Reputation.ComplaintRate", a.complaint))
        if value is not None
    ]
    if data:
        cw.put_metric_data(Namespace="AWS/SES", MetricData=data)


@contextmanager
def fake_account(
    monkeypatch: pytest.MonkeyPatch, account: Account, max_attempts: int = live.DEFAULT_MAX_ATTEMPTS
) -> Iterator[tuple[live.Clients, PartialStubber]]:
    """moto + a partial Stubber on sesv2, populated, and `Clients.connect` answering these clients."""
    from moto import mock_aws

    fake_env(monkeypatch)
    with mock_aws():
        clients = live.Clients.connect(region=REGION, max_attempts=max_attempts)
        stub = PartialStubber(clients.sesv2)
        stub.activate()
        populate(clients, stub, account)
        monkeypatch.setattr(live.Clients, "connect", classmethod(lambda cls, **_: clients))
        try:
            yield clients, stub
        finally:
            stub.deactivate()
