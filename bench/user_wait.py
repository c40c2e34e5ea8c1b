"""Where users wait: each row of the issue's table, measured in one run, beside its baseline.

Rows, each a whole new process unless said otherwise (median of ``--runs``; peak RSS is the
"maximum resident set size" GNU time reports for the process, `/usr/bin/time -f %M`):

- `sesguard check --state FILE` of the compliant stack (tests/builders.py's export), cold, as a
  user installs it (the wheel in a new virtualenv, run outside any project), and the
  modules that process imported (a count that load cannot distort); Checkov on the same setup
  written as CloudFormation (bench/cfn/ses-sender.yaml) beside it when bench/.venv-checkov exists;
- `sesguard check --stack prod` (the program under mocks), cold, beside a process that only imports
  the program (the Pulumi SDK, pulumi_aws and infra/): what any run of it pays first;
- the policy pack: start (launch until the port is printed) and the first AnalyzeStack on 50
  resources sent the moment the port appears (tests/packharness.py, as the Pulumi CLI drives it);
- `sesguard check --document` of 1,000 and 10,000 sending domains (bench/generate.py): time and
  peak RSS, and two floors under the memory, processes that hold only the text OPA reads: OPA
  building its copy of the 10,000-domain input (`count(input.resources)`, no rule evaluated), the
  same with GOGC=5 (what that copy needs live), and OPA evaluating the whole pack on it; and the
  same check with Go's soft memory limit
  (GOMEMLIMIT=1GiB), which trades time for memory;
- the whole pack beside ten lean checks (bench/rego/floor.rego) at 1,000 domains, in one process,
  and each rule package alone against one lean check: which rules cost more than their shape needs.

The baseline is the issue's own "now" column, measured on this machine before this work.

    .venv/bin/python -m bench.user_wait [--runs 5] [--big 10000]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import generate
from bench.common import ROOT, Section, fmt_s, median, table, timed

SESGUARD = Path(sys.executable).parent / "sesguard"
CHECKOV = ROOT / "bench" / ".venv-checkov" / "bin" / "checkov"
CFN = ROOT / "bench" / "cfn" / "ses-sender.yaml"
FLOOR = ROOT / "bench" / "rego" / "floor.rego"

# Issue 14's table: (what, baseline as measured before, target).
BASELINE = {
    "state": ("0.51 s, 78 MiB", "≤ 0.30 s"),
    "stack": ("1.19 s, 131 MiB", "≤ 0.90 s"),
    "pack": ("start 0.47 s, first AnalyzeStack 0.32 s", "start ≤ 0.7 s, first ≤ 0.10 s"),
    "big": ("30-48 s, 2.46 GB", "≤ 1.0 GB, time ≤ 10.5x the 1,000-domain time"),
    "floor": ("about 4x", "≤ 2x"),
}


@dataclasses.dataclass
class Proc:
    seconds: float
    max_rss_mib: float
    code: int
    stdout: str
    stderr: str


# GNU time (Debian package `time`) measures a command's peak RSS from a small process of its own.
# os.wait4 on a child of this process would not do: Linux carries the maximum RSS across fork and
# exec, so every child of a bench process that grew to gigabytes (generating the 10,000-domain
# document, or an earlier section) would report gigabytes.
GNU_TIME = Path("/usr/bin/time")


def run_process(
    args: list[str], *, cwd: Path = ROOT, timeout: float = 1800.0, env: dict[str, str] | None = None
) -> Proc:
    """One process to its end: wall time, peak RSS (GNU time's %M) and its output."""
    if not GNU_TIME.exists():
        raise SystemExit("bench.user_wait needs GNU time at /usr/bin/time (apt-get install time)")
    dropped = ("OPA_TOKEN", "NO_COLOR", "GOMEMLIMIT", "GOGC")
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    env = {**environ, "CI": "1", **(env or {})}
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        rss = Path(scratch) / "rss"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(GNU_TIME), "-f", "%M", "-o", str(rss), *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,
        )
        # A blocking wait, bounded by a timer that kills the process group: Popen.wait(timeout)
        # polls with sleeps of up to 50 ms, which added about 25 ms to every sub-second figure.
        killer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        killer.start()
        try:
            proc.wait()
        finally:
            killer.cancel()
        took = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        # The last line is the figure; a line before it says how the command ended when not 0.
        lines = rss.read_text("utf-8").split() if rss.exists() else []
        return Proc(
            took,
            int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else float("nan"),
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def cold(
    args: list[str], runs: int, *, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> tuple[float, float, Proc]:
    """Median wall time and peak RSS of ``runs`` new processes (exit 0 or 1 only)."""
    procs = [run_process(args, cwd=cwd, env=env) for _ in range(runs)]
    for p in procs:
        if p.code not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed (exit {p.code}): {p.stderr.strip()[-500:]}")
    return median([p.seconds for p in procs]), max(p.max_rss_mib for p in procs), procs[-1]


_LIST_MODULES = (
    "import json, sys\nfrom sesguard.cli import main\ncode = main(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(json.dumps(sorted(sys.modules)))\nsys.exit(code)\n"
)


def modules_of(args: list[str], tmp: Path) -> list[str]:
    listing = tmp / "modules.json"
    run_process([sys.executable, "-c", _LIST_MODULES, str(listing), *args], cwd=tmp)
    return list(json.loads(listing.read_text("utf-8")))


def installed_sesguard(tmp: Path) -> Path:
    """`sesguard` as a user installs it: this checkout's wheel in a new virtualenv, whose other
    packages are this one's (a .pth file; no download). The repository's own virtualenv runs the
    checkout through an editable install, whose import finder every process pays for."""
    dist, env = tmp / "dist", tmp / "installed"
    steps = [
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        [sys.executable, "-m", "venv", str(env)],
    ]
    for step in steps:
        subprocess.run(step, cwd=tmp, capture_output=True, check=True, timeout=600)
    site = f"python{sys.version_info.major}.{sys.version_info.minor}"
    deps = Path(sys.executable).parent.parent / "lib" / site / "site-packages"
    (env / "lib" / site / "site-packages" / "_bench_deps.pth").write_text(f"{deps}\n", "utf-8")
    wheel = next(dist.glob("sesguard-*.whl"))
    install = [
        str(env / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        str(wheel),
    ]
    subprocess.run(install, cwd=tmp, capture_output=True, check=True, timeout=600)
    return env / "bin" / "sesguard"


def _state_file(tmp: Path) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    import builders

    return builders.write_json(tmp / "state.json", builders.to_state(builders.compliant_document()))


def _pack_rows(runs: int) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT / "tests"))
    import packharness as ph

    from bench.pack_latency import scaled_stack

    config = ph.load_fixture()["config"]
    resources = scaled_stack(50)
    starts, firsts = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            pack = ph.start_pack(config=config, stderr_path=Path(tmp) / f"{i}.stderr")
            try:
                starts.append(pack.started_in)
                firsts.append(timed(functools.partial(pack.analyze_stack, resources))[0])
            finally:
                pack.close()
    return median(starts), median(firsts)


# The floors under the big document's memory, each a process holding only the text OPA reads (the
# document is loaded, projected and encoded as `check` does, then freed):
# - "input": OPA builds its copy of the input and counts the resources, no rule evaluated;
# - "pack": OPA evaluates the whole pack on it: what the Rego's own evaluation costs.
_FLOOR = """
import gc, sys
from sesguard import policyset
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.sources import document
engine = EmbeddedEngine(policyset.load())
payload = engine.encode(document.load(sys.argv[1]))
gc.collect()
if sys.argv[2] == "pack":
    engine.evaluate_encoded(payload)
else:
    opa = engine._opa
    opa.add_policy("floor.rego", "package floor\\nn := count(input.resources)\\n")
    opa._call(opa._lib.OpaEvalDocument, b"floor.n", payload, 0, 0)
"""

# What any run of the example program pays before it declares a resource: importing the Pulumi
# SDK, pulumi_aws and the program's modules (no sesguard code).
_PROGRAM_IMPORTS = "import infra.program"


def _rego_rows(domains: int, runs: int, section: Section) -> tuple[float, list[list[str]]]:
    """Whole pack / ten lean checks at ``domains``, and each package alone against one lean check."""
    from sesguard import policyset
    from sesguard.engine.embedded import EmbeddedEngine

    policies = policyset.load()
    extra = (("bench/rego/floor.rego", FLOOR.read_text("utf-8")),)
    engine = EmbeddedEngine(dataclasses.replace(policies, modules=policies.modules + extra))
    # The input exactly as the engine sends it (projected, URNs aliased), decoded for the queries.
    doc = json.loads(engine.encode(generate.document(domains)))
    packages = sorted(p.name for p in (ROOT / "policies" / "ses").iterdir() if p.is_dir())

    def best(query: str) -> float:
        engine.query(query, doc)
        return median([timed(functools.partial(engine.query, query, doc))[0] for _ in range(runs)])

    try:
        # Every query pays for OPA reading its input once; that is not the rules' cost, so it is
        # taken off each package and off the floor before they are compared.
        reading = best("count(input.resources)")
        floor = best("count(data.bench_floor.deny)")
        whole = best("count(data.sesguard.findings)")
        one_lean = max(floor - reading, 1e-6) / 10
        section.say(f"  reading the input {fmt_s(reading)}; one lean check beyond that {fmt_s(one_lean)}")
        rows = []
        for p in packages:
            t = best(f"count(data.ses.{p}.deny)")
            k = sum(1 for r in policies.rules if r.package == f"ses.{p}") or 1
            per_rule = max(t - reading, 0.0) / (k * one_lean)
            rows.append([f"ses.{p}", str(k), fmt_s(t), f"{per_rule:.1f}x"])
            section.say(f"  ses.{p:24s} {k:3d} rules {fmt_s(t):>9s}  {per_rule:5.1f}x a lean check per rule")
    finally:
        engine.close()
    section.say(f"  whole pack {fmt_s(whole)} vs ten lean checks {fmt_s(floor)}: {whole / floor:.1f}x")
    rows.sort(key=lambda r: -float(r[3].rstrip("x")))
    return whole / floor, rows


PARTS = ("cold", "pack", "big", "rego")


def run(runs: int, big: int, rego_runs: int = 3, parts: tuple[str, ...] = PARTS) -> Section:
    command = f".venv/bin/python -m bench.user_wait --runs {runs} --big {big}"
    if parts != PARTS:
        command += f" --parts {','.join(parts)}"
    section = Section("Where users wait", command)
    section.say(f"$ {command}")
    rows: list[list[str]] = []
    headline: list[str] = []

    def row(key: str, what: str, now: str, met: bool) -> None:
        before, target = BASELINE[key]
        verdict = "met" if met else "missed"
        rows.append([what, before, now, target, verdict])
        section.say(f"  {what}: {now} (before: {before}; target {target}: {verdict})")
        headline.append(f"{what}: {now} — {verdict} ({target})")

    with tempfile.TemporaryDirectory(prefix="sesguard-wait-") as tmp_name:
        tmp = Path(tmp_name)
        if "cold" in parts:
            state = _state_file(tmp)
            args = [str(installed_sesguard(tmp)), "check", "--state", str(state), "--format", "json"]
            # Side by side, alternating, from a directory outside any project (a CI job judging an
            # exported state): as installed (a small run restarts itself with GOGC=400,
            # sesguard/goruntime.py), and with Go's default collector (a GOGC of the user's own
            # turns the restart off); and this checkout's editable install inside its own project,
            # which also reads the project's Pulumi.yaml and the stack's config.
            in_repo = [str(SESGUARD), *args[1:]]
            both = [
                (cold(args, 1, cwd=tmp), cold(args, 1, cwd=tmp, env={"GOGC": "100"}), cold(in_repo, 1))
                for _ in range(runs)
            ]
            t, rss = median([a[0] for a, _, _ in both]), max(a[1] for a, _, _ in both)
            t100, rss100 = median([b[0] for _, b, _ in both]), max(b[1] for _, b, _ in both)
            t_repo = median([c[0] for _, _, c in both])
            row(
                "state",
                "cold `check --state` (compliant stack), installed",
                f"{fmt_s(t)}, {rss:.0f} MiB (with Go's default GOGC=100, no restart: "
                f"{fmt_s(t100)}, {rss100:.0f} MiB; the editable checkout inside its project: "
                f"{fmt_s(t_repo)})",
                t <= 0.30,
            )
            mods = modules_of(["check", "--state", str(state), "--format", "json"], tmp)
            section.say(
                f"  … imported {len(mods)} modules; dnspython: {'dns' in mods}, "
                f"jsonschema: {'jsonschema' in mods}, PyYAML: {'yaml' in mods}"
            )
            # The same setup as a CloudFormation template: what a CloudFormation user waits for
            # (the template is read with cfn-lint's decoder, whose import is most of it).
            cfn_t, cfn_rss, _ = cold(
                [
                    str(SESGUARD),
                    "check",
                    "--cloudformation",
                    str(CFN),
                    "--region",
                    "us-east-1",
                    "--format",
                    "json",
                ],
                runs,
            )
            section.say(
                f"  cold `check --cloudformation` of the same setup: {fmt_s(cfn_t)}, {cfn_rss:.0f} MiB"
            )
            rows.append(
                [
                    "cold `check --cloudformation bench/cfn/ses-sender.yaml` (comparison)",
                    "",
                    f"{fmt_s(cfn_t)}, {cfn_rss:.0f} MiB",
                    "",
                    "",
                ]
            )
            if CHECKOV.exists():
                ct, crss, _ = cold(
                    [str(CHECKOV), "-f", str(CFN), "--framework", "cloudformation", "--quiet", "--compact"],
                    min(runs, 3),
                )
                section.say(
                    f"  Checkov on the same setup as CloudFormation: {fmt_s(ct)}, {crss:.0f} MiB "
                    f"({ct / t:.1f}x sesguard's state check, {ct / cfn_t:.1f}x its CloudFormation check)"
                )
                rows.append(
                    [
                        "Checkov 3.3.30 on bench/cfn/ses-sender.yaml (comparison)",
                        "3.3-3.5 s",
                        f"{fmt_s(ct)}, {crss:.0f} MiB",
                        f"{ct / t:.1f}x the state check, {ct / cfn_t:.1f}x the CloudFormation check",
                        "",
                    ]
                )

            t, rss, _ = cold([str(SESGUARD), "check", "--stack", "prod", "--format", "json"], runs)
            imports, _, _ = cold([sys.executable, "-c", _PROGRAM_IMPORTS], runs)
            row(
                "stack",
                "cold `check --stack prod` (program under mocks)",
                f"{fmt_s(t)}, {rss:.0f} MiB; the program's imports alone (pulumi, pulumi_aws, infra) "
                f"{fmt_s(imports)}",
                t <= 0.90,
            )

        if "pack" in parts:
            start, first = _pack_rows(runs)
            row(
                "pack",
                "policy pack: start, then first AnalyzeStack on 50 resources",
                f"start {fmt_s(start)}, first AnalyzeStack {fmt_s(first)}",
                start <= 0.7 and first <= 0.10,
            )

        if "big" in parts:
            sizes = {}
            for n in (1000, big):
                path = tmp / f"doc{n}.json"
                path.write_text(json.dumps(generate.document(n)), "utf-8")
                report = str(tmp / "r.json")
                argv = [str(SESGUARD), "check", "--document", str(path), "--format", "json", "-o", report]
                # The 1,000-domain run is the ratio's denominator and costs seconds: the median of three,
                # so one stalled run (a 61 s one was seen beside 1.8 s ones) cannot decide the row.
                procs = [run_process(argv) for _ in range(3 if n == 1000 else 1)]
                for p in procs:
                    if p.code not in (0, 1):
                        raise SystemExit(f"check --document ({n} domains) failed: {p.stderr.strip()[-500:]}")
                p = sorted(procs, key=lambda q: q.seconds)[len(procs) // 2]
                sizes[n] = p
                section.say(
                    f"  check --document, {n:,} domains: {fmt_s(p.seconds)}, peak {p.max_rss_mib:,.0f} MiB"
                )
            doc_big = str(tmp / f"doc{big}.json")
            floor = {k: run_process([sys.executable, "-c", _FLOOR, doc_big, k]) for k in ("input", "pack")}
            # Reading again with Go's collector running after every 5% of heap growth: what is left is
            # the memory OPA's copy of the input needs live, not the room a collector leaves to grow.
            floor["live"] = run_process([sys.executable, "-c", _FLOOR, doc_big, "input"], env={"GOGC": "5"})
            for kind, p in floor.items():
                if p.code != 0:
                    raise SystemExit(f"the {kind} floor failed: {p.stderr.strip()[-500:]}")
            report = str(tmp / "limited.json")
            limited = {
                limit: run_process(
                    [str(SESGUARD), "check", "--document", doc_big, "--format", "json", "-o", report],
                    env={"GOMEMLIMIT": limit},
                )
                for limit in ("1GiB",)
            }
            # Reading the document alone, beside parsing its JSON alone (bench/document_load.py).
            from bench import document_load

            for what in ("parse", "load"):
                got = document_load.one(Path(doc_big), what)
                section.say(
                    f"  {document_load.NAMES[what]} of the {big:,}-domain document alone: "
                    f"{fmt_s(got['seconds'])}, peak {got['rss_mib']:,.0f} MiB"
                )
            for what, p in (
                ("OPA reading the input (count(input.resources)), Python holding its text", floor["input"]),
                ("the same with GOGC=5 (the collector nearly always running)", floor["live"]),
                ("OPA evaluating the whole pack, Python holding the input's text", floor["pack"]),
                *((f"check --document with GOMEMLIMIT={k}", p) for k, p in limited.items()),
            ):
                section.say(f"  {what}: {fmt_s(p.seconds)}, peak {p.max_rss_mib:,.0f} MiB")
            ratio = sizes[big].seconds / sizes[1000].seconds
            peak_gb = sizes[big].max_rss_mib * 1.048576 / 1000

            def gb(p: Proc) -> str:
                return f"{p.max_rss_mib * 1.048576 / 1000:.2f} GB"

            row(
                "big",
                f"`check --document`, {big:,} domains",
                f"{fmt_s(sizes[big].seconds)} ({ratio:.1f}x the 1,000-domain {fmt_s(sizes[1000].seconds)}), "
                f"{peak_gb:.2f} GB; floors: OPA reading the input {gb(floor['input'])} "
                f"({gb(floor['live'])} with GOGC=5), OPA evaluating "
                f"the pack {gb(floor['pack'])}; "
                + "; ".join(f"with GOMEMLIMIT={k} {gb(p)} in {fmt_s(p.seconds)}" for k, p in limited.items()),
                peak_gb <= 1.0 and ratio <= 10.5,
            )

    packages: list[list[str]] = []
    if "rego" in parts:
        section.say(
            "  each rule package alone at 1,000 domains, against one lean check (a tenth of floor.rego):"
        )
        pack_ratio, packages = _rego_rows(1000, rego_runs, section)
        row("floor", "whole pack vs ten lean checks, 1,000 domains", f"{pack_ratio:.1f}x", pack_ratio <= 2.0)

    section.markdown = [
        f"Command: `{command}`. Whole processes, medians of {runs} (the 1,000-domain document "
        f"the median of 3, the {big:,}-domain one once); peak RSS as GNU time reports it "
        '(`/usr/bin/time -f %M`). "Before" is the issue\'s '
        "own measurement on this machine; a shared, loaded machine moves the times, not the module "
        "counts or the floor.",
        "",
        *table(["what", "before", "now", "target", ""], rows),
        "",
        "Each rule package's `deny` alone at 1,000 domains on the input the engine sends, against one of "
        "bench/rego/floor.rego's ten lean checks, per rule, with the time OPA takes to read the input "
        "(count(input.resources)) taken off both: a package well above 1x per rule has rules that cost "
        "more than a lean check of the same shape. On a shared machine the lean check's own time (the "
        "floor minus reading the input, a tenth of it) is within the run-to-run noise, so the per-rule "
        "column moves by orders of magnitude between runs; `.venv/bin/python -m bench.rego.timing` "
        "times each part with the input already inside OPA (any lib rule alone too), and "
        "`.venv/bin/python -m bench.rego.profile --domains 100` counts OPA's trace events by file and "
        "line, which load cannot move (bench/rego/PROFILE.md).",
        "",
        *table(["package", "rules", "time (median)", "per rule, x one lean check"], packages),
    ]
    section.headline = headline
    return section


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--big", type=int, default=10000, help="domains in the big document (default 10000)")
    ap.add_argument("--parts", default=",".join(PARTS), help=f"a subset of {','.join(PARTS)}")
    args = ap.parse_args(argv)
    run(args.runs, args.big, parts=tuple(p for p in PARTS if p in args.parts.split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
