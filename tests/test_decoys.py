"""Decoys (sesguard/engine/decoys.py): known findings, and no change to the judged stack's own."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import engine_corpus
import pytest

from sesguard import policyset, sources
from sesguard.engine import Settings, decoys
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.policyset import PolicySet

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES / "decoys"))
import generate  # noqa: E402

# Stack-level rules the decoys cannot draw without changing the stack's own verdict, and whose
# answer is not known without the server (README "What sesguard trusts").
NOT_COVERED = {"SES-023", "SES-026"}


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return policyset.load()


@pytest.fixture(scope="module")
def engine(policies: PolicySet) -> Iterator[EmbeddedEngine]:
    e = EmbeddedEngine(policies)
    yield e
    e.close()


def _documents() -> list[dict[str, Any]]:
    docs = [*engine_corpus.corpus(), json.loads((FIXTURES / "compliant_stack.json").read_text())]
    docs += [sources.load("state", FIXTURES / "exports" / f"{s}.json") for s in ("prod", "marketing", "dev")]
    docs += [sources.load("terraform", FIXTURES / "terraform" / "plan-first.json")]
    docs += [sources.load("cloudformation", FIXTURES / "cloudformation" / "ses-sender.yaml")]
    docs += [sources.load("cloudformation", FIXTURES / "cloudformation" / "cdk.out")]
    return docs


# Each setting that changes what decoys draw or what is expected of the stack, two per run (the
# corpus is judged twice per configuration: kept to three to keep the suite fast).
CONFIGS: list[dict[str, Any]] = [
    {},
    {"sesguard:externalDns": True, "ses-sender:mailType": "MARKETING"},
    {
        "ses-sender:dns": "external",
        "ses-sender:accountSuppression": False,
        "sesguard:waivers": [{"rule": "SES-005", "reason": "moving to p=reject", "expires": "2099-01-01"}],
    },
]


def test_the_template_is_what_the_generator_builds(engine: EmbeddedEngine) -> None:
    """After a rule change: .venv/bin/python tests/fixtures/decoys/generate.py"""
    tpl = decoys.template()
    assert tpl["decoys"] == generate.decoys()
    for variant, (config, region) in decoys.VARIANTS.items():
        doc, placed = decoys.fill(tpl, decoys.bare_document(config, region), seed="generate")
        assert decoys.expected_from(engine.evaluate(doc), placed) == tpl["expected"][variant], variant


def test_every_rule_a_stack_can_break_is_covered(policies: PolicySet) -> None:
    stack_rules = {r.id for r in policies.rules if r.package not in ("ses.request", "ses.live", "ses.dns")}
    per_resource = {e["rule"] for e in decoys.template()["expected"]["dns-declared"]}
    stack_level = {"SES-016", "SES-021", "SES-022", "SES-025"}  # expected when known: decoys.mix
    assert stack_rules - per_resource - stack_level == NOT_COVERED


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c) or "as-is")
def test_decoys_leave_every_stacks_own_findings_unchanged(
    engine: EmbeddedEngine, config: dict[str, Any]
) -> None:
    judged = 0
    for doc in _documents():
        doc = copy.deepcopy(doc)
        doc["config"] = {**(doc.get("config") or {}), **config}
        try:
            own = engine.evaluate(doc)
        except Exception:  # a corpus document the engines refuse: nothing to compare
            continue
        mixed = decoys.mix(doc, Settings())
        verdict, problem = mixed.verdict(engine.evaluate(mixed.document))
        assert problem is None, f"{doc['stack']}: {problem}"
        assert verdict == own, doc["stack"]
        judged += 1
    assert judged >= 15


def test_decoys_under_the_runs_levels_and_waivers(policies: PolicySet) -> None:
    settings = Settings(
        levels={"SES-005": "disabled", "SES-012": "advisory"},
        waivers=[{"rule": "SES-019", "reason": "legacy receivers", "expires": "2099-12-31"}],
    )
    engine = EmbeddedEngine(policies, settings)
    try:
        for doc in _documents()[-6:]:
            mixed = decoys.mix(doc, settings)
            verdict, problem = mixed.verdict(engine.evaluate(mixed.document))
            assert problem is None, f"{doc['stack']}: {problem}"
            assert verdict == engine.evaluate(doc), doc["stack"]
    finally:
        engine.close()


def test_decoy_names_are_fresh_and_shaped_like_the_stacks(engine: EmbeddedEngine) -> None:
    tf = sources.load("terraform", FIXTURES / "terraform" / "plan-first.json")
    a, b = decoys.mix(tf, Settings()), decoys.mix(tf, Settings())
    assert not a.decoy_urns & b.decoy_urns
    prefix = tf["resources"][0]["urn"].rsplit("::", 2)[0]
    for urn in a.decoy_urns:
        assert urn.startswith(prefix + "::") and "generate" not in urn
        assert "." in urn.rsplit("::", 1)[1], urn  # Terraform's dotted addresses
    order = [r["urn"] for r in a.document["resources"]]
    own = [i for i, urn in enumerate(order) if urn not in a.decoy_urns]
    assert own != list(range(len(own))), "the decoys trail the stack's own resources"
    text = json.dumps(a.document)
    assert "acmetickets-com-identity" not in text.replace(json.dumps(tf)[1:-1], "")
