"""A project's program under the Pulumi SDK in its own virtualenv, for every supported SDK (issue 20).

Pulumi SDKs before 3.254 call the function handed to ``run_in_stack``/``run_pulumi_func`` without
awaiting it; a runner that handed them a coroutine never ran the program, recorded only the Stack,
and passed a program with DMARC ``p=none``. Each supported SDK here is the real package from PyPI
in a virtualenv of its own (tests/sdk_venvs.py), pointed at by the project's
``runtime.options.virtualenv``, exactly as a user's project does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sdk_venvs

from sesguard import cli
from sesguard.sources.pulumi import sdk

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "fixtures" / "projects" / "stelvio-email"

# Each SDK with the newest pulumi-aws that accepts it (pulumi-aws 7.0 needs pulumi 3.165, 7.51.1
# needs 3.231): the oldest supported, one in the 3.200s, the last before 3.254, and the pinned one.
SDKS = {
    "3.150.0": "6.80.0",
    "3.200.0": "7.29.0",
    "3.253.0": "7.51.1",
    "3.272.0": "7.51.1",
}
BELOW_MINIMUM = "3.149.0"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session", params=sorted(SDKS, key=sdk.parse))
def sdk_venv(request: pytest.FixtureRequest) -> tuple[str, Path]:
    return request.param, sdk_venvs.venv(request.param, SDKS[request.param])


def project_with(venv: Path, tmp_path: Path) -> Path:
    project = shutil.copytree(PROJECT, tmp_path / "stelvio-email")
    pulumi_yaml = project / "Pulumi.yaml"
    pulumi_yaml.write_text(
        pulumi_yaml.read_text("utf-8").replace("toolchain: pip", f"toolchain: pip\n    virtualenv: {venv}"),
        "utf-8",
    )
    return project


def check(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", "--root", str(project), "--jobs", "1", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_dmarc_p_none_is_reported_under_every_supported_sdk(
    sdk_venv: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version, venv = sdk_venv
    code, out, err = check(capsys, project_with(venv, tmp_path), "--format", "json")
    assert code == 1, err
    [result] = json.loads(out)["results"]
    dmarc = [f for f in result["findings"] if f["rule"] == "SES-005"]
    assert dmarc, f"pulumi {version}: no SES-005 in {[f['rule'] for f in result['findings']]}"
    assert dmarc[0]["resource"].endswith("::email-dmarc-record")
    # The finding points at the program's line, not at the SDK's or pulumi-aws's code.
    assert dmarc[0]["location"]["file"].endswith("__main__.py")
    source = (PROJECT / "__main__.py").read_text("utf-8").splitlines()
    assert source[dmarc[0]["location"]["line"] - 1].startswith("aws.route53.Record(")


def test_an_sdk_older_than_the_minimum_is_exit_2_naming_both_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sdk.parse(BELOW_MINIMUM) < sdk.MINIMUM
    venv = sdk_venvs.venv(BELOW_MINIMUM, None)  # the check comes before the program imports pulumi-aws
    code, out, err = check(capsys, project_with(venv, tmp_path))
    assert code == 2 and out == ""
    minimum = ".".join(map(str, sdk.MINIMUM))
    assert f"pulumi {BELOW_MINIMUM}" in err and f"pulumi {minimum} or later" in err
    assert err.count("\n") == 1 and "Traceback" not in err


ASYNC_MAIN = """import pulumi
import pulumi_aws as aws


async def main() -> dict:
    dmarc = ["v=DMARC1; p=none"]
    aws.route53.Record("dmarc", zone_id="Z0123", name="_dmarc.example.net", type="TXT", records=dmarc)
    identity = aws.sesv2.EmailIdentity("identity", email_identity="example.net")
    return {"identity": identity.email_identity}


pulumi.run(main)
"""


def test_a_program_with_an_async_entry_point_is_run(tmp_path: Path) -> None:
    """`pulumi.run(main)` (SDK 3.254+) registers a coroutine the SDK's entry point awaits after the
    module: the runner uses that entry point, so the coroutine's resources are judged too."""
    from sesguard.sources.pulumi import program

    root = tmp_path / "asyncmain"
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: asyncmain\nruntime: python\n", "utf-8")
    (root / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n", "utf-8")
    (root / "__main__.py").write_text(ASYNC_MAIN, "utf-8")
    document = program.run_stack("dev", root)
    assert {r["name"] for r in document["resources"]} == {"asyncmain-dev", "dmarc", "identity"}
    [stack] = [r for r in document["resources"] if r["type"] == "pulumi:pulumi:Stack"]
    assert stack["props"] == {"identity": "example.net"}
