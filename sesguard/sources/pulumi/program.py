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
from sesguard.sources.pulumi import sdk

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
    imported = project.esc_environments(project.load_yaml(path))
    if imported:
        # ESC values (config, secrets) reach a program only through the Pulumi CLI: judged without
        # them, a waiver, a threshold or a sender could be missing.
        raise InputError(
            proj.relative(path),
            f"imports the Pulumi ESC environment {', '.join(imported)}, whose values only the Pulumi CLI "
            f"resolves: judge the stack's preview instead: {proj.preview_command(name)}",
        )
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
    SDKs before ``_get_stack_trace`` existed (3.150 has ``_get_source_position(skip)``) count a
    fixed number of frames, which lands inside pulumi_aws's ``_internal_init``: the same walk
    replaces it there, so findings point at the program under every supported SDK.
    """
    from pulumi.runtime import resource
    from pulumi.runtime.proto import source_pb2

    def declared_at() -> Any:
        frame: FrameType | None = sys._getframe(2)
        inits = 0
        while frame is not None:
            if frame.f_code.co_name == "__init__":
                inits += 1
                if inits == 3:
                    break
            frame = frame.f_back
        caller = frame.f_back if frame is not None else None
        if caller is None:
            return None
        return source_pb2.SourcePosition(uri=_file_uri(caller.f_code.co_filename), line=caller.f_lineno or 0)

    def stack_trace() -> Any:
        position = declared_at()
        if position is None:
            return source_pb2.StackTrace()
        return source_pb2.StackTrace(frames=[source_pb2.StackFrame(pc=position)])

    if hasattr(resource, "_get_stack_trace"):
        resource._get_stack_trace = stack_trace
    else:
        # The old signature takes a frame count; the pinned SDK's stubs know only the new one.
        resource._get_source_position = lambda _skip: declared_at()  # type: ignore[assignment]


def _run_program(
    main: Path,
    project_name: str,
    name: str,
    runtime_config: dict[str, str],
    secret_keys: list[str],
    root: Path | None = None,
) -> Any:
    sdk.require_supported()  # before the SDK is imported: a missing or old one is named, not traced
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.mocks import set_mocks
    from pulumi.runtime.stack import run_in_stack
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
    region = runtime_config.get("aws:region")
    preview_mocks = PreviewMocks(name, region if isinstance(region, str) else None)
    monitor = RecordingMonitor(preview_mocks, recorder, name, project_name, root, positions.repo_prefix(root))
    set_mocks(preview_mocks, project=project_name, stack=name, preview=True, monitor=monitor)
    _cheap_source_positions()
    settings.ROOT.set(None)

    from sesguard.sources.pulumi.program_hide import hidden

    def program() -> None:
        # Synchronous on purpose: the SDK's own entry point, run_in_stack, calls it inside the
        # root stack on every SDK version. Before 3.254 it calls it without awaiting, so an async
        # function here never ran (a coroutine left unawaited) and only the Stack was recorded.
        runpy.run_path(str(main / "__main__.py"), run_name="__main__")

    if str(main) not in sys.path:
        sys.path.insert(0, str(main))
    try:
        # The whole run, callbacks (`apply`) included, sees nothing of sesguard by name.
        with hidden(main / "__main__.py"):
            _sync_await(run_in_stack(program))
    except pulumi.RunError as err:  # Pulumi's messages hold newlines and tabs: one line of words
        raise SesguardError(" ".join(str(err).split())) from None
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
    YAML, `{secure: ...}` for secrets). The program runs with the Python Pulumi would run it with
    (``program_venv``). Raises SesguardError with one line naming the stack
    file for bad YAML or bad config, never a traceback.
    """
    proj = project.find(root)
    if proj.runtime not in project.MOCK_RUNTIMES:
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
    if proj.runtime == "python" and not (proj.main / "__main__.py").is_file():
        raise InputError(str(proj.main / "__main__.py"), "no such file: the Python program's entry point")
    from sesguard.sources.pulumi import program_venv

    recorder: Any
    try:
        python = program_venv.interpreter(proj) if proj.runtime == "python" else None
        if proj.runtime == "nodejs":
            from sesguard.sources.pulumi import computed, nodejs

            recorder = nodejs.run(
                proj, name, runtime_config, secret_keys, computed.COMPUTED, computed.DKIM_COMPUTED
            )
        elif python is None:
            recorder = _run_program(proj.main, proj.name, name, runtime_config, secret_keys, proj.root)
        else:
            recorder = program_venv.run(python, proj, name, runtime_config, secret_keys)
    except InputError:
        raise
    except SesguardError as err:
        raise InputError(where, str(err).removeprefix("invalid stack config: ")) from None
    except ModuleNotFoundError as err:  # the program's own dependencies are not installed here
        raise InputError(where, f"program failed: {err}: {program_venv.setup_hint(proj)}") from None
    except Exception as err:  # a failure inside Pulumi or the program is still one line
        raise InputError(where, f"program failed: {type(err).__name__}: {err}") from None
    resources = _resources(recorder)
    if not any(r["type"] != STACK_TYPE for r in resources):
        # Never a pass: an empty record is what a run that never reached the program looks like
        # (an SDK whose entry point left it unawaited), as well as a program that declares nothing.
        raise InputError(
            where,
            "the program declared nothing under the mocks (no resource besides its Stack): "
            "there is nothing to judge, so no verdict",
        )
    region = raw.get("aws:region")
    prefix = positions.repo_prefix(proj.root)
    config_file = f"{prefix}/{where}" if prefix else where
    return new_document(
        source="program",
        project=proj.name,
        stack=name,
        region=region if isinstance(region, str) else None,
        config=doc_config,
        resources=resources,
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
        print(one_line(f"stack {name}: {len(doc['resources'])} resources ({took:.2f}s)"))
        for typ, count in summary(doc).items():
            print(one_line(f"  {count:3d}  {typ}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
