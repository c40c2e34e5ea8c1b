"""Policy pack latency over gRPC, as the Pulumi CLI sees it.

Prints the medians of several runs of:
- start: process launch until the pack prints its port (what the CLI waits for);
- first AnalyzeStack right after start (policies may still be compiling);
- warm AnalyzeStack, each call on a slightly different stack so every call really evaluates
  (an identical stack would be served from the pack's per-stack cache);
for a 50-resource and a 1,000-resource stack built by cloning the compliant fixture's sender.

Issue 3 targets: start < 1 s, warm AnalyzeStack on 50 resources < 50 ms.

    .venv/bin/python bench/pack_latency.py [--runs 5] [--warm 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import packharness as ph  # noqa: E402


def scaled_stack(n: int) -> list[dict[str, Any]]:
    """``n`` resources: copies of the fixture's sender under new domain names (and urns)."""
    base = ph.load_fixture()["resources"]
    out: list[dict[str, Any]] = []
    i = 0
    while len(out) < n:
        text = json.dumps(base)
        if i:
            # Each copy is its own sender: own domain, zone, topic, key and configuration set.
            for a, b in (
                ("example.com", f"sender{i}.example"),
                ("Z0123456789ABC", f"Z{i:013d}"),
                ("ses-feedback", f"ses-feedback-{i}"),
                ("1234567890ab", f"{i:012d}"),
                ('"prod"', f'"prod-{i}"'),
                ("configuration-set/prod", f"configuration-set/prod-{i}"),
            ):
                text = text.replace(a, b)
        for c in json.loads(text):
            if len(out) == n:
                break
            c["urn"] = f"{c['urn']}-{i}"
            c["name"] = f"{c['name']}-{i}"
            c["dependencies"] = [f"{d}-{i}" for d in c.get("dependencies") or []]
            out.append(c)
        i += 1
    return out


def vary(resources: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """The same stack with one tag changed, so the pack's per-stack cache cannot answer."""
    first = dict(resources[0], props=dict(resources[0]["props"], tags={"bench": str(k)}))
    return [first, *resources[1:]]


def timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="pack processes to start (default 5)")
    ap.add_argument(
        "--warm", type=int, default=10, help="warm AnalyzeStack calls per size and run (default 10)"
    )
    args = ap.parse_args(argv)

    config = ph.load_fixture()["config"]
    stacks = {n: scaled_stack(n) for n in (50, 1000)}
    starts: list[float] = []
    first: dict[int, list[float]] = {n: [] for n in stacks}
    warm: dict[int, list[float]] = {n: [] for n in stacks}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            for n, resources in stacks.items():
                pack = ph.start_pack(config=config, stderr_path=Path(tmp) / f"{run}-{n}.stderr")
                try:
                    starts.append(pack.started_in * 1000.0)
                    first[n].append(timed(lambda r=resources, p=pack: p.analyze_stack(r)))
                    for k in range(args.warm):
                        batch = vary(resources, k)
                        warm[n].append(timed(lambda b=batch, p=pack: p.analyze_stack(b)))
                finally:
                    pack.close()

    print(f"policy pack over gRPC ({args.runs} starts, {args.warm} warm calls each; medians)")
    print(f"  start (launch -> port printed)        {statistics.median(starts):8.1f} ms   target < 1000 ms")
    for n in stacks:
        target = "   target < 50 ms" if n == 50 else ""
        print(f"  AnalyzeStack {n:>5} resources, first  {statistics.median(first[n]):8.1f} ms")
        print(f"  AnalyzeStack {n:>5} resources, warm   {statistics.median(warm[n]):8.1f} ms{target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
