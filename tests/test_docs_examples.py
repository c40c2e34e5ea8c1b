"""What the docs tell users to copy stays true (issue 22).

- Every reference to a sesguard release (the Action, the pre-commit rev, pip/pipx git URLs) names
  the one release the package version is: the repository carries that tag.
- Each GitHub Action the docs and action.yml use is used at one version everywhere.
- An example's expiry date does not expire within a year of the day the suite runs: a copied
  waiver that has already expired is itself a finding (SES-026).
"""

from __future__ import annotations

import datetime
import re
import tomllib
from pathlib import Path

from clirun import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
RELEASE = f"v{VERSION}"


def _lines(paths: list[Path]) -> list[tuple[str, int, str]]:
    return [
        (path.relative_to(ROOT).as_posix(), n, line)
        for path in paths
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
    ]


def test_every_release_reference_names_the_package_version() -> None:
    refs = []
    for where, n, line in _lines(DOCS):
        refs += [(where, n, m) for m in re.findall(r"sesguard/sesguard@([\w.\-]+)", line)]
        refs += [(where, n, m) for m in re.findall(r"github\.com/sesguard/sesguard@([\w.\-]+)", line)]
    text = (ROOT / "docs" / "ci.md").read_text("utf-8")
    pre_commit = re.search(r"repo: https://github\.com/sesguard/sesguard\n\s+rev: (\S+)", text)
    assert pre_commit is not None
    refs.append(("docs/ci.md", 0, pre_commit.group(1)))
    assert len(refs) >= 4
    assert [r for r in refs if r[2] != RELEASE] == []


def test_each_action_has_one_version_across_docs_and_the_action() -> None:
    seen: dict[str, set[str]] = {}
    for _, _, line in _lines([*DOCS, ROOT / "action.yml"]):
        for name, version in re.findall(r"uses:\s*([\w.\-]+/[\w.\-/]+)@([\w.\-]+)", line):
            seen.setdefault(name, set()).add(version)
    assert {name: v for name, v in seen.items() if len(v) > 1} == {}


def test_example_expiry_dates_hold_for_a_year() -> None:
    horizon = datetime.date.today() + datetime.timedelta(days=365)
    dates = []
    for where, n, line in _lines([*DOCS, *sorted((ROOT / "policies").rglob("*.rego"))]):
        if "expires" not in line.lower() or where.endswith("_test.rego"):
            continue
        dates += [(where, n, d) for d in re.findall(r"\b(20\d\d-[01]\d-[0-3]\d)\b", line)]
    assert dates, "the docs show waivers with an expiry date"
    assert [(w, n, d) for w, n, d in dates if datetime.date.fromisoformat(d) <= horizon] == []
