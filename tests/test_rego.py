"""Every Rego unit test passes (one pytest case per Rego test, so a failure names itself) and the
policy modules are covered to at least 95 % of their lines, as `sesguard test --coverage-min 95`."""

from __future__ import annotations

import re

import pytest

from sesguard import policyset, regotest

COVERAGE_MIN = 95.0
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST = re.compile(r"^(test_\w+)\b", re.MULTILINE)


def _test_names() -> list[str]:
    names = []
    for _, text in policyset.load().tests:
        pkg = _PACKAGE.search(text)
        if pkg:
            names += [f"data.{pkg.group(1)}.{t}" for t in dict.fromkeys(_TEST.findall(text))]
    return names


@pytest.fixture(scope="module")
def test_run() -> regotest.TestRun:
    return regotest.run(policyset.load())


def test_there_are_rego_tests() -> None:
    assert len(_test_names()) > 0


@pytest.mark.parametrize("name", _test_names())
def test_rego(test_run: regotest.TestRun, name: str) -> None:
    [outcome] = [o for o in test_run.outcomes if o.name == name]
    assert outcome.passed, outcome.error or f"{name} ({outcome.file}) is false"


def test_every_rule_is_tested(test_run: regotest.TestRun) -> None:
    tested = {f for f, (covered, _) in test_run.file_coverage().items() if covered}
    untested = sorted({r.file for r in policyset.load().rules} - tested)
    assert untested == []


def test_coverage(test_run: regotest.TestRun) -> None:
    low = {
        f: f"{c}/{t}" for f, (c, t) in test_run.file_coverage().items() if t and 100.0 * c / t < COVERAGE_MIN
    }
    assert test_run.coverage >= COVERAGE_MIN, (
        f"total {test_run.coverage:.1f}%; files under {COVERAGE_MIN}%: {low}"
    )


def test_runner_names_an_erroring_test_and_still_runs_the_others(tmp_path) -> None:
    """One test that errors at run time must not hide the results of the rest."""
    # Two definitions that disagree for the same argument: a conflict OPA only finds at evaluation.
    module = (
        "m.rego",
        'package m\n\nhalf(x) := x / 2\n\npick(x) := "a" if x > 0\n\npick(x) := "b" if x > 1\n',
    )
    test = (
        "m_test.rego",
        "package m_test\n\nimport data.m\n\n"
        "test_ok if m.half(4) == 2\n\n"
        "test_false if m.half(4) == 3\n\n"
        'test_error if m.pick(2) == "a"\n',
    )
    run = regotest.run(policyset.PolicySet(tmp_path, (module,), (test,), ()))
    outcomes = {o.name.rsplit(".", 1)[1]: (o.passed, o.error is not None) for o in run.outcomes}
    assert outcomes == {"test_ok": (True, False), "test_false": (False, False), "test_error": (False, True)}
    assert run.coverage > 0


def test_one_erroring_test_among_many_costs_a_few_queries_not_one_per_test(tmp_path, monkeypatch) -> None:
    """Each query compiles the whole set: a query per test after one error took minutes."""
    from sesguard.engine.embedded import EmbeddedEngine

    module = ("m.rego", 'package m\n\npick(x) := "a" if x > 0\n\npick(x) := "b" if x > 1\n')
    tests = tuple(
        (
            f"t{i:02d}_test.rego",
            f"package t{i:02d}_test\n\nimport data.m\n\n"
            + "".join(f"test_{j} if {j} == {j}\n\n" for j in range(5))
            + ("test_fails if 1 == 2\n\n" if i == 7 else "")
            + ('test_error if m.pick(2) == "a"\n' if i == 23 else ""),
        )
        for i in range(40)
    )
    queries: list[str] = []
    real = EmbeddedEngine.query

    def counted(self, query, *args, **kwargs):
        queries.append(query)
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(EmbeddedEngine, "query", counted)
    run = regotest.run(policyset.PolicySet(tmp_path, (module,), tests, ()))
    failed = {o.name: o.error is not None for o in run.failed}
    assert failed == {"data.t07_test.test_fails": False, "data.t23_test.test_error": True}
    assert len(run.outcomes) == 40 * 5 + 2
    assert "data.t23_test.test_error" in next(o.error for o in run.failed if o.error)
    # Halving 40 packages down to one (about 2 log2 40), then its 6 tests down to one.
    assert len(queries) <= 20, len(queries)
