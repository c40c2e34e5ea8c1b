"""GitHub Actions: one workflow-command annotation per finding, and the Markdown job summary.

``::error`` for an unwaived mandatory finding, ``::warning`` for an advisory one, ``::notice`` for
a waived one, each at the file, line and column that declare the resource (else the stack's config
file). GitHub shows only the first ten annotations of each kind per step, so the most severe come
first. Escaping follows the runner's rules (actions/toolkit ``command.ts``): in the message ``%``,
``\\r`` and ``\\n``; in properties also ``:`` and ``,``. When ``$GITHUB_STEP_SUMMARY`` names a
file, the Markdown report is appended to it, as the runner expects of every step. A run that could
not judge every stack ends with one ``::error`` per stack not judged.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from sesguard.errors import SesguardError
from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.policyset import PolicySet
from sesguard.report import NO_SES, NO_SES_DETAIL, finding_order, markdown, summary_line, waiver_reason
from sesguard.report.locations import place

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
    p = place(r, f)
    props = {"file": p.file, "line": str(p.line)}
    if p.column is not None:
        props["col"] = str(p.column)
    props["title"] = f"{f.rule} {f.title} ({r.project}/{r.stack})".strip()
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


def render(results: list[StackResult], policies: PolicySet, not_judged: Sequence[NotJudged] = ()) -> str:
    pairs = sorted(((r, f) for r in results for f in r.findings), key=lambda rf: finding_order(rf[1]))
    lines = [
        f"::error title={escape_property('stack not judged')}::"
        + escape_data(f"stack {n.stack} was not judged: {n.reason}")
        for n in not_judged
    ]
    lines += [
        f"::notice title={escape_property(NO_SES)}::"
        + escape_data(f"stack {r.project}/{r.stack}: {NO_SES}: {NO_SES_DETAIL}")
        for r in results
        if r.no_ses_resources
    ]
    lines += [_command(r, f) for r, f in pairs]
    write_step_summary(markdown.render(results, policies, not_judged))
    lines.append(summary_line(results, not_judged))
    return "\n".join(lines) + "\n"
