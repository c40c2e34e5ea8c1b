"""`sesguard test`: run every `*_test.rego` with the embedded OPA, as `opa test` would, with line coverage.

Tests are the rules named ``test_*`` in test modules; each is evaluated on its own so a failure
names itself. Coverage is the union of the lines each test run touched, over the policy modules
(not the tests themselves).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checks.errors import EngineError
from checks.policyset import PolicySet, compiled_with_tests

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
    # Compiled first: Rego that does not compile would fail every test alike, each after its own
    # compilation of the whole set (hundreds of them: minutes).
    engine = compiled_with_tests(policies)
    tests = {path for path, _ in policies.tests}
    result = TestRun()

    def absorb_coverage() -> None:
        report = engine.last_coverage if coverage else None
        for f, data in ((report or {}).get("files") or {}).items():
            if f in tests:
                continue
            result.covered.setdefault(f, set()).update(_lines(data.get("covered") or []))
            result.not_covered.setdefault(f, set()).update(_lines(data.get("not_covered") or []))

    cases = []  # (package, test, file) in file order; a test may be defined twice in a file: run it once
    for path, text in policies.tests:
        declared = _PACKAGE.search(text)
        if declared:
            cases += [(declared.group(1), name, path) for name in dict.fromkeys(_TEST.findall(text))]
    try:
        # Preparing a query compiles every module (about a second each on a busy machine), so all test
        # packages are evaluated in one query; only if a test errors does each test get its own query.
        packages = sorted({pkg for pkg, _, _ in cases})
        values: dict[str, dict] | None = None
        if packages:
            try:
                everything = "x := [" + ", ".join(f"data.{p}" for p in packages) + "]"
                rows = engine.query(everything, coverage=coverage)
                values = dict(zip(packages, rows[0]["x"], strict=True))
                absorb_coverage()
            except EngineError:
                values = None
        for pkg, name, path in cases:
            ref = f"data.{pkg}.{name}"
            if values is not None:
                result.outcomes.append(TestOutcome(ref, path, values[pkg].get(name) is True))
                continue
            try:
                outcome = TestOutcome(ref, path, bool(engine.query(f"{ref} == true", coverage=coverage)))
            except EngineError as exc:
                outcome = TestOutcome(ref, path, False, str(exc))
            result.outcomes.append(outcome)
            absorb_coverage()
    finally:
        engine.close()
    return result
