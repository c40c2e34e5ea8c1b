"""OPA's memory per byte of input: what sesguard/engine/memory.py's BYTES_PER_INPUT_BYTE rests on.

Run: .venv/bin/python -m bench.opa_memory 200 1000   (sending domains; one process per size, so
each peak RSS is its own). Prints the input OPA reads (the engine's encoded projection), the RSS
before the evaluation and the peak after it, and the peak's growth per input byte.
"""

from __future__ import annotations

import gc
import resource
import subprocess
import sys


def _rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) * 1024
    return 0


def measure(domains: int) -> None:
    from bench.generate import document
    from sesguard import policyset
    from sesguard.engine.embedded import EmbeddedEngine

    engine = EmbeddedEngine(policyset.load())
    engine.prepare()
    payload = engine.encode(document(domains))
    gc.collect()
    before = _rss()
    engine.evaluate_encoded(payload)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"{domains} domains: input {len(payload) / 1e6:.1f} MB, RSS before {before / 1e6:.0f} MB, "
        f"peak {peak / 1e6:.0f} MB, {(peak - before) / len(payload):.1f} bytes per input byte"
    )


def main(argv: list[str]) -> None:
    if len(argv) == 1:
        measure(int(argv[0]))
        return
    for size in argv or ["200", "1000"]:
        subprocess.run([sys.executable, "-m", "bench.opa_memory", size], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
