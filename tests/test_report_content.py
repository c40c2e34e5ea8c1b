"""What a reviewer reads: order, fixes in the project's language, incomplete runs, escaping, --output.

Each test pins behaviour a user relies on in a PR: the most severe findings first (GitHub shows ten
error annotations per step), the fix in their own language, a run that failed part-way never shown
as passed, and stack text that cannot inject markup or terminal escapes into a report.
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import builders
import jsonschema
import pytest
from clirun import ROOT, SESGUARD, sesguard

from sesguard import languages, policyset
from sesguard.errors import EngineError, SesguardError
from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.report import FORMATS, output, render

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SARIF_SCHEMA = FIXTURES / "sarif-schema-2.1.0.json"
REPORT_SCHEMA = ROOT / "sesguard" / "schema" / "report-v1.json"
URN = "urn:pulumi:prod::shop::aws:sesv2/emailIdentity:EmailIdentity::shop"
PY = 'aws.route53.Record("dmarc", name="_dmarc.example.com", type="TXT", records=["v=DMARC1; p=reject"])'
TS = 'new aws.route53.Record("dmarc", { name: "_dmarc.example.com", type: "TXT", records: ["v=DMARC1"] });'
YAML = "dmarc:\n  type: aws:route53:Record\n  properties:\n    name: _dmarc.example.com\n    type: TXT"


@pytest.fixture(scope="module")
def policies() -> policyset.PolicySet:
    """The real catalog, with test snippets on SES-005 (the METADATA snippets are another change's)."""
    real = policyset.load()
    code = (("python", PY), ("typescript", TS), ("yaml", YAML))
    rules = tuple(replace(r, remediation_code=code) if r.id == "SES-005" else r for r in real.rules)
    return replace(real, rules=rules)


def _findings() -> list[Finding]:
    return [
        Finding("SES-019", URN, "advisory one", "t", "low", "advisory"),
        Finding("SES-003", URN, "waived one", "t", "critical", waived=True, waiver="legacy"),
        Finding("SES-011", URN, "medium mandatory", "t", "medium"),
        Finding("SES-005", URN, "critical mandatory", "t", "critical"),
        Finding("SES-002", URN, "high mandatory", "t", "high"),
        Finding("SES-001", URN, "critical mandatory too", "t", "critical"),
    ]


# -- order ----------------------------------------------------------------------------------------


def test_mandatory_first_then_severity_then_rule(policies: policyset.PolicySet) -> None:
    result = StackResult("shop", "prod", "program", _findings())
    data = json.loads(render("json", [result], policies))
    order = [f["rule"] for f in data["results"][0]["findings"]]
    assert order == ["SES-001", "SES-005", "SES-002", "SES-011", "SES-019", "SES-003"]


def test_github_annotations_most_severe_first_across_stacks(policies: policyset.PolicySet) -> None:
    low = StackResult("shop", "dev", "program", [Finding("SES-011", URN, "medium in dev", "t", "medium")])
    high = StackResult(
        "shop", "prod", "program", [Finding("SES-005", URN, "critical in prod", "t", "critical")]
    )
    lines = render("github", [low, high], policies).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert "critical in prod" in errors[0] and "medium in dev" in errors[1]


# -- fixes in the user's language ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("runtime", "shown", "not_shown"),
    [("nodejs", TS, PY), ("yaml", "type: aws:route53:Record", TS), ("python", PY, TS)],
)
@pytest.mark.parametrize("fmt", ["text", "markdown", "junit", "sarif"])
def test_fix_is_shown_in_the_projects_language(
    policies: policyset.PolicySet, runtime: str, shown: str, not_shown: str, fmt: str
) -> None:
    finding = Finding("SES-005", URN, "no DMARC record", "DMARC", "critical")
    result = StackResult("shop", "prod", "preview", [finding], language=languages.of_runtime(runtime))
    text = render(fmt, [result], policies)
    if fmt == "sarif":
        text = json.dumps(json.loads(text)["runs"][0]["tool"]["driver"]["rules"])
    elif fmt == "junit":
        text = "".join(ET.fromstring(text.encode()).itertext())
    first = shown.splitlines()[0].strip()
    assert first in text or json.dumps(first)[1:-1] in text
    assert not_shown not in text and json.dumps(not_shown)[1:-1] not in text


def test_language_option_overrides_the_documents_language(
    policies: policyset.PolicySet, capsys: pytest.CaptureFixture[str]
) -> None:
    finding = Finding("SES-005", URN, "no DMARC record", "DMARC", "critical")
    result = StackResult("shop", "prod", "program", [finding], language="python")
    assert output.emit([result], output.Reports(format="markdown"), policies) == 1
    assert PY in capsys.readouterr().out
    output.emit([result], output.Reports(format="markdown", language="typescript"), policies)
    text = capsys.readouterr().out
    assert TS in text and PY not in text
    neutral = StackResult("shop", "prod", "state", [finding])
    output.emit([neutral], output.Reports(format="markdown"), policies)
    text = capsys.readouterr().out
    assert TS not in text and PY not in text and policies.rule("SES-005").remediation.splitlines()[0] in text  # type: ignore[union-attr]


def test_language_option_is_checked() -> None:
    bad = sesguard(
        "check", "--state", str(FIXTURES / "locations" / "state-positions.json"), "--language", "cobol"
    )
    assert bad.code == 2 and "--language" in bad.stderr


def test_text_shows_fix_and_link_for_each_mandatory_finding(policies: policyset.PolicySet) -> None:
    result = StackResult("shop", "prod", "program", _findings())
    text = render("text", [result], policies)
    fixes = text[text.index("how to fix:") :]
    for rid in ("SES-001", "SES-005", "SES-002", "SES-011"):
        assert rid in fixes
        assert policies.rule(rid).url in fixes  # type: ignore[union-attr]
    assert "SES-019" not in fixes and "SES-003" not in fixes  # advisory and waived: no fix block


# -- incomplete runs ------------------------------------------------------------------------------

NOT_JUDGED = [NotJudged("staging", "stacks/Pulumi.staging.yaml: not valid YAML: found unclosed bracket")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_incomplete_run_says_so_in_every_format(
    fmt: str, policies: policyset.PolicySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    clean = StackResult("shop", "prod", "program", [])
    text = render(fmt, [clean], policies, not_judged=NOT_JUDGED)
    assert "staging" in text and "not valid YAML" in text
    # The stack that was judged may pass; the run's verdict never does.
    verdict = {
        "text": text.splitlines()[-1],
        "markdown": text.split("| stack |")[0],
        "github": text.splitlines()[-1],
    }
    assert "passed" not in verdict.get(fmt, "")
    if fmt == "json":
        data = json.loads(text)
        jsonschema.validate(data, json.loads(REPORT_SCHEMA.read_text("utf-8")))
        assert data["summary"]["complete"] is False
        assert data["summary"]["not_judged"] == [{"stack": "staging", "reason": NOT_JUDGED[0].reason}]
    elif fmt == "sarif":
        data = json.loads(text)
        jsonschema.validate(data, json.loads(SARIF_SCHEMA.read_text("utf-8")))
        invocation = data["runs"][0]["invocations"][0]
        assert invocation["executionSuccessful"] is False
        assert "staging" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    elif fmt == "junit":
        root = ET.fromstring(text.encode())
        assert root.get("errors") == "1"
        assert [e.get("message") for e in root.iter("error")] == [f"not judged: {NOT_JUDGED[0].reason}"]
    elif fmt == "markdown":
        assert text.startswith("## sesguard: ⛔ incomplete")
    elif fmt == "github":
        assert text.startswith("::error title=stack not judged::stack staging was not judged")
    assert "incomplete" in text or fmt in ("json", "sarif", "junit")


def test_complete_run_json_summary(policies: policyset.PolicySet) -> None:
    data = json.loads(render("json", [StackResult("shop", "prod", "program", [])], policies))
    assert data["summary"]["complete"] is True and data["summary"]["not_judged"] == []


def test_output_summary_line_never_says_passed_for_an_incomplete_run(tmp_path: Path) -> None:
    good = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text("utf-8")
    root = builders.example_project(
        tmp_path / "p", {"a-good": good, "b-broken": "config:\n  aws:region: [unclosed\n"}
    )
    md, js = tmp_path / "r.md", tmp_path / "r.json"
    run = sesguard("check", "--root", str(root), "--jobs", "1", "--output", str(md), "--output", str(js))
    assert run.code == 2
    assert "passed" not in run.stdout and "incomplete: 1 stack not judged (b-broken)" in run.stdout
    assert md.read_text("utf-8").startswith("## sesguard: ⛔ incomplete")
    assert json.loads(js.read_text("utf-8"))["summary"]["not_judged"][0]["stack"] == "b-broken"


# -- escaping -------------------------------------------------------------------------------------

HOSTILE_NAME = "urn:pulumi:prod::shop::aws:sesv2/emailIdentity:EmailIdentity::[click](https://evil.example/x)"
HOSTILE_MESSAGE = (
    "![img](https://evil.example/p.png) <img src=x onerror=alert(1)> @octocat @org/team #12 "
    "see https://evil.example and www.evil.example \x1b[31mred\x1b[0m \u202egnp.exe"
)


def test_markdown_cannot_be_injected(policies: policyset.PolicySet) -> None:
    result = StackResult(
        "shop", "prod\x1b[2J", "program", [Finding("SES-005", HOSTILE_NAME, HOSTILE_MESSAGE)]
    )
    text = render("markdown", [result], policies)
    assert "](https://evil" not in text and "![img]" not in text
    assert "<img" not in text
    assert not re.search(r"(?<![\w\u2060])@octocat", text) and "@\u2060octocat" in text
    assert "#\u206012" in text
    assert "https://evil.example " not in text and "www.evil" not in text
    assert "\x1b" not in text and "\u202e" not in text


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_terminal_escapes_never_pass_through(
    fmt: str, policies: policyset.PolicySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = StackResult(
        "shop",
        "prod\x1b]0;x\x07",
        "program",
        [Finding("SES-005", URN + "\x1b[1m", HOSTILE_MESSAGE, waived=True, waiver="r\x1b[0m")],
    )
    text = render(fmt, [result], policies, not_judged=[NotJudged("b\x1b[31m", "bad \x1b[0m\x9b")])
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\u202e" not in text
    shown = "\\\\x1b\\[31mred" if fmt == "markdown" else "\\x1b[31mred"  # Markdown escapes the backslash
    assert shown in text  # shown, not obeyed


# -- JUnit: rules that cannot judge the source ----------------------------------------------------


def test_junit_skips_rules_that_cannot_apply_to_a_state_run() -> None:
    run = sesguard(
        "check", "--state", str(FIXTURES / "locations" / "state-positions.json"), "--format", "junit"
    )
    assert run.code == 1
    cases = {c.get("name", "").split()[0]: c for c in ET.fromstring(run.stdout.encode()).iter("testcase")}
    for rid in (
        "SES-030",
        "SES-031",
        "SES-032",
        "SES-040",
        "SES-041",
        "SES-042",
        "SES-043",
        "SES-050",
        "SES-051",
        "SES-052",
    ):
        skipped = cases[rid].find("skipped")
        assert skipped is not None, rid
        assert "not applicable: judges only" in (skipped.get("message") or "")
    assert cases["SES-005"].find("failure") is not None
    assert cases["SES-001"].find("skipped") is None


# -- --output -------------------------------------------------------------------------------------


def test_one_run_writes_sarif_markdown_and_junit(tmp_path: Path) -> None:
    state = str(FIXTURES / "locations" / "state-positions.json")
    sarif, md, xml, txt = (
        tmp_path / "a.sarif",
        tmp_path / "comment.md",
        tmp_path / "junit.xml",
        tmp_path / "t",
    )
    run = sesguard(
        "check",
        "--state",
        state,
        "-o",
        str(sarif),
        "--output",
        str(md),
        "--output",
        str(xml),
        "--output",
        f"text={txt}",
    )
    assert run.code == 1, run.stderr
    assert run.stdout.splitlines() == [run.stdout.strip()] and run.stdout.startswith("sesguard: 1 stack")
    jsonschema.validate(json.loads(sarif.read_text("utf-8")), json.loads(SARIF_SCHEMA.read_text("utf-8")))
    assert md.read_text("utf-8").startswith("## sesguard: ❌ failed")
    assert ET.fromstring(xml.read_bytes()).tag == "testsuites"
    assert "how to fix:" in txt.read_text("utf-8")


def test_output_with_an_unknown_extension_is_one_line_exit_2(tmp_path: Path) -> None:
    state = str(FIXTURES / "locations" / "state-positions.json")
    run = sesguard(
        "check", "--state", state, "--output", str(tmp_path / "a.sarif"), "--output", str(tmp_path / "r.out")
    )
    assert run.code == 2 and len(run.err_lines) == 1 and "FORMAT=FILE" in run.stderr


# -- help -----------------------------------------------------------------------------------------


def test_help_texts_name_no_source_files() -> None:
    top = subprocess.run([str(SESGUARD), "--help"], capture_output=True, text=True, timeout=60, check=True)
    commands = re.search(r"\{([\w,]+)\}", top.stdout)
    assert commands
    for command in commands.group(1).split(","):
        text = subprocess.run(
            [str(SESGUARD), command, "--help"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        assert "sesguard/" not in text and ".rego" not in text.replace("_test.rego", ""), command
        assert not re.search(r"\b(?!__main__\.py)[\w/]+\.py\b", text), command
        assert "Rule." not in text and "matched by shape" not in text, command


class _EngineFailingOn:
    """A stand-in engine that judges stacks until it fails on one (as a server going away would)."""

    name = "stand-in"

    def __init__(self, failing: str) -> None:
        self.failing = failing

    def evaluate(self, document: dict) -> list[Finding]:
        if document["stack"] == self.failing:
            raise EngineError("policy engine went away")
        return []

    def close(self) -> None:
        pass


def test_every_stack_not_judged_is_named_with_its_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A worker that died, and an engine failing midway (the rest then never run): all named."""
    from sesguard import cli
    from sesguard.engine import factory
    from sesguard.sources.pulumi import parallel

    def outcomes(names: list[str], root: object, jobs: object) -> Iterator[parallel.Outcome]:
        for name in names:
            if name == "dies":
                yield parallel.Outcome(name, error=SesguardError(f"stack {name}: the worker running it died"))
            else:
                yield parallel.Outcome(name, document={"project": "shop", "stack": name, "source": "program"})

    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\nstackConfigDir: stacks\n", "utf-8")
    monkeypatch.setattr(parallel, "run_stacks", outcomes)
    monkeypatch.setattr(factory, "make_engine", lambda *args, **kwargs: _EngineFailingOn("b"))
    stacks = ["a", "dies", "b", "c"]
    argv = ["check", "--root", str(tmp_path), "--format", "json", *(f"--stack={s}" for s in stacks)]
    assert cli.main(argv) == 2
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["stacks"] == 1 and summary["complete"] is False
    assert [(n["stack"], n["reason"].split(":")[0]) for n in summary["not_judged"]] == [
        ("dies", "stack dies"),
        ("b", "the policy engine failed"),
        ("c", "not run"),
    ]
