"""Findings and per-stack results: what engines return and reports render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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
        """Build a finding from an engine's JSON; a malformed one is an engine error, not a pass."""
        if not isinstance(raw, dict):
            raise EngineError(f"policy engine returned a finding that is not an object: {raw!r:.120}")
        try:
            f = cls(
                rule=str(raw["rule"]),
                resource=str(raw.get("resource") or ""),
                message=str(raw["message"]),
                title=str(raw.get("title") or ""),
                severity=str(raw.get("severity") or "medium"),
                enforcement=str(raw["enforcement"]),
                remediation=str(raw.get("remediation") or "").strip(),
                waived=bool(raw.get("waived", False)),
                waiver=raw.get("waiver"),
            )
        except KeyError as exc:
            raise EngineError(f"policy engine returned a finding without {exc.args[0]!r}") from None
        if f.enforcement not in ENFORCEMENTS:
            raise EngineError(f"policy engine returned enforcement {f.enforcement!r} for {f.rule}")
        return f


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
