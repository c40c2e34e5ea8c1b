"""What reading a stack document costs: ``sesguard.sources.document.load`` beside its floor.

    .venv/bin/python -m bench.document_load [--runs 5] [--sizes 1000,10000] [--dir /tmp/big]

Each run is a fresh process (peak RSS is per process): it imports the source, then times either
``document.load(path)`` or the floor, reading the bytes and ``json.loads`` alone (with Python's
cycle collector on, and off as load parses). Prints the median time and median peak RSS
(``ru_maxrss``) of each. Documents come from bench/generate.py:

    .venv/bin/python -c "import json; from bench import generate; \\
        json.dump(generate.document(10000), open('/tmp/doc10000.json','w'))"

Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, resource, sys, time
from sesguard.sources import document
path, what = sys.argv[1], sys.argv[2]
started = time.perf_counter()
if what == "load":
    doc = document.load(path)
    count = len(doc["resources"])
else:
    if what == "parse-paused":
        import gc
        gc.disable()
    with open(path, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    count = len(doc["resources"])
took = time.perf_counter() - started
print(json.dumps({"seconds": took, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "resources": count}))
"""


def one(path: Path, what: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        rss = Path(scratch) / "rss"
        # The peak as GNU time reports it: a child's own getrusage carries the maximum RSS of a
        # grown parent (Linux keeps it across fork and exec), which a bench process running
        # after the 10,000-domain engine rows is.
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(rss), sys.executable, "-c", _CHILD, str(path), what],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        got: dict[str, float] = json.loads(proc.stdout)
        got["rss_mib"] = int(rss.read_text("utf-8").split()[-1]) / 1024
    return got


def document_path(directory: Path, domains: int) -> Path:
    path = directory / f"doc{domains}.json"
    if not path.exists():
        from bench import generate

        path = Path("/tmp") / f"doc{domains}.json"
        if not path.exists():
            path.write_text(json.dumps(generate.document(domains)), "utf-8")
    return path


NAMES = {
    "parse": "read + json.loads",
    # The floor: load parses with the cycle collector held off (sesguard.sources.common.reading).
    "parse-paused": "same, collector off",
    "load": "document.load",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--dir", default="/tmp/big")
    parser.add_argument("--only", choices=("load", "parse", "parse-paused"), default=None)
    args = parser.parse_args(argv)
    print(f"$ {sys.executable} -m bench.document_load --runs {args.runs} --sizes {args.sizes}")
    for domains in (int(s) for s in args.sizes.split(",")):
        path = document_path(Path(args.dir), domains)
        for what in ("parse", "parse-paused", "load"):
            if args.only and what != args.only:
                continue
            runs = [one(path, what) for _ in range(args.runs)]
            seconds = statistics.median(r["seconds"] for r in runs)
            rss = statistics.median(r["rss_mib"] for r in runs)
            size = path.stat().st_size
            shown = ", ".join(f"{r['seconds']:.2f}" for r in runs)
            name = NAMES[what]
            print(
                f"{domains:>6} domains ({int(runs[0]['resources'])} resources, {size >> 20} MiB): "
                f"{name:<26} median {seconds:6.2f} s   peak RSS {rss:7.0f} MiB   "
                f"(runs: {shown})",
                flush=True,
            )


if __name__ == "__main__":
    main()
