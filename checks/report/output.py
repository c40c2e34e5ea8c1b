"""Writing a report: rendered once, to ``--output`` (with the summary line on stdout) or to stdout."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from checks import judging
from checks.errors import SesguardError
from checks.findings import StackResult
from checks.policyset import PolicySet


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


def emit(results: Sequence[StackResult], args: argparse.Namespace, policies: PolicySet) -> int:
    """Render and write the report; the exit code for the findings (0 pass, 1 mandatory findings)."""
    from checks import report

    text = report.render(args.format, list(results), policies, color=_color(args))
    write_report(text, args, report.summary_line(list(results)))
    return judging.exit_code(results)
