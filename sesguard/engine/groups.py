"""Splitting a big stack document into groups no rule joins across, judged apart and merged.

An email provider's stack is many small independent parts (one sending domain: its identity, DNS
records, configuration set, topic and queues) plus a few account-wide resources (suppression,
alarms). OPA's copy of one 10,000-domain input needs more than 1 GB before any rule runs; judging
the parts in batches bounds that by the batch.

The split is conservative: two resources are in one group when a dependency links them, or when
they share an identifying value (a whole string value, an ARN or a part of its resource, a domain
name, or a domain that is a parent of the other's); only a static list of enum values and the
unknown/secret sentinels never join. Resources of a type not known to be per-group ("core": the
account suppression, alarms, anything this module has not been taught) and everything joined to
them form the core, copied into every batch. A DNS record with no usable name or zone and no
dependency joins the core too; a wildcard ARN (which may match resources it shares no value with)
leaves the document whole. Over-joining
only makes groups bigger; tests/test_groups.py compares the split with the whole-document findings.

The merged findings are the union of the batches' findings (the core's and stack-level findings
come from every batch, the same each time), sorted as the engine sorts them.
"""

from __future__ import annotations

import re
from typing import Any

from sesguard.document import SECRET, UNKNOWN, Document

# Types whose resources join others only along dependencies and identifying values (tokens below).
# Every other type is core: copied into every batch.
PER_GROUP_TYPES = frozenset(
    {
        "aws:ses/domainIdentity:DomainIdentity",
        "aws:ses/domainIdentityVerification:DomainIdentityVerification",
        "aws:ses/domainDkim:DomainDkim",
        "aws:ses/mailFrom:MailFrom",
        "aws:ses/emailIdentity:EmailIdentity",
        "aws:ses/configurationSet:ConfigurationSet",
        "aws:ses/eventDestination:EventDestination",
        "aws:ses/identityNotificationTopic:IdentityNotificationTopic",
        "aws:ses/identityPolicy:IdentityPolicy",
        "aws:sesv2/emailIdentity:EmailIdentity",
        "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
        "aws:sesv2/emailIdentityDkimSigningAttributes:EmailIdentityDkimSigningAttributes",
        "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy",
        "aws:sesv2/configurationSet:ConfigurationSet",
        "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
        "aws:route53/record:Record",
        "aws:route53/zone:Zone",
        "cloudflare:index/dnsRecord:DnsRecord",
        "cloudflare:index/zone:Zone",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:sqs/queue:Queue",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sqs/redrivePolicy:RedrivePolicy",
        "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    }
)
_DNS_RECORDS = frozenset({"aws:route53/record:Record", "cloudflare:index/dnsRecord:DnsRecord"})

# Values that never identify a resource: enums the providers define, and the sentinels.
_ENUMS = frozenset(
    {
        "email",
        "email-json",
        "sqs",
        "sns",
        "lambda",
        "http",
        "https",
        "firehose",
        "application",
        "sms",
        "average",
        "sum",
        "minimum",
        "maximum",
        "samplecount",
        "ignore",
        "missing",
        "breaching",
        "notbreaching",
        "allow",
        "deny",
        "aws/ses",
        "greaterthanorequaltothreshold",
        "greaterthanthreshold",
        "lessthanthreshold",
        "lessthanorequaltothreshold",
        "2012-10-17",
        "2008-10-17",
        "sns:publish",
        "sqs:sendmessage",
        "feedback-sns",
    }
)
# Properties whose value names a resource of a type no rule reads (the projection drops them), and
# that rules read only as the resource's own setting: a KMS key many topics share joins nothing.
_UNJOINED_PROPS = frozenset({"kmsMasterKeyId"})
_SENTINELS = frozenset({UNKNOWN, SECRET})
_ENUM_SHAPE = re.compile(r"^[A-Z][A-Z0-9_]*$|^[0-9.]+$|^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
_SPACE = re.compile(r"\s")
_ARN = re.compile(r"arn:[A-Za-z0-9-]+:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[0-9]*:[^\s\"',\]\}]+")
_DOMAIN = re.compile(r"(?<![A-Za-z0-9_-])((?:[A-Za-z0-9_-]+\.)+[A-Za-z][A-Za-z0-9-]*)(?![A-Za-z0-9_-])")
# Domains of AWS's own endpoints and principals: every stack names them, none is a resource's.
_AWS_DOMAINS = ("amazonaws.com", "amazonses.com", "amazon.com")


def _strings(value: Any, out: list[str]) -> list[str]:
    """Every string in ``value`` (not its keys), appended to ``out``."""
    items = value.values() if isinstance(value, dict) else value
    for v in items:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, (dict, list)):
            _strings(v, out)
    return out


class _Unplaceable(Exception):
    """A value whose matches cannot be told (a wildcard ARN): the document is judged whole."""


def _tokens(resource: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The resource's identifying values (own) and the parent domains of its domain names."""
    own: set[str] = set()
    parents: set[str] = set()
    strings: list[str] = []
    for key, value in resource.items():
        if key in ("urn", "dependencies", "type"):
            continue
        if isinstance(value, str):
            strings.append(value)
        elif key == "props" and isinstance(value, dict):
            _strings([v for k, v in value.items() if k not in _UNJOINED_PROPS], strings)
        elif isinstance(value, (dict, list)):
            _strings(value, strings)
    for s in strings:
        if s in _SENTINELS:
            continue
        text = s.strip()
        low = text.lower().rstrip(".")
        whole = low and "{" not in text and not _SPACE.search(text)
        if whole and not _ENUM_SHAPE.match(text) and low not in _ENUMS:
            own.add(low)
        for arn in _ARN.findall(text) if "arn:" in text else ():
            if UNKNOWN in arn:
                continue
            if "*" in arn or "?" in arn:
                raise _Unplaceable
            own.add(arn.lower())
            part = arn.split(":", 5)[5]
            own.add(part.lower())
            segments = [x for x in re.split(r"[/:]", part) if x]
            for seg in segments[1:] if len(segments) > 1 else segments:
                if seg.lower() not in _ENUMS:
                    own.add(seg.lower())
        if text.startswith(("http://", "https://")):
            last = text.rstrip("/").rsplit("/", 1)[-1].lower()
            if last:
                own.add(last)
        for name in _DOMAIN.findall(text) if "." in text else ():
            name = name.lower()
            if name.endswith(_AWS_DOMAINS):
                continue
            own.add(name)
            labels = name.split(".")
            # `_dmarc.x`, `sel._domainkey.x`, `_amazonses.x`: records about x.
            under = [i for i, label in enumerate(labels) if label.startswith("_")]
            if under:
                labels = labels[under[-1] + 1 :]
                if len(labels) >= 2:
                    own.add(".".join(labels))
            for k in range(1, len(labels) - 1):
                parents.add(".".join(labels[k:]))
    return own, parents


def _known(value: Any) -> bool:
    return isinstance(value, str) and value != "" and value not in _SENTINELS


def _is_core(resource: dict[str, Any]) -> bool:
    if resource["type"] not in PER_GROUP_TYPES:
        return True
    if resource["type"] in _DNS_RECORDS and not resource.get("dependencies"):
        props = resource.get("props")
        if not isinstance(props, dict):
            return True
        name_known = _known(props.get("name")) or _known(props.get("fqdn"))
        zone_known = _known(props.get("zoneId"))
        return not (name_known and zone_known)
    return False


def split(projected: Document) -> list[list[int]] | None:
    """The core (first) and the groups of ``projected``'s resources, as indexes in document order;
    None when it cannot be split (a resource of unexpected shape, a URN twice, a wildcard ARN) or
    has one group."""
    resources = projected.get("resources")
    if not isinstance(resources, list) or not resources:
        return None
    index: dict[str, int] = {}
    for i, r in enumerate(resources):
        if not (
            isinstance(r, dict)
            and isinstance(r.get("urn"), str)
            and isinstance(r.get("type"), str)
            and isinstance(r.get("dependencies", []), list)
        ):
            return None
        if r["urn"] in index:
            return None
        index[r["urn"]] = i
    # Node 0 is the core; resource i is node i + 1. A union keeps the smaller root, so the core
    # stays its group's root.
    parent = list(range(len(resources) + 1))
    core = 0

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    owner: dict[str, int] = {}
    wanted: list[tuple[int, set[str]]] = []
    for i, r in enumerate(resources):
        for u in r.get("dependencies", []):
            if u in index:
                union(i + 1, index[u] + 1)
        try:
            own, parents = _tokens(r)
        except _Unplaceable:
            # A wildcard ARN may name resources that share no value with it: judge the whole.
            return None
        if _is_core(r):
            union(i + 1, core)
        for t in own:
            if t in owner:
                union(i + 1, owner[t])
            else:
                owner[t] = i + 1
        wanted.append((i + 1, parents))
    for i, parents in wanted:
        for p in parents:
            if p in owner:
                union(i, owner[p])
    groups: dict[int, list[int]] = {}
    for i in range(len(resources)):
        groups.setdefault(find(i + 1), []).append(i)
    core_resources = groups.pop(core, [])
    if len(groups) < 2:
        return None
    return [core_resources, *groups.values()]


def batches(
    projected: Document, budget: int, literals: frozenset[str] | None = None
) -> list[Document] | None:
    """``projected`` as documents of about ``budget`` resources each (the core in every one), each
    a union of whole groups, its config the keys ``literals`` name (``read_config``); None when it
    does not split."""
    parts = split(projected)
    if parts is None:
        return None
    core, groups = parts[0], parts[1:]
    resources = projected["resources"]
    chosen: list[list[int]] = []
    current: list[int] = []
    for g in groups:
        if current and len(current) + len(g) > budget:
            chosen.append(current)
            current = []
        current.extend(g)
    if current:
        chosen.append(current)
    if len(chosen) < 2:
        return None
    # Each batch keeps the document's order of resources: no rule then sees another order.
    config = read_config(projected.get("config"), literals)
    base = {**projected, "config": config} if "config" in projected else projected
    return [{**base, "resources": [resources[i] for i in sorted(core + c)]} for c in chosen]


# Ways a module could read config keys it does not name: the config (or the whole input) read as
# a value, iterated, or walked. Any of them in the pack and batches keep the whole config.
_CONFIG_READ_WHOLE = re.compile(
    r"input\.config(?![\[,])|walk\(\s*input\b|\binput\s*\[|[(,]\s*input\s*\)|\bin\s+input(?![.\w])"
    r'|object\.get\(\s*input\s*,\s*\[\s*"config"\s*,\s*[^"\s]'
)
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def config_reader(modules: tuple[tuple[str, str], ...]) -> frozenset[str] | None:
    """The string literals of ``modules``, by which every config key a rule reads is named (the
    whole key, or its part after the first `:` as in `setting("mailType")`); None when a module
    may read the config without naming its keys."""
    texts = [text for _, text in modules]
    if any(_CONFIG_READ_WHOLE.search(_comments_out(t)) for t in texts):
        return None
    return frozenset(lit for t in texts for lit in _LITERAL.findall(t))


def _comments_out(text: str) -> str:
    # Whole-line comments only: a `#` after code may sit inside a string.
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def read_config(config: Any, literals: frozenset[str] | None) -> Any:
    """``config`` without the keys no rule names (a batch need not carry, 10,000 times, the list
    of 10,000 senders no rule reads)."""
    if literals is None or not isinstance(config, dict):
        return config
    return {
        k: v
        for k, v in config.items()
        if not isinstance(k, str) or k in literals or k.partition(":")[2] in literals
    }
