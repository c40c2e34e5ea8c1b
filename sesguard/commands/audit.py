"""`sesguard audit`: judge the live SES account of one region, read-only, with the same policies.

The account becomes a stack document (source "live") judged by SES-001…
SES-026 like any stack, plus the live rules SES-040…SES-043. With `--stack NAME` the document is
judged under that stack's config (waivers, thresholds, mail type, whether it is production), the
region defaults to the stack's `aws:region`, and the stack's declared resources are attached for
the drift rule SES-043.

A read that is denied or still fails after botocore's retries marks the rules it feeds as not
evaluated: their findings are replaced by one "not evaluated" finding each, the report is still
printed, and the run exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sesguard import judging
from sesguard.commands import options
from sesguard.document import Document
from sesguard.findings import Finding, StackResult
from sesguard.policyset import PolicySet
from sesguard.report import output
from sesguard.sources.live import aws as live

DRIFT_RULE = "SES-043"


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(
        subparsers, "audit", "audit the live SES account of one region (read-only)", __doc__
    )
    add_aws_options(parser)
    parser.add_argument(
        "--stack",
        metavar="NAME",
        help="judge under this stack's config and compare with what it declares (SES-043)",
    )
    options.add_common(parser)
    parser.set_defaults(func=run)


def add_aws_options(
    parser: argparse.ArgumentParser,
    region_help: str = "AWS Region (default: --stack's aws:region, else AWS config)",
) -> None:
    group = parser.add_argument_group("AWS")
    group.add_argument("--region", metavar="R", help=region_help)
    group.add_argument("--profile", metavar="P", help="AWS profile from ~/.aws/config")
    group.add_argument(
        "--retries",
        type=options.positive_int,
        default=live.DEFAULT_MAX_ATTEMPTS,
        metavar="N",
        help="retries per call after throttling or a 5xx, botocore standard mode's max_attempts "
        f"(default {live.DEFAULT_MAX_ATTEMPTS})",
    )


@contextmanager
def progress_reporter() -> Iterator[Callable[[str], None]]:
    """A spinner on stderr when it is a terminal; silent in CI and pipes."""
    if not sys.stderr.isatty():
        yield lambda _msg: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("reading the account") as status:
        yield lambda msg: status.update(msg)


def _stack_inputs(name: str) -> tuple[dict[str, Any], bool, list[dict[str, Any]]]:
    """The stack's config, whether it is marked production, and its declared resources."""
    from sesguard import project
    from sesguard.sources.pulumi import program

    proj = project.find()  # the project in the current directory
    raw = program.load_stack_config(proj.root, name)
    production = raw.get(f"{proj.name}:production") in (True, "true", "True")
    declared_doc = program.run_stack(name)
    return declared_doc["config"], production, declared_doc["resources"]


def not_evaluated(
    result: StackResult, document: Document, policies: PolicySet, drift: bool
) -> tuple[StackResult, list[str]]:
    """Replace the findings of rules whose input could not be read by one "not evaluated" finding each.

    A rule judged on part of its input proves nothing either way, so its findings are dropped.
    """
    failures: dict[str, list[str]] = {}
    for entry in (document.get("facts") or {}).get("notEvaluated") or []:
        what = f"{entry.get('call')}" + (f" ({entry['target']})" if entry.get("target") else "")
        for rule_id in entry.get("rules") or []:
            if rule_id == DRIFT_RULE and not drift:
                continue
            if policies.rule(rule_id) is None:
                continue  # a rule not in this policy set has nothing to report
            failures.setdefault(rule_id, []).append(f"{what}: {entry.get('error')}")
    if not failures:
        return result, []
    kept = [f for f in result.findings if f.rule not in failures]
    for rule_id, reasons in sorted(failures.items()):
        rule = policies.rule(rule_id)
        assert rule is not None
        kept.append(
            Finding(
                rule=rule_id,
                resource="",
                message=f"not evaluated: the audit could not read {'; '.join(sorted(set(reasons)))}",
                title=rule.title,
                severity=rule.severity,
                enforcement="mandatory",
                remediation="Grant the read-only actions in docs/iam-audit-policy.json to the audit's role, "
                "then run `sesguard audit` again.",
            )
        )
    return (
        StackResult(result.project, result.stack, result.source, sorted(kept), result.file),
        sorted(failures),
    )


def run(args: argparse.Namespace) -> int:
    run = options.run_of(args)
    policies = run.policies
    engine = run.make_engine()
    try:
        config: dict[str, Any] = {}
        production = False
        declared: list[dict[str, Any]] | None = None
        region = args.region
        if args.stack:
            config, production, declared = _stack_inputs(args.stack)
            stack_region = config.get("aws:region")
            region = region or (stack_region if isinstance(stack_region, str) else None)
        clients = live.Clients.connect(region=region, profile=args.profile, max_attempts=args.retries)
        with progress_reporter() as progress:
            document = live.read(
                clients,
                project="ses-sender" if args.stack else "aws-account",
                stack=args.stack,
                config=config,
                production=production,
                declared=declared,
                progress=progress,
            )
        result = judging.judge_one(document, engine)
    finally:
        engine.close()
    result, skipped = not_evaluated(result, document, policies, drift=declared is not None)
    code = output.emit([result], run.reports, policies)
    if skipped:
        print(
            f"sesguard: audit incomplete: {len(skipped)} rule(s) not evaluated ({', '.join(skipped)}); "
            "see the report",
            file=sys.stderr,
        )
        return judging.EXIT_ERROR
    return code
