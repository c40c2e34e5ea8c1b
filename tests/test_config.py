"""Config validation: every bad value is one clear error naming the key and the expected form."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError, parse
from sesguard.sources.pulumi.program import load_stack_config

ROOT = Path(__file__).resolve().parents[1]


def base() -> dict[str, Any]:
    return copy.deepcopy(load_stack_config(ROOT, "prod"))


def sender(cfg: dict[str, Any]) -> dict[str, Any]:
    first: dict[str, Any] = cfg["ses-sender:senders"][0]
    return first


def test_every_stack_file_is_valid() -> None:
    for name in ("dev", "staging", "prod", "marketing"):
        cfg = parse(load_stack_config(ROOT, name), name)
        assert cfg.senders
        assert cfg.alarms.bounce_rate <= 0.05 and cfg.alarms.complaint_rate <= 0.001


def test_defaults_and_event_types() -> None:
    cfg = base()
    del cfg["ses-sender:alarms"]["bounceRate"]
    sender(cfg)["eventTypes"] = ["DELIVERY", "BOUNCE", "DELIVERY"]
    parsed = parse(cfg, "prod")
    assert parsed.alarms.bounce_rate == 0.05
    assert parsed.senders[0].event_types == ("BOUNCE", "COMPLAINT", "DELIVERY")
    assert parsed.senders[0].mail_from_domain == "mail.acmetickets.com"
    assert parsed.senders[0].configuration_set_name == "ses-sender-prod-acmetickets-com"


def test_structured_values_may_arrive_as_json_text() -> None:
    import json

    cfg = {k: (json.dumps(v) if isinstance(v, dict | list) else v) for k, v in base().items()}
    assert parse(cfg, "prod").senders[0].domain == "acmetickets.com"


def test_policy_keys_pass_through() -> None:
    cfg = base()
    cfg["sesguard:waivers"] = [{"rule": "SES-019", "reason": "x", "expires": "2099-01-01"}]
    cfg["sesguard:thresholds"] = {"bounce": 0.04}
    assert "sesguard:waivers" in parse(cfg, "prod").extra


def _set(path: str, value: Any) -> Any:
    def change(cfg: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = cfg
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        if value is DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


DELETE = object()

CASES = [
    (
        "missing domain",
        _set("ses-sender:senders/0/domain", DELETE),
        "ses-sender:senders[0].domain",
        "missing",
    ),
    (
        "bad domain",
        _set("ses-sender:senders/0/domain", "Not A Domain"),
        "ses-sender:senders[0].domain",
        "DNS domain",
    ),
    ("no senders", _set("ses-sender:senders", DELETE), "ses-sender:senders", "missing"),
    ("empty senders", _set("ses-sender:senders", []), "ses-sender:senders", "at least one"),
    (
        "duplicate domain",
        lambda c: c["ses-sender:senders"].append(dict(sender(c), zoneId="Z2ABCDEF")),
        "ses-sender:senders[2].domain",
        "each domain once",
    ),
    ("missing region", _set("aws:region", DELETE), "aws:region", "missing"),
    ("bad region", _set("aws:region", "us-east-9"), "aws:region", "AWS region"),
    (
        "bounce above review level",
        _set("ses-sender:alarms/bounceRate", 0.06),
        "ses-sender:alarms.bounceRate",
        "at most 0.05",
    ),
    (
        "complaint above review level",
        _set("ses-sender:alarms/complaintRate", 0.002),
        "ses-sender:alarms.complaintRate",
        "at most 0.001",
    ),
    (
        "threshold not a number",
        _set("ses-sender:alarms/bounceRate", "high"),
        "ses-sender:alarms.bounceRate",
        "fraction",
    ),
    (
        "zero threshold",
        _set("ses-sender:alarms/bounceRate", 0),
        "ses-sender:alarms.bounceRate",
        "greater than 0",
    ),
    ("no alarm recipients", _set("ses-sender:alarms/emails", []), "ses-sender:alarms.emails", "at least one"),
    (
        "bad alarm email",
        _set("ses-sender:alarms/emails/0", "oncall"),
        "ses-sender:alarms.emails[0]",
        "email address",
    ),
    (
        "five contacts",
        _set("ses-sender:request/contactEmails", [f"c{i}@acmetickets.com" for i in range(5)]),
        "ses-sender:request.contactEmails",
        "1 to 4",
    ),
    (
        "bad contact email",
        _set("ses-sender:request/contactEmails/0", "not-an-email"),
        "ses-sender:request.contactEmails[0]",
        "email address",
    ),
    (
        "unknown mail type",
        _set("ses-sender:mailType", "NEWSLETTER"),
        "ses-sender:mailType",
        "TRANSACTIONAL, MARKETING",
    ),
    (
        "bad language",
        _set("ses-sender:request/contactLanguage", "FR"),
        "ses-sender:request.contactLanguage",
        "EN, JA",
    ),
    (
        "http website",
        _set("ses-sender:request/websiteUrl", "http://www.acmetickets.com"),
        "ses-sender:request.websiteUrl",
        "https://",
    ),
    ("no website", _set("ses-sender:request/websiteUrl", DELETE), "ses-sender:request.websiteUrl", "missing"),
    ("production without request", _set("ses-sender:request", DELETE), "ses-sender:request", "missing"),
    (
        "bad volume",
        _set("ses-sender:request/expectedDailyVolume", -5),
        "ses-sender:request.expectedDailyVolume",
        "positive",
    ),
    ("empty opt-out text", _set("ses-sender:request/optOut", ""), "ses-sender:request.optOut", "plain text"),
    (
        "use case too long",
        _set("ses-sender:request/listBuilding", "x" * 5000),
        "ses-sender:request",
        "characters",
    ),
    (
        "unknown event type",
        _set("ses-sender:senders/0/eventTypes", ["OPEN"]),
        "ses-sender:senders[0].eventTypes[0]",
        "DELIVERY",
    ),
    ("missing zone", _set("ses-sender:senders/0/zoneId", DELETE), "ses-sender:senders[0].zoneId", "missing"),
    (
        "bad zone",
        _set("ses-sender:senders/0/zoneId", "example.com"),
        "ses-sender:senders[0].zoneId",
        "hosted zone id",
    ),
    (
        "zone with external dns",
        _set("ses-sender:dns", "external"),
        "ses-sender:senders[0].zoneId",
        "external",
    ),
    ("bad dns mode", _set("ses-sender:dns", "cloudflare"), "ses-sender:dns", "route53, external"),
    (
        "missing rua",
        _set("ses-sender:senders/0/dmarcReportEmail", DELETE),
        "ses-sender:senders[0].dmarcReportEmail",
        "missing",
    ),
    (
        "bad mail from label",
        _set("ses-sender:senders/0/mailFromSubdomain", "a.b"),
        "ses-sender:senders[0].mailFromSubdomain",
        "DNS label",
    ),
    (
        "unknown sender key",
        _set("ses-sender:senders/0/zone", "Z1"),
        "ses-sender:senders[0].zone",
        "no such key",
    ),
    ("misspelt top key", _set("ses-sender:sender", []), "ses-sender:sender", "no such key"),
    ("production not bool", _set("ses-sender:production", "yes"), "ses-sender:production", "true or false"),
    (
        "marketing without contact list",
        _set("ses-sender:mailType", "MARKETING"),
        "ses-sender:contactList",
        "one-click",
    ),
    (
        "contact list without topics",
        _set("ses-sender:contactList", {"name": "news", "topics": []}),
        "ses-sender:contactList.topics",
        "1 to 20",
    ),
    (
        "http webhook",
        _set("ses-sender:feedbackWebhookUrl", "http://hooks.acmetickets.com/ses"),
        "ses-sender:feedbackWebhookUrl",
        "https://",
    ),
    (
        "senders not a list",
        _set("ses-sender:senders", {"domain": "acmetickets.com"}),
        "ses-sender:senders",
        "a list",
    ),
]


@pytest.mark.parametrize(("change", "key", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_config_names_the_key(change: Any, key: str, expected: str) -> None:
    cfg = base()
    change(cfg)
    with pytest.raises(ConfigError) as info:
        parse(cfg, "prod")
    message = str(info.value)
    assert message.startswith(key + ":"), message
    assert expected in message
    assert "\n" not in message


def test_the_ses_regions_are_the_ones_botocore_lists_for_sesv2() -> None:
    # The program reads botocore's endpoint data itself (a cold run must not import botocore's
    # session); the answer must stay what the session would give.
    import botocore.session

    from infra import config

    session = botocore.session.get_session()
    expected = {
        region
        for partition in ("aws", "aws-us-gov", "aws-cn")
        for region in session.get_available_regions("sesv2", partition_name=partition)
    }
    assert config._ses_regions() == expected
    assert {"us-east-1", "eu-west-1", "us-gov-west-1"} <= expected
