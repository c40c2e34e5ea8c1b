"""Start-up work a user waits for (issue 14): what a command imports, and when OPA compiles.

Behaviour, not timing: a cold `sesguard check` of a file imports no module it does not run (the
process's ``sys.modules`` when it exits), OPA's compilation
starts as soon as an engine has its policies and is never lost or doubled, and the policy pack's
start returns only with the policies compiled. The figures are in bench/ (docs/benchmarks.md).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import builders
import pytest
from clirun import sesguard

from sesguard import cli, pack, policyset
from sesguard.applicability import ONLY_FOR
from sesguard.document import SOURCES
from sesguard.engine import Settings
from sesguard.engine.embedded import EmbeddedEngine, modules_for
from sesguard.errors import EngineError
from sesguard.policyset import PolicySet

# What `check` of a file never runs: resolving names (dnspython and its httpx), the live account
# (boto3), the program under mocks and the pack (pulumi, grpc), the OPA server client, bundles.
NOT_FOR_FILE_CHECKS = (
    "yaml",  # PyYAML: only for a project's or a waiver's YAML, which a file outside a project has none of
    "dns",
    "httpx2",
    "checkdmarc",
    "boto3",
    "botocore",
    "pulumi",
    "pulumi_aws",
    "pulumi_policy",
    "grpc",
    "google.protobuf",
    "requests",
    "opa_client",
    "tarfile",
    "sesguard.sources.live.dns",
    "sesguard.sources.live.aws",
    "sesguard.sources.pulumi.program",
    "sesguard.sources.pulumi.parallel",
    "sesguard.engine.server",
    "sesguard.bundle",
    "sesguard.request",
    "sesguard.regotest",
    "sesguard.commands.dns",
    "sesguard.commands.audit",
    "sesguard.commands.bundle",
)


# The command line (sesguard.cli:main, which the installed command runs), then every module the process holds.
_RUN_AND_LIST = """
import json, sys
from sesguard.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    json.dump(sorted(sys.modules), f)
sys.exit(code)
"""


def imported_modules(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``sesguard ARGS`` in a new process; every module it imported (sys.modules at exit)."""
    listing = cwd / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST, str(listing), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "OPA_TOKEN"},
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    modules = set(json.loads(listing.read_text("utf-8")))
    assert "sesguard.cli" in modules
    return proc, modules


def _unneeded(modules: set[str], allowed: tuple[str, ...] = ()) -> list[str]:
    return sorted(
        m
        for m in modules
        for name in NOT_FOR_FILE_CHECKS
        if name not in allowed and (m == name or m.startswith(name + "."))
    )


@pytest.mark.parametrize(("source", "make"), [("state", builders.to_state), ("preview", builders.to_preview)])
def test_a_cold_file_check_imports_only_what_it_runs(source: str, make: Any, tmp_path: Path) -> None:
    path = builders.write_json(tmp_path / f"{source}.json", make(builders.compliant_document()))
    proc, modules = imported_modules("check", f"--{source}", str(path), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["summary"]["stacks"] == 1
    assert _unneeded(modules) == []
    # Nor is a stack document schema-validated when sesguard built it itself.
    assert "jsonschema" not in modules


def test_a_document_from_outside_is_still_validated_against_the_schema(tmp_path: Path) -> None:
    doc = builders.compliant_document()
    doc["resources"][0]["type"] = "not-a-type-token"
    path = builders.write_json(tmp_path / "doc.json", doc)
    proc, modules = imported_modules("check", "--document", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert "not a sesguard/stack/v1 document at resources/0/type" in proc.stderr
    assert _unneeded(modules) == []


def test_a_subcommand_imports_no_other_subcommand(tmp_path: Path) -> None:
    proc, modules = imported_modules("policies", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [
        m for m in modules if m.startswith("sesguard.commands.") and m != "sesguard.commands.options"
    ] == ["sesguard.commands.policies"]


@pytest.mark.parametrize("argv", [["--help"], ["-h", "check"]])
def test_top_level_help_still_lists_every_command(argv: list[str]) -> None:
    run = sesguard(*argv)
    assert run.code == 0
    assert "{" + ",".join(cli.COMMANDS) + "}" in run.stdout.replace("\n", "").replace(" ", "")


def test_an_unknown_command_is_still_one_error_listing_every_command() -> None:
    run = sesguard("chek")
    assert run.code == 2
    assert run.err_lines[-1].startswith("sesguard: error: argument command: invalid choice: 'chek'")
    assert all(f"'{name}'" in run.err_lines[-1] for name in cli.COMMANDS)


# --- compiling the policies --------------------------------------------------------------------


def test_a_compile_error_still_fails_the_first_evaluation() -> None:
    """The background compilation is only a head start: it must not swallow a broken policy."""
    policies = policyset.load()
    broken = dataclasses.replace(
        policies,
        modules=(
            *policies.modules,
            ("ses/broken.rego", "package ses.broken\nimport rego.v1\np if nosuch(1)\n"),
        ),
    )
    engine = EmbeddedEngine(broken)
    try:
        with pytest.raises(
            EngineError, match=r"^OPA evaluation of data\.sesguard\.findings failed: .*nosuch"
        ):
            engine.evaluate(builders.compliant_document())
        with pytest.raises(EngineError, match="nosuch"):  # and every evaluation after it
            engine.evaluate(builders.compliant_document())
    finally:
        engine.close()


def test_no_compilation_thread_runs_when_the_process_forks() -> None:
    """The program source forks a worker per stack and counts on no other thread running then."""
    alive_at_fork: list[bool] = []
    engine = EmbeddedEngine(policyset.load())
    os.register_at_fork(after_in_parent=lambda: alive_at_fork.append(engine._compiler.is_alive()))
    try:
        pid = os.fork()  # at once: the compilation takes far longer than this
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        assert alive_at_fork[-1] is False
    finally:
        engine.close()


def test_findings_do_not_depend_on_when_the_compilation_finishes(engine: EmbeddedEngine) -> None:
    """An evaluation sent while OPA still compiles gets the same findings as one sent later."""
    doc = builders.violating_document()
    fresh = EmbeddedEngine(policyset.load())
    try:
        assert fresh.evaluate(doc) == engine.evaluate(doc)
    finally:
        fresh.close()


class _SlowToCompile:
    """An engine whose compilation takes a while and says when it is done."""

    name = "slow"

    def __init__(self) -> None:
        self.compiled = False

    def prepare(self) -> None:
        time.sleep(0.3)
        self.compiled = True

    def evaluate(self, document: dict[str, Any]) -> list[Any]:
        return []

    def close(self) -> None:
        pass


def test_the_pack_starts_with_its_policies_compiled() -> None:
    """PolicyPack prints its port when ``policies`` returns: by then the engine must be compiled,
    so even an AnalyzeStack sent the moment the port appears pays no compilation."""
    engines: list[_SlowToCompile] = []

    def factory(_ps: PolicySet, _settings: Settings) -> _SlowToCompile:
        engines.append(_SlowToCompile())
        return engines[-1]

    evaluator = pack.StackEvaluator(policyset.load(), factory)
    pack.policies(evaluator.policyset, evaluator=evaluator, warm=True)
    assert [e.compiled for e in engines] == [True]


# --- compiling only the rules that can judge the run's source ----------------------------------

# The sources an engine may be built for before anything is read (check of a file, program mode,
# the pack), each of which leaves out the packages that judge only live, DNS or request documents.
_KNOWN_IN_ADVANCE = ("state", "preview", "program", "terraform", "cloudformation", "pack")


def _own_source_document(source: str) -> dict[str, Any]:
    """The compliant stack as a document of ``source``, with the facts that source brings."""
    doc = builders.compliant_document()
    doc["source"] = source
    doc["facts"] = (
        {"dns": {"domain": "acmetickets.com", "mailFrom": "mail.acmetickets.com", "queries": []}}
        if source == "dns"
        else {}
    )
    if source == "request":
        doc["request"] = {}
    return doc


@pytest.mark.parametrize("package", sorted(ONLY_FOR))
def test_a_package_for_one_source_cannot_fire_on_any_other(package: str, engine: EmbeddedEngine) -> None:
    """What lets an engine leave these packages out: their Rego guards on input.source."""
    own = ONLY_FOR[package][0]
    doc = _own_source_document(own)
    query = package.replace(".", "/") + "/deny"
    assert engine.document(query, doc), f"{package} draws nothing on its own source: the test proves nothing"
    for other in SOURCES:
        if other != own:
            assert engine.document(query, {**doc, "source": other}) == [], (package, other)


def test_an_engine_for_known_sources_compiles_less_and_finds_the_same(engine: EmbeddedEngine) -> None:
    import engine_corpus
    import mutations

    policies = policyset.load()
    from sesguard.sources.pulumi.program import run_stack

    prod = run_stack("prod")
    docs = engine_corpus.corpus()
    for m in mutations.MUTATIONS:
        mutated = copy.deepcopy(prod)
        m.apply(mutated)
        docs.append(mutated)
    for source in _KNOWN_IN_ADVANCE:
        kept = {path for path, _ in modules_for(policies, {source})}
        assert not any(path.startswith(("ses/live/", "ses/dns/", "ses/request/")) for path in kept)
        small = EmbeddedEngine(policies, sources={source})
        try:
            for doc in docs:
                relabelled = {**doc, "source": source}
                assert small.evaluate(relabelled) == engine.evaluate(relabelled), (source, doc.get("stack"))
        finally:
            small.close()


def test_an_engine_for_one_source_refuses_a_document_of_another() -> None:
    small = EmbeddedEngine(policyset.load(), sources={"state"})
    try:
        with pytest.raises(EngineError, match="judges state documents, not 'live'"):
            small.evaluate(_own_source_document("live"))
    finally:
        small.close()


def test_a_customised_pack_is_compiled_whole(tmp_path: Path) -> None:
    """Only the installed pack's guards are proven by its tests; a copy may have changed them."""
    policies = policyset.load()
    copy = dataclasses.replace(policies, root=tmp_path)
    assert modules_for(copy, {"state"}) == policies.modules
    assert modules_for(policies, None) == policies.modules


# --- ending the process --------------------------------------------------------------------------

_RUN_WITH_HANDLER = """
import atexit, sys
from sesguard import cli
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
sys.argv = ["sesguard", *sys.argv[1:]]
cli.run()
"""


@pytest.mark.parametrize(("doc", "code"), [("compliant", 0), ("violating", 1), ("broken", 2)])
def test_the_command_ends_with_its_exit_code_its_output_and_its_exit_handlers(
    doc: str, code: int, tmp_path: Path
) -> None:
    """`sesguard` skips Python's teardown of every module (about 0.2 s after a program run), and
    nothing else: the exit code, everything written, and the exit handlers are all still there."""
    documents = {
        "compliant": builders.compliant_document(),
        "violating": builders.violating_document(),
        "broken": {"schema": "sesguard/stack/v1"},
    }
    path = builders.write_json(tmp_path / "doc.json", documents[doc])
    report, sarif = tmp_path / "report.json", tmp_path / "report.sarif"
    argv = ["check", "--document", str(path), "--output", f"json={report}", "--output", f"sarif={sarif}"]
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_WITH_HANDLER, *argv],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.rstrip().endswith("exit handler ran")
    if code != 2:
        assert json.loads(report.read_text("utf-8"))["summary"]["stacks"] == 1
        assert json.loads(sarif.read_text("utf-8"))["version"] == "2.1.0"
        assert proc.stdout.startswith("sesguard: 1 stack,") and proc.stdout.endswith(("passed\n", "failed\n"))


def test_the_installed_command_is_the_one_that_ends_that_way() -> None:
    import tomllib

    scripts = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8"))
    assert scripts["project"]["scripts"]["sesguard"] == "sesguard.cli:run"
