"""Organisation Rego stays off the network and out of the environment; its print() is one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sesguard import builtins_guard, cli, policyset

ROOT = Path(__file__).resolve().parent.parent
ORG = ROOT / "tests" / "fixtures" / "org-policies" / "acme"
COMPLIANT = ROOT / "tests" / "fixtures" / "pack_compliant_stack.json"

CALLS = {
    "http.send": '\thttp.send({"method": "GET", "url": "http://127.0.0.1:9/leak"}).status_code == 200\n',
    "net.lookup_ip_addr": '\tcount(net.lookup_ip_addr("example.com")) > 0\n',
    "opa.runtime": '\topa.runtime().env.AWS_SECRET_ACCESS_KEY != ""\n',
}


def _org(tmp_path: Path, body: str) -> Path:
    org = Path(shutil.copytree(ORG, tmp_path / "acme"))
    rule = org / "sender_domains.rego"
    rule.write_text(rule.read_text("utf-8").replace("\tis_string(d)\n", "\tis_string(d)\n" + body), "utf-8")
    return org


@pytest.mark.parametrize("builtin", sorted(CALLS))
def test_a_rule_calling_a_network_or_runtime_builtin_is_refused(
    tmp_path: Path, builtin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    org = _org(tmp_path, CALLS[builtin])
    rule = org / "sender_domains.rego"
    line = rule.read_text("utf-8").splitlines().index(CALLS[builtin].rstrip("\n")) + 1
    commands = [
        ["policies"],
        ["bundle", "-o", str(tmp_path / "b.tar.gz")],
        ["check", "--document", str(COMPLIANT)],
    ]
    for command in commands:
        assert cli.main([*command, "--extra-policies", str(org)]) == 2, command
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1, err
        assert f"{rule}:{line}: calls {builtin}, which " in err and "--allow-network-builtins" in err


def test_the_flag_allows_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = _org(tmp_path, CALLS["opa.runtime"])
    assert cli.main(["policies", "--extra-policies", str(org), "--allow-network-builtins"]) == 0
    capsys.readouterr()


def test_names_in_comments_and_strings_are_not_calls() -> None:
    text = 'package ses.x\n\n# http.send is not called here\nmsg := "opa.runtime() and net.lookup_ip_addr"\n'
    assert builtins_guard.problem([("x.rego", text)], Path) is None
    raw = "package ses.x\n\nmsg := `http.send`\n"
    assert builtins_guard.problem([("x.rego", raw)], Path) is None


def test_the_installed_pack_calls_none() -> None:
    pack = policyset.load()
    assert builtins_guard.problem(pack.modules + pack.tests, pack.path_of) is None


def test_rego_print_is_one_escaped_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = _org(tmp_path, '\tprint("\\u001b[31mred\\n::error::injected", d)\n')
    cli.main(["check", "--document", str(COMPLIANT), "--extra-policies", str(org), "--format", "json"])
    err = capsys.readouterr().err
    printed = [line for line in err.splitlines() if "rego print" in line]
    assert printed, err
    assert "\x1b" not in err and not any(line.startswith("::error::") for line in err.splitlines())
    assert all(line.startswith("sesguard: rego print: ") for line in printed)
