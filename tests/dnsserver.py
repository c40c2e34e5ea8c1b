"""A real DNS server for tests: Debian's dnsmasq on 127.0.0.1 with a free high port.

Use the ``dns_server`` fixture (a factory: zone -> "127.0.0.1:PORT") and ``silent_nameserver``
(a bound UDP port nobody answers on, so every query times out). Every server is stopped by the
fixture's finalizer; every wait is bounded. Load with ``pytest_plugins = ["tests.dnsserver"]``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import dns.resolver
import pytest

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


@dataclass
class Zone:
    """The records dnsmasq serves. Names under ``local`` are answered only from here (NXDOMAIN or
    NODATA for the rest), so nothing is ever forwarded off the machine."""

    local: list[str] = field(default_factory=list)
    txt: list[tuple[str, str]] = field(default_factory=list)
    cname: list[tuple[str, str]] = field(default_factory=list)
    mx: list[tuple[str, str, int]] = field(default_factory=list)
    hosts: list[tuple[str, str]] = field(default_factory=list)

    def args(self) -> list[str]:
        out = [f"--local=/{d}/" for d in self.local]
        # dnsmasq reads a comma as the start of another character-string of the same record.
        for name, value in self.txt:
            if "," in value:
                raise ValueError(f"dnsmasq cannot serve a TXT value with a comma: {value!r}")
            out.append(f"--txt-record={name},{value}")
        # A CNAME target must be known to dnsmasq itself, or the CNAME is not served.
        out += [f"--host-record={h},{ip}" for h, ip in self.hosts]
        out += [f"--cname={name},{target}" for name, target in self.cname]
        out += [f"--mx-host={name},{host},{pref}" for name, host, pref in self.mx]
        return out


def dnsmasq_path() -> str:
    found = shutil.which("dnsmasq") or (
        "/usr/sbin/dnsmasq" if os.access("/usr/sbin/dnsmasq", os.X_OK) else None
    )
    if not found:
        pytest.fail("dnsmasq not found: run `bash tests/system-deps.sh` (make test does)")
    return found


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (dnsmasq binds both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            if port > 1024:
                return port
    raise RuntimeError("no free port on 127.0.0.1")


class DnsServer:
    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        # Another process may take the port between probe and bind: retry a few times.
        for _ in range(5):
            self.port = free_port()
            cmd = [
                dnsmasq_path(),
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--no-poll",
                "--pid-file=",
                "--cache-size=0",
                f"--port={self.port}",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                *self.zone.args(),
            ]
            if os.geteuid() == 0:
                cmd.append("--user=root")  # no privilege drop to a user the container may not have
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if self._ready():
                return
            err = self._stop_and_read()
            if "Address already in use" not in err:
                raise RuntimeError(f"dnsmasq did not start: {err.strip()[:500]}")
        raise RuntimeError("dnsmasq: no free port after 5 tries")

    def _ready(self) -> bool:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        resolver.timeout = resolver.lifetime = 0.5
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            try:
                # Any answer at all (even REFUSED) means the server is serving.
                resolver.resolve("ready.invalid", "TXT", raise_on_no_answer=False)
                return True
            except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers):
                return True
            except dns.exception.DNSException:
                time.sleep(0.05)
        return False

    def _stop_and_read(self) -> str:
        if self.proc is None:
            return ""
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT)
        assert proc.stderr is not None
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        return err

    def stop(self) -> None:
        self._stop_and_read()


@pytest.fixture
def dns_server() -> Iterator[Callable[[Zone], str]]:
    """Factory: start dnsmasq serving ``zone``; returns ``"127.0.0.1:PORT"``. All stopped at teardown."""
    servers: list[DnsServer] = []

    def start(zone: Zone) -> str:
        server = DnsServer(zone)
        servers.append(server)
        server.start()
        return server.address

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def silent_nameserver() -> Iterator[str]:
    """A UDP port that is bound but never answers: every query to it times out."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()
