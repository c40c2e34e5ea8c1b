"""Malformed inputs: every one exits 2 with exactly one stderr line naming the file and the problem.

The corpus is tests/fixtures/bad/ (regenerate with tests/fixtures/bad/generate.py). Nothing is
printed on stdout: a pipeline reading the report must not mistake an error for an empty pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import ROOT, sesguard

BAD = Path("tests/fixtures/bad")

# file -> (source option, what the one line must say)
CORPUS = {
    "empty.json": ("preview", "file is empty"),
    "blank.json": ("state", "file is empty"),
    "latin1.json": ("preview", "not UTF-8 text (byte 0xe9"),
    "utf16.json": ("preview", "the file is UTF-16 text; save it as UTF-8"),
    "binary.json": ("document", "not UTF-8 text"),
    "truncated-preview.json": ("preview", "truncated JSON: the file ends at line 125"),
    "truncated-after-value.json": ("preview", "truncated JSON"),
    "trailing-comma.json": ("preview", "invalid JSON at line 1, column 14"),
    "nan.json": ("preview", "NaN is not valid JSON"),
    "deep.json": ("document", "nested more than 100 levels deep"),
    "preview-array.json": ("preview", "top level: expected a `pulumi preview --json` object, found array"),
    "preview-no-steps.json": ("preview", "no `steps` list"),
    "preview-steps-object.json": ("preview", "steps: expected an array, found object"),
    "preview-step-string.json": ("preview", "steps[0]: expected an object, found string"),
    "preview-no-type.json": ("preview", "steps[3].newState: resource without a type"),
    "preview-no-urn.json": ("preview", "steps[3].newState: resource without a URN"),
    "preview-bad-urn.json": ("preview", "steps[3].newState.urn: not a Pulumi URN"),
    "preview-type-mismatch.json": ("preview", "does not match its URN's type"),
    "preview-type-number.json": ("preview", "steps[3].newState.type: expected a string, found number"),
    "preview-inputs-array.json": ("preview", "steps[3].newState.inputs: expected an object, found array"),
    "preview-dependency-object.json": ("preview", "dependencies[0]: expected a URN string, found object"),
    "preview-config-string.json": ("preview", "config: expected an object, found string"),
    "preview-two-stacks.json": ("preview", "resources from more than one stack"),
    "state-version-4.json": ("state", "deployment version 4 is not supported (expected 3)"),
    "state-version-string.json": ("state", "version: expected a number, found string"),
    "state-no-version.json": ("state", "no deployment `version`"),
    "state-no-deployment.json": ("state", "deployment: expected an object, found null"),
    "state-no-resources.json": ("state", "deployment: no `resources` list"),
    "state-no-type.json": ("state", "deployment.resources[3]: resource without a type"),
    "state-outputs-string.json": (
        "state",
        "deployment.resources[3].outputs: expected an object, found string",
    ),
    "state-parent-number.json": ("state", "deployment.resources[3].parent: expected a string, found number"),
    "state-is-preview.json": ("state", "this looks like a preview: use --preview"),
    "document-no-schema.json": ("document", "at (document): missing 'schema'"),
    "document-bad-source.json": ("document", "at source: expected one of program, preview"),
    "document-bad-type.json": ("document", "at resources/1/type"),
    "document-props-null.json": ("document", "at resources/1/props"),
    "document-no-resources.json": ("document", "at (document): missing 'resources'"),
    "preview-no-steps.json#as-state": ("state", "no deployment `version`"),
    "state-version-4.json#as-preview": ("preview", "this looks like a stack export: use --state"),
}


def test_corpus_is_big_and_complete() -> None:
    files = {p.name for p in (ROOT / BAD).glob("*.json")}
    assert len(files) >= 20
    assert files == {name.split("#")[0] for name in CORPUS}


def _one_error_line(run, path: str, problem: str) -> None:
    assert run.code == 2, (run.stdout, run.stderr)
    assert run.stdout == ""
    assert len(run.err_lines) == 1, run.stderr
    assert run.err_lines[0].startswith(f"sesguard: {path}"), run.stderr
    assert problem in run.err_lines[0]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_malformed_input_exits_2_with_one_line(name: str) -> None:
    source, problem = CORPUS[name]
    path = str(BAD / name.split("#")[0])
    _one_error_line(sesguard("check", f"--{source}", path, "--format", "json"), path, problem)


@pytest.mark.parametrize("source", ["preview", "state", "document"])
def test_missing_file_and_directory(source: str) -> None:
    _one_error_line(
        sesguard("check", f"--{source}", "tests/fixtures/no-such.json"),
        "tests/fixtures/no-such.json",
        "no such file",
    )
    _one_error_line(sesguard("check", f"--{source}", "tests/fixtures"), "tests/fixtures", "is a directory")


def test_malformed_stdin_is_named_stdin() -> None:
    _one_error_line(sesguard("check", "--preview", "-", stdin='{"steps": ['), "<stdin>", "truncated JSON")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("waivers-bad.yaml", "not valid YAML or JSON at line 4"),
        ("waivers-mapping.yaml", "expected a list of waivers"),
    ],
)
def test_bad_waiver_file(name: str, problem: str) -> None:
    path = str(BAD / name)
    run = sesguard("check", "--document", "tests/fixtures/check/program_prod.json", "--waivers", path)
    _one_error_line(run, path, problem)


@pytest.mark.parametrize(
    "args",
    [
        ["--level", "SES-001"],
        ["--level", "SES-001=sometimes"],
        ["--level", "SES-999=advisory"],
        ["--threshold", "bounce_rate=lots"],
        ["--threshold", "=0.1"],
    ],
)
def test_bad_settings_exit_2(args: list[str]) -> None:
    run = sesguard("check", "--document", "tests/fixtures/check/program_prod.json", *args)
    assert run.code == 2 and run.stdout == ""
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith(f"sesguard: {args[0]}")
