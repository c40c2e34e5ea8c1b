"""The OPA server engine against a loopback OPA REST server: same findings as embedded, fails closed."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import engine_corpus
import pytest
import requests
from opa_rest_server import OpaRestServer

from checks import policyset
from checks.engine import Settings
from checks.engine.embedded import EmbeddedEngine
from checks.engine.server import ServerEngine, push_order
from checks.errors import EngineError
from checks.policyset import PolicySet

QUERY = "/v1/data/sesguard/findings"
SETTINGS = Settings(
    levels={"SES-003": "mandatory", "SES-005": "advisory", "SES-009": "disabled"},
    thresholds={"bounce_rate": 0.02},
    waivers=[{"rule": "SES-004", "reason": "DNS lives at the registrar", "expires": "2099-12-31"}],
)


def _outcome(engine: Any, doc: dict) -> Any:
    """Findings, or the fact that evaluation failed: both engines must agree on either."""
    try:
        return engine.evaluate(doc)
    except EngineError:
        return "engine error"


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return policyset.load()


@pytest.fixture(scope="module")
def pushed(policies: PolicySet) -> Iterator[OpaRestServer]:
    """One server holding the pushed policies for the whole module: every PUT recompiles them all."""
    with OpaRestServer() as server:
        ServerEngine(server.url, policies).close()
        yield server


@pytest.fixture
def empty() -> Iterator[OpaRestServer]:
    with OpaRestServer(hang_seconds=3.0) as server:
        yield server


@pytest.mark.parametrize("settings", [None, SETTINGS], ids=["defaults", "levels-thresholds-waivers"])
def test_server_findings_identical_to_embedded(
    pushed: OpaRestServer, policies: PolicySet, settings: Settings | None
) -> None:
    docs = engine_corpus.corpus()
    server = ServerEngine(pushed.url, policies, settings)
    embedded = EmbeddedEngine(policies, settings)
    try:
        compared = 0
        for doc in docs:
            expected = _outcome(embedded, doc)
            assert _outcome(server, doc) == expected, doc["stack"]
            compared += expected != "engine error"
    finally:
        server.close()
        embedded.close()
    assert compared >= len(docs) - 1
    assert any(_outcome(EmbeddedEngine(policies, settings), d) for d in docs), "corpus draws no findings"


def test_settings_of_an_earlier_run_do_not_leak(pushed: OpaRestServer, policies: PolicySet) -> None:
    doc = engine_corpus.hand_made()[2]
    ServerEngine(pushed.url, policies, SETTINGS).close()
    plain = ServerEngine(pushed.url, policies)
    try:
        assert plain.evaluate(doc) == EmbeddedEngine(policies).evaluate(doc)
    finally:
        plain.close()


def test_reconnect_pushes_only_what_changed(pushed: OpaRestServer, policies: PolicySet) -> None:
    before = len(pushed.requests)
    ServerEngine(pushed.url, policies).close()
    puts = [p for m, p in pushed.requests[before:] if m == "PUT" and p.startswith("/v1/policies/")]
    assert puts == []


def test_stale_sesguard_module_is_removed(pushed: OpaRestServer, policies: PolicySet) -> None:
    stale = (
        "package ses.retired\n\n"
        'deny contains {"rule": "SES-999", "message": "old", "enforcement": "mandatory"}\n'
    )
    r = requests.put(f"{pushed.url}/v1/policies/sesguard/ses/retired.rego", data=stale, timeout=30)
    assert r.status_code == 200
    engine = ServerEngine(pushed.url, policies)
    try:
        assert "sesguard/ses/retired.rego" not in pushed.modules
        assert engine.evaluate(engine_corpus.hand_made()[0]) == []
    finally:
        engine.close()


def test_push_order_puts_helpers_first(policies: PolicySet) -> None:
    order = [p for p, _ in push_order(policies.modules)]
    assert order.index("lib/result.rego") < order.index("ses/identity/domain_identity.rego")
    last_rule = max(order.index(p) for p in order if p.startswith("ses/"))
    assert order.index("sesguard/main.rego") > last_rule


def _tiny(text: str) -> PolicySet:
    return PolicySet(policyset.POLICY_DIR, (("sesguard/main.rego", text),), (), ())


def test_module_that_does_not_compile_is_refused(empty: OpaRestServer) -> None:
    bad = "package sesguard\n\nimport data.lib.nowhere\n\nfindings := nowhere.f(1)\n"
    with pytest.raises(EngineError) as err:
        ServerEngine(empty.url, _tiny(bad))
    text = str(err.value)
    assert text.startswith(f"OPA server {empty.url}: the server refused policy sesguard/sesguard/main.rego")
    assert "undefined function" in text and "\n" not in text


def test_module_that_does_not_parse_is_refused_once(empty: OpaRestServer) -> None:
    with pytest.raises(EngineError, match="rego_parse_error"):
        ServerEngine(empty.url, _tiny("package sesguard\n\nfindings := 1 +\n"))
    assert sum(1 for m, p in empty.requests if m == "PUT" and p.startswith("/v1/policies/")) == 1


def test_undefined_result_is_an_error_not_a_pass(empty: OpaRestServer, policies: PolicySet) -> None:
    with pytest.raises(EngineError, match=r"canary query .*data\.sesguard\.findings is undefined"):
        ServerEngine(empty.url, policies, bundle_loaded=True)
    assert not any(p.startswith("/v1/policies/") for _, p in empty.requests), "bundle_loaded pushed policies"
    assert not any(m == "PUT" for m, _ in empty.requests), "empty settings pushed over a bundle's"


def test_refused_connection(policies: PolicySet) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(EngineError) as err:
        ServerEngine(url, policies, timeout=2)
    assert str(err.value) == f"OPA server {url}: health check (GET /health): connection refused"


@pytest.mark.parametrize(
    ("fault", "path", "expected"),
    [
        ("hang", QUERY, "no complete answer within 0.5 s"),
        ("500", QUERY, "HTTP 500: simulated failure"),
        ("drop", QUERY, "the connection dropped"),
        ("close", QUERY, "the connection dropped"),
        ("garbage", QUERY, "the answer is not JSON"),
        ("500", "", "health check (GET /health): HTTP 500"),
        ("hang", "/health", "health check (GET /health): no complete answer within 0.5 s"),
    ],
)
def test_server_faults_are_engine_errors(
    empty: OpaRestServer, policies: PolicySet, fault: str, path: str, expected: str
) -> None:
    empty.set_fault(fault, path)
    with pytest.raises(EngineError) as err:
        engine = ServerEngine(empty.url, policies, timeout=0.5, bundle_loaded=True)
        try:
            engine.evaluate(engine_corpus.hand_made()[1])
        finally:
            engine.close()
    text = str(err.value)
    assert text.startswith(f"OPA server {empty.url}: "), text
    assert expected in text and "\n" not in text, text
    assert len([p for _, p in empty.requests if p.startswith(path or "/")]) == 1, "a failing call was retried"


def test_fault_while_pushing(empty: OpaRestServer, policies: PolicySet) -> None:
    empty.set_fault("500", "/v1/policies/")
    with pytest.raises(
        EngineError, match=r"pushing policy sesguard/lib/\w+\.rego: internal_error: simulated failure"
    ):
        ServerEngine(empty.url, policies, timeout=2)
    empty.set_fault("500", "/v1/policies")
    with pytest.raises(
        EngineError, match=r"listing policies \(GET /v1/policies\): HTTP 500: simulated failure"
    ):
        ServerEngine(empty.url, policies, timeout=2)


def test_bearer_token(policies: PolicySet) -> None:
    with OpaRestServer(token="s3cr3t-token") as server:
        with pytest.raises(EngineError, match="HTTP 401") as err:
            ServerEngine(server.url, policies)
        assert "s3cr3t-token" not in str(err.value)
        engine = ServerEngine(server.url, policies, token="s3cr3t-token")
        engine.close()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://127.0.0.1:8181", "not an http:// or https:// URL"),
        ("http://127.0.0.1:8181/v1/data", "scheme://host[:port] only"),
        ("http://127.0.0.1:notaport", "the port is not a number"),
    ],
)
def test_bad_urls(url: str, problem: str, policies: PolicySet) -> None:
    with pytest.raises(EngineError, match=problem.replace("[", r"\[").replace("]", r"\]").replace("/", "/")):
        ServerEngine(url, policies)


def test_ca_needs_https(policies: PolicySet) -> None:
    with pytest.raises(EngineError, match="only applies to an https"):
        ServerEngine("http://127.0.0.1:1", policies, ca="/etc/ssl/certs/ca-certificates.crt")
