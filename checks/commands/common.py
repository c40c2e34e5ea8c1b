"""Options and steps every judging command shares: engine, settings, judging and the report.

``check`` uses them now; the live commands (audit, dns, request) use the same ones, so every
command takes the same ``--format``/``--output`` and engine options and exits the same way:
0 no unwaived mandatory finding, 1 mandatory findings, 2 an error (raised as SesguardError).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from checks import policyset, yamlio
from checks.document import Document
from checks.engine import Engine, Settings
from checks.errors import InputError, SesguardError
from checks.findings import StackResult
from checks.policyset import PolicySet
from checks.report import summary_line as report_summary
from checks.sources.reading import decode_text

FORMATS = ("text", "json", "sarif", "junit", "markdown", "github")
LEVELS = ("mandatory", "advisory", "disabled")
EXIT_PASS, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

_RULE_ID = re.compile(r"^SES-\d{3}$")
_THRESHOLD = re.compile(r"^[a-z][a-z0-9_]*$")


# --- options -------------------------------------------------------------------------------------


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
        help="per-request timeout (10)",
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


def add_common(parser: argparse.ArgumentParser, formats: Sequence[str] = FORMATS) -> None:
    add_report_options(parser, formats)
    add_engine_options(parser)


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


# --- settings ------------------------------------------------------------------------------------


def parse_levels(items: Iterable[str], policies: PolicySet | None = None) -> dict[str, str]:
    levels: dict[str, str] = {}
    for item in items:
        rule, sep, level = item.partition("=")
        rule, level = rule.strip().upper(), level.strip().lower()
        if not sep or not _RULE_ID.match(rule) or level not in LEVELS:
            raise SesguardError(f"--level {item!r}: expected ID=LEVEL with LEVEL one of {', '.join(LEVELS)}")
        if policies is not None and policies.rule(rule) is None:
            raise SesguardError(f"--level {item!r}: no rule {rule} in {policies.root}")
        levels[rule] = level
    return levels


def parse_thresholds(items: Iterable[str]) -> dict[str, float]:
    thresholds: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not sep or not _THRESHOLD.match(name) or not value >= 0 or value == float("inf"):
            raise SesguardError(
                f"--threshold {item!r}: expected NAME=VALUE with a number, e.g. bounce_rate=0.02"
            )
        thresholds[name] = value
    return thresholds


def _jsonable(value: Any) -> Any:
    # YAML reads `expires: 2026-01-31` as a date; the engines and the Rego compare ISO strings.
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def load_waivers(path: str) -> list[Any]:
    """A waiver file: a YAML/JSON list, or a mapping with a ``waivers`` list (bad file -> exit 2).

    The waivers themselves are judged by the Rego (SES-026), so one without a reason or expiry is a
    finding, not an input error.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read waiver file: {exc.strerror or exc}") from None
    text = decode_text(raw, path)
    if not text.strip():
        raise InputError(path, "waiver file is empty")
    try:
        data = yamlio.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, f"not valid YAML or JSON{at}: {problem}") from None
    if isinstance(data, dict) and "waivers" in data:
        data = data["waivers"]
    if not isinstance(data, list):
        raise InputError(path, "expected a list of waivers (or a mapping with a `waivers` list)")
    return [_jsonable(w) for w in data]


def settings(args: argparse.Namespace, policies: PolicySet | None = None) -> Settings:
    return Settings(
        levels=parse_levels(getattr(args, "level", None) or [], policies),
        thresholds=parse_thresholds(getattr(args, "threshold", None) or []),
        waivers=load_waivers(args.waivers) if getattr(args, "waivers", None) else [],
    )


# --- engine, judging, report ---------------------------------------------------------------------


def load_policies() -> PolicySet:
    return policyset.load()


def make_engine(args: argparse.Namespace, policies: PolicySet | None = None) -> Engine:
    """The embedded OPA, or the OPA server at --opa-url; settings come from the rule options."""
    policies = policies or load_policies()
    run_settings = settings(args, policies)
    if getattr(args, "opa_url", None):
        from checks.engine.server import ServerEngine

        return ServerEngine(
            args.opa_url,
            policies,
            run_settings,
            timeout=args.opa_timeout,
            ca=args.opa_ca,
            token=args.opa_token,
            bundle_loaded=args.opa_bundle_loaded,
        )
    from checks.engine.embedded import EmbeddedEngine

    return EmbeddedEngine(policies, run_settings)


def judge_one(document: Document, engine: Engine) -> StackResult:
    return StackResult(
        project=str(document.get("project") or ""),
        stack=str(document.get("stack") or ""),
        source=str(document.get("source") or ""),
        findings=engine.evaluate(document),
        file=document.get("file"),
    )


def judge(documents: Iterable[Document], engine: Engine) -> list[StackResult]:
    return [judge_one(doc, engine) for doc in documents]


def exit_code(results: Sequence[StackResult]) -> int:
    return EXIT_PASS if all(r.passed for r in results) else EXIT_FINDINGS


def render(fmt: str, results: Sequence[StackResult], policies: PolicySet, *, color: bool = False) -> str:
    from checks import report

    return report.render(fmt, list(results), policies, color=color)


def _color(args: argparse.Namespace) -> bool:
    return not getattr(args, "output", None) and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def write_report(text: str, args: argparse.Namespace, summary: str) -> None:
    """The report to --output (and the summary line to stdout), or the report alone to stdout."""
    output = getattr(args, "output", None)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SesguardError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
        print(summary)
    else:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        sys.stdout.flush()


def emit(results: Sequence[StackResult], args: argparse.Namespace, policies: PolicySet | None = None) -> int:
    """Render and write the report; the exit code for the findings (0 pass, 1 mandatory findings)."""
    policies = policies or load_policies()
    text = render(args.format, results, policies, color=_color(args))
    write_report(text, args, report_summary(list(results)))
    return exit_code(results)
