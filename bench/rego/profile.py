"""Where the pack's Rego spends its evaluation, counted rather than timed.

    .venv/bin/python -m bench.rego.profile [--domains 100] [--policies DIR] [--top 25]

Evaluates `data.sesguard.findings` once with OPA's trace on, over bench/generate.py's document of
N domains projected as the engine sends it, and counts the trace's Eval, Redo and Unify events by
source location (file:line). The same count for bench/rego/floor.rego's ten lean checks is printed
beside it. Event counts do not move with the machine's load (the wall times of bench.user_wait do,
by ±30% on a shared machine), and they track the time: at 1,000 domains both the pack and the floor
spend about 0.5 µs per event. `--policies DIR` counts another copy of the pack (an old one, to
compare).
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOOR = ROOT / "bench" / "rego" / "floor.rego"
_COUNTED = {"Eval", "Redo", "Unify"}


def events(modules: list[tuple[str, str]], query: str, doc: dict) -> collections.Counter[str]:
    import opa_bindings

    from sesguard.engine import Settings

    engine = opa_bindings.OpaEngine()
    try:
        for path, text in modules:
            engine.add_policy(path, text)
        engine.add_data(Settings().as_data())
        engine.eval_query(query, doc, trace=True)
        return collections.Counter(e["location"] for e in engine.last_trace if e["op"] in _COUNTED)
    finally:
        engine.close()


def main() -> int:
    from bench import generate
    from sesguard import policyset
    from sesguard.engine.projection import project, type_tokens

    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--policies", type=Path, default=ROOT / "policies")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    policies = policyset.load(args.policies)
    doc = project(generate.document(args.domains), type_tokens(policies.modules))
    pack = events(list(policies.modules), "count(data.sesguard.findings)", doc)
    floor = events([("bench/rego/floor.rego", FLOOR.read_text("utf-8"))], "count(data.bench_floor.deny)", doc)
    total, lean = sum(pack.values()), sum(floor.values())
    print(f"{args.domains} domains, {len(doc['resources'])} resources, pack {args.policies}")
    print(f"  whole pack: {total:,} events; floor.rego's ten lean checks: {lean:,} ({total / lean:.1f}x)")
    files: collections.Counter[str] = collections.Counter()
    for loc, n in pack.items():
        files[loc.rsplit(":", 1)[0]] += n
    print("  by file:")
    for f, n in files.most_common(args.top):
        print(f"    {n:9,d}  {100 * n / total:4.1f}%  {f}")
    print("  by line:")
    for loc, n in pack.most_common(args.top):
        f, line = loc.rsplit(":", 1)
        try:
            text = (args.policies / f).read_text("utf-8").split("\n")[int(line) - 1].strip()
        except (OSError, ValueError, IndexError):
            text = ""
        print(f"    {n:9,d}  {loc:45s} {text[:80]}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
