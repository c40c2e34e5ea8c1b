"""A pull-request comment: the verdict and a summary table first, then findings grouped by stack.

Everything that comes from a stack (names, messages, waiver reasons) goes through
``escape.markdown``: it cannot end a table cell or row, or become HTML, a link, an image or an
``@mention`` in a PR comment. The resource column links to the line that declares the resource on
GitHub when the Actions variables name the commit. A run that could not judge every stack says
"incomplete" and lists each stack not judged and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.policyset import PolicySet, Rule
from sesguard.report import (
    NO_SES,
    NO_SES_DETAIL,
    answered,
    escape,
    fix,
    level,
    rules_for,
    short_name,
    summary_line,
    totals,
    verdict,
    waiver_reason,
)
from sesguard.report.locations import blob_url, place

_ICON = {"mandatory": "❌", "advisory": "⚠️", "waived": "💤"}
_VERDICT = {"passed": "✅ passed", "failed": "❌ failed", "incomplete": "⛔ incomplete"}


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell on one line."""
    return escape.markdown(text)


def _verdict(r: StackResult) -> str:
    shown = _VERDICT["passed" if r.passed else "failed"]
    return f"{shown} ({NO_SES})" if r.no_ses_resources else shown


def _resource(r: StackResult, f: Finding) -> str:
    name = cell(short_name(f.resource) or "-")
    p = place(r, f)
    url = blob_url(p) if p.declared else None
    shown = f"[{name}]({url})" if url else name
    # The declaring file and line as text too: a comment or a summary read outside GitHub has no link.
    return f"{shown} ({cell(f'{p.file}:{p.line}')})" if p.declared else shown


def _finding_row(r: StackResult, f: Finding, rule_links: dict[str, str]) -> str:
    lvl = level(f)
    shown = f"waived: {waiver_reason(f)}" if f.waived else lvl
    rule = f"[{cell(f.rule)}]({rule_links[f.rule]})" if rule_links.get(f.rule) else cell(f.rule)
    return (
        f"| {_ICON.get(lvl, '')} {cell(shown)} | {rule} | {cell(f.severity)} "
        f"| {_resource(r, f)} | {cell(f.message)} |"
    )


def _fixes(r: StackResult, rules: dict[str, Rule]) -> list[str]:
    ids = list(dict.fromkeys(f.rule for f in r.findings if not f.waived and f.rule in rules))
    shown = [rid for rid in ids if any(fix(rules[rid], r.language, r.thresholds))]
    if not shown:
        return []
    out = ["", "<details><summary>How to fix</summary>", ""]
    for rid in shown:
        rule = rules[rid]
        remediation, snippet = fix(rule, r.language, r.thresholds)
        out += [f"**{cell(rid)} {cell(rule.title)}**", ""]
        if remediation:
            out += [cell(remediation.strip()) if answered(rule) else remediation.strip(), ""]
        if snippet:
            out += [escape.code_block(snippet, r.language or ""), ""]
    out.append("</details>")
    return out


def render(results: list[StackResult], policies: PolicySet, not_judged: Sequence[NotJudged] = ()) -> str:
    rules = {r.id: r for r in rules_for(results, policies)}
    links = {rid: r.url for rid, r in rules.items() if r.file}
    t = totals(results, not_judged)
    heading = _VERDICT[verdict(results, not_judged)]
    empty = [r for r in results if r.no_ses_resources]
    if empty:
        heading += (
            f" ({NO_SES})" if len(empty) == len(results) else f" ({NO_SES} in {len(empty)} of {len(results)})"
        )
    out = [
        f"## sesguard: {heading}",
        "",
        cell(summary_line(results, not_judged)),
        "",
    ]
    if not_judged:
        out += ["**This run is incomplete: these stacks were not judged.**", ""]
        out += [f"- {cell(n.stack)}: {cell(n.reason)}" for n in not_judged]
        out.append("")
    out += [
        "| stack | source | result | mandatory | advisory | waived |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        c = r.counts()
        out.append(
            f"| {cell(r.project)}/{cell(r.stack)} | {cell(r.source)} | {_verdict(r)} "
            f"| {c['mandatory']} | {c['advisory']} | {c['waived']} |"
        )
    for n in not_judged:
        out.append(f"| {cell(n.stack)} | | {_VERDICT['incomplete']} (not judged) | | | |")
    out.append(f"| **total** ({t['stacks']}) | | | {t['mandatory']} | {t['advisory']} | {t['waived']} |")
    if empty:
        names = ", ".join(f"{cell(r.project)}/{cell(r.stack)}" for r in empty)
        out += ["", f"**{NO_SES}** in {names}: {NO_SES_DETAIL}."]
    for r in results:
        if not r.findings:
            continue
        where = f" — {cell(r.config_file)}" if r.config_file else ""
        out += [
            "",
            f"### {cell(r.project)}/{cell(r.stack)} ({cell(r.source)}){where}",
            "",
            "| level | rule | severity | resource | message |",
            "|---|---|---|---|---|",
        ]
        out += [_finding_row(r, f, links) for f in r.findings]
        out += _fixes(r, rules)
    return "\n".join(out) + "\n"
