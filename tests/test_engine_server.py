"""The OPA server engine against a loopback OPA REST server: same findings as embedded, fails closed."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import engine_corpus
import pytest
import requests
from opa_rest_server import OpaRestServer

from sesguard import policyset
from sesguard.bundle import with_digest
from sesguard.engine import Settings, decoys, to_findings, transport
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.engine.server import ServerEngine, _Client, push_order
from sesguard.errors import EngineError
from sesguard.policyset import PolicySet

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


def _claims_the_bundle(server: OpaRestServer, policies: PolicySet) -> OpaRestServer:
    """A server whose manifest names this pack's digest, whatever it really holds."""
    server.manifest = {"revision": with_digest("claimed", policies), "roots": ["ses", "lib", "sesguard"]}
    return server


def test_undefined_result_is_an_error_not_a_pass(empty: OpaRestServer, policies: PolicySet) -> None:
    _claims_the_bundle(empty, policies)
    with pytest.raises(EngineError, match=r"first query .*data\.sesguard\.findings is undefined"):
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
    _claims_the_bundle(empty, policies).set_fault(fault, path)
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


# --- a server that answers, but not with the truth ----------------------------------------------


@pytest.fixture(scope="module")
def liar(policies: PolicySet) -> Iterator[OpaRestServer]:
    """A server holding the real policies whose query answers can be made to lie."""
    with OpaRestServer() as server:
        ServerEngine(server.url, policies).close()
        yield server


@pytest.fixture
def lying(liar: OpaRestServer) -> Iterator[OpaRestServer]:
    yield liar.warm()
    liar.set_fault(None)
    liar.answer, liar.answer_status = {"result": []}, 200
    liar.manifest = None


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(lying: OpaRestServer, policies: PolicySet, status: int) -> None:
    """An http→https ingress answers 301; a 307 would re-post the stack document to `Location`."""
    with OpaRestServer() as elsewhere:
        ServerEngine(elsewhere.url, policies).close()  # a real sesguard server: following would "work"
        before = len(elsewhere.requests)
        lying.set_fault("redirect", QUERY)
        lying.redirect_status, lying.redirect_to = status, elsewhere.url
        port = lying.url.rsplit(":", 1)[1]
        with pytest.raises(EngineError) as err:
            ServerEngine(f"http://alice:pa55word@127.0.0.1:{port}", policies)
        assert elsewhere.requests[before:] == [], "the redirect was followed"
    text = str(err.value)
    assert text.startswith(f"OPA server http://127.0.0.1:{port}: first query"), text
    assert f"HTTP {status} redirect, not followed" in text
    assert "pa55word" not in text and "alice" not in text


def _earlier_answer(policies: PolicySet) -> list[dict[str, Any]]:
    """What a real OPA answered an earlier run's first query: decoys under other names, to replay."""
    mixed = decoys.mix(decoys.bare_document({}, "us-east-1"), Settings())
    engine = EmbeddedEngine(policies)
    try:
        return [f.to_dict() for f in engine.evaluate(mixed.document)]
    finally:
        engine.close()


def _lie(kind: str, policies: PolicySet) -> Any:
    real = _earlier_answer(policies)
    if kind == "empty result":
        return {"result": []}
    if kind == "waived as a string":
        return {"result": [{**f, "waived": "false"} for f in real]}
    if kind == "waiver not a string":
        return {"result": [{**f, "waived": True, "waiver": 7} for f in real]}
    if kind == "number where text belongs":
        return {"result": [{**real[0], "rule": 3}]}
    if kind == "replayed answer":  # an earlier run's answer, replayed
        return {"result": real}
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("empty result", "22 expected finding(s) missing"),
        ("waived as a string", "malformed finding: waived: expected boolean, found string"),
        ("waiver not a string", "malformed finding: waiver: expected string, found number"),
        ("number where text belongs", "malformed finding: rule: expected string, found number"),
        ("replayed answer", "22 expected finding(s) missing"),
    ],
)
def test_a_lying_server_judges_nothing(
    lying: OpaRestServer, policies: PolicySet, kind: str, expected: str
) -> None:
    lying.set_fault("answer", QUERY)
    lying.answer = _lie(kind, policies)
    with pytest.raises(EngineError) as err:
        ServerEngine(lying.url, policies)
    text = str(err.value)
    assert "the server does not evaluate sesguard's policies" in text, text
    assert expected in text, text
    assert "\n" not in text


def _noncompliant() -> dict[str, Any]:
    """The prod stack with its DMARC at p=none and no alarms: SES-005, SES-021 and SES-022 at least."""
    doc = json.loads((Path(__file__).parent / "fixtures" / "compliant_stack.json").read_text())
    for r in doc["resources"]:
        if r["type"] == "aws:route53/record:Record" and "DMARC1" in json.dumps(r["props"]):
            r["props"]["records"] = ["v=DMARC1; p=none; rua=mailto:dmarc@acmetickets.com"]
    doc["resources"] = [r for r in doc["resources"] if "metricAlarm" not in r["type"]]
    return doc


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # The old canary's weakness: the first query answered truthfully, real work with [].
        ("first-only", "expected finding(s) missing"),
        ("no-stack-level", "stack-level finding(s) missing (SES-021, SES-022)"),
        ("drop-rule:SES-024", "expected finding(s) missing (SES-024)"),
    ],
)
def test_a_dishonest_server_cannot_pass_a_noncompliant_stack(
    pushed: OpaRestServer, policies: PolicySet, mode: str, expected: str
) -> None:
    doc = _noncompliant()
    assert {"SES-005", "SES-021"} <= {f.rule for f in EmbeddedEngine(policies).evaluate(doc)}
    pushed.dishonest, pushed.queries = mode, 0
    try:
        with pytest.raises(EngineError) as err:
            engine = ServerEngine(pushed.url, policies)
            try:
                engine.evaluate(doc)
            finally:
                engine.close()
    finally:
        pushed.dishonest = None
    text = str(err.value)
    assert "query (POST /v1/data/sesguard/findings): the server does not evaluate sesguard's policies" in text
    assert expected in text, text


def test_the_server_sees_the_stack_and_its_decoys_in_one_request(
    pushed: OpaRestServer, policies: PolicySet
) -> None:
    """One POST per stack: nothing the server could tell apart from the stack's own judgement."""
    doc = _noncompliant()
    engine = ServerEngine(pushed.url, policies)
    try:
        before = len(pushed.requests)
        found = engine.evaluate(doc)
    finally:
        engine.close()
    assert pushed.requests[before:] == [("POST", QUERY)]
    assert found == EmbeddedEngine(policies).evaluate(doc)


def test_a_server_dropping_only_the_stacks_own_findings_is_the_limit(
    pushed: OpaRestServer, policies: PolicySet
) -> None:
    """Decoys catch what a server cannot aim; one told which resources are the stack's could lie.
    Names are fresh and shaped like the stack's, so a server is never told (README: what sesguard trusts)."""
    doc = _noncompliant()
    pushed.own_urns = {r["urn"] for r in doc["resources"]}
    engine = ServerEngine(pushed.url, policies)
    pushed.dishonest = "drop-own"
    try:
        found = engine.evaluate(doc)
    finally:
        pushed.dishonest = None
        engine.close()
    assert {f.rule for f in found} == {"SES-021", "SES-022"}  # the stack-level ones it cannot aim


def test_fact_documents_are_not_judged_on_a_server(pushed: OpaRestServer, policies: PolicySet) -> None:
    engine = ServerEngine(pushed.url, policies)
    try:
        with pytest.raises(EngineError, match="request documents are judged with the embedded engine only"):
            engine.evaluate({**_noncompliant(), "source": "request"})
    finally:
        engine.close()


def test_decoys_honour_the_runs_levels_and_waivers(pushed: OpaRestServer, policies: PolicySet) -> None:
    settings = Settings(
        levels={"SES-005": "disabled", "SES-003": "advisory"},
        waivers=[{"rule": "SES-004", "reason": "DNS at the registrar", "expires": "2099-12-31"}],
    )
    engine = ServerEngine(pushed.url, policies, settings)
    try:
        doc = _noncompliant()
        assert engine.evaluate(doc) == EmbeddedEngine(policies, settings).evaluate(doc)
    finally:
        engine.close()


@pytest.mark.parametrize("protocol", ["HTTP/1.0", "HTTP/1.1"])
def test_a_dripping_server_ends_at_the_deadline(policies: PolicySet, protocol: str) -> None:
    """Each byte arrives well within the timeout; the whole answer (40 s of it) does not.

    Over HTTP/1.0 http.client hands the socket to the response, where the watchdog used to miss it
    and the run lasted as long as the server dripped. The bound is the deadline plus the grace and
    several seconds for a loaded machine: far below the drip, so only a missed cut can break it.
    """
    with OpaRestServer(protocol=protocol) as server:
        _claims_the_bundle(server, policies).set_fault("drip", QUERY)
        server.answer = {"result": [], "padding": "x" * 200}
        server.cut_off.clear()
        start = time.monotonic()
        with pytest.raises(EngineError) as err:
            # bundle_loaded: nothing is pushed, so the first query is the first request that can lag.
            ServerEngine(server.url, policies, timeout=1, bundle_loaded=True)
        elapsed = time.monotonic() - start
        assert server.cut_off.wait(10), "the answer was read to its end past the deadline"
    assert str(err.value).endswith(
        "first query (POST /v1/data/sesguard/findings): no complete answer within 1 s"
    )
    # A bound far below the 40 s drip (not a speed figure): the run ends by its deadline.
    assert elapsed < 1 + transport.GRACE + 15, f"ended {elapsed:.1f} s after it started"


def test_url_credentials_are_sent_as_basic_auth_and_never_shown(policies: PolicySet) -> None:
    with OpaRestServer(basic=("alice", "pa55 word")) as server:
        port = server.url.rsplit(":", 1)[1]
        url = f"http://alice:pa55%20word@127.0.0.1:{port}"
        ServerEngine(url, policies).close()
        server.set_fault("500")
        with pytest.raises(EngineError) as err:
            ServerEngine(url, policies)
    assert str(err.value).startswith(f"OPA server http://127.0.0.1:{port}: health check")
    assert "pa55" not in str(err.value) and "alice" not in str(err.value)


def test_userinfo_and_token_together_are_refused(policies: PolicySet) -> None:
    with pytest.raises(EngineError, match="either a token or user:password") as err:
        ServerEngine("http://bob:hunter2@127.0.0.1:1", policies, token="t0ken")
    assert "hunter2" not in str(err.value) and "t0ken" not in str(err.value)


def test_an_error_body_is_never_echoed_verbatim(lying: OpaRestServer, policies: PolicySet) -> None:
    """A gateway's 401 may echo the Authorization header it refused."""
    lying.set_fault("answer", QUERY)
    lying.answer_status = 401
    lying.answer = {"code": "unauthorized", "message": "token s3cr3t-token rejected; Bearer s3cr3t-token"}
    with pytest.raises(EngineError) as err:
        ServerEngine(lying.url, policies, token="s3cr3t-token")
    assert "HTTP 401" in str(err.value)
    assert "s3cr3t" not in str(err.value)


def test_findings_are_typed_for_the_embedded_engine_too() -> None:
    good = {"rule": "SES-003", "resource": "", "message": "m", "enforcement": "mandatory", "waived": False}
    assert to_findings([good])[0].waived is False
    for bad, problem in [
        ({**good, "waived": "false"}, "waived: expected boolean, found string"),
        ({**good, "waived": True, "waiver": ["x"]}, "waiver: expected string, found array"),
        ({**good, "waived": True}, "missing 'waiver'"),
        ({**good, "enforcement": "mandatory "}, "enforcement: expected one of mandatory, advisory"),
        ({k: v for k, v in good.items() if k != "waived"}, "missing 'waived'"),
        ("SES-003", "(finding): expected object, found string"),
    ]:
        with pytest.raises(EngineError, match=re.escape(problem)):
            to_findings([bad])


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999999"])
def test_malformed_urls_are_one_line(url: str, policies: PolicySet) -> None:
    with pytest.raises(EngineError) as err:
        ServerEngine(url, policies)
    assert "\n" not in str(err.value)


def test_the_ca_flag_wins_over_the_environment(
    policies: PolicySet, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """requests takes REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE over a session's own CA on every request."""
    ca = tmp_path / "internal-ca.pem"
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.setenv(var, str(tmp_path / "attacker-ca.pem"))
    client = _Client(host="opa.internal", port=8181, ssl=str(ca), retries=0, timeout=1)
    try:
        session = client._session
        settings = session.merge_environment_settings(
            "https://opa.internal:8181/health", {}, False, None, None
        )
        assert settings["verify"] == str(ca)
        # Without the flag the environment's CA bundle still applies, as everywhere else.
        plain = _Client(host="opa.internal", port=8181, ssl=True, retries=0, timeout=1)
        env = plain._session.merge_environment_settings("https://opa.internal:8181/", {}, False, None, None)
        assert env["verify"] == str(tmp_path / "attacker-ca.pem")
        plain.close_connection()
    finally:
        client.close_connection()


@pytest.mark.parametrize(
    ("url", "token", "what"),
    [
        ("http://opa.internal:8181", "s3cr3t-token", "a token (--opa-token / OPA_TOKEN)"),
        ("http://10.20.30.40:8181", "s3cr3t-token", "a token (--opa-token / OPA_TOKEN)"),
        ("http://alice:pa55word@opa.internal:8181", None, "user:password in the URL"),
    ],
)
def test_credentials_never_go_over_plain_http_to_another_host(
    policies: PolicySet, url: str, token: str | None, what: str
) -> None:
    with pytest.raises(EngineError) as err:
        ServerEngine(url, policies, token=token, timeout=1)
    text = str(err.value)
    assert f"{what} is sent only over https:// or to a loopback address" in text, text
    assert "s3cr3t" not in text and "pa55word" not in text and "alice" not in text


def test_a_token_over_http_to_loopback_is_fine(policies: PolicySet) -> None:
    with OpaRestServer(token="s3cr3t-token") as server:
        port = server.url.rsplit(":", 1)[1]
        ServerEngine(f"http://localhost:{port}", policies, token="s3cr3t-token").close()


def test_organisation_rules_on_a_server_judge_the_stack_not_the_decoys() -> None:
    """ACME-001 fires on every identity outside ACME's domains, the decoys' too: those are dropped."""
    org = Path(__file__).parent / "fixtures" / "org-policies" / "acme"
    policies = policyset.load(None, (org,))
    doc = _noncompliant()
    doc["resources"][0:0] = [
        {
            "urn": "urn:pulumi:prod::ses-sender::aws:sesv2/emailIdentity:EmailIdentity::shadow",
            "type": "aws:sesv2/emailIdentity:EmailIdentity",
            "name": "shadow",
            "props": {"emailIdentity": "shadow.example.net"},
            "dependencies": [],
        }
    ]
    with OpaRestServer() as server:
        engine = ServerEngine(server.url, policies)
        try:
            found = engine.evaluate(doc)
        finally:
            engine.close()
    assert found == EmbeddedEngine(policies).evaluate(doc)
    assert [f.resource for f in found if f.rule == "ACME-001"] == [doc["resources"][0]["urn"]]
