"""Policy engines: each evaluates the same Rego over a stack document and returns findings.

Both engines query one document, ``data.sesguard.findings``, with the stack document as input
and the settings (levels, thresholds, waivers from a file) as ``data.sesguard_settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from sesguard.document import Document
from sesguard.findings import Finding

QUERY_PATH = "sesguard/findings"


@dataclass(frozen=True)
class Settings:
    """What a run may change without touching the Rego: levels, thresholds, file waivers."""

    levels: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    waivers: list[Any] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return {
            "sesguard_settings": {
                "levels": self.levels,
                "thresholds": self.thresholds,
                "waivers": self.waivers,
            }
        }


class Engine(Protocol):
    name: str

    def evaluate(self, document: Document) -> list[Finding]:
        """Findings for one stack document, sorted; raises EngineError on any failure."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class EncodingEngine(Engine, Protocol):
    """An engine that takes its input as text encoded apart from the evaluation, so a caller can
    free a big document before the engine reads it (judging.judge_loaded)."""

    def encode(self, document: Document) -> bytes: ...

    def evaluate_encoded(self, payload: bytes) -> list[Finding]: ...


@runtime_checkable
class SplittingEngine(EncodingEngine, Protocol):
    """An encoding engine that may judge a big document in batches of independent groups
    (sesguard/engine/groups.py), encoded apart like ``encode``."""

    def encode_parts(self, document: Document) -> list[bytes]: ...

    def evaluate_parts(self, payloads: list[bytes]) -> list[Finding]: ...


def to_findings(raw: Any) -> list[Finding]:
    from sesguard.errors import EngineError

    if not isinstance(raw, list):
        raise EngineError(
            f"policy engine returned {type(raw).__name__} where a list of findings was expected"
        )
    return sorted(Finding.from_engine(r) for r in raw)
