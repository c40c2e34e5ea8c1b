"""Command-line options every judging command shares: the report, the engine and the rule settings,
and the typed values a command reads them into (``Run``).

Every command takes the same ``--format``/``--output`` and engine options, so a user learns them once.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesguard import settings
from sesguard.engine import Engine, Settings, compiled, factory
from sesguard.engine.factory import EngineOptions
from sesguard.languages import SNIPPET_LANGUAGES
from sesguard.policyset import PolicySet
from sesguard.report.output import Reports

FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")


def subcommand(subparsers: Any, name: str, help: str, description: str | None) -> argparse.ArgumentParser:
    """A subcommand whose --help shows its module docstring as written (examples keep their lines)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


def add_report_options(parser: argparse.ArgumentParser, formats: Sequence[str] = FORMATS) -> None:
    group = parser.add_argument_group("report")
    group.add_argument(
        "--format", choices=formats, default=formats[0], help=f"report format (default {formats[0]})"
    )
    group.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE and print only the summary line"
    )


def add_judging_report_options(parser: argparse.ArgumentParser) -> None:
    """The report options of commands that judge stacks: several reports from one run."""
    group = parser.add_argument_group("report")
    group.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="format of the report on stdout, or of a single --output (default text)",
    )
    group.add_argument(
        "--output",
        "-o",
        action="append",
        default=[],
        metavar="[FORMAT=]FILE",
        help="write a report to FILE, its format from FORMAT= or the extension (.sarif, .json, "
        ".xml for JUnit, .md, .txt); repeatable; stdout then gets only the summary line",
    )
    group.add_argument(
        "--language",
        choices=SNIPPET_LANGUAGES,
        metavar="LANG",
        help=f"show fixes as code in this language ({', '.join(SNIPPET_LANGUAGES)}); "
        "default: the project's runtime when known",
    )


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("policy engine")
    group.add_argument(
        "--opa-url", metavar="URL", help="evaluate on this OPA server instead of the embedded OPA"
    )
    group.add_argument(
        "--opa-timeout",
        type=_positive_float,
        default=10.0,
        metavar="SECONDS",
        help="deadline for each whole request to the OPA server, headers and body (10)",
    )
    group.add_argument(
        "--opa-ca", metavar="FILE", help="CA bundle to verify the OPA server's TLS certificate"
    )
    group.add_argument(
        "--opa-token",
        metavar="TOKEN",
        default=os.environ.get("OPA_TOKEN"),
        help="bearer token for the OPA server (default: $OPA_TOKEN)",
    )
    group.add_argument(
        "--opa-bundle-loaded",
        action="store_true",
        help="the server already serves sesguard's bundle: do not push policies",
    )
    group = parser.add_argument_group("rule settings")
    group.add_argument(
        "--waivers", metavar="FILE", help="YAML or JSON list of waivers (rule, resource, reason, expires)"
    )
    group.add_argument(
        "--level",
        action="append",
        default=[],
        metavar="ID=LEVEL",
        help="run a rule as mandatory, advisory or disabled, e.g. --level SES-019=mandatory (repeatable)",
    )
    group.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="tighten a threshold, e.g. --threshold bounce_rate=0.02 (repeatable)",
    )


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    """Which Rego a command runs: every command that reads the policies takes these."""
    group = parser.add_argument_group("policies")
    group.add_argument(
        "--policies",
        metavar="DIR",
        default=None,
        help="a customised copy of the pack (default: $SESGUARD_POLICIES, else the installed pack)",
    )
    group.add_argument(
        "--extra-policies",
        action="append",
        default=[],
        metavar="DIR",
        help="your organisation's own Rego rules, same METADATA contract, ids not SES-* (repeatable)",
    )
    group.add_argument(
        "--allow-network-builtins",
        action="store_true",
        help="let the policies call http.send, net.lookup_ip_addr and opa.runtime (refused by default)",
    )


def add_common(parser: argparse.ArgumentParser) -> None:
    add_judging_report_options(parser)
    add_engine_options(parser)
    add_policy_options(parser)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


# The command line read once into typed values: below sesguard/commands/ no module sees argparse.
# A command builds what it runs on here, then hands those values down (pip-audit's _cli.py).


@dataclass(frozen=True)
class Run:
    """What every judging command runs with: the policies, where and with which rule settings they
    are evaluated, and which reports are written."""

    policies: PolicySet
    engine: EngineOptions
    settings: Settings
    reports: Reports

    def make_engine(self, sources: Collection[str] | None = None) -> Engine:
        return factory.make_engine(self.engine, self.policies, self.settings, sources)


def policies_of(args: argparse.Namespace) -> PolicySet:
    """``--policies`` (or $SESGUARD_POLICIES) and each ``--extra-policies``, compiled when not the
    installed pack's: Rego that does not compile is exit 2 naming its file in every command."""
    chosen = getattr(args, "policies", None)
    extras = tuple(Path(p) for p in getattr(args, "extra_policies", None) or ())
    allow_network = bool(getattr(args, "allow_network_builtins", False))
    return compiled.checked(Path(chosen) if chosen else None, extras, allow_network=allow_network)


def settings_of(args: argparse.Namespace, policies: PolicySet) -> Settings:
    """``--level``, ``--threshold`` and ``--waivers``."""
    return settings.parse(args.level, args.threshold, args.waivers, policies)


def engine_of(args: argparse.Namespace) -> EngineOptions:
    """``--opa-url`` and how to reach that server."""
    return EngineOptions(
        opa_url=args.opa_url,
        timeout=args.opa_timeout,
        ca=args.opa_ca,
        token=args.opa_token,
        bundle_loaded=args.opa_bundle_loaded,
    )


def reports_of(args: argparse.Namespace) -> Reports:
    """``--format``, each ``--output`` and ``--language`` of a judging command."""
    thresholds = tuple(
        (name.strip(), float(value))
        for name, _, value in (t.partition("=") for t in getattr(args, "threshold", None) or [])
    )
    return Reports(
        format=args.format, outputs=tuple(args.output), language=args.language, thresholds=thresholds
    )


def run_of(args: argparse.Namespace) -> Run:
    """The options `add_common` added, read once; a bad setting is exit 2 before anything runs."""
    policies = policies_of(args)
    return Run(policies, engine_of(args), settings_of(args, policies), reports_of(args))
