"""Judging: stack documents through an engine into per-stack results, and the run's exit code.

Exit codes (DESIGN): 0 no unwaived mandatory finding, 1 mandatory findings, 2 an error (raised as
SesguardError and turned into one line by the command line).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from checks import settings
from checks.document import LANGUAGES, Document
from checks.engine import Engine
from checks.errors import warn
from checks.findings import Finding, Location, StackResult

EXIT_PASS, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def judge_one(document: Document, engine: Engine) -> StackResult:
    config_file = Location.from_document({"file": document.get("config_file")})
    language = document.get("language")
    for problem in settings.config_threshold_warnings(document.get("config")):
        warn(f"stack {document.get('stack')}: {problem}")
    return StackResult(
        project=str(document.get("project") or ""),
        stack=str(document.get("stack") or ""),
        source=str(document.get("source") or ""),
        findings=_located(engine.evaluate(document), document),
        file=document.get("file"),
        config_file=config_file.file if config_file else None,
        language=language if language in LANGUAGES else None,
    )


def _located(findings: list[Finding], document: Document) -> list[Finding]:
    """Each finding with the location of the resource it names, when the source recorded one."""
    where: dict[str, Any] = {}
    for r in document.get("resources") or ():
        if isinstance(r, dict) and r.get("location") is not None:
            where[str(r.get("urn"))] = r["location"]
    if not where:
        return findings
    return [replace(f, location=Location.from_document(where.get(f.resource))) for f in findings]


def judge(documents: Iterable[Document], engine: Engine) -> list[StackResult]:
    return [judge_one(doc, engine) for doc in documents]


def exit_code(results: Sequence[StackResult]) -> int:
    return EXIT_PASS if all(r.passed for r in results) else EXIT_FINDINGS
