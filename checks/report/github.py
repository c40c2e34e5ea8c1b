"""GitHub Actions: one workflow-command annotation per finding, and the Markdown job summary.

``::error`` for an unwaived mandatory finding, ``::warning`` for an advisory one, ``::notice`` for
a waived one. Escaping follows the runner's rules (actions/toolkit ``command.ts``): in the message
``%``, ``\\r`` and ``\\n``; in properties also ``:`` and ``,``. When ``$GITHUB_STEP_SUMMARY`` names a
file, the Markdown report is appended to it, as the runner expects of every step.
"""

from __future__ import annotations

import os

from checks.errors import SesguardError
from checks.findings import Finding, StackResult
from checks.policyset import PolicySet
from checks.report import artifact_uri, markdown, start_line, summary_line, waiver_reason

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(r: StackResult, f: Finding) -> str:
    if f.waived:
        kind, message = "notice", f"waived ({waiver_reason(f)}): {f.message}"
    else:
        kind, message = ("error" if f.enforcement == "mandatory" else "warning"), f.message
    props = {
        "file": artifact_uri(r),
        "line": str(start_line(r, f)),
        "title": f"{f.rule} {f.title} ({r.project}/{r.stack})".strip(),
    }
    rendered = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    return f"::{kind} {rendered}::{escape_data(message)}"


def write_step_summary(text: str) -> None:
    path = os.environ.get(STEP_SUMMARY_ENV)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise SesguardError(
            f"{path} (${STEP_SUMMARY_ENV}): cannot write the job summary: {exc.strerror}"
        ) from None


def render(results: list[StackResult], policies: PolicySet) -> str:
    lines = [_command(r, f) for r in results for f in r.findings]
    write_step_summary(markdown.render(results, policies))
    lines.append(summary_line(results))
    return "\n".join(lines) + "\n"
