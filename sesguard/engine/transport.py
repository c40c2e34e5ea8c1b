"""The HTTP transport of the server engine: one attempt, no redirects, a whole-request deadline.

requests follows redirects by default (a 301/302/303 turns the POST into a GET without input, so
the policies see nothing and return no findings; a 307 re-posts the stack document to whatever
host ``Location`` names), and its ``timeout`` bounds each socket read, so a server that sends one
byte a second never times out. This adapter refuses every 3xx answer and ends every request,
headers and body, by its deadline: a watchdog shuts every socket the request opened when time is
up, which ends the blocked read at once. The sockets are recorded as they are created, not read
from the connection later: over HTTP/1.0 (or with ``Connection: close``) http.client hands the
socket to the response and clears the connection's, so a slow-dripping body was never cut.
And whatever a socket does (a TLS handshake dripping, a read the cut does not end), the request
runs on a worker thread the caller stops waiting for shortly after the deadline: the run ends.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# How long after the deadline the caller gives up on a request the watchdog's cut did not end.
GRACE = 1.0


class Redirected(requests.exceptions.RequestException):
    """The server answered with a redirect; it is not followed."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status} redirect")
        self.status = status


class DeadlineExceeded(requests.exceptions.Timeout):
    """The whole request (connect, headers, body) took longer than the deadline."""


class _Tracker:
    """The connection and every socket the current request uses, so the watchdog can cut them."""

    def __init__(self) -> None:
        self.connection: Any = None
        self.sockets: list[Any] = []


class _TrackedConnection:
    """A connection that records each socket it opens (the plain one, then the TLS one)."""

    tracker: _Tracker | None = None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if self.tracker is not None:
            self.tracker.sockets.append(sock)
        return sock

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        sock = getattr(self, "sock", None)
        if self.tracker is not None and sock is not None:
            self.tracker.sockets.append(sock)


class _HTTPConnection(_TrackedConnection, HTTPConnection):
    pass


class _HTTPSConnection(_TrackedConnection, HTTPSConnection):
    pass


class _Tracked:
    """A connection pool that remembers the connection it hands out, so the deadline can cut it."""

    def __init__(self, *args: Any, tracker: _Tracker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tracker = tracker

    def _new_conn(self) -> Any:
        conn = super()._new_conn()  # type: ignore[misc]
        conn.tracker = self._tracker
        return conn

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        self._tracker.connection = conn
        # A kept-alive connection's socket was recorded by an earlier request: record it again.
        if getattr(conn, "sock", None) is not None:
            self._tracker.sockets.append(conn.sock)
        return conn


class _TrackedPool(_Tracked, HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _TrackedHTTPSPool(_Tracked, HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class StrictAdapter(HTTPAdapter):
    """No retries, no redirects, and every request over by ``deadline`` seconds."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self._tracker = _Tracker()
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # The pool manager only calls these to build a pool; partials carry the tracker along.
        pools: dict[str, Any] = {
            "http": functools.partial(_TrackedPool, tracker=self._tracker),
            "https": functools.partial(_TrackedHTTPSPool, tracker=self._tracker),
        }
        self.poolmanager.pool_classes_by_scheme = pools

    def _cut(self, fired: threading.Event) -> None:
        fired.set()
        socks = [*self._tracker.sockets, getattr(self._tracker.connection, "sock", None)]
        for sock in socks:
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed: nothing left to cut
                    sock.shutdown(socket.SHUT_RDWR)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        fired = threading.Event()
        self._tracker.connection = None
        self._tracker.sockets = []
        outcome: list[Any] = []

        def attempt() -> None:
            try:
                response = super(StrictAdapter, self).send(request, stream=True, **kwargs)
                if 300 <= response.status_code < 400:
                    response.close()
                    raise Redirected(response.status_code)
                if not stream:
                    _ = response.content  # the body, read inside the deadline
                outcome.append(response)
            except BaseException as exc:  # handed to the caller's thread
                outcome.append(exc)

        watchdog = threading.Timer(self.deadline, self._cut, args=(fired,))
        watchdog.daemon = True
        worker = threading.Thread(target=attempt, name="sesguard-opa-request", daemon=True)
        watchdog.start()
        worker.start()
        try:
            worker.join(self.deadline + GRACE)
        finally:
            watchdog.cancel()
        if worker.is_alive() or not outcome:
            # Not ended by the cut: left behind (a daemon thread), the run goes on without it.
            fired.set()
            self._cut(fired)
            raise DeadlineExceeded(f"no complete answer within {self.deadline:g} s")
        result = outcome[0]
        if isinstance(result, Redirected):
            raise result
        if isinstance(result, BaseException):
            if fired.is_set():
                raise DeadlineExceeded(f"no complete answer within {self.deadline:g} s") from None
            raise result
        if fired.is_set():
            result.close()
            raise DeadlineExceeded(f"no complete answer within {self.deadline:g} s")
        response: requests.Response = result
        return response
