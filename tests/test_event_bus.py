"""SES-013 on an EventBridge destination: a rule counts as the consumer only on the default bus (issue 20).

The program (tests/fixtures/projects/ses-eventbridge) runs under the Pulumi SDK's mocks. A rule on a
bus whose name or ARN is unknown until apply was taken for the default bus, so a rule on the
program's own bus, where SES puts nothing, passed as the consumer of bounces and complaints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sesguard import judging
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.findings import StackResult
from sesguard.sources.pulumi import program

PROJECT = Path(__file__).resolve().parent / "fixtures" / "projects" / "ses-eventbridge"


@pytest.fixture(scope="module")
def results(engine: EmbeddedEngine) -> dict[str, StackResult]:
    return {
        name: judging.judge_one(program.run_stack(name, PROJECT), engine)
        for name in program.list_stacks(PROJECT)
    }


def ses013(result: StackResult) -> list[str]:
    return [f.message for f in result.findings if f.rule == "SES-013"]


def test_a_rule_on_the_default_bus_consumes_the_events(results: dict[str, StackResult]) -> None:
    assert ses013(results["default-bus"]) == []


def test_a_rule_on_a_bus_unknown_until_apply_cannot_be_verified(results: dict[str, StackResult]) -> None:
    [message] = ses013(results["custom-bus"])
    assert message == (
        "EventBridge destination to-eventbridge: event rule ses-feedback may match source aws.ses, "
        "but its event bus is unknown until apply; cannot verify it is the default bus, "
        "the only one SES puts events on"
    )
    assert not results["custom-bus"].passed
