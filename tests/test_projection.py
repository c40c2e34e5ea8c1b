"""The engines send OPA only what the policies can read; that must never change a finding.

checks/engine/projection.py drops resources of types no rule names, every `parent` and `location`,
and dependencies on dropped resources. These tests evaluate the whole document and its projection
side by side over every document the suite has (the engine corpus, the program's stacks and every
mutation of prod), add foreign resources that collide with real identifiers, and hold the Rego to
the contract the projection relies on.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import engine_corpus
import mutations
import pytest

from checks import policyset
from checks.document import new_document
from checks.engine import QUERY_PATH, to_findings
from checks.engine.embedded import EmbeddedEngine
from checks.engine.projection import UNREAD, project, type_tokens
from checks.findings import Finding

STACKS = ("dev", "staging", "prod", "marketing")


@pytest.fixture(scope="module")
def stacks() -> dict[str, dict[str, Any]]:
    from checks.sources.program import run_stack

    return {s: run_stack(s) for s in STACKS}


def unprojected(engine: EmbeddedEngine, doc: dict[str, Any]) -> list[Finding]:
    return to_findings(engine.document(QUERY_PATH, doc))


def assert_same(engine: EmbeddedEngine, doc: dict[str, Any]) -> None:
    whole = unprojected(engine, doc)
    assert engine.evaluate(doc) == whole, doc.get("stack")


def with_foreign_resources(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with resources of types no rule names, wired into the real ones: a component
    parent for everything, identifiers equal to real ones, and dependencies both ways."""
    doc = copy.deepcopy(doc)
    resources = doc["resources"]
    component = {
        "urn": "urn:pulumi:x::y::acme:index:Mailer::mailer",
        "type": "acme:index:Mailer",
        "name": "mailer",
        "props": {},
        "parent": None,
        "dependencies": [r["urn"] for r in resources],
    }
    twins = []
    for i, r in enumerate(resources):
        props = r.get("props") or {}
        twin_props = {k: props[k] for k in ("arn", "id", "name", "emailIdentity") if k in props}
        twins.append(
            {
                "urn": f"urn:pulumi:x::y::aws:lambda/function:Function::twin-{i}",
                "type": "aws:lambda/function:Function",
                "name": r["name"],
                "props": twin_props,
                "dependencies": [r["urn"]],
            }
        )
    for r in resources:
        r["parent"] = component["urn"]
        r["dependencies"] = [*r.get("dependencies", []), component["urn"], *(t["urn"] for t in twins[:3])]
    doc["resources"] = [component, *resources, *twins]
    return doc


def test_projection_changes_no_finding_over_the_corpus(engine: EmbeddedEngine) -> None:
    docs = engine_corpus.corpus()
    assert len(docs) > 5
    for doc in docs:
        assert_same(engine, doc)


def test_projection_changes_no_finding_on_the_stacks(
    engine: EmbeddedEngine, stacks: dict[str, dict[str, Any]]
) -> None:
    for doc in stacks.values():
        assert_same(engine, doc)
        assert_same(engine, with_foreign_resources(doc))


@pytest.mark.parametrize("m", mutations.MUTATIONS, ids=[m.id for m in mutations.MUTATIONS])
def test_projection_keeps_every_mutation_blocked(
    engine: EmbeddedEngine, stacks: dict[str, dict[str, Any]], m: mutations.Mutation
) -> None:
    doc = copy.deepcopy(stacks["prod"])
    m.apply(doc)
    whole = unprojected(engine, doc)
    assert any(f.rule == m.rule and f.blocking for f in whole), m.id
    assert engine.evaluate(doc) == whole
    assert engine.evaluate(with_foreign_resources(doc)) == whole


def test_a_stack_whose_only_ses_resource_no_rule_names_is_still_an_ses_stack(engine: EmbeddedEngine) -> None:
    # Stack-wide rules (suppression, reputation alarms) judge any stack declaring something of SES,
    # which the Rego asks with a prefix: a type it never names must still reach OPA.
    pool = {
        "urn": "urn:pulumi:x::y::aws:sesv2/dedicatedIpPool:DedicatedIpPool::pool",
        "type": "aws:sesv2/dedicatedIpPool:DedicatedIpPool",
        "name": "pool",
        "props": {"poolName": "pool", "scalingMode": "MANAGED"},
        "dependencies": [],
    }
    doc = new_document(
        source="program", project="y", stack="x", region="us-east-1", config={}, resources=[pool]
    )
    whole = unprojected(engine, doc)
    assert {"SES-016", "SES-021", "SES-022"} <= {f.rule for f in whole if f.blocking}, whole
    assert engine.evaluate(doc) == whole


def test_projection_drops_what_no_rule_reads_and_keeps_the_rest(stacks: dict[str, dict[str, Any]]) -> None:
    types = type_tokens(policyset.load().modules)
    doc = with_foreign_resources(stacks["prod"])
    slim = project(doc, types)
    assert {k: v for k, v in slim.items() if k != "resources"} == {
        k: v for k, v in doc.items() if k != "resources"
    }
    kept = [r for r in doc["resources"] if r["type"] in types]
    assert [r["urn"] for r in slim["resources"]] == [r["urn"] for r in kept]
    assert "aws:sesv2/emailIdentity:EmailIdentity" in types
    assert not any(
        t.startswith(("sesguard:index:", "acme:", "aws:lambda"))
        for t in {r["type"] for r in slim["resources"]}
    )
    urns = {r["urn"] for r in slim["resources"]}
    assert all("location" in r for r in kept), "the program source records where each resource is declared"
    for before, after in zip(kept, slim["resources"], strict=True):
        assert "parent" not in after and "location" not in after
        assert after["props"] == before["props"]
        assert after["dependencies"] == [u for u in before["dependencies"] if u in urns]
    assert project(doc, types) == slim, "projection must not modify its input"


# The contract the projection relies on, read from the Rego itself.
_TYPE_BY_PATTERN = re.compile(
    r"(startswith|endswith|contains|indexof|regex\.\w+|split|substring)\([^)]*\.type\b"
)


def test_rules_never_read_parent_or_location_nor_match_types_by_pattern() -> None:
    for path, text in policyset.load().modules:
        code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        for key in sorted(UNREAD):
            assert not re.search(rf"\.{key}\b|\"{key}\"", code), (
                f"{path} reads `{key}`, which the engines drop"
            )
        assert not _TYPE_BY_PATTERN.search(code), f"{path} matches a type token by pattern; name it literally"
