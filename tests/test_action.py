"""The GitHub Action's gate step (action.yml `sesguard check`), run by bash as the runner runs it.

The step's script is taken from action.yml and given the environment the runner would give it:
the `${{ inputs.* }}` of its `env` block resolved from the test's inputs or the action's defaults,
and RUNNER_TEMP, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. In place of the installed sesguard
a stub records its arguments, writes each `--output FORMAT=FILE` it is given and exits with the
code the test asks for, so what is pinned here is the action's own contract: the arguments of the
ONE evaluation, the outputs, the job summary, the annotations and the exit code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from clirun import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))

STUB = """#!/usr/bin/env bash
python3 - "$@" <<'PY'
import json, os, sys
args = sys.argv[1:]
with open(os.environ["STUB_LOG"], "w") as fh:
    json.dump({"args": args, "step_summary": os.environ.get("GITHUB_STEP_SUMMARY")}, fh)
for i, a in enumerate(args):
    if a == "--output":
        fmt, path = args[i + 1].split("=", 1)
        body = {"github": "::error file=__main__.py,line=12,title=SES-005::no DMARC record\\n",
                "markdown": "## sesguard: 1 mandatory finding\\n"}.get(fmt, fmt + " report\\n")
        open(path, "w").write(body)
print("sesguard: 1 mandatory finding")
PY
exit "${STUB_EXIT:-0}"
"""


def _check_step() -> dict[str, Any]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == "check")


def _resolve(value: str, inputs: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        return inputs.get(name, str(ACTION["inputs"][name].get("default", "")))

    return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", one, value)


def _run(tmp_path: Path, inputs: dict[str, str], exit_code: int = 0, real: bool = False) -> dict[str, Any]:
    temp = tmp_path / "runner-temp"
    (temp / "sesguard-venv" / "bin").mkdir(parents=True)
    stub = temp / "sesguard-venv" / "bin" / "sesguard"
    # real: the sesguard this suite runs stands where the action's install step puts it.
    real_sesguard = Path(sys.executable).parent / "sesguard"
    stub.write_text(f'#!/usr/bin/env bash\nexec "{real_sesguard}" "$@"\n' if real else STUB)
    stub.chmod(0o755)
    work = tmp_path / "workspace"
    work.mkdir()
    outputs, summary, log = tmp_path / "output", tmp_path / "summary", tmp_path / "stub.json"
    outputs.touch()
    summary.write_text("earlier step\n")
    step = _check_step()
    env = {
        "PATH": os.environ["PATH"],
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "STUB_LOG": str(log),
        "STUB_EXIT": str(exit_code),
        **{k: _resolve(str(v), inputs) for k, v in step["env"].items()},
    }
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    # `shell: bash` is run as `bash --noprofile --norc -eo pipefail {0}`.
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = _outputs(outputs.read_text())
    called = json.loads(log.read_text()) if log.exists() else None
    return {
        "code": proc.returncode,
        "stdout": proc.stdout,
        "outputs": out,
        "summary": summary.read_text(),
        "called": called,
        "work": work,
        "temp": temp,
    }


def _outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: ``name=value`` lines and ``name<<DELIMITER`` blocks
    (a later value of a name replaces an earlier one)."""
    out: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for body in lines:
                if body == delimiter:
                    break
                value.append(body)
            else:
                raise AssertionError(f"output {name}: no closing delimiter")
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value_ = line.split("=", 1)
            out[name] = value_
    return out


def _pairs(args: list[str], flag: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == flag]


def test_program_source_runs_one_evaluation_writing_every_report(tmp_path: Path) -> None:
    r = _run(
        tmp_path,
        {"stacks": "dev\nprod", "root": "infra/ses", "junit": "sesguard.xml", "levels": "SES-019=mandatory"},
    )
    args = r["called"]["args"]
    assert args[0] == "check"
    assert _pairs(args, "--stack") == ["dev", "prod"]
    assert _pairs(args, "--root") == ["infra/ses"]
    assert _pairs(args, "--level") == ["SES-019=mandatory"]
    outputs = dict(o.split("=", 1) for o in _pairs(args, "--output"))
    assert set(outputs) == {"sarif", "markdown", "junit", "github"}
    assert outputs["sarif"] == "sesguard.sarif" and outputs["junit"] == "sesguard.xml"
    assert (r["work"] / "sesguard.sarif").is_file() and (r["work"] / "sesguard.xml").is_file()
    assert r["outputs"] == {
        "exit-code": "0",
        "sarif": "sesguard.sarif",
        "markdown": "sesguard.md",
        "junit": "sesguard.xml",
    }


def test_annotations_are_printed_and_the_summary_is_written_once(tmp_path: Path) -> None:
    r = _run(tmp_path, {}, exit_code=1)
    assert "::error file=__main__.py,line=12,title=SES-005::no DMARC record" in r["stdout"]
    assert r["summary"] == "earlier step\n## sesguard: 1 mandatory finding\n"
    # sesguard itself must not append a second copy through the github report.
    assert r["called"]["step_summary"] == ""


@pytest.mark.parametrize("code", [0, 1, 2])
def test_the_step_exits_with_sesguards_code(tmp_path: Path, code: int) -> None:
    r = _run(tmp_path, {}, exit_code=code)
    assert r["code"] == code
    assert r["outputs"]["exit-code"] == str(code)


@pytest.mark.parametrize(
    ("source", "flag"),
    [
        ("preview", "--preview"),
        ("state", "--state"),
        ("terraform", "--terraform"),
        ("cloudformation", "--cloudformation"),
        ("document", "--document"),
    ],
)
def test_file_sources(tmp_path: Path, source: str, flag: str) -> None:
    r = _run(tmp_path, {"source": source, "file": "out/plan.json", "config": "Pulumi.prod.yaml"})
    args = r["called"]["args"]
    assert _pairs(args, flag) == ["out/plan.json"]
    assert _pairs(args, "--config") == ["Pulumi.prod.yaml"]
    assert "--root" not in args and "--stack" not in args


def test_no_markdown_input_still_writes_the_summary_from_a_temporary_report(tmp_path: Path) -> None:
    r = _run(tmp_path, {"markdown": "", "sarif": ""})
    outputs = dict(o.split("=", 1) for o in _pairs(r["called"]["args"], "--output"))
    assert "sarif" not in outputs
    assert outputs["markdown"].startswith(str(r["temp"]))
    assert r["summary"].endswith("## sesguard: 1 mandatory finding\n")
    assert r["outputs"]["sarif"] == ""


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"source": "pulumi"}, "input source must be program, preview, state, terraform"),
        ({"source": "state"}, "source state needs the input file"),
        ({"source": "state", "file": "s.json", "stacks": "prod"}, "input stacks is for source program"),
        ({"file": "s.json"}, "input file is for file sources"),
    ],
)
def test_bad_inputs_fail_closed_with_one_error(tmp_path: Path, inputs: dict[str, str], message: str) -> None:
    r = _run(tmp_path, inputs)
    assert r["code"] == 2 and r["outputs"]["exit-code"] == "2"
    assert r["called"] is None
    errors = [line for line in r["stdout"].splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0]


def test_inputs_are_data_not_shell(tmp_path: Path) -> None:
    # Inputs reach the script as environment variables, never pasted into it.
    r = _run(tmp_path, {"stacks": "$(touch pwned) *", "waivers": "w.yaml; touch pwned2"})
    args = r["called"]["args"]
    assert _pairs(args, "--stack") == ["$(touch", "pwned)", "*"]
    assert _pairs(args, "--waivers") == ["w.yaml; touch pwned2"]
    assert not any(p.name.startswith("pwned") for p in r["work"].iterdir())


def test_opa_token_is_never_an_input() -> None:
    assert "opa-url" in ACTION["inputs"]
    assert not any("token" in name for name in ACTION["inputs"])


def test_the_real_sesguard_behind_the_action_gates_and_reports(tmp_path: Path) -> None:
    """End to end with the real sesguard: a stack export whose stack config is missing (so its
    DMARC, DKIM and MAIL FROM records are judged missing) fails the step with sesguard's exit 1,
    and the one evaluation leaves SARIF that code scanning can read, markdown and JUnit."""
    export = ROOT / "tests" / "fixtures" / "exports" / "marketing.json"
    r = _run(tmp_path, {"source": "state", "file": str(export), "junit": "sesguard.xml"}, real=True)
    assert r["code"] == 1 and r["outputs"]["exit-code"] == "1", r["stdout"]
    sarif = json.loads((r["work"] / "sesguard.sarif").read_text("utf-8"))
    rules = {res["ruleId"] for run in sarif["runs"] for res in run["results"]}
    assert "SES-005" in rules
    assert "SES-005" in (r["work"] / "sesguard.md").read_text("utf-8")
    assert "<testsuite" in (r["work"] / "sesguard.xml").read_text("utf-8")
    assert "::error" in r["stdout"] and "SES-005" in r["summary"]


def test_a_newline_in_an_input_forges_no_workflow_command(tmp_path: Path) -> None:
    r = _run(tmp_path, {"source": "x\n::error file=a.py,line=1::forged\n::add-mask::y"})
    assert r["code"] == 2 and r["outputs"]["exit-code"] == "2"
    commands = [line for line in r["stdout"].splitlines() if line.lstrip().startswith("::")]
    assert len(commands) == 1 and "forged" in commands[0], r["stdout"]
    assert commands[0].startswith("::error title=sesguard::") and "%0A::error file=a.py" in commands[0]


def test_a_newline_in_a_path_input_forges_no_output(tmp_path: Path) -> None:
    # A later `exit-code=0` line would replace the gate's real exit code for every later step.
    sarif = "r.sarif\nexit-code=0\nsarif=elsewhere"
    r = _run(tmp_path, {"sarif": sarif}, exit_code=1)
    assert r["code"] == 1
    assert r["outputs"]["exit-code"] == "1"
    assert r["outputs"]["sarif"] == sarif


# --- the Node.js install step ---------------------------------------------------------------------

PACKAGE_MANAGER_STUB = (
    '#!/usr/bin/env bash\necho "$(basename "$0") $*" >> "$STUB_LOG"\nmkdir -p node_modules\n'
)


def _install_step(tmp_path: Path, inputs: dict[str, str], project: dict[str, str]) -> dict[str, Any]:
    """Run the install step in a workspace holding ``project`` (file name -> text), with npm,
    pnpm and yarn stubs that log how they were called and the sesguard venv's Python."""
    temp = tmp_path / "runner-temp"
    venv_bin = temp / "sesguard-venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(f'#!/usr/bin/env bash\nexec "{sys.executable}" "$@"\n')
    (venv_bin / "python").chmod(0o755)
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("npm", "pnpm", "yarn"):
        (tools / tool).write_text(PACKAGE_MANAGER_STUB)
        (tools / tool).chmod(0o755)
    work = tmp_path / "workspace"
    for name, text in project.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    outputs, log = tmp_path / "output", tmp_path / "calls.log"
    outputs.touch()
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "node-modules")
    env = {
        "PATH": f"{tools}:{os.environ['PATH']}",
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(outputs),
        "STUB_LOG": str(log),
        **{k: _resolve(str(v), inputs) for k, v in step["env"].items()},
    }
    script = tmp_path / "install.sh"
    script.write_text(step["run"])
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {"code": proc.returncode, "stdout": proc.stdout, "calls": log.read_text() if log.exists() else ""}


NODE_PROJECT = {"Pulumi.yaml": "name: shop\nruntime:\n  name: nodejs\n", "package.json": "{}"}


@pytest.mark.parametrize(
    ("lock", "call"),
    [
        ("package-lock.json", "npm ci --no-audit --no-fund"),
        ("pnpm-lock.yaml", "pnpm install --frozen-lockfile"),
        ("yarn.lock", "yarn install --frozen-lockfile"),
        (None, "npm install --no-audit --no-fund"),
    ],
)
def test_a_nodejs_project_without_node_modules_is_installed_from_its_lock_file(
    tmp_path: Path, lock: str | None, call: str
) -> None:
    project = {**NODE_PROJECT, **({lock: ""} if lock else {})}
    r = _install_step(tmp_path, {}, project)
    assert r["code"] == 0, r["stdout"]
    assert r["calls"] == call + "\n"


def test_the_install_follows_the_root_input(tmp_path: Path) -> None:
    project = {f"infra/{name}": text for name, text in NODE_PROJECT.items()} | {"infra/package-lock.json": ""}
    r = _install_step(tmp_path, {"root": "infra"}, project)
    assert r["code"] == 0 and r["calls"] == "npm ci --no-audit --no-fund\n", r["stdout"]


@pytest.mark.parametrize(
    ("inputs", "project"),
    [
        ({"install-node-modules": "false"}, {**NODE_PROJECT, "package-lock.json": ""}),
        ({}, {**NODE_PROJECT, "package-lock.json": "", "node_modules/.keep": ""}),
        ({}, {"Pulumi.yaml": "name: shop\nruntime: python\n", "package-lock.json": ""}),
        ({"source": "preview", "file": "preview.json"}, {**NODE_PROJECT, "package-lock.json": ""}),
    ],
    ids=["switched-off", "already-installed", "python-project", "file-source"],
)
def test_nothing_is_installed_when_not_needed(
    tmp_path: Path, inputs: dict[str, str], project: dict[str, str]
) -> None:
    r = _install_step(tmp_path, inputs, project)
    assert r["code"] == 0 and r["calls"] == "", r["stdout"]


def test_a_bad_install_switch_fails_closed(tmp_path: Path) -> None:
    r = _install_step(tmp_path, {"install-node-modules": "yes"}, NODE_PROJECT)
    assert r["code"] == 2 and "install-node-modules must be true or false" in r["stdout"]


# --- a project as `pulumi new aws-python` writes it, through the Action's steps ------------------

AWS_PYTHON_PROJECT = {
    # `pulumi new aws-python`: the program, its requirements, a virtualenv declared but not committed.
    "Pulumi.yaml": "name: newsletter\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
    "    virtualenv: venv\ndescription: A newsletter sender on Amazon SES\nconfig:\n  pulumi:tags:\n"
    "    value:\n      pulumi:template: aws-python\n",
    "requirements.txt": "pulumi>=3.0.0,<4.0.0\npulumi-aws>=7.0.0,<8.0.0\n",
    ".gitignore": "*.pyc\nvenv/\n",
}


def _steps_env(
    tmp_path: Path, inputs: dict[str, str], step: dict[str, Any], outputs: dict[str, str]
) -> dict[str, str]:
    def one(m: re.Match[str]) -> str:
        return outputs.get(f"{m.group(1)}.{m.group(2)}", "")

    values = {k: _resolve(str(v), inputs) for k, v in step.get("env", {}).items()}
    values = {
        k: re.sub(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}", one, v) for k, v in values.items()
    }
    return {k: re.sub(r"\$\{\{[^}]*\}\}", "", v) for k, v in values.items()}


def _run_steps(tmp_path: Path, work: Path, inputs: dict[str, str], ids: list[str]) -> dict[str, Any]:
    """The Action's steps ``ids`` in order, each as the runner runs a `shell: bash` step, with the
    real sesguard where the install step puts it (its python too, for the steps that read
    Pulumi.yaml through sesguard)."""
    temp = tmp_path / "runner-temp"
    bin_dir = temp / "sesguard-venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("sesguard", "python"):
        real = Path(sys.executable).parent / name
        (bin_dir / name).write_text(f'#!/usr/bin/env bash\nexec "{real}" "$@"\n')
        (bin_dir / name).chmod(0o755)
    summary = tmp_path / "summary"
    summary.touch()
    outputs: dict[str, str] = {}
    code, stdout = 0, ""
    for step_id in ids:
        step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)
        out_file = tmp_path / f"output-{step_id}"
        out_file.write_text("")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", str(tmp_path)),
            "RUNNER_TEMP": str(temp),
            "GITHUB_OUTPUT": str(out_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            **_steps_env(tmp_path, {**inputs}, step, outputs),
        }
        env["PYTHON"] = sys.executable  # setup-python's interpreter
        # pip without byte-compiling pulumi-aws's 3,000 modules (PIP_NO_COMPILE=0 is --no-compile:
        # pip reads a negated option's variable inverted); what runs is compiled when imported.
        env["PIP_NO_COMPILE"] = "0"
        script = tmp_path / f"{step_id}.sh"
        script.write_text(step["run"])
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=540,
        )
        code, stdout = proc.returncode, stdout + proc.stdout + proc.stderr
        for key, value in _outputs(out_file.read_text()).items():
            outputs[f"{step_id}.{key}"] = value
        if code != 0:
            break
    return {"code": code, "stdout": stdout, "outputs": outputs}


@pytest.mark.slow
def test_a_pulumi_new_aws_python_project_runs_green_with_its_venv_created(tmp_path: Path) -> None:
    """docs/ci.md's workflow on a fresh checkout of a `pulumi new aws-python` project: the venv
    is not committed, so the Action creates it from requirements.txt (as `pulumi install` would),
    and the check judges the program: its findings (exit 1), not "could not judge" (exit 2)."""
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "tests" / "fixtures" / "projects" / "newsletter", work)
    for name, text in AWS_PYTHON_PROJECT.items():
        (work / name).write_text(text, "utf-8")
    without = _run_steps(tmp_path / "without", work, {"program-environment": "false"}, ["check"])
    assert without["code"] == 2 and "virtualenv" in without["stdout"], without["stdout"]
    r = _run_steps(tmp_path / "with", work, {}, ["program-env", "check"])
    assert r["code"] == 1 and r["outputs"]["check.exit-code"] == "1", r["stdout"]
    assert (work / "venv" / "bin" / "python").is_file()
    assert "SES-005" in (work / "sesguard.md").read_text("utf-8")


def test_a_previous_runs_reports_are_removed_before_the_check(tmp_path: Path) -> None:
    """sesguard stops before writing (no Pulumi.yaml): the last run's reports must not remain to be
    uploaded or commented as this run's."""
    work = tmp_path / "checkout"
    work.mkdir()
    for name in ("sesguard.sarif", "sesguard.md", "sesguard.xml"):
        (work / name).write_text("from the previous run\n")
    r = _run_steps(tmp_path, work, {"junit": "sesguard.xml", "program-environment": "false"}, ["check"])
    assert r["code"] == 2
    assert not any((work / n).exists() for n in ("sesguard.sarif", "sesguard.md", "sesguard.xml"))
    assert r["outputs"]["check.sarif"] == "" and r["outputs"]["check.junit"] == ""
