"""Source "program": run the Pulumi program in-process under mocks, as a preview would, and return
the stack document. No cloud credentials, no Pulumi CLI, no network.

The mocks answer like a provider during `pulumi preview`: inputs come back as outputs and what
only AWS can compute (DKIM tokens, ARNs, ids, queue URLs) is the unknown sentinel, so resources
built from those values (the DKIM CNAMEs) still register, with unknown names, exactly as in a real
preview. Props are read from the wire form of each registration, which carries the engine's
camelCase names at every depth, floats for numbers and the sentinel for unknowns.

Usable repeatedly in one process, and in workers forked after the first import.
"""

from __future__ import annotations

import asyncio
import functools
import json
import runpy
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from sesguard import project
from sesguard.document import Document, new_document
from sesguard.errors import InputError, SesguardError, one_line
from sesguard.sources.common import positions

STACK_TYPE = "pulumi:pulumi:Stack"

# --- stack files ---------------------------------------------------------------------------------


def stack_file(root: Path | str, name: str) -> Path:
    return project.find(root).stack_file(name)


def list_stacks(root: Path | str | None = None) -> list[str]:
    """Stack names with a Pulumi.<name>.yaml in the project's stack folder, sorted."""
    return project.find(root).stacks()


def load_stack_config(root: Path | str | None, name: str) -> dict[str, Any]:
    """The stack file's `config:` as fully qualified keys; `secure:` values are left as they are."""
    proj = project.find(root)
    path = proj.stack_file(name)
    if not path.is_file():
        raise InputError(str(path), f"no such stack (stacks: {', '.join(proj.stacks()) or 'none'})")
    return project.stack_config(path, proj.name)


def _wire(value: Any) -> str:
    # Pulumi hands every config value to a program as a string, structured values as JSON.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


# --- the run -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _file_uri(filename: str) -> str:
    # pathlib's as_uri is most of what a position costs; a program has few files and many resources.
    return Path(filename).as_uri()


def _cheap_source_positions() -> None:
    """Record where each resource is declared without the SDK's full stack trace.

    The SDK formats the whole Python stack for every resource (reading each frame's source line)
    and sends only its first frame as the source position; that was about a quarter of each run.
    The same frame is found by walking frame objects, as the SDK does: the caller of the third
    ``__init__`` up the stack (Resource, Custom/ComponentResource, then the concrete class).
    """
    from pulumi.runtime import resource
    from pulumi.runtime.proto import source_pb2

    def stack_trace() -> Any:
        frame: FrameType | None = sys._getframe(1)
        inits = 0
        while frame is not None:
            if frame.f_code.co_name == "__init__":
                inits += 1
                if inits == 3:
                    break
            frame = frame.f_back
        caller = frame.f_back if frame is not None else None
        if caller is None:
            return source_pb2.StackTrace()
        position = source_pb2.SourcePosition(
            uri=_file_uri(caller.f_code.co_filename), line=caller.f_lineno or 0
        )
        return source_pb2.StackTrace(frames=[source_pb2.StackFrame(pc=position)])

    resource._get_stack_trace = stack_trace


def _run_program(
    main: Path,
    project_name: str,
    name: str,
    runtime_config: dict[str, str],
    secret_keys: list[str],
    root: Path | None = None,
) -> Any:
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.mocks import set_mocks
    from pulumi.runtime.stack import Stack, run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from sesguard.sources.pulumi.program_mocks import PreviewMocks, Recorder, RecordingMonitor

    recorder = Recorder()
    # A fresh event loop per run, and its worker threads (Pulumi sends each registration from the
    # loop's default executor) joined at the end: a process that forks after a run must not hand
    # its children an executor whose threads do not exist there, or their runs wait forever.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    set_all_config(runtime_config, secret_keys)
    # set_mocks makes a root stack and registers its (empty) outputs at once; the program then runs
    # inside a fresh root stack whose exports are registered when it ends, as the CLI's host does.
    settings.ROOT.set(None)
    settings.SETTINGS.outputs.clear()
    preview_mocks = PreviewMocks()
    monitor = RecordingMonitor(preview_mocks, recorder, name, project_name, root, positions.repo_prefix(root))
    set_mocks(preview_mocks, project=project_name, stack=name, preview=True, monitor=monitor)
    _cheap_source_positions()
    settings.ROOT.set(None)

    async def program() -> None:
        stack = Stack()
        try:
            runpy.run_path(str(main / "__main__.py"), run_name="__main__")
        finally:
            stack._finish()

    if str(main) not in sys.path:
        sys.path.insert(0, str(main))
    try:
        _sync_await(run_pulumi_func(program))
    except pulumi.RunError as err:
        raise SesguardError(str(err)) from None
    finally:
        settings.ROOT.set(None)
        loop.run_until_complete(loop.shutdown_default_executor())
        asyncio.set_event_loop(None)
        loop.close()
    return recorder


def run_stack(
    name: str, root: Path | str | None = None, config_override: Mapping[str, Any] | None = None
) -> Document:
    """Run the project's program for one stack under preview mocks and return its stack document.

    ``root`` is the project (default: the current directory). ``config_override`` is the complete
    config to use instead of the stack's Pulumi.<name>.yaml (fully qualified keys, values as in the
    YAML, `{secure: ...}` for secrets). A project that declares a virtualenv runs with that
    virtualenv's Python (``program_venv``). Raises SesguardError with one line naming the stack
    file for bad YAML or bad config, never a traceback.
    """
    proj = project.find(root)
    if proj.runtime != "python":
        raise project.not_python(proj, name)
    where = (
        proj.relative(proj.stack_file(name)) if config_override is None else f"stack {name} (config override)"
    )
    raw = dict(config_override) if config_override is not None else load_stack_config(proj.root, name)
    doc_config: dict[str, Any] = {}
    runtime_config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        redacted, secret = project.redact_secure(value)
        doc_config[key] = redacted
        runtime_config[key] = _wire(redacted)
        if secret:
            secret_keys.append(key)
    if not (proj.main / "__main__.py").is_file():
        raise InputError(str(proj.main / "__main__.py"), "no such file: the Python program's entry point")
    from sesguard.sources.pulumi import program_venv

    try:
        python = program_venv.interpreter(proj)
        if python is None:
            recorder = _run_program(proj.main, proj.name, name, runtime_config, secret_keys, proj.root)
        else:
            recorder = program_venv.run(python, proj, name, runtime_config, secret_keys)
    except InputError:
        raise
    except SesguardError as err:
        raise InputError(where, str(err).removeprefix("invalid stack config: ")) from None
    except Exception as err:  # a failure inside Pulumi or the program is still one line
        raise InputError(where, f"program failed: {type(err).__name__}: {err}") from None
    region = raw.get("aws:region")
    prefix = positions.repo_prefix(proj.root)
    config_file = f"{prefix}/{where}" if prefix else where
    return new_document(
        source="program",
        project=proj.name,
        stack=name,
        region=region if isinstance(region, str) else None,
        config=doc_config,
        resources=_resources(recorder),
        file=where if config_override is None else None,
        language=proj.language,
        config_file=config_file if config_override is None else None,
    )


def _resources(recorder: Any) -> list[dict[str, Any]]:
    resources = []
    for urn, res in recorder.resources.items():
        props = res["props"]
        if not res["custom"]:
            # Components and the stack carry what they registered as outputs (stack: its exports).
            props = {**props, **recorder.outputs.get(urn, {})}
        resources.append({**res, "props": props})
    resources.sort(key=lambda r: (r["type"] != STACK_TYPE, r["urn"]))
    return [{k: v for k, v in r.items() if k != "custom"} for r in resources]


# --- fallback report -----------------------------------------------------------------------------


def summary(doc: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in doc["resources"]:
        counts[r["type"]] = counts.get(r["type"], 0) + 1
    return dict(sorted(counts.items()))


def main(argv: list[str] | None = None) -> int:
    """Print, per stack, what the program declares under mocks. Exit 2 on the first bad stack."""
    names = (argv if argv is not None else sys.argv[1:]) or list_stacks()
    for name in names:
        started = time.perf_counter()
        try:
            doc = run_stack(name)
        except SesguardError as err:
            print(one_line(f"sesguard: {err}"), file=sys.stderr)
            return 2
        took = time.perf_counter() - started
        print(f"{name}: {len(doc['resources'])} resources ({took:.2f}s)")
        for typ, count in summary(doc).items():
            print(f"  {count:3d}  {typ}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
