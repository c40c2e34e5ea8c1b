"""docs/iam-audit-policy.json is exactly the read-only access the audit and status use.

Every boto3 operation a full audit (and `status`) makes is recorded from botocore's own
`before-parameter-build` event (every call emits it; `before-call` stops at the Stubber's answer),
mapped to its IAM action and checked against the policy; the policy grants nothing else and no
write action.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from live_aws import Account, fake_account

from sesguard.cli import main

POLICY = Path(__file__).resolve().parents[1] / "docs" / "iam-audit-policy.json"
# IAM prefixes by boto3 service name (sesv2 signs as "ses"; CloudWatch's endpoint is "monitoring").
PREFIX = {"sesv2": "ses", "ses": "ses", "sns": "sns", "cloudwatch": "cloudwatch", "sts": "sts"}
READ_VERBS = ("Get", "List", "Describe")


def policy_actions() -> set[str]:
    doc = json.loads(POLICY.read_text())
    actions: set[str] = set()
    for statement in doc["Statement"]:
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement
        listed = statement["Action"]
        actions |= {listed} if isinstance(listed, str) else set(listed)
    return actions


def record(clients: Any, seen: set[str]) -> None:
    def hook(model: Any, **_: Any) -> None:
        seen.add(f"{PREFIX[model.service_model.service_name]}:{model.name}")

    for client in clients.all():
        client.meta.events.register("before-parameter-build.*.*", hook)


def test_policy_is_read_only_and_has_no_wildcard():
    for action in policy_actions():
        service, _, name = action.partition(":")
        assert service in PREFIX.values(), action
        assert "*" not in action, action
        assert name.startswith(READ_VERBS), f"{action} is not a read action"


@pytest.mark.parametrize("command", [["audit"], ["status"]])
def test_every_call_is_in_the_policy_and_nothing_more(monkeypatch, capsys, command):
    seen: set[str] = set()
    with fake_account(monkeypatch, Account()) as (clients, _):
        # A contact list, so the audit's per-list read runs too.
        clients.sesv2.create_contact_list(ContactListName="news", Topics=[
            {"TopicName": "weekly", "DisplayName": "Weekly", "DefaultSubscriptionStatus": "OPT_OUT"}
        ])  # fmt: skip
        record(clients, seen)
        code = main([*command, "--format", "json"])
    capsys.readouterr()
    assert code == 0
    granted = policy_actions()
    assert seen <= granted, f"calls the policy does not allow: {sorted(seen - granted)}"
    if command == ["audit"]:
        assert granted == seen, f"policy grants actions the audit never uses: {sorted(granted - seen)}"
