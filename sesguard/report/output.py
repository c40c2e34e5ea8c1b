"""Writing reports: to each ``--output`` (with the summary line on stdout), or one report to stdout.

``--output`` is repeatable so one run writes SARIF, Markdown and JUnit together: ``FORMAT=FILE``
names the format, else the file's extension does (``.sarif``, ``.json``, ``.xml`` for JUnit,
``.md``, ``.txt``); a single ``--output`` with an explicit ``--format`` keeps that format whatever
the extension. ``--format`` alone chooses what goes to stdout.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sesguard import judging
from sesguard.errors import SesguardError
from sesguard.findings import NotJudged, StackResult
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


@dataclass(frozen=True)
class Reports:
    """Which reports a judging run writes: ``--format``, each ``--output``, and ``--language``."""

    format: str | None = None  # the report on stdout, or of a single output (None: text)
    outputs: tuple[str, ...] = ()  # each [FORMAT=]FILE
    language: str | None = None  # fixes shown as code in this language, over the source's own


def _color() -> bool:
    """Whether the report on stdout may be coloured: a terminal, and the user did not say NO_COLOR."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SesguardError(f"{path}: cannot write the report: {exc.strerror or exc}") from None


def write_report(text: str, output: str | None, summary: str) -> None:
    """The report to ``output`` (and the summary line to stdout), or the report alone to stdout."""
    if output:
        _write(output, text)
        print(summary)
    else:
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
    reports: Reports,
    policies: PolicySet,
    not_judged: Sequence[NotJudged] = (),
) -> int:
    """Render and write every report; the exit code for the findings (0 pass, 1 mandatory findings).

    A run that could not judge every stack is the caller's exit 2; the reports already say why.
    """
    from sesguard import report

    listed = list(results)
    if reports.language:
        # An explicit --language wins over what the source found (DESIGN: `--language` overrides).
        listed = [replace(r, language=reports.language) for r in listed]
    fmt, outputs = reports.format, reports.outputs
    if outputs:
        for kind, path in targets(outputs, fmt):
            _write(path, report.render(kind, listed, policies, not_judged=not_judged))
        print(report.summary_line(listed, not_judged))
    else:
        text = report.render(fmt or DEFAULT_FORMAT, listed, policies, color=_color(), not_judged=not_judged)
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        sys.stdout.flush()
    return judging.exit_code(listed) if not not_judged else judging.EXIT_ERROR
