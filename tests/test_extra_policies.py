"""Bring your own rules: --policies / SESGUARD_POLICIES and --extra-policies in every command (issue 11).

An organisation's rules follow the pack's METADATA contract; a colliding id, a rule without
METADATA, a package outside `ses.<name>` or Rego that does not compile is exit 2 with one line
naming the file.
"""

from __future__ import annotations

import json
import re
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import ROOT, sesguard

ORG = ROOT / "tests" / "fixtures" / "org-policies" / "acme"
COMPLIANT = ROOT / "tests" / "fixtures" / "pack_compliant_stack.json"

pytestmark = pytest.mark.slow


def shadow_document(tmp_path: Path) -> Path:
    """The compliant stack, sending from a domain outside ACME's registry."""
    doc = json.loads(COMPLIANT.read_text("utf-8"))
    for r in doc["resources"]:
        if r["type"] == "aws:sesv2/emailIdentity:EmailIdentity":
            r["props"]["emailIdentity"] = "shadow.example.org"
    path = tmp_path / "shadow.json"
    path.write_text(json.dumps(doc), "utf-8")
    return path


def org_copy(tmp_path: Path, name: str = "acme") -> Path:
    return Path(shutil.copytree(ORG, tmp_path / name))


def test_an_organisation_rule_fires_in_check(tmp_path: Path) -> None:
    run = sesguard(
        "check",
        "--document",
        str(shadow_document(tmp_path)),
        "--extra-policies",
        str(ORG),
        "--format",
        "json",
    )
    assert run.code == 1, run.stderr
    [result] = json.loads(run.stdout)["results"]
    assert [f["message"] for f in result["findings"] if f["rule"] == "ACME-001"] == [
        "identity shadow.example.org is not an ACME domain"
    ]
    # Without the organisation's rules the same stack has no ACME finding.
    plain = sesguard("check", "--document", str(shadow_document(tmp_path)), "--format", "json")
    assert all(f["rule"] != "ACME-001" for r in json.loads(plain.stdout)["results"] for f in r["findings"])


def test_an_organisation_rule_passes_a_compliant_stack() -> None:
    run = sesguard("check", "--document", str(COMPLIANT), "--extra-policies", str(ORG))
    assert run.code == 0, run.stdout + run.stderr


def test_level_accepts_an_organisation_rule_id(tmp_path: Path) -> None:
    doc = str(shadow_document(tmp_path))
    run = sesguard(
        "check",
        "--document",
        doc,
        "--extra-policies",
        str(ORG),
        "--level",
        "ACME-001=disabled",
        "--format",
        "json",
    )
    assert all(f["rule"] != "ACME-001" for r in json.loads(run.stdout)["results"] for f in r["findings"])
    unknown = sesguard("check", "--document", doc, "--level", "ACME-001=disabled")
    assert unknown.code == 2 and "no rule ACME-001" in unknown.stderr


def test_the_catalog_lists_organisation_rules() -> None:
    run = sesguard("policies", "--format", "json", "--extra-policies", str(ORG))
    assert run.code == 0, run.stderr
    rules = {r["id"]: r for r in json.loads(run.stdout)["rules"]}
    assert rules["ACME-001"]["policy"] == "acme-001-sender-domains"
    assert rules["ACME-001"]["file"] == "extra/acme/sender_domains.rego"
    # An organisation rule links to its own documentation (METADATA related_resources), not ours.
    assert rules["ACME-001"]["url"] == "https://wiki.acme.example/mail/sender-domains"
    assert rules["SES-005"]["file"].startswith("policies/ses/")
    markdown = sesguard("policies", "--format", "markdown", "--extra-policies", str(ORG)).stdout
    assert "## ACME-001: Sending domains are the organisation's own" in markdown


def test_test_and_bundle_include_organisation_rules(tmp_path: Path) -> None:
    run = sesguard("test", "--format", "json", "--extra-policies", str(ORG))
    assert run.code == 0, run.stdout[-2000:]
    names = {t["name"] for t in json.loads(run.stdout)["tests"]}
    assert any("acme_sender_domains_test" in n for n in names)
    out = tmp_path / "bundle.tar.gz"
    assert sesguard("bundle", "-o", str(out), "--extra-policies", str(ORG)).code == 0
    with tarfile.open(out) as tar:
        assert "/extra/acme/sender_domains.rego" in tar.getnames()


def test_a_customised_copy_of_the_pack(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(ROOT / "policies", tmp_path / "pack"))
    rule = copy / "ses" / "dmarc" / "dmarc_reject.rego"
    rule.write_text(
        rule.read_text("utf-8").replace("enforcement: mandatory", "enforcement: advisory", 1), "utf-8"
    )

    def level(*args: str, env: dict[str, str] | None = None) -> str:
        run = sesguard("policies", "--format", "json", *args, env=env)
        assert run.code == 0, run.stderr
        return {r["id"]: r for r in json.loads(run.stdout)["rules"]}["SES-005"]["enforcement"]

    assert level() == "mandatory"
    assert level("--policies", str(copy)) == "advisory"
    assert level(env={"SESGUARD_POLICIES": str(copy)}) == "advisory"


def test_a_customised_pack_that_does_not_compile_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(ROOT / "policies", tmp_path / "pack"))
    rule = copy / "ses" / "dmarc" / "dmarc_reject.rego"
    rule.write_text(rule.read_text("utf-8") + "\ndeny contains x if {\n", "utf-8")
    run = sesguard("policies", "--policies", str(copy))
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1
    assert f"Rego does not compile: {rule}:" in run.stderr


def _metadata_above_package(text: str) -> str:
    """The rule's METADATA moved above `package`: OPA then attaches it to the package, not `deny`."""
    block = text[text.index("# METADATA") : text.index("deny contains")]
    package = "package ses.acme_sender_domains\n"
    return text.replace(block, "").replace(package, block + package)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("id: ACME-001", "id: SES-005"), "collides with the pack's SES-* ids"),
        (lambda t: t.replace("# METADATA\n", "# (no metadata)\n"), "`deny` without a # METADATA block"),
        (lambda t: t.replace("package ses.acme_sender_domains", "package ses.acme.domains"), "ses.<name>"),
        (lambda t: t.replace("\tis_string(d)\n", "\tis_string(d\n"), "Rego does not compile"),
        (
            lambda t: t.replace("\tis_string(d)\n", "\tis_string(e)\n"),
            "rego_unsafe_var_error: var e is unsafe",
        ),
        (lambda t: t.replace("\tis_string(d)\n", "\tcount([d] | [d]) == 2\n"), "rego_type_error"),
        (lambda t: t.replace("  slug: sender-domains\n", ""), "METADATA lacks slug"),
        (_metadata_above_package, "with custom.id ACME-001 annotates the package"),
        (
            lambda t: t + '\ndeny contains result.finding(rego.metadata.rule(), "", "second") if input.x\n',
            "`deny` without a # METADATA block of its own",
        ),
    ],
    ids=[
        "ses-id",
        "no-metadata",
        "nested-package",
        "parse-error",
        "unsafe-var",
        "type-error",
        "no-slug",
        "metadata-above-package",
        "second-deny",
    ],
)
def test_a_bad_organisation_rule_is_exit_2_naming_the_file(
    tmp_path: Path, edit: Callable[[str], str], expected: str
) -> None:
    org = org_copy(tmp_path)
    rule = org / "sender_domains.rego"
    rule.write_text(edit(rule.read_text("utf-8")), "utf-8")
    for command in (["policies"], ["check", "--document", str(COMPLIANT)], ["test"]):
        run = sesguard(*command, "--extra-policies", str(org))
        assert run.code == 2 and run.stdout == ""
        assert len(run.err_lines) == 1, run.stderr
        assert str(rule) in run.stderr and expected in run.stderr
        if "METADATA block of its own" in expected or "annotates" in expected:
            assert re.search(rf"{re.escape(str(rule))}:\d+: ", run.stderr), run.stderr  # and the line


def test_a_test_that_does_not_compile_is_one_line_not_a_compilation_per_test(tmp_path: Path) -> None:
    """OPA refuses the whole set at once: `sesguard test` says so once (before, every one of the
    pack's tests recompiled everything and failed alike, which took minutes)."""
    from sesguard import policyset, regotest
    from sesguard.errors import SesguardError

    org = org_copy(tmp_path)
    test = org / "sender_domains_test.rego"
    test.write_text(test.read_text("utf-8") + "\ntest_broken if {\n\tx := [1] | [2]\n\tcount(x) == 2\n}\n")
    run = sesguard("test", "--extra-policies", str(org))
    assert run.code == 2 and run.stdout == "" and len(run.err_lines) == 1, run.stderr
    assert f"Rego does not compile: {test}:" in run.stderr and "rego_type_error" in run.stderr
    # The runner itself refuses such a set, whoever calls it.
    loaded = policyset.load(None, (org,))
    with pytest.raises(SesguardError, match=r"Rego does not compile: .*sender_domains_test\.rego"):
        regotest.run(loaded)


def test_several_compilation_errors_are_one_line_naming_the_first_and_counting_the_rest() -> None:
    from sesguard import policyset

    policies = policyset.load()
    message = (
        "policies in /x: bundle activation failed: 3 errors occurred:\n"
        "lib/dmarc.rego:151: rego_type_error: undefined function data.lib.dns.at\n"
        "lib/dmarc.rego:153: rego_type_error: undefined function data.lib.dns.at\n"
        "lib/mail.rego:28: rego_type_error: undefined function data.lib.dns.normalize"
    )
    first = "151: rego_type_error: undefined function data.lib.dns.at"
    assert policyset.compile_message(policies, message.replace("/x", str(policies.root))) == (
        f"{policies.root / 'lib/dmarc.rego'}:{first} (and 2 more)"
    )


def test_two_folders_defining_one_id_is_exit_2(tmp_path: Path) -> None:
    first, second = org_copy(tmp_path / "a"), org_copy(tmp_path / "b", "acme2")
    for path in second.glob("*.rego"):
        path.write_text(path.read_text("utf-8").replace("acme_sender_domains", "acme_other"), "utf-8")
    run = sesguard("policies", "--extra-policies", str(first), "--extra-policies", str(second))
    assert run.code == 2 and "ACME-001 is already defined" in run.stderr and len(run.err_lines) == 1


@pytest.mark.parametrize(
    ("package", "expected"),
    [
        ("lib.waivers", "package lib.waivers is the pack's own"),
        ("ses.waivers_test", "package ses.waivers_test is the pack's own"),
        ("acme.tests", "an organisation test's package must be under `ses.` or `lib.`"),
    ],
    ids=["pack-module-package", "pack-test-package", "outside-ses-and-lib"],
)
def test_an_organisation_test_follows_the_package_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], package: str, expected: str
) -> None:
    """A test file in lib.waivers merged into the pack's own package and broke 16 of its tests."""
    from sesguard import cli

    org = org_copy(tmp_path)
    stray = org / "stray_test.rego"
    stray.write_text(f'package {package}\n\ntoday := "2000-01-01"\n\ntest_x if true\n', "utf-8")
    for command in (["test"], ["policies"]):
        code = cli.main([*command, "--extra-policies", str(org)])
        out = capsys.readouterr()
        assert code == 2 and out.out == "" and out.err.count("\n") == 1, out.err
        assert str(stray) in out.err and expected in out.err
