"""Hostile or odd inputs: exit 2, one escaped line on stderr, never a secret, never a traceback.

The stack documents are the repository's own fixture (tests/fixtures/compliant_stack.json, a
`sesguard check --document` input) with one place changed; the secret object is Pulumi's own
serialized form (`4dabf18193072939515e22adb298388d` marker, as in `pulumi stack export`).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from clirun import ROOT

from sesguard import cli
from sesguard.document import SECRET_SIG, SECRET_SIG_VALUE

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "compliant_stack.json"
PLAINTEXT = "hunter2-plaintext-password"
SECRET_OBJ = {SECRET_SIG: SECRET_SIG_VALUE, "plaintext": json.dumps(PLAINTEXT)}


def _doc() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text("utf-8"))


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def _check_document(doc: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "doc.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    code, out, err = _run(["check", "--document", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"sesguard: {path}: "), err
    return err


def _put(doc: dict[str, Any], place: str, value: Any) -> None:
    r = doc["resources"][0]
    targets = {
        "region": (doc, "region"),
        "project": (doc, "project"),
        "source": (doc, "source"),
        "resource name": (r, "name"),
        "resource parent": (r, "parent"),
        "resource dependency": (r, "dependencies"),
        "props": (r, "props"),
        "config": (doc, "config"),
        "facts": (doc, "facts"),
        "request": (doc, "request"),
    }
    obj, key = targets[place]
    obj[key] = [value] if place in ("resource dependency", "props", "config", "facts", "request") else value


@pytest.mark.parametrize(
    "place",
    [
        "region",
        "project",
        "source",
        "resource name",
        "resource parent",
        "resource dependency",
        "props",
        "config",
        "facts",
        "request",
    ],
)
def test_a_secret_in_a_malformed_document_never_reaches_stderr(
    place: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _doc()
    _put(doc, place, copy.deepcopy(SECRET_OBJ))
    err = _check_document(doc, tmp_path, capsys)
    assert PLAINTEXT not in err and SECRET_SIG not in err
    assert "not a sesguard/stack/v1 document at" in err


def test_a_long_value_in_a_schema_error_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _doc()
    doc["stack"] = {"token": "x" * 500}
    err = _check_document(doc, tmp_path, capsys)
    assert "xxxxxxxx" not in err and "at stack: expected string, found object" in err


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"a": ' * 500 + "1" + "}" * 500, "nested more than 100 levels deep"),
        ('{"schema": ' + "9" * 400 + "}", "a number of about 400 digits is too large"),
        ('{"schema": ' + "9" * 4200 + "}", "too large for a rule to compare"),
        ('{"schema": 1e400}', "NaN and Infinity are not numbers"),
    ],
    ids=["deep", "310-digits", "4200-digits", "1e400"],
)
def test_numbers_and_depth_beyond_limits(
    text: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert problem in _check_document(text, tmp_path, capsys)


def test_a_utf16_document_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(FIXTURE.read_text("utf-8").encode("utf-16"))
    code, _, err = _run(["check", "--document", str(path)], capsys)
    assert code == 2 and "the file is UTF-16 text; save it as UTF-8" in err


# --- waiver files (YAML) ------------------------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (BOMB, "aliases expand the document beyond 100,000 values"),
        ("- rule: SES-019\n  reason: r\n  rule: SES-020\n  expires: 2099-01-01\n", "appears twice"),
        ("[" * 600 + "]" * 600, "nested more than 100 levels deep"),
        ("- rule: SES-019\n  reason: r\n  expires: 2099-01-01\n  weight: .nan\n", "NaN and Infinity"),
        ("- rule: SES-019\n  n: " + "7" * 330 + "\n", "too large for a rule to compare"),
    ],
    ids=["alias-bomb", "duplicate-key", "600-levels", "nan", "330-digits"],
)
def test_a_hostile_waiver_file_is_refused(
    text: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(text, encoding="utf-8")
    code, out, err = _run(["check", "--document", str(FIXTURE), "--waivers", str(waivers)], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"sesguard: {waivers}: ") and err.count("\n") == 1, err
    assert problem in err
    assert "policies in" not in err


# --- stderr carries no control characters -------------------------------------------------------


def test_a_file_name_cannot_inject_a_workflow_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x\n::error file=a::forged\n::stop-commands::token\x1b[2J.json"
    code, _, err = _run(["check", "--document", str(path)], capsys)
    assert code == 2
    assert err.count("\n") == 1, err
    assert "\n::" not in err and "\x1b" not in err
    assert "\\n::error file=a::forged" in err


def test_opa_url_that_does_not_parse(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["check", "--document", str(FIXTURE), "--opa-url", "http://[::1"], capsys)
    assert code == 2 and err == "sesguard: OPA server (invalid URL): not a valid URL\n"


def test_a_secure_value_with_a_sibling_key_is_redacted() -> None:
    """`{secure: …, other: 1}` is still a secret: its ciphertext reaches neither program nor report."""
    from sesguard.sources.pulumi import program

    config = program.load_stack_config(ROOT, "prod")
    config["ses-sender:feedbackWebhookUrl"] = {"secure": "v1:AAABAxCIPHERTEXTzzz", "other": 1}
    doc = program.run_stack("prod", config_override=config)
    assert "CIPHERTEXT" not in json.dumps(doc)
    assert doc["config"]["ses-sender:feedbackWebhookUrl"] == "[secret]"


def test_duplicate_urns_are_refused_with_a_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _doc()
    doc["resources"].append(copy.deepcopy(doc["resources"][0]))
    err = _check_document(doc, tmp_path, capsys)
    assert f"the URN {doc['resources'][0]['urn']} is given to more than one resource" in err
    assert "eval_conflict_error" not in err


# --- thresholds only tighten, and say so ---------------------------------------------------------


def test_a_looser_threshold_option_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["check", "--document", str(FIXTURE), "--threshold", "bounce_rate=0.2"], capsys)
    assert code == 0
    assert err == (
        "sesguard: warning: --threshold bounce_rate=0.2: bounce_rate=0.2 is looser than the default 0.05; "
        "ignored (thresholds only tighten)\n"
    )


def test_stack_config_thresholds_that_change_nothing_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _doc()
    doc["config"]["sesguard:thresholds"] = {"bounce_rate": "0.02", "complaint_rate": 0.5, "bounce": 0.01}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = _run(["check", "--document", str(path)], capsys)
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert "sesguard:thresholds bounce_rate: not a number; ignored (the default 0.05 applies)" in lines[0]
    assert "complaint_rate=0.5 is looser than the default 0.001" in lines[1]
    assert "bounce: no such threshold" in lines[2]


def test_threshold_defaults_match_the_rego() -> None:
    from sesguard import policyset
    from sesguard.engine.embedded import EmbeddedEngine
    from sesguard.settings import DEFAULT_THRESHOLDS

    engine = EmbeddedEngine(policyset.load())
    try:
        assert engine.document("lib/result/default_thresholds") == DEFAULT_THRESHOLDS
    finally:
        engine.close()


# --- stack config files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("config:\n  aws:region: us-east-1\n".encode("utf-16"), "the file is UTF-16 text; save it as UTF-8"),
        (b"config:\n  aws:region: us-east-1\n  aws:region: eu-west-1\n", "'aws:region' appears twice"),
        (BOMB.replace("a: &a", "config:\n  a: &a").encode(), "aliases expand the document"),
    ],
    ids=["utf-16", "duplicate-key", "alias-bomb"],
)
def test_a_hostile_stack_file_is_refused(raw: bytes, problem: str, tmp_path: Path) -> None:
    from sesguard.errors import InputError
    from sesguard.sources.pulumi import program

    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n", "utf-8")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.x.yaml").write_bytes(raw)
    with pytest.raises(InputError) as err:
        program.load_stack_config(tmp_path, "x")
    assert problem in str(err.value) and "Pulumi.x.yaml" in str(err.value)


# --- nesting far past the limit: exit 2 for every source, never a crash -------------------------

_DEEP = 30_000
_DRIVER = """
import json, sys
from sesguard import cli
for args in json.loads(sys.argv[1]):
    code = cli.main(args)
    print(json.dumps([args[-1], code]), flush=True)
"""


def test_nesting_30000_deep_is_exit_2_for_every_source(tmp_path: Path) -> None:
    """libyaml's composer recursed in C: a template 30,000 deep was SIGSEGV (exit -11), not exit 2.

    One child process runs every source in turn, so a crash shows as its exit code (and the last
    case it printed names the one before the culprit).
    """
    import subprocess
    import sys

    flow = "[" * _DEEP + "]" * _DEEP
    files = {
        "flow.yaml": f"Resources: {flow}\n",
        "dashes.yaml": "Resources:\n  " + "- " * _DEEP + "x\n",
        "template.json": '{"Resources": ' + flow + "}\n",
        "aliases.yaml": "a0: &a0 "
        + "[" * 90
        + "]" * 90
        + "\n"
        + "".join(f"a{i}: &a{i} {'[' * 90}*a{i - 1}{']' * 90}\n" for i in range(1, 40)),
        "document.json": '{"schema": ' + flow + "}\n",
        "Pulumi.dev.yaml": f"config:\n  a: {flow}\n",
        "waivers.yaml": f"{flow}\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    org = tmp_path / "org"
    org.mkdir()
    (org / "deep.rego").write_text(
        "package ses.deep\n\n# METADATA\n# custom: " + flow + "\ndeny contains 1 if false\n", "utf-8"
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(f"name: p\nruntime: python\nx: {flow}\n", "utf-8")
    doc = str(FIXTURE)
    state = str(ROOT / "tests" / "fixtures" / "exports" / "dev.json")
    cases = [
        ["check", "--cloudformation", str(tmp_path / "flow.yaml")],
        ["check", "--cloudformation", str(tmp_path / "dashes.yaml")],
        ["check", "--cloudformation", str(tmp_path / "template.json")],
        ["check", "--cloudformation", str(tmp_path / "aliases.yaml")],
        ["check", "--document", str(tmp_path / "document.json")],
        ["check", "--preview", str(tmp_path / "document.json")],
        ["check", "--state", str(tmp_path / "document.json")],
        ["check", "--terraform", str(tmp_path / "document.json")],
        ["check", "--state", state, "--config", str(tmp_path / "Pulumi.dev.yaml")],
        ["check", "--document", doc, "--waivers", str(tmp_path / "waivers.yaml")],
        ["check", "--document", doc, "--extra-policies", str(org)],
        ["check", "--root", str(project)],
    ]
    proc = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    codes = dict(json.loads(line) for line in proc.stdout.splitlines())
    assert codes == {c[-1]: 2 for c in cases}, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == len(cases) and all("nested" in line for line in lines), proc.stderr
