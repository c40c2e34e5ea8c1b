"""The memory OPA needs for an input, checked before the embedded engine evaluates it.

Out of memory inside OPA is a Go fatal error: the process dies with a goroutine dump (exit 134)
and no line of sesguard's. So an input whose evaluation would need more memory than the machine
(or the container) has available is refused first, as exit 2 naming its size.

Measured with `.venv/bin/python -m bench.opa_memory 200 1000` (the pack over bench/generate.py's
stacks; peak RSS minus RSS before the evaluation, per byte of the JSON text OPA reads): 19.6-21.6
bytes at 200 sending domains (1.5 MB), 20.6-21.1 at 1,000 (7.3 MB); the README's 10,000-domain run
(73 MB read, 1.7 GB evaluating) agrees. ``BYTES_PER_INPUT_BYTE`` leaves a margin over that.
"""

from __future__ import annotations

from pathlib import Path

BYTES_PER_INPUT_BYTE = 24
_MB = 1024 * 1024


def available() -> int | None:
    """Bytes this process may still use: the system's MemAvailable, less when a cgroup (a
    container's limit) allows less; None where neither can be read (not Linux)."""
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit != "max":
            found.append(max(0, int(limit) - int(used)))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def problem(input_bytes: int) -> str | None:
    """Why an input of ``input_bytes`` cannot be evaluated here, or None when it fits."""
    free = available()
    need = input_bytes * BYTES_PER_INPUT_BYTE
    if free is None or need <= free:
        return None
    return (
        f"the stack document is {input_bytes / _MB:,.1f} MB as OPA reads it; evaluating it needs about "
        f"{need / _MB:,.1f} MB and {free / _MB:,.1f} MB of memory is available: judge it on a machine "
        "with more memory"
    )
