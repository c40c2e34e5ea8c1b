"""A pull-request comment: the verdict and a summary table first, then findings grouped by stack.

Cell text is escaped for GitHub-flavoured Markdown tables: ``|`` would end the cell, a newline the
row, and ``<``/``>``/``&`` would be read as HTML (``<token>._domainkey`` must not vanish).
"""

from __future__ import annotations

from checks.findings import Finding, StackResult
from checks.policyset import PolicySet
from checks.report import level, rules_for, short_name, summary_line, totals, waiver_reason

_ICON = {"mandatory": "❌", "advisory": "⚠️", "waived": "💤"}


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell on one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _verdict(ok: bool) -> str:
    return "✅ passed" if ok else "❌ failed"


def _finding_row(f: Finding, rule_links: dict[str, str]) -> str:
    lvl = level(f)
    shown = f"waived: {waiver_reason(f)}" if f.waived else lvl
    rule = f"[{cell(f.rule)}]({rule_links[f.rule]})" if rule_links.get(f.rule) else cell(f.rule)
    return (
        f"| {_ICON.get(lvl, '')} {cell(shown)} | {rule} | {cell(f.severity)} "
        f"| {cell(short_name(f.resource) or '-')} | {cell(f.message)} |"
    )


def render(results: list[StackResult], policies: PolicySet) -> str:
    rules = {r.id: r for r in rules_for(results, policies)}
    links = {rid: r.url for rid, r in rules.items() if r.file}
    t = totals(results)
    verdict = _verdict(all(r.passed for r in results))
    out = [
        f"## sesguard: {verdict}",
        "",
        cell(summary_line(results)),
        "",
        "| stack | source | result | mandatory | advisory | waived |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        c = r.counts()
        out.append(
            f"| {cell(r.project)}/{cell(r.stack)} | {cell(r.source)} | {_verdict(r.passed)} "
            f"| {c['mandatory']} | {c['advisory']} | {c['waived']} |"
        )
    out.append(f"| **total** ({t['stacks']}) | | | {t['mandatory']} | {t['advisory']} | {t['waived']} |")
    for r in results:
        if not r.findings:
            continue
        where = f" — {cell(r.file)}" if r.file else ""
        out += [
            "",
            f"### {cell(r.project)}/{cell(r.stack)} ({cell(r.source)}){where}",
            "",
            "| level | rule | severity | resource | message |",
            "|---|---|---|---|---|",
        ]
        out += [_finding_row(f, links) for f in r.findings]
        fixes = sorted(
            {f.rule for f in r.findings if not f.waived and rules.get(f.rule) and rules[f.rule].remediation}
        )
        if fixes:
            out += ["", "<details><summary>How to fix</summary>", ""]
            for rid in fixes:
                rule = rules[rid]
                out += [f"**{cell(rid)} {cell(rule.title)}**", "", rule.remediation.strip(), ""]
            out.append("</details>")
    return "\n".join(out) + "\n"
