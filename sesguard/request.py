"""The production-access request (sesv2 ``put_account_details``), built from what a stack declares.

The use case is written from two things only: what the program really declares (read from the
stack document of a program run: identities, DKIM, MAIL FROM, DMARC, feedback path, suppression,
alarms, contact list) and the stack config's answers to AWS's four questions (how the list is
built, how bounces and complaints are handled, how recipients opt out, how the rate and volume
were chosen). Nothing is invented, and nothing is trimmed to fit: the limits are the lint's job
(SES-030), since botocore does not enforce them.

The request document (source "request") carries ``request`` = {params, answers, claims, evidence}
next to the stack's resources, so SES-032 can check every claim against the declarations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sesguard.document import UNKNOWN, Document, new_document, parse_config_value

MAX_USE_CASE = 5000
# The put_account_details fields sesguard sends; everything else in `request` is sesguard's own.
PARAM_KEYS = (
    "MailType",
    "WebsiteURL",
    "ContactLanguage",
    "UseCaseDescription",
    "AdditionalContactEmailAddresses",
    "ProductionAccessEnabled",
)
# AWS's four questions, keyed as the stack config names the answers.
QUESTIONS = {
    "listBuilding": "How recipients get on our list",
    "bounceHandling": "How we handle bounces and complaints",
    "optOut": "How recipients opt out",
    "volumeRationale": "How we chose our sending rate and volume",
}

T_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity"
T_V1_IDENTITY = "aws:ses/domainIdentity:DomainIdentity"
T_MAIL_FROM = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"
T_V1_MAIL_FROM = "aws:ses/mailFrom:MailFrom"
T_DESTINATION = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination"
T_SUPPRESSION = "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes"
T_CONTACT_LIST = "aws:sesv2/contactList:ContactList"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
T_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
T_QUEUE = "aws:sqs/queue:Queue"
DNS_TYPES = (
    "aws:route53/record:Record",
    "cloudflare:index/dnsRecord:DnsRecord",
    "cloudflare:index/record:Record",
)


# --- reading the stack ---------------------------------------------------------------------------


def _known(v: Any) -> bool:
    return v is not None and v != UNKNOWN and v != "[secret]"


def _of(doc: Document, *types: str) -> list[dict[str, Any]]:
    return [r for r in doc.get("resources", []) if r.get("type") in types]


def _names(values: Iterable[Any]) -> list[str]:
    return sorted({str(v).rstrip(".").lower() for v in values if _known(v)})


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _pct(rate: float) -> str:
    return f"{rate * 100:g} %"


def _dns_values(doc: Document) -> list[tuple[str, str, str]]:
    """(name, type, value) of every declared DNS record, including component-exported ones."""
    out: list[tuple[str, str, str]] = []
    for r in doc.get("resources", []):
        props = r.get("props") or {}
        if r.get("type") in DNS_TYPES:
            values = props.get("records") or [props.get("content") or props.get("value")]
            for v in values if isinstance(values, list) else []:
                out.append((str(props.get("name", "")), str(props.get("type", "")), str(v)))
        elif isinstance(props.get("records"), list):
            # Records a component exports for a zone someone else runs (`ses-sender:dns: external`).
            for rec in props["records"]:
                if isinstance(rec, dict):
                    out.append(
                        (str(rec.get("name", "")), str(rec.get("type", "")), str(rec.get("value", "")))
                    )
    return out


def declared(doc: Document) -> list[str]:
    """Sentences stating what the stack declares; each only when the resources are there."""
    lines: list[str] = []
    v2 = _of(doc, T_IDENTITY)
    domains = _names(
        [r["props"].get("emailIdentity") for r in v2 if "@" not in str(r["props"].get("emailIdentity", ""))]
        + [r["props"].get("domain") for r in _of(doc, T_V1_IDENTITY)]
    )
    if domains:
        keys = _names((r["props"].get("dkimSigningAttributes") or {}).get("nextSigningKeyLength") for r in v2)
        key = " with 2048-bit keys" if keys == ["rsa_2048_bit"] else ""
        what = "a domain identity that signs" if len(domains) == 1 else "domain identities that sign"
        lines.append(
            f"We send from {_join(domains)}, verified in SES as {what} every message with Easy DKIM{key}."
        )
    mail_from = [
        (str(r["props"].get("mailFromDomain")), str(r["props"].get("behaviorOnMxFailure", "")))
        for r in _of(doc, T_MAIL_FROM, T_V1_MAIL_FROM)
        if _known(r["props"].get("mailFromDomain"))
    ]
    if mail_from:
        reject = all(b.replace("_", "").lower() == "rejectmessage" for _, b in mail_from)
        lines.append(
            f"MAIL FROM is a custom domain ({_join(sorted(d for d, _ in mail_from))}) with SPF "
            f"including amazonses.com{', and SES refuses to send if its MX is missing' if reject else ''}."
        )
    dmarc = sorted(
        {
            n.rstrip(".").lower().removeprefix("_dmarc.")
            for n, t, v in _dns_values(doc)
            if t.upper() == "TXT" and n.lower().startswith("_dmarc.") and re.search(r"(?i)\bp=reject\b", v)
        }
    )
    if dmarc:
        lines.append(f"DMARC is published with p=reject for {_join(dmarc)}.")
    feedback = [
        r
        for r in _of(doc, T_DESTINATION)
        if (ed := r["props"].get("eventDestination") or {}).get("enabled") is True
        and {"BOUNCE", "COMPLAINT"} <= {str(t).upper() for t in ed.get("matchingEventTypes") or []}
    ]
    if feedback:
        kinds = []
        if any((r["props"].get("eventDestination") or {}).get("snsDestination") for r in feedback):
            kinds.append("an SNS topic")
        if any((r["props"].get("eventDestination") or {}).get("eventBridgeDestination") for r in feedback):
            kinds.append("EventBridge")
        protocols = _names(r["props"].get("protocol") for r in _of(doc, T_SUBSCRIPTION))
        queues = _of(doc, T_QUEUE)
        consumer = ""
        if "sqs" in protocols:
            dlq = any(_known(q["props"].get("redrivePolicy")) for q in queues)
            consumer = f", consumed from an SQS queue{' with a dead-letter queue' if dlq else ''}"
        elif "https" in protocols or "lambda" in protocols:
            consumer = f", consumed by a {'Lambda function' if 'lambda' in protocols else 'HTTPS endpoint'}"
        sets = _names(r["props"].get("configurationSetName") for r in feedback)
        sets_text = (
            f"a configuration set ({sets[0]})" if len(sets) == 1 else f"configuration sets ({_join(sets)})"
        )
        lines.append(
            f"Mail is sent through {sets_text} whose bounce and complaint events go to "
            f"{_join(kinds) or 'an event destination'}{consumer}."
        )
    reasons = {
        str(x).upper() for r in _of(doc, T_SUPPRESSION) for x in (r["props"].get("suppressedReasons") or [])
    }
    if {"BOUNCE", "COMPLAINT"} <= reasons:
        lines.append("The account-level suppression list covers BOUNCE and COMPLAINT.")
    alarms = {
        str(r["props"].get("metricName")): r["props"].get("threshold")
        for r in _of(doc, T_ALARM)
        if r["props"].get("namespace") == "AWS/SES"
    }
    watched = [
        f"{label} rate reaches {_pct(float(alarms[m]))}"
        for m, label in (("Reputation.BounceRate", "bounce"), ("Reputation.ComplaintRate", "complaint"))
        if isinstance(alarms.get(m), int | float)
    ]
    if watched:
        lines.append(f"CloudWatch alarms alert us when the {' or the '.join(watched)}.")
    for r in _of(doc, T_CONTACT_LIST):
        topics = [t.get("topicName") for t in r["props"].get("topics") or [] if isinstance(t, dict)]
        if topics and _known(r["props"].get("contactListName")):
            lines.append(
                f"Marketing messages name the SES contact list {r['props']['contactListName']} and a topic "
                f"({_join([str(t) for t in topics])}), so SES adds one-click List-Unsubscribe headers."
            )
    return lines


# --- what the text claims ------------------------------------------------------------------------

_CLAIMS = {
    "bounceHandling": r"\bbounces?\b",
    "suppression": r"\bsuppress(ion|es|ed)?\b",
    "alarms": r"\balarms?\b|\bcloudwatch\b",
    "queue": r"\bsqs\b|\bqueues?\b",
}
# For transactional mail only SES's own mechanism counts as a claim: "promotional mail goes from
# another sender with one-click unsubscribe" claims nothing about this stack.
_UNSUBSCRIBE_SES = r"list-unsubscribe|\bcontact list\b|\blist management\b"
_UNSUBSCRIBE_ANY = _UNSUBSCRIBE_SES + r"|\bunsubscrib|\bone-click\b"


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def claims_of(text: str, mail_type: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """What the use case asserts about the stack, and the sentence each claim rests on."""
    claims: dict[str, Any] = {"mailType": mail_type}
    evidence: dict[str, str] = {}
    patterns = dict(_CLAIMS)
    patterns["unsubscribe"] = _UNSUBSCRIBE_ANY if mail_type == "MARKETING" else _UNSUBSCRIBE_SES
    for claim, pattern in patterns.items():
        hit = next((s for s in _sentences(text) if re.search(pattern, s, re.IGNORECASE)), None)
        claims[claim] = hit is not None
        if hit is not None:
            evidence[claim] = hit if len(hit) <= 200 else hit[:197] + "..."
    return claims, evidence


# --- the request ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def build(config: Mapping[str, Any], stack_doc: Document) -> dict[str, Any]:
    """The request section of the document: {params, answers, claims, evidence}."""
    from sesguard.stackconfig import setting

    project = str(stack_doc.get("project") or "")
    raw = parse_config_value(setting(config, project, "request"))
    req: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    mail_type = setting(config, project, "mailType") or "TRANSACTIONAL"
    answers = {k: _text(req.get(k)) for k in QUESTIONS}
    volume = req.get("expectedDailyVolume")
    parts = [" ".join(declared(stack_doc))]
    for key, question in QUESTIONS.items():
        answer = answers[key]
        if key == "volumeRationale" and isinstance(volume, int | float) and not isinstance(volume, bool):
            answer = f"We expect about {int(volume):,} messages a day. {answer}".strip()
        if answer:
            parts.append(f"{question}: {answer}")
    use_case = "\n\n".join(p for p in parts if p)
    contacts = req.get("contactEmails")
    params: dict[str, Any] = {
        "MailType": mail_type,
        "WebsiteURL": req.get("websiteUrl"),
        "ContactLanguage": req.get("contactLanguage", "EN"),
        "UseCaseDescription": use_case,
        "AdditionalContactEmailAddresses": list(contacts) if isinstance(contacts, list) else contacts,
        "ProductionAccessEnabled": True,
    }
    claims, evidence = claims_of(use_case, mail_type)
    return {
        "params": {k: v for k, v in params.items() if v is not None},
        "answers": answers,
        "claims": claims,
        "evidence": evidence,
    }


def request_document(stack_doc: Document, config: Mapping[str, Any]) -> Document:
    """The stack's declarations plus the request built from them (source "request")."""
    return new_document(
        source="request",
        project=stack_doc["project"],
        stack=stack_doc["stack"],
        region=stack_doc.get("region"),
        config=stack_doc.get("config") or {},
        resources=stack_doc["resources"],
        request=build(config, stack_doc),
        file=stack_doc.get("file"),
    )


def document(stack: str, root: Path | str | None = None, config: Mapping[str, Any] | None = None) -> Document:
    """Run the program for ``stack`` under mocks and build its request document."""
    from sesguard.sources.pulumi import program

    raw = dict(config) if config is not None else program.load_stack_config(root, stack)
    stack_doc = program.run_stack(stack, root, config_override=raw if config is not None else None)
    return request_document(stack_doc, raw)


def params(doc: Document) -> dict[str, Any]:
    """The keyword arguments put_account_details is called with: the API's own fields only."""
    sent = (doc.get("request") or {}).get("params") or {}
    return {k: sent[k] for k in PARAM_KEYS if k in sent}
