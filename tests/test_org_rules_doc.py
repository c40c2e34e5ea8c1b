"""docs/org-rules.md: the complete organisation rule and its test, run as a user would (issue 20).

The doc's Rego blocks are written to a folder as the doc lays them out; the rule's tests pass under
`sesguard test`, the rule reports on a stack that breaks it and not on one that keeps it, and the
mistake the doc warns about (METADATA above `package`) is refused naming the file and line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sesguard import judging, policyset, regotest
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.errors import SesguardError

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "org-rules.md"
COMPLIANT = ROOT / "tests" / "fixtures" / "pack_compliant_stack.json"
_BLOCK = re.compile(r"^```rego\n# (org-rules/[\w./-]+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def write_doc_rules(into: Path) -> Path:
    """The doc's Rego files under ``into``; the folder the doc calls org-rules."""
    blocks = _BLOCK.findall(DOC.read_text("utf-8"))
    assert sorted(name for name, _ in blocks) == ["org-rules/owner_tag.rego", "org-rules/owner_tag_test.rego"]
    for name, body in blocks:
        path = into / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {name}\n{body}", "utf-8")
    return into / "org-rules"


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_doc_rules(tmp_path_factory.mktemp("doc"))


def test_the_doc_rule_passes_its_own_tests(org: Path) -> None:
    run = regotest.run(policyset.load(None, (org,)), coverage=False)
    mine = {o.name: o.passed for o in run.outcomes if o.name.startswith("data.ses.org_owner_tag_test.")}
    assert mine == {
        "data.ses.org_owner_tag_test.test_an_identity_without_a_team_is_denied": True,
        "data.ses.org_owner_tag_test.test_an_identity_with_a_team_passes": True,
    }
    assert [r.id for r in policyset.load(None, (org,)).rules if not r.builtin] == ["ORG-001"]


def test_the_doc_rule_reports_an_untagged_identity_and_passes_a_tagged_one(org: Path) -> None:
    doc = json.loads(COMPLIANT.read_text("utf-8"))
    engine = EmbeddedEngine(policyset.load(None, (org,)))
    try:
        untagged = judging.judge_one(doc, engine)
        for r in doc["resources"]:
            if r["type"] == "aws:sesv2/emailIdentity:EmailIdentity":
                r["props"]["tags"] = {"team": "payments"}
        tagged = judging.judge_one(doc, engine)
    finally:
        engine.close()
    assert [f.message for f in untagged.findings if f.rule == "ORG-001"] == [
        "identity identity has no team tag"
    ]
    assert not [f for f in tagged.findings if f.rule == "ORG-001"]


def test_the_mistake_the_doc_warns_about_is_refused(tmp_path: Path) -> None:
    org = write_doc_rules(tmp_path)
    rule = org / "owner_tag.rego"
    text = rule.read_text("utf-8")
    block = text[text.index("# METADATA") : text.index("deny contains")]
    moved = text.replace(block, "").replace(
        "package ses.org_owner_tag\n", block + "package ses.org_owner_tag\n"
    )
    rule.write_text(moved, "utf-8")
    deny_line = moved[: moved.index("deny contains")].count("\n") + 1
    with pytest.raises(SesguardError) as caught:
        policyset.load(None, (org,))
    message = str(caught.value)
    assert message.startswith(f"{rule}:{deny_line}: `deny` without a # METADATA block of its own")
    assert "the block at line 2 with custom.id ORG-001 annotates the package" in message
    assert message.endswith("directly above this `deny`, below `package ses.org_owner_tag`")
