"""The engines send OPA only what the policies can read; that must never change a finding.

sesguard/engine/projection.py drops resources of types no rule names, every `parent` and `location`,
and dependencies on dropped resources. These tests evaluate the whole document and its projection
side by side over every document the suite has (the engine corpus, the program's stacks and every
mutation of prod), add foreign resources that collide with real identifiers, and hold the Rego to
the contract the projection relies on.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import engine_corpus
import mutations
import pytest

from sesguard import policyset
from sesguard.applicability import ONLY_FOR
from sesguard.document import new_document
from sesguard.engine import QUERY_PATH, Settings, to_findings
from sesguard.engine.aliases import ALIAS_MARK, Encoded, unaliased_text, waivers_name_resources
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.engine.projection import UNREAD, project, type_tokens
from sesguard.findings import Finding

STACKS = ("dev", "staging", "prod", "marketing")


@pytest.fixture(scope="module")
def stacks() -> dict[str, dict[str, Any]]:
    from sesguard.sources.pulumi.program import run_stack

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


# --- URN aliases (aliases.encode) ---------------------------------------------------------------


def _aliases(engine: EmbeddedEngine, doc: dict[str, Any]) -> tuple[str, ...]:
    payload = engine.encode(copy.deepcopy(doc))
    assert isinstance(payload, Encoded)
    return payload.urns()


def test_the_embedded_engine_sends_urns_as_aliases_on_the_documents_above(
    engine: EmbeddedEngine, stacks: dict[str, dict[str, Any]]
) -> None:
    # The tests above compare the engine's findings with OPA's on the whole document: they prove the
    # aliases change nothing only if the engine used them there.
    for doc in [*stacks.values(), *engine_corpus.corpus()]:
        if doc["resources"]:
            assert _aliases(engine, doc), doc.get("stack")
    payload = engine.encode(stacks["prod"])
    assert b"urn:pulumi:" not in payload
    slim = json.loads(payload)["resources"]
    aliases = [r["urn"] for r in slim]
    assert all(a.startswith(ALIAS_MARK) for a in aliases)
    # Aliases sort as their URNs do: any order the rules derive among resources is unchanged.
    urns = [r["urn"] for r in project(stacks["prod"], engine._types)["resources"]]
    assert sorted(range(len(urns)), key=aliases.__getitem__) == sorted(range(len(urns)), key=urns.__getitem__)
    assert [r["urn"] for r in json.loads(unaliased_text(payload))["resources"]] == urns


def _named_waiver(doc: dict[str, Any], finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "resource": finding.resource,
        "reason": "kept on purpose",
        "expires": "2099-01-01",
    }


def test_a_waiver_naming_a_resource_still_waives_its_finding(engine: EmbeddedEngine) -> None:
    # The Rego matches a waiver's resource with the finding's URN: such a stack goes without aliases.
    doc = copy.deepcopy(engine_corpus.corpus()[2])
    target = next(f for f in unprojected(engine, doc) if f.resource)
    for waivers in ([_named_waiver(doc, target)], json.dumps([_named_waiver(doc, target)])):
        doc["config"]["sesguard:waivers"] = waivers
        assert not _aliases(engine, doc)
        whole = unprojected(engine, doc)
        assert any(f.waived and f.resource == target.resource for f in whole)
        assert engine.evaluate(doc) == whole
    # A waiver file naming one: the engine that loads it sends no aliases either.
    del doc["config"]["sesguard:waivers"]
    filed = EmbeddedEngine(policyset.load(), Settings(waivers=[_named_waiver(doc, target)]))
    try:
        assert not _aliases(filed, doc)
        whole = unprojected(filed, doc)
        assert any(f.waived and f.resource == target.resource for f in whole)
        assert filed.evaluate(doc) == whole
    finally:
        filed.close()


@pytest.mark.parametrize(
    ("waivers", "names"),
    [
        (None, False),
        ([], False),
        ([{"rule": "SES-001", "reason": "r", "expires": "2099-01-01"}], False),
        ([{"rule": "SES-001", "resource": "", "reason": "r"}], False),
        ('[{"rule": "SES-001"}]', False),
        ([{"rule": "SES-001", "resource": "urn:pulumi:x"}], True),
        ('[{"rule": "SES-001", "resource": "urn:pulumi:x"}]', True),
        ([{"rule": "SES-001", "resource": ["urn:pulumi:x"]}], True),
        (["SES-001"], True),
        ("not json", True),
        ({"rule": "SES-001"}, True),
    ],
)
def test_which_waivers_may_name_a_resource(waivers: Any, names: bool) -> None:
    assert waivers_name_resources(waivers) is names


def test_documents_judged_with_facts_go_without_aliases(engine: EmbeddedEngine) -> None:
    # Drift names the declared resources of input.facts by URN; the facts' sources are all left as is.
    assert {only[0] for only in ONLY_FOR.values()} == {"live", "dns", "request"}
    for source in ("live", "dns", "request"):
        doc = {**engine_corpus.corpus()[2], "source": source}
        assert not _aliases(engine, doc), source


def test_a_string_holding_the_alias_mark_sends_the_urns_as_they_are(
    engine: EmbeddedEngine, stacks: dict[str, dict[str, Any]]
) -> None:
    doc = copy.deepcopy(stacks["prod"])
    m = next(m for m in mutations.MUTATIONS if m.rule == "SES-002")
    m.apply(doc)
    identity = next(r for r in doc["resources"] if r["type"] == "aws:sesv2/emailIdentity:EmailIdentity")
    identity["props"]["tags"] = {"note": f"{ALIAS_MARK}0"}
    assert not _aliases(engine, doc)
    assert engine.evaluate(doc) == unprojected(engine, doc)


_PRINTS_URNS = """package ses.zz_prints_urns

deny contains {"rule": "ZZ-001", "title": "", "severity": "low", "enforcement": "advisory",
	"resource": r.urn, "message": sprintf("%s needs %v", [r.urn, r.dependencies]), "remediation": ""} if {
	some r in input.resources
}
"""


def test_a_rule_printing_urns_is_judged_on_the_urns_themselves(stacks: dict[str, dict[str, Any]]) -> None:
    # The Rego contract below forbids printing a URN; were one printed, the findings stay right.
    policies = policyset.load()
    printing = EmbeddedEngine(
        dataclasses.replace(policies, modules=(*policies.modules, ("zz.rego", _PRINTS_URNS)))
    )
    try:
        doc = stacks["prod"]
        assert _aliases(printing, doc)
        # The rule reads every resource: its findings are the projection's, not the whole document's.
        expected = unprojected(printing, project(doc, printing._types))
        assert any(f.rule == "ZZ-001" and "urn:pulumi:" in f.message for f in expected)
        assert printing.evaluate(doc) == expected
    finally:
        printing.close()


# Rego builtins that read a string's text rather than compare it whole.
_TEXT_OF = (
    r"(sprintf|concat|startswith|endswith|contains|indexof|split|substring|replace|lower|upper|trim\w*"
    r"|regex\.\w+|glob\.\w+|json\.marshal|strings\.\w+)\([^)]*"
)
_URN_TEXT = re.compile(_TEXT_OF + r"(\.urn\b|\bdependencies\b)")


def test_rules_only_compare_urns_whole() -> None:
    # What aliasing URNs relies on (aliases.encode): the rules never read a URN's text, and no
    # Rego literal holds the alias mark.
    for path, text in policyset.load().modules:
        code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        assert not _URN_TEXT.search(code), f"{path} reads the text of a URN"
        assert ALIAS_MARK not in text and "\\u001f" not in text.lower() and "\\x1f" not in text.lower(), path


_READS_URN_TEXT = """package ses.acme_prod_only

import data.lib.result

# METADATA
# title: Only the prod stack's resources
# description: An organisation rule that reads a URN's text (its stack segment).
# custom:
#   id: ACME-900
#   slug: prod-only
#   severity: low
#   enforcement: advisory
#   remediation: none
deny contains result.finding(rego.metadata.rule(), r, "a prod resource") if {
	some r in input.resources
	r.type == "aws:sesv2/emailIdentity:EmailIdentity"
	startswith(r.urn, "urn:pulumi:prod::")
}
"""


def test_an_organisations_rule_may_read_urn_text_no_alias_then(
    tmp_path: Path, stacks: dict[str, dict[str, Any]]
) -> None:
    # Only the installed pack is held to comparing URNs whole (the test above); an --extra-policies
    # rule, or a customised copy of the pack, gets the URNs as they are.
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "prod_only.rego").write_text(_READS_URN_TEXT, "utf-8")
    custom = tmp_path / "pack"
    shutil.copytree(policyset.POLICY_DIR, custom)
    (custom / "ses" / "prod_only.rego").write_text(
        _READS_URN_TEXT.replace("ses.acme_prod_only", "ses.prod_only").replace("ACME-900", "SES-900"),
        "utf-8",
    )
    doc = stacks["prod"]
    for policies, rule in (
        (policyset.load(extras=(folder,)), "ACME-900"),
        (policyset.load(custom), "SES-900"),
    ):
        engine = EmbeddedEngine(policies)
        try:
            assert not _aliases(engine, doc)
            identities = [r for r in doc["resources"] if r["type"] == "aws:sesv2/emailIdentity:EmailIdentity"]
            assert len([f for f in engine.evaluate(doc) if f.rule == rule]) == len(identities) > 0
            engine._may_alias = True  # what aliases would do to such a rule: silence it
            assert [f for f in engine.evaluate(doc) if f.rule == rule] == []
        finally:
            engine.close()
