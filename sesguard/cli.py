"""`sesguard`: argument parsing and exit codes only. Each subcommand lives in sesguard/commands/.

Exit codes (DESIGN): 0 no unwaived mandatory finding, 1 mandatory findings, 2 usage, input,
engine or network error — one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from sesguard import __version__, goruntime
from sesguard.errors import SesguardError, one_line

EXIT_PASS, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Ctrl-C: the shell's convention, 128 + SIGINT, so a script can tell it from an error.
EXIT_INTERRUPTED = 130

# Subcommand modules; each defines `add_parser(subparsers)` which sets `func(args) -> int`.
COMMANDS = ("check", "audit", "dns", "request", "status", "policies", "test", "bundle", "engine", "pack")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2 as well; keep its usage line but make the error one line we own.
        self.print_usage(sys.stderr)
        print(one_line(f"sesguard: error: {message}"), file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def commands_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The subcommand modules a command line needs: only its own when it starts with one.

    Importing a subcommand imports what it runs on (dnspython for `dns`, tarfile for `bundle`, the
    live-account reader for `audit`): a cold `sesguard check` must not pay for them (issue 14). The
    top-level parser has no option that takes a value, so a first argument naming a command is the
    command; anything else (``--help``, ``--version``, a typo) gets every command, so the top-level
    help and the "invalid choice" error still list them all.
    """
    return (argv[0],) if argv and argv[0] in COMMANDS else COMMANDS


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv`` (every subcommand when ``argv`` is None)."""
    parser = _Parser(prog="sesguard", description="Keep an Amazon SES account out of the sandbox.")
    parser.add_argument("--version", action="version", version=f"sesguard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS if argv is None else commands_for(argv):
        try:
            module = importlib.import_module(f"sesguard.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"sesguard.commands.{name}":
                raise
            continue  # a command not built yet is simply absent
        module.add_parser(sub)
    return parser


def interrupted(ending: bool = False) -> int:
    """Ctrl-C: one line and exit 130, whatever was running.

    ``ending``: the process is about to end (the installed command), so a second Ctrl-C is ignored
    rather than raised where nothing catches it (a traceback).
    """
    if ending:
        with contextlib.suppress(ValueError):  # not the main thread: nothing to ignore there
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        print("sesguard: interrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser(argv)  # imports the command's modules: Ctrl-C may land here too
        args = parser.parse_args(argv)
        return int(args.func(args))
    except SesguardError as exc:
        print(one_line(f"sesguard: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return interrupted()
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # a defect of sesguard's own: still one line and exit 2, never a pass
        if os.environ.get("SESGUARD_DEBUG"):
            raise
        print(one_line(f"sesguard: internal error: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return EXIT_ERROR


def run() -> NoReturn:
    """The installed command: ``main``, then the process ends without tearing every module down.

    A check that ran a Pulumi program has imported the SDK, grpc and pulumi_aws's thousands of
    classes, and Python's teardown of them took 0.15-0.25 s of each such run after the report was
    written (measured with `os._exit` against a normal exit). Everything an exit does for the user
    still happens first: standard output and error are flushed and the exit handlers run
    (multiprocessing's, logging's); only the freeing of memory the process gives back anyway is
    skipped. ``main`` stays an ordinary function for callers in the same process.

    A small run first restarts itself with Go's collector set for it (sesguard/goruntime.py).
    """
    try:
        goruntime.settle()
        code = main()
        try:
            sys.stdout.flush()
        except OSError:  # the reader went away (a closed pipe): the report did not get through
            code = EXIT_ERROR
        with contextlib.suppress(OSError):
            sys.stderr.flush()
        atexit._run_exitfuncs()
    except KeyboardInterrupt:  # before main's own handler, or while the run was ending
        code = interrupted(ending=True)
        with contextlib.suppress(OSError):
            sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
