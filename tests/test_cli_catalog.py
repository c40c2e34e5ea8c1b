"""`sesguard policies` (the rule catalog, and docs/rules.md kept equal to it) and `sesguard test`."""

from __future__ import annotations

import json
import re

from clirun import ROOT, sesguard

from sesguard import languages, policyset


def test_docs_rules_md_is_the_generated_catalog() -> None:
    run = sesguard("policies", "--format", "markdown")
    assert run.code == 0
    assert (ROOT / "docs" / "rules.md").read_text("utf-8") == run.stdout, (
        "docs/rules.md is stale: run `make docs`"
    )


def test_every_rule_has_the_anchor_its_url_points_to() -> None:
    text = sesguard("policies").stdout
    for rule in policyset.load().rules:
        anchor = rule.url.rsplit("#", 1)[1]
        assert f'<a id="{anchor}"></a>' in text
        assert f"`{rule.policy_name}`" in text


def test_json_catalog() -> None:
    run = sesguard("policies", "--format", "json")
    rules = json.loads(run.stdout)["rules"]
    assert [r["id"] for r in rules] == [r.id for r in policyset.load().rules]
    for r in rules:
        assert r["policy"] == f"{r['id'].lower()}-{r['slug']}"
        assert r["severity"] in ("low", "medium", "high", "critical")
        assert r["enforcement"] in ("mandatory", "advisory")
        assert r["title"] and r["remediation"]


def test_policies_output_file(tmp_path) -> None:
    out = tmp_path / "rules.md"
    run = sesguard("policies", "--output", str(out))
    assert run.code == 0 and out.read_text("utf-8").startswith("# sesguard rules")
    assert len(run.stdout.splitlines()) == 1


def test_sesguard_test_reports_counts_and_coverage() -> None:
    run = sesguard("test")
    last = run.stdout.rstrip().splitlines()[-1]
    m = re.fullmatch(r"(\d+) passed, (\d+) failed", last)
    assert m, last
    assert int(m.group(1)) > 0
    assert re.search(r"^  total\s+\d+\.\d%$", run.stdout, re.MULTILINE)
    assert run.code == (1 if int(m.group(2)) else 0)


def test_sesguard_test_coverage_minimum() -> None:
    run = sesguard("test", "--coverage-min", "100.1")
    assert run.code == 1
    assert "below the minimum 100.1%" in run.stdout


def test_catalog_shows_each_rules_snippet_per_language() -> None:
    text = sesguard("policies", "--format", "markdown").stdout
    sections = dict(re.findall(r'<a id="(ses-\d+)"></a>(.*?)(?=<a id=|\Z)', text, re.DOTALL))
    for rule in policyset.load().rules:
        section = sections[rule.id.lower()]
        for language, code in rule.remediation_code:
            label, fence = languages.LABELS[language]
            assert f"<summary>{label}</summary>\n\n```{fence}\n{code}\n```" in section, (rule.id, language)
        if not rule.remediation_code:
            assert "<details>" not in section
    assert sections["ses-021"].count("<details>") == 9
    catalog = json.loads(sesguard("policies", "--format", "json").stdout)["rules"]
    by_id = {r["id"]: r for r in catalog}
    terraform = by_id["SES-021"]["remediation_code"]["terraform"]
    assert terraform.startswith('resource "aws_cloudwatch_metric_alarm"')
