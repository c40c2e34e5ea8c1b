"""SARIF 2.1.0 for GitHub code scanning: the rule catalog as ``tool.driver.rules``, one result per finding.

Levels: an unwaived mandatory finding is ``error``, an advisory one ``warning``, a waived one
``note`` with an external suppression carrying the waiver's reason (code scanning then shows it
as dismissed). Each result points at the stack's config file, and carries the resource URN as a
logical location and a fingerprint that does not depend on the message wording, so a finding
keeps its identity across runs while the text improves.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from checks import __version__
from checks.findings import Finding, StackResult
from checks.policyset import PolicySet, Rule
from checks.report import artifact_uri, rules_for, start_line, waiver_reason

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sesguard/sesguard"
# GitHub maps security-severity > 9.0 to critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
FINGERPRINT_KEY = "sesguard/v1"


def _rule(r: Rule) -> dict[str, Any]:
    full = r.description or r.title
    help_text = f"{full}\n\nRemediation:\n{r.remediation}" if r.remediation else full
    help_md = f"**{r.title}**\n\n{full}\n\n**Remediation**\n\n{r.remediation}" if r.remediation else full
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


def _result(r: StackResult, f: Finding, index: int, occurrence: int) -> dict[str, Any]:
    where = f"{r.project}/{r.stack}"
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": _level(f),
        "message": {"text": f"{f.message} (stack {where})"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(r)},
                    "region": {"startLine": start_line(r, f)},
                },
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


def as_data(results: list[StackResult], policies: PolicySet) -> dict[str, Any]:
    rules = rules_for(results, policies)
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
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "automationDetails": {"id": "sesguard/"},
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }


def render(results: list[StackResult], policies: PolicySet) -> str:
    return json.dumps(as_data(results, policies), indent=2, ensure_ascii=False) + "\n"
