"""sesguard.pack in-process: conversion of the SDK's resources, secrets, caching, waivers, settings.

The gRPC tests (test_pack_grpc.py) cover the whole path with the real engine; these pin the glue
with a counting fake engine, through the SDK's own servicer, so they run in milliseconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import packharness as ph
import pytest
from google.protobuf import json_format
from pulumi_policy import policy as sdk
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from sesguard import document as doc_mod
from sesguard import pack
from sesguard.engine import Settings
from sesguard.errors import EngineError, InputError
from sesguard.findings import Finding
from sesguard.policyset import PolicySet, Rule

RULES = (
    Rule("SES-901", "first", "First", "", "high", "mandatory", "fix it", "ses.test", "ses/test/first.rego"),
    Rule(
        "SES-902", "second", "Second", "", "low", "advisory", "fix that", "ses.test", "ses/test/second.rego"
    ),
)
MODULES = (
    ("ses/test/first.rego", 'x := result.threshold("bounce_rate")'),
    ("ses/test/second.rego", "package ses.test"),
)
PS = PolicySet(Path("/nonexistent"), MODULES, (), RULES)
ENV = {
    "PULUMI_CONFIG": '{"aws:region": "eu-west-1", "app:list": "[1, 2]", "app:token": "s3cr3t"}',
    "PULUMI_CONFIG_SECRET_KEYS": '["app:token"]',
    "PULUMI_PROJECT": "proj",
    "PULUMI_STACK": "dev",
}


class FakeEngine:
    name = "fake"

    def __init__(self, findings: list[Finding], settings: Settings) -> None:
        self.findings = findings
        self.settings = settings
        self.documents: list[dict[str, Any]] = []

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        self.documents.append(document)
        return self.findings

    def close(self) -> None:
        pass


def make(
    findings: list[Finding],
) -> tuple[pack.StackEvaluator, list[FakeEngine], sdk._PolicyAnalyzerServicer]:
    engines: list[FakeEngine] = []

    def factory(_ps: PolicySet, settings: Settings) -> FakeEngine:
        engines.append(FakeEngine(findings, settings))
        return engines[-1]

    ev = pack.StackEvaluator(PS, factory)
    servicer = sdk._PolicyAnalyzerServicer(
        "sesguard", "0.0.1", pack.policies(PS, evaluator=ev, environ=ENV), sdk.EnforcementLevel.ADVISORY
    )
    return ev, engines, servicer


def analyze_stack(
    servicer: Any, resources: list[dict[str, Any]], *, sdk_path: bool = False
) -> list[ph.Diagnostic]:
    """Through the pack's single-conversion AnalyzeStack, or the SDK's per-policy one."""
    req = ph.analyzer_pb2.AnalyzeStackRequest(resources=[ph.analyzer_resource(r) for r in resources])
    if sdk_path:
        assert pack.sdk_analyze_stack is not None
        return ph._diagnostics(pack.sdk_analyze_stack(servicer, req, None))
    return ph._diagnostics(servicer.AnalyzeStack(req, None))


RES: dict[str, Any] = {
    "urn": "urn:pulumi:dev::proj::aws:sesv2/emailIdentity:EmailIdentity::id",
    "type": "aws:sesv2/emailIdentity:EmailIdentity",
    "name": "id",
    "props": {
        "emailIdentity": "example.com",
        "dkimSigningAttributes": {"tokens": [doc_mod.UNKNOWN, "t2"], "nextSigningKeyLength": doc_mod.UNKNOWN},
        "count": 3,
        "flag": True,
        "secretThing": ph.secret({"nested": "hunter2"}),
    },
    "dependencies": [],
}


def test_props_convert_without_touching_unknowns_through_the_proxy() -> None:
    struct = ph.to_struct(RES["props"])
    pack.install_secret_redaction()
    props = unknown_checking_proxy(sdk.deserialize_properties(json_format.MessageToDict(struct)))
    with pytest.raises(UnknownValueError):
        _ = props["dkimSigningAttributes"]["nextSigningKeyLength"]  # what the SDK would do
    assert pack.plain(props) == {
        "emailIdentity": "example.com",
        "dkimSigningAttributes": {"tokens": [doc_mod.UNKNOWN, "t2"], "nextSigningKeyLength": doc_mod.UNKNOWN},
        "count": 3.0,
        "flag": True,
        "secretThing": doc_mod.SECRET,
    }


def test_typed_unknown_sentinels_become_the_string_sentinel() -> None:
    assert pack.plain(["1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"]) == [
        doc_mod.UNKNOWN,
        doc_mod.UNKNOWN,
    ]


def test_secret_redaction_applies_to_the_sdk_deserializer() -> None:
    pack.install_secret_redaction()
    raw = json_format.MessageToDict(ph.to_struct({"a": ph.secret("hunter2"), "b": [ph.secret(1)]}))
    assert sdk.deserialize_properties(raw) == {"a": doc_mod.SECRET, "b": [doc_mod.SECRET]}
    # The SDK's own module function (what a plain import sees) still unwraps: only the servicer's is patched.
    assert deserialize_properties(raw)["a"] == "hunter2"


def test_stack_config_redacts_secret_keys_and_parses_structure() -> None:
    d = pack.to_document([], ENV)
    assert d["config"] == {"aws:region": "eu-west-1", "app:list": [1.0, 2.0], "app:token": doc_mod.SECRET}
    assert (d["project"], d["stack"], d["region"], d["source"]) == ("proj", "dev", "eu-west-1", "pack")
    doc_mod.validate(d, "pack")


def test_bad_pulumi_config_is_an_input_error() -> None:
    with pytest.raises(InputError, match="PULUMI_CONFIG"):
        pack.stack_config({"PULUMI_CONFIG": "{nope"})
    with pytest.raises(InputError, match="PULUMI_CONFIG"):
        pack.stack_config({"PULUMI_CONFIG": "[]"})


@pytest.mark.parametrize("sdk_path", [False, True], ids=["single-conversion", "sdk-per-policy"])
def test_one_evaluation_per_stack_and_findings_under_each_policy(sdk_path: bool) -> None:
    findings = [
        Finding("SES-901", RES["urn"], "first is broken", enforcement="mandatory"),
        Finding("SES-902", "", "second is weak", enforcement="advisory"),
    ]
    ev, engines, servicer = make(findings)
    diags = analyze_stack(servicer, [RES], sdk_path=sdk_path)
    assert ev.evaluations == 1 and len(engines) == 1
    assert [(d.policy, d.level, d.urn) for d in diags] == [
        ("ses-901-first", "mandatory", RES["urn"]),
        ("ses-902-second", "advisory", ""),
    ]
    assert diags[0].message.startswith("SES-901: First.") and diags[0].message.endswith("first is broken")
    doc = engines[0].documents[0]
    assert doc["resources"][0]["props"]["secretThing"] == doc_mod.SECRET
    assert doc["resources"][0]["props"]["dkimSigningAttributes"]["tokens"][0] == doc_mod.UNKNOWN

    analyze_stack(servicer, [RES], sdk_path=sdk_path)  # same stack again: served from the cache
    assert ev.evaluations == 1
    changed = dict(RES, props=dict(RES["props"], emailIdentity="example.org"))
    analyze_stack(servicer, [changed], sdk_path=sdk_path)
    assert ev.evaluations == 2


@pytest.mark.parametrize("sdk_path", [False, True], ids=["single-conversion", "sdk-per-policy"])
def test_waived_findings_are_logged_not_reported(capsys: pytest.CaptureFixture[str], sdk_path: bool) -> None:
    waived = Finding("SES-901", RES["urn"], "first is broken", waived=True, waiver="migration until May")
    _, _, servicer = make([waived])
    assert analyze_stack(servicer, [RES], sdk_path=sdk_path) == []
    err = capsys.readouterr().err
    assert "ses-901-first waived (migration until May): first is broken" in err


def test_finding_for_a_rule_outside_the_catalog_fails_closed() -> None:
    _, _, servicer = make([Finding("SES-999", "", "who am I")])
    with pytest.raises(EngineError, match="SES-999"):
        analyze_stack(servicer, [RES])


def test_policy_config_thresholds_become_engine_settings() -> None:
    _, engines, servicer = make([])
    req = ph.analyzer_pb2.ConfigureAnalyzerRequest()
    req.policyConfig["ses-901-first"].properties.update({"bounce_rate": 0.02})
    servicer.Configure(req, None)
    analyze_stack(servicer, [RES])
    assert sorted(e.settings.thresholds.get("bounce_rate", -1) for e in engines) == [-1, 0.02]


def test_threshold_must_be_a_number() -> None:
    with pytest.raises(InputError, match=r"ses-901-first\.bounce_rate"):
        pack.settings_for(RULES[0], {"bounce_rate": "low"}, ("bounce_rate",))


def test_policies_carry_metadata() -> None:
    ps = pack.policies(PS, evaluator=pack.StackEvaluator(PS, lambda *_: FakeEngine([], Settings())))
    first, second = ps
    assert first.name == "ses-901-first" and first.enforcement_level == sdk.EnforcementLevel.MANDATORY
    assert second.enforcement_level == sdk.EnforcementLevel.ADVISORY and second.severity == sdk.Severity.LOW
    assert first.remediation_steps == "fix it" and first.url == RULES[0].url
    assert first.config_schema is not None and set(first.config_schema.properties) == {"bounce_rate"}
    assert second.config_schema is None


def test_engine_failure_fails_the_call_never_passes() -> None:
    class Broken(FakeEngine):
        def evaluate(self, document: dict[str, Any]) -> list[Finding]:
            raise EngineError("OPA evaluation of data.sesguard.findings failed: boom")

    ev = pack.StackEvaluator(PS, lambda _ps, s: Broken([], s))
    servicer = sdk._PolicyAnalyzerServicer(
        "sesguard", "0.0.1", pack.policies(PS, evaluator=ev, environ=ENV), sdk.EnforcementLevel.ADVISORY
    )
    with pytest.raises(EngineError, match="boom"):
        analyze_stack(servicer, [RES])


def test_disabled_policy_is_not_run_and_levels_follow_configure() -> None:
    findings = [Finding("SES-901", "", "a"), Finding("SES-902", "", "b", enforcement="advisory")]
    _, _, servicer = make(findings)
    req = ph.analyzer_pb2.ConfigureAnalyzerRequest()
    req.policyConfig["ses-901-first"].enforcementLevel = ph.analyzer_pb2.DISABLED
    req.policyConfig["ses-902-second"].enforcementLevel = ph.analyzer_pb2.MANDATORY
    servicer.Configure(req, None)
    for sdk_path in (False, True):
        diags = analyze_stack(servicer, [RES], sdk_path=sdk_path)
        assert [(d.policy, d.level) for d in diags] == [("ses-902-second", "mandatory")]
