"""`sesguard check`: judge stacks before they are deployed — the PR check and the security review.

Sources: the Pulumi project in the current directory (or --root DIR) — a Python program run
under mocks, every stack whose Pulumi.<stack>.yaml it has, or --stack NAME… —, a
`pulumi preview --json` file, a `pulumi stack export` file (with --config Pulumi.<stack>.yaml, or
the project's stack file when run inside the project), a stack document, `terraform show -json`
output (plan or state), or a CloudFormation template / `cdk synth` output. Stacks that were
judged are reported even when another could not be run; the report then says the run is
incomplete and names each stack not judged and why, and the run exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesguard import judging
from sesguard.commands import options
from sesguard.errors import SesguardError, one_line
from sesguard.findings import NotJudged, StackResult
from sesguard.report import output


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(
        subparsers,
        "check",
        "check stacks (program, preview, state, document, terraform or cloudformation) against the policies",
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
    source.add_argument(
        "--terraform",
        metavar="FILE|DIR",
        help="`terraform show -json` / `tofu show -json` output: a plan or a state (- for stdin); or a "
        "directory of .tf files, judged without a plan",
    )
    source.add_argument(
        "--cloudformation",
        metavar="PATH",
        help="a CloudFormation template (JSON or YAML), or a `cdk synth` cdk.out directory (- for stdin)",
    )
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="the AWS region a --terraform plan or --cloudformation template deploys to, when the "
        "input does not say (CloudFormation's AWS::Region; a provider configured outside the plan)",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a --cloudformation parameter's value at deploy (repeatable): Conditions on parameters "
        "nobody fixes are judged both ways",
    )
    parser.add_argument(
        "--parameters",
        metavar="FILE",
        help="--cloudformation parameter values as `aws cloudformation deploy --parameter-overrides "
        "file://…` or `create-stack --parameters` take them (JSON); --parameter wins",
    )
    parser.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="a .tfvars file for a --terraform directory, after terraform.tfvars and *.auto.tfvars "
        "(repeatable; later files win, as with `terraform plan -var-file`)",
    )
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
        help="the Pulumi project: its Pulumi.yaml and stack files, for program mode, --state and --preview "
        "(default: the current directory)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="the stack's Pulumi.<stack>.yaml for --state/--preview (default: the preview's own "
        "config, else the project's stack file named by the stack)",
    )
    options.add_common(parser)
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class CheckRun:
    """One `sesguard check`, read from its command line: what to judge, and how (``run``)."""

    run: options.Run
    source: tuple[str, str] | None  # (kind, path) of a file source; None: the program's stacks
    stacks: tuple[str, ...] = ()  # --stack, in order, without repeats (program mode)
    root: str | None = None  # --root: the Pulumi project
    config: str | None = None  # --config: a Pulumi.<stack>.yaml for a file source
    region: str | None = None  # --region of a plan or a template
    jobs: int | None = None  # --jobs
    parameters: dict[str, str] | None = None  # --parameter/--parameters of a CloudFormation input
    var_files: tuple[Path, ...] = ()  # --var-file of a Terraform configuration directory


def _file_source(args: argparse.Namespace) -> tuple[str, str] | None:
    from sesguard.sources import FILE_SOURCES

    for kind in FILE_SOURCES:
        path = getattr(args, kind)
        if path is not None:
            return kind, path
    return None


def _regional() -> tuple[str, ...]:
    from sesguard.sources import REGIONAL_SOURCES

    return REGIONAL_SOURCES


def _terraform_directory(root: str | None) -> tuple[str, str] | None:
    """A directory of .tf files and no Pulumi.yaml is a Terraform configuration to judge."""
    from sesguard import project

    folder = Path(root or ".")
    if any((folder / name).is_file() for name in project.PROJECT_FILES):
        return None
    return ("terraform", str(folder)) if any(p.is_file() for p in folder.glob("*.tf")) else None


def check_run(args: argparse.Namespace) -> CheckRun:
    """The command line as a CheckRun; options that cannot go together are exit 2 here."""
    common = options.run_of(args)
    source = _file_source(args)
    root = args.root
    if source is None and not args.stack and args.config is None:
        source = _terraform_directory(root)
        if source is not None:
            root = None  # --root named the Terraform directory, which is now the source
    if args.var_file and (source is None or source[0] != "terraform" or not os.path.isdir(source[1])):
        raise SesguardError("--var-file applies to a Terraform configuration directory (--terraform DIR)")
    if source is not None and args.stack:
        raise SesguardError(f"--stack selects program stacks; it cannot be combined with --{source[0]}")
    if args.config is not None and (source is None or source[0] == "document"):
        raise SesguardError("--config gives a file source a stack config; program mode reads the project's")
    if args.region is not None and (source is None or source[0] not in _regional()):
        raise SesguardError("--region applies to --terraform and --cloudformation only")
    if (args.parameter or args.parameters) and (source is None or source[0] != "cloudformation"):
        raise SesguardError("--parameter and --parameters apply to --cloudformation only")
    if root is not None and source is not None and source[0] not in ("state", "preview"):
        # Said, not ignored: a user who names a project expects its stack files to be read.
        raise SesguardError(
            f"--root names the Pulumi project: it applies to program mode, --state and --preview, "
            f"not --{source[0]}"
        )
    return CheckRun(
        common,
        source,
        stacks=tuple(dict.fromkeys(args.stack)),
        root=root,
        config=args.config,
        region=args.region,
        jobs=args.jobs,
        parameters=_parameters(args),
        var_files=tuple(Path(f) for f in args.var_file),
    )


def run(args: argparse.Namespace) -> int:
    return check(check_run(args))


def check(job: CheckRun) -> int:
    source = job.source
    if source is not None:
        # The engine first: OPA parses and compiles the policies on its own thread while this one
        # reads the source. A stack document may come from any source, so it gets the whole pack.
        engine = job.run.make_engine(None if source[0] == "document" else {source[0]})
        try:
            # Loaded inside the judging, which alone holds the document and can free it before OPA
            # reads its input: an ESP-sized stack's peak memory.
            # A cdk.out app gives one loader per stack, each judged with its own result.
            results = [judging.judge_loaded(load, engine) for load in _loaders(job, source)]
        finally:
            engine.close()
        return output.emit(results, job.run.reports, job.run.policies)
    return _run_program(job)


def _parameters(args: argparse.Namespace) -> dict[str, str] | None:
    from sesguard.sources.cloudformation import parameters

    if not args.parameter and args.parameters is None:
        return None
    given = parameters.read_file(args.parameters) if args.parameters is not None else {}
    return {**given, **parameters.parse_option(args.parameter)}


def _loaders(job: CheckRun, source: tuple[str, str]) -> list[Callable[[], Any]]:
    from sesguard import sources, stackconfig

    if source[0] not in _regional():

        def load() -> Any:
            document = sources.load(*source)
            if source[0] in ("state", "preview"):
                document = stackconfig.apply(document, job.config, job.root)
            return document

        return [load]
    # A plan or a template carries no stack settings: --config gives them, over the
    # template's own (CloudFormation Metadata).
    config = stackconfig.read(job.config) if job.config is not None else None
    region = job.region or (config or {}).get("aws:region")
    found = sources.load_all(
        *source,
        region=region if isinstance(region, str) else None,
        config=config,
        parameters=job.parameters,
        var_files=list(job.var_files),
    )
    if job.config is None:
        return found
    config_file: str = job.config

    def located(load: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: stackconfig.locate(load(), config_file)

    return [located(load) for load in found]


def _run_program(job: CheckRun) -> int:
    from sesguard import project
    from sesguard.sources.pulumi import parallel

    proj = project.find(job.root)
    names = list(job.stacks) or proj.stacks()
    if proj.runtime not in project.MOCK_RUNTIMES:
        raise project.not_python(proj, names[0] if names else None, names[1:])
    if not names:
        raise SesguardError(f"{proj.stack_dir}: no Pulumi.<stack>.yaml files to check")
    from sesguard.sources.pulumi import program_venv

    if proj.runtime == "python":
        # An environment that cannot run the program: one error, not one a stack.
        program_venv.interpreter(proj)
    root = proj.root
    engine = job.run.make_engine({"program"})
    results: list[StackResult] = []
    errors: list[SesguardError] = []
    not_judged: list[NotJudged] = []
    try:
        for outcome in parallel.run_stacks(names, root, job.jobs):
            if outcome.error is not None:
                errors.append(outcome.error)
                not_judged.append(NotJudged(outcome.stack, str(outcome.error)))
            elif outcome.document is not None:
                try:
                    results.append(judging.judge_one(outcome.document, engine))
                except SesguardError as exc:
                    # An engine that failed once is not trusted with the rest: stop here, report
                    # the stacks already judged, and exit 2 (leaving the generator kills the workers).
                    errors.append(SesguardError(f"stack {outcome.stack}: {exc}"))
                    not_judged.append(NotJudged(outcome.stack, f"the policy engine failed: {exc}"))
                    break
    finally:
        engine.close()
    done = {r.stack for r in results} | {n.stack for n in not_judged}
    not_judged += [
        NotJudged(name, "not run: the run stopped after the policy engine failed")
        for name in names
        if name not in done
    ]
    # With no stack judged, stderr says it all; report files are still written so that a PR
    # comment or a code-scanning upload shows an incomplete run, not a stale or missing one.
    reports = job.run.reports
    code = (
        output.emit(results, reports, job.run.policies, not_judged)
        if results or reports.outputs
        else judging.EXIT_ERROR
    )
    for error in errors:
        print(one_line(f"sesguard: {error}"), file=sys.stderr)
    return judging.EXIT_ERROR if errors else code
