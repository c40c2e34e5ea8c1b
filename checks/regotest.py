"""`sesguard test`: run every `*_test.rego` with the embedded OPA, as `opa test` would, with line coverage.

Tests are the rules named ``test_*`` in test modules; each is evaluated on its own so a failure
names itself. Coverage is the union of the lines each test run touched, over the policy modules
(not the tests themselves).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checks.engine.embedded import EmbeddedEngine
from checks.errors import EngineError
from checks.policyset import PolicySet

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST = re.compile(r"^(test_\w+)\b", re.MULTILINE)


@dataclass
class TestOutcome:
    name: str  # data.<package>.<test>
    file: str
    passed: bool
    error: str | None = None


@dataclass
class TestRun:
    outcomes: list[TestOutcome] = field(default_factory=list)
    covered: dict[str, set[int]] = field(default_factory=dict)
    not_covered: dict[str, set[int]] = field(default_factory=dict)

    @property
    def failed(self) -> list[TestOutcome]:
        return [o for o in self.outcomes if not o.passed]

    def file_coverage(self) -> dict[str, tuple[int, int]]:
        """(covered, total) lines per policy module."""
        out = {}
        for f in sorted(set(self.covered) | set(self.not_covered)):
            cov = self.covered.get(f, set())
            miss = self.not_covered.get(f, set()) - cov
            out[f] = (len(cov), len(cov) + len(miss))
        return out

    @property
    def coverage(self) -> float:
        per = self.file_coverage().values()
        total = sum(t for _, t in per)
        return 100.0 * sum(c for c, _ in per) / total if total else 100.0


def _lines(ranges: list[dict]) -> set[int]:
    return {row for r in ranges for row in range(r["start"]["row"], r["end"]["row"] + 1)}


def run(policies: PolicySet, *, coverage: bool = True) -> TestRun:
    engine = EmbeddedEngine(policies, with_tests=True)
    tests = {path for path, _ in policies.tests}
    result = TestRun()
    try:
        for path, text in policies.tests:
            pkg = _PACKAGE.search(text)
            if not pkg:
                continue
            for name in dict.fromkeys(_TEST.findall(text)):  # a test may be defined twice; run it once
                ref = f"data.{pkg.group(1)}.{name}"
                try:
                    passed = bool(engine.query(f"{ref} == true", coverage=coverage))
                    outcome = TestOutcome(ref, path, passed)
                except EngineError as exc:
                    outcome = TestOutcome(ref, path, False, str(exc))
                result.outcomes.append(outcome)
                report = engine.last_coverage if coverage else None
                for f, data in ((report or {}).get("files") or {}).items():
                    if f in tests:
                        continue
                    result.covered.setdefault(f, set()).update(_lines(data.get("covered") or []))
                    result.not_covered.setdefault(f, set()).update(_lines(data.get("not_covered") or []))
    finally:
        engine.close()
    return result
