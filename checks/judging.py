"""Judging: stack documents through an engine into per-stack results, and the run's exit code.

Exit codes (DESIGN): 0 no unwaived mandatory finding, 1 mandatory findings, 2 an error (raised as
SesguardError and turned into one line by the command line).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from checks import settings
from checks.document import Document
from checks.engine import Engine
from checks.errors import warn
from checks.findings import StackResult

EXIT_PASS, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def judge_one(document: Document, engine: Engine) -> StackResult:
    for problem in settings.config_threshold_warnings(document.get("config")):
        warn(f"stack {document.get('stack')}: {problem}")
    return StackResult(
        project=str(document.get("project") or ""),
        stack=str(document.get("stack") or ""),
        source=str(document.get("source") or ""),
        findings=engine.evaluate(document),
        file=document.get("file"),
    )


def judge(documents: Iterable[Document], engine: Engine) -> list[StackResult]:
    return [judge_one(doc, engine) for doc in documents]


def exit_code(results: Sequence[StackResult]) -> int:
    return EXIT_PASS if all(r.passed for r in results) else EXIT_FINDINGS
