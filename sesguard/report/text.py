"""The text report: one table per stack for people at a terminal, how to fix it, then the summary line.

Cells are ``rich.text.Text``, never markup strings, so a message holding ``[secret]`` or brackets
prints as written (and ``render`` has already turned control characters into visible escapes).
Under each table, every rule with an unwaived mandatory finding gets its fix (the snippet in the
stack's language when the rule has one) and the link to its documentation. Colour only when the
caller says the output is a terminal. A run that could not judge every stack names each one.
No line starts with a name from the input (``report.render`` also makes every line ``inert``).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.policyset import PolicySet, Rule
from sesguard.report import (
    NO_SES_DETAIL,
    answered,
    escape,
    fix,
    level,
    rules_for,
    short_name,
    stack_verdict,
    summary_line,
    waiver_reason,
)

_STYLE = {"mandatory": "bold red", "advisory": "yellow", "waived": "dim"}
_WIDTH = 120


def _fixes(console: Console, r: StackResult, rules: dict[str, Rule]) -> None:
    ids = list(dict.fromkeys(f.rule for f in r.findings if f.blocking and f.rule in rules))
    if not ids:
        return
    console.print(Text("  how to fix:", style="bold"))
    for rid in ids:
        rule = rules[rid]
        remediation, snippet = fix(rule, r.language, r.thresholds)
        if answered(rule):  # a stub of what the engine sent: data, shown without control characters
            remediation = escape.plain(remediation)
        console.print(Text(escape.plain(f"  {rid} {rule.title}"), style="bold"))
        if remediation:
            console.print(Text(textwrap.indent(remediation.strip(), "    ")))
        if snippet:
            # Code is printed as written: a wrap at the console's width would break a string
            # literal in two, and the copied code would not compile.
            console.print(Text(textwrap.indent(snippet, "      ")), soft_wrap=True)
        if rule.file:
            console.print(Text(f"    {rule.url}", style="cyan"))
    console.print()


def _where(f: Finding) -> str:
    loc = f.location
    if loc is None:
        return "-"
    return f"{loc.file}:{loc.line}" if loc.line else loc.file


def render(
    results: list[StackResult],
    policies: PolicySet,
    not_judged: Sequence[NotJudged] = (),
    *,
    color: bool = False,
) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=_WIDTH,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    rules = {r.id: r for r in rules_for(results, policies)}
    for r in results:
        verdict = Text(stack_verdict(r), style="green" if r.passed else "bold red")
        # Every line starts with sesguard's own words, never a name from the input.
        heading = Text(f"stack {r.project}/{r.stack} ({r.source}{', ' + r.file if r.file else ''}): ")
        heading.append_text(verdict)
        console.print(heading)
        if r.no_ses_resources:
            console.print(Text(f"  {NO_SES_DETAIL}"))
        if not r.findings:
            console.print(Text("  no findings"))
            console.print()
            continue
        table = Table(show_edge=False, pad_edge=False, expand=False, header_style="bold")
        for col in ("rule", "severity", "level", "resource", "message"):
            table.add_column(col, overflow="fold")
        for f in r.findings:
            lvl = level(f)
            message = f.message if not f.waived else f"{f.message} (waived: {waiver_reason(f)})"
            # Where the resource is declared, when the source knows, under its name: at a terminal
            # or in a pre-commit hook's output this is the only pointer to the line to change.
            resource = short_name(f.resource) or "-"
            if f.location is not None:
                resource = f"{resource}\nat {_where(f)}"
            table.add_row(
                Text(f.rule),
                Text(f.severity),
                Text(lvl, style=_STYLE.get(lvl, "")),
                Text(resource),
                Text(message),
            )
        console.print(table)
        console.print()
        _fixes(console, r, rules)
    for n in not_judged:
        console.print(Text(f"not judged: stack {n.stack} — {n.reason}", style="bold red"))
    if not_judged:
        console.print()
    console.print(Text(summary_line(results, not_judged)))
    return buf.getvalue()
