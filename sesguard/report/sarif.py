"""SARIF 2.1.0 for GitHub code scanning: the rule catalog as ``tool.driver.rules``, one result per finding.

Levels: an unwaived mandatory finding is ``error``, an advisory one ``warning``, a waived one
``note`` with an external suppression carrying the waiver's reason (code scanning then shows it
as dismissed). Each result points at the line of the user's program that declares its resource
(else the stack's config file), as a path relative to the repository root under ``%SRCROOT%`` so
code scanning can place it on the PR diff, and carries the resource URN as a logical location and a
fingerprint that does not depend on the message wording, so a finding keeps its identity across
runs while the text improves. A run that could not judge every stack is
``executionSuccessful: false`` with one notification per stack not judged.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sesguard import __version__
from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.policyset import PolicySet, Rule
from sesguard.report import NO_SES, NO_SES_DETAIL, answered, escape, fix, rules_for, waiver_reason
from sesguard.report.escape import code_block
from sesguard.report.locations import place

SRCROOT = "%SRCROOT%"

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sesguard/sesguard"
# GitHub maps security-severity > 9.0 to critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
FINGERPRINT_KEY = "sesguard/v1"


def _rule(r: Rule, language: str | None) -> dict[str, Any]:
    full = r.description or r.title
    remediation, snippet = fix(r, language)
    help_text = f"{full}\n\nRemediation:\n{remediation}" if remediation else full
    # A rule the catalog lacks is a stub of what the engine sent: its texts are data, not Markdown.
    md = escape.markdown if answered(r) else (lambda t: t)
    help_md = (
        f"**{md(r.title)}**\n\n{md(full)}\n\n**Remediation**\n\n{md(remediation)}"
        if remediation
        else md(full)
    )
    if snippet:
        help_text += f"\n\n{snippet}"
        help_md += f"\n\n{code_block(snippet, language or '')}"
    return {
        "id": r.id,
        "name": r.policy_name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_md},
        "helpUri": r.url,
        "defaultConfiguration": {"level": "error" if r.enforcement == "mandatory" else "warning"},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(r.severity, "5.5"),
            "tags": ["security", "ses", r.severity, r.enforcement],
            "precision": "high",
        },
    }


def _level(f: Finding) -> str:
    if f.waived:
        return "note"
    return "error" if f.enforcement == "mandatory" else "warning"


def _fingerprint(r: StackResult, f: Finding, occurrence: int) -> str:
    key = "\x1f".join((f.rule, r.project, r.stack, f.resource, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _physical(r: StackResult, f: Finding) -> dict[str, Any]:
    p = place(r, f)
    region: dict[str, Any] = {"startLine": p.line}
    if p.column is not None:
        region["startColumn"] = p.column
    return {"artifactLocation": {"uri": p.file, "uriBaseId": SRCROOT}, "region": region}


def _result(r: StackResult, f: Finding, index: int, occurrence: int) -> dict[str, Any]:
    where = f"{r.project}/{r.stack}"
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": _level(f),
        "message": {"text": f"{f.message} (stack {where})"},
        "locations": [
            {
                "physicalLocation": _physical(r, f),
                "logicalLocations": [
                    {
                        "fullyQualifiedName": f.resource or where,
                        "kind": "resource" if f.resource else "module",
                    }
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(r, f, occurrence)},
        "properties": {
            "project": r.project,
            "stack": r.stack,
            "source": r.source,
            "severity": f.severity,
            "enforcement": f.enforcement,
            "waived": f.waived,
        },
    }
    if f.waived:
        out["suppressions"] = [{"kind": "external", "justification": waiver_reason(f)}]
    return out


def _language(results: list[StackResult]) -> str | None:
    """The run's language, when every stack shares one: rule help is per run, not per result."""
    languages = {r.language for r in results}
    return languages.pop() if len(languages) == 1 else None


def _invocation(results: list[StackResult], not_judged: Sequence[NotJudged]) -> dict[str, Any]:
    out: dict[str, Any] = {"executionSuccessful": not not_judged}
    notifications = [
        {
            "level": "error",
            "message": {"text": f"stack {n.stack} was not judged: {n.reason}"},
            "descriptor": {"id": "stack-not-judged"},
        }
        for n in not_judged
    ]
    notifications += [
        {
            "level": "note",
            "message": {"text": f"stack {r.project}/{r.stack}: {NO_SES}: {NO_SES_DETAIL}"},
            "descriptor": {"id": "no-ses-resources"},
        }
        for r in results
        if r.no_ses_resources
    ]
    if notifications:
        out["toolExecutionNotifications"] = notifications
    return out


def as_data(
    results: list[StackResult], policies: PolicySet, not_judged: Sequence[NotJudged] = ()
) -> dict[str, Any]:
    rules = rules_for(results, policies)
    language = _language(results)
    index = {r.id: i for i, r in enumerate(rules)}
    sarif_results = []
    for r in results:
        seen: Counter[tuple[str, str]] = Counter()
        for f in r.findings:
            occurrence = seen[(f.rule, f.resource)]
            seen[(f.rule, f.resource)] += 1
            sarif_results.append(_result(r, f, index[f.rule], occurrence))
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sesguard",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(r, language) for r in rules],
                    }
                },
                "invocations": [_invocation(results, not_judged)],
                # The repository root: every result's uri is relative to it (the checkout on CI).
                "originalUriBaseIds": {SRCROOT: {"description": {"text": "the repository root"}}},
                "automationDetails": {"id": "sesguard/"},
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }


def render(results: list[StackResult], policies: PolicySet, not_judged: Sequence[NotJudged] = ()) -> str:
    return json.dumps(as_data(results, policies, not_judged), indent=2, ensure_ascii=False) + "\n"
