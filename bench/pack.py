"""Policy pack latency over gRPC, as the Pulumi CLI sees it: bench/pack_latency.py, into the report.

bench/pack_latency.py (the pack's own benchmark) starts the pack process the way the Pulumi CLI
does, waits for its port and drives AnalyzeStack on a 50- and a 1,000-resource stack: start-up, the
first call and warm calls, medians. It runs here unchanged as a subprocess and its figures are
parsed into docs/benchmarks.md. Issue 3 targets: start < 1 s, warm AnalyzeStack on 50 resources < 50 ms.

    .venv/bin/python -m bench.pack [--runs 5] [--warm 10]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from bench.common import ROOT, Section, cores, pyplot, save, table

_LINE = re.compile(r"^\s*(?P<label>.+?)\s{2,}(?P<ms>[\d.]+) ms")


def run(runs: int, warm: int) -> Section:
    script = "bench/pack_latency.py"
    command = f".venv/bin/python {script} --runs {runs} --warm {warm}"
    section = Section("Policy pack latency (gRPC)", command)
    section.say(f"$ {command}")
    section.say(f"(machine: {cores()} cores)")
    proc = subprocess.run(
        [sys.executable, str(ROOT / script), "--runs", str(runs), "--warm", str(warm)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        section.say(
            f"pack_latency.py failed (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}"
        )
        return section
    figures: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        print(line, flush=True)
        m = _LINE.match(line)
        if m:
            figures[" ".join(m["label"].split())] = float(m["ms"])
    section.markdown = [
        f"Command: `{command}` (medians; the pack started as the Pulumi CLI starts it, driven over gRPC).",
        "",
        *table(["measurement", "median"], [[k, f"{v:.1f} ms"] for k, v in figures.items()]),
    ]
    start = next((v for k, v in figures.items() if k.startswith("start")), None)
    warm50 = next((v for k, v in figures.items() if "50 resources, warm" in k and "1000" not in k), None)
    if start is not None:
        section.headline.append(
            f"pack: starts in {start:.0f} ms — {'meets' if start < 1000 else 'misses'} the 1 s target"
        )
    if warm50 is not None:
        section.headline.append(
            f"pack: warm AnalyzeStack on 50 resources {warm50:.1f} ms — "
            f"{'meets' if warm50 < 50 else 'misses'} the 50 ms target"
        )
    if figures:
        section.images.append(_plot(figures))
    return section


def _plot(figures: dict[str, float]) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.5))
    labels = list(figures)
    ax.barh(labels, [figures[k] for k in labels])
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds (median, log scale)")
    ax.set_title("Policy pack over gRPC")
    ax.invert_yaxis()
    ax.grid(True, axis="x", which="both", alpha=0.3)
    return save(fig, "pack-latency.png")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warm", type=int, default=10)
    args = ap.parse_args(argv)
    run(args.runs, args.warm)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
