"""The embedded engine: OPA's Go library in-process (opa-golib-python-bindings).

Policies and settings are loaded once per engine; the bindings keep the prepared query for
``data.sesguard.findings`` cached, so each stack costs one evaluation and no compilation.

Handing OPA the pack (parsing 55 modules, about 0.03 s) and compiling it on the first evaluation
(about 0.2 s) is most of a cold check. An engine is built first thing, and compiles on a background
thread from then on, so the compilation overlaps with whatever the process does next (reading
METADATA and the source, importing and running the program, the policy pack finishing its start);
``prepare()`` waits for it. The bindings release the GIL inside OPA, so the overlap is real on two
cores.

An engine told which document sources it will judge (``sources``) leaves out the installed
pack's packages that judge only another source (``applicability.ONLY_FOR``: the live account's
facts, published DNS, the production-access request). Their Rego guards on ``input.source``, so
on any other document they cannot fire; not compiling them saves a quarter of the compilation.
A document of another source is refused (EngineError), never judged by the smaller pack.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sesguard import goruntime
from sesguard.document import SCHEMA, Document
from sesguard.engine import QUERY_PATH, Settings, groups, memory, to_findings
from sesguard.engine.aliases import (
    ALIAS_MARK,
    JUDGED_WITH_FACTS,
    Encoded,
    encode,
    may_alias,
    unaliased_resource,
    unaliased_text,
    waivers_name_resources,
)
from sesguard.engine.projection import project, type_tokens
from sesguard.errors import EngineError, PolicyError
from sesguard.findings import Finding
from sesguard.policyset import POLICY_DIR, PolicySet, package_of
from sesguard.sources.common.reading import collector_paused

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
        from sesguard.engine import install

        raise EngineError(install.MISSING) from None
    return opa_bindings


def modules_for(policies: PolicySet, sources: Collection[str] | None) -> tuple[tuple[str, str], ...]:
    """The modules an engine judging ``sources`` needs: all of them, unless the policies are the
    installed pack (whose source guards its tests prove) and ``sources`` is known."""
    from sesguard.applicability import ONLY_FOR

    if sources is None or policies.root != POLICY_DIR:
        return policies.modules
    return tuple(
        (path, text)
        for path, text in policies.modules
        if (only := ONLY_FOR.get(package_of(text))) is None or only[0] in sources
    )


class EmbeddedEngine:
    name = "embedded"
    # Documents of more resources than this (as the source gives them) are judged in batches of
    # groups (encode_parts) of about ``split_budget`` resources OPA reads. Measured on generated
    # documents (`python -m bench.split_scaling`, 21 resources per sending domain): at 200 domains
    # one evaluation is faster (0.20 s whole, 0.32 s split), at 1,000 as fast on a quiet machine, up to
    # 0.6 s slower under load; at 10,000 the times are equal and the split needs 0.76 GB instead of 1.7.
    # Below about 2,400 domains the whole document's peak stays under 0.5 GB: today's path.
    split_threshold = 50000
    split_budget = 2000
    split_workers = os.cpu_count() or 1

    def __init__(
        self,
        policies: PolicySet,
        settings: Settings | None = None,
        *,
        with_tests: bool = False,
        sources: Collection[str] | None = None,
    ):
        opa = _opa()
        self._error = opa.OpaError
        self._opa = opa.OpaEngine()  # the Go runtime starts with the first engine
        self._opa.print_handler = _print_line
        goruntime.forget()
        self._root = policies.root
        self._sources = None if sources is None else frozenset(sources)
        modules = modules_for(policies, self._sources)
        self._types = type_tokens(modules)
        self._config_literals = groups.config_reader(modules)
        # URNs may reach OPA as aliases (encode) only for the installed pack, whose rules
        # tests/test_projection.py holds to comparing URNs whole (a customised copy or an
        # organisation's --extra-policies may read one as text), and only when no waiver file names
        # a resource (the Rego matches that name against findings' URNs).
        self._may_alias = (
            policies.root == POLICY_DIR
            and not policies.extras
            and not waivers_name_resources((settings or Settings()).waivers)
        )
        self._compile_error: str | None = None
        # The modules are handed over here, the compilation runs on a thread: a thread making one
        # Go call per module would wait for the GIL after each while this one runs Python
        # (measured: 30-60 ms lost on a cold check), the single compilation call waits once.
        # What a sibling OPA (evaluate_parts) is given to judge exactly as this one.
        self._loaded = (modules + (policies.tests if with_tests else ()), (settings or Settings()).as_data())
        self._siblings: list[Any] = []
        try:
            for path, text in self._loaded[0]:
                self._opa.add_policy(path, text)
            self._opa.add_data(self._loaded[1])
        except opa.OpaError as exc:
            self._opa.close()
            raise PolicyError(f"policies in {policies.root}: {exc.message}") from None
        self._compiler = threading.Thread(target=self._compile, name="sesguard-opa-compile", daemon=True)
        _compiling.add(self)
        self._compiler.start()

    def _compile(self) -> None:
        # The query `data.sesguard.findings` compiles every module and prepares what
        # eval_document("sesguard.findings") then reuses (measured: the evaluation after it pays no
        # compilation). A compilation error is kept for check_compiles(); the first real evaluation
        # compiles again and reports it itself, as one line. Anything else the empty input may
        # raise is no concern of the compilation.
        try:
            self._opa.eval_query("data." + QUERY_PATH.replace("/", "."), _PREPARE_INPUT)
        except self._error as exc:
            if exc.code == "prepare_error":
                self._compile_error = exc.message

    def check_compiles(self) -> None:
        """Raise PolicyError with OPA's message when the policies do not compile (a module OPA
        could not parse, or one its compiler refused: an unsafe variable, a type error)."""
        self.prepare()
        if self._compile_error is not None:
            raise PolicyError(f"policies in {self._root}: {self._compile_error}")

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
        return self.evaluate_parts(self.encode_parts(document))

    def encode_parts(self, document: Document) -> list[bytes]:
        """The inputs OPA reads for ``document``: one (``encode``), or for a document of more than
        ``split_threshold`` resources, batches of groups no rule joins across (engine/groups.py)
        of about ``split_budget`` resources each, whose findings together are the document's."""
        if (
            len(document.get("resources") or ()) <= self.split_threshold
            or document.get("source") in JUDGED_WITH_FACTS
            or (self._sources is not None and document.get("source") not in self._sources)
        ):
            return [self.encode(document)]
        # The split allocates many small objects while a big document is alive and makes no cycle:
        # the cycle collector would walk the whole document again and again (measured at 10,000
        # domains: the projection alone 0.04 s per 1,000 domains became 1.2 s).
        with collector_paused():
            parts = groups.batches(project(document, self._types), self.split_budget, self._config_literals)
            if parts is None:
                return [self.encode(document)]
            return [self.encode(part) for part in parts]

    def evaluate_parts(self, payloads: list[bytes]) -> list[Finding]:
        """Findings for the inputs ``encode_parts`` produced: each batch's, merged (the core's and
        the stack's own findings come from every batch, alike). Batches are judged on
        ``split_workers`` threads, each with an OPA of its own holding the same policies and
        settings (the bindings release the GIL inside OPA; one OPA evaluates one input at a time)."""
        if len(payloads) == 1:
            return self.evaluate_encoded(payloads[0])
        workers = max(1, min(self.split_workers, len(payloads)))
        opas = [self._opa, *self._more_opas(workers - 1)]
        found: list[list[Finding]] = [[] for _ in opas]
        errors: list[BaseException] = []

        def work(k: int) -> None:
            try:
                for payload in payloads[k :: len(opas)]:
                    found[k].extend(self.evaluate_encoded(payload, opas[k]))
            except BaseException as exc:  # re-raised in the caller's thread below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(1, len(opas))]
        for t in threads:
            t.start()
        work(0)
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return sorted({f for part in found for f in part})

    def _more_opas(self, n: int) -> list[Any]:
        """``n`` sibling OPAs, made (and compiled) once and kept for the engine's life."""
        opa = _opa()
        while len(self._siblings) < n:
            sibling = opa.OpaEngine()
            try:
                for path, text in self._loaded[0]:
                    sibling.add_policy(path, text)
                sibling.add_data(self._loaded[1])
                sibling.eval_query("data." + QUERY_PATH.replace("/", "."), _PREPARE_INPUT)
            except opa.OpaError as exc:
                sibling.close()
                raise EngineError(f"OPA evaluation of data.{QUERY_PATH} failed: {exc.message}") from None
            self._siblings.append(sibling)
        return self._siblings[:n]

    def encode(self, document: Document) -> bytes:
        """The input OPA reads for ``document``: its projection, as JSON text (aliases.Encoded:
        with its URNs aliased when it may be, see aliases.encode).

        Apart from ``evaluate_encoded`` so a caller holding the only reference to a big document
        can let it go before OPA builds its own copy (judging.judge_loaded): at 10,000 sending
        domains the Python objects are about 0.5 GB of the run's peak.
        """
        if self._sources is not None and document.get("source") not in self._sources:
            raise EngineError(
                f"this engine judges {', '.join(sorted(self._sources))} documents, "
                f"not {document.get('source')!r}"
            )
        alias = self._may_alias and may_alias(document)
        try:
            return encode(project(document, self._types), alias=alias)
        except UnicodeEncodeError:
            raise EngineError(
                "the stack document holds a string that is not valid Unicode (a lone surrogate)"
            ) from None

    def evaluate_encoded(self, payload: bytes, opa: Any = None) -> list[Finding]:
        """Findings for an input ``encode`` produced, naming resources by their URNs."""
        findings = self._evaluate_text(payload, opa)
        if not isinstance(payload, Encoded) or not payload.urns_text or not findings:
            return findings
        urns = payload.urns()
        named = [_unaliased(f, urns) for f in findings]
        if any(f is None for f in named):
            # A rule printed an alias (the Rego contract forbids printing a URN): judge the URNs.
            return self._evaluate_text(unaliased_text(payload), opa)
        return sorted(f for f in named if f is not None)

    def _evaluate_text(self, payload: bytes, opa: Any = None) -> list[Finding]:
        too_big = memory.problem(len(payload))
        if too_big is not None:  # OPA out of memory is a Go fatal error, not an exception
            raise EngineError(too_big)
        self.prepare()
        path = QUERY_PATH.replace("/", ".")
        # The bindings' eval_document, given text already encoded (it would encode a Python value
        # itself, which needs the document alive while OPA reads it). opa-golib-python-bindings is
        # pinned; tests/test_startup.py holds this equal to eval_document.
        opa = opa or self._opa
        try:
            with opa._eval_lock:
                opa._eval_reset()
                results = opa._eval_result(opa._call(opa._lib.OpaEvalDocument, path.encode(), payload, 0, 0))
        except self._error as exc:
            raise EngineError(f"OPA evaluation of data.{path} failed: {exc.message}") from None
        if not results or not results[0].get("expressions"):
            raise EngineError(f"OPA evaluation of data.{path} failed: data.{path} is undefined")
        return to_findings(results[0]["expressions"][0]["value"])

    def close(self) -> None:
        self._compiler.join()
        _compiling.discard(self)
        self._opa.close()
        for sibling in self._siblings:
            sibling.close()
        self._siblings.clear()


def _print_line(message: str, location: str) -> None:
    """A Rego ``print()`` (an organisation rule's debugging) on stderr, escaped like every other
    line: what it prints may come from the stack, and must not move a cursor or start a line."""
    import sys

    from sesguard.errors import one_line

    print(f"sesguard: rego print: {one_line(str(location))}: {one_line(str(message))}", file=sys.stderr)


def _before_fork() -> None:
    # The program source forks a worker per stack (sesguard/sources/pulumi/parallel.py) and counts on no
    # other thread running when it does: a fork waits for any compilation still in progress. In
    # practice it has finished, overlapped with importing pulumi_aws before the first fork.
    for engine in list(_compiling):
        engine._compiler.join()


os.register_at_fork(before=_before_fork)


def _unaliased(finding: Finding, urns: tuple[str, ...]) -> Finding | None:
    """``finding`` naming the URN its resource's alias stands for; None when an alias shows
    anywhere but as the whole resource."""
    resource = unaliased_resource(finding.resource, urns)
    texts = (finding.rule, finding.message, finding.title, finding.remediation, finding.waiver or "")
    if resource is None or any(ALIAS_MARK in t for t in texts):
        return None
    return replace(finding, resource=resource)
