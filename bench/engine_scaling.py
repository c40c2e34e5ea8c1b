"""Engine scaling: the whole pack over one stack document of 1 … 10,000 sending domains.

Each document is grown from the program's prod stack (bench/generate.py: one domain's resources
replicated, stack-wide ones kept once), so it is compliant and has about 21 resources per domain, of
which the engines send OPA the 15 cloud resources (sesguard/engine/projection.py drops the components).
Both engines judge the same documents side by side in one run, median of ``--runs``:

- embedded: ``sesguard.engine.embedded.EmbeddedEngine`` (OPA's Go library in-process);
- server: ``sesguard.engine.server.ServerEngine`` over HTTP against tests/opa_rest_server.py, a loopback
  server speaking OPA's REST API that itself evaluates with the embedded OPA — so "server" measures
  the REST round trip (JSON both ways, one POST per document) on top of the same evaluator, not a
  separate `opa` binary.

Issue 3/6 targets: 1,000 domains under 1 s; each 10x step costs at most 12x. A size whose single
evaluation is projected (linearly from the previous size, x1.2) to exceed ``--max-seconds`` is not
run and is reported as such. A per-package table (10 vs 100 domains) shows where the time goes.

    .venv/bin/python -m bench.engine_scaling [--sizes 1,10,100,1000,10000] [--runs 5] [--max-seconds 60]
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import os
from pathlib import Path
from typing import Any

from bench import generate
from bench.common import Section, fmt_s, median, pyplot, save, table, timed
from sesguard.engine.projection import project, type_tokens

ENGINES = ("embedded", "server")
TARGET_1000 = 1.0
TARGET_STEP = 12.0


def _engines(policies: Any) -> tuple[dict[str, Any], Any]:
    from opa_rest_server import OpaRestServer

    from sesguard.engine.embedded import EmbeddedEngine
    from sesguard.engine.server import ServerEngine

    server = OpaRestServer().start()
    engines = {
        "embedded": EmbeddedEngine(policies),
        "server": ServerEngine(server.url, policies, timeout=900.0),
    }
    return engines, server


def _packages_table(engine: Any, types: frozenset[str], section: Section) -> None:
    """Each rule package's `deny` alone at 10 and 100 domains, on the input the engine sends."""
    whole = (generate.document(10), generate.document(100))
    sent = (project(whole[0], types), project(whole[1], types))
    packages = sorted(p.name for p in (generate.ROOT / "policies" / "ses").iterdir() if p.is_dir())
    queries = [("(reading the whole document only)", "count(input.resources)", whole)]
    queries += [("(reading the input sent only)", "count(input.resources)", sent)]
    queries += [(f"ses.{p}", f"count(data.ses.{p}.deny)", sent) for p in packages]
    queries += [("whole pack", "count(data.sesguard.findings)", sent)]
    rows = []
    for label, query, docs in queries:
        engine.query(query, docs[0])
        times = []
        for doc in docs:
            times.append(min(timed(functools.partial(engine.query, query, doc))[0] for _ in range(3)))
        ratio = times[1] / times[0] if times[0] > 0 else float("nan")
        rows.append([label, fmt_s(times[0]), fmt_s(times[1]), f"{ratio:.1f}x"])
    section.markdown += [
        "",
        "Where the time goes (embedded, best of 3, 10 vs 100 domains; each rule package queried alone "
        "on the input the engine sends, so shared helpers count in every package that uses them):",
        "",
    ]
    section.markdown += table(["query", "10 domains", "100 domains", "ratio (linear = 10x)"], rows)
    for r in rows:
        print(f"  {r[0]:36s} {r[1]:>9s} {r[2]:>9s} {r[3]:>8s}", flush=True)


FLOOR = Path(__file__).resolve().parent / "rego" / "floor.rego"


def _floor_table(policies: Any, types: frozenset[str], domains: int, runs: int, section: Section) -> None:
    """At one size, side by side: handing the input to OPA, ten lean checks, and the whole pack."""
    import dataclasses

    from sesguard.engine.embedded import EmbeddedEngine

    extra = (("bench/rego/floor.rego", FLOOR.read_text("utf-8")),)
    engine = EmbeddedEngine(dataclasses.replace(policies, modules=policies.modules + extra))
    doc = project(generate.document(domains), types)
    queries = [
        ("handing the input to OPA (count(input.resources))", "count(input.resources)"),
        ("ten lean checks (bench/rego/floor.rego)", "count(data.bench_floor.deny)"),
        ("the whole pack (data.sesguard.findings)", "count(data.sesguard.findings)"),
    ]
    rows = []
    try:
        for label, query in queries:
            engine.query(query, doc)
            times = [timed(functools.partial(engine.query, query, doc))[0] for _ in range(runs)]
            rows.append([label, fmt_s(median(times))])
            print(f"  {label:52s} {fmt_s(median(times)):>9s}", flush=True)
    finally:
        engine.close()
    section.markdown += [
        "",
        f"The floor at {domains:,} domains ({len(doc['resources']):,} resources sent; median of {runs}, "
        "one run): what reading the input costs OPA before any rule, and what ten checks written as "
        "leanly as Rego allows cost beside the whole pack.",
        "",
    ]
    section.markdown += table(["query", "time"], rows)


def run(sizes: list[int], runs: int, max_seconds: float, packages: bool = True) -> Section:
    from sesguard import policyset

    command = (
        f".venv/bin/python -m bench.engine_scaling --sizes {','.join(map(str, sizes))} "
        f"--runs {runs} --max-seconds {max_seconds:g}"
    )
    section = Section("Engine scaling", command)
    section.say(f"$ {command}")
    section.say(f"(machine: {os.cpu_count()} cores)")
    policies = policyset.load()
    engines, server = _engines(policies)
    per_domain = generate.per_domain_resources()
    results: dict[str, dict[int, dict[str, Any]]] = {e: {} for e in ENGINES}
    resources: dict[int, int] = {}
    sent: dict[int, int] = {}
    types = type_tokens(policies.modules)
    try:
        warm = generate.document(1)
        for engine in engines.values():
            engine.evaluate(warm)  # compile and prepare once, outside the timings
        for n in sizes:
            projected = {name: _projection(results[name], n) for name in ENGINES}
            if all(p > max_seconds for p in projected.values()):
                section.say(
                    f"{n:>6} domains: not run, projected ≥ {min(projected.values()):.0f} s per evaluation"
                )
                for name in ENGINES:
                    results[name][n] = {"skipped": projected[name]}
                continue
            doc = generate.document(n)
            resources[n] = len(doc["resources"])
            sent[n] = len(project(doc, types)["resources"])
            for name in ENGINES:
                if projected[name] > max_seconds:
                    results[name][n] = {"skipped": projected[name]}
                    continue
                times: list[float] = []
                findings: list[Any] = []
                for _ in range(runs):
                    gc.collect()
                    took, findings = timed(functools.partial(engines[name].evaluate, doc))
                    times.append(took)
                    if took > max_seconds / 2:
                        break  # one slow run says enough; fewer runs are reported
                blocking = sum(1 for f in findings if f.blocking)
                results[name][n] = {
                    "median": median(times),
                    "runs": len(times),
                    "findings": len(findings),
                    "blocking": blocking,
                }
            line = f"{n:>6} domains ({resources[n]:>7} resources, {sent[n]:>7} sent):"
            for name in ENGINES:
                r = results[name][n]
                if "skipped" in r:
                    line += f"  {name} not run (projected {r['skipped']:.0f} s)"
                else:
                    line += f"  {name} {fmt_s(r['median']):>9s} (n={r['runs']}, {r['findings']} findings)"
            section.say(line)
            del doc
        if packages:
            _packages_table(engines["embedded"], types, section)
            floor_at = max((n for n in resources if n <= 1000), default=0)
            if floor_at:
                _floor_table(policies, types, floor_at, runs, section)
    finally:
        for engine in engines.values():
            engine.close()
        server.stop()

    rows, headline = _rows(sizes, resources, sent, results)
    section.markdown = [
        f"Command: `{command}` — {per_domain} resources per domain (the prod stack's sender, replicated).",
        "",
        "The server engine talks to tests/opa_rest_server.py, which speaks OPA's REST API and evaluates with "
        "the same embedded OPA: its column is the embedded time plus the REST round trip. Both engines "
        "send OPA only the resources whose types the policies name, without `parent` "
        "(sesguard/engine/projection.py): the component resources the program groups senders with are "
        "not sent.",
        "",
        *table(
            ["domains", "resources (sent)", "embedded", "x prev", "server", "x prev", "findings (blocking)"],
            rows,
        ),
        *_after(section.markdown, "Where the time goes"),
    ]
    section.headline = headline
    section.images.append(_plot(resources, results))
    return section


def _after(lines: list[str], start: str) -> list[str]:
    """The Markdown from the line starting with ``start``; the progress lines before it are console-only."""
    for i, line in enumerate(lines):
        if line.startswith(start):
            return ["", *lines[i:]]
    return []


def _projection(done: dict[int, dict[str, Any]], n: int) -> float:
    measured = [(k, v["median"]) for k, v in done.items() if "median" in v]
    if not measured:
        return 0.0
    k, t = max(measured)
    return t * (n / k) * 1.2


def _rows(
    sizes: list[int],
    resources: dict[int, int],
    sent: dict[int, int],
    results: dict[str, dict[int, dict[str, Any]]],
) -> tuple[list[list[str]], list[str]]:
    rows = []
    prev: dict[str, float] = {}
    for n in sizes:
        if n not in resources:
            cells = [f"not run (projected ≥ {results[e][n]['skipped']:.0f} s)" for e in ENGINES]
            rows.append([f"{n:,}", "-", cells[0], "", cells[1], "", ""])
            continue
        row = [f"{n:,}", f"{resources[n]:,} ({sent[n]:,})"]
        counts = ""
        for name in ENGINES:
            r = results[name][n]
            if "median" not in r:
                row += [f"not run (projected {r['skipped']:.0f} s)", ""]
                continue
            ratio = f"{r['median'] / prev[name]:.1f}x" if name in prev and prev[name] > 0 else ""
            row += [f"{fmt_s(r['median'])} (n={r['runs']})", ratio]
            prev[name] = r["median"]
            counts = f"{r['findings']} ({r['blocking']})"
        rows.append([*row, counts])
    emb = results["embedded"]
    headline = []
    if 1000 in emb and "median" in emb[1000]:
        t = emb[1000]["median"]
        verdict = "meets" if t < TARGET_1000 else "misses"
        headline.append(
            f"engine: 1,000 domains ({resources[1000]:,} resources, {sent[1000]:,} sent to OPA)"
            f" in {fmt_s(t)} embedded"
            f" — {verdict} the 1 s target"
        )
    steps = [
        (a, b, emb[b]["median"] / emb[a]["median"])
        for a, b in itertools.pairwise(sizes)
        if "median" in emb.get(a, {}) and "median" in emb.get(b, {}) and b == a * 10 and a >= 10
    ]
    if steps:
        worst = max(steps, key=lambda s: s[2])
        verdict = "meets" if worst[2] <= TARGET_STEP else "misses"
        headline.append(
            f"engine: worst 10x step {worst[0]:,}→{worst[1]:,} domains costs {worst[2]:.1f}x"
            f" — {verdict} the ≤ 12x target"
        )
    return rows, headline


def _plot(resources: dict[int, int], results: dict[str, dict[int, dict[str, Any]]]) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, marker in zip(ENGINES, "os", strict=True):
        pts = sorted((resources[n], r["median"]) for n, r in results[name].items() if "median" in r)
        if pts:
            ax.plot(*zip(*pts, strict=True), marker=marker, label=name)
    emb = sorted((resources[n], r["median"]) for n, r in results["embedded"].items() if "median" in r)
    if emb:
        x0, y0 = emb[min(1, len(emb) - 1)]
        xs = [emb[0][0], emb[-1][0] * 10]
        ax.plot(xs, [y0 * x / x0 for x in xs], "k--", linewidth=1, label="linear reference")
    if 1000 in resources:
        ax.plot([resources[1000]], [TARGET_1000], "r*", markersize=12, label="target: 1,000 domains < 1 s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("resources in the stack document")
    ax.set_ylabel("seconds per evaluation (median)")
    ax.set_title("Whole pack over one document")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return save(fig, "engine-scaling.png")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,100,1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    args = ap.parse_args(argv)
    run([int(s) for s in args.sizes.split(",")], args.runs, args.max_seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
