"""`sesguard check`: judge stacks before they are deployed — the PR check and the security review.

Sources: the Pulumi program under mocks (default: every stack in stacks/, or --stack NAME…), a
`pulumi preview --json` file, a `pulumi stack export` file, or a stack document. Stacks that were
judged are reported even when another could not be run; that run still exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from checks import judging, policyset
from checks.commands import options
from checks.engine import factory
from checks.errors import SesguardError, one_line
from checks.findings import StackResult
from checks.report import output


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(
        subparsers,
        "check",
        "check stacks (program, preview, state or document) against the policies",
        __doc__,
    )
    parser.add_argument(
        "--stack",
        action="append",
        default=[],
        metavar="NAME",
        help="program stack to check (repeatable; default all)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--preview", metavar="FILE", help="`pulumi preview --json` output (- for stdin)")
    source.add_argument("--state", metavar="FILE", help="`pulumi stack export` output (- for stdin)")
    source.add_argument("--document", metavar="FILE", help="a sesguard stack document (- for stdin)")
    parser.add_argument(
        "--jobs",
        "-j",
        type=options.positive_int,
        default=None,
        metavar="N",
        help="stacks run at once (default: cores)",
    )
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="the Pulumi project: its __main__.py and stacks/ (default: this repository)",
    )
    options.add_common(parser)
    parser.set_defaults(func=run)


def _file_source(args: argparse.Namespace) -> tuple[str, str] | None:
    for kind in ("preview", "state", "document"):
        path = getattr(args, kind)
        if path is not None:
            return kind, path
    return None


def run(args: argparse.Namespace) -> int:
    policies = policyset.load()
    source = _file_source(args)
    if source is not None and args.stack:
        raise SesguardError(f"--stack selects program stacks; it cannot be combined with --{source[0]}")
    if source is not None:
        from checks import sources

        document = sources.load(*source)
        engine = factory.make_engine(args, policies)
        try:
            results = judging.judge([document], engine)
        finally:
            engine.close()
        return output.emit(results, args, policies)
    return _run_program(args, policies)


def _run_program(args: argparse.Namespace, policies: Any) -> int:
    from checks.sources import parallel, program

    root = Path(args.root) if args.root else program.ROOT
    if not (root / program.STACKS_DIR).is_dir():
        raise SesguardError(
            f"{root / program.STACKS_DIR}: no stacks folder (use --root DIR or a file source)"
        )
    names = list(dict.fromkeys(args.stack)) or program.list_stacks(root)
    if not names:
        raise SesguardError(f"{root / program.STACKS_DIR}: no Pulumi.<stack>.yaml files to check")
    engine = factory.make_engine(args, policies)
    results: list[StackResult] = []
    errors: list[SesguardError] = []
    try:
        for outcome in parallel.run_stacks(names, root, args.jobs):
            if outcome.error is not None:
                errors.append(outcome.error)
            elif outcome.document is not None:
                try:
                    results.append(judging.judge_one(outcome.document, engine))
                except SesguardError as exc:
                    # An engine that failed once is not trusted with the rest: stop here, report
                    # the stacks already judged, and exit 2 (leaving the generator kills the workers).
                    errors.append(SesguardError(f"stack {outcome.stack}: {exc}"))
                    break
    finally:
        engine.close()
    code = output.emit(results, args, policies) if results else judging.EXIT_ERROR
    for error in errors:
        print(one_line(f"sesguard: {error}"), file=sys.stderr)
    return judging.EXIT_ERROR if errors else code
