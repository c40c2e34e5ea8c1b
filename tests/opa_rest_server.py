"""A loopback server speaking OPA's REST API, evaluating with the embedded OPA (opa_bindings).

It stands in for ``opa run --server`` in tests: ``GET /health``, ``GET/PUT/DELETE /v1/policies/{id}``
(a PUT compiles the new module with all the others, and is refused with OPA's 400 error shape
when it does not compile), ``GET/PUT /v1/data/{path}`` and ``POST /v1/data/{path}`` with
``{"input": …}`` answering ``{"result": …}``, or ``{}`` when the document is undefined. Like
``opa run --server --bundle`` it can start from a bundle .tar.gz, whose roots it then protects.

Fault modes make it misbehave on purpose, on every request or only on paths with a given prefix:
``500`` (an OPA-style internal error), ``hang`` (answer nothing for ``hang_seconds``), ``drop``
(send headers and half a body, then close), ``garbage`` (a 200 whose body is not JSON), and
``close`` (close the connection without a word). Lying modes answer well-formed but wrong:
``redirect`` (status ``redirect_status`` with ``Location: redirect_to``, as an http→https ingress
does), ``answer`` (200 with ``answer`` as the JSON body: an empty result, fields of the wrong
type, a stale bundle's findings replayed) and ``drip`` (a 200 whose body arrives one byte every
``drip_seconds``). Dishonest modes (``dishonest``) evaluate, then doctor the findings of
``POST /v1/data/sesguard/findings``: ``first-only`` answers the first query truthfully and every
later one with ``[]`` (a server that spots a canary by its place), ``no-stack-level`` drops every
finding that names no resource, ``drop-rule:<ID>`` drops one rule's findings (an older pack), and
``drop-own`` drops the findings on resources named in ``own_urns`` (a server that knew which
resources are the stack's). Only 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import opa_bindings

FAULTS = ("500", "hang", "drop", "garbage", "close", "redirect", "answer", "drip")
_ERROR_LINE = re.compile(r"(?P<file>[^\s:]+):(?P<row>\d+): (?P<code>rego_\w+): (?P<message>.*)")


# Whether a set of modules and data compiles, by its content, for every server in this process:
# each test's server is pushed the same pack module by module and asks OPA the same questions, whose
# answers do not change (a compilation of the whole pack per PUT was most of each push).
_COMPILES: dict[str, str | None] = {}


def _compiles(modules: dict[str, str], data: dict[str, Any]) -> str | None:
    """None when ``modules`` and ``data`` compile together, else OPA's error."""
    key = hashlib.sha256(json.dumps([sorted(modules.items()), data], sort_keys=True).encode()).hexdigest()
    if key not in _COMPILES:
        engine = opa_bindings.OpaEngine()
        try:
            for pid, text in modules.items():
                engine.add_policy(pid, text)
            engine.add_data(data)
            engine.eval_query("true")  # compiles every module together, as OPA does on PUT
            _COMPILES[key] = None
        except opa_bindings.OpaError as exc:
            _COMPILES[key] = exc.message
        finally:
            engine.close()
    return _COMPILES[key]


def _compile_errors(message: str, fallback_file: str) -> list[dict[str, Any]]:
    errors = []
    for line in message.splitlines():
        m = _ERROR_LINE.search(line)
        if m:
            errors.append(
                {
                    "code": m["code"],
                    "message": m["message"],
                    "location": {"file": m["file"], "row": int(m["row"]), "col": 1},
                }
            )
    return errors or [{"code": "rego_compile_error", "message": message, "location": {"file": fallback_file}}]


class OpaRestServer:
    def __init__(
        self,
        *,
        bundle: Path | None = None,
        token: str | None = None,
        basic: tuple[str, str] | None = None,
        hang_seconds: float = 3.0,
        protocol: str = "HTTP/1.0",
    ):
        self.protocol = protocol  # BaseHTTPRequestHandler's default: each answer closes its connection
        self.token = token
        self.basic = basic
        self.hang_seconds = hang_seconds
        self.fault: str | None = None
        self.fault_path = ""  # the fault applies to request paths starting with this
        self.redirect_status = 301
        self.redirect_to = ""
        self.answer: Any = {"result": []}
        self.answer_status = 200
        self.drip_seconds = 0.2
        self.cut_off = threading.Event()  # a client closed the connection while an answer dripped
        self.dishonest: str | None = None
        self.own_urns: set[str] = set()
        self.queries = 0
        self.requests: list[tuple[str, str]] = []
        self.modules: dict[str, str] = {}
        self.data: dict[str, Any] = {}
        self.roots: list[str] = []
        self.revision: str | None = None
        self.manifest: dict[str, Any] | None = None
        self.bundle_name = ""
        self._lock = threading.RLock()
        self._engine: opa_bindings.OpaEngine | None = None
        self._accepted = False  # modules or data were ever accepted
        self._stale = False  # what was accepted changed since the engine was built
        self._stop = threading.Event()
        if bundle is not None:
            self.load_bundle(bundle)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> OpaRestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        with self._lock:
            if self._engine is not None:
                self._engine.close()
                self._engine = None

    def __enter__(self) -> OpaRestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_fault(self, fault: str | None, path: str = "") -> None:
        assert fault is None or fault in FAULTS, fault
        self.fault, self.fault_path = fault, path

    # -- state -------------------------------------------------------------------------------

    def load_bundle(self, path: Path) -> None:
        """Read a bundle as ``opa run --bundle`` does: manifest, modules, data.json files."""
        modules: dict[str, str] = {}
        data: dict[str, Any] = {}
        with tarfile.open(path, "r:gz") as tar:
            members = {m.name.lstrip("/"): m for m in tar.getmembers() if m.isfile()}
            manifest = json.loads(tar.extractfile(members[".manifest"]).read())  # type: ignore[union-attr]
            for name, member in members.items():
                raw = tar.extractfile(member).read()  # type: ignore[union-attr]
                if name.endswith(".rego"):
                    modules[name] = raw.decode("utf-8")
                elif name == "data.json" or name.endswith("/data.json"):
                    keys = [k for k in name[: -len("data.json")].split("/") if k]
                    _put(data, keys, json.loads(raw))
        if manifest.get("rego_version") != 1 or not isinstance(manifest.get("revision"), str):
            raise ValueError(f"bad manifest {manifest!r}")
        roots = list(manifest.get("roots") or [""])
        for name, text in modules.items():
            pkg = re.search(r"^package\s+([\w.]+)", text, re.MULTILINE)
            assert pkg, name
            if not any(_under(pkg.group(1).replace(".", "/"), r) for r in roots):
                raise ValueError(f"{name}: package {pkg.group(1)} outside the bundle roots {roots}")
        for key in data:
            if not any(_under(key, r) for r in roots):
                raise ValueError(f"data {key} outside the bundle roots {roots}")
        with self._lock:
            error = self._try(modules, data)
            if error is not None:
                raise ValueError(f"bundle does not compile: {error}")
            self.modules, self.data, self.roots, self.revision = modules, data, roots, manifest["revision"]
            # As OPA activates a bundle: its manifest under data.system.bundles[<name>].
            self.manifest, self.bundle_name = manifest, path.name

    def _try(self, modules: dict[str, str], data: dict[str, Any]) -> str | None:
        """Whether modules and data compile; when they do, the caller installs them and the next
        query evaluates on an engine built from them (``_current``)."""
        error = _compiles(modules, data)
        if error is None:
            self._accepted, self._stale = True, True
        return error

    def warm(self) -> OpaRestServer:
        """Build the engine for what was accepted now, so the next query answers without compiling
        (for a test whose client gives the server a short deadline)."""
        with self._lock:
            self._current()
        return self

    def _current(self) -> opa_bindings.OpaEngine | None:
        """The engine holding what was last accepted, built on the first query after a change
        (None before anything was: every query is then undefined). Called under the lock."""
        if self._stale:
            if self._engine is not None:
                self._engine.close()
            self._engine = opa_bindings.OpaEngine()
            for pid, text in self.modules.items():
                self._engine.add_policy(pid, text)
            self._engine.add_data(self.data)
            self._engine.eval_query("true")  # compiled now, as OPA has it compiled since the PUT
            self._stale = False
        return self._engine if self._accepted else None

    def doctor(self, findings: Any) -> Any:
        """The findings of one query, as the dishonest mode would answer them."""
        self.queries += 1
        mode = self.dishonest
        if mode is None or not isinstance(findings, list):
            return findings
        if mode == "first-only":
            return findings if self.queries == 1 else []
        if mode == "no-stack-level":
            return [f for f in findings if f.get("resource")]
        if mode.startswith("drop-rule:"):
            return [f for f in findings if f.get("rule") != mode.split(":", 1)[1]]
        if mode == "drop-own":
            return [f for f in findings if f.get("resource") not in self.own_urns]
        raise AssertionError(mode)

    def owned(self, path: str) -> bool:
        return any(_under(path, r) for r in self.roots)

    # -- HTTP --------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = server.protocol

            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _send(self, status: int, body: Any = None) -> None:
                raw = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _error(self, status: int, code: str, message: str, errors: list[Any] | None = None) -> None:
                body: dict[str, Any] = {"code": code, "message": message}
                if errors:
                    body["errors"] = errors
                self._send(status, body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _faulted(self) -> bool:
                fault = server.fault
                if fault is None or not self.path.startswith(server.fault_path):
                    return False
                if fault == "500":
                    self._error(500, "internal_error", "simulated failure")
                elif fault == "hang":
                    server._stop.wait(server.hang_seconds)
                    self.close_connection = True
                elif fault == "drop":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "4096")
                    self.end_headers()
                    self.wfile.write(b'{"result": [{"rule": "SES-0')
                    self.wfile.flush()
                    self.close_connection = True
                elif fault == "garbage":
                    raw = b"<html><body>502 Bad Gateway</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                elif fault == "close":
                    self.close_connection = True
                elif fault == "redirect":
                    self.send_response(server.redirect_status)
                    self.send_header("Location", server.redirect_to + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif fault == "answer":
                    self._send(server.answer_status, server.answer)
                elif fault == "drip":
                    raw = json.dumps(server.answer).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    for i in range(len(raw)):  # bounded: the body's length, and the stop event
                        if server._stop.wait(server.drip_seconds):
                            break
                        try:
                            self.wfile.write(raw[i : i + 1])
                            self.wfile.flush()
                        except OSError:
                            server.cut_off.set()
                            break
                    self.close_connection = True
                return True

            def _authorized(self) -> bool:
                given = self.headers.get("Authorization")
                if server.basic is not None:
                    pair = ":".join(server.basic).encode()
                    if given == "Basic " + base64.b64encode(pair).decode():
                        return True
                elif server.token is None or given == f"Bearer {server.token}":
                    return True
                self._error(401, "unauthorized", "the request is not authorized")
                return False

            def _dispatch(self, method: str) -> None:
                server.requests.append((method, self.path))
                body = self._body() if method in ("PUT", "POST", "PATCH") else b""
                if self._faulted() or not self._authorized():
                    return
                path = self.path.split("?", 1)[0]
                if method == "GET" and path == "/health":
                    self._send(200, {})
                elif path.startswith("/v1/policies"):
                    self._policies(method, path[len("/v1/policies") :].strip("/"), body)
                elif path.startswith("/v1/data"):
                    self._data(method, path[len("/v1/data") :].strip("/"), body)
                else:
                    self._error(404, "resource_not_found", f"{method} {path} is not served here")

            def _policies(self, method: str, pid: str, body: bytes) -> None:
                with server._lock:
                    if method == "GET" and not pid:
                        listed = [{"id": k, "raw": v} for k, v in sorted(server.modules.items())]
                        self._send(200, {"result": listed})
                    elif method == "GET" and pid in server.modules:
                        self._send(200, {"result": {"id": pid, "raw": server.modules[pid]}})
                    elif method == "PUT" and pid:
                        self._put_policy(pid, body.decode("utf-8", "replace"))
                    elif method == "DELETE" and pid in server.modules:
                        self._replace_modules({k: v for k, v in server.modules.items() if k != pid}, pid)
                    else:
                        self._error(404, "resource_not_found", f"storage_not_found_error: policy id {pid!r}")

            def _put_policy(self, pid: str, text: str) -> None:
                pkg = re.search(r"^package\s+([\w.]+)", text, re.MULTILINE)
                if pkg and server.owned(pkg.group(1).replace(".", "/")):
                    self._error(400, "invalid_parameter", f"path {pkg.group(1)} is owned by bundle")
                    return
                self._replace_modules({**server.modules, pid: text}, pid)

            def _replace_modules(self, modules: dict[str, str], pid: str) -> None:
                # Like OPA: the change lands only if the whole set of modules still compiles.
                error = server._try(modules, server.data)
                if error is not None:
                    self._error(
                        400,
                        "invalid_parameter",
                        "error(s) occurred while compiling module(s)",
                        _compile_errors(error, pid),
                    )
                    return
                server.modules = modules
                self._send(200, {})

            def _data(self, method: str, path: str, body: bytes) -> None:
                keys = [k for k in path.split("/") if k]
                with server._lock:
                    if method == "PUT":
                        if server.owned(path):
                            self._error(400, "invalid_parameter", f"path /{path} is owned by bundle")
                            return
                        try:
                            value = json.loads(body or b"null")
                        except ValueError:
                            self._error(400, "invalid_parameter", "body is not JSON")
                            return
                        data = json.loads(json.dumps(server.data))
                        _put(data, keys, value)
                        error = server._try(server.modules, data)
                        if error is not None:
                            self._error(400, "invalid_parameter", error)
                            return
                        server.data = data
                        self._send(204)
                        return
                if method not in ("GET", "POST"):
                    self._error(405, "method_not_allowed", method)
                    return
                if keys[:2] == ["system", "bundles"]:
                    with server._lock:
                        if server.manifest is None:
                            self._send(200, {})
                        else:
                            held = {server.bundle_name: {"manifest": server.manifest}}
                            self._send(200, {"result": held} if len(keys) == 2 else {})
                    return
                doc_input = None
                if method == "POST" and body:
                    try:
                        doc_input = json.loads(body).get("input")
                    except (ValueError, AttributeError):
                        self._error(400, "invalid_parameter", "body must be a JSON object")
                        return
                with server._lock:  # an engine is closed when a PUT replaces it
                    engine = server._current()
                    if engine is None:
                        self._send(200, {})
                        return
                    try:
                        value = engine.eval_document(".".join(keys), doc_input)
                    except opa_bindings.OpaUndefinedError:
                        self._send(200, {})
                        return
                    except opa_bindings.OpaError as exc:
                        self._error(500, "internal_error", exc.message)
                        return
                if method == "POST" and path == "sesguard/findings":
                    value = server.doctor(value)
                self._send(200, {"result": value})

            def do_GET(self) -> None:
                self._dispatch("GET")

            def do_PUT(self) -> None:
                self._dispatch("PUT")

            def do_POST(self) -> None:
                self._dispatch("POST")

            def do_DELETE(self) -> None:
                self._dispatch("DELETE")

        return Handler


def _under(path: str, root: str) -> bool:
    path, root = path.strip("/"), root.strip("/")
    return root == "" or path == root or path.startswith(root + "/")


def _put(data: dict[str, Any], keys: list[str], value: Any) -> None:
    if not keys:
        data.clear()
        data.update(value if isinstance(value, dict) else {})
        return
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
