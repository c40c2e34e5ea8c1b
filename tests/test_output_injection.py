"""No name from an input starts a line of output: workflow-command injection (issue 21).

A CI runner acts on a line of a step's output that starts with ``::`` after leading whitespace
(GitHub's ``ActionCommand.TryParseV2`` trims it) or holds ``##[`` anywhere (its legacy parser), so
a stack file name, a project or stack name, a resource name or a plan's file name holding a line
break (``\\n``, ``\\r``, U+0085, U+2028...) followed by ``::error ...`` or ``::add-mask::`` would
forge an annotation, mask the log or stop command processing. The documents are the repository's
compliant fixture with the names changed (and one DMARC record weakened so a finding is reported).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import builders
import pytest

from sesguard import cli, policyset
from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.report import render, summary_line

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "compliant_stack.json"
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def _forged(tag: str) -> str:
    """A name that tries every line break, a leading-blank command, and the legacy form."""
    return "".join(f"{b}::error file=x.py,line=1::{tag}{i}" for i, b in enumerate(BREAKS)) + (
        f" ##[error]{tag}-legacy"
    )


def _commands(text: str) -> list[str]:
    """The lines a runner takes for workflow commands (after any kind of line break)."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::") or "##[" in line]


def _document(tmp_path: Path) -> Path:
    doc: dict[str, Any] = json.loads(FIXTURE.read_text("utf-8"))
    doc["project"] = "shop" + _forged("project")
    doc["stack"] = "prod" + _forged("stack")
    for r in doc["resources"]:
        if r["name"] == "acmetickets-com-dns-dmarc":
            r["props"]["records"] = ["v=DMARC1; p=none; rua=mailto:a@acmetickets.com"]
    # A file name is at most 255 bytes: two breaks are enough to show it is escaped.
    path = tmp_path / "plan\n::error file=x.py,line=1::file\u2028::add-mask::y ##[error]z.json"
    path.write_text(json.dumps(doc), "utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_names_in_a_report_on_stdout_forge_no_command(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    code = cli.main(["check", "--document", str(_document(tmp_path)), "--format", fmt])
    out = capsys.readouterr().out
    assert code == 1
    assert "forged" not in "".join(c for c in _commands(out) if not c.startswith("::error file="))
    if fmt == "github":
        # sesguard's own annotation (escaped data) is the only command: one per finding.
        ours = [c for c in _commands(out) if c.startswith(("::error ", "::warning ", "::notice "))]
        assert len(ours) == len(_commands(out)) >= 1, out
    else:
        assert _commands(out) == [], out
        assert "stack shop\\x0a\\x3a:error" in out or "stack shop\\x0a::error" in out


def test_the_output_summary_line_forges_no_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --output only the summary line reaches stdout; it names each stack not judged."""
    root = builders.example_project(
        tmp_path / "p", {"x\n::error file=a.py,line=1::forged\u2028::add-mask::y": "config: [unclosed\n"}
    )
    report = tmp_path / "r.json"
    code = cli.main(["check", "--root", str(root), "--output", str(report)])
    out = capsys.readouterr().out
    assert code == 2 and out.count("\n") == 1 and _commands(out) == [], out
    assert "not judged (x\\x0a::error" in out


@pytest.fixture(scope="module")
def policies() -> policyset.PolicySet:
    return policyset.load()


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_stacks_not_judged_forge_no_command(fmt: str, policies: policyset.PolicySet) -> None:
    """A stack file's name is the stack's name: ``Pulumi.<name>.yaml`` may hold any character."""
    judged = StackResult(
        "p" + _forged("project"),
        "s" + _forged("stack"),
        "terraform",
        [Finding("SES-005", "urn:pulumi:s::p::aws:x::" + _forged("resource"), "m" + _forged("message"))],
        file="plan" + _forged("file") + ".json",
    )
    missing = [NotJudged("staging" + _forged("nj"), "not valid YAML" + _forged("reason"))]
    text = render(fmt, [judged], policies, not_judged=missing)
    lines = _commands(text)
    if fmt == "text":
        assert lines == [], text
    else:
        assert all(c.startswith(("::error ", "::warning ", "::notice ")) for c in lines), lines
        assert len(lines) == 2
    line = summary_line([judged], missing)
    assert line.count("\n") == 0 and _commands(line) == [] and "staging\\x0a" in line


def test_a_name_that_starts_with_a_command_does_not_start_a_line(policies: policyset.PolicySet) -> None:
    # No line break needed: a heading that began with the project name would be the command.
    r = StackResult("::error file=a.py,line=1::forged", "\u3164 ::add-mask::x", "program", [])
    text = render("text", [r], policies, not_judged=[NotJudged("::stop-commands::t", "r")])
    assert _commands(text) == [], text


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "markdown"])
def test_every_format_on_stdout_forges_no_command(fmt: str, policies: policyset.PolicySet) -> None:
    """`--format X` without --output puts the report on stdout: a CI log."""
    judged = StackResult(
        "p" + _forged("project"),
        "s" + _forged("stack"),
        "terraform",
        [Finding("SES-005", "urn:pulumi:s::p::aws:x::" + _forged("resource"), "m" + _forged("message"))],
        file="plan" + _forged("file") + ".json",
    )
    text = render(fmt, [judged], policies, not_judged=[NotJudged("st" + _forged("nj"), "r" + _forged("r"))])
    assert _commands(text) == [], _commands(text)
    if fmt in ("json", "sarif"):
        assert "##[error]project-legacy" in json.dumps(json.loads(text), ensure_ascii=False)


def test_other_commands_reports_on_stdout_forge_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`status`, `policies` and `test` write through output.write_report: an AWS error message or a
    rule title from an organisation's METADATA is a name from outside too."""
    from sesguard.report import output

    output.write_report("not read: GetAccount: " + _forged("aws") + "\n", None, "")
    # a JSON report with a raw U+2028 (json.dumps(ensure_ascii=False) leaves it) inside a string
    output.write_report('{"e": "x\u2028::error::y ##[error]z"}', None, "")
    out = capsys.readouterr().out
    assert _commands(out) == [], out
    assert json.loads(out.splitlines()[-1]) == {"e": "x\u2028::error::y ##[error]z"}


def test_a_stack_name_in_the_progress_display_is_text(capsys: pytest.CaptureFixture[str]) -> None:
    """The progress bar (a terminal only) shows each stack's name: rich read `[/x]` as markup and
    raised, and a line break moved the cursor."""
    from sesguard.sources.pulumi.parallel import _Progress

    bar = _Progress(2, True)
    bar.done("[/x]\n::error::y")
    bar.close()
    assert "\n::error" not in capsys.readouterr().err
