"""Mutation suite: every single-property way to break the compliant prod stack is blocked by its rule.

The compliant document is what the program declares for stacks/Pulumi.prod.yaml under mocks; each
mutation in tests/mutations.py changes one property and names the mandatory rule that must report a
blocking finding. The kill rate ("N/N killed") is written to bench/out/mutations.txt for the docs.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import mutations
import pytest

from sesguard.engine.embedded import EmbeddedEngine
from sesguard.findings import Finding

OUT = Path(__file__).resolve().parents[1] / "bench" / "out" / "mutations.txt"


@pytest.fixture(scope="module")
def compliant() -> dict[str, Any]:
    from sesguard.sources.pulumi.program import run_stack

    return run_stack("prod")


def mutant(compliant: dict[str, Any], m: mutations.Mutation) -> dict[str, Any]:
    doc = copy.deepcopy(compliant)
    m.apply(doc)
    return doc


def blocking(findings: list[Finding], rule: str | None = None) -> list[Finding]:
    return [f for f in findings if f.blocking and (rule is None or f.rule == rule)]


def test_compliant_prod_stack_has_no_blocking_finding(
    engine: EmbeddedEngine, compliant: dict[str, Any]
) -> None:
    findings = engine.evaluate(compliant)
    assert blocking(findings) == [], [f"{f.rule}: {f.message}" for f in blocking(findings)]


@pytest.mark.parametrize("m", mutations.MUTATIONS, ids=[m.id for m in mutations.MUTATIONS])
def test_mutation_is_blocked_by_its_rule(
    engine: EmbeddedEngine, compliant: dict[str, Any], m: mutations.Mutation
) -> None:
    findings = engine.evaluate(mutant(compliant, m))
    caught = blocking(findings, m.rule)
    others = sorted({f.rule for f in blocking(findings)})
    assert caught, f"{m.id} ({m.what}) survived: no blocking {m.rule} finding; blocking rules: {others}"


def test_kill_rate(engine: EmbeddedEngine, compliant: dict[str, Any]) -> None:
    """At least 40 distinct mutants; the kill rate is recorded for docs/benchmarks.md."""
    shapes = {json.dumps(mutant(compliant, m), sort_keys=True) for m in mutations.MUTATIONS}
    assert len(shapes) == len(mutations.MUTATIONS) >= 40, "mutations must be distinct documents"
    assert json.dumps(compliant, sort_keys=True) not in shapes, "a mutation that changes nothing"
    survived = [m for m in mutations.MUTATIONS if not blocking(engine.evaluate(mutant(compliant, m)), m.rule)]
    killed = len(mutations.MUTATIONS) - len(survived)
    rules = sorted({m.rule for m in mutations.MUTATIONS})
    lines = [
        f"{killed}/{len(mutations.MUTATIONS)} killed",
        f"rules exercised: {len(rules)} ({', '.join(rules)})",
        *(f"survived: {m.id} ({m.rule}: {m.what})" for m in survived),
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", "utf-8")
    print("\n" + "\n".join(lines))
    assert not survived


def test_v1_bounce_only_gap_is_reported_once(engine: EmbeddedEngine, compliant: dict[str, Any]) -> None:
    """A v1 identity notifying Bounce only: SES-012 owns the missing Complaint topic; SES-011 stays out."""
    findings = engine.evaluate(mutant(compliant, mutations.by_id()["v1-notification-bounce-only"]))
    legacy = {f.rule for f in blocking(findings) if f.resource.endswith("::legacy-identity")}
    assert legacy & {"SES-011", "SES-012"} == {"SES-012"}
