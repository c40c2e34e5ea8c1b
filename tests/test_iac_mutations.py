"""Mutation suites for the Terraform and CloudFormation sources: every single-change way to break the
compliant plan or template that the format can express is blocked by the rule meant to catch it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import iac_mutations
import pytest

from sesguard.engine.embedded import EmbeddedEngine
from sesguard.sources.cloudformation import template as cloudformation
from sesguard.sources.terraform import plan as terraform

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "cloudformation" / "ses-sender.yaml"


def _plan() -> dict[str, Any]:
    return json.loads((FIXTURES / "terraform" / "plan-first.json").read_text("utf-8"))


def _template() -> dict[str, Any]:
    from cfnlint.decode import decode_str

    template, problems = decode_str(TEMPLATE.read_text("utf-8"))
    assert not problems
    return json.loads(json.dumps(template))  # plain dicts: what a JSON template would hold


def _read_terraform(plan: dict[str, Any]) -> dict[str, Any]:
    return terraform.from_json(plan, "plan.json", "plan")


def _read_cloudformation(template: dict[str, Any]) -> dict[str, Any]:
    env = cloudformation.Environment(region="us-east-1", stack="ses-sender")
    return cloudformation.from_template(template, None, str(TEMPLATE), env, None)


def _blocking(engine: EmbeddedEngine, doc: dict[str, Any]) -> list[str]:
    return sorted(f"{f.rule}: {f.message}" for f in engine.evaluate(doc) if f.blocking)


def test_compliant_plan_and_template_have_no_blocking_finding(engine: EmbeddedEngine) -> None:
    assert _blocking(engine, _read_terraform(_plan())) == []
    assert _blocking(engine, _read_cloudformation(_template())) == []


@pytest.mark.parametrize("m", iac_mutations.TERRAFORM, ids=[m.id for m in iac_mutations.TERRAFORM])
def test_terraform_mutation_is_blocked_by_its_rule(engine: EmbeddedEngine, m: iac_mutations.Mutation) -> None:
    plan = copy.deepcopy(_plan())
    m.apply(plan)
    rules = {f.rule for f in engine.evaluate(_read_terraform(plan)) if f.blocking}
    assert m.rule in rules, f"{m.id} ({m.what}) survived; blocking: {sorted(rules)}"


@pytest.mark.parametrize("m", iac_mutations.CLOUDFORMATION, ids=[m.id for m in iac_mutations.CLOUDFORMATION])
def test_cloudformation_mutation_is_blocked_by_its_rule(
    engine: EmbeddedEngine, m: iac_mutations.Mutation
) -> None:
    template = _template()
    m.apply(template)
    rules = {f.rule for f in engine.evaluate(_read_cloudformation(template)) if f.blocking}
    assert m.rule in rules, f"{m.id} ({m.what}) survived; blocking: {sorted(rules)}"


def test_every_mandatory_rule_a_format_can_express_has_a_mutation() -> None:
    declared = {"SES-001", "SES-002", "SES-004", "SES-005", "SES-008", "SES-009", "SES-011", "SES-012"}
    declared |= {"SES-013", "SES-014", "SES-016", "SES-017", "SES-018", "SES-021", "SES-022", "SES-024"}
    assert {m.rule for m in iac_mutations.TERRAFORM} == declared
    cfn = declared - set(iac_mutations.NOT_EXPRESSIBLE["cloudformation"])
    assert {m.rule for m in iac_mutations.CLOUDFORMATION} == cfn
