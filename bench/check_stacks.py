"""`sesguard check` wall time from a cold start: the four example stacks, then 100 generated stacks
with --jobs 1 and --jobs 2 (the target: 100 stacks under 10 s with --jobs 2).

    .venv/bin/python bench/check_stacks.py [--runs N] [--stacks N]

Each figure is the median of N runs of the installed command as a new process (imports included).
Per-stack time is printed too: it must not grow with the number of stacks.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESGUARD = Path(sys.executable).parent / "sesguard"


def generate(root: Path, count: int) -> Path:
    """A project folder using this repository's program with ``count`` stacks made from the examples."""
    for name in ("__main__.py", "Pulumi.yaml", "infra"):
        (root / name).symlink_to(ROOT / name)
    stacks = root / "stacks"
    stacks.mkdir()
    examples = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
    for i in range(count):
        source = examples[i % len(examples)]
        text = source.read_text("utf-8").replace("acmetickets", f"acmetickets{i:03d}")
        (stacks / f"Pulumi.s{i:03d}-{source.name.split('.')[1]}.yaml").write_text(text, encoding="utf-8")
    return root


def timed(args: list[str], runs: int) -> tuple[float, int]:
    times = []
    code = 0
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(
            [str(SESGUARD), *args], capture_output=True, text=True, env={"CI": "1", "PATH": ""}
        )
        times.append(time.perf_counter() - started)
        code = proc.returncode
        if code not in (0, 1):
            sys.exit(f"sesguard {' '.join(args)} failed: {proc.stderr.strip()}")
    return statistics.median(times), code


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stacks", type=int, default=100)
    args = parser.parse_args()
    examples = len(list((ROOT / "stacks").glob("Pulumi.*.yaml")))
    print(f"sesguard check, median of {args.runs} runs, cold start (new process each run)")
    for jobs in (1, 2):
        took, code = timed(["check", "--root", str(ROOT), "--format", "json", "--jobs", str(jobs)], args.runs)
        print(
            f"  {examples:4d} example stacks   --jobs {jobs}: {took:6.2f} s  "
            f"({took / examples:.3f} s/stack, exit {code})"
        )
    with tempfile.TemporaryDirectory(prefix="sesguard-bench-") as tmp:
        root = generate(Path(tmp), args.stacks)
        for jobs in (1, 2):
            took, code = timed(
                ["check", "--root", str(root), "--format", "json", "--jobs", str(jobs)], args.runs
            )
            print(
                f"  {args.stacks:4d} generated stacks --jobs {jobs}: {took:6.2f} s  "
                f"({took / args.stacks:.3f} s/stack, exit {code})"
            )


if __name__ == "__main__":
    main()
