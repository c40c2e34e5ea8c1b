"""Typed, validated stack configuration for the ses-sender program.

Everything is checked before a single resource is declared, so a bad stack file fails with one
line naming the key and the form it expects instead of a traceback from inside Pulumi. The schema
is documented key by key in docs/program.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

PROJECT = "ses-sender"
NS = PROJECT + ":"
# The policy engine owns this namespace (waivers, thresholds); the program only lets it through.
POLICY_NS = "sesguard:"
# What the mock runner and Pulumi itself show instead of a secret's plaintext.
SECRET_PLACEHOLDER = "[secret]"

MAIL_TYPES = ("TRANSACTIONAL", "MARKETING")
DNS_MODES = ("route53", "external")
LANGUAGES = ("EN", "JA")
# BOUNCE and COMPLAINT always flow; these are the extras a stack may add.
ALWAYS_EVENTS = ("BOUNCE", "COMPLAINT")
OPTIONAL_EVENTS = ("DELIVERY", "REJECT", "RENDERING_FAILURE", "DELIVERY_DELAY", "SEND", "SUBSCRIPTION")
# AWS puts an account under review at these rates (SES-FACTS); an alarm above them fires too late.
MAX_BOUNCE_THRESHOLD = 0.05
MAX_COMPLAINT_THRESHOLD = 0.001
MAX_CONTACTS = 4  # put_account_details: AdditionalContactEmailAddresses 1-4
MAX_USE_CASE = 5000  # put_account_details: UseCaseDescription

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{4,31}$")
_CS_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ConfigError(ValueError):
    """One bad key: the message names it, says what form it should have and what it got."""

    def __init__(self, key: str, expected: str, got: Any = None, *, missing: bool = False) -> None:
        if missing:
            msg = f"{key}: missing; expected {expected}"
        else:
            msg = f"{key}: expected {expected}, got {_show(got)}"
        super().__init__(msg)
        self.key = key


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class SenderConfig:
    domain: str
    zone_id: str | None
    mail_from_domain: str
    dmarc_report_email: str
    configuration_set_name: str
    event_types: tuple[str, ...]


@dataclass(frozen=True)
class AlarmConfig:
    bounce_rate: float
    complaint_rate: float
    emails: tuple[str, ...]


@dataclass(frozen=True)
class TopicConfig:
    name: str
    display_name: str
    description: str
    default_subscription_status: str


@dataclass(frozen=True)
class ContactListConfig:
    name: str
    description: str
    topics: tuple[TopicConfig, ...]


@dataclass(frozen=True)
class RequestConfig:
    """What the production-access request (put_account_details) will be built from."""

    website_url: str
    contact_emails: tuple[str, ...]
    contact_language: str
    expected_daily_volume: int
    volume_rationale: str
    list_building: str
    bounce_handling: str
    opt_out: str


@dataclass(frozen=True)
class ProgramConfig:
    stack: str
    region: str
    partition: str
    production: bool
    mail_type: str
    dns: str
    senders: tuple[SenderConfig, ...]
    alarms: AlarmConfig
    account_suppression: bool
    contact_list: ContactListConfig | None
    request: RequestConfig | None
    webhook_url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


# --- small typed readers: each raises ConfigError naming the key ---------------------------------


def _obj(key: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, "an object", value)
    return value


def _str(key: str, value: Any, expected: str = "a non-empty string") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, expected, value)
    return value.strip()


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConfigError(key, "true or false", value)


def _list(key: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(key, "a list", value)
    return value


def _email(key: str, value: Any) -> str:
    form = "an email address like postmaster@example.com"
    text = _str(key, value, form)
    if not _EMAIL.match(text) or not 6 <= len(text) <= 254:
        raise ConfigError(key, form, value)
    return text


def _https(key: str, value: Any) -> str:
    form = "an https:// URL"
    text = _str(key, value, form)
    if text == SECRET_PLACEHOLDER:
        return text  # a secret the mock runner cannot decrypt; Pulumi checks the real value
    if not re.match(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$", text) or len(text) > 1000:
        raise ConfigError(key, form, value)
    return text


def _rate(key: str, value: Any, ceiling: float, default: float) -> float:
    if value is None:
        return default
    form = f"a fraction greater than 0 and at most {ceiling} (AWS's review level)"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(key, form, value)
    try:
        rate = float(value)
    except ValueError:
        raise ConfigError(key, form, value) from None
    if not 0 < rate <= ceiling:
        raise ConfigError(key, form, value)
    return rate


def _choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(key, "one of " + ", ".join(choices), value)
    return str(value)


def _keys(key: str, obj: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ConfigError(
            f"{key}.{unknown[0]}", "no such key (known: " + ", ".join(sorted(allowed)) + ")", obj[unknown[0]]
        )


@cache
def _ses_regions() -> frozenset[str]:
    # botocore's endpoint data is the list of regions SES actually serves, across partitions. Read
    # as the JSON file it is: importing botocore.session to ask costs about 0.15 s of every run.
    # SES v1 and v2 share the endpoint prefix "email"; an endpoint counts when it is one of its
    # partition's regions (not a fips-… name), exactly as botocore's get_available_regions counts.
    data = json.loads((files("botocore") / "data" / "endpoints.json").read_bytes())
    regions: set[str] = set()
    for partition in data["partitions"]:
        if partition["partition"] in ("aws", "aws-us-gov", "aws-cn"):
            endpoints = partition["services"].get("email", {}).get("endpoints", {})
            regions.update(name for name in endpoints if name in partition["regions"])
    return frozenset(regions)


def _region(value: Any) -> str:
    key = "aws:region"
    if value is None:
        raise ConfigError(key, "the AWS region SES sends from, e.g. us-east-1", missing=True)
    if not isinstance(value, str) or value not in _ses_regions():
        raise ConfigError(key, "an AWS region where SES is available, e.g. us-east-1", value)
    return value


def partition_of(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


# --- sections ------------------------------------------------------------------------------------

_SENDER_KEYS = {
    "domain",
    "zoneId",
    "mailFromSubdomain",
    "dmarcReportEmail",
    "configurationSetName",
    "eventTypes",
}


def _sender(key: str, raw: Any, stack: str, dns: str) -> SenderConfig:
    obj = _obj(key, raw)
    _keys(key, obj, _SENDER_KEYS)
    if "domain" not in obj:
        raise ConfigError(f"{key}.domain", "the sending domain, e.g. example.com", missing=True)
    domain = obj["domain"]
    if not isinstance(domain, str) or not _DOMAIN.match(domain):
        raise ConfigError(f"{key}.domain", "a lower-case DNS domain name like example.com", domain)
    zone_id = obj.get("zoneId")
    if dns == "route53":
        if zone_id is None:
            raise ConfigError(
                f"{key}.zoneId", "the Route53 hosted zone id (or set ses-sender:dns: external)", missing=True
            )
        if not isinstance(zone_id, str) or not _ZONE_ID.match(zone_id):
            raise ConfigError(f"{key}.zoneId", "a Route53 hosted zone id like Z0123456789ABCDEFGHIJ", zone_id)
    elif zone_id is not None:
        raise ConfigError(f"{key}.zoneId", "no zone id when ses-sender:dns is external", zone_id)
    sub = obj.get("mailFromSubdomain", "mail")
    if not isinstance(sub, str) or not _LABEL.match(sub):
        raise ConfigError(
            f"{key}.mailFromSubdomain", "one DNS label like mail (MAIL FROM is <label>.<domain>)", sub
        )
    if "dmarcReportEmail" not in obj:
        raise ConfigError(
            f"{key}.dmarcReportEmail", "the address DMARC aggregate reports go to (rua)", missing=True
        )
    rua = _email(f"{key}.dmarcReportEmail", obj["dmarcReportEmail"])
    default_cs = f"{PROJECT}-{stack}-{domain.replace('.', '-')}"[:64]
    cs_name = obj.get("configurationSetName", default_cs)
    if not isinstance(cs_name, str) or not _CS_NAME.match(cs_name):
        raise ConfigError(f"{key}.configurationSetName", "1-64 letters, digits, '-' or '_'", cs_name)
    extra = _list(f"{key}.eventTypes", obj.get("eventTypes", []))
    for i, event in enumerate(extra):
        if event in ALWAYS_EVENTS:
            continue
        _choice(f"{key}.eventTypes[{i}]", event, ALWAYS_EVENTS + OPTIONAL_EVENTS)
    events = ALWAYS_EVENTS + tuple(e for e in dict.fromkeys(extra) if e not in ALWAYS_EVENTS)
    return SenderConfig(domain, zone_id, f"{sub}.{domain}", rua, cs_name, events)


def _alarms(raw: Any) -> AlarmConfig:
    key = NS + "alarms"
    if raw is None:
        raise ConfigError(
            key, "an object with emails: [...] who are alerted on reputation alarms", missing=True
        )
    obj = _obj(key, raw)
    _keys(key, obj, {"bounceRate", "complaintRate", "emails"})
    bounce = _rate(f"{key}.bounceRate", obj.get("bounceRate"), MAX_BOUNCE_THRESHOLD, MAX_BOUNCE_THRESHOLD)
    complaint = _rate(
        f"{key}.complaintRate", obj.get("complaintRate"), MAX_COMPLAINT_THRESHOLD, MAX_COMPLAINT_THRESHOLD
    )
    emails = _list(f"{key}.emails", obj.get("emails"))
    if not emails:
        raise ConfigError(f"{key}.emails", "at least one address to alert", emails)
    return AlarmConfig(
        bounce, complaint, tuple(_email(f"{key}.emails[{i}]", e) for i, e in enumerate(emails))
    )


def _contact_list(raw: Any, mail_type: str) -> ContactListConfig | None:
    key = NS + "contactList"
    if raw is None:
        if mail_type == "MARKETING":
            raise ConfigError(
                key, "a contact list with topics: MARKETING mail needs one-click unsubscribe", missing=True
            )
        return None
    obj = _obj(key, raw)
    _keys(key, obj, {"name", "description", "topics"})
    name = _str(f"{key}.name", obj.get("name"))
    if not _CS_NAME.match(name):
        raise ConfigError(f"{key}.name", "1-64 letters, digits, '-' or '_'", name)
    topics_raw = _list(f"{key}.topics", obj.get("topics"))
    if not 1 <= len(topics_raw) <= 20:
        raise ConfigError(f"{key}.topics", "1 to 20 topics (SES list management)", topics_raw)
    topics = []
    for i, t in enumerate(topics_raw):
        tkey = f"{key}.topics[{i}]"
        tobj = _obj(tkey, t)
        _keys(tkey, tobj, {"name", "displayName", "description", "defaultSubscriptionStatus"})
        tname = _str(f"{tkey}.name", tobj.get("name"))
        if not _TOPIC_NAME.match(tname):
            raise ConfigError(f"{tkey}.name", "1-64 letters, digits, '-' or '_'", tname)
        topics.append(
            TopicConfig(
                tname,
                _str(f"{tkey}.displayName", tobj.get("displayName")),
                str(tobj.get("description", "")),
                # Opted out by default: marketing mail goes only to people who asked for it.
                _choice(
                    f"{tkey}.defaultSubscriptionStatus",
                    tobj.get("defaultSubscriptionStatus", "OPT_OUT"),
                    ("OPT_IN", "OPT_OUT"),
                ),
            )
        )
    return ContactListConfig(name, str(obj.get("description", "")), tuple(topics))


_REQUEST_TEXT = ("volumeRationale", "listBuilding", "bounceHandling", "optOut")


def _request(raw: Any, production: bool) -> RequestConfig | None:
    key = NS + "request"
    if raw is None:
        if production:
            raise ConfigError(
                key, "the production-access request data (websiteUrl, contactEmails, ...)", missing=True
            )
        return None
    obj = _obj(key, raw)
    _keys(key, obj, {"websiteUrl", "contactEmails", "contactLanguage", "expectedDailyVolume", *_REQUEST_TEXT})
    if "websiteUrl" not in obj:
        raise ConfigError(f"{key}.websiteUrl", "an https:// URL of the sending website", missing=True)
    website = _https(f"{key}.websiteUrl", obj["websiteUrl"])
    contacts = _list(f"{key}.contactEmails", obj.get("contactEmails"))
    if not 1 <= len(contacts) <= MAX_CONTACTS:
        raise ConfigError(f"{key}.contactEmails", f"1 to {MAX_CONTACTS} email addresses", contacts)
    emails = tuple(_email(f"{key}.contactEmails[{i}]", c) for i, c in enumerate(contacts))
    language = _choice(f"{key}.contactLanguage", obj.get("contactLanguage", "EN"), LANGUAGES)
    volume = obj.get("expectedDailyVolume")
    if isinstance(volume, bool) or not isinstance(volume, int) or volume <= 0:
        raise ConfigError(f"{key}.expectedDailyVolume", "a positive whole number of messages a day", volume)
    texts = {
        name: _str(f"{key}.{name}", obj.get(name), "a sentence or more of plain text")
        for name in _REQUEST_TEXT
    }
    if sum(len(t) for t in texts.values()) > MAX_USE_CASE - 200:
        # The request joins these into UseCaseDescription, which AWS caps at 5,000 characters.
        raise ConfigError(
            key, f"texts totalling under {MAX_USE_CASE - 200} characters", sum(len(t) for t in texts.values())
        )
    return RequestConfig(
        website,
        emails,
        language,
        volume,
        texts["volumeRationale"],
        texts["listBuilding"],
        texts["bounceHandling"],
        texts["optOut"],
    )


_TOP_KEYS = {
    "senders",
    "mailType",
    "production",
    "dns",
    "alarms",
    "accountSuppression",
    "contactList",
    "request",
    "feedbackWebhookUrl",
}


def parse(values: Mapping[str, Any], stack: str) -> ProgramConfig:
    """Validate a stack's config, given as fully qualified keys (``ses-sender:senders``) to values.

    Structured values may arrive as JSON text (that is how Pulumi hands them to programs).
    """
    values = {k: _decode(v) for k, v in values.items()}
    for k in values:
        if k.startswith(NS) and k[len(NS) :] not in _TOP_KEYS:
            raise ConfigError(
                k, "no such key (known: " + ", ".join(NS + t for t in sorted(_TOP_KEYS)) + ")", values[k]
            )
    region = _region(values.get("aws:region"))
    mail_type = _choice(NS + "mailType", values.get(NS + "mailType", "TRANSACTIONAL"), MAIL_TYPES)
    production = _bool(NS + "production", values.get(NS + "production", False))
    dns = _choice(NS + "dns", values.get(NS + "dns", "route53"), DNS_MODES)
    raw_senders = values.get(NS + "senders")
    if raw_senders is None:
        raise ConfigError(
            NS + "senders", "a list of sending domains, each {domain: example.com, ...}", missing=True
        )
    senders_list = _list(NS + "senders", raw_senders)
    if not senders_list:
        raise ConfigError(NS + "senders", "at least one sending domain", raw_senders)
    senders = tuple(_sender(f"{NS}senders[{i}]", s, stack, dns) for i, s in enumerate(senders_list))
    seen: set[str] = set()
    for i, s in enumerate(senders):
        if s.domain in seen:
            raise ConfigError(f"{NS}senders[{i}].domain", "each domain once", s.domain)
        seen.add(s.domain)
    if len({s.configuration_set_name for s in senders}) != len(senders):
        raise ConfigError(NS + "senders", "a distinct configurationSetName per sender", raw_senders)
    webhook = values.get(NS + "feedbackWebhookUrl")
    return ProgramConfig(
        stack=stack,
        region=region,
        partition=partition_of(region),
        production=production,
        mail_type=mail_type,
        dns=dns,
        senders=senders,
        alarms=_alarms(values.get(NS + "alarms")),
        account_suppression=_bool(NS + "accountSuppression", values.get(NS + "accountSuppression", True)),
        contact_list=_contact_list(values.get(NS + "contactList"), mail_type),
        request=_request(values.get(NS + "request"), production),
        webhook_url=None if webhook is None else _https(NS + "feedbackWebhookUrl", webhook),
        extra={k: v for k, v in values.items() if k.startswith(POLICY_NS)},
    )


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def from_pulumi() -> ProgramConfig:
    """Read the running stack's config (what `pulumi up` or the mock runner set) and validate it."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    # Every key Pulumi was given, so that a misspelt ses-sender: key is reported, not ignored. The
    # language host sets them all in-process; PULUMI_CONFIG is the fallback for older hosts.
    keys = runtime_config.CONFIG.get() or runtime_config.get_config_env()
    values = {k: runtime_config.get_config(k) for k in keys}
    return parse(values, pulumi.get_stack())
