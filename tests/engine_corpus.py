"""Stack documents that exercise many rules at once, for comparing engines and rendering reports.

Built from the repository's fixtures where they exist (the program's prod stack as the program
source saw it) and by hand, then broken in several ways at once, so most rules have something to
say on at least one document.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sesguard.document import UNKNOWN, new_document

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT = "corpus"


def _urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{type_}::{name}"


def _res(
    stack: str, type_: str, name: str, props: dict[str, Any], deps: list[str] | None = None
) -> dict[str, Any]:
    return {
        "urn": _urn(stack, type_, name),
        "type": type_,
        "name": name,
        "props": props,
        "dependencies": deps or [],
    }


def _doc(stack: str, resources: list[dict[str, Any]], config: dict[str, Any] | None = None) -> dict[str, Any]:
    cfg = {"aws:region": "us-east-1", **(config or {})}
    return new_document(
        source="program", project=PROJECT, stack=stack, region="us-east-1", config=cfg, resources=resources
    )


def v2_sender(
    stack: str, domain: str, *, dmarc: str, mx_failure: str, events: list[str]
) -> list[dict[str, Any]]:
    """A v2 sender with every part present; the arguments decide how compliant it is."""
    ident = _res(
        stack,
        "aws:sesv2/emailIdentity:EmailIdentity",
        "identity",
        {
            "emailIdentity": domain,
            "configurationSetName": stack,
            "dkimSigningAttributes": {"nextSigningKeyLength": "RSA_1024_BIT", "tokens": UNKNOWN},
            "arn": UNKNOWN,
        },
    )
    cset = _res(
        stack,
        "aws:sesv2/configurationSet:ConfigurationSet",
        "cset",
        {
            "configurationSetName": stack,
            "reputationOptions": {"reputationMetricsEnabled": True},
            "sendingOptions": {"sendingEnabled": True},
            "deliveryOptions": {"tlsPolicy": "OPTIONAL"},
        },
    )
    topic = _res(stack, "aws:sns/topic:Topic", "feedback", {"fifoTopic": False, "arn": UNKNOWN})
    dest = _res(
        stack,
        "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
        "events",
        {
            "configurationSetName": stack,
            "eventDestinationName": "feedback",
            "eventDestination": {
                "enabled": True,
                "matchingEventTypes": events,
                "snsDestination": {"topicArn": UNKNOWN},
            },
        },
        [topic["urn"], cset["urn"]],
    )
    mail_from = _res(
        stack,
        "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
        "mail-from",
        {"emailIdentity": domain, "mailFromDomain": f"mail.{domain}", "behaviorOnMxFailure": mx_failure},
        [ident["urn"]],
    )
    dmarc_rec = _res(
        stack,
        "aws:route53/record:Record",
        "dmarc",
        {"zoneId": "Z1", "name": f"_dmarc.{domain}", "type": "TXT", "ttl": 300.0, "records": [dmarc]},
    )
    return [ident, cset, topic, dest, mail_from, dmarc_rec]


def hand_made() -> list[dict[str, Any]]:
    docs = [
        _doc("empty", []),
        _doc(
            "address-only",
            [
                _res(
                    "address-only",
                    "aws:sesv2/emailIdentity:EmailIdentity",
                    "me",
                    {"emailIdentity": "me@example.org"},
                )
            ],
        ),
        _doc(
            "weak",
            v2_sender(
                "weak",
                "weak.example.com",
                dmarc="v=DMARC1; p=none; pct=50",
                mx_failure="USE_DEFAULT_VALUE",
                events=["SEND"],
            ),
        ),
        _doc(
            "better",
            v2_sender(
                "better",
                "better.example.com",
                dmarc="v=DMARC1; p=reject; rua=mailto:d@better.example.com",
                mx_failure="REJECT_MESSAGE",
                events=["BOUNCE", "COMPLAINT"],
            ),
        ),
        _doc(
            "v1",
            [
                _res("v1", "aws:ses/domainIdentity:DomainIdentity", "d", {"domain": "v1.example.com"}),
                _res(
                    "v1",
                    "aws:ses/domainDkim:DomainDkim",
                    "dkim",
                    {"domain": "v1.example.com", "dkimTokens": UNKNOWN},
                ),
                _res(
                    "v1",
                    "aws:ses/mailFrom:MailFrom",
                    "mf",
                    {
                        "domain": "v1.example.com",
                        "mailFromDomain": "bounce.v1.example.com",
                        "behaviorOnMxFailure": "RejectMessage",
                    },
                ),
                _res(
                    "v1",
                    "aws:ses/identityNotificationTopic:IdentityNotificationTopic",
                    "bounce",
                    {"identity": "v1.example.com", "notificationType": "Bounce", "topicArn": UNKNOWN},
                ),
            ],
        ),
        _doc(
            "waived",
            [
                _res(
                    "waived",
                    "aws:sesv2/emailIdentity:EmailIdentity",
                    "me",
                    {"emailIdentity": "me@example.org"},
                )
            ],
            config={
                "sesguard:waivers": [
                    {
                        "rule": "SES-001",
                        "reason": "address identity kept for the legacy relay",
                        "expires": "2099-01-01",
                    },
                    {"rule": "SES-002", "reason": "expired one", "expires": "2001-01-01"},
                ]
            },
        ),
    ]
    return docs


def fixture_documents() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in [*sorted((FIXTURES / "check").glob("*.json")), FIXTURES / "compliant_stack.json"]:
        if not path.is_file():
            continue
        try:
            doc = json.loads(path.read_text("utf-8"))
        except ValueError:
            continue
        if isinstance(doc, dict) and doc.get("schema") == "sesguard/stack/v1" and doc not in out:
            out.append(doc)
    return out


def broken_variants(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The same stack broken in several ways: parts removed, values weakened."""
    variants = []
    for drop in (
        "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
        "aws:route53/record:Record",
        "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
    ):
        d = copy.deepcopy(doc)
        d["stack"] = f"{doc.get('stack')}-without-{drop.rsplit(':', 1)[-1]}"
        d["resources"] = [r for r in d["resources"] if r["type"] != drop]
        variants.append(d)
    d = copy.deepcopy(doc)
    d["stack"] = f"{doc.get('stack')}-weakened"
    for r in d["resources"]:
        props = r.get("props") or {}
        if r["type"] == "aws:route53/record:Record" and props.get("type") == "TXT":
            props["records"] = [str(x).replace("p=reject", "p=none") for x in props.get("records") or []]
        if "behaviorOnMxFailure" in props:
            props["behaviorOnMxFailure"] = "USE_DEFAULT_VALUE"
        if r["type"] == "aws:sesv2/configurationSet:ConfigurationSet":
            props["reputationOptions"] = {"reputationMetricsEnabled": False}
    variants.append(d)
    return variants


def corpus() -> list[dict[str, Any]]:
    docs = hand_made()
    for doc in fixture_documents():
        docs.append(doc)
        docs.extend(broken_variants(doc))
    return docs
