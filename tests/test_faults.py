"""Fail closed under faults, and no secret in any report.

Each fault is injected where it really happens: the embedded OPA raising during an evaluation, an OPA
server cutting its answer off half way (tests/opa_rest_server.py "drop" mode), a forked worker dying
while it runs a stack's program. Each run must exit 2 with one line saying what failed, and the stacks
that were judged before the fault are still in the report. The command runs in-process through
``sesguard.cli.main`` so monkeypatched faults reach it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import builders
import pytest
from opa_rest_server import OpaRestServer

from sesguard import cli, policyset
from sesguard.document import SECRET
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.errors import EngineError

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")
PLAINTEXT = "s3cr3t-Pl4nted-V4lue-7f3a"
CIPHERTEXT = "v1:Q2lwaGVyVGV4dA==:Zm9yLXNlc2d1YXJkLWZhdWx0LXRlc3Rz"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err
    return code, out, err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("sesguard: ")]


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docs")
    return {
        "compliant": builders.write_json(folder / "compliant.json", builders.compliant_document()),
        "violating": builders.write_json(folder / "violating.json", builders.violating_document()),
    }


def project(root: Path, stacks: dict[str, str], program: str | None = None) -> Path:
    """A Pulumi project folder for ``check --root``: this repo's program, the given stack files."""
    (root / "stacks").mkdir(parents=True)
    # This repo's project without its virtualenv option: the program runs in the test's own Python.
    (root / "Pulumi.yaml").write_text("name: ses-sender\nruntime: python\nstackConfigDir: stacks\n", "utf-8")
    (root / "__main__.py").write_text(program or (ROOT / "__main__.py").read_text("utf-8"), "utf-8")
    for name, source in stacks.items():
        shutil.copy2(ROOT / "stacks" / f"Pulumi.{source}.yaml", root / "stacks" / f"Pulumi.{name}.yaml")
    return root


# --- engine raising ------------------------------------------------------------------------------


def _failing_opa(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    """Make the embedded OPA fail on its call number ``after + 1`` (the first ``after`` succeed)."""
    import opa_bindings

    # Below eval_document: the engine hands the bindings' native call text it encoded itself.
    real = opa_bindings.OpaEngine._call
    calls = {"n": 0}

    def call(self: Any, fn: Any, *args: Any) -> Any:
        if fn is self._lib.OpaEvalDocument:
            calls["n"] += 1
            if calls["n"] > after:
                raise opa_bindings.OpaError("eval_error", "simulated: runtime error in mid-evaluation")
        return real(self, fn, *args)

    monkeypatch.setattr(opa_bindings.OpaEngine, "_call", call)


def test_engine_raising_on_a_document_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, documents: dict[str, Path]
) -> None:
    _failing_opa(monkeypatch, after=0)
    code, out, err = run_cli(capsys, "check", "--document", str(documents["compliant"]), "--format", "json")
    assert code == 2
    assert out == ""
    [line] = error_lines(err)
    assert "simulated" in line and "OPA" in line


def test_engine_raising_with_an_unexpected_exception_still_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, documents: dict[str, Path]
) -> None:
    """An engine that fails in a way it does not itself name (a library bug) is still exit 2."""

    def broken(self: Any, document: Any) -> Any:
        raise EngineError("policy engine returned a finding without 'rule'")

    monkeypatch.setattr(EmbeddedEngine, "evaluate", broken)
    monkeypatch.setattr(EmbeddedEngine, "evaluate_encoded", broken)
    code, out, err = run_cli(capsys, "check", "--document", str(documents["violating"]), "--format", "sarif")
    assert code == 2 and out == ""
    assert len(error_lines(err)) == 1


def test_engine_raising_mid_run_still_reports_the_stacks_judged_before(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = project(tmp_path / "p", {"a-prod": "prod", "b-prod": "prod"})
    _failing_opa(monkeypatch, after=1)
    code, out, err = run_cli(capsys, "check", "--root", str(root), "--format", "json", "--jobs", "1")
    assert code == 2
    assert len(error_lines(err)) == 1
    assert [r["stack"] for r in json.loads(out)["results"]] == ["a-prod"]


# --- OPA server dropping the connection ----------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpaRestServer]:
    """A server serving the bundle `sesguard bundle` builds (its manifest names the pack's digest)."""
    from sesguard.bundle import build_bundle

    bundle = build_bundle(policyset.load(), tmp_path_factory.mktemp("bundle") / "sesguard.tar.gz")
    with OpaRestServer(hang_seconds=2.0, bundle=bundle) as srv:
        yield srv


def _check_against(
    capsys: pytest.CaptureFixture[str], server: OpaRestServer, documents: dict[str, Path], *extra: str
) -> tuple[int, str, str]:
    """`sesguard check` of the compliant document against the server's already loaded bundle."""
    return run_cli(
        capsys,
        "check",
        "--document",
        str(documents["compliant"]),
        "--opa-url",
        server.url,
        "--opa-bundle-loaded",
        *extra,
        "--format",
        "json",
    )


@pytest.mark.parametrize("fault", ["drop", "close", "garbage", "500"])
def test_opa_server_failing_mid_response_exits_2(
    capsys: pytest.CaptureFixture[str], server: OpaRestServer, documents: dict[str, Path], fault: str
) -> None:
    server.set_fault(fault, "/v1/data/sesguard/findings")
    try:
        code, out, err = _check_against(capsys, server, documents, "--opa-timeout", "5")
    finally:
        server.set_fault(None)
    assert code == 2, (fault, out, err)
    assert out == ""
    [line] = error_lines(err)
    assert server.url in line


def test_opa_server_healthy_again_passes(
    capsys: pytest.CaptureFixture[str], server: OpaRestServer, documents: dict[str, Path]
) -> None:
    """The fault tests above fail because of the fault, not because the server never worked."""
    code, out, _ = _check_against(capsys, server, documents)
    assert code == 0 and json.loads(out)["summary"]["stacks"] == 1


# --- a worker dying ------------------------------------------------------------------------------

_DYING_PROGRAM = """
import os
import runpy

import pulumi

if pulumi.get_stack() == "boom":
    os._exit(3)  # the worker vanishes without a word, as after the OOM killer
runpy.run_path({main!r}, run_name="__main__")
"""


def test_worker_dying_exits_2_and_reports_the_other_stacks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    program = _DYING_PROGRAM.format(main=str(ROOT / "__main__.py"))
    root = project(tmp_path / "p", {"alpha": "prod", "boom": "prod", "omega": "dev"}, program)
    code, out, err = run_cli(capsys, "check", "--root", str(root), "--format", "json", "--jobs", "2")
    assert code == 2
    report = json.loads(out)
    assert sorted(r["stack"] for r in report["results"]) == ["alpha", "omega"]
    [line] = error_lines(err)
    assert "boom" in line and "died" in line


def test_worker_dying_alone_is_not_a_pass(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    program = _DYING_PROGRAM.format(main=str(ROOT / "__main__.py"))
    root = project(tmp_path / "p", {"boom": "prod"}, program)
    code, _, err = run_cli(capsys, "check", "--root", str(root), "--format", "json", "--jobs", "1")
    assert code == 2
    assert "boom" in " ".join(error_lines(err))


# --- secrets -------------------------------------------------------------------------------------


def _secret_inputs(tmp_path: Path) -> dict[str, list[str]]:
    """check arguments per source, each with a secret planted where Pulumi would put one."""
    doc = builders.violating_document()
    topic = next(r["name"] for r in doc["resources"] if r["type"] == "aws:sns/topic:Topic")
    dmarc = next(r["name"] for r in doc["resources"] if "dmarc" in r["name"])
    state = builders.to_state(
        doc,
        {
            topic: {"kmsMasterKeyId": PLAINTEXT},
            dmarc: {"records": [f"v=DMARC1; p=none; rua=mailto:{PLAINTEXT}@example.com"]},
            "stray-address": {"emailIdentity": PLAINTEXT},
        },
        plaintext=True,
    )
    state_file = builders.write_json(tmp_path / "state.json", state)
    with_config = json.loads(json.dumps(doc))
    with_config["config"]["ses-sender:smtpPassword"] = builders.secret(PLAINTEXT, plaintext=True)
    document_file = builders.write_json(tmp_path / "document.json", with_config)
    preview = builders.to_preview(doc)
    preview["config"]["ses-sender:smtpPassword"] = SECRET
    for step in preview["steps"]:
        state_ = step["newState"]
        if state_["urn"].endswith(f"::{dmarc}"):
            state_["outputs"] = {**state_["outputs"], "records": [builders.secret(PLAINTEXT, plaintext=True)]}
    preview_file = builders.write_json(tmp_path / "preview.json", preview)
    root = project(tmp_path / "program", {})
    stack = (ROOT / "stacks" / "Pulumi.prod.yaml").read_text("utf-8")
    stack += f"  ses-sender:feedbackWebhookUrl:\n    secure: {CIPHERTEXT}\n"
    (root / "stacks" / "Pulumi.secretive.yaml").write_text(stack, "utf-8")
    return {
        "state": ["--state", str(state_file)],
        "document": ["--document", str(document_file)],
        "preview": ["--preview", str(preview_file)],
        "program": ["--root", str(root), "--stack", "secretive", "--jobs", "1"],
    }


@pytest.fixture(scope="module")
def secret_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return _secret_inputs(tmp_path_factory.mktemp("secrets"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("source", ["state", "document", "preview", "program"])
def test_planted_secret_never_appears_in_any_format(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    secret_inputs: dict[str, list[str]],
    source: str,
    fmt: str,
) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    output = tmp_path / f"report.{fmt}"
    code, out, err = run_cli(
        capsys, "check", *secret_inputs[source], "--format", fmt, "--output", str(output)
    )
    assert code in (0, 1), err
    everything = out + err + output.read_text("utf-8")
    if summary.exists():
        everything += summary.read_text("utf-8")
    assert PLAINTEXT not in everything
    assert CIPHERTEXT not in everything


@pytest.mark.parametrize("source", ["state", "program"])
def test_planted_secret_never_appears_on_stdout(
    capsys: pytest.CaptureFixture[str], secret_inputs: dict[str, list[str]], source: str
) -> None:
    """Without --output the report itself goes to stdout: still no secret."""
    for fmt in FORMATS:
        code, out, err = run_cli(capsys, "check", *secret_inputs[source], "--format", fmt)
        assert code in (0, 1), err
        assert PLAINTEXT not in out + err and CIPHERTEXT not in out + err, fmt
