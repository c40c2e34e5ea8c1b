"""`sesguard pack init`: names cannot inject into the pack's files, and --force replaces only what
pack init wrote (issue 21). In-process: the command is file writing, no engine runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sesguard import cli

ORG = Path(__file__).resolve().parent / "fixtures" / "org-policies" / "acme"


def _init(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["pack", "init", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", ["pack\nruntime: nodejs", "pack\r::error::x", "pack\u2028x", "pack\x85x"])
def test_a_line_break_in_the_directory_name_is_refused(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _init(capsys, str(tmp_path / name))
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "holds a line break or control character" in err
    assert list(tmp_path.iterdir()) == []


def test_a_line_break_in_the_requirement_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _init(capsys, str(tmp_path / "pack"), "--requirement", "sesguard==0.1.0\nevil==6.6.6")
    assert code == 2 and "--requirement holds a line break" in err
    assert not (tmp_path / "pack").exists()


def test_the_written_pack_names_its_directory_in_a_comment_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "pack: {runtime: nodejs} #"
    code, _, err = _init(capsys, str(target))
    assert code == 0, err
    data = yaml.safe_load((target / "PulumiPolicy.yaml").read_text("utf-8"))
    assert data["runtime"]["name"] == "python" and set(data) == {"runtime", "version", "description"}


@pytest.mark.parametrize("mine", ["__main__.py", "requirements.txt", ".gitignore", "PulumiPolicy.yaml"])
def test_force_never_overwrites_a_projects_own_file(
    mine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / mine).write_text("the project's own\n", "utf-8")
    code, out, err = _init(capsys, str(project), "--force")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert f"{project / mine}: not written by `sesguard pack init`" in err
    assert (project / mine).read_text("utf-8") == "the project's own\n"
    assert [p.name for p in project.iterdir()] == [mine]


def test_force_never_deletes_a_projects_extra_policies_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    (project / "extra-policies" / "team").mkdir(parents=True)
    (project / "extra-policies" / "team" / "rule.rego").write_text("package ses.team\n", "utf-8")
    code, _, err = _init(capsys, str(project), "--force", "--extra-policies", str(ORG))
    assert code == 2 and "extra-policies: not written by `sesguard pack init`" in err
    assert (project / "extra-policies" / "team" / "rule.rego").is_file()


def test_force_rewrites_a_pack_that_pack_init_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack"
    assert _init(capsys, str(pack), "--extra-policies", str(ORG))[0] == 0
    (pack / "venv").mkdir()  # what Pulumi creates: never touched
    code, _, err = _init(capsys, str(pack), "--force")
    assert code == 0, err
    assert not (pack / "extra-policies").exists() and (pack / "venv").is_dir()
    assert _init(capsys, str(pack), "--force", "--extra-policies", str(ORG))[0] == 0
    assert (pack / "extra-policies" / "acme" / "sender_domains.rego").is_file()
