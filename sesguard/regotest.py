"""`sesguard test`: run every `*_test.rego` with the embedded OPA, as `opa test` would, with line coverage.

Tests are the rules named ``test_*`` in test modules; each is evaluated on its own so a failure
names itself. Coverage is the union of the lines each test run touched, over the policy modules
(not the tests themselves).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sesguard.engine import compiled
from sesguard.errors import EngineError
from sesguard.policyset import PolicySet

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
    engine = compiled.with_tests(policies)
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
    tests_of: dict[str, list[str]] = {}
    for pkg, name, _ in cases:
        tests_of.setdefault(pkg, []).append(name)
    outcomes: dict[str, tuple[bool, str | None]] = {}

    def query(text: str) -> list[dict[str, Any]]:
        rows = engine.query(text, coverage=coverage)
        absorb_coverage()
        return rows

    # Preparing a query compiles every module (about a second each on a busy machine), so all test
    # packages are evaluated in one query. A test that errors stops that query; the packages are
    # then halved until the erring ones are alone, and their tests halved the same way: a few
    # dozen queries for one erring test among hundreds, where a query per test took minutes.
    def run_packages(packages: list[str]) -> None:
        try:
            rows = query("x := [" + ", ".join(f"data.{p}" for p in packages) + "]")
        except EngineError:
            if len(packages) == 1:
                run_tests(packages[0], tests_of[packages[0]])
            else:
                half = len(packages) // 2
                run_packages(packages[:half])
                run_packages(packages[half:])
            return
        for pkg, value in zip(packages, rows[0]["x"], strict=True):
            for name in tests_of[pkg]:
                outcomes[f"data.{pkg}.{name}"] = (value.get(name) is True, None)

    def run_tests(pkg: str, names: list[str]) -> None:
        if len(names) == 1:
            ref = f"data.{pkg}.{names[0]}"
            try:
                outcomes[ref] = (bool(query(f"{ref} == true")), None)
            except EngineError as exc:
                outcomes[ref] = (False, str(exc))
            return
        # A test that is undefined (failed) must not make the list undefined: each in a comprehension.
        listed = ", ".join(f"[v | v := data.{pkg}.{n}]" for n in names)
        try:
            rows = query(f"x := [{listed}]")
        except EngineError:
            half = len(names) // 2
            run_tests(pkg, names[:half])
            run_tests(pkg, names[half:])
            return
        for name, value in zip(names, rows[0]["x"], strict=True):
            outcomes[f"data.{pkg}.{name}"] = (value == [True], None)

    try:
        if tests_of:
            run_packages(sorted(tests_of))
        for pkg, name, path in cases:
            ref = f"data.{pkg}.{name}"
            passed, error = outcomes[ref]
            result.outcomes.append(TestOutcome(ref, path, passed, error))
    finally:
        engine.close()
    return result
