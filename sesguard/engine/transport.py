"""The HTTP transport of the server engine: one attempt, no redirects, a whole-request deadline.

requests follows redirects by default (a 301/302/303 turns the POST into a GET without input, so
the policies see nothing and return no findings; a 307 re-posts the stack document to whatever
host ``Location`` names), and its ``timeout`` bounds each socket read, so a server that sends one
byte a second never times out. This adapter refuses every 3xx answer and ends every request,
headers and body, by its deadline: a watchdog shuts the connection's socket when time is up,
which ends the blocked read at once.
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


class Redirected(requests.exceptions.RequestException):
    """The server answered with a redirect; it is not followed."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status} redirect")
        self.status = status


class DeadlineExceeded(requests.exceptions.Timeout):
    """The whole request (connect, headers, body) took longer than the deadline."""


class _Tracker:
    """The socket the current request uses, so the watchdog can cut it.

    The socket, not the connection: a server that answers HTTP/1.0 or ``Connection: close`` has
    http.client hand the socket to the response and clear the connection's ``sock``, and a cut
    through the connection would then find nothing to cut while the body drips on.
    """

    def __init__(self) -> None:
        self.sock: socket.socket | None = None


class _TrackedConnection(HTTPConnection):
    tracker: _Tracker | None = None

    def connect(self) -> None:
        super().connect()
        if self.tracker is not None:
            self.tracker.sock = self.sock


class _TrackedHTTPSConnection(HTTPSConnection):
    tracker: _Tracker | None = None

    def connect(self) -> None:
        super().connect()
        if self.tracker is not None:
            self.tracker.sock = self.sock


class _Tracked:
    """A connection pool that tells the tracker the socket of each connection it hands out (a
    kept-alive one's now, a new one's when it connects), so the deadline can cut it."""

    def __init__(self, *args: Any, tracker: _Tracker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tracker = tracker

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        conn.tracker = self._tracker
        self._tracker.sock = conn.sock
        return conn


class _TrackedPool(_Tracked, HTTPConnectionPool):
    ConnectionCls = _TrackedConnection


class _TrackedHTTPSPool(_Tracked, HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


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
        sock = self._tracker.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing left to cut
                sock.shutdown(socket.SHUT_RDWR)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        fired = threading.Event()
        self._tracker.sock = None
        watchdog = threading.Timer(self.deadline, self._cut, args=(fired,))
        watchdog.daemon = True
        watchdog.start()
        try:
            response = super().send(request, stream=True, **kwargs)
            if 300 <= response.status_code < 400:
                response.close()
                raise Redirected(response.status_code)
            if not stream:
                _ = response.content  # the body, read inside the deadline
        except Redirected:
            raise
        except Exception:
            if fired.is_set():
                raise DeadlineExceeded(f"no complete answer within {self.deadline:g} s") from None
            raise
        finally:
            watchdog.cancel()
        if fired.is_set():
            response.close()
            raise DeadlineExceeded(f"no complete answer within {self.deadline:g} s")
        return response
