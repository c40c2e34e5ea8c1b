"""A TypeScript program judged cold from its project directory, beside its Python twin, same run.

    .venv/bin/python -m bench.typescript [--runs 5]

The two programs declare the same compliant SES sender: tests/fixtures/precommit (Python) and its
twin tests/fixtures/projects/mailer-ts (TypeScript, `pulumi new aws-typescript` layout, npm's
packages from tests/nodeprojects.py's cache linked as node_modules). Each row is a whole
`sesguard check --format json` process started in the project's directory, the two languages
alternating, median of ``--runs``; wall time, CPU time (user + system of the process and its
children, which load on a shared machine moves less than wall time) and peak RSS from GNU time.

TypeScript rows: the first run on a checkout (ts-node's compile cache, under $TMPDIR, empty: what
CI pays), a repeated run (the cache warm: what the pre-commit hook pays after the first commit),
and type checking off (tsconfig `noCheck`, here PULUMI_NODEJS_TRANSPILE_ONLY=true, as Pulumi
reads them). Below them, what a run is made of: node's start, loading @pulumi/pulumi, then
@pulumi/aws, and the TypeScript type check alone (`tsc --noEmit`). `pulumi preview` is timed
when a Pulumi CLI is on PATH (it needs a backend login and AWS credentials, which sesguard does not).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT, Section, fmt_s, median, table

SESGUARD = Path(sys.executable).parent / "sesguard"
GNU_TIME = Path("/usr/bin/time")
PYTHON_TWIN = ROOT / "tests" / "fixtures" / "precommit"
TARGET = 2.0


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mib: float


def measure(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        environ = {k: v for k, v in os.environ.items() if k not in ("OPA_TOKEN", "GOGC", "GOMEMLIMIT")}
        done = subprocess.run(
            [str(GNU_TIME), "-f", "%e %U %S %M", "-o", out.name, *args],
            cwd=cwd,
            env={**environ, "CI": "1", **(env or {})},
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if done.returncode not in (0, 1):
            why = done.stderr.strip()[-500:]
            raise SystemExit(f"{' '.join(args)} failed (exit {done.returncode}): {why}")
        wall, user, system, rss = out.read().split()[-4:]
    return Run(float(wall), float(user) + float(system), int(rss) / 1024)


def summary(runs: list[Run]) -> Run:
    return Run(median([r.wall for r in runs]), median([r.cpu for r in runs]), max(r.rss_mib for r in runs))


def show(r: Run) -> str:
    return f"{fmt_s(r.wall)} wall, {fmt_s(r.cpu)} CPU, {r.rss_mib:.0f} MiB"


def run(runs: int) -> Section:
    command = f".venv/bin/python -m bench.typescript --runs {runs}"
    section = Section("A TypeScript program beside its Python twin", command)
    section.say(f"$ {command}")
    sys.path.insert(0, str(ROOT / "tests"))
    import nodeprojects

    check = [str(SESGUARD), "check", "--format", "json"]
    with tempfile.TemporaryDirectory(prefix="sesguard-ts-bench-") as tmp_name:
        tmp = Path(tmp_name)
        project = nodeprojects.project("mailer-ts", tmp, nodeprojects.node_modules())
        warm_tmp = tmp / "warm-tmp"
        warm_tmp.mkdir()
        measure(check, project, {"TMPDIR": str(warm_tmp)})  # fills the warm cache once
        py, first, repeated, no_check = [], [], [], []
        for i in range(runs):
            py.append(measure(check, PYTHON_TWIN))
            cold_tmp = tmp / f"cold-{i}"
            cold_tmp.mkdir()
            first.append(measure(check, project, {"TMPDIR": str(cold_tmp)}))
            repeated.append(measure(check, project, {"TMPDIR": str(warm_tmp)}))
            off_tmp = tmp / f"off-{i}"
            off_tmp.mkdir()
            no_check.append(
                measure(check, project, {"TMPDIR": str(off_tmp), "PULUMI_NODEJS_TRANSPILE_ONLY": "true"})
            )
        node = shutil.which("node") or "node"
        parts = {
            "node start (`node -e 0`)": [node, "-e", "0"],
            "+ load @pulumi/pulumi": [node, "-e", 'require("@pulumi/pulumi")'],
            "+ load @pulumi/aws": [node, "-e", 'require("@pulumi/pulumi"); require("@pulumi/aws")'],
            "TypeScript type check alone (`tsc --noEmit`)": [
                node,
                str(project / "node_modules" / "typescript" / "bin" / "tsc"),
                "--noEmit",
                "-p",
                ".",
            ],
        }
        pieces = {what: summary([measure(cmd, project) for _ in range(runs)]) for what, cmd in parts.items()}
        preview = shutil.which("pulumi")

    base = summary(py)
    rows: list[list[str]] = [["Python twin (tests/fixtures/precommit)", show(base), "1.0x", ""]]
    for what, measured in (
        ("TypeScript, first run on a checkout (type checked, ts-node cache empty)", first),
        ("TypeScript, repeated run (ts-node cache warm)", repeated),
        ("TypeScript, type checking off (noCheck)", no_check),
    ):
        s = summary(measured)
        ratio = s.wall / base.wall
        cpu_ratio = s.cpu / base.cpu
        verdict = "met" if ratio <= TARGET else "missed"
        rows.append([what, show(s), f"{ratio:.1f}x wall, {cpu_ratio:.1f}x CPU", f"≤ {TARGET:g}x: {verdict}"])
        section.headline.append(f"{what}: {show(s)}, {ratio:.1f}x the Python twin ({verdict})")
    for row in rows:
        section.say(f"  {row[0]}: {row[1]} ({row[2]}) {row[3]}")
    breakdown = [[what, show(s)] for what, s in pieces.items()]
    for what, shown in breakdown:
        section.say(f"  {what}: {shown}")
    preview_note = (
        "a Pulumi CLI is on PATH, but `pulumi preview` needs a backend login and AWS credentials: not timed"
        if preview
        else "no Pulumi CLI on this machine: `pulumi preview` not timed"
    )
    section.say(f"  {preview_note}")
    section.markdown = [
        f"Command: `{command}`. Whole `sesguard check --format json` processes started in each "
        f"project's directory, the languages alternating, medians of {runs}; CPU is user + system "
        "of the process and its children (GNU time), which a loaded machine moves less than wall time.",
        "",
        *table(["what", "time, peak RSS", "vs the Python twin", "target"], rows),
        "",
        "What a TypeScript run is made of (each its own process in the project, medians):",
        "",
        *table(["part", "time, peak RSS"], breakdown),
        "",
        preview_note + ".",
    ]
    return section


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    run(args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
