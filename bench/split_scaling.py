"""One big stack document judged whole and in groups (sesguard/engine/groups.py): time and peak memory.

    .venv/bin/python -m bench.split_scaling [--sizes 1000,10000] [--runs 1] [--dir /tmp/scale-docs]

Each (size, mode) runs in a fresh process: the engine is built and compiled first (start-up, not
counted), then ``judging.judge_loaded`` reads the document from its JSON file (the document source) and
judges it, as ``sesguard check --document`` does; the figure is that call's wall time, and the process's peak
RSS (ru_maxrss, which includes the start-up's). "whole" raises the split threshold above the
document; "split" is the engine's default. The 1-minute load average is printed beside each run:
the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.document_load import document_path


def _child(mode: str, path: str) -> None:
    from sesguard import judging, policyset
    from sesguard.engine.embedded import EmbeddedEngine
    from sesguard.sources import document

    engine = EmbeddedEngine(policyset.load())
    engine.prepare()
    if mode == "whole":
        engine.split_threshold = 1 << 60
    start = time.perf_counter()
    result = judging.judge_loaded(lambda: document.load(path), engine)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mib": rss, "findings": len(result.findings)}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dir", default="/tmp/scale-docs")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    best: dict[tuple[str, int], dict[str, float]] = {}
    for domains in (int(s) for s in args.sizes.split(",")):
        path = document_path(Path(args.dir), domains)
        for mode in ("whole", "split"):
            for _ in range(args.runs):
                cmd = [sys.executable, "-m", "bench.split_scaling", "--child", mode, str(path)]
                out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=True).stdout
                got = json.loads(out)
                load = os.getloadavg()[0]
                print(
                    f"{domains:>6} domains {mode:>5}: {got['seconds']:7.2f} s, peak RSS "
                    f"{got['rss_mib']:6.0f} MiB, {got['findings']} findings (load {load:.1f})",
                    flush=True,
                )
                key = (mode, domains)
                if key not in best or got["seconds"] < best[key]["seconds"]:
                    best[key] = got
    sizes = sorted({d for _, d in best})
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        for mode in ("whole", "split"):
            ratio = best[(mode, big)]["seconds"] / best[(mode, small)]["seconds"]
            peak = best[(mode, big)]["rss_mib"]
            print(f"{mode}: {big} vs {small} domains {ratio:.1f}x, peak {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
