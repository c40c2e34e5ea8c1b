"""Run many stacks through the program source at once, one forked worker per stack.

pulumi_aws and the program's modules are imported once, in the parent; each worker is a fork
of that warm process, so a stack pays only for its own run, never for the imports (about 0.3 s
each otherwise). A fresh fork per stack also keeps the Pulumi SDK's process-wide state (mocks,
root stack, config) from leaking between stacks. Results come back in the order the stacks were
asked for, as soon as each is ready, so the caller can evaluate one while the next still runs.

A worker that fails or dies is reported as an error naming its stack; the stacks that did finish
are still returned, so a caller can report them and then exit 2.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from sesguard.document import Document
from sesguard.errors import SesguardError

# A stack that takes longer than this under mocks is stuck, not slow (a run takes well under 1 s).
DEFAULT_TIMEOUT = 300.0


@dataclass
class Outcome:
    stack: str
    document: Document | None = None
    error: SesguardError | None = None


def default_jobs() -> int:
    return os.cpu_count() or 1


def progress_enabled() -> bool:
    """A progress display belongs on a person's terminal: never in CI or when stderr is redirected."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _worker(conn: Connection, name: str, root: str) -> None:
    # Ctrl-C belongs to the parent, which stops the run. A KeyboardInterrupt raised in a worker
    # could leave it waiting on the Pulumi SDK's non-daemon threads at exit, holding the run for
    # the whole worker timeout; with the default action the worker just dies and is reported.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # Whatever the program prints must not end up in a report piped from stdout.
    with contextlib.suppress(OSError):
        os.dup2(2, 1)
    sys.stdout = sys.stderr
    from sesguard.sources.pulumi import program

    try:
        message: tuple[str, Any] = ("ok", program.run_stack(name, root=root))
    except SesguardError as exc:
        message = ("error", str(exc))
    except BaseException as exc:  # anything else is still one line naming the stack
        message = ("error", f"stack {name}: {type(exc).__name__}: {exc}")
    try:
        conn.send(message)
    finally:
        conn.close()


@dataclass
class _Running:
    index: int
    name: str
    process: Any
    conn: Connection
    started: float


def _died(run: _Running) -> SesguardError:
    run.process.join(5)
    code = run.process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return SesguardError(f"stack {run.name}: the worker running it died ({how}) before returning a result")


class _Progress:
    """A rich progress bar on stderr, refreshed only by us: no background thread exists when we fork."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar: Any = None
        if not enabled or total < 2:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("[bold]checking stacks"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            auto_refresh=False,
            transient=True,
        )
        self._task = self._bar.add_task("", total=total)
        self._bar.start()
        self._bar.refresh()

    def done(self, name: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=name)
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def preload(root: str | Path | None = None) -> None:
    """Import what the program imports from outside the project once, before any fork."""
    from sesguard.sources.pulumi import preload

    preload.preload(root)


def run_stacks(
    names: Sequence[str],
    root: str | Path,
    jobs: int | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    progress: bool | None = None,
) -> Iterator[Outcome]:
    """Each stack's document (or error), in the order of ``names``, as soon as it is ready."""
    jobs = max(1, jobs or default_jobs())
    preload(root)
    ctx = multiprocessing.get_context("fork")
    pending = list(enumerate(names))[::-1]
    running: dict[Connection, _Running] = {}
    ready: dict[int, Outcome] = {}
    next_index = 0
    bar = _Progress(len(names), progress_enabled() if progress is None else progress)
    try:
        while pending or running:
            while pending and len(running) < jobs:
                index, name = pending.pop()
                reader, writer = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_worker, args=(writer, name, str(root)), daemon=True)
                process.start()
                writer.close()
                running[reader] = _Running(index, name, process, reader, time.monotonic())
            soonest = min(r.started for r in running.values()) + timeout
            for conn in wait(list(running), timeout=max(0.0, soonest - time.monotonic())):
                assert isinstance(conn, Connection)
                run = running.pop(conn)
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError):
                    outcome = Outcome(run.name, error=_died(run))
                else:
                    outcome = (
                        Outcome(run.name, document=payload)
                        if kind == "ok"
                        else Outcome(run.name, error=SesguardError(payload))
                    )
                    run.process.join(5)
                conn.close()
                ready[run.index] = outcome
                bar.done(run.name)
            now = time.monotonic()
            for conn, run in list(running.items()):
                if now - run.started > timeout:
                    run.process.kill()
                    run.process.join(5)
                    conn.close()
                    del running[conn]
                    ready[run.index] = Outcome(
                        run.name,
                        error=SesguardError(f"stack {run.name}: did not finish within {timeout:g} s"),
                    )
                    bar.done(run.name)
            while next_index in ready:
                yield ready.pop(next_index)
                next_index += 1
    finally:
        bar.close()
        for run in running.values():
            run.process.kill()
            run.process.join(5)
            run.conn.close()


def run_all(
    names: Sequence[str], root: str | Path, jobs: int | None = None, **kwargs: Any
) -> tuple[list[Document], list[SesguardError]]:
    """Every stack's document, and the errors of those that failed (in stack order)."""
    documents: list[Document] = []
    errors: list[SesguardError] = []
    for outcome in run_stacks(names, root, jobs, **kwargs):
        if outcome.error is not None:
            errors.append(outcome.error)
        elif outcome.document is not None:
            documents.append(outcome.document)
    return documents, errors
