"""Every property a rule compares, and the values of the wrong type that must not slip past it.

A value of the wrong type (the string ``"0.9"`` where a CloudWatch threshold is a number,
``"false"`` where ``actionsEnabled`` is a boolean, a list where a name is a string) is not a value a
rule can judge: the rule that reads the property must report that it cannot verify it, at its own
enforcement, never read it as absent and pass. tests/test_wrong_types.py applies every
(rule, property, wrong value) below to the compliant stack (tests/fixtures/compliant_stack.json,
what the program declares for stacks/Pulumi.prod.yaml at preview) and asserts the rule's finding.

The table names each property once per rule that compares it; the wrong values are generated from
the kind the rule expects, so adding a property is one row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# The same stack and type names as the single-property mutations.
from mutations import (
    SLUG,
    T_ALARM,
    T_CONFIG_SET,
    T_DESTINATION,
    T_IDENTITY,
    T_MAIL_FROM,
    T_RECORD,
    T_SUBSCRIPTION,
    T_SUPPRESSION,
    T_TOPIC,
    T_TOPIC_POLICY,
)

Doc = dict[str, Any]


# Not a resource type: the row reads the stack's config (path = the config key).
CONFIG = "config"

_ABSENT = object()


@dataclass(frozen=True)
class Read:
    """One property a rule compares: on the resource of `type_` whose name contains `name`."""

    rule: str
    type_: str
    name: str
    # Keys, and list indexes (a Route53 record's `records` is a list of strings).
    path: tuple[str | int, ...]
    kind: str  # string | number | boolean | array | object
    # The value a compliant stack would hold where the fixture leaves the property out.
    default: Any = _ABSENT


READS: list[Read] = [
    # SES-001 domain identity: the identity's name decides domain or address.
    Read("SES-001", T_IDENTITY, SLUG, ("emailIdentity",), "string"),
    # SES-002/003/004 DKIM
    Read("SES-002", T_IDENTITY, SLUG, ("dkimSigningAttributes",), "object"),
    Read("SES-002", T_IDENTITY, SLUG, ("dkimSigningAttributes", "domainSigningSelector"), "string", "sel1"),
    Read("SES-003", T_IDENTITY, SLUG, ("dkimSigningAttributes", "nextSigningKeyLength"), "string"),
    Read("SES-004", T_RECORD, f"{SLUG}-dns-dkim-0", ("type",), "string"),
    Read("SES-004", T_RECORD, f"{SLUG}-dns-dkim-0", ("records",), "array"),
    Read("SES-004", T_RECORD, f"{SLUG}-dns-dkim-0", ("records", 0), "string"),
    Read("SES-004", T_RECORD, f"{SLUG}-dns-dkim-0", ("name",), "string"),
    # SES-005 DMARC
    Read("SES-005", T_RECORD, f"{SLUG}-dns-dmarc", ("records",), "array"),
    Read("SES-005", T_RECORD, f"{SLUG}-dns-dmarc", ("records", 0), "string"),
    Read("SES-005", T_RECORD, f"{SLUG}-dns-dmarc", ("type",), "string"),
    Read("SES-005", T_RECORD, f"{SLUG}-dns-dmarc", ("name",), "string"),
    # SES-008 custom MAIL FROM
    Read("SES-008", T_MAIL_FROM, SLUG, ("emailIdentity",), "string"),
    Read("SES-008", T_MAIL_FROM, SLUG, ("mailFromDomain",), "string"),
    Read("SES-008", T_MAIL_FROM, SLUG, ("behaviorOnMxFailure",), "string"),
    # SES-009 MAIL FROM DNS
    Read("SES-009", T_RECORD, f"{SLUG}-dns-mail-from-mx", ("records",), "array"),
    Read("SES-009", T_RECORD, f"{SLUG}-dns-mail-from-mx", ("records", 0), "string"),
    Read("SES-009", T_RECORD, f"{SLUG}-dns-mail-from-mx", ("type",), "string"),
    Read("SES-009", T_RECORD, f"{SLUG}-dns-mail-from-mx", ("name",), "string"),
    Read("SES-009", T_RECORD, f"{SLUG}-dns-mail-from-spf", ("records",), "array"),
    Read("SES-009", T_RECORD, f"{SLUG}-dns-mail-from-spf", ("records", 0), "string"),
    Read("SES-009", T_RECORD, f"{SLUG}-dns-mail-from-spf", ("type",), "string"),
    # SES-011 default configuration set
    Read("SES-011", T_IDENTITY, SLUG, ("configurationSetName",), "string"),
    # SES-012 bounce and complaint events
    Read("SES-012", T_DESTINATION, SLUG, ("eventDestination",), "object"),
    Read("SES-012", T_DESTINATION, SLUG, ("eventDestination", "enabled"), "boolean"),
    Read("SES-012", T_DESTINATION, SLUG, ("eventDestination", "matchingEventTypes"), "array"),
    Read("SES-012", T_DESTINATION, SLUG, ("configurationSetName",), "string"),
    # SES-013 feedback consumer
    Read("SES-013", T_SUBSCRIPTION, f"{SLUG}-feedback-queue", ("protocol",), "string"),
    Read("SES-013", T_SUBSCRIPTION, f"{SLUG}-feedback-queue", ("topic",), "string"),
    # SES-014 topic policy
    Read("SES-014", T_TOPIC_POLICY, SLUG, ("policy",), "string"),
    Read("SES-014", T_TOPIC_POLICY, SLUG, ("arn",), "string"),
    # SES-015 topic hardening (advisory)
    Read("SES-015", T_TOPIC, f"{SLUG}-feedback-topic", ("kmsMasterKeyId",), "string"),
    Read("SES-015", T_TOPIC, f"{SLUG}-feedback-topic", ("fifoTopic",), "boolean"),
    # SES-016/017 suppression
    Read("SES-016", T_SUPPRESSION, "", ("suppressedReasons",), "array"),
    Read("SES-017", T_CONFIG_SET, SLUG, ("suppressionOptions",), "object"),
    Read("SES-017", T_CONFIG_SET, SLUG, ("suppressionOptions", "suppressedReasons"), "array"),
    # SES-018..020 configuration set options
    Read("SES-018", T_CONFIG_SET, SLUG, ("reputationOptions",), "object"),
    Read("SES-018", T_CONFIG_SET, SLUG, ("reputationOptions", "reputationMetricsEnabled"), "boolean"),
    Read("SES-019", T_CONFIG_SET, SLUG, ("deliveryOptions",), "object"),
    Read("SES-019", T_CONFIG_SET, SLUG, ("deliveryOptions", "tlsPolicy"), "string"),
    Read("SES-020", T_CONFIG_SET, SLUG, ("sendingOptions",), "object"),
    Read("SES-020", T_CONFIG_SET, SLUG, ("sendingOptions", "sendingEnabled"), "boolean"),
    # SES-025 unsubscribe: the mail type decides whether the stack sends MARKETING mail.
    Read("SES-025", CONFIG, "", ("ses-sender:mailType",), "string"),
    # SES-021/022 reputation alarms
    *(
        Read(rule, T_ALARM, alarm, path, kind, *default)
        for rule, alarm in (("SES-021", "bounce-rate"), ("SES-022", "complaint-rate"))
        for path, kind, *default in (
            (("threshold",), "number"),
            (("actionsEnabled",), "boolean", True),
            (("alarmActions",), "array"),
            (("statistic",), "string"),
            (("comparisonOperator",), "string"),
            (("namespace",), "string"),
            (("metricName",), "string"),
        )
    ),
]


def _as_text(value: Any) -> str:
    """The value as a program would write it in quotes: "0.9", "false", a JSON-encoded list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def wrong_values(kind: str, value: Any) -> list[tuple[str, Any]]:
    """(label, value) pairs of every other JSON type, built from the compliant value."""
    candidates: dict[str, Any] = {
        "string": _as_text(value),
        "number": 1,
        "boolean": True,
        "array": [value],
        "object": {"value": value},
    }
    if kind == "boolean":
        # The boolean a program meant, spelt as text: both spellings must fail.
        candidates["string"] = _as_text(value)
        candidates["string-false"] = "false" if value is True else "true"
        candidates["number"] = 1 if value else 0
    if kind == "array":
        candidates["object"] = {str(i): v for i, v in enumerate(value)} if isinstance(value, list) else {}
        candidates["array"] = None
    return [(label, v) for label, v in candidates.items() if label != kind and v is not None]


@dataclass(frozen=True)
class Case:
    read: Read
    label: str
    value: Any

    @property
    def id(self) -> str:
        where = self.read.name or self.read.type_.split(":")[-1]
        return f"{self.read.rule}-{where}-{'.'.join(map(str, self.read.path))}-{self.label}"


def _resource(doc: Doc, read: Read) -> dict[str, Any]:
    if read.type_ == CONFIG:
        return {"props": doc["config"]}
    found = [r for r in doc["resources"] if r["type"] == read.type_ and read.name in r["name"]]
    if len(found) != 1:
        raise LookupError(f"expected one {read.type_} named like {read.name!r}, found {len(found)}")
    return found[0]


def current(doc: Doc, read: Read) -> Any:
    node: Any = _resource(doc, read)["props"]
    for part in read.path:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            continue
        if not isinstance(node, dict) or part not in node:
            if read.default is _ABSENT:
                raise LookupError(
                    f"{read.type_} {read.name}: no {'.'.join(map(str, read.path))} in the fixture"
                )
            return read.default
        node = node[part]
    return node


def apply(doc: Doc, case: Case) -> None:
    node = _resource(doc, case.read)["props"]
    for part in case.read.path[:-1]:
        node = node[part]
    node[case.read.path[-1]] = case.value


def cases(doc: Doc) -> Iterator[Case]:
    for read in READS:
        for label, value in wrong_values(read.kind, current(doc, read)):
            yield Case(read, label, value)
