"""Each stack, run under preview mocks, declares exactly the sender it should, wired as it should."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sesguard.document import SECRET, UNKNOWN, validate
from sesguard.errors import SesguardError
from sesguard.sources.pulumi.program import list_stacks, load_stack_config, run_stack, summary

ROOT = Path(__file__).resolve().parents[1]
STACKS = ["dev", "marketing", "prod", "staging"]
DOMAINS = {
    "dev": ["dev.acmetickets.com"],
    "staging": ["staging.acmetickets.com"],
    "prod": ["acmetickets.com", "acmetickets.jp"],
    "marketing": ["news.acmetickets.com"],
}
IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CONTACT_LIST = "aws:sesv2/contactList:ContactList"


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return {name: run_stack(name, root=ROOT) for name in STACKS}


def of_type(doc: dict[str, Any], typ: str) -> list[dict[str, Any]]:
    return [r for r in doc["resources"] if r["type"] == typ]


def test_lists_the_stacks() -> None:
    assert list_stacks(ROOT) == STACKS


@pytest.mark.parametrize("name", STACKS)
def test_document_shape(docs: dict[str, dict[str, Any]], name: str) -> None:
    doc = validate(docs[name], name)
    assert doc["source"] == "program" and doc["project"] == "ses-sender" and doc["stack"] == name
    assert doc["region"] == load_stack_config(ROOT, name)["aws:region"]
    assert doc["file"] == f"stacks/Pulumi.{name}.yaml"
    urns = {r["urn"] for r in doc["resources"]}
    assert len(urns) == len(doc["resources"])
    for r in doc["resources"]:
        assert r["parent"] is None or r["parent"] in urns
        assert set(r["dependencies"]) <= urns


@pytest.mark.parametrize("name", STACKS)
def test_declares_exactly_the_expected_resources(docs: dict[str, dict[str, Any]], name: str) -> None:
    n = len(DOMAINS[name])
    external = name == "marketing"
    expected = {
        "pulumi:pulumi:Stack": 1,
        "sesguard:index:SesSender": n,
        "sesguard:index:Identity": n,
        "sesguard:index:DnsRecords": n,
        "sesguard:index:ConfigurationSet": n,
        "sesguard:index:Feedback": n,
        "sesguard:index:Encryption": 1,
        "sesguard:index:AccountSuppression": 1,
        "sesguard:index:ReputationAlarms": 1,
        IDENTITY: n,
        "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes": n,
        "aws:sesv2/configurationSet:ConfigurationSet": n,
        "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination": n,
        "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes": 1,
        "aws:sns/topic:Topic": n + 1,
        "aws:sns/topicPolicy:TopicPolicy": n,
        # one SQS subscriber per sender, one email per alert recipient
        "aws:sns/topicSubscription:TopicSubscription": n
        + len(load_stack_config(ROOT, name)["ses-sender:alarms"]["emails"]),
        "aws:sqs/queue:Queue": 2 * n,
        "aws:sqs/queuePolicy:QueuePolicy": n,
        "aws:kms/key:Key": 1,
        "aws:kms/alias:Alias": 1,
        ALARM: 2,
    }
    if not external:
        expected[RECORD] = 6 * n
    if name == "marketing":
        expected["sesguard:index:ContactList"] = 1
        expected[CONTACT_LIST] = 1
    assert summary(docs[name]) == dict(sorted(expected.items()))


@pytest.mark.parametrize("name", STACKS)
def test_identity(docs: dict[str, dict[str, Any]], name: str) -> None:
    identities = of_type(docs[name], IDENTITY)
    assert sorted(r["props"]["emailIdentity"] for r in identities) == DOMAINS[name]
    config_sets = {
        r["props"]["configurationSetName"]
        for r in of_type(docs[name], "aws:sesv2/configurationSet:ConfigurationSet")
    }
    for r in identities:
        dkim = r["props"]["dkimSigningAttributes"]
        assert dkim["nextSigningKeyLength"] == "RSA_2048_BIT"
        assert dkim["tokens"] == UNKNOWN  # computed by AWS: unknown at preview
        assert r["props"]["configurationSetName"] in config_sets
    mail_from = of_type(
        docs[name], "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"
    )
    for r in mail_from:
        assert r["props"]["behaviorOnMxFailure"] == "REJECT_MESSAGE"
        assert r["props"]["mailFromDomain"].endswith("." + r["props"]["emailIdentity"])


@pytest.mark.parametrize("name", ["dev", "staging", "prod"])
def test_route53_records(docs: dict[str, dict[str, Any]], name: str) -> None:
    doc = docs[name]
    region = doc["region"]
    by_urn = {r["urn"]: r for r in doc["resources"]}
    records = of_type(doc, RECORD)
    for domain in DOMAINS[name]:
        identity = next(r for r in of_type(doc, IDENTITY) if r["props"]["emailIdentity"] == domain)
        mine = [r for r in records if domain.replace(".", "-") + "-dns-" in r["name"]]
        cnames = [r for r in mine if r["props"]["type"] == "CNAME"]
        # Three DKIM CNAMEs, declared at preview although their names and values are still unknown,
        # each depending on the identity whose tokens they are built from.
        assert len(cnames) == 3
        for r in cnames:
            assert r["props"]["name"] == UNKNOWN and r["props"]["records"] == [UNKNOWN]
            assert identity["urn"] in r["dependencies"]
            assert r["props"]["zoneId"].startswith("Z")
        txt = {r["props"]["name"]: r["props"]["records"] for r in mine if r["props"]["type"] == "TXT"}
        dmarc = txt[f"_dmarc.{domain}"][0]
        assert dmarc.startswith("v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:")
        mail_from = next(
            r["props"]["mailFromDomain"]
            for r in of_type(doc, "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes")
            if r["props"]["emailIdentity"] == domain
        )
        assert txt[mail_from] == ["v=spf1 include:amazonses.com ~all"]
        mx = [r for r in mine if r["props"]["type"] == "MX"]
        assert [(r["props"]["name"], r["props"]["records"]) for r in mx] == [
            (mail_from, [f"10 feedback-smtp.{region}.amazonses.com"])
        ]
        assert all(by_urn[r["parent"]]["type"] == "sesguard:index:DnsRecords" for r in mine)


def test_external_dns_exports_records_and_declares_none(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["marketing"]
    assert of_type(doc, RECORD) == []
    stack = of_type(doc, "pulumi:pulumi:Stack")[0]
    records = stack["props"]["dnsRecords"]["news.acmetickets.com"]
    assert [r["type"] for r in records] == ["CNAME", "CNAME", "CNAME", "TXT", "MX", "TXT"]
    assert all(r["name"] == UNKNOWN for r in records[:3])
    assert records[3] == {
        "name": "_dmarc.news.acmetickets.com",
        "type": "TXT",
        "ttl": 3600.0,
        "value": "v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:dmarc-reports@acmetickets.com",
    }
    assert records[4]["value"] == "10 feedback-smtp.us-east-1.amazonses.com"
    assert records[4]["name"] == "bounce.news.acmetickets.com"


@pytest.mark.parametrize("name", STACKS)
def test_configuration_set(docs: dict[str, dict[str, Any]], name: str) -> None:
    for r in of_type(docs[name], "aws:sesv2/configurationSet:ConfigurationSet"):
        p = r["props"]
        assert p["reputationOptions"] == {"reputationMetricsEnabled": True}
        assert p["sendingOptions"] == {"sendingEnabled": True}
        assert p["suppressionOptions"] == {"suppressedReasons": ["BOUNCE", "COMPLAINT"]}
        assert p["deliveryOptions"] == {"tlsPolicy": "REQUIRE"}


@pytest.mark.parametrize("name", STACKS)
def test_feedback(docs: dict[str, dict[str, Any]], name: str) -> None:
    doc = docs[name]
    by_urn = {r["urn"]: r for r in doc["resources"]}
    config = load_stack_config(ROOT, name)["ses-sender:senders"]
    destinations = of_type(doc, "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination")
    assert len(destinations) == len(config)
    for dest in destinations:
        ed = dest["props"]["eventDestination"]
        assert ed["enabled"] is True
        assert ed["matchingEventTypes"][:2] == ["BOUNCE", "COMPLAINT"]
        assert ed["snsDestination"]["topicArn"] == UNKNOWN
        topic = next(by_urn[u] for u in dest["dependencies"] if by_urn[u]["type"] == "aws:sns/topic:Topic")
        assert topic["props"]["fifoTopic"] is False
        assert topic["props"]["kmsMasterKeyId"] == f"alias/ses-sender-{name}-sns"
        subs = [
            r
            for r in of_type(doc, "aws:sns/topicSubscription:TopicSubscription")
            if topic["urn"] in r["dependencies"]
        ]
        assert "sqs" in {s["props"]["protocol"] for s in subs}
        cs = dest["props"]["configurationSetName"]
        policy_res = next(
            r for r in of_type(doc, "aws:sns/topicPolicy:TopicPolicy") if topic["urn"] in r["dependencies"]
        )
        (statement,) = json.loads(policy_res["props"]["policy"])["Statement"]
        assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
        assert statement["Action"] == "sns:Publish"
        assert statement["Condition"]["StringEquals"] == {"AWS:SourceAccount": "123456789012"}
        assert statement["Condition"]["ArnLike"] == {
            "AWS:SourceArn": f"arn:aws:ses:{doc['region']}:123456789012:configuration-set/{cs}"
        }
    events = {tuple(d["props"]["eventDestination"]["matchingEventTypes"]) for d in destinations}
    expected = {("BOUNCE", "COMPLAINT", *s.get("eventTypes", [])) for s in config}
    assert events == expected
    for queue in of_type(doc, "aws:sqs/queue:Queue"):
        if not queue["name"].endswith("-dlq"):
            redrive = json.loads(queue["props"]["redrivePolicy"])
            assert redrive["deadLetterTargetArn"].endswith(queue["props"]["name"] + "-dlq")


@pytest.mark.parametrize("name", STACKS)
def test_account_and_alarms(docs: dict[str, dict[str, Any]], name: str) -> None:
    doc = docs[name]
    (suppression,) = of_type(doc, "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes")
    assert suppression["props"]["suppressedReasons"] == ["BOUNCE", "COMPLAINT"]
    alarms = {r["props"]["metricName"]: r for r in of_type(doc, ALARM)}
    limits = load_stack_config(ROOT, name)["ses-sender:alarms"]
    for metric, key in (
        ("Reputation.BounceRate", "bounceRate"),
        ("Reputation.ComplaintRate", "complaintRate"),
    ):
        p = alarms[metric]["props"]
        assert p["namespace"] == "AWS/SES" and p["statistic"] == "Average"
        assert p["threshold"] == limits[key]
        assert p["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert p["treatMissingData"] == "ignore"
        assert p["alarmActions"] == [UNKNOWN]
        (topic_urn,) = alarms[metric]["dependencies"]
        emails = [
            r
            for r in of_type(doc, "aws:sns/topicSubscription:TopicSubscription")
            if topic_urn in r["dependencies"]
        ]
        assert [e["props"]["endpoint"] for e in emails] == limits["emails"]


def test_contact_list_only_for_marketing(docs: dict[str, dict[str, Any]]) -> None:
    for name in ("dev", "staging", "prod"):
        assert of_type(docs[name], CONTACT_LIST) == []
    (contact_list,) = of_type(docs["marketing"], CONTACT_LIST)
    topics = contact_list["props"]["topics"]
    assert [t["topicName"] for t in topics] == ["weekly-events", "presales"]
    assert all(t["defaultSubscriptionStatus"] == "OPT_OUT" for t in topics)


def test_production_flag_in_config(docs: dict[str, dict[str, Any]]) -> None:
    assert {n: d["config"]["ses-sender:production"] for n, d in docs.items()} == {
        "dev": False,
        "marketing": True,
        "prod": True,
        "staging": False,
    }


def test_account_suppression_can_be_left_to_another_stack() -> None:
    cfg = load_stack_config(ROOT, "staging")
    cfg["ses-sender:accountSuppression"] = False
    doc = run_stack("staging", root=ROOT, config_override=cfg)
    assert of_type(doc, "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes") == []


def test_secrets_never_appear() -> None:
    cfg = load_stack_config(ROOT, "prod")
    cfg["ses-sender:feedbackWebhookUrl"] = {"secure": "v1:c2VjcmV0:TOPSECRETTOKEN"}
    doc = run_stack("prod", root=ROOT, config_override=cfg)
    assert "TOPSECRETTOKEN" not in json.dumps(doc)
    assert doc["config"]["ses-sender:feedbackWebhookUrl"] == SECRET
    hooks = [
        r
        for r in of_type(doc, "aws:sns/topicSubscription:TopicSubscription")
        if r["props"]["protocol"] == "https"
    ]
    assert len(hooks) == 2 and all(h["props"]["endpoint"] == SECRET for h in hooks)


def test_runs_repeatedly_and_identically() -> None:
    first = run_stack("prod", root=ROOT)
    run_stack("marketing", root=ROOT)
    assert run_stack("prod", root=ROOT) == first


CONFIG_ERRORS = [
    (
        "ses-sender:senders",
        lambda c: c["ses-sender:senders"][0].pop("domain"),
        "ses-sender:senders[0].domain",
    ),
    ("aws:region", lambda c: c.update({"aws:region": "mars-1"}), "aws:region"),
    ("bounce", lambda c: c["ses-sender:alarms"].update(bounceRate=0.1), "ses-sender:alarms.bounceRate"),
    (
        "contacts",
        lambda c: c["ses-sender:request"]["contactEmails"].extend(["a@b.io", "c@d.io"]),
        "ses-sender:request.contactEmails",
    ),
    ("mail type", lambda c: c.update({"ses-sender:mailType": "BULK"}), "ses-sender:mailType"),
]


@pytest.mark.parametrize(("change", "key"), [c[1:] for c in CONFIG_ERRORS], ids=[c[0] for c in CONFIG_ERRORS])
def test_bad_config_is_one_clear_line(change: Any, key: str) -> None:
    cfg = copy.deepcopy(load_stack_config(ROOT, "prod"))
    change(cfg)
    with pytest.raises(SesguardError) as info:
        run_stack("prod", root=ROOT, config_override=cfg)
    message = str(info.value)
    assert key in message and "\n" not in message and "Traceback" not in message


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.broken.yaml").write_text("config:\n  aws:region: [us-east-1\n")
    with pytest.raises(SesguardError, match=r"Pulumi\.broken\.yaml.*not valid YAML"):
        load_stack_config(tmp_path, "broken")
    with pytest.raises(SesguardError, match="no such stack"):
        load_stack_config(tmp_path, "missing")


def test_fallback_entry_prints_what_each_stack_declares() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "sesguard.sources.pulumi.program"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in STACKS:
        assert f"{name}: " in out
    assert "aws:sesv2/emailIdentity:EmailIdentity" in out
