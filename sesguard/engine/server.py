"""The server engine: a real OPA (``opa run --server``, or a central one serving bundles) over REST.

It speaks OPA's REST API through ``opa-python-client``: a health check, the policy modules pushed
with ``PUT /v1/policies/sesguard/<path>`` (unless they came from ``sesguard bundle``), the settings
with ``PUT /v1/data/sesguard_settings``, and one ``POST /v1/data/sesguard/findings`` per document.

Fail closed: a refused connection, a timeout, an HTTP error, a redirect, a body that is not JSON,
a result that is undefined or not findings of the right types, or a server that does not return
the canary's known findings (sesguard/engine/canary.py) is an ``EngineError`` naming the server and
the problem (exit 2), never a pass. Each call is one attempt that ends within ``timeout`` seconds,
headers and body (sesguard/engine/transport.py); nothing loops on the network.

Credentials never reach a message: the server is named without the URL's userinfo (which is
sent as basic auth), and an error body is shown only as OPA's own error code and message with
the token and password cut out.

Settings and bundles: when the policies are pushed, the settings are always pushed too, even
empty, so a previous run's levels or waivers on a shared server cannot leak into this one. With
``bundle_loaded`` the server's data is the bundle owner's, so settings are pushed only when this
run has some (a bundle that owns ``sesguard_settings`` then refuses them, which is reported).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import requests
from opa_client import OpaClient
from opa_client.errors import DeletePolicyError, RegoParseError

from sesguard.document import Document
from sesguard.engine import QUERY_PATH, Settings, canary, groups, to_findings
from sesguard.engine.aliases import JUDGED_WITH_FACTS
from sesguard.engine.projection import project, type_tokens
from sesguard.engine.transport import DeadlineExceeded, Redirected, StrictAdapter
from sesguard.errors import EngineError
from sesguard.findings import Finding
from sesguard.policyset import PolicySet

T = TypeVar("T")

POLICY_PREFIX = "sesguard/"
SETTINGS_PATH = "sesguard_settings"
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_KEYWORDS = {"package", "import", "default", "else", "not", "some", "every", "if", "contains", "in"}
_RULE_HEAD = re.compile(r"^([A-Za-z_]\w*)\b", re.MULTILINE)
# A reference to another package; a trailing ``[`` (``data.ses[_].deny``) means every package under it.
_DATA_REF = re.compile(r"\bdata\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(\[?)")


def push_order(modules: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Modules ordered so that each comes after the packages it refers to (``data.lib.ses`` ...).

    A cycle or a dynamic reference cannot be ordered exactly; those keep path order and the push
    loop's retries settle them.
    """
    items = sorted(modules)
    packages = {}
    for path, text in items:
        m = _PACKAGE.search(text)
        packages[path] = m.group(1) if m else ""
    defines = {path: set(_RULE_HEAD.findall(text)) - _KEYWORDS for path, text in items}
    deps: dict[str, set[str]] = {}
    for path, text in items:
        refs = set(_DATA_REF.findall(text))
        # Files of one package call each other's helpers by bare name.
        siblings = {
            other
            for other, pkg in packages.items()
            if other != path
            and pkg == packages[path]
            and any(re.search(rf"\b{re.escape(n)}\b", text) for n in defines[other] - defines[path])
        }
        deps[path] = {
            other
            for other, pkg in packages.items()
            if other != path
            and pkg
            and pkg != packages[path]
            and any(
                pkg == r or r.startswith(pkg + ".") or (bool(under) and pkg.startswith(r + "."))
                for r, under in refs
            )
        } | siblings
    done: list[tuple[str, str]] = []
    placed: set[str] = set()
    remaining = list(items)
    while remaining:
        ready = [it for it in remaining if deps[it[0]] <= placed] or remaining[:1]
        for it in ready:
            done.append(it)
            placed.add(it[0])
        remaining = [it for it in remaining if it[0] not in placed]
    return done


class _Client(OpaClient):
    def __init__(self, *args: Any, basic_auth: tuple[str, str] | None = None, **kwargs: Any) -> None:
        self._basic_auth = basic_auth
        super().__init__(*args, **kwargs)

    def _init_session(self) -> requests.Session:
        """The library's session, but on the strict transport: no retries, no redirects, a deadline."""
        session = requests.Session()
        if self.headers:
            session.headers.update(self.headers)
        adapter = StrictAdapter(self.timeout)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        if self.ssl:
            session.verify = self.ssl
        if self.cert:
            session.cert = self.cert
        if self._basic_auth is not None:
            session.auth = self._basic_auth
        return session

    def policies(self) -> dict[str, str]:
        """Every module the server holds, id -> source (``GET /v1/policies``)."""
        response = self._session.get(f"{self.root_url}/policies", timeout=self.timeout)
        response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
        listed = body.get("result") or []
        return {str(p["id"]): str(p.get("raw") or "") for p in listed if isinstance(p, dict) and "id" in p}

    def settings(self) -> Any:
        """The server's ``data.sesguard_settings`` (None when undefined), as a bundle may own it."""
        response = self._session.get(f"{self.root_url}/data/{SETTINGS_PATH}", timeout=self.timeout)
        response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
        return body.get("result")

    def health(self) -> None:
        """GET /health, raising what went wrong (the library's check_health only says False)."""
        response = self._session.get(f"{self.schema}{self.host}:{self.port}/health", timeout=self.timeout)
        response.raise_for_status()


def _opa_message(response: requests.Response | None, secrets: Iterable[str]) -> str:
    """OPA's error code or message from an error body, credentials cut out; never a raw body.

    A proxy's or gateway's page (HTML, a 401 echoing the Authorization header) is not shown at all.
    """
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    text = body.get("message") or body.get("code") or ""
    if not isinstance(text, str):
        return ""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = re.sub(r"(?i)\b(bearer|basic)\s+\S+", r"\1 [redacted]", text)
    return text[:160]


def _rego_errors(exc: RegoParseError) -> str:
    """OPA's first compile error with its place, and how many more there are."""
    errors = [e for e in exc.errors if isinstance(e, dict) and e.get("message")]
    if not errors:
        return str(exc.message or exc.expression)
    first = errors[0]
    loc = first.get("location") or {}
    where = f"{loc.get('file')}:{loc.get('row')}: " if isinstance(loc, dict) and loc.get("row") else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}{first.get('code', 'error')}: {first['message']}{more}"


def _parse_only(exc: RegoParseError) -> bool:
    """A syntax error: no push order can fix it, so it is not worth another pass."""
    codes = {e.get("code") for e in exc.errors if isinstance(e, dict)}
    return codes == {"rego_parse_error"}


class ServerEngine:
    name = "server"
    # As the embedded engine (sesguard/engine/embedded.py): a document of more resources is sent
    # in batches of groups no rule joins across, each answer verified as one document's.
    split_threshold = 50000
    split_budget = 2000

    def __init__(
        self,
        url: str,
        policies: PolicySet,
        settings: Settings | None = None,
        *,
        timeout: float = 10.0,
        ca: str | None = None,
        token: str | None = None,
        bundle_loaded: bool = False,
    ):
        self.url = _display_url(url)
        self.timeout = timeout
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()
        # Only policies pushed from here are known to read no more than their type tokens; a server
        # serving its own bundle may hold other policies, so it gets the whole document.
        self._types = None if bundle_loaded else type_tokens(policies.modules)
        self._config_literals = None if bundle_loaded else groups.config_reader(policies.modules)
        self._client = self._connect(url, ca, token)
        try:
            self._call("health check (GET /health)", self._client.health)
            if not bundle_loaded:
                self._push_policies(policies)
            run_settings = settings or Settings()
            data = run_settings.as_data()[SETTINGS_PATH]
            if not bundle_loaded or (settings is not None and any(data.values())):
                self._call(
                    f"pushing settings (PUT /v1/data/{SETTINGS_PATH})",
                    lambda: self._client.update_or_create_data(data, SETTINGS_PATH),
                )
            else:  # the bundle's owner decides levels and waivers: the canary is judged under them
                run_settings = self._server_settings()
            self._check_canary(run_settings)
        except BaseException:
            self.close()
            raise

    # -- plumbing --------------------------------------------------------------------------

    def _error(self, problem: str) -> EngineError:
        return EngineError(f"OPA server {self.url}: {problem}")

    def _connect(self, url: str, ca: str | None, token: str | None) -> _Client:
        try:
            parts = urlsplit(url.rstrip("/"))
            hostname = parts.hostname
        except ValueError:  # e.g. an unclosed IPv6 bracket
            raise self._error("not a valid URL") from None
        if parts.scheme not in ("http", "https") or not hostname:
            raise self._error("not an http:// or https:// URL")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise self._error("give scheme://host[:port] only; OPA's API lives at /v1 on the server root")
        if ca and parts.scheme != "https":
            raise self._error("a CA bundle only applies to an https:// URL")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise self._error("the port is not a number") from None
        basic_auth = None
        if parts.username is not None or parts.password is not None:
            if token:
                raise self._error("give either a token or user:password in the URL, not both")
            basic_auth = (unquote(parts.username or ""), unquote(parts.password or ""))
        self._secrets = tuple(s for s in (token, *(basic_auth or ())) if s)
        host = f"[{hostname}]" if ":" in hostname else hostname
        # ssl=<CA path> makes the client verify against that bundle; retries=0: one attempt per call.
        ssl: Any = (ca or True) if parts.scheme == "https" else False
        return _Client(
            host=host, port=port, ssl=ssl, token=token, retries=0, timeout=self.timeout, basic_auth=basic_auth
        )

    def _call(self, what: str, fn: Callable[[], T], *, keep: tuple[type[Exception], ...] = ()) -> T:
        """Run one client call; every way it can fail becomes an EngineError naming the server.

        ``keep`` lists exceptions the caller handles itself (a refused module during a push).
        """
        try:
            with self._lock:
                return fn()
        except keep:
            raise
        except Redirected as exc:
            raise self._error(
                f"{what}: HTTP {exc.status} redirect, not followed: give the URL the OPA server itself "
                "answers at (e.g. https:// instead of http://)"
            ) from None
        except DeadlineExceeded:
            raise self._error(f"{what}: no complete answer within {self.timeout:g} s") from None
        except requests.exceptions.Timeout:
            raise self._error(f"{what}: no complete answer within {self.timeout:g} s") from None
        except requests.exceptions.SSLError as exc:
            raise self._error(f"{what}: TLS failed: {_reason(exc)}") from None
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            detail = _opa_message(exc.response, self._secrets)
            raise self._error(f"{what}: HTTP {status}{': ' + detail if detail else ''}") from None
        except requests.exceptions.ChunkedEncodingError:
            raise self._error(f"{what}: the connection dropped in the middle of the answer") from None
        except requests.exceptions.ConnectionError as exc:
            # With retries off, urllib3 wraps a read timeout in MaxRetryError: requests then calls it
            # a ConnectionError rather than a Timeout.
            if "timed out" in str(exc).lower():
                raise self._error(f"{what}: no complete answer within {self.timeout:g} s") from None
            raise self._error(f"{what}: {_reason(exc)}") from None
        except ValueError:  # includes requests' JSONDecodeError
            raise self._error(f"{what}: the answer is not JSON") from None
        except requests.exceptions.RequestException as exc:
            raise self._error(f"{what}: {_reason(exc)}") from None
        except (DeletePolicyError, RegoParseError) as exc:
            message = _redact(str(exc.message), self._secrets)
            raise self._error(f"{what}: {exc.expression}: {message}") from None
        except (AttributeError, TypeError, KeyError):  # the library met a body of an unexpected shape
            raise self._error(f"{what}: the answer is not what OPA sends") from None

    # -- policies --------------------------------------------------------------------------

    def _push_policies(self, policies: PolicySet) -> None:
        """PUT every module, retrying those that failed to compile only while others still land.

        OPA compiles each PUT against what it already holds, so a module calling a helper that is
        not there yet is refused; each pass lands at least one more module or the push fails.
        """

        if not policies.modules:
            raise self._error(f"no policy modules to push from {policies.root}")
        held = self._call("listing policies (GET /v1/policies)", self._client.policies)
        # A module the server already holds verbatim is not pushed again: every PUT recompiles all.
        pending = [(p, t) for p, t in push_order(policies.modules) if held.get(POLICY_PREFIX + p) != t]
        while pending:
            refused: list[tuple[str, str]] = []
            last: tuple[str, str] = ("", "")
            for path, text in pending:
                pid = POLICY_PREFIX + path
                try:
                    self._call(
                        f"pushing policy {pid} (PUT /v1/policies/{pid})",
                        lambda text=text, pid=pid: self._client.update_policy_from_string(  # type: ignore[misc]
                            text, pid, rego_compat=False
                        ),
                        keep=(RegoParseError,),
                    )
                except RegoParseError as exc:
                    if exc.expression != "invalid_parameter":
                        raise self._error(f"pushing policy {pid}: {exc.expression}: {exc.message}") from None
                    if _parse_only(exc):
                        raise self._error(f"the server refused policy {pid}: {_rego_errors(exc)}") from None
                    refused.append((path, text))
                    last = (pid, _rego_errors(exc))
            if len(refused) == len(pending):
                raise self._error(f"the server refused policy {last[0]}: {last[1]}")
            pending = refused
        # Modules an older push left behind (a rule file since removed) would still add findings.
        current = {POLICY_PREFIX + path for path, _ in policies.modules}
        for pid in sorted(p for p in held if p.startswith(POLICY_PREFIX) and p not in current):
            self._call(f"deleting stale policy {pid}", lambda pid=pid: self._client.delete_policy(pid))  # type: ignore[misc]

    # -- evaluation ------------------------------------------------------------------------

    def _server_settings(self) -> Settings:
        what = f"reading settings (GET /v1/data/{SETTINGS_PATH})"
        held = self._call(what, self._client.settings)
        if held is None:
            return Settings()
        levels = held.get("levels") if isinstance(held, dict) else None
        waivers = held.get("waivers") if isinstance(held, dict) else None
        if not isinstance(levels, dict | None) or not isinstance(waivers, list | None):
            raise self._error(f"{what}: levels is not an object or waivers not a list")
        return Settings(
            levels={str(k): str(v) for k, v in (levels or {}).items()}, waivers=list(waivers or [])
        )

    def _check_canary(self, settings: Settings) -> None:
        """Judge the canary; a server that does not return exactly its findings judges nothing."""
        document, expected = canary.make()
        found = self.evaluate(document, what="canary query")
        problem = canary.mismatch(found, expected, settings)
        if problem is not None:
            raise self._error(f"the server does not evaluate sesguard's policies: canary stack: {problem}")

    def evaluate(self, document: Document, *, what: str = "query") -> list[Finding]:
        what = f"{what} (POST /v1/data/{QUERY_PATH})"
        if self._types is None:
            return self._evaluate_one(document, what)
        big = (
            len(document.get("resources") or ()) > self.split_threshold
            and document.get("source") not in JUDGED_WITH_FACTS
        )
        document = project(document, self._types)
        parts = groups.batches(document, self.split_budget, self._config_literals) if big else None
        if parts is None:
            return self._evaluate_one(document, what)
        return sorted({f for part in parts for f in self._evaluate_one(part, what)})

    def _evaluate_one(self, document: Document, what: str) -> list[Finding]:
        package, rule = QUERY_PATH.rsplit("/", 1)
        body = self._call(what, lambda: self._client.query_rule(document, package, rule))
        if not isinstance(body, dict):
            raise self._error(f"{what}: the answer is not a JSON object")
        if "result" not in body:
            raise self._error(
                f"{what}: data.{QUERY_PATH.replace('/', '.')} is undefined: the sesguard policies are not "
                "loaded there (push them, or load the bundle from `sesguard bundle`)"
            )
        try:
            return to_findings(body["result"])
        except EngineError as exc:
            raise self._error(f"{what}: the server does not evaluate sesguard's policies: {exc}") from None

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close_connection()


def _display_url(url: str) -> str:
    """The URL as messages show it: without user:password (and without the URL when it is unparsable)."""
    try:
        parts = urlsplit(url.rstrip("/"))
        netloc = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=netloc).geturl()
    except ValueError:
        return "(invalid URL)"


def _redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _reason(exc: BaseException) -> str:
    """The innermost useful words of a requests/urllib3 error, e.g. ``connection refused``."""
    text = str(exc)
    lowered = text.lower()
    if "connection refused" in lowered:
        return "connection refused"
    if "remotedisconnected" in lowered or "connection aborted" in lowered or "connection reset" in lowered:
        return "the connection dropped before a complete answer"
    if (
        "name or service not known" in lowered
        or "nodename nor servname" in lowered
        or "failed to resolve" in lowered
    ):
        return "host name does not resolve"
    if "certificate verify failed" in lowered:
        return "certificate verify failed"
    return text.splitlines()[0][:200] if text else type(exc).__name__
