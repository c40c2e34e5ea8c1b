"""Which rule each `# METADATA` block annotates, as OPA attaches it (issue 20).

A `deny` without its own rule-scoped block carrying custom.id never reports (rego.metadata.rule()
has no custom.id), while the catalog lists the block: such a module is refused naming the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sesguard import policyset, regometa

META = """# METADATA
# title: T
# custom:
#   id: ORG-001
#   slug: s
#   severity: low
#   enforcement: advisory
#   remediation: r
"""
DENY = 'deny contains result.finding(rego.metadata.rule(), "", "m") if input.x\n'
HEAD = "package ses.org\n\nimport data.lib.result\n\n"


def test_a_deny_under_its_own_block_is_fine_whatever_lies_between() -> None:
    assert regometa.deny_problem("r.rego", HEAD + META + DENY) is None
    # OPA attaches a block to the next statement however many blank lines lie between.
    assert regometa.deny_problem("r.rego", HEAD + META + "\n\n" + DENY) is None


def test_a_block_above_package_annotates_the_package() -> None:
    text = META + HEAD + DENY
    deny_line = text.splitlines().index(DENY.rstrip()) + 1
    assert regometa.deny_problem("r.rego", text) == (
        f"r.rego:{deny_line}: `deny` without a # METADATA block of its own carrying custom.id, so it "
        "would never report (the block at line 1 with custom.id ORG-001 annotates the package): put "
        "`# METADATA` with title and custom id, slug, severity, enforcement and remediation directly "
        "above this `deny`, below `package ses.org`"
    )


def test_every_deny_needs_its_own_block() -> None:
    text = HEAD + META + DENY + "\n" + DENY
    problem = regometa.deny_problem("r.rego", text)
    assert problem is not None and problem.startswith(f"r.rego:{len(text.splitlines())}: `deny` without")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (HEAD + META + "_helper if true\n\n" + DENY, "annotates `_helper if true`, not a `deny`"),
        (HEAD + META.replace("# custom:", "# scope: document\n# custom:") + DENY, "has scope document"),
    ],
    ids=["helper", "document-scope"],
)
def test_a_block_with_an_id_on_anything_but_one_deny_is_refused(text: str, why: str) -> None:
    deny_line = text.splitlines().index(DENY.rstrip()) + 1
    problem = regometa.deny_problem("r.rego", text)
    assert problem is not None and problem.startswith(f"r.rego:{deny_line}: `deny` without")
    assert f"(the block at line 5 with custom.id ORG-001 {why}" in problem


def test_a_block_with_an_id_and_no_deny_at_all_is_refused() -> None:
    problem = regometa.deny_problem("r.rego", META + HEAD + "_helper if true\n")
    assert problem == (
        "r.rego:1: the # METADATA block with custom.id ORG-001 annotates the package, so ORG-001 "
        "would be listed but never report: put it directly above the `deny` it describes, below "
        "`package ses.org`, with no `scope` (or `scope: rule`)"
    )


def test_only_top_level_deny_heads_count() -> None:
    body = HEAD + "x := `\ndeny contains 1 if true\n`\n\nallow if {\n\tdeny := 1\n\tdeny == 1\n}\n"
    assert regometa.deny_problem("r.rego", body) is None


def test_the_pack_follows_the_same_contract() -> None:
    pack = policyset.load()
    for rel, text in pack.modules:
        assert regometa.deny_problem(rel, text) is None


def test_the_catalog_refuses_a_folder_whose_deny_cannot_report(tmp_path: Path) -> None:
    org = tmp_path / "org"
    org.mkdir()
    (org / "r.rego").write_text(META + HEAD + DENY, "utf-8")
    with pytest.raises(Exception, match=r"r\.rego:\d+: `deny` without a # METADATA block of its own"):
        policyset.load(None, (org,))
