"""Every report format over real engine results: schema-valid, waived shown as waived, escaped, no secrets."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import engine_corpus
import jsonschema
import pytest

from sesguard import policyset
from sesguard.document import SECRET_SIG, SECRET_SIG_VALUE, new_document
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.findings import Finding, StackResult
from sesguard.report import FORMATS, render, summary_line
from sesguard.report import github as github_report
from sesguard.report import markdown as markdown_report

# The official OASIS SARIF 2.1.0 schema, vendored so the suite needs nothing outside the repository.
SARIF_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-schema-2.1.0.json"
REPORT_SCHEMA = Path(__file__).resolve().parents[1] / "sesguard/schema/report-v1.json"
SECRET_VALUE = "hunter2-Xq9-planted-secret"
URN = "urn:pulumi:prod::ses-sender::aws:sesv2/emailIdentity:EmailIdentity::acmetickets"


@pytest.fixture(scope="module")
def policies() -> policyset.PolicySet:
    return policyset.load()


def _judge(engine: EmbeddedEngine, doc: dict, config_file: str | None = None) -> StackResult:
    return StackResult(
        doc["project"], doc["stack"], doc["source"], engine.evaluate(doc), config_file=config_file
    )


@pytest.fixture(scope="module")
def results(engine: EmbeddedEngine) -> list[StackResult]:
    """Real findings over the corpus, plus one stack with a waived, a blocking and an advisory finding."""
    out = [_judge(engine, d, config_file=f"stacks/Pulumi.{d['stack']}.yaml") for d in engine_corpus.corpus()]
    out.append(
        StackResult(
            "ses-sender",
            "prod",
            "program",
            sorted(
                [
                    Finding(
                        "SES-005",
                        URN,
                        "DMARC | p=none\nfor <acmetickets.com> at 100% , : ok",
                        "DMARC",
                        "high",
                    ),
                    Finding("SES-003", URN, "key is 1024 bits", "DKIM 2048", "medium", "advisory"),
                    Finding(
                        "SES-001",
                        URN,
                        "address identity",
                        "Domain identity",
                        "high",
                        waived=True,
                        waiver="legacy relay",
                    ),
                ]
            ),
            config_file="stacks/Pulumi.prod.yaml",
        )
    )
    return out


def _waived_stack(results: list[StackResult]) -> StackResult:
    return results[-1]


# -- the common surface ---------------------------------------------------------------------


def test_summary_line_counts_and_verdict(results: list[StackResult]) -> None:
    line = summary_line(results)
    assert re.fullmatch(
        r"sesguard: \d+ stacks, \d+ mandatory, \d+ advisory, \d+ waived — (passed|failed)", line
    )
    assert line.endswith("failed")
    ok = [StackResult("p", "s", "program", [])]
    assert summary_line(ok) == "sesguard: 1 stack, 0 mandatory, 0 advisory, 0 waived — passed"
    waived_only = [StackResult("p", "s", "program", [Finding("SES-001", "", "m", waived=True, waiver="r")])]
    assert summary_line(waived_only).endswith("1 waived — passed")


def test_unknown_format_is_an_error(results: list[StackResult], policies: policyset.PolicySet) -> None:
    from sesguard.errors import SesguardError

    with pytest.raises(SesguardError, match="unknown report format 'xml'"):
        render("xml", results, policies)


@pytest.mark.parametrize("fmt", FORMATS)
def test_waived_findings_are_shown_as_waived(
    fmt: str, results: list[StackResult], policies: policyset.PolicySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    text = render(fmt, [_waived_stack(results)], policies)
    if fmt == "json":  # DESIGN's schema has the flag, not the reason
        findings = json.loads(text)["results"][0]["findings"]
        assert [f["rule"] for f in findings if f["waived"]] == ["SES-001"]
        return
    assert "legacy relay" in text
    assert "waived" in text


# -- JSON -----------------------------------------------------------------------------------


def test_json_report_matches_the_design_schema(
    results: list[StackResult], policies: policyset.PolicySet
) -> None:
    data = json.loads(render("json", results, policies))
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text("utf-8"))).validate(data)
    assert data["tool"]["name"] == "sesguard"
    assert data["summary"]["stacks"] == len(results)
    assert data["summary"]["mandatory"] == sum(f.blocking for r in results for f in r.findings)
    assert [r["passed"] for r in data["results"]] == [r.passed for r in results]
    waived = [f for f in data["results"][-1]["findings"] if f["waived"]]
    assert [f["rule"] for f in waived] == ["SES-001"]


def test_report_schema_rejects_a_wrong_shape(
    results: list[StackResult], policies: policyset.PolicySet
) -> None:
    data = json.loads(render("json", results, policies))
    del data["results"][-1]["findings"][0]["enforcement"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json.loads(REPORT_SCHEMA.read_text("utf-8")))


# -- SARIF ----------------------------------------------------------------------------------


def _sarif_schema() -> dict:
    if not SARIF_SCHEMA.is_file():
        pytest.fail(f"the official SARIF 2.1.0 schema is missing: expected it at {SARIF_SCHEMA}")
    return json.loads(SARIF_SCHEMA.read_text("utf-8"))


def test_sarif_is_valid_against_the_official_schema(
    results: list[StackResult], policies: policyset.PolicySet
) -> None:
    data = json.loads(render("sarif", results, policies))
    jsonschema.Draft4Validator(_sarif_schema()).validate(data)
    assert data["version"] == "2.1.0"


def test_sarif_rules_and_levels(results: list[StackResult], policies: policyset.PolicySet) -> None:
    run = json.loads(render("sarif", results, policies))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][: len(policies.rules)] == [r.id for r in policies.rules]
    for r in rules:
        assert r["properties"]["security-severity"] in {"9.5", "8.0", "5.5", "3.0"}
        assert r["help"]["text"] and r["help"]["markdown"] and r["helpUri"].startswith("https://")
    ses005 = next(r for r in rules if r["id"] == "SES-005")
    assert ses005["name"] == "ses-005-dmarc-reject"
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["partialFingerprints"]
    last = [res for res in run["results"] if "(stack ses-sender/prod)" in res["message"]["text"]]
    levels = {res["ruleId"]: res for res in last}
    assert levels["SES-005"]["level"] == "error" and "suppressions" not in levels["SES-005"]
    assert levels["SES-003"]["level"] == "warning"
    assert levels["SES-001"]["level"] == "note"
    assert levels["SES-001"]["suppressions"] == [{"kind": "external", "justification": "legacy relay"}]
    loc = levels["SES-005"]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "stacks/Pulumi.prod.yaml"
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == URN


def test_sarif_fingerprint_ignores_the_message(policies: policyset.PolicySet) -> None:
    def fp(message: str) -> str:
        r = StackResult("p", "s", "program", [Finding("SES-005", URN, message)])
        return json.loads(render("sarif", [r], policies))["runs"][0]["results"][0]["partialFingerprints"]

    assert fp("old wording") == fp("new wording")
    other = StackResult("p", "other", "program", [Finding("SES-005", URN, "old wording")])
    assert json.loads(render("sarif", [other], policies))["runs"][0]["results"][0][
        "partialFingerprints"
    ] != fp("x")


def test_sarif_without_a_resource_location_points_at_the_stack_config_file(
    policies: policyset.PolicySet,
) -> None:
    r = StackResult(
        "p", "prod", "program", [Finding("SES-005", URN, "m")], config_file="stacks/Pulumi.prod.yaml"
    )
    nowhere = StackResult(
        "p", "dev", "state", [Finding("SES-005", "urn:x::zzz", "m")], file="/tmp/state.json"
    )
    run = json.loads(render("sarif", [r, nowhere], policies))["runs"][0]
    first, second = (res["locations"][0]["physicalLocation"] for res in run["results"])
    assert first == {
        "artifactLocation": {"uri": "stacks/Pulumi.prod.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1},
    }
    assert second["artifactLocation"]["uri"] == "Pulumi.yaml"


# -- JUnit ----------------------------------------------------------------------------------


def test_junit_has_one_testcase_per_rule_per_stack(
    results: list[StackResult], policies: policyset.PolicySet
) -> None:
    root = ET.fromstring(render("junit", results, policies).encode())
    suites = root.findall("testsuite")
    assert len(suites) == len(results)
    for suite, result in zip(suites, results, strict=True):
        cases = suite.findall("testcase")
        rule_ids = {c.get("name", "").split()[0] for c in cases}
        assert {r.id for r in policies.rules} <= rule_ids
        assert len(cases) == len(rule_ids)
        failed = {c.get("name", "").split()[0] for c in cases if c.find("failure") is not None}
        assert failed == {f.rule for f in result.findings if f.blocking}
        assert int(suite.get("failures", "-1")) == len(failed)
    assert int(root.get("tests", "0")) == sum(len(s.findall("testcase")) for s in suites)


def test_junit_waived_is_skipped_and_advisory_is_output(
    results: list[StackResult], policies: policyset.PolicySet
) -> None:
    root = ET.fromstring(render("junit", [_waived_stack(results)], policies).encode())
    cases = {c.get("name", "").split()[0]: c for c in root.iter("testcase")}
    skipped = cases["SES-001"].find("skipped")
    assert skipped is not None and skipped.get("message") == "waived: legacy relay"
    assert cases["SES-003"].find("failure") is None
    assert "advisory" in (cases["SES-003"].findtext("system-out") or "")
    failure = cases["SES-005"].find("failure")
    assert failure is not None and "<acmetickets.com>" in (failure.text or "")


def test_junit_survives_control_characters(policies: policyset.PolicySet) -> None:
    r = StackResult("p", "s", "program", [Finding("SES-005", URN, "bad \x00\x07 bytes")])
    ET.fromstring(render("junit", [r], policies).encode())


# -- Markdown -------------------------------------------------------------------------------


def test_markdown_summary_first_then_stacks(
    results: list[StackResult], policies: policyset.PolicySet
) -> None:
    text = render("markdown", results, policies)
    assert text.index("| stack | source | result |") < text.index("\n### ")
    assert text.startswith("## sesguard: ❌ failed")
    for r in results:
        if r.findings:
            assert f"### {r.project}/{r.stack} " in text


def test_markdown_escapes_table_cells(results: list[StackResult], policies: policyset.PolicySet) -> None:
    text = render("markdown", [_waived_stack(results)], policies)
    row = next(line for line in text.splitlines() if "DMARC" in line and line.startswith("|"))
    assert "DMARC \\| p=none<br>for &lt;acmetickets.com&gt;" in row
    # An escaped pipe never splits the cell: the row has exactly the table's six separators.
    assert len(re.findall(r"(?<!\\)\|", row)) == 6
    assert "💤 waived: legacy relay" in text
    assert markdown_report.cell("a|b\r\nc") == "a\\|b<br>c"


# -- GitHub ---------------------------------------------------------------------------------


def test_github_annotations_and_escaping(
    results: list[StackResult], policies: policyset.PolicySet, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)  # no stack file here: every annotation points at line 1
    lines = render("github", [_waived_stack(results)], policies).splitlines()
    error = next(line for line in lines if line.startswith("::error "))
    assert error.startswith(
        "::error file=stacks/Pulumi.prod.yaml,line=1,title=SES-005 DMARC (ses-sender/prod)::"
    )
    assert error.endswith("::DMARC | p=none%0Afor <acmetickets.com> at 100%25 , : ok")
    assert any(line.startswith("::warning ") and "SES-003" in line for line in lines)
    notice = next(line for line in lines if line.startswith("::notice "))
    assert "waived (legacy relay)" in notice
    assert lines[-1] == summary_line([_waived_stack(results)])
    assert github_report.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert github_report.escape_data("a:b,c%d\r\n") == "a:b,c%25d%0D%0A"


def test_github_writes_the_step_summary_only_when_asked(
    tmp_path: Path, results: list[StackResult], policies: policyset.PolicySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render("github", results, policies)
    written = summary.read_text()
    assert written.startswith("earlier step\n## sesguard: ")
    assert written.endswith(render("markdown", results, policies))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    before = summary.read_text()
    render("github", results, policies)
    assert summary.read_text() == before


# -- text -----------------------------------------------------------------------------------


def test_text_has_colour_only_when_asked(results: list[StackResult], policies: policyset.PolicySet) -> None:
    plain = render("text", results, policies)
    assert "\x1b[" not in plain
    assert plain.rstrip().endswith(summary_line(results))
    assert "\x1b[" in render("text", results, policies, color=True)
    marked = StackResult(
        "p", "s", "program", [Finding("SES-005", URN, "value is [secret] and [bold]x[/bold]")]
    )
    assert "value is [secret] and [bold]x[/bold]" in render("text", [marked], policies)


# -- secrets --------------------------------------------------------------------------------


def _secret_document() -> dict:
    """A stack whose config and state hold a secret: Pulumi secret objects, with plaintext shown."""
    secret = {SECRET_SIG: SECRET_SIG_VALUE, "plaintext": json.dumps(SECRET_VALUE)}
    return new_document(
        source="state",
        project="ses-sender",
        stack="prod",
        region="us-east-1",
        config={
            "aws:region": "us-east-1",
            "ses-sender:smtpPassword": secret,
            "ses-sender:domain": SECRET_VALUE,
        },
        resources=[
            {
                "urn": "urn:pulumi:prod::ses-sender::aws:sesv2/emailIdentity:EmailIdentity::identity",
                "type": "aws:sesv2/emailIdentity:EmailIdentity",
                "props": {
                    "emailIdentity": secret,
                    "dkimSigningAttributes": {
                        "domainSigningPrivateKey": secret,
                        "domainSigningSelector": secret,
                    },
                },
            },
            {
                "urn": "urn:pulumi:prod::ses-sender::aws:route53/record:Record::dmarc",
                "type": "aws:route53/record:Record",
                "props": {"name": "_dmarc.example.com", "type": "TXT", "records": [secret]},
            },
        ],
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_format(
    fmt: str,
    engine: EmbeddedEngine,
    policies: policyset.PolicySet,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    doc = _secret_document()
    assert SECRET_VALUE not in json.dumps({k: v for k, v in doc.items() if k != "config"})
    result = _judge(engine, doc, config_file="stacks/Pulumi.prod.yaml")
    assert result.findings, "the planted stack should draw findings, or this test proves nothing"
    # Defence in depth: even a finding that quotes the secret is blanked when the caller names it.
    leaky = StackResult(
        "ses-sender", "prod", "state", [Finding("SES-005", URN, f"record {SECRET_VALUE} is weak")]
    )
    text = render(fmt, [result, leaky], policies, secrets=[SECRET_VALUE])
    assert SECRET_VALUE not in text
    assert SECRET_VALUE not in (tmp_path / "summary.md").read_text() if fmt == "github" else True
    marker = "\\[secret\\]" if fmt == "markdown" else "[secret]"  # Markdown escapes the brackets
    assert marker in render(fmt, [leaky], policies, secrets=[SECRET_VALUE])


# -- what an engine sends is data ---------------------------------------------------------------

_HOSTILE = "[click](https://evil.example) <img src=x onerror=alert(1)>\n# Heading\n@octo-team \x1b[31mred"


def _answered_stack() -> StackResult:
    """A finding of a rule the catalog lacks: its title and remediation are what a server sent."""
    f = Finding(
        "ORG-1",
        URN,
        "m",
        title="t [x](https://evil.example)",
        severity="high",
        enforcement="mandatory",
        remediation=_HOSTILE,
    )
    return StackResult("p", "s", "program", [f])


def test_markdown_escapes_an_answered_rules_remediation(policies: policyset.PolicySet) -> None:
    text = render("markdown", [_answered_stack()], policies)
    assert "[click](" not in text and "<img" not in text and "](https://evil" not in text
    assert not any(line.startswith("# ") for line in text.splitlines())
    assert "@octo-team" not in text and "\x1b" not in text


def test_sarif_escapes_an_answered_rules_help(policies: policyset.PolicySet) -> None:
    sarif = json.loads(render("sarif", [_answered_stack()], policies))
    rule = next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ORG-1")
    md = rule["help"]["markdown"]
    assert "[click](" not in md and "<img" not in md and "[x](" not in md and "\x1b" not in md


def test_text_shows_an_answered_rules_remediation_without_control_characters(
    policies: policyset.PolicySet,
) -> None:
    text = render("text", [_answered_stack()], policies)
    assert "\x1b" not in text and "\\x1b[31mred" in text
