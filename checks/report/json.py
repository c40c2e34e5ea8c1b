"""The JSON report: DESIGN's schema (checks/schema/report-v1.json), for tools that read results."""

from __future__ import annotations

import json
from typing import Any

from checks import __version__
from checks.findings import StackResult
from checks.policyset import PolicySet
from checks.report import totals

FINDING_FIELDS = ("rule", "title", "severity", "enforcement", "resource", "message", "remediation", "waived")


def as_data(results: list[StackResult]) -> dict[str, Any]:
    return {
        "tool": {"name": "sesguard", "version": __version__},
        "results": [
            {
                "project": r.project,
                "stack": r.stack,
                "source": r.source,
                "passed": r.passed,
                "findings": [{k: getattr(f, k) for k in FINDING_FIELDS} for f in r.findings],
            }
            for r in results
        ],
        "summary": totals(results),
    }


def render(results: list[StackResult], policies: PolicySet) -> str:
    return json.dumps(as_data(results), indent=2, ensure_ascii=False) + "\n"
