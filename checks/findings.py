"""Findings and per-stack results: what engines return and reports render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from checks import schemas
from checks.errors import EngineError

SEVERITIES = ("low", "medium", "high", "critical")
ENFORCEMENTS = ("mandatory", "advisory")


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    resource: str
    message: str
    title: str = ""
    severity: str = "medium"
    enforcement: str = "mandatory"
    remediation: str = ""
    waived: bool = False
    waiver: str | None = None

    @property
    def blocking(self) -> bool:
        """A finding fails the gate when it is mandatory and no valid waiver covers it."""
        return self.enforcement == "mandatory" and not self.waived

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["waiver"] is None:
            del d["waiver"]
        return d

    @classmethod
    def from_engine(cls, raw: Any) -> Finding:
        """Build a finding from an engine's JSON, every field checked by type (schema findings-v1).

        A malformed finding is an engine error, never a pass: ``"waived": "false"`` is not a waiver.
        """
        found = schemas.first_problem("findings-v1.json", [raw])
        if found is not None:
            place, problem = found
            field_name = place.partition("/")[2] or "(finding)"
            raise EngineError(f"policy engine returned a malformed finding: {field_name}: {problem}")
        return cls(
            rule=raw["rule"],
            resource=raw["resource"],
            message=raw["message"],
            title=raw.get("title", ""),
            severity=raw.get("severity", "medium"),
            enforcement=raw["enforcement"],
            remediation=raw.get("remediation", "").strip(),
            waived=raw["waived"],
            waiver=raw.get("waiver"),
        )


@dataclass
class StackResult:
    """One stack document judged: its findings, and whether it passes the gate."""

    project: str
    stack: str
    source: str
    findings: list[Finding] = field(default_factory=list)
    file: str | None = None

    @property
    def passed(self) -> bool:
        return not any(f.blocking for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {
            "mandatory": sum(1 for f in self.findings if f.blocking),
            "advisory": sum(1 for f in self.findings if f.enforcement == "advisory" and not f.waived),
            "waived": sum(1 for f in self.findings if f.waived),
        }
