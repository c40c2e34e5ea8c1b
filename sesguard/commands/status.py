"""`sesguard status`: where the SES account of one region stands, at a glance (read-only).

Sandbox or production, sending and enforcement status, the 24-hour quota used, the maximum send
rate, and the bounce and complaint rates of the last 24 hours against AWS's review (5 % / 0.1 %)
and pause (10 % / 0.5 %) levels. It judges nothing: exit 0, or 2 when a read failed (the table
is still printed, with what could not be read).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import Any

from sesguard import __version__, judging
from sesguard.commands import options
from sesguard.commands.audit import add_aws_options
from sesguard.report import output
from sesguard.sources.live import aws as live

# AWS's levels for the reputation metrics (SES-FACTS.md): review, then a possible pause.
LEVELS: dict[str, tuple[str, float, float]] = {
    "bounceRate": ("Bounce rate", 0.05, 0.10),
    "complaintRate": ("Complaint rate", 0.001, 0.005),
}


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(
        subparsers,
        "status",
        "sandbox or production, quota, enforcement and reputation of one region",
        __doc__,
    )
    # status takes no --stack: the region comes from --region or the AWS config alone.
    add_aws_options(parser, region_help="AWS Region (default: the AWS config's region)")
    options.add_report_options(parser, formats=("text", "json"))
    parser.set_defaults(func=run)


def rate_state(value: float | None, review: float, pause: float) -> str:
    if value is None:
        return "no data"
    if value >= pause:
        return "PAUSE LEVEL"
    if value >= review:
        return "REVIEW LEVEL"
    if value >= review / 2:
        return "watch"
    return "ok"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.2f} %"


def _number(x: Any) -> str:
    return f"{x:,.0f}" if isinstance(x, int | float) else "?"


def summarize(region: str, status: dict[str, Any]) -> dict[str, Any]:
    """The status as plain data: what both the table and the JSON show."""
    account = status.get("account")
    out: dict[str, Any] = {"region": region, "account": None, "quota": None, "reputation": {}}
    if account is not None:
        quota = account.get("sendQuota") or {}
        max24 = quota.get("max24HourSend")
        sent = quota.get("sentLast24Hours")
        unlimited = isinstance(max24, int | float) and max24 < 0
        review = account.get("reviewDetails") or {}
        out["account"] = {
            "mode": "production" if account.get("productionAccessEnabled") else "sandbox",
            "productionAccessEnabled": account.get("productionAccessEnabled"),
            "sendingEnabled": account.get("sendingEnabled"),
            "enforcementStatus": account.get("enforcementStatus"),
            "reviewStatus": review.get("status"),
            "reviewCaseId": review.get("caseId"),
        }
        out["quota"] = {
            "sentLast24Hours": sent,
            "max24HourSend": None if unlimited else max24,
            "unlimited": unlimited,
            "used": (sent / max24)
            if isinstance(sent, int | float) and isinstance(max24, int | float) and max24 > 0
            else None,
            "maxSendRate": quota.get("maxSendRate"),
        }
    metrics = status.get("metrics")
    for key, (_, review_level, pause_level) in LEVELS.items():
        m = (metrics or {}).get(key) if metrics is not None else None
        value = m.get("max") if isinstance(m, dict) else None
        out["reputation"][key] = {
            "latest": m.get("latest") if isinstance(m, dict) else None,
            "max24h": value,
            "review": review_level,
            "pause": pause_level,
            "state": rate_state(value, review_level, pause_level) if metrics is not None else "not read",
        }
    out["notRead"] = [
        {k: v for k, v in e.items() if k in ("call", "target", "error")}
        for e in status.get("notEvaluated") or []
    ]
    return out


def render_text(summary: dict[str, Any], color: bool) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Amazon SES in {summary['region']}", title_justify="left", show_header=True)
    table.add_column("", style="bold")
    table.add_column("now")
    table.add_column("AWS levels / notes")
    acc = summary["account"]
    if acc is None:
        table.add_row("Account", "not read", "see below")
    else:
        review = f"request {acc['reviewStatus']} (case {acc['reviewCaseId']})" if acc["reviewStatus"] else ""
        table.add_row(
            "Access",
            acc["mode"],
            review or ("200 messages / 24 h, verified recipients only" if acc["mode"] == "sandbox" else ""),
        )
        table.add_row("Sending", "enabled" if acc["sendingEnabled"] else "DISABLED", "")
        table.add_row(
            "Enforcement",
            str(acc["enforcementStatus"]),
            "HEALTHY; PROBATION = under review; SHUTDOWN = paused",
        )
        q = summary["quota"]
        if q["unlimited"]:
            used, limit = f"{_number(q['sentLast24Hours'])} sent", "unlimited (-1)"
        else:
            used = f"{_number(q['sentLast24Hours'])} / {_number(q['max24HourSend'])}"
            limit = f"{q['used'] * 100:.1f} % used" if q["used"] is not None else ""
        table.add_row("Quota (24 h)", used, limit)
        table.add_row("Max send rate", f"{_number(q['maxSendRate'])} / s", "")
    for key, rep in summary["reputation"].items():
        label = LEVELS[key][0]
        now = f"{_pct(rep['max24h'])} max, {_pct(rep['latest'])} latest" if rep["max24h"] is not None else "-"
        table.add_row(
            label, now, f"{rep['state']} (review {_pct(rep['review'])}, pause {_pct(rep['pause'])})"
        )
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=100)
    console.print(table)
    for e in summary["notRead"]:
        target = f" ({e['target']})" if e.get("target") else ""
        console.print(f"not read: {e['call']}{target}: {e['error']}", markup=False, highlight=False)
    return buffer.getvalue()


def run(args: argparse.Namespace) -> int:
    clients = live.Clients.connect(region=args.region, profile=args.profile, max_attempts=args.retries)
    status = live.read_status(clients)
    summary = summarize(clients.region, status)
    if args.format == "json":
        text = (
            json.dumps({"tool": {"name": "sesguard", "version": __version__}, "status": summary}, indent=2)
            + "\n"
        )
    else:
        color = not args.output and sys.stdout.isatty()
        text = render_text(summary, color)
    acc = summary["account"] or {}
    output.write_report(
        text,
        args.output,
        f"sesguard: {summary['region']}: {acc.get('mode', 'unknown')}, "
        f"enforcement {acc.get('enforcementStatus', 'unknown')}",
    )
    return judging.EXIT_ERROR if summary["notRead"] else judging.EXIT_PASS
