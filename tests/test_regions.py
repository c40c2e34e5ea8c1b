"""Several AWS providers, and DKIM records named relative to a zone the stack only looks up.

The fixtures in tests/fixtures/regions/ model pulumi-aws's own `aws.ses.DomainDkim` and
`aws.ses.MailFrom` examples (registry docs): the three DKIM CNAMEs are named
`<token>._domainkey` in a zone found with `aws.route53.getZone` (its id `Z0412345EXAMPLE`, no zone
resource), and the SES resources are created through an explicit `aws.Provider("euw1",
region="eu-west-1")` while the stack's default provider (and `aws:region`) is us-east-1. state.json
is `pulumi stack export` after `up` (fqdn outputs known); preview.json is `pulumi preview --json`
adding the records to the existing identity (names known, fqdn not yet).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sesguard.engine.embedded import EmbeddedEngine
from sesguard.sources.common.reading import read_json
from sesguard.sources.pulumi import preview, state

FIXTURES = Path(__file__).parent / "fixtures" / "regions"
SES_TYPES = {
    "aws:ses/domainIdentity:DomainIdentity",
    "aws:ses/domainDkim:DomainDkim",
    "aws:ses/mailFrom:MailFrom",
}


def load(source: str) -> dict[str, Any]:
    path = FIXTURES / f"{source}.json"
    return state.load(path) if source == "state" else preview.load(path)


@pytest.mark.parametrize("source", ["state", "preview"])
def test_each_resource_carries_its_own_providers_region(source: str) -> None:
    doc = load(source)
    assert doc["region"] == "us-east-1"
    regions = {r["name"]: r.get("region") for r in doc["resources"] if r["type"].startswith("aws:")}
    assert {regions[r["name"]] for r in doc["resources"] if r["type"] in SES_TYPES} == {"eu-west-1"}
    assert regions["example_ses_domain_mail_from_mx"] == "us-east-1"  # Route53 through the default provider


@pytest.mark.parametrize("source", ["state", "preview"])
def test_relative_dkim_names_and_the_identitys_region_are_judged_right(
    engine: EmbeddedEngine, source: str
) -> None:
    findings = engine.evaluate(load(source))
    wrong = [f"{f.rule}: {f.message}" for f in findings if f.rule in {"SES-004", "SES-009"}]
    assert wrong == []


@pytest.mark.parametrize("source", ["state", "preview"])
def test_the_stacks_region_is_the_wrong_feedback_host_for_an_identity_elsewhere(
    engine: EmbeddedEngine, source: str
) -> None:
    doc = copy.deepcopy(load(source))
    mx = next(r for r in doc["resources"] if r["name"] == "example_ses_domain_mail_from_mx")
    mx["props"]["records"] = ["10 feedback-smtp.us-east-1.amazonses.com"]
    messages = [f.message for f in engine.evaluate(doc) if f.rule == "SES-009"]
    assert any('expected "10 feedback-smtp.eu-west-1.amazonses.com"' in m for m in messages), messages


def test_without_a_provider_the_arn_tells_the_region() -> None:
    doc = state.from_json(_without_providers(), "state.json")
    identity = next(r for r in doc["resources"] if r["type"] == "aws:ses/domainIdentity:DomainIdentity")
    assert identity["region"] == "eu-west-1"


def test_the_stack_region_is_the_default_providers_even_when_another_comes_first() -> None:
    data = read_json(FIXTURES / "preview.json")
    del data["config"]["aws:region"]
    steps = data["steps"]
    steps.insert(1, steps.pop(2))  # the euw1 provider before the default one
    assert "::euw1" in steps[1]["urn"]
    assert preview.from_json(data, "preview.json")["region"] == "us-east-1"


def _without_providers() -> dict[str, Any]:
    data = read_json(FIXTURES / "state.json")
    for r in data["deployment"]["resources"]:
        r.pop("provider", None)
    return data
