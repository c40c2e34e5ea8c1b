"""The file sources (preview, state, document) turn what Pulumi writes into the same stack document,
and every source judges the same way through the installed command."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import builders
import pytest
from clirun import sesguard

from sesguard.document import SECRET, UNKNOWN
from sesguard.errors import InputError
from sesguard.sources import document
from sesguard.sources.pulumi import preview, state

FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """What every source must agree on. A preview or export also knows each resource's provider,
    hence its region (tests/test_regions.py); the program source leaves that to the stack's."""
    resources = [{k: v for k, v in r.items() if k != "region"} for r in doc["resources"]]
    return {k: v for k, v in doc.items() if k not in ("source", "file", "config")} | {"resources": resources}


def test_every_source_reads_the_same_stack() -> None:
    doc = builders.compliant_document()
    from_document = document.from_json(doc, "d.json")
    from_preview = preview.from_json(builders.to_preview(doc), "p.json")
    from_state = state.from_json(builders.to_state(doc), "s.json")
    assert _comparable(from_preview) == _comparable(from_document)
    assert _comparable(from_state) == _comparable(from_document)
    assert (from_preview["source"], from_state["source"], from_document["source"]) == (
        "preview",
        "state",
        "program",
    )
    assert (from_preview["project"], from_preview["stack"]) == ("ses-sender", "prod")
    assert from_preview["config"]["aws:region"] == "us-east-1"
    for read in (from_preview, from_state):
        assert {r.get("region") for r in read["resources"] if r["type"].startswith("aws:")} == {"us-east-1"}


def test_providers_are_left_out_and_the_stack_kept() -> None:
    doc = builders.compliant_document()
    for read in (
        preview.from_json(builders.to_preview(doc), "p"),
        state.from_json(builders.to_state(doc), "s"),
    ):
        types = {r["type"] for r in read["resources"]}
        assert "pulumi:providers:aws" not in types
        assert "pulumi:pulumi:Stack" in types


def _minimal_preview(
    inputs: dict[str, Any], outputs: dict[str, Any], config: dict[str, Any] | None = None
) -> dict:
    urn = "urn:pulumi:prod::shop::aws:sesv2/configurationSet:ConfigurationSet::cs"
    out: dict[str, Any] = {
        "steps": [
            {
                "op": "create",
                "newState": {
                    "urn": urn,
                    "type": "aws:sesv2/configurationSet:ConfigurationSet",
                    "inputs": inputs,
                    "outputs": outputs,
                },
            },
            {"op": "delete", "urn": urn.replace("::cs", "::old"), "oldState": {"type": "x:y:Z"}},
        ]
    }
    if config is not None:
        out["config"] = config
    return out


def test_preview_merges_outputs_over_inputs_and_keeps_unknowns_and_secrets() -> None:
    doc = preview.from_json(
        _minimal_preview(
            {"configurationSetName": "cs", "deliveryOptions": {"tlsPolicy": "REQUIRE"}, "tags": {"a": "b"}},
            {
                "configurationSetName": UNKNOWN,
                "deliveryOptions": {"tlsPolicy": "OPTIONAL"},
                "arn": UNKNOWN,
                "tags": SECRET,
                "count": 3,
            },
            {"aws:region": "eu-west-1", "shop:token": "[secret]"},
        ),
        "p.json",
    )
    [r] = doc["resources"]  # the delete step declares nothing
    assert r["props"] == {
        "configurationSetName": "cs",  # a known input is not hidden by an unknown output
        "deliveryOptions": {"tlsPolicy": "OPTIONAL"},  # what the provider reports wins
        "arn": UNKNOWN,
        "tags": SECRET,
        "count": 3.0,
    }
    assert (doc["project"], doc["stack"], doc["region"]) == ("shop", "prod", "eu-west-1")
    assert doc["config"]["shop:token"] == SECRET


def test_preview_region_falls_back_to_the_default_provider() -> None:
    pv = builders.to_preview(builders.compliant_document())
    del pv["config"]
    assert preview.from_json(pv, "p.json")["region"] == "us-east-1"


@pytest.mark.parametrize("plaintext", [False, True])
def test_state_secrets_never_reach_the_document(plaintext: bool) -> None:
    doc = builders.compliant_document()
    topic = next(r["name"] for r in doc["resources"] if r["type"] == "aws:sns/topic:Topic")
    exported = builders.to_state(
        doc, {topic: {"kmsMasterKeyId": "s3cr3t-kms-key-value"}}, plaintext=plaintext
    )
    read = state.from_json(exported, "s.json")
    assert "s3cr3t-kms-key-value" not in json.dumps(read)
    assert next(r for r in read["resources"] if r["name"] == topic)["props"]["kmsMasterKeyId"] == SECRET


def test_state_skips_resources_pending_deletion() -> None:
    exported = builders.to_state(builders.compliant_document())
    victim = exported["deployment"]["resources"][5]
    victim["delete"] = True
    read = state.from_json(exported, "s.json")
    assert victim["urn"] not in {r["urn"] for r in read["resources"]}


def test_document_source_redacts_secret_objects_and_makes_floats() -> None:
    doc = builders.compliant_document()
    doc["config"]["ses-sender:webhookUrl"] = builders.secret("https://hooks.example/T0K3N", plaintext=True)
    doc["resources"][1]["props"]["limit"] = 7
    read = document.from_json(doc, "d.json")
    assert read["config"]["ses-sender:webhookUrl"] == SECRET
    assert read["resources"][1]["props"]["limit"] == 7.0


def test_errors_name_the_place() -> None:
    pv = _minimal_preview({}, {})
    del pv["steps"][0]["newState"]["type"]
    with pytest.raises(InputError, match=r"^preview.json: steps\[0\].newState: resource without a type$"):
        preview.from_json(pv, "preview.json")
    exported = builders.to_state(builders.compliant_document())
    exported["version"] = 4
    with pytest.raises(
        InputError, match=r"^state.json: deployment version 4 is not supported \(expected 3\)$"
    ):
        state.from_json(exported, "state.json")


# --- end to end, through the installed command --------------------------------------------------


def _write_inputs(tmp: Path, doc: dict[str, Any]) -> dict[str, Path]:
    return {
        "preview": builders.write_json(tmp / "preview.json", builders.to_preview(doc)),
        "state": builders.write_json(tmp / "state.json", builders.to_state(doc)),
        "document": builders.write_json(tmp / "document.json", doc),
    }


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("sources")
    (tmp / "ok").mkdir()
    (tmp / "bad").mkdir()
    return {
        "compliant": _write_inputs(tmp / "ok", builders.compliant_document()),
        "violating": _write_inputs(tmp / "bad", builders.violating_document()),
    }


@pytest.mark.parametrize("source", ["preview", "state", "document"])
def test_json_report_per_source(inputs: dict[str, dict[str, Path]], source: str) -> None:
    ok = sesguard("check", f"--{source}", str(inputs["compliant"][source]), "--format", "json")
    assert ok.code == 0, ok.stdout
    report = json.loads(ok.stdout)
    # A stack document keeps the source that produced it.
    expected = "program" if source == "document" else source
    assert [(r["stack"], r["source"], r["passed"]) for r in report["results"]] == [("prod", expected, True)]

    bad = sesguard("check", f"--{source}", str(inputs["violating"][source]), "--format", "json")
    assert bad.code == 1
    [result] = json.loads(bad.stdout)["results"]
    assert not result["passed"]
    stray = [f for f in result["findings"] if f["rule"] == "SES-001"]
    assert [f["resource"] for f in stray] == [
        "urn:pulumi:prod::ses-sender::aws:sesv2/emailIdentity:EmailIdentity::stray-address"
    ]


@pytest.fixture(scope="module")
def every_format(
    inputs: dict[str, dict[str, Path]], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], tuple[int, dict[str, str]]]:
    """(source, compliant|violating) -> the exit code and each format's report, from one run per
    input writing all six (``--output FORMAT=FILE``, repeatable): the same rendering as a report
    on stdout, one process instead of six."""
    out = tmp_path_factory.mktemp("every-format")
    runs = {}
    for source in ("preview", "state", "document"):
        for kind in ("compliant", "violating"):
            files = {fmt: out / f"{source}-{kind}.{fmt}" for fmt in FORMATS}
            run = sesguard(
                "check",
                f"--{source}",
                str(inputs[kind][source]),
                *(f"--output={fmt}={path}" for fmt, path in files.items()),
            )
            runs[source, kind] = (run.code, {fmt: path.read_text("utf-8") for fmt, path in files.items()})
    return runs


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("source", ["preview", "state", "document"])
def test_every_format_per_source(
    every_format: dict[tuple[str, str], tuple[int, dict[str, str]]], source: str, fmt: str
) -> None:
    (ok_code, ok), (bad_code, bad) = every_format[source, "compliant"], every_format[source, "violating"]
    assert (ok_code, bad_code) == (0, 1)
    # SARIF and JUnit list every rule; the violating identity is what only a failing report names.
    assert ok[fmt].strip() and "unverified-example.org" not in ok[fmt]
    assert "unverified-example.org" in bad[fmt] and "SES-001" in bad[fmt]


def test_preview_from_stdin(inputs: dict[str, dict[str, Path]]) -> None:
    text = inputs["violating"]["preview"].read_text("utf-8")
    run = sesguard("check", "--preview", "-", "--format", "json", stdin=text)
    assert run.code == 1 and json.loads(run.stdout)["results"][0]["source"] == "preview"


def test_planted_secrets_are_never_printed(tmp_path: Path) -> None:
    plain = "pl4intext-w3bh00k-T0KEN"
    doc = builders.violating_document()
    topic = next(r["name"] for r in doc["resources"] if r["type"] == "aws:sns/topic:Topic")
    exported = builders.to_state(
        doc, {topic: {"kmsMasterKeyId": plain}, "stray-address": {"emailIdentity": plain}}, plaintext=True
    )
    with_secret_config = copy.deepcopy(doc)
    with_secret_config["config"]["ses-sender:webhookUrl"] = builders.secret(plain, plaintext=True)
    files = {
        "state": builders.write_json(tmp_path / "state.json", exported),
        "document": builders.write_json(tmp_path / "document.json", with_secret_config),
    }
    for source, path in files.items():
        # Every format from one run (--output FORMAT=FILE, repeatable), the GitHub step summary too.
        outs = {fmt: tmp_path / f"report-{source}.{fmt}" for fmt in FORMATS}
        summary = tmp_path / f"step-summary-{source}.md"
        run = sesguard(
            "check",
            f"--{source}",
            str(path),
            *(f"--output={fmt}={out}" for fmt, out in outs.items()),
            env={"GITHUB_STEP_SUMMARY": str(summary)},
        )
        assert run.code == 1, run.stderr
        assert plain not in run.stdout + run.stderr, source
        assert plain not in (summary.read_text("utf-8") if summary.exists() else ""), source
        for fmt, out in outs.items():
            assert plain not in out.read_text("utf-8"), (source, fmt)
