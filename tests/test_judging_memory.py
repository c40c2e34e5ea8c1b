"""An ESP-sized stack (10,000 sending domains) must fit a CI runner: the document is not held while
OPA reads it, and the text handed to OPA is exactly what the bindings would have encoded.

Memory figures are in bench/ (docs/benchmarks.md); these tests pin the behaviour that makes them.
"""

from __future__ import annotations

import json
import weakref
from pathlib import Path
from typing import Any

import builders
import engine_corpus
from clirun import sesguard

from sesguard import judging, policyset
from sesguard.engine import QUERY_PATH, to_findings
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.engine.projection import project
from sesguard.findings import Finding, Location


class _Tracked(dict[str, Any]):
    """A stack document whose freeing a test can see (a plain dict cannot be weakly referenced)."""


class _Watching:
    """The embedded engine, noting whether the document was still alive when OPA was called."""

    name = "embedded"

    def __init__(self, inner: EmbeddedEngine) -> None:
        self.inner = inner
        self.ref: weakref.ref[_Tracked] | None = None
        self.alive_during_evaluation: bool | None = None

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        return self.inner.evaluate(document)

    def encode(self, document: dict[str, Any]) -> bytes:
        assert isinstance(document, _Tracked)
        self.ref = weakref.ref(document)
        return self.inner.encode(document)

    def evaluate_encoded(self, payload: bytes) -> list[Finding]:
        assert self.ref is not None
        self.alive_during_evaluation = self.ref() is not None
        return self.inner.evaluate_encoded(payload)

    def close(self) -> None:
        pass


def _declared() -> dict[str, Any]:
    doc = builders.violating_document()
    for line, r in enumerate(doc["resources"], start=1):
        r["location"] = {"file": "infra/sender.py", "line": line}
    return doc


def test_a_loaded_document_is_freed_before_opa_reads_it(engine: EmbeddedEngine) -> None:
    watching = _Watching(engine)
    result = judging.judge_loaded(lambda: _Tracked(_declared()), watching)
    assert watching.alive_during_evaluation is False
    # …and the result still knows the stack and where its resources are declared.
    assert result == judging.judge_one(_declared(), engine)
    assert result.findings and all(f.location is not None for f in result.findings if f.resource)


def test_the_encoded_input_gives_the_findings_the_bindings_give(engine: EmbeddedEngine) -> None:
    """evaluate_encoded calls the pinned bindings below eval_document: it must agree with it."""
    docs = engine_corpus.corpus()
    assert any(engine.evaluate(d) for d in docs), "the corpus draws no findings: the test proves nothing"
    for doc in docs:
        by_bindings = to_findings(engine.document(QUERY_PATH, project(doc, engine._types)))
        assert engine.evaluate_encoded(engine.encode(doc)) == by_bindings, doc.get("stack")


def test_a_lone_surrogate_in_a_document_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # JSON may escape half of a surrogate pair; Python reads it as a string no UTF-8 can carry.
    text = json.dumps(builders.compliant_document()).replace('"acmetickets.com"', '"acme\\ud800.com"', 1)
    path = tmp_path / "doc.json"
    path.write_text(text, "utf-8")
    run = sesguard("check", "--document", str(path))
    assert run.code == 2
    assert len(run.err_lines) == 1, run.stderr
    assert "not valid Unicode (a lone surrogate)" in run.err_lines[0]


def test_a_fresh_engine_encodes_without_waiting_for_its_compilation() -> None:
    """Encoding is Python's work: it may run while OPA still compiles on the engine's thread."""
    fresh = EmbeddedEngine(policyset.load())
    try:
        payload = fresh.encode(builders.compliant_document())
        assert json.loads(payload)["stack"] == builders.compliant_document()["stack"]
        assert fresh.evaluate_encoded(payload) == fresh.evaluate(builders.compliant_document())
    finally:
        fresh.close()


def test_locations_kept_as_text_place_findings_as_the_document_does() -> None:
    # judging keeps the locations as JSON text (so a freed document's heap pages are not held);
    # every value a source may record must place a finding as the value itself would.
    odd: list[Any] = [
        {"file": "infra/a.py", "line": 3, "column": 5},
        {"file": "infra/a.py", "line": 3.0},
        {"file": "infra/a.py", "line": True},
        {"file": "infra/a.py", "line": ("3",)},
        {"file": "infra/a.py", "line": 4, 3: "x", ("k",): "v"},
        {"file": Path("infra/a.py")},
        {"file": "../a.py"},
        ["infra/a.py", 3],
        "infra/a.py",
    ]
    doc = builders.violating_document()
    resources = doc["resources"][: len(odd)]
    for r, where in zip(resources, odd, strict=True):
        r["location"] = where
    findings = [Finding(rule="SES-001", resource=r["urn"], message="m") for r in resources]
    located = judging.judge_one(doc, _Fixed(findings)).findings
    assert [f.location for f in located] == [Location.from_document(w) for w in odd]
    assert located[0].location == Location("infra/a.py", 3, 5)


class _Fixed:
    name = "fixed"

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        return self.findings

    def close(self) -> None:
        pass
