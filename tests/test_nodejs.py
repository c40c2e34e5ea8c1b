"""Node.js programs (Pulumi.yaml `runtime: nodejs`) judged under @pulumi/pulumi's own mocks.

The projects are TypeScript twins of this suite's Python programs, laid out as `pulumi new
aws-typescript` writes them: tests/fixtures/projects/newsletter-ts (violating, twin of newsletter)
and mailer-ts (compliant, twin of tests/fixtures/precommit). They run with real npm packages
(@pulumi/pulumi, @pulumi/aws, typescript) installed once per machine (tests/nodeprojects.py), and
must give what their Python twins give: the same stack document, findings and fixes, with the
location of each `new aws....` call (file, line and column).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import nodeprojects
import pytest
from clirun import ROOT, sesguard

from sesguard import policyset
from sesguard.errors import SesguardError
from sesguard.sources.pulumi import program

PROJECTS = ROOT / "tests" / "fixtures" / "projects"
NEW_CALL = re.compile(r"new aws\.(\w+)\.(\w+)\(\s*(?:\"([^\"]+)\"|(\w+))")


def new_calls(source: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(type, name) of each `new aws.<module>.<Class>("name"` -> its line and column (1-based).

    The type's module and class are enough to tell resources apart (`aws:sns/topic:Topic`); a
    name that is a variable (a loop's) matches the resources of that call.
    """
    found = {}
    for number, text in enumerate(source.read_text("utf-8").splitlines(), start=1):
        for match in NEW_CALL.finditer(text):
            module, cls = match.group(1), match.group(2)
            found[(f"{module}/{cls}", match.group(3) or match.group(4))] = (number, match.start() + 1)
    return found


def call_of(calls: dict[tuple[str, str], tuple[int, int]], urn: str) -> tuple[int, int]:
    rtype, name = urn.split("::")[2], urn.rsplit("::", 1)[1]
    module, cls = rtype.split(":")[1].split("/")[0], rtype.rsplit(":", 1)[1]
    if (f"{module}/{cls}", name) in calls:
        return calls[(f"{module}/{cls}", name)]
    (only,) = [pos for (kind, _), pos in calls.items() if kind == f"{module}/{cls}"]
    return only


def findings(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (f["rule"], f["enforcement"], f["resource"], f["message"])
        for r in report["results"]
        for f in r["findings"]
    )


def without_locations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "location"} for r in doc["resources"]]


# Tests of what happens at run time need not pay TypeScript's type check (seconds of CPU: it
# reads all of @pulumi/aws's declarations); they run as a tsconfig with `noCheck` would.
TRANSPILE_ONLY = {"PULUMI_NODEJS_TRANSPILE_ONLY": "true"}


@pytest.fixture
def transpile_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in TRANSPILE_ONLY.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def newsletter(tmp_path: Path, node_modules: Path) -> Path:
    return nodeprojects.project("newsletter-ts", tmp_path, node_modules)


def set_option(project: Path, line: str) -> None:
    """Add a line under runtime.options in the project's Pulumi.yaml."""
    yaml = (project / "Pulumi.yaml").read_text("utf-8")
    yaml = yaml.replace("packagemanager: npm", f"packagemanager: npm\n    {line}")
    (project / "Pulumi.yaml").write_text(yaml, "utf-8")


def run_error(root: Path, stack: str = "dev") -> str:
    with pytest.raises(SesguardError) as caught:
        program.run_stack(stack, root)
    return str(caught.value)


# --- same as the Python twin --------------------------------------------------------------------


def test_the_typescript_twin_gives_the_python_programs_stack_document(newsletter: Path) -> None:
    ts = program.run_stack("dev", newsletter)
    py = program.run_stack("dev", PROJECTS / "newsletter")
    assert without_locations(ts) == without_locations(py)
    assert {k: v for k, v in ts.items() if k not in ("resources", "language", "config_file")} == {
        k: v for k, v in py.items() if k not in ("resources", "language", "config_file")
    }
    assert ts["language"] == "typescript"
    calls = new_calls(newsletter / "index.ts")
    located = [r for r in ts["resources"] if r["type"] != program.STACK_TYPE]
    assert len(located) == len(calls) == 2
    for r in located:
        line, column = call_of(calls, r["urn"])
        assert r["location"] == {"file": "index.ts", "line": line, "column": column}


def test_the_compliant_twin_passes_with_the_python_programs_findings(
    tmp_path: Path, node_modules: Path
) -> None:
    project = nodeprojects.project("mailer-ts", tmp_path, node_modules)
    ts = sesguard("check", "--format", "json", cwd=project)
    py = sesguard("check", "--format", "json", cwd=ROOT / "tests" / "fixtures" / "precommit")
    assert ts.code == py.code == 0, ts.stderr
    ts_report, py_report = json.loads(ts.stdout), json.loads(py.stdout)
    assert findings(ts_report) == findings(py_report) != []
    calls = new_calls(project / "index.ts")
    for f in ts_report["results"][0]["findings"]:
        line, column = call_of(calls, f["resource"])
        assert f["location"] == {"file": "index.ts", "line": line, "column": column}


def test_the_violating_twin_fails_with_the_same_findings_and_typescript_fixes(newsletter: Path) -> None:
    # One ts-node cache for the three runs: the program is type checked once.
    (newsletter.parent / "tmp").mkdir()
    cache = {"TMPDIR": str(newsletter.parent / "tmp")}
    ts = sesguard("check", "--format", "json", cwd=newsletter, env=cache)
    py = sesguard("check", "--format", "json", cwd=PROJECTS / "newsletter")
    assert ts.code == py.code == 1, ts.stderr
    assert findings(json.loads(ts.stdout)) == findings(json.loads(py.stdout))
    mandatory = {f[0] for f in findings(json.loads(ts.stdout)) if f[1] == "mandatory"}
    assert mandatory
    markdown = sesguard("check", "--format", "markdown", cwd=newsletter, env=cache)
    assert markdown.code == 1
    rules = {r.id: r for r in policyset.load().rules}
    for rid in mandatory:
        snippet = rules[rid].snippet("typescript")
        if snippet:
            assert snippet.strip() in markdown.stdout, rid
    assert "```typescript" in markdown.stdout and "```python" not in markdown.stdout
    github = sesguard("check", "--format", "github", cwd=newsletter, env=cache)
    line, column = new_calls(newsletter / "index.ts")[("sesv2/EmailIdentity", "newsletter")]
    assert f"::error file=index.ts,line={line},col={column},title=SES-004" in github.stdout


def test_a_program_modelled_on_a_public_one_gets_its_findings_in_its_own_module(
    tmp_path: Path, node_modules: Path
) -> None:
    """writer-ts (README: modelled on penxle/typie's ses.ts): DKIM CNAMEs inside an apply, DMARC
    p=none, MAIL FROM without REJECT_MESSAGE, a zone looked up by name from another module."""
    project = nodeprojects.project("writer-ts", tmp_path, node_modules)
    run = sesguard("check", "--format", "json", cwd=project, env=TRANSPILE_ONLY)
    assert run.code == 1, run.stderr
    found = {
        (f["rule"], (f["resource"] or "").rsplit("::", 1)[-1]): f
        for f in json.loads(run.stdout)["results"][0]["findings"]
        if f["enforcement"] == "mandatory"
    }
    calls = new_calls(project / "ses.ts")
    for rule, urn_name, call in [
        ("SES-004", "writer.example", ("sesv2/EmailIdentity", "writer.example")),
        ("SES-005", "dmarc", ("route53/Record", "dmarc")),
        ("SES-008", "writer.example", ("sesv2/EmailIdentityMailFromAttributes", "writer.example")),
    ]:
        line, column = calls[call]
        assert found[(rule, urn_name)]["location"] == {"file": "ses.ts", "line": line, "column": column}


def test_a_position_inside_node_modules_is_no_location(tmp_path: Path) -> None:
    # A resource a library declares (a component from node_modules) points at the config file,
    # never into node_modules, as for a Python library in the project's virtualenv.
    from sesguard.sources.common import positions

    lib = tmp_path / "node_modules" / "@pulumi" / "awsx" / "ec2" / "vpc.js"
    own = tmp_path / "index.ts"
    assert positions.from_file_uri(lib.as_uri(), 12, 5, tmp_path) is None
    assert positions.from_file_uri(own.as_uri(), 12, 5, tmp_path) == {
        "file": "index.ts",
        "line": 12,
        "column": 5,
    }


# One way to break each rule family, made the same way in the compliant twins: the TypeScript
# program must be judged exactly as its Python twin (tests/fixtures/precommit), finding by finding.
BROKEN = {
    "dkim-key-length": (
        "SES-003",
        ('"RSA_2048_BIT"', '"RSA_1024_BIT"'),
        ('"RSA_2048_BIT"', '"RSA_1024_BIT"'),
    ),
    "mail-from": (
        "SES-008",
        ('"REJECT_MESSAGE"', '"USE_DEFAULT_VALUE"'),
        ('"REJECT_MESSAGE"', '"USE_DEFAULT_VALUE"'),
    ),
    "feedback-events": (
        "SES-012",
        ('matchingEventTypes: ["BOUNCE", "COMPLAINT"]', 'matchingEventTypes: ["BOUNCE"]'),
        ('"matching_event_types": ["BOUNCE", "COMPLAINT"]', '"matching_event_types": ["BOUNCE"]'),
    ),
    "feedback-topic-policy": (
        "SES-014",
        ('Principal: { Service: "ses.amazonaws.com" }', 'Principal: { Service: "sns.amazonaws.com" }'),
        ('"Principal": {"Service": "ses.amazonaws.com"}', '"Principal": {"Service": "sns.amazonaws.com"}'),
    ),
    "suppression": (
        "SES-016",
        ('suppressedReasons: ["BOUNCE", "COMPLAINT"]', 'suppressedReasons: ["BOUNCE"]'),
        ('suppressed_reasons=["BOUNCE", "COMPLAINT"]', 'suppressed_reasons=["BOUNCE"]'),
    ),
    "reputation-metrics": (
        "SES-018",
        ("reputationMetricsEnabled: true", "reputationMetricsEnabled: false"),
        ('"reputation_metrics_enabled": True', '"reputation_metrics_enabled": False'),
    ),
    "alarms": (
        "SES-022",
        ('    ["complaint-rate", "Reputation.ComplaintRate", 0.001],\n', ""),
        ('    ("complaint-rate", "Reputation.ComplaintRate", 0.001),\n', ""),
    ),
}


@pytest.mark.usefixtures("transpile_only")
@pytest.mark.parametrize("family", sorted(BROKEN))
def test_each_rule_family_broken_in_typescript_is_judged_as_in_python(
    tmp_path: Path, node_modules: Path, engine: Any, family: str
) -> None:
    from sesguard import judging

    rule, (ts_old, ts_new), (py_old, py_new) = BROKEN[family]
    ts_project = nodeprojects.project("mailer-ts", tmp_path, node_modules)
    py_project = shutil.copytree(ROOT / "tests" / "fixtures" / "precommit", tmp_path / "mailer-py")
    for source, old, new in (
        (ts_project / "index.ts", ts_old, ts_new),
        (py_project / "__main__.py", py_old, py_new),
    ):
        text = source.read_text("utf-8")
        assert text.count(old) == 1, (source, old)
        source.write_text(text.replace(old, new), "utf-8")
    ts = judging.judge_one(program.run_stack("dev", ts_project), engine)
    py = judging.judge_one(program.run_stack("dev", py_project), engine)

    def seen(result: Any) -> list[tuple[str, str, str, str]]:
        return sorted((f.rule, f.enforcement, f.resource, f.message) for f in result.findings)

    assert seen(ts) == seen(py)
    broken = [f for f in ts.findings if f.rule == rule]
    assert broken, seen(ts)
    calls = new_calls(ts_project / "index.ts")
    for f in broken:
        if f.resource and f.location is not None:
            line, column = call_of(calls, f.resource)
            assert (f.location.file, f.location.line, f.location.column) == ("index.ts", line, column)


# --- the project's own TypeScript setup -----------------------------------------------------------


def test_plain_javascript_with_typescript_off_and_main_from_pulumi_yaml(newsletter: Path) -> None:
    source = (newsletter / "index.ts").read_text("utf-8")
    js = re.sub(r'import \* as (\w+) from "([^"]+)";', r'const \1 = require("\2");', source)
    js = js.replace("export const identity_arn =", "exports.identity_arn =")
    (newsletter / "src").mkdir()
    (newsletter / "src" / "main.js").write_text(js, "utf-8")
    (newsletter / "index.ts").unlink()
    yaml = (newsletter / "Pulumi.yaml").read_text("utf-8")
    yaml = yaml.replace("packagemanager: npm", "packagemanager: npm\n    typescript: false")
    (newsletter / "Pulumi.yaml").write_text(yaml + "main: src/main.js\n", "utf-8")
    doc = program.run_stack("dev", newsletter)
    py = program.run_stack("dev", PROJECTS / "newsletter")
    assert without_locations(doc) == without_locations(py)
    calls = new_calls(newsletter / "src" / "main.js")
    located = [r for r in doc["resources"] if r["type"] != program.STACK_TYPE]
    assert len(located) == 2
    for r in located:
        line, column = call_of(calls, r["urn"])
        assert r["location"] == {"file": "src/main.js", "line": line, "column": column}


def test_an_es_module_javascript_program(newsletter: Path) -> None:
    # package.json `type: module`: imported as an ES module, as Pulumi's run.js does. The SDK sends
    # no source position from an ES module, so findings point at the stack's config file.
    set_option(newsletter, "typescript: false")
    js = (newsletter / "index.ts").read_text("utf-8")
    (newsletter / "index.ts").unlink()
    (newsletter / "index.js").write_text(js, "utf-8")
    (newsletter / "package.json").write_text('{"name": "newsletter", "type": "module", "main": "index.js"}')
    doc = program.run_stack("dev", newsletter)
    assert without_locations(doc) == without_locations(program.run_stack("dev", PROJECTS / "newsletter"))


def test_an_es_module_typescript_program_is_exit_2_not_a_pass(newsletter: Path) -> None:
    (newsletter / "package.json").write_text('{"name": "newsletter", "type": "module", "main": "index.ts"}')
    assert "TypeScript ES module" in run_error(newsletter)


def test_a_type_error_is_exit_2_naming_the_file_and_line(newsletter: Path) -> None:
    source = (newsletter / "index.ts").read_text("utf-8")
    (newsletter / "index.ts").write_text(
        source.replace('configurationSetName: "newsletter",', "configurationSetName: 42,"), "utf-8"
    )
    line = next(n for n, t in enumerate(source.splitlines(), 1) if 'configurationSetName: "newsletter"' in t)
    run = sesguard("check", cwd=newsletter)
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert run.stderr.startswith(f"sesguard: index.ts:{line}: TypeScript error TS2322")


def test_the_tsconfig_option_is_the_projects_and_nocheck_skips_type_checking(newsletter: Path) -> None:
    source = (newsletter / "index.ts").read_text("utf-8")
    (newsletter / "index.ts").write_text(
        source.replace('tlsPolicy: "REQUIRE"', 'tlsPolicy: "REQUIRE" as unknown as number'), "utf-8"
    )
    assert "TS2322" in run_error(newsletter)
    config = json.loads((newsletter / "tsconfig.json").read_text("utf-8"))
    config["compilerOptions"]["noCheck"] = True
    (newsletter / "tsconfig.pulumi.json").write_text(json.dumps(config), "utf-8")
    set_option(newsletter, "tsconfig: tsconfig.pulumi.json")
    doc = program.run_stack("dev", newsletter)
    assert any(r["name"] == "newsletter" for r in doc["resources"])
    (newsletter / "tsconfig.pulumi.json").unlink()
    assert "tsconfig.pulumi.json" in run_error(newsletter)


def test_nodeargs_reach_node(newsletter: Path) -> None:
    set_option(newsletter, "nodeargs: --require ./preload.js")
    (newsletter / "preload.js").write_text('throw new Error("preloaded by nodeargs");\n', "utf-8")
    assert "preloaded by nodeargs" in run_error(newsletter)


# --- config, secrets, invokes ---------------------------------------------------------------------


@pytest.mark.usefixtures("transpile_only")
def test_config_secrets_and_the_answered_invokes(newsletter: Path) -> None:
    (newsletter / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  newsletter:domain: news.example.org\n"
        "  newsletter:token:\n    secure: v1:AAAAbm90LWEtcmVhbC1jaXBoZXJ0ZXh0\n",
        "utf-8",
    )
    extra = """
const token = config.requireSecret("token");
const region = aws.getRegionOutput().name;
const partition = aws.getPartitionOutput().partition;
const zone = aws.route53.getZoneOutput({ name: "news.example.org." });
const policy = aws.iam.getPolicyDocumentOutput({
    statements: [{
        sid: "SesPublish",
        actions: ["sns:Publish"],
        principals: [{ type: "Service", identifiers: ["ses.amazonaws.com"] }],
        resources: [pulumi.interpolate`arn:${partition}:sns:${region}:123456789012:feedback`],
        conditions: [{ test: "StringEquals", variable: "AWS:SourceAccount", values: ["123456789012"] }],
    }],
});
new aws.sns.Topic("feedback", { name: "feedback", policy: policy.json, displayName: token });
new aws.route53.Record("dmarc", {
    zoneId: zone.zoneId, name: pulumi.interpolate`_dmarc.${zone.name}`, type: "TXT", ttl: 300,
    records: ["v=DMARC1; p=reject"],
});
"""
    (newsletter / "index.ts").write_text((newsletter / "index.ts").read_text("utf-8") + extra, "utf-8")
    doc = program.run_stack("dev", newsletter)
    assert "v1:AAAA" not in json.dumps(doc)
    by_name = {r["name"]: r for r in doc["resources"]}
    topic = by_name["feedback"]["props"]
    assert topic["displayName"] == "[secret]"
    assert json.loads(topic["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SesPublish",
                "Effect": "Allow",
                "Action": "sns:Publish",
                "Resource": "arn:aws:sns:eu-west-1:123456789012:feedback",
                "Principal": {"Service": "ses.amazonaws.com"},
                "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}},
            }
        ],
    }
    record = by_name["dmarc"]["props"]
    assert record["name"] == "_dmarc.news.example.org"
    assert record["zoneId"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@pytest.mark.usefixtures("transpile_only")
def test_get_policy_document_is_rendered_as_the_provider_renders_it(newsletter: Path) -> None:
    """tests/fixtures/node/policy-document: statements.json rendered by Terraform's
    aws_iam_policy_document (the provider @pulumi/aws bridges) into expected.json (generate.py)."""
    fixture = ROOT / "tests" / "fixtures" / "node" / "policy-document"
    documents = json.loads((fixture / "statements.json").read_text("utf-8"))
    expected = json.loads((fixture / "expected.json").read_text("utf-8"))
    program_text = (newsletter / "index.ts").read_text("utf-8") + "".join(
        f"export const {name} = aws.iam.getPolicyDocumentOutput({{ statements: {json.dumps(statements)} }})"
        ".json;\n"
        for name, statements in documents.items()
    )
    (newsletter / "index.ts").write_text(program_text, "utf-8")
    stack = program.run_stack("dev", newsletter)["resources"][0]
    assert stack["type"] == program.STACK_TYPE
    assert {name: stack["props"][name] for name in expected} == expected


@pytest.mark.usefixtures("transpile_only")
def test_an_unanswered_invoke_is_exit_2_naming_it_and_the_preview_route(newsletter: Path) -> None:
    source = (newsletter / "index.ts").read_text("utf-8")
    (newsletter / "index.ts").write_text(
        source + "\nexport const vpc = aws.ec2.getVpcOutput({ default: true }).id;\n", "utf-8"
    )
    message = run_error(newsletter)
    assert "aws:ec2/getVpc:getVpc" in message and "sesguard check --preview -" in message


# --- fail closed ----------------------------------------------------------------------------------


def test_a_program_that_throws_is_exit_2_with_its_message(newsletter: Path) -> None:
    source = (newsletter / "index.ts").read_text("utf-8")
    (newsletter / "index.ts").write_text(
        source.replace("const domain", 'throw new Error("no domain configured");\nconst domain'), "utf-8"
    )
    run = sesguard("check", cwd=newsletter, env=TRANSPILE_ONLY)
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert "no domain configured" in run.stderr


@pytest.mark.usefixtures("transpile_only")
def test_a_missing_config_key_says_what_the_python_twin_says(newsletter: Path, tmp_path: Path) -> None:
    python = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter-py")
    for project in (newsletter, python):
        (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n", "utf-8")
    message = run_error(newsletter)
    assert message == run_error(python)
    assert "Missing required configuration variable 'newsletter:domain'" in message


@pytest.mark.usefixtures("transpile_only")
def test_an_apply_that_throws_late_is_exit_2(newsletter: Path) -> None:
    source = (newsletter / "index.ts").read_text("utf-8")
    late = '\nexport const late = identity.emailIdentity.apply((v) => { throw new Error("late " + v); });\n'
    (newsletter / "index.ts").write_text(source + late, "utf-8")
    assert "late news.example.org" in run_error(newsletter)


def test_a_package_the_program_needs_but_lacks_says_what_to_run(newsletter: Path) -> None:
    set_option(newsletter, "typescript: false")
    (newsletter / "index.ts").unlink()
    (newsletter / "package.json").write_text('{"name": "newsletter", "main": "index.js"}', "utf-8")
    (newsletter / "index.js").write_text('require("@pulumi/pulumi");\nrequire("@acme/mail");\n', "utf-8")
    message = run_error(newsletter)
    assert "Cannot find module '@acme/mail'" in message and "`npm install`" in message


def test_a_program_that_declares_nothing_is_never_a_pass(newsletter: Path) -> None:
    (newsletter / "index.ts").write_text('import * as pulumi from "@pulumi/pulumi";\n', "utf-8")
    run = sesguard("check", cwd=newsletter, env=TRANSPILE_ONLY)
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert "declared nothing under the mocks" in run.stderr


@pytest.mark.parametrize(
    ("lock", "command"),
    [
        ("package-lock.json", "npm ci"),
        ("yarn.lock", "yarn install"),
        ("pnpm-lock.yaml", "pnpm install"),
        (None, "npm install"),
    ],
)
def test_no_node_modules_is_exit_2_saying_what_to_run(tmp_path: Path, lock: str | None, command: str) -> None:
    project = nodeprojects.project("newsletter-ts", tmp_path, None)
    if lock:
        (project / lock).write_text("", "utf-8")
    run = sesguard("check", cwd=project)
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert f"`{command}" in run.stderr and "node_modules" in run.stderr


def test_no_node_is_exit_2_saying_what_to_install(tmp_path: Path, node_modules: Path) -> None:
    project = nodeprojects.project("newsletter-ts", tmp_path, node_modules)
    (project / "package-lock.json").write_text("", "utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    run = sesguard("check", cwd=project, env={"PATH": str(bin_dir)})
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert "`node` is not on PATH" in run.stderr and "`npm ci`" in run.stderr


@pytest.mark.parametrize("runtime", ["go", "dotnet", "java", "yaml"])
def test_other_runtimes_keep_the_preview_route(tmp_path: Path, runtime: str) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(f"name: p\nruntime: {runtime}\n", "utf-8")
    (project / "Pulumi.dev.yaml").write_text("config: {}\n", "utf-8")
    run = sesguard("check", cwd=project)
    assert run.code == 2 and len(run.err_lines) == 1
    assert f"runtime {runtime}" in run.stderr
    assert "pulumi preview --json --stack dev | sesguard check --preview -" in run.stderr
