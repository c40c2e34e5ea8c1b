"""What each part of the pack costs in time, with the input already inside OPA.

    .venv/bin/python -m bench.rego.timing [--domains 1000] [--runs 7] [--policies DIR] [QUERY ...]

bench.user_wait times whole queries the way the engine runs them, input handed over as JSON text,
so every figure carries OPA's reading of that text (about half a second at 1,000 domains) and the
machine's load on it. Here the document (projected as the engine sends it) is stored once as data
and each query runs `with input as` it: what is left is the rules' own time, and a rule of the lib
can be timed alone (`count(data.lib.dns._keyed)`), which shows where the pack's time goes rather
than where its trace events go (bench.rego.profile). Without QUERY: reading the input, the floor's
ten lean checks, each rule package's `deny` and the whole pack. Prints the minimum and median of
--runs evaluations after one warm-up; the minimum is the figure to compare on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOOR = ROOT / "bench" / "rego" / "floor.rego"


def default_queries(policies: Path) -> list[str]:
    packages = sorted(p.name for p in (policies / "ses").iterdir() if p.is_dir())
    return [
        "count(input.resources)",
        "count(data.bench_floor.deny)",
        *(f"count(data.ses.{p}.deny)" for p in packages),
        "count(data.sesguard.findings)",
    ]


def main() -> int:
    import opa_bindings

    from bench import generate
    from sesguard import policyset
    from sesguard.engine import Settings
    from sesguard.engine.embedded import EmbeddedEngine

    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--policies", type=Path, default=ROOT / "policies")
    parser.add_argument("queries", nargs="*")
    args = parser.parse_args()

    policies = policyset.load(args.policies)
    encoder = EmbeddedEngine(policies)
    try:
        # The input exactly as the engine sends it: projected, URNs aliased.
        doc = json.loads(encoder.encode(generate.document(args.domains)))
    finally:
        encoder.close()
    engine = opa_bindings.OpaEngine()
    try:
        for path, text in policies.modules:
            engine.add_policy(path, text)
        engine.add_policy("bench/rego/floor.rego", FLOOR.read_text("utf-8"))
        data = Settings().as_data()
        data["bench_timing"] = {"input": doc}
        engine.add_data(data)
        del doc
        print(f"{args.domains} domains, pack {args.policies}; ms, min and median of {args.runs}")
        for query in args.queries or default_queries(args.policies):
            full = f"x := {query} with input as data.bench_timing.input"
            result = engine.eval_query(full, {})
            value = result[0].get("x") if result else None
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                engine.eval_query(full, {})
                times.append(time.perf_counter() - start)
            low, mid = 1000 * min(times), 1000 * statistics.median(times)
            print(f"  {low:8.1f} {mid:8.1f}  {query} = {value}", flush=True)
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
