"""A value of the wrong type where a rule compares a property draws that rule's finding.

Generated over tests/wrong_types.py: every (rule, property, wrong type) applied to the compliant
stack must produce a finding of the rule that reads the property, at the rule's own enforcement
(a mandatory rule blocks), saying what it could not verify. A rule that read `threshold: "0.9"` as
absent, or `actionsEnabled: "false"` as not false, let a broken stack pass.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
import wrong_types as wt

from sesguard import policyset
from sesguard.cli import main
from sesguard.engine.embedded import EmbeddedEngine

FIXTURE = Path(__file__).parent / "fixtures" / "compliant_stack.json"
COMPLIANT: dict[str, Any] = json.loads(FIXTURE.read_text("utf-8"))
CASES = list(wt.cases(COMPLIANT))
ENFORCEMENT = {r.id: r.enforcement for r in policyset.load().rules}


def test_the_table_reaches_every_kind_and_every_resource_rule() -> None:
    assert {c.read.kind for c in CASES} == {"string", "number", "boolean", "array", "object"}
    assert len(CASES) >= 150


def test_compliant_stack_draws_none_of_the_rules_under_test(engine: EmbeddedEngine) -> None:
    rules = {r.rule for r in wt.READS}
    found = [f"{f.rule}: {f.message}" for f in engine.evaluate(COMPLIANT) if f.rule in rules]
    assert found == []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_wrong_type_draws_the_rules_finding(engine: EmbeddedEngine, case: wt.Case) -> None:
    doc = copy.deepcopy(COMPLIANT)
    wt.apply(doc, case)
    findings = [f for f in engine.evaluate(doc) if f.rule == case.read.rule]
    assert findings, f"{'.'.join(map(str, case.read.path))} = {case.value!r} passed {case.read.rule}"
    assert {f.enforcement for f in findings} == {ENFORCEMENT[case.read.rule]}


def test_a_whole_number_is_shown_as_written(tmp_path: Path) -> None:
    # Documents carry every number as a float (3.0); the message quotes what the user wrote, 3.
    doc = copy.deepcopy(COMPLIANT)
    mail_from = next(r for r in doc["resources"] if r["type"].endswith("EmailIdentityMailFromAttributes"))
    mail_from["props"]["behaviorOnMxFailure"] = 3
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(doc), "utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "--document", str(path), "--format", "json"])
    assert code == 1
    assert "behaviorOnMxFailure is a number (3), not a string" in out.getvalue()
    assert "(3.0)" not in out.getvalue()
