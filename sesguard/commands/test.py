"""`sesguard test`: every Rego unit test (`*_test.rego`, as `opa test` runs them), with coverage.

Prints each failing test, coverage per policy file and in total, then `N passed, M failed`.
Exit 1 when a test fails or coverage is under --coverage-min.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sesguard import judging, regotest
from sesguard.commands import options
from sesguard.report import output

FORMATS = ("text", "json")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("test", help="run the Rego unit tests with coverage", description=__doc__)
    parser.add_argument(
        "--coverage-min",
        type=float,
        default=0.0,
        metavar="PCT",
        help="fail when total line coverage is below PCT percent (default 0)",
    )
    options.add_report_options(parser, FORMATS)
    options.add_policy_options(parser)
    parser.set_defaults(func=run)


def _text(run: regotest.TestRun, minimum: float) -> str:
    lines = []
    for o in run.failed:
        lines.append(f"FAIL {o.name} ({o.file})" + (f": {o.error}" if o.error else ""))
    if run.failed:
        lines.append("")
    lines.append("coverage")
    per_file = run.file_coverage()
    width = max((len(f) for f in per_file), default=10)
    for f, (covered, total) in per_file.items():
        pct = 100.0 * covered / total if total else 100.0
        lines.append(f"  {f:<{width}}  {pct:6.1f}%  ({covered}/{total} lines)")
    lines.append(f"  {'total':<{width}}  {run.coverage:6.1f}%")
    if run.coverage < minimum:
        lines.append(f"coverage {run.coverage:.1f}% is below the minimum {minimum:g}%")
    passed = len(run.outcomes) - len(run.failed)
    lines.append(f"{passed} passed, {len(run.failed)} failed")
    return "\n".join(lines) + "\n"


def _json(run: regotest.TestRun, minimum: float) -> str:
    return (
        json.dumps(
            {
                "tests": [
                    {"name": o.name, "file": o.file, "passed": o.passed, "error": o.error}
                    for o in run.outcomes
                ],
                "coverage": {
                    "files": {f: {"covered": c, "lines": t} for f, (c, t) in run.file_coverage().items()},
                    "total": round(run.coverage, 2),
                    "minimum": minimum,
                },
                "summary": {"passed": len(run.outcomes) - len(run.failed), "failed": len(run.failed)},
            },
            indent=2,
        )
        + "\n"
    )


def run(args: argparse.Namespace) -> int:
    result = regotest.run(options.policies_of(args))
    text = (_text if args.format == "text" else _json)(result, args.coverage_min)
    passed = len(result.outcomes) - len(result.failed)
    summary = f"{passed} passed, {len(result.failed)} failed, coverage {result.coverage:.1f}%"
    output.write_report(text, args.output, summary)
    ok = not result.failed and result.coverage >= args.coverage_min
    return judging.EXIT_PASS if ok else judging.EXIT_FINDINGS
