"""Writing reports: to each ``--output`` (with the summary line on stdout), or one report to stdout.

``--output`` is repeatable so one run writes SARIF, Markdown and JUnit together: ``FORMAT=FILE``
names the format, else the file's extension does (``.sarif``, ``.json``, ``.xml`` for JUnit,
``.md``, ``.txt``); a single ``--output`` with an explicit ``--format`` keeps that format whatever
the extension. ``--format`` alone chooses what goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sesguard import judging
from sesguard.errors import SesguardError
from sesguard.findings import NotJudged, StackResult
from sesguard.outputline import inert, inert_report
from sesguard.policyset import PolicySet
from sesguard.report import FORMATS

DEFAULT_FORMAT = "text"
BY_EXTENSION = {
    ".sarif": "sarif",
    ".json": "json",
    ".xml": "junit",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}


def _color(args: argparse.Namespace) -> bool:
    return not getattr(args, "output", None) and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SesguardError(f"{path}: cannot write the report: {exc.strerror or exc}") from None


def write_report(text: str, args: argparse.Namespace, summary: str) -> None:
    """The report to --output (and the summary line to stdout), or the report alone to stdout."""
    output = getattr(args, "output", None)
    if output:
        _write(output, text)
        print(inert(summary))
    else:
        text = inert_report(text)  # names from a live account or a catalog reach a CI log
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        sys.stdout.flush()


def targets(outputs: Sequence[str], fmt: str | None) -> list[tuple[str, str]]:
    """(format, path) for each ``--output``; a file whose format cannot be told is an error."""
    out = []
    for item in outputs:
        prefix, sep, rest = item.partition("=")
        if sep and prefix in FORMATS and rest:
            out.append((prefix, rest))
        elif fmt is not None and len(outputs) == 1:
            out.append((fmt, item))
        elif Path(item).suffix.lower() in BY_EXTENSION:
            out.append((BY_EXTENSION[Path(item).suffix.lower()], item))
        else:
            known = ", ".join(BY_EXTENSION)
            raise SesguardError(
                f"{item}: cannot tell the report format from the name: use FORMAT=FILE "
                f"(FORMAT one of {', '.join(FORMATS)}) or an extension ({known})"
            )
    return out


def emit(
    results: Sequence[StackResult],
    args: argparse.Namespace,
    policies: PolicySet,
    not_judged: Sequence[NotJudged] = (),
) -> int:
    """Render and write every report; the exit code for the findings (0 pass, 1 mandatory findings).

    A run that could not judge every stack is the caller's exit 2; the reports already say why.
    """
    from sesguard import report

    listed = list(results)
    language = getattr(args, "language", None)
    if language:
        # An explicit --language wins over what the source found (DESIGN: `--language` overrides),
        # in the source's own family: CDK code for a CloudFormation input, never Pulumi's.
        from sesguard.languages import for_source

        listed = [replace(r, language=for_source(r.source, language)) for r in listed]
    run_thresholds = dict(
        (name.strip(), float(value))
        for name, _, value in (t.partition("=") for t in getattr(args, "threshold", None) or [])
    )
    if run_thresholds:  # validated when the engine's settings were read; here they name a fix's values
        listed = [replace(r, thresholds=judging.tightened(run_thresholds, r.thresholds)) for r in listed]
    fmt = getattr(args, "format", None)
    outputs = getattr(args, "output", None) or []
    if isinstance(outputs, str):
        outputs = [outputs]
    if outputs:
        for kind, path in targets(outputs, fmt):
            _write(path, report.render(kind, listed, policies, not_judged=not_judged))
        print(report.summary_line(listed, not_judged))
    else:
        text = report.render(
            fmt or DEFAULT_FORMAT, listed, policies, color=_color(args), not_judged=not_judged
        )
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        sys.stdout.flush()
    return judging.exit_code(listed) if not not_judged else judging.EXIT_ERROR
