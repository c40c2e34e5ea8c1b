"""What a newcomer reads first is true: the README's commands, the docs' links, `--help` texts."""

from __future__ import annotations

import re

from clirun import ROOT, sesguard


def test_docs_link_only_to_files_in_the_repository() -> None:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text("utf-8")
        # DESIGN.md lives outside the repository: no doc may send a reader to it.
        assert "DESIGN.md" not in text, doc.name
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if not re.match(r"[a-z]+:", target):
                assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_readme_dns_example_names_the_region() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("sesguard dns ")]
    assert commands and all("--region" in c or "--stack" in c for c in commands)


def test_readme_says_what_make_check_prints() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "prints a table per stack" not in readme
    run = sesguard("check")
    assert run.code == 0
    assert "no findings" in run.stdout and "no findings" in readme
    summary = run.stdout.strip().splitlines()[-1]
    assert f"(`{summary}`)" in " ".join(readme.split())


def test_readme_has_a_use_it_in_ci_section_linking_docs_ci() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### Use it in CI", 1)[1].split("\n#", 1)[0]
    assert len([line for line in section.splitlines() if line.startswith("- ")]) == 3
    assert "(docs/ci.md)" in section


def test_status_help_offers_only_its_own_options() -> None:
    help_text = sesguard("status", "--help").stdout
    assert "--stack" not in help_text
    assert "--stack" in sesguard("audit", "--help").stdout


def test_benchmarks_cite_targets_not_issue_numbers() -> None:
    for path in [ROOT / "docs" / "benchmarks.md", *sorted((ROOT / "bench").glob("*.py"))]:
        assert not re.search(r"issue \d", path.read_text("utf-8")), path.name
