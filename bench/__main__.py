"""`make bench`: run every benchmark, print each figure with its command, write docs/benchmarks.md.

    .venv/bin/python -m bench [--quick] [--only engine,stacks,pack,peer,peer-tf,wait,ts,mutations]

Figures are medians of repeated runs, ratios are measured side by side in one run, and nothing
asserts a time: targets are stated next to the figures as met or missed. Plots (matplotlib, Agg) go
to docs/img/. ``--quick`` shrinks sizes and repetitions for a smoke run (its figures say so).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.common import IMG, OUT, ROOT, Section, cores, machine

DOC = ROOT / "docs" / "benchmarks.md"
SAVED = OUT / "sections"
ALL = ("engine", "stacks", "pack", "peer", "peer-tf", "peer-tf-hcl", "wait", "ts", "mutations")


def mutations_section() -> Section:
    command = ".venv/bin/python -m pytest tests/test_mutations.py -p no:cacheprovider"
    section = Section("Mutation suite (kill rate)", command)
    section.say(f"$ {command}")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_mutations.py", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    summary = (
        (OUT / "mutations.txt").read_text("utf-8").splitlines() if (OUT / "mutations.txt").exists() else []
    )
    tail = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
    for line in [*summary, *tail]:
        section.say(f"  {line}")
    section.markdown = [
        f"Command: `{command}`. Every single-property mutation of the compliant prod stack "
        "(tests/mutations.py) must draw a blocking finding from the rule named for it.",
        "",
        *(f"- {line}" for line in summary),
    ]
    if summary:
        section.headline.append(f"mutations: {summary[0]}")
    return section


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and few runs (smoke test of the bench)")
    ap.add_argument("--only", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    ap.add_argument(
        "--report-only", action="store_true", help="rebuild docs/benchmarks.md from the last saved runs"
    )
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(ALL)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    if args.report_only:
        write(merge({}), None, False)
        print(f"wrote {DOC.relative_to(ROOT)} from {SAVED.relative_to(ROOT)}")
        return 0

    from bench import (
        engine_scaling,
        pack,
        peer_checkov,
        peer_checkov_terraform,
        peer_checkov_terraform_hcl,
        stacks_throughput,
        typescript,
        user_wait,
    )

    print(f"sesguard benchmarks — {machine()}", flush=True)
    IMG.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sections: list[Section] = []
    for name in only:
        print(f"\n== {name} ==", flush=True)
        if name == "engine":
            sizes = [1, 10, 100] if args.quick else [1, 10, 100, 1000, 10000]
            sections.append(engine_scaling.run(sizes, 2 if args.quick else 5, 30.0 if args.quick else 60.0))
        elif name == "stacks":
            sizes = [1, 10] if args.quick else [1, 10, 100, 1000]
            sections.append(stacks_throughput.run(sizes, 1 if args.quick else 3, 1, 900.0))
        elif name == "pack":
            sections.append(pack.run(1 if args.quick else 5, 3 if args.quick else 10))
        elif name == "peer":
            sections.append(peer_checkov.run(1 if args.quick else 3))
        elif name == "peer-tf":
            sections.append(peer_checkov_terraform.run(1 if args.quick else 3))
        elif name == "peer-tf-hcl":
            sections.append(peer_checkov_terraform_hcl.run(1 if args.quick else 3))
        elif name == "wait":
            sections.append(user_wait.run(1 if args.quick else 5, 100 if args.quick else 10000))
        elif name == "ts":
            sections.append(typescript.run(1 if args.quick else 5))
        elif name == "mutations":
            sections.append(mutations_section())
    took = time.perf_counter() - started
    sections = merge(dict(zip(only, sections, strict=True)))
    write(sections, took, args.quick)
    print(f"\nwrote {DOC.relative_to(ROOT)} ({took:.0f} s)")
    for s in sections:
        for line in s.headline:
            print(f"  {line}")
    return 0


def merge(fresh: dict[str, Section]) -> list[Section]:
    """This run's sections, and the last saved run of those not run now (``--only``), in a fixed order."""
    SAVED.mkdir(parents=True, exist_ok=True)
    out = []
    for name in ALL:
        path = SAVED / f"{name}.json"
        if name in fresh:
            data = dataclasses.asdict(fresh[name])
            data["images"] = [str(p) for p in fresh[name].images]
            path.write_text(json.dumps(data, indent=1), "utf-8")
            out.append(fresh[name])
        elif path.exists():
            data = json.loads(path.read_text("utf-8"))
            data["images"] = [Path(p) for p in data["images"]]
            out.append(Section(**data))
    return out


def write(sections: list[Section], took: float | None, quick: bool) -> None:
    where = machine() if took is not None else f"{cores()} cores (os.cpu_count())"
    lines = [
        "# sesguard benchmarks",
        "",
        "Generated by `make bench` (`.venv/bin/python -m bench`"
        + (", `--quick`: reduced sizes and runs" if quick else "")
        + f") on {dt.date.today().isoformat()}"
        + (
            f", in {took / 60:.0f} min."
            if took is not None
            else ", from the last saved run of each benchmark."
        ),
        "",
        f"Machine: {where}. The machine is shared, so absolute times move with its load; ratios "
        "between tools and engines are measured side by side in the same run. Times are medians; "
        "no test asserts a time.",
        "",
        "## Headlines",
        "",
        *(f"- {h}" for s in sections for h in s.headline),
    ]
    for s in sections:
        lines += ["", f"## {s.title}", ""]
        lines += [line for line in s.markdown if not line.startswith("$ ")]
        for img in s.images:
            lines += ["", f"![{s.title}](img/{img.name})"]
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(lines) + "\n", "utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
