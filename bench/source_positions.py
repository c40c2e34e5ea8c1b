"""What recording source positions costs the program source: one stack under mocks, in process.

    .venv/bin/python -m bench.source_positions [--runs N]

Three ways to register resources, each the median of N warm runs of every example stack:
``none`` (no position at all: sesguard before findings pointed at program lines), ``cheap`` (what
sesguard does now: the declaring frame found by walking frame objects) and ``sdk`` (the Pulumi SDK's
own full stack trace, which reads every frame's source line). The ``cheap`` row is what one warm
stack run costs: the figure a test once bounded (tests assert no time; this bench reports it).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from sesguard.sources.pulumi import preload, program


def _modes() -> dict[str, Callable[[], None]]:
    from pulumi.runtime import resource
    from pulumi.runtime.proto import source_pb2

    sdk = resource._get_stack_trace

    def none() -> None:
        resource._get_stack_trace = source_pb2.StackTrace

    def full() -> None:
        resource._get_stack_trace = sdk

    return {"none": none, "cheap": program._cheap_source_positions, "sdk": full}


def run(runs: int) -> list[str]:
    """Modes interleaved run by run, so a busy machine slows each of them alike."""
    preload.preload()
    stacks = program.list_stacks()
    real = program._cheap_source_positions
    modes = _modes()
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    located: dict[str, int] = {}
    try:
        for i in range(runs + 1):
            for mode, install in modes.items():
                program._cheap_source_positions = install  # type: ignore[assignment]
                started = time.perf_counter()
                docs = [program.run_stack(name) for name in stacks]
                if i:  # the first round warms caches
                    times[mode].append(time.perf_counter() - started)
                located[mode] = sum(1 for d in docs for r in d["resources"] if "location" in r)
    finally:
        program._cheap_source_positions = real  # type: ignore[assignment]
    return [
        f"  {mode:5s}: {statistics.median(t) / len(stacks) * 1000:7.1f} ms/stack "
        f"({located[mode]} resources located over {len(stacks)} stacks)"
        for mode, t in times.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"program source, one process, median of {args.runs} warm runs over the example stacks")
    print("\n".join(run(args.runs)))


if __name__ == "__main__":
    main()
