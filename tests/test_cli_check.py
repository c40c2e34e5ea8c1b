"""`sesguard check` through the installed command: the program source, options, exit codes, and the
parallel runner's guarantees (stack order, a dead worker named, partial results still reported)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import builders
import pytest
from clirun import ROOT, sesguard

from sesguard.errors import SesguardError
from sesguard.sources.pulumi import parallel

STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
DOC = "tests/fixtures/check/program_prod.json"


def test_repository_stacks_pass() -> None:
    """`make check`: every stack in stacks/ through the program under mocks, in order, nothing blocking."""
    run = sesguard("check", "--format", "json")
    report = json.loads(run.stdout)
    blocking = [
        (r["stack"], f["rule"], f["message"])
        for r in report["results"]
        for f in r["findings"]
        if f["enforcement"] == "mandatory" and not f["waived"]
    ]
    assert blocking == []
    assert run.code == 0, run.stderr
    assert [(r["stack"], r["source"]) for r in report["results"]] == [(s, "program") for s in STACKS]
    assert report["summary"]["stacks"] == len(STACKS)


def test_selected_stacks_keep_their_order_and_jobs_do_not_change_the_report() -> None:
    one = sesguard("check", "--stack", "prod", "--stack", "dev", "--format", "json", "--jobs", "1")
    two = sesguard("check", "--stack", "prod", "--stack", "dev", "--format", "json", "--jobs", "2")
    assert [r["stack"] for r in json.loads(one.stdout)["results"]] == ["prod", "dev"]
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_text_report_summary_line() -> None:
    run = sesguard("check", "--stack", "dev")
    assert run.code == 0
    assert run.stdout.rstrip().splitlines()[-1].startswith("sesguard: 1 stack")


def test_unknown_stack_exits_2_with_one_line() -> None:
    run = sesguard("check", "--stack", "nope")
    assert run.code == 2 and run.stdout == ""
    assert len(run.err_lines) == 1 and "Pulumi.nope.yaml" in run.stderr


def test_a_broken_stack_still_reports_the_others(tmp_path: Path) -> None:
    good = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text("utf-8")
    root = builders.example_project(
        tmp_path, {"a-good": good, "b-broken": "config:\n  aws:region: [unclosed\n"}
    )
    run = sesguard("check", "--root", str(root), "--format", "json")
    assert run.code == 2
    assert [r["stack"] for r in json.loads(run.stdout)["results"]] == ["a-good"]
    assert len(run.err_lines) == 1 and "Pulumi.b-broken.yaml" in run.stderr


def test_output_file_gets_the_report_and_stdout_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = sesguard("check", "--document", DOC, "--format", "json", "--output", str(out))
    assert run.code == 0
    assert json.loads(out.read_text("utf-8"))["summary"]["stacks"] == 1
    assert len(run.stdout.splitlines()) == 1 and run.stdout.startswith("sesguard: 1 stack")


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    run = sesguard("check", "--document", DOC, "--output", str(tmp_path / "missing" / "r.json"))
    assert run.code == 2 and len(run.err_lines) == 1 and "cannot write the report" in run.stderr


@pytest.fixture
def violating(tmp_path: Path) -> str:
    return str(builders.write_json(tmp_path / "violating.json", builders.violating_document()))


def _findings(run: Any, rule: str) -> list[dict[str, Any]]:
    return [f for r in json.loads(run.stdout)["results"] for f in r["findings"] if f["rule"] == rule]


def test_level_options_change_the_gate(violating: str) -> None:
    advisory = sesguard("check", "--document", violating, "--format", "json", "--level", "SES-001=advisory")
    assert advisory.code == 0
    assert [f["enforcement"] for f in _findings(advisory, "SES-001")] == ["advisory"]
    disabled = sesguard("check", "--document", violating, "--format", "json", "--level", "ses-001=disabled")
    assert disabled.code == 0 and _findings(disabled, "SES-001") == []


def test_waiver_file_waives_and_an_expired_one_does_not(violating: str, tmp_path: Path) -> None:
    valid = tmp_path / "waivers.yaml"
    valid.write_text(
        "- rule: SES-001\n  reason: alerts address moves to a verified domain in Q3\n  expires: 2999-12-31\n"
    )
    run = sesguard("check", "--document", violating, "--format", "json", "--waivers", str(valid))
    assert run.code == 0, run.stdout
    assert [f["waived"] for f in _findings(run, "SES-001")] == [True]

    expired = tmp_path / "expired.json"
    expired.write_text(
        json.dumps({"waivers": [{"rule": "SES-001", "reason": "old", "expires": "2001-01-01"}]})
    )
    run = sesguard("check", "--document", violating, "--format", "json", "--waivers", str(expired))
    assert run.code == 1
    assert [f["waived"] for f in _findings(run, "SES-001")] == [False]


def test_stack_with_a_file_source_is_a_usage_error() -> None:
    run = sesguard("check", "--stack", "prod", "--document", DOC)
    assert run.code == 2 and len(run.err_lines) == 1


@pytest.mark.parametrize("source", ["--document", "--terraform", "--cloudformation"])
def test_root_with_a_source_that_has_no_pulumi_project_is_said_not_ignored(
    source: str, tmp_path: Path
) -> None:
    run = sesguard("check", source, DOC, "--root", str(tmp_path))
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert (
        f"--root names the Pulumi project: it applies to program mode, --state and --preview, not {source}"
        in (run.stderr)
    )


@pytest.mark.parametrize("make", ["missing", "file", "no-project"])
def test_a_root_that_is_not_a_pulumi_project_is_exit_2_for_a_state_file(make: str, tmp_path: Path) -> None:
    import builders

    state = builders.write_json(tmp_path / "state.json", builders.to_state(builders.compliant_document()))
    root = tmp_path / "project"
    if make == "file":
        root.write_text("not a folder", "utf-8")
    elif make == "no-project":
        root.mkdir()
    run = sesguard("check", "--state", str(state), "--root", str(root))
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1, run.stderr
    assert str(root) in run.stderr
    assert ("no Pulumi.yaml" if make == "no-project" else "not a directory") in run.stderr


@pytest.mark.parametrize(
    "args", [["--jobs", "0"], ["--preview", "a.json", "--state", "b.json"], ["--format", "xml"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    run = sesguard("check", *args)
    assert run.code == 2 and run.stdout == ""


def test_unreachable_opa_server_exits_2() -> None:
    run = sesguard("check", "--document", DOC, "--opa-url", "http://127.0.0.1:9", "--opa-timeout", "2")
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert "127.0.0.1:9" in run.stderr


# --- the parallel runner, in-process with a stand-in program ---------------------------------------


def _fake_run_stack(name: str, root: Any = None, config_override: Any = None) -> dict[str, Any]:
    print(f"program output for {name}")  # must not reach the report on stdout
    if name == "dies":
        os.kill(os.getpid(), signal.SIGKILL)
    if name == "fails":
        raise SesguardError("stacks/Pulumi.fails.yaml: invalid stack config: no senders")
    if name == "hangs":
        time.sleep(120)
    if name == "interrupted":  # Ctrl-C reaching a worker while the SDK's non-daemon threads run
        threading.Thread(target=time.sleep, args=(20,)).start()
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(20)
    if name == "slow":
        time.sleep(0.5)
    return {"stack": name, "pid": os.getpid()}


@pytest.fixture
def fake_program(monkeypatch: pytest.MonkeyPatch) -> None:
    from sesguard.sources.pulumi import program

    monkeypatch.setattr(program, "run_stack", _fake_run_stack)


def test_results_come_back_in_stack_order(fake_program: None) -> None:
    names = ["slow", "a", "b", "c"]
    outcomes = list(parallel.run_stacks(names, ROOT, jobs=2, progress=False))
    assert [o.stack for o in outcomes] == names
    assert [o.document["stack"] for o in outcomes if o.document] == names
    assert len({o.document["pid"] for o in outcomes if o.document}) == len(names)  # a fresh fork per stack


def test_a_dead_or_failing_worker_is_named_and_the_rest_still_returned(
    fake_program: None, capfd: pytest.CaptureFixture[str]
) -> None:
    documents, errors = parallel.run_all(["a", "dies", "fails", "b"], ROOT, jobs=2, progress=False)
    assert [d["stack"] for d in documents] == ["a", "b"]
    assert [str(e) for e in errors] == [
        "stack dies: the worker running it died (signal 9) before returning a result",
        "stacks/Pulumi.fails.yaml: invalid stack config: no senders",
    ]
    out, err = capfd.readouterr()
    assert "program output" not in out and "program output for a" in err


def test_sigint_in_a_worker_ends_it_at_once(fake_program: None) -> None:
    documents, errors = parallel.run_all(["interrupted", "a"], ROOT, jobs=2, timeout=60.0, progress=False)
    assert [d["stack"] for d in documents] == ["a"]
    assert [str(e) for e in errors] == [
        "stack interrupted: the worker running it died (signal 2) before returning a result"
    ]


def test_a_stuck_worker_is_stopped(fake_program: None) -> None:
    documents, errors = parallel.run_all(["hangs", "a"], ROOT, jobs=2, timeout=1.0, progress=False)
    assert [d["stack"] for d in documents] == ["a"]
    assert [str(e) for e in errors] == ["stack hangs: did not finish within 1 s"]
