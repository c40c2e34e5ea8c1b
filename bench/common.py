"""What every benchmark shares: timing, medians, the machine, and the section each one reports.

A benchmark returns a ``Section``: the lines it printed (each figure with the command that made it),
the Markdown for docs/benchmarks.md and the PNG plots it drew. Times are medians of repeated runs and
ratios are measured side by side in one run; nothing here asserts a time.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
OUT = ROOT / "bench" / "out"

for _p in (str(ROOT), str(ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)


def cores() -> int:
    return os.cpu_count() or 1


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cores()} cores (os.cpu_count()), {platform.machine()}, Python {platform.python_version()}, "
        f"load average {load:.1f} at start"
    )


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_s(seconds: float) -> str:
    if seconds != seconds:  # NaN: not measured
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


@dataclass
class Section:
    title: str
    command: str
    markdown: list[str] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    headline: list[str] = field(default_factory=list)

    def say(self, line: str = "") -> None:
        """Print a line now (progress is visible) and keep it for the report."""
        print(line, flush=True)
        self.markdown.append(line)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    IMG.mkdir(parents=True, exist_ok=True)
    return plt


def save(fig: Any, name: str) -> Path:
    """Write a figure to docs/img/<name> and release it (benchmarks draw several per run)."""
    path = IMG / name
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    fig.clf()
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path
