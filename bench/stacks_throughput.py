"""Stacks throughput: `sesguard check --root DIR` over 1, 10, 100 and 1,000 generated stacks.

Each stack is the prod stack's config with its own sending domain (bench/generate.py), written as
``stacks/Pulumi.<name>.yaml`` in a throw-away project folder. The installed command runs as a new
process (imports included, CI=1 so no progress display), with ``--jobs 1`` and ``--jobs 2`` side by
side; the timing itself is bench/check_stacks.py's (the CLI's own benchmark). Figures are medians of
``--runs`` runs, and of ``--big-runs`` runs from 1,000 stacks up. A run projected (linearly from the
previous size) to take longer than ``--max-seconds`` is not run and is reported as such.

Issue 6 target: 1,000 stacks under 60 s with --jobs 2. Per-stack cost must not grow with the count.

    .venv/bin/python -m bench.stacks_throughput [--sizes 1,10,100,1000] [--runs 3] [--big-runs 1]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from bench import check_stacks, generate
from bench.common import Section, cores, fmt_s, pyplot, save, table

JOBS = (1, 2)
TARGET_1000 = 60.0


def run(sizes: list[int], runs: int, big_runs: int, max_seconds: float) -> Section:
    command = (
        f".venv/bin/python -m bench.stacks_throughput --sizes {','.join(map(str, sizes))} "
        f"--runs {runs} --big-runs {big_runs} --max-seconds {max_seconds:g}"
    )
    section = Section("Stacks throughput", command)
    section.say(f"$ {command}")
    section.say(
        f"(machine: {cores()} cores; each figure: `sesguard check --root DIR --format json --jobs J`)"
    )
    results: dict[int, dict[int, Any]] = {j: {} for j in JOBS}
    with tempfile.TemporaryDirectory(prefix="sesguard-stacks-") as tmp:
        for n in sizes:
            root = generate.project(Path(tmp) / f"p{n}", n)
            line = f"{n:>5} stacks:"
            for jobs in JOBS:
                done = {k: v for k, v in results[jobs].items() if v is not None}
                # From the largest size run: small runs are mostly start-up and would overstate it.
                projected = done[max(done)] * n / max(done) if done else 0.0
                if projected > max_seconds:
                    results[jobs][n] = None
                    line += f"  --jobs {jobs} not run (projected {projected:.0f} s)"
                    continue
                took, code = check_stacks.timed(
                    ["check", "--root", str(root), "--format", "json", "--jobs", str(jobs)],
                    big_runs if n >= 1000 else runs,
                )
                if code != 0:
                    section.say(
                        f"  note: exit {code} for {n} stacks --jobs {jobs} (generated stacks should pass)"
                    )
                results[jobs][n] = took
                line += f"  --jobs {jobs} {fmt_s(took):>8s} ({fmt_s(took / n)}/stack)"
            section.say(line)
    rows = []
    for n in sizes:
        row = [f"{n:,}"]
        for jobs in JOBS:
            t = results[jobs].get(n)
            row += ["not run", ""] if t is None else [fmt_s(t), fmt_s(t / n)]
        rows.append(row)
    section.markdown = [
        f"Command: `{command}`. Each run is the installed `sesguard` as a new process (cold start, "
        f"imports included), median of {runs} runs ({big_runs} from 1,000 stacks).",
        "",
        *table(["stacks", "--jobs 1", "per stack", "--jobs 2", "per stack"], rows),
    ]
    t1000 = results[2].get(1000)
    if t1000 is not None:
        verdict = "meets" if t1000 < TARGET_1000 else "misses"
        section.headline.append(
            f"check: 1,000 stacks with --jobs 2 in {fmt_s(t1000)} — {verdict} the 60 s target"
        )
    t100 = results[2].get(100)
    if t100 is not None:
        verdict = "meets" if t100 < 10 else "misses"
        section.headline.append(
            f"check: 100 stacks with --jobs 2 in {fmt_s(t100)} — {verdict} the 10 s target"
        )
    section.images.append(_plot(sizes, results))
    return section


def _plot(sizes: list[int], results: dict[int, dict[int, Any]]) -> Path:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for jobs, marker in zip(JOBS, "os", strict=True):
        pts = [(n, t) for n, t in sorted(results[jobs].items()) if t is not None]
        if pts:
            xs, ys = zip(*pts, strict=True)
            left.plot(xs, ys, marker=marker, label=f"--jobs {jobs}")
            right.plot(xs, [y / x for x, y in pts], marker=marker, label=f"--jobs {jobs}")
    left.axhline(TARGET_1000, color="r", linestyle=":", label="target: 1,000 stacks < 60 s")
    for ax, title, ylabel in (
        (left, "Wall time (cold start)", "seconds"),
        (right, "Cost per stack", "seconds per stack"),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("stacks")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    return save(fig, "stacks-throughput.png")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,100,1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--big-runs", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=900.0)
    args = ap.parse_args(argv)
    run([int(s) for s in args.sizes.split(",")], args.runs, args.big_runs, args.max_seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
