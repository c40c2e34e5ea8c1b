"""sesguard installed from its wheel into a fresh virtualenv outside the repository (issue 11).

Everything here runs the installed `sesguard` (or the installed pack) from temporary
directories: the policies, schemas and pack files must come from the wheel, never from this
checkout. The build is shared by the whole session (tests/installed.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nodeprojects
import packharness as ph
import pytest
from clirun import ROOT, sesguard
from installed import Installed, shared_install

from sesguard import policyset

# One worker runs this module (make test uses --dist loadgroup) while the other runs the rest.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("installed")]

FIXTURES = ROOT / "tests" / "fixtures"
EXPORTS = FIXTURES / "exports"
PROJECTS = FIXTURES / "projects"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Installed:
    base = tmp_path_factory.getbasetemp()
    shared = (base if worker_id == "master" else base.parent) / "sesguard-installed"
    return shared_install(shared)


def _env() -> dict[str, str]:
    drop = ("SESGUARD_POLICIES", "VIRTUAL_ENV", "PYTHONPATH", "OPA_TOKEN", "GITHUB_STEP_SUMMARY")
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(installed: Installed, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(installed.sesguard), *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


# --- the package -------------------------------------------------------------------------------


def test_the_wheel_carries_the_policies_not_the_example(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
        metadata = whl.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    rego = {n for n in names if n.startswith("sesguard_policies/") and n.endswith(".rego")}
    assert {f"sesguard_policies/{m}" for m, _ in policyset.load().modules} <= rego
    assert {f"sesguard_policies/{t}" for t, _ in policyset.load().tests} <= rego
    assert {"sesguard/schema/stack-v1.json", "sesguard/packfiles/__main__.py.tmpl"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith("infra/") for n in names)
    assert "License-Expression: Apache-2.0" in metadata
    assert 'Requires-Dist: opa-golib-python-bindings==0.4.4; python_version >= "3.14"' in metadata
    assert 'Requires-Dist: pulumi-aws==7.51.1; extra == "example"' in metadata
    sdist = next(installed.dist.glob("sesguard-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("/policies/ses/dmarc/dmarc_reject.rego") for n in tar.getnames())


def test_the_installed_package_reads_its_own_policies(installed: Installed, tmp_path: Path) -> None:
    code = (
        "import sesguard.policyset as p, sesguard.sources.pulumi.program as s; "
        "print(p.POLICY_DIR); print(s.__file__)"
    )
    done = subprocess.run(
        [str(installed.python), "-c", code],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    policy_dir, module = done.stdout.split()
    assert Path(policy_dir).is_relative_to(installed.pack / "venv")
    assert Path(module).is_relative_to(installed.pack / "venv")


# --- the installed command, from directories of its own ------------------------------------------


@pytest.mark.parametrize("stack", ["marketing", "prod"])
def test_check_state_gives_the_repository_report(installed: Installed, tmp_path: Path, stack: str) -> None:
    args = (
        "check",
        "--state",
        str(EXPORTS / f"{stack}.json"),
        "--config",
        str(ROOT / "stacks" / f"Pulumi.{stack}.yaml"),
        "--format",
        "json",
    )
    done = run(installed, *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    in_repo = sesguard(*args, cwd=tmp_path)
    assert json.loads(done.stdout) == json.loads(in_repo.stdout)


def test_policies_test_and_bundle_work(installed: Installed, tmp_path: Path) -> None:
    catalog = run(installed, "policies", "--format", "json", cwd=tmp_path)
    assert catalog.returncode == 0, catalog.stderr
    ids = [r["id"] for r in json.loads(catalog.stdout)["rules"]]
    assert ids == [r.id for r in policyset.load().rules]
    tests = run(installed, "test", cwd=tmp_path)
    assert tests.returncode == 0, tests.stdout[-2000:] + tests.stderr
    assert tests.stdout.rstrip().endswith(" 0 failed")
    bundle = run(installed, "bundle", "-o", str(tmp_path / "b.tar.gz"), cwd=tmp_path)
    assert bundle.returncode == 0, bundle.stderr
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        assert "/.manifest" in tar.getnames()


def test_an_empty_directory_is_exit_2_and_a_typescript_project_runs_under_node(
    installed: Installed, tmp_path: Path, node_modules: Path
) -> None:
    empty = run(installed, "check", cwd=tmp_path)
    assert empty.returncode == 2 and empty.stdout == "" and "no Pulumi.yaml" in empty.stderr
    ts = shutil.copytree(PROJECTS / "ts-app", tmp_path / "ts-app")
    done = run(installed, "check", cwd=ts)
    assert done.returncode == 2 and done.stdout == ""
    assert "no @pulumi/pulumi installed: run `npm install`" in done.stderr
    # The wheel carries the Node.js runner: the compliant TypeScript twin passes from it.
    mailer = nodeprojects.project("mailer-ts", tmp_path, node_modules)
    done = run(installed, "check", "--format", "json", cwd=mailer)
    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)["results"][0]["findings"]
    assert findings and all(f["location"]["file"] == "index.ts" for f in findings)


def test_a_project_runs_with_its_own_virtualenv(installed: Installed, tmp_path: Path) -> None:
    """The installed sesguard has no pulumi-aws; the project's virtualenv (this checkout's) has."""
    no_aws = subprocess.run(
        [str(installed.python), "-c", "import pulumi_aws"], capture_output=True, timeout=60
    )
    assert no_aws.returncode != 0
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    pulumi_yaml = project / "Pulumi.yaml"
    venv = ROOT / ".venv"
    pulumi_yaml.write_text(
        pulumi_yaml.read_text("utf-8").replace("toolchain: pip", f"toolchain: pip\n    virtualenv: {venv}"),
        "utf-8",
    )
    done = run(installed, "check", "--format", "json", cwd=project)
    assert done.returncode == 1, done.stderr
    [result] = json.loads(done.stdout)["results"]
    assert (result["project"], result["stack"]) == ("newsletter", "dev")
    assert {"SES-004", "SES-005", "SES-008"} <= {f["rule"] for f in result["findings"]}


def test_a_program_with_packages_named_like_sesguards_runs_from_the_activated_virtualenv(
    installed: Installed, tmp_path: Path
) -> None:
    """No virtualenv declared: the activated one (this checkout's, with pulumi-aws) runs the program,
    as under Pulumi; the program's own `checks`, `infra`, `tests` and `policies` are what it imports."""
    project = shutil.copytree(PROJECTS / "newsletter", tmp_path / "newsletter")
    names = ("checks", "infra", "tests", "policies")
    for name in names:
        (project / name).mkdir()
        (project / name / "__init__.py").write_text(f'OWNER = "the user"\nNAME = "{name}"\n', "utf-8")
    main = project / "__main__.py"
    check_own = "".join(f"import {n}\nassert {n}.OWNER == 'the user', {n}.__file__\n" for n in names)
    main.write_text(check_own + main.read_text("utf-8"), "utf-8")
    env = _env()
    env["PATH"] = os.pathsep.join([str(ROOT / ".venv" / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(ROOT / ".venv")
    done = subprocess.run(
        [str(installed.sesguard), "check", "--format", "json"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    [result] = json.loads(done.stdout)["results"]
    assert {"SES-004", "SES-005", "SES-008"} <= {f["rule"] for f in result["findings"]}


def test_a_terraform_directory_is_judged_from_the_installed_wheel(
    installed: Installed, tmp_path: Path
) -> None:
    """A Terraform repository (no Pulumi.yaml): `sesguard check` there judges its .tf files, with
    the HCL evaluator the wheel brings, and SARIF points at the module's own line."""
    work = shutil.copytree(
        FIXTURES / "terraform" / "hcl" / "trussworks",
        tmp_path / "infra",
        ignore=shutil.ignore_patterns("plan*"),
    )
    done = run(installed, "check", "--format", "sarif", cwd=work)
    assert done.returncode == 1, done.stderr
    results = json.loads(done.stdout)["runs"][0]["results"]
    dmarc = next(r for r in results if r["ruleId"] == "SES-005")
    where = dmarc["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "modules/ses-domain/main.tf"
    lines = (work / "modules" / "ses-domain" / "main.tf").read_text("utf-8").splitlines()
    assert lines[where["region"]["startLine"] - 1].startswith('resource "aws_route53_record" "txt_dmarc"')
    fixed = run(installed, "check", "--var-file", "reject.tfvars", "--format", "json", cwd=work)
    rules = {f["rule"] for r in json.loads(fixed.stdout)["results"] for f in r["findings"]}
    assert "SES-005" not in rules and "SES-011" in rules


def test_engine_install_says_what_it_runs(installed: Installed, tmp_path: Path) -> None:
    done = run(installed, "engine", "install", cwd=tmp_path)
    assert done.returncode == 0 and "already installed" in done.stdout


# --- the travelling pack, over gRPC ----------------------------------------------------------------


@pytest.fixture(scope="module")
def travelled(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ph.Pack]:
    doc = ph.load_fixture()
    pack = ph.start_pack(
        config=doc["config"],
        stderr_path=tmp_path_factory.mktemp("travelled") / "pack.stderr",
        python=str(installed.python),
        pack_dir=installed.pack,
    )
    try:
        yield pack
    finally:
        pack.close()


def test_the_pack_directory_is_self_contained(installed: Installed) -> None:
    main = (installed.pack / "__main__.py").read_text("utf-8")
    assert "sys.path" not in main and "from sesguard import pack" in main
    assert "virtualenv: venv" in (installed.pack / "PulumiPolicy.yaml").read_text("utf-8")
    # The pin is the wheel the user installed (PEP 610), which pip installed alone into the pack's
    # virtualenv (tests/installed.py: no --find-links); `sesguard==0.1.0` is on no index.
    digest = hashlib.sha256(installed.wheel.read_bytes()).hexdigest()
    pins = [
        line
        for line in (installed.pack / "requirements.txt").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert pins == [f"sesguard @ {installed.wheel.resolve().as_uri()}#sha256={digest}"]
    assert (installed.pack / "extra-policies" / "acme" / "sender_domains.rego").is_file()


def test_the_travelled_pack_lists_the_pack_and_the_organisation_rules(travelled: ph.Pack) -> None:
    names = {p.name for p in travelled.info().policies}
    assert {r.policy_name for r in policyset.load().rules} <= names
    assert "acme-001-sender-domains" in names


def test_the_travelled_pack_passes_a_compliant_stack(travelled: ph.Pack) -> None:
    travelled.configure({})
    diags = travelled.analyze_stack(ph.load_fixture()["resources"])
    assert [d for d in diags if d.level == "mandatory"] == []


def test_the_travelled_pack_names_the_broken_rule(travelled: ph.Pack) -> None:
    doc = ph.with_edit(ph.load_fixture(), lambda d: ph.drop(d, "aws:route53/record:Record", "dmarc"))
    diags = travelled.analyze_stack(doc["resources"])
    assert "ses-005-dmarc-reject" in {d.policy for d in diags if d.level == "mandatory"}


def test_the_travelled_pack_enforces_the_organisation_rule(travelled: ph.Pack) -> None:
    def shadow(d: dict) -> None:
        ph.find(d, "aws:sesv2/emailIdentity:EmailIdentity")["props"]["emailIdentity"] = "shadow.example.org"

    diags = travelled.analyze_stack(ph.with_edit(ph.load_fixture(), shadow)["resources"])
    assert "acme-001-sender-domains" in {d.policy for d in diags if d.level == "mandatory"}
