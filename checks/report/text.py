"""The text report: one table per stack for people at a terminal, then the summary line.

Cells are ``rich.text.Text``, never markup strings, so a message holding ``[secret]`` or brackets
prints as written. Colour only when the caller says the output is a terminal.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from checks.findings import StackResult
from checks.policyset import PolicySet
from checks.report import level, short_name, summary_line, waiver_reason

_STYLE = {"mandatory": "bold red", "advisory": "yellow", "waived": "dim"}
_WIDTH = 120


def render(results: list[StackResult], policies: PolicySet, *, color: bool = False) -> str:
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
    for r in results:
        verdict = Text("passed", style="green") if r.passed else Text("failed", style="bold red")
        heading = Text(f"{r.project}/{r.stack} ({r.source}{', ' + r.file if r.file else ''}): ")
        heading.append_text(verdict)
        console.print(heading)
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
            table.add_row(
                Text(f.rule),
                Text(f.severity),
                Text(lvl, style=_STYLE.get(lvl, "")),
                Text(short_name(f.resource) or "-"),
                Text(message),
            )
        console.print(table)
        console.print()
    console.print(Text(summary_line(results)))
    return buf.getvalue()
