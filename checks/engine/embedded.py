"""The embedded engine: OPA's Go library in-process (opa-golib-python-bindings).

Policies and settings are loaded once per engine; the bindings keep the prepared query for
``data.sesguard.findings`` cached, so each stack costs one evaluation and no compilation.
"""

from __future__ import annotations

from typing import Any

from checks.document import Document
from checks.engine import QUERY_PATH, Settings, to_findings
from checks.engine.projection import project, type_tokens
from checks.errors import EngineError
from checks.findings import Finding
from checks.policyset import PolicySet


def _opa() -> Any:
    try:
        import opa_bindings
    except ImportError:
        from checks.engine import install

        raise EngineError(install.MISSING) from None
    return opa_bindings


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, policies: PolicySet, settings: Settings | None = None, *, with_tests: bool = False):
        opa = _opa()
        self._error = opa.OpaError
        self._opa = opa.OpaEngine()
        self._types = type_tokens(policies.modules)
        try:
            for path, text in policies.modules + (policies.tests if with_tests else ()):
                self._opa.add_policy(path, text)
            self._opa.add_data((settings or Settings()).as_data())
        except opa.OpaError as exc:
            raise EngineError(f"policies in {policies.root}: {exc.message}") from None

    def document(self, path: str, input: Any = None, *, coverage: bool = False) -> Any:
        """Evaluate ``data.<path>`` (dotted or slashed)."""
        try:
            return self._opa.eval_document(path.replace("/", "."), input, coverage=coverage)
        except self._error as exc:
            raise EngineError(
                f"OPA evaluation of data.{path.replace('/', '.')} failed: {exc.message}"
            ) from None

    def query(self, query: str, input: Any = None, *, coverage: bool = False) -> list[dict[str, Any]]:
        try:
            return self._opa.eval_query(query, input, coverage=coverage)
        except self._error as exc:
            raise EngineError(f"OPA query {query!r} failed: {exc.message}") from None

    @property
    def last_coverage(self) -> dict[str, Any] | None:
        return self._opa.last_coverage

    def evaluate(self, document: Document) -> list[Finding]:
        return to_findings(self.document(QUERY_PATH, project(document, self._types)))

    def close(self) -> None:
        self._opa.close()
