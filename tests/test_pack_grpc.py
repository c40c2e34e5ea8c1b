"""The policy pack driven over gRPC exactly as the Pulumi CLI drives it (see tests/packharness.py).

Assertions lean on the rule catalog (ids, policy names, METADATA), so they widen as rules land:
a broken variant whose rule is not in the catalog yet is skipped, never passed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import packharness as ph
import pytest
from packharness import Diagnostic, Pack

from sesguard import document as doc_mod
from sesguard import policyset

pytestmark = pytest.mark.slow

CATALOG = policyset.load()
RULES = {r.id: r for r in CATALOG.rules}
T_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity"
T_RECORD = "aws:route53/record:Record"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
T_CONFIG_SET = "aws:sesv2/configurationSet:ConfigurationSet"
T_SUPPRESSION = "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes"
T_DESTINATION = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination"
T_MAIL_FROM = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"
SECRET_TOKEN = "tops3cret-9f2b1c"


def policy(rule_id: str) -> str:
    return RULES[rule_id].policy_name


def need(*rule_ids: str) -> None:
    missing = [r for r in rule_ids if r not in RULES]
    if missing:
        pytest.skip(f"rule(s) {', '.join(missing)} not in the catalog yet")


def mandatory(diags: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.level == "mandatory"]


def no_sdk_downgrade(diags: list[Diagnostic]) -> None:
    """The SDK reports a policy that touched an unknown as an advisory "can't run … during preview"."""
    downgraded = [d for d in diags if "can't run" in d.message or "during preview" in d.message]
    assert not downgraded, downgraded


@pytest.fixture
def fixture_doc() -> dict[str, Any]:
    return ph.load_fixture()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Pack]]:
    packs: list[Pack] = []

    def _start(**kw: Any) -> Pack:
        p = ph.start_pack(stderr_path=tmp_path / f"pack-{len(packs)}.stderr", **kw)
        packs.append(p)
        return p

    yield _start
    for p in packs:
        p.close()


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pack]:
    """One pack for the tests that never Configure it (config from the compliant fixture)."""
    doc = ph.load_fixture()
    p = ph.start_pack(config=doc["config"], stderr_path=tmp_path_factory.mktemp("pack") / "pack.stderr")
    try:
        yield p
    finally:
        p.close()


# --- protocol and catalog ------------------------------------------------------------------------


def test_pack_serves_plugin_info(pack: Pack) -> None:
    assert pack.plugin_info().version


def test_analyzer_info_lists_every_rule_with_its_metadata(pack: Pack) -> None:
    info = pack.info()
    assert info.name == "sesguard"
    assert info.supportsConfig
    by_name = {p.name: p for p in info.policies}
    assert set(by_name) == {r.policy_name for r in CATALOG.rules}
    for rule in CATALOG.rules:
        p = by_name[rule.policy_name]
        assert rule.id in p.description and rule.title in p.description
        assert p.url == rule.url and rule.url in p.description
        assert ph.LEVEL_NAMES[p.enforcementLevel] == rule.enforcement
        assert p.severity == ph.SEVERITIES[rule.severity]
        assert p.remediation_steps == rule.remediation
        assert p.policy_type == ph.analyzer_pb2.POLICY_TYPE_STACK


def test_threshold_rules_publish_a_config_schema(pack: Pack) -> None:
    """`--policy-pack-config` properties are validated by the CLI against this schema."""
    from sesguard.pack import thresholds_of

    uses = thresholds_of(CATALOG)
    by_name = {p.name: p for p in pack.info().policies}
    for rule in CATALOG.rules:
        props = set(by_name[rule.policy_name].configSchema.properties.keys())
        assert props == set(uses[rule.id])


# --- compliant stacks ----------------------------------------------------------------------------


def test_compliant_fixture_yields_no_mandatory_violation(pack: Pack, fixture_doc: dict[str, Any]) -> None:
    diags = pack.analyze_stack(fixture_doc["resources"])
    assert mandatory(diags) == []
    no_sdk_downgrade(diags)


def test_per_resource_analyze_reports_nothing(pack: Pack, fixture_doc: dict[str, Any]) -> None:
    """Every rule is a stack policy: one resource alone must not be judged (or pass) in Analyze."""
    for r in fixture_doc["resources"][:5]:
        assert pack.analyze(r) == []


def test_non_ses_stack_yields_nothing(pack: Pack) -> None:
    bucket = {
        "urn": "urn:pulumi:prod::web::aws:s3/bucket:Bucket::assets",
        "type": "aws:s3/bucket:Bucket",
        "name": "assets",
        "props": {"bucket": "assets-123", "forceDestroy": False, "tags": {"team": "web"}},
    }
    assert pack.analyze_stack([bucket]) == []
    assert pack.analyze_stack([]) == []


def _program_stacks() -> list[str]:
    try:
        from sesguard.sources.pulumi import program
    except ImportError:
        return []
    if not hasattr(program, "run_stack"):
        return []
    return program.list_stacks()


@pytest.mark.parametrize(
    "stack", _program_stacks() or [pytest.param("-", marks=pytest.mark.skip("no program"))]
)
def test_repo_stacks_under_mocks_yield_no_mandatory_violation(start: Callable[..., Pack], stack: str) -> None:
    """This repo's stacks, run under preview mocks (unknown ARNs, tokens), serialized as the engine does."""
    from sesguard.sources.pulumi import program

    doc = program.run_stack(stack)
    p = start(config=doc["config"], stack=stack)
    diags = p.analyze_stack(doc["resources"])
    no_sdk_downgrade(diags)
    assert mandatory(diags) == [], [(d.policy, d.message) for d in mandatory(diags)]


# --- broken variants -----------------------------------------------------------------------------


def _dmarc(doc: dict[str, Any]) -> dict[str, Any]:
    return ph.find(doc, T_RECORD, "dmarc")


def _set_dmarc(value: str) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        _dmarc(doc)["props"]["records"] = [value]

    return edit


def _address_only(doc: dict[str, Any]) -> None:
    ph.find(doc, T_IDENTITY)["props"]["emailIdentity"] = "noreply@example.com"


def _empty_account_suppression(doc: dict[str, Any]) -> None:
    ph.find(doc, T_SUPPRESSION)["props"]["suppressedReasons"] = []


def _set_suppression_off(doc: dict[str, Any]) -> None:
    ph.find(doc, T_CONFIG_SET)["props"]["suppressionOptions"]["suppressedReasons"] = []


def _metrics_off(doc: dict[str, Any]) -> None:
    ph.find(doc, T_CONFIG_SET)["props"]["reputationOptions"]["reputationMetricsEnabled"] = False


def _destination_disabled(doc: dict[str, Any]) -> None:
    ph.find(doc, T_DESTINATION)["props"]["eventDestination"]["enabled"] = False


def _mx_failure_default(doc: dict[str, Any]) -> None:
    ph.find(doc, T_MAIL_FROM)["props"]["behaviorOnMxFailure"] = "USE_DEFAULT_VALUE"


def _alarm_prop(name: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        ph.find(doc, T_ALARM, name)["props"][key] = value

    return edit


def _suppression_reasons_as_object(doc: dict[str, Any]) -> None:
    ph.find(doc, T_SUPPRESSION)["props"]["suppressedReasons"] = {"0": "BOUNCE", "1": "COMPLAINT"}


BROKEN: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
    # Values of the wrong type are "cannot verify", never absent (tests/test_wrong_types.py has all).
    ("bounce-threshold-as-text", "SES-021", _alarm_prop("bounce-alarm", "threshold", "0.9")),
    (
        "complaint-actions-enabled-as-text",
        "SES-022",
        _alarm_prop("complaint-alarm", "actionsEnabled", "false"),
    ),
    ("suppression-reasons-as-object", "SES-016", _suppression_reasons_as_object),
    ("address-identity-only", "SES-001", _address_only),
    ("no-dmarc-record", "SES-005", lambda d: ph.drop(d, T_RECORD, "dmarc")),
    ("dmarc-p-none", "SES-005", _set_dmarc("v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com")),
    (
        "dmarc-pct-50",
        "SES-005",
        _set_dmarc("v=DMARC1; p=reject; pct=50; rua=mailto:dmarc-reports@example.com"),
    ),
    ("no-bounce-alarm", "SES-021", lambda d: ph.drop(d, T_ALARM, "bounce-alarm")),
    ("no-complaint-alarm", "SES-022", lambda d: ph.drop(d, T_ALARM, "complaint-alarm")),
    ("empty-account-suppression", "SES-016", _empty_account_suppression),
    ("no-account-suppression", "SES-016", lambda d: ph.drop(d, T_SUPPRESSION)),
    ("set-suppression-off", "SES-017", _set_suppression_off),
    ("no-event-destination", "SES-012", lambda d: ph.drop(d, T_DESTINATION)),
    ("disabled-event-destination", "SES-012", _destination_disabled),
    ("reputation-metrics-off", "SES-018", _metrics_off),
    ("mail-from-mx-failure-default", "SES-008", _mx_failure_default),
]


@pytest.mark.parametrize(("case", "rule_id", "edit"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_variant_yields_mandatory_violation_under_its_policy(
    pack: Pack, fixture_doc: dict[str, Any], case: str, rule_id: str, edit: Callable[[dict[str, Any]], None]
) -> None:
    need(rule_id)
    assert RULES[rule_id].enforcement == "mandatory"
    diags = pack.analyze_stack(ph.with_edit(fixture_doc, edit)["resources"])
    hits = [d for d in diags if d.policy == policy(rule_id)]
    assert hits, f"{case}: no {policy(rule_id)} violation in {[(d.policy, d.message) for d in diags]}"
    assert all(d.level == "mandatory" for d in hits)
    assert all(d.message.startswith(RULES[rule_id].id) for d in hits)  # the description leads
    no_sdk_downgrade(diags)


def test_violation_names_the_offending_resource(pack: Pack, fixture_doc: dict[str, Any]) -> None:
    diags = pack.analyze_stack(ph.with_edit(fixture_doc, _address_only)["resources"])
    hits = [d for d in diags if d.policy == policy("SES-001")]
    assert hits and hits[0].urn == ph.find(fixture_doc, T_IDENTITY)["urn"]


# --- unknowns and secrets ------------------------------------------------------------------------


def test_unknown_literal_fails_closed_as_mandatory(pack: Pack, fixture_doc: dict[str, Any]) -> None:
    """A DMARC value unknown at preview is a mandatory finding, not the SDK's advisory skip."""
    need("SES-005")
    diags = pack.analyze_stack(ph.with_edit(fixture_doc, _set_dmarc(doc_mod.UNKNOWN))["resources"])
    no_sdk_downgrade(diags)
    hits = [d for d in diags if d.policy == policy("SES-005")]
    assert hits and all(d.level == "mandatory" for d in hits)


def test_unknowns_everywhere_never_trigger_the_sdk_downgrade(pack: Pack, fixture_doc: dict[str, Any]) -> None:
    """Every string leaf unknown: rules may fire, but no policy is skipped as "can't run during preview"."""

    def unknownify(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: unknownify(x) for k, x in v.items()}
        if isinstance(v, list):
            return [unknownify(x) for x in v]
        return doc_mod.UNKNOWN if isinstance(v, str) else v

    resources = [dict(r, props=unknownify(r["props"])) for r in fixture_doc["resources"]]
    diags = pack.analyze_stack(resources)
    no_sdk_downgrade(diags)
    assert {d.policy for d in diags} <= {r.policy_name for r in CATALOG.rules}


def test_secret_values_never_appear_in_violations(
    start: Callable[..., Pack], fixture_doc: dict[str, Any]
) -> None:
    doc = ph.with_edit(fixture_doc, _address_only)
    ident = ph.find(doc, T_IDENTITY)
    ident["props"]["emailIdentity"] = ph.secret(f"{SECRET_TOKEN}@example.org")
    _dmarc(doc)["props"]["records"] = [ph.secret(f"v=DMARC1; p=none; rua=mailto:{SECRET_TOKEN}@example.com")]
    ph.find(doc, T_ALARM, "bounce-alarm")["props"]["alarmDescription"] = ph.secret(SECRET_TOKEN)
    config = dict(doc["config"], **{"ses-sender:apiKey": SECRET_TOKEN})
    p = start(config=config, secret_keys=["ses-sender:apiKey"])
    diags = p.analyze_stack(doc["resources"])
    assert diags or not RULES.keys() - {"SES-001"}  # something was judged once more rules exist
    for d in diags:
        assert SECRET_TOKEN not in d.message
    assert SECRET_TOKEN not in p.stderr()
    if "SES-005" in RULES:
        # A secret DMARC value cannot be judged: it is a finding, never a pass.
        assert any(d.policy == policy("SES-005") and d.level == "mandatory" for d in diags)


# --- configuration -------------------------------------------------------------------------------


def test_configure_overrides_levels(start: Callable[..., Pack], fixture_doc: dict[str, Any]) -> None:
    p = start(config=fixture_doc["config"])
    broken = ph.with_edit(fixture_doc, _address_only)["resources"]
    p.configure({policy("SES-001"): "advisory"})
    hits = [d for d in p.analyze_stack(broken) if d.policy == policy("SES-001")]
    assert hits and all(d.level == "advisory" for d in hits)

    p.configure({policy("SES-001"): "disabled"})
    assert [d for d in p.analyze_stack(broken) if d.policy == policy("SES-001")] == []

    p.configure({})
    hits = [d for d in p.analyze_stack(broken) if d.policy == policy("SES-001")]
    assert hits and all(d.level == "mandatory" for d in hits)


def test_configure_makes_an_advisory_rule_mandatory_and_disables_another(
    start: Callable[..., Pack], fixture_doc: dict[str, Any]
) -> None:
    need("SES-003", "SES-005")
    doc = ph.with_edit(fixture_doc, _set_dmarc("v=DMARC1; p=none"))
    ident = ph.find(doc, T_IDENTITY)["props"]["dkimSigningAttributes"]
    ident["nextSigningKeyLength"] = ident["currentSigningKeyLength"] = "RSA_1024_BIT"
    p = start(config=doc["config"])
    before = p.analyze_stack(doc["resources"])
    assert {d.level for d in before if d.policy == policy("SES-003")} == {"advisory"}
    p.configure({policy("SES-003"): "mandatory", policy("SES-005"): {"enforcementLevel": "disabled"}})
    after = p.analyze_stack(doc["resources"])
    assert {d.level for d in after if d.policy == policy("SES-003")} == {"mandatory"}
    assert not [d for d in after if d.policy == policy("SES-005")]


def test_policy_config_threshold_tightens_a_rule(
    start: Callable[..., Pack], fixture_doc: dict[str, Any]
) -> None:
    """`{"ses-021-bounce-alarm": {"bounce_rate": 0.02}}`: the fixture's 0.05 alarm no longer passes."""
    need("SES-021")
    from sesguard.pack import thresholds_of

    if "bounce_rate" not in thresholds_of(CATALOG)["SES-021"]:
        pytest.skip("SES-021 does not read the bounce_rate threshold")
    p = start(config=fixture_doc["config"])
    assert not [d for d in p.analyze_stack(fixture_doc["resources"]) if d.policy == policy("SES-021")]
    p.configure({policy("SES-021"): {"enforcementLevel": "mandatory", "bounce_rate": 0.02}})
    hits = [d for d in p.analyze_stack(fixture_doc["resources"]) if d.policy == policy("SES-021")]
    assert hits and all(d.level == "mandatory" for d in hits)


def test_waived_finding_is_not_a_violation_but_is_logged(
    start: Callable[..., Pack], fixture_doc: dict[str, Any]
) -> None:
    doc = ph.with_edit(fixture_doc, _address_only)
    waiver = {
        "rule": "SES-001",
        "reason": "address-only sender until the domain moves",
        "expires": "2999-12-31",
    }
    p = start(config=dict(doc["config"], **{"sesguard:waivers": [waiver]}))
    diags = p.analyze_stack(doc["resources"])
    assert not [d for d in diags if d.policy == policy("SES-001")]
    log = p.stderr()
    assert policy("SES-001") in log and "waived" in log


def test_stack_config_reaches_the_rules_as_structure(
    start: Callable[..., Pack], fixture_doc: dict[str, Any]
) -> None:
    """Structured config arrives as JSON text in PULUMI_CONFIG; an expired waiver is itself a finding."""
    need("SES-026")
    waiver = {"rule": "SES-001", "reason": "old", "expires": "2001-01-01"}
    p = start(config=dict(fixture_doc["config"], **{"sesguard:waivers": [waiver]}))
    diags = p.analyze_stack(fixture_doc["resources"])
    assert [d for d in diags if d.policy == policy("SES-026") and d.level == "mandatory"]


def test_pulumi_config_is_passed_as_strings() -> None:
    assert json.loads(ph.pulumi_config({"a:b": [1], "a:c": "x"})) == {"a:b": "[1]", "a:c": "x"}


# --- several AWS providers -----------------------------------------------------------------------

_EUW1 = {
    "type": "pulumi:providers:aws",
    "urn": "urn:pulumi:prod::ses-sender::pulumi:providers:aws::euw1",
    "name": "euw1",
    "props": {"region": "eu-west-1", "version": "6.56.1"},
}


def _identity_through_euw1(doc: dict[str, Any]) -> None:
    """The identity is created through an explicit eu-west-1 provider; the stack's region is us-east-1."""
    ph.find(doc, T_IDENTITY)["provider"] = _EUW1


def test_region_comes_from_each_resources_own_provider(pack: Pack, fixture_doc: dict[str, Any]) -> None:
    diags = pack.analyze_stack(ph.with_edit(fixture_doc, _identity_through_euw1)["resources"])
    hits = [d.message for d in diags if d.policy == policy("SES-009")]
    assert any('expected "10 feedback-smtp.eu-west-1.amazonses.com"' in m for m in hits), hits

    def moved_mx(doc: dict[str, Any]) -> None:
        _identity_through_euw1(doc)
        ph.find(doc, T_RECORD, "mail-from-mx")["props"]["records"] = [
            "10 feedback-smtp.eu-west-1.amazonses.com"
        ]

    diags = pack.analyze_stack(ph.with_edit(fixture_doc, moved_mx)["resources"])
    assert [d.message for d in diags if d.policy == policy("SES-009")] == []
