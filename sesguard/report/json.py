"""The JSON report: DESIGN's schema (sesguard/schema/report-v1.json), for tools that read results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sesguard import __version__
from sesguard.findings import Finding, NotJudged, StackResult
from sesguard.policyset import PolicySet
from sesguard.report import NO_SES, NO_SES_DETAIL, totals

FINDING_FIELDS = ("rule", "title", "severity", "enforcement", "resource", "message", "remediation", "waived")


def _finding(f: Finding) -> dict[str, Any]:
    out = {k: getattr(f, k) for k in FINDING_FIELDS}
    if f.location is not None:
        out["location"] = {k: v for k, v in vars(f.location).items() if v is not None}
    return out


def _result(r: StackResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "project": r.project,
        "stack": r.stack,
        "source": r.source,
        "passed": r.passed,
        "findings": [_finding(f) for f in r.findings],
    }
    if r.ses_resources is not None:
        out["ses_resources"] = r.ses_resources
    if r.no_ses_resources:
        out["note"] = f"{NO_SES}: {NO_SES_DETAIL}"
    return out


def as_data(results: list[StackResult], not_judged: Sequence[NotJudged] = ()) -> dict[str, Any]:
    return {
        "tool": {"name": "sesguard", "version": __version__},
        "results": [_result(r) for r in results],
        "summary": totals(results, not_judged),
    }


def render(results: list[StackResult], policies: PolicySet, not_judged: Sequence[NotJudged] = ()) -> str:
    return json.dumps(as_data(results, not_judged), indent=2, ensure_ascii=False) + "\n"
