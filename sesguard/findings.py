"""Findings and per-stack results: what engines return and reports render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sesguard.errors import EngineError

SEVERITIES = ("low", "medium", "high", "critical")
ENFORCEMENTS = ("mandatory", "advisory")


@dataclass(frozen=True, order=True)
class Location:
    """Where the user's code declares a resource: a file relative to the repository root."""

    file: str
    line: int | None = None
    column: int | None = None

    @classmethod
    def from_document(cls, raw: Any) -> Location | None:
        """The ``location`` of a document resource, if it is a safe repository-relative path.

        Reports only ever print this path (never open it); an absolute path or one that climbs out
        of the repository would make a report point outside it, so such a location is dropped.
        """
        if not isinstance(raw, dict) or not isinstance(raw.get("file"), str):
            return None
        file = raw["file"].replace("\\", "/")
        parts = file.split("/")
        if not file or file.startswith("/") or ".." in parts or ":" in parts[0] or any(c < " " for c in file):
            return None
        line, column = raw.get("line"), raw.get("column")
        ok_line = isinstance(line, int) and not isinstance(line, bool) and line >= 1
        ok_col = ok_line and isinstance(column, int) and not isinstance(column, bool) and column >= 1
        return cls(file, line if ok_line else None, column if ok_col else None)


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
    # Where the resource is declared (from the source's positions); None when the source has none.
    location: Location | None = field(default=None, compare=False)

    @property
    def blocking(self) -> bool:
        """A finding fails the gate when it is mandatory and no valid waiver covers it."""
        return self.enforcement == "mandatory" and not self.waived

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["waiver"] is None:
            del d["waiver"]
        if d["location"] is None:
            del d["location"]
        else:
            d["location"] = {k: v for k, v in d["location"].items() if v is not None}
        return d

    @classmethod
    def from_engine(cls, raw: Any) -> Finding:
        """Build a finding from an engine's JSON, every field checked by type (schema findings-v1).

        A malformed finding is an engine error, never a pass: ``"waived": "false"`` is not a waiver.
        """
        if not _well_typed(raw):
            # The schema is the authority and names the problem; jsonschema is imported only here,
            # so a run whose engine answers well pays nothing for it at start-up.
            from sesguard import schemas

            found = schemas.first_problem("findings-v1.json", [raw])
            place, problem = found if found is not None else ("0", "not a finding")
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


# The fast path of schema findings-v1 (sesguard/schema/findings-v1.json), exactly as strict: a test
# holds the two equal over every wrong type. Anything it refuses goes to the schema for the message.
_REQUIRED = ("rule", "resource", "message", "enforcement", "waived")
_TEXT = ("rule", "title", "resource", "message", "remediation", "waiver")


def _well_typed(raw: Any) -> bool:
    if not isinstance(raw, dict) or any(k not in raw for k in _REQUIRED):
        return False
    if any(k in raw and type(raw[k]) is not str for k in _TEXT) or not raw["rule"]:
        return False
    if raw["enforcement"] not in ENFORCEMENTS or ("severity" in raw and raw["severity"] not in SEVERITIES):
        return False
    return type(raw["waived"]) is bool and (not raw["waived"] or "waiver" in raw)


@dataclass
class StackResult:
    """One stack document judged: its findings, and whether it passes the gate."""

    project: str
    stack: str
    source: str
    findings: list[Finding] = field(default_factory=list)
    # Where the stack document came from (a label for people; reports never open it).
    file: str | None = None
    # The stack's Pulumi.<stack>.yaml, relative to the repository root, when a source read it:
    # where a finding without a resource location points.
    config_file: str | None = None
    # The language of the code that declared the stack (document.LANGUAGES): picks fix snippets.
    language: str | None = None
    # How many SES resources (aws:ses/*, aws:sesv2/*) the document holds; None where a source
    # judges no stack of resources (published DNS). At 0 a pass means nothing SES was judged, and
    # every report says "no SES resources" beside it.
    ses_resources: int | None = None
    # Thresholds tightened for this stack (its `sesguard:thresholds` config, the run's
    # --threshold): a fix's text and code use the value in force, not the default.
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def no_ses_resources(self) -> bool:
        return self.ses_resources == 0

    def counts(self) -> dict[str, int]:
        return {
            "mandatory": sum(1 for f in self.findings if f.blocking),
            "advisory": sum(1 for f in self.findings if f.enforcement == "advisory" and not f.waived),
            "waived": sum(1 for f in self.findings if f.waived),
        }


@dataclass(frozen=True)
class NotJudged:
    """A stack the run could not judge (bad config, a worker that died, an engine that failed)."""

    stack: str
    reason: str
