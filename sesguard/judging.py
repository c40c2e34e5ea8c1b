"""Judging: stack documents through an engine into per-stack results, and the run's exit code.

Exit codes (DESIGN): 0 no unwaived mandatory finding, 1 mandatory findings, 2 an error (raised as
SesguardError and turned into one line by the command line).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from sesguard import settings
from sesguard.document import LANGUAGES, Document
from sesguard.engine import EncodingEngine, Engine, SplittingEngine
from sesguard.errors import warn
from sesguard.findings import Finding, Location, StackResult
from sesguard.sources.common.reading import collector_paused

EXIT_PASS, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def judge_one(document: Document, engine: Engine) -> StackResult:
    return _Stack.of(document).judged(engine.evaluate(document))


def judge_loaded(load: Callable[[], Document], engine: Engine) -> StackResult:
    """``judge_one`` of the document ``load`` returns, which nothing but this function holds.

    An engine that can encode its input apart (the embedded one) gets the document as text, and
    the Python objects are freed before OPA builds its own copy: at 10,000 sending domains they
    are about 0.5 GB of the run's peak memory.
    """
    document = load()
    # Where each resource is declared, as text: at 10,000 domains 0.5 s of the cycle collector
    # re-walking the document while it is built, which makes no cycle.
    with collector_paused():
        stack = _Stack.of(document)
    if not isinstance(engine, EncodingEngine):
        return stack.judged(engine.evaluate(document))
    if isinstance(engine, SplittingEngine):
        payloads = engine.encode_parts(document)
        del document
        return stack.judged(engine.evaluate_parts(payloads))
    payload = engine.encode(document)
    del document
    return stack.judged(engine.evaluate_encoded(payload))


@dataclass(frozen=True)
class _Stack:
    """What a result keeps of its document: who it is, and where each resource is declared."""

    project: str
    stack: str
    source: str
    file: str | None
    config_file: str | None
    language: str | None
    # Where each resource is declared, by URN, as one JSON text (``_locations``).
    where: str
    ses_resources: int | None
    thresholds: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, document: Document) -> _Stack:
        for problem in settings.config_threshold_warnings(document.get("config")):
            warn(f"stack {document.get('stack')}: {problem}")
        config_file = Location.from_document({"file": document.get("config_file")})
        language = document.get("language")
        return cls(
            project=str(document.get("project") or ""),
            stack=str(document.get("stack") or ""),
            source=str(document.get("source") or ""),
            file=document.get("file"),
            config_file=config_file.file if config_file else None,
            language=language if language in LANGUAGES else None,
            where=_locations(document),
            ses_resources=_ses_resources(document),
            thresholds=tuple(tightened(document.get("config", {}).get("sesguard:thresholds")).items())
            if isinstance(document.get("config"), dict)
            else (),
        )

    def judged(self, findings: list[Finding]) -> StackResult:
        return StackResult(
            project=self.project,
            stack=self.stack,
            source=self.source,
            findings=_located(findings, self.where),
            file=self.file,
            config_file=self.config_file,
            language=self.language,
            ses_resources=self.ses_resources,
            thresholds=dict(self.thresholds),
        )


# The pulumi-aws modules of SES (v1 and v2); every source maps its types onto these tokens.
_SES_TYPE_PREFIXES = ("aws:ses/", "aws:sesv2/")


def _ses_resources(document: Document) -> int | None:
    """How many SES resources the document declares; None for published DNS, which judges a domain."""
    if document.get("source") == "dns":
        return None
    return sum(
        1
        for r in document.get("resources") or ()
        if isinstance(r, dict) and isinstance(r.get("type"), str) and r["type"].startswith(_SES_TYPE_PREFIXES)
    )


def tightened(values: object, start: dict[str, float] | None = None) -> dict[str, float]:
    """``start`` with each valid override of ``values`` that tightens a threshold (the rules ignore
    the others, and the run already warned about them)."""
    out = dict(start or {})
    if not isinstance(values, dict):
        return out
    for name, value in values.items():
        default = settings.DEFAULT_THRESHOLDS.get(name)
        if default is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if value <= min(default, out.get(name, default)):
            out[name] = float(value)
    return out


def _locations(document: Document) -> str:
    """Where the source recorded each resource's declaration, by URN, as JSON text ("" for none).

    Text, not the document's own strings and dicts: those would keep alive the heap pages they
    share with the rest of a big document once it is freed (judge_loaded), while OPA reads its input
    (measured at 10,000 sending domains: about 450 MiB). A value JSON cannot carry becomes null, a
    key it cannot carry is left out: Location.from_document refuses them as it refuses the values.
    """
    where = {
        str(r.get("urn")): r["location"]
        for r in document.get("resources") or ()
        if isinstance(r, dict) and r.get("location") is not None
    }
    return json.dumps(where, ensure_ascii=False, default=_unplaceable, skipkeys=True) if where else ""


def _unplaceable(value: object) -> None:
    return None


def _located(findings: list[Finding], where: str) -> list[Finding]:
    """Each finding with the location of the resource it names, when the source recorded one."""
    if not where or not findings:
        return findings
    by_urn = json.loads(where)
    return [replace(f, location=Location.from_document(by_urn.get(f.resource))) for f in findings]


def judge(documents: Iterable[Document], engine: Engine) -> list[StackResult]:
    return [judge_one(doc, engine) for doc in documents]


def exit_code(results: Sequence[StackResult]) -> int:
    return EXIT_PASS if all(r.passed for r in results) else EXIT_FINDINGS
