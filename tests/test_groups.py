"""Judging a document in groups (sesguard/engine/groups.py) gives exactly the whole document's findings.

The split is forced on every document (threshold 0, one group per batch: the finest split there
is), and compared with one evaluation of the whole document, over every document the suite has
(bench/rego/equivalence.py's: the engine corpus, the mutations, the wrong-type table, every
fixture a source reads, generated documents of 10 and 1,000 domains) and over documents mutated
so that sending domains share what a rule may join them by. A rule that starts joining resources
by something the splitter does not know fails here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from bench import generate
from bench.rego.equivalence import documents
from sesguard import policyset
from sesguard.engine import groups
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.engine.projection import project
from sesguard.errors import EngineError
from sesguard.findings import Finding


@pytest.fixture(scope="module")
def split_engine() -> Iterator[EmbeddedEngine]:
    e = EmbeddedEngine(policyset.load())
    e.split_threshold = 0
    e.split_budget = 1
    e.split_workers = 2  # batches judged on two threads, each with its own OPA
    yield e
    e.close()


def _whole(engine: EmbeddedEngine, doc: dict[str, Any]) -> list[Finding] | str:
    try:
        return engine.evaluate_encoded(engine.encode(copy.deepcopy(doc)))
    except EngineError:
        return "EngineError"


def _split(engine: EmbeddedEngine, doc: dict[str, Any]) -> tuple[list[Finding] | str, int]:
    try:
        parts = engine.encode_parts(copy.deepcopy(doc))
        return engine.evaluate_parts(parts), len(parts)
    except EngineError:
        return "EngineError", 0


def _differences(engine: EmbeddedEngine, docs: Iterator[tuple[str, dict[str, Any]]]) -> tuple[list[str], int]:
    differ: list[str] = []
    split = 0
    for label, doc in docs:
        whole = _whole(engine, doc)
        parts, batches = _split(engine, doc)
        split += batches > 1
        if whole != parts:
            differ.append(label)
    return differ, split


def test_every_document_judged_in_groups_as_whole(split_engine: EmbeddedEngine) -> None:
    differ, split = _differences(split_engine, documents())
    assert differ == []
    # Not vacuous: the generated documents split (most fixtures are one group: their senders
    # share a domain, a topic or an alert address).
    assert split >= 2


def _senders(n: int) -> list[dict[str, Any]]:
    """The resources of ``n`` generated sending domains, none of them the program's."""
    doc = generate.document(n)
    return [r for r in doc["resources"] if r["name"].startswith("sender")]


def _with_senders() -> Iterator[tuple[str, dict[str, Any]]]:
    """The mutations and the wrong-type table, each in a stack that also sends for three other
    domains: the mutated resources in one group, the other domains in theirs."""
    import mutations
    import wrong_types

    from sesguard.sources.pulumi.program import run_stack

    extra = _senders(3)
    prod = run_stack("prod", root=generate.ROOT)
    for m in mutations.MUTATIONS:
        doc = copy.deepcopy(prod)
        m.apply(doc)
        doc["resources"] += copy.deepcopy(extra)
        yield f"mutation {m.id}", doc
    compliant = json.loads((generate.ROOT / "tests" / "fixtures" / "compliant_stack.json").read_text("utf-8"))
    for case in wrong_types.cases(compliant):
        doc = copy.deepcopy(compliant)
        wrong_types.apply(doc, case)
        doc["resources"] += copy.deepcopy(extra)
        yield f"wrong type {case.id}", doc


def test_mutations_and_wrong_types_beside_other_senders_judged_in_groups_as_whole(
    split_engine: EmbeddedEngine,
) -> None:
    cases = list(_with_senders())
    differ, split = _differences(split_engine, iter(cases))
    assert differ == []
    assert split == len(cases)


# --- sending domains made to share what a rule may join them by ---------------------------------

T_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity"
T_RECORD = "aws:route53/record:Record"
T_DESTINATION = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination"
T_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
T_TOPIC = "aws:sns/topic:Topic"


def _of(doc: dict[str, Any], type_: str, domain: int, name_part: str = "") -> dict[str, Any]:
    slug = generate.domain(domain).replace(".", "-")
    return next(
        r
        for r in doc["resources"]
        if r["type"] == type_ and r["name"].startswith(slug) and name_part in r["name"]
    )


def _shared_configuration_set(doc: dict[str, Any]) -> None:
    cs = _of(doc, T_IDENTITY, 0)["props"]["configurationSetName"]
    _of(doc, T_IDENTITY, 1)["props"]["configurationSetName"] = cs


def _shared_zone(doc: dict[str, Any]) -> None:
    zone = _of(doc, T_RECORD, 0, "dmarc")["props"]["zoneId"]
    for r in doc["resources"]:
        if r["type"] == T_RECORD and r["name"].startswith(generate.domain(1).replace(".", "-")):
            r["props"]["zoneId"] = zone


def _parent_dmarc(doc: dict[str, Any]) -> None:
    record = _of(doc, T_RECORD, 1, "dmarc")
    record["props"]["name"] = "_dmarc.example.com"
    record["props"]["records"] = ["v=DMARC1; p=none; sp=none"]


def _parent_identity(doc: dict[str, Any]) -> None:
    identity = copy.deepcopy(_of(doc, T_IDENTITY, 2))
    identity["urn"] += "-parent"
    identity["name"] = "parent-identity"
    identity["props"]["emailIdentity"] = "example.com"
    identity["dependencies"] = []
    doc["resources"].append(identity)


def _nameless_record(doc: dict[str, Any]) -> None:
    record = copy.deepcopy(_of(doc, T_RECORD, 2, "dkim-0"))
    record["urn"] += "-nameless"
    record["name"] = "nameless"
    record["props"].pop("name")
    record["props"].pop("fqdn")
    record["dependencies"] = []
    doc["resources"].append(record)


def _relative_dkim_record(doc: dict[str, Any]) -> None:
    record = _of(doc, T_RECORD, 1, "dkim-0")
    record["props"].update(name="abc._domainkey", zoneId=None, fqdn=None)
    record["dependencies"] = []


def _destination_to_other_topic(doc: dict[str, Any]) -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:ses-feedback-ses-sender-prod-" + generate.domain(0).replace(
        ".", "-"
    )
    _of(doc, T_DESTINATION, 1)["props"]["eventDestination"]["snsDestination"]["topicArn"] = arn
    _of(doc, T_TOPIC, 0)["props"]["arn"] = arn


def _subscription_to_other_queue(doc: dict[str, Any]) -> None:
    queue = _of(doc, "aws:sqs/queue:Queue", 0, "feedback-queue")
    queue["props"]["arn"] = "arn:aws:sqs:us-east-1:123456789012:" + queue["props"]["name"]
    _of(doc, T_SUBSCRIPTION, 1)["props"]["endpoint"] = queue["props"]["arn"]


def _alarm_on_configuration_set(doc: dict[str, Any]) -> None:
    alarm = next(r for r in doc["resources"] if r["type"] == T_ALARM)
    cs = _of(doc, T_IDENTITY, 1)["props"]["configurationSetName"]
    alarm["props"]["dimensions"] = {"ConfigurationSetName": cs}


def _unencrypted_topic(doc: dict[str, Any]) -> None:
    _of(doc, T_TOPIC, 1)["props"].pop("kmsMasterKeyId", None)


def _no_suppression(doc: dict[str, Any]) -> None:
    doc["resources"] = [r for r in doc["resources"] if "accountSuppression" not in r["type"]]


SHARED = {
    f.__name__.strip("_"): f
    for f in (
        _shared_configuration_set,
        _shared_zone,
        _parent_dmarc,
        _parent_identity,
        _nameless_record,
        _relative_dkim_record,
        _destination_to_other_topic,
        _subscription_to_other_queue,
        _alarm_on_configuration_set,
        _unencrypted_topic,
        _no_suppression,
    )
}


def _shared_documents() -> Iterator[tuple[str, dict[str, Any]]]:
    base = json.dumps(generate.document(4))
    for name, mutate in SHARED.items():
        doc = json.loads(base)
        mutate(doc)
        yield name, doc


def test_domains_sharing_what_rules_join_judged_in_groups_as_whole(split_engine: EmbeddedEngine) -> None:
    differ, split = _differences(split_engine, _shared_documents())
    assert differ == []
    assert split > 0


def test_a_shared_configuration_set_joins_two_domains(split_engine: EmbeddedEngine) -> None:
    doc = generate.document(3)
    before = groups.split(project(doc, split_engine._types))
    _shared_configuration_set(doc)
    after = groups.split(project(doc, split_engine._types))
    assert before is not None and after is not None
    assert len(after) == len(before) - 1


def test_a_generated_document_splits_into_one_group_per_domain(split_engine: EmbeddedEngine) -> None:
    parts = groups.split(project(generate.document(10), split_engine._types))
    assert parts is not None
    # The core (account suppression, alarms and their topic) and one group per sending domain.
    assert len(parts) == 11


@pytest.mark.parametrize(
    "rego",
    [
        "x := input.config",
        "x if { some k, v in input.config; v }",
        "x if { walk(input, [p, v]) }",
        'x := object.get(input, ["config", k], 1) if { k := "a" }',
        "x := count(input)",
    ],
)
def test_a_module_that_may_read_any_config_key_keeps_the_whole_config(rego: str) -> None:
    modules = (("m.rego", f"package m\n\n{rego}\n"),)
    assert groups.config_reader(modules) is None
    assert groups.read_config({"p:senders": [1]}, groups.config_reader(modules)) == {"p:senders": [1]}


def test_a_batch_carries_only_the_config_keys_a_rule_names() -> None:
    modules = (("m.rego", 'package m\n\nx := input.config["aws:region"]\ny := setting("mailType")\n'),)
    config = {"aws:region": "eu-west-1", "app:mailType": "MARKETING", "app:senders": [1, 2]}
    kept = groups.read_config(config, groups.config_reader(modules))
    assert kept == {"aws:region": "eu-west-1", "app:mailType": "MARKETING"}


def test_a_waiver_in_the_stack_config_judged_in_groups_as_whole(split_engine: EmbeddedEngine) -> None:
    doc = generate.document(4)
    _unencrypted_topic(doc)
    _alarm_on_configuration_set(doc)
    found = _whole(split_engine, doc)
    assert isinstance(found, list) and found
    waived = found[0]
    doc["config"]["sesguard:waivers"] = [
        {"rule": waived.rule, "resource": waived.resource, "reason": "tracked", "expires": "2099-12-31"},
        {"rule": "SES-999", "reason": "names no rule", "expires": "2000-01-01"},
    ]
    whole = _whole(split_engine, doc)
    parts, batches = _split(split_engine, doc)
    assert batches > 1
    assert parts == whole
    assert any(f.waiver for f in whole if isinstance(f, Finding))


@pytest.mark.parametrize(
    "blind",
    [
        pytest.param(lambda own, parents: (set(), set()), id="no-shared-values"),
        pytest.param(lambda own, parents: (own, set()), id="no-parent-domains"),
        pytest.param(lambda own, parents: ({t for t in own if "." not in t}, set()), id="no-domain-names"),
    ],
)
def test_a_splitter_blind_to_a_join_is_caught(
    split_engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch, blind: Any
) -> None:
    """The comparisons above fail when the splitter misses a way the rules join resources."""
    real = groups._tokens
    monkeypatch.setattr(groups, "_tokens", lambda r: blind(*real(r)))
    differ, _ = _differences(split_engine, _shared_documents())
    assert differ


def test_a_wildcard_arn_leaves_the_document_whole(split_engine: EmbeddedEngine) -> None:
    doc = generate.document(3)
    _of(doc, T_SUBSCRIPTION, 1)["props"]["endpoint"] = "arn:aws:sqs:us-east-1:123456789012:ses-feedback-*"
    assert groups.split(project(doc, split_engine._types)) is None
    assert len(split_engine.encode_parts(doc)) == 1
