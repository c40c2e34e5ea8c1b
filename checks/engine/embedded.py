"""The embedded engine: OPA's Go library in-process (opa-golib-python-bindings).

Policies and settings are loaded once per engine; the bindings keep the prepared query for
``data.sesguard.findings`` cached, so each stack costs one evaluation and no compilation.

OPA compiles the policies on an engine's first evaluation (about 0.17 s for the pack). An engine
starts that compilation on a background thread as soon as its policies are loaded, so it overlaps
with whatever the process does next (reading the source, importing and running the program, the
policy pack finishing its start), and ``prepare()`` waits for it. The bindings release the GIL
inside OPA, so the overlap is real on a machine with two cores.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from typing import Any

from checks.document import SCHEMA, Document
from checks.engine import QUERY_PATH, Settings, to_findings
from checks.engine.projection import project, type_tokens
from checks.errors import EngineError
from checks.findings import Finding
from checks.policyset import PolicySet

# The smallest stack document: evaluating the query on it compiles the policies and prepares the
# query, and costs nothing more (no resource to iterate).
_PREPARE_INPUT: Document = {
    "schema": SCHEMA,
    "source": "pack",
    "project": "",
    "stack": "",
    "region": None,
    "config": {},
    "resources": [],
    "facts": {},
}

# Engines whose background compilation may still run: a fork waits for them (below).
_compiling: weakref.WeakSet[EmbeddedEngine] = weakref.WeakSet()


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
        self._compiler = threading.Thread(target=self._compile, name="sesguard-opa-compile", daemon=True)
        _compiling.add(self)
        self._compiler.start()

    def _compile(self) -> None:
        # Only a head start, so any error is dropped here: the first real evaluation compiles again
        # and reports it itself, as one line (EngineError), exactly as without this thread.
        # The query `data.sesguard.findings` prepares what eval_document("sesguard.findings") then
        # reuses (measured: the evaluation after it pays no compilation).
        with contextlib.suppress(Exception):
            self._opa.eval_query("data." + QUERY_PATH.replace("/", "."), _PREPARE_INPUT)

    def prepare(self) -> None:
        """Wait until the policies are compiled; every evaluation waits for it first.

        Waiting also keeps the per-evaluation state (``last_coverage``) the caller's own: the
        compilation is an evaluation too, and must not land between a caller's and its reading.
        """
        self._compiler.join()
        _compiling.discard(self)

    def document(self, path: str, input: Any = None, *, coverage: bool = False) -> Any:
        """Evaluate ``data.<path>`` (dotted or slashed)."""
        self.prepare()
        try:
            return self._opa.eval_document(path.replace("/", "."), input, coverage=coverage)
        except self._error as exc:
            raise EngineError(
                f"OPA evaluation of data.{path.replace('/', '.')} failed: {exc.message}"
            ) from None

    def query(self, query: str, input: Any = None, *, coverage: bool = False) -> list[dict[str, Any]]:
        self.prepare()
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
        self.prepare()
        self._opa.close()


def _before_fork() -> None:
    # The program source forks a worker per stack (checks/sources/parallel.py) and counts on no
    # other thread running when it does: a fork waits for any compilation still in progress. In
    # practice it has finished, overlapped with importing pulumi_aws before the first fork.
    for engine in list(_compiling):
        engine.prepare()


os.register_at_fork(before=_before_fork)
