"""Drive the policy pack the way the Pulumi CLI does: a subprocess speaking the Analyzer gRPC protocol.

The CLI runs ``python -u -m pulumi.policy <engine-address> .`` in the pack's folder with
PULUMI_CONFIG / PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN set, reads the port from the first
line of stdout, then calls GetAnalyzerInfo, Configure, Analyze and AnalyzeStack. Resources are
sent as ``AnalyzerResource`` with a protobuf Struct of properties in which an unknown is Pulumi's
``rpc.UNKNOWN`` string and a secret is the ``{sig: secret, value: …}`` object (pulumi.runtime.rpc).
"""

from __future__ import annotations

import copy
import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

from sesguard import document as doc_mod

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
START_TIMEOUT = 60.0  # a shared, noisy machine; the bench measures the real figure
RPC_TIMEOUT = 60.0
# The pulumi.policy launcher parses the engine address but a Python pack never dials it
# (pulumi.runtime is configured without an engine), so nothing needs to listen there.
ENGINE_ADDRESS = "127.0.0.1:1"

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
SEVERITIES = {
    "low": analyzer_pb2.POLICY_SEVERITY_LOW,
    "medium": analyzer_pb2.POLICY_SEVERITY_MEDIUM,
    "high": analyzer_pb2.POLICY_SEVERITY_HIGH,
    "critical": analyzer_pb2.POLICY_SEVERITY_CRITICAL,
}


def secret(value: Any) -> dict[str, Any]:
    """A property value as the engine sends a secret."""
    return rpc.wrap_rpc_secret(value)


def load_fixture(name: str = "pack_compliant_stack.json") -> doc_mod.Document:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def _engine_value(value: Any) -> Any:
    if value == doc_mod.UNKNOWN:
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {k: _engine_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_engine_value(v) for v in value]
    return value


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update({k: _engine_value(v) for k, v in props.items()})
    return s


def analyzer_resource(r: Mapping[str, Any]) -> analyzer_pb2.AnalyzerResource:
    """A stack document resource as the engine serializes it for AnalyzeStack."""
    parent = r.get("parent") or ""
    deps = list(r.get("dependencies") or [])
    return analyzer_pb2.AnalyzerResource(
        type=r["type"],
        properties=to_struct(r.get("props") or {}),
        urn=r["urn"],
        name=r.get("name") or doc_mod.resource_name(r["urn"]),
        options=analyzer_pb2.AnalyzerResourceOptions(parent=parent),
        parent=parent,
        dependencies=deps,
        propertyDependencies={
            k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
            for k, v in (r.get("propertyDependencies") or {}).items()
        },
        # The provider the engine sends with each resource: {type, urn, name, props}.
        provider=analyzer_pb2.AnalyzerProviderResource(
            type=p["type"], urn=p["urn"], name=p["name"], properties=to_struct(p.get("props") or {})
        )
        if (p := r.get("provider"))
        else None,
    )


def pulumi_config(config: Mapping[str, Any]) -> str:
    """PULUMI_CONFIG as the CLI sets it: every value a string, structured values as JSON text."""
    return json.dumps({k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()})


@dataclass
class Diagnostic:
    policy: str
    level: str
    urn: str
    message: str


@dataclass
class Pack:
    proc: subprocess.Popen[bytes]
    port: int
    channel: grpc.Channel
    stub: analyzer_pb2_grpc.AnalyzerStub
    started_in: float
    stderr_path: Path
    _closed: bool = field(default=False)

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=RPC_TIMEOUT)

    def plugin_info(self) -> plugin_pb2.PluginInfo:
        return self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=RPC_TIMEOUT)

    def configure(self, config: Mapping[str, Any]) -> None:
        """Policy pack config as `--policy-pack-config` JSON: name -> level or {enforcementLevel, …}."""
        req = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, value in config.items():
            pc = analyzer_pb2.PolicyConfig()
            props = {"enforcementLevel": value} if isinstance(value, str) else dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None:
                pc.enforcementLevel = LEVELS[level]
            if props:
                pc.properties.update(props)
            req.policyConfig[name].CopyFrom(pc)
        self.stub.Configure(req, timeout=RPC_TIMEOUT)

    def analyze_stack(self, resources: Iterable[Mapping[str, Any]]) -> list[Diagnostic]:
        req = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(r) for r in resources])
        return _diagnostics(self.stub.AnalyzeStack(req, timeout=RPC_TIMEOUT))

    def analyze(self, r: Mapping[str, Any]) -> list[Diagnostic]:
        req = analyzer_pb2.AnalyzeRequest(
            type=r["type"], properties=to_struct(r.get("props") or {}), urn=r["urn"], name=r.get("name", "")
        )
        return _diagnostics(self.stub.Analyze(req, timeout=RPC_TIMEOUT))

    def stderr(self) -> str:
        return self.stderr_path.read_text("utf-8", errors="replace")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.channel.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()


def _diagnostics(resp: analyzer_pb2.AnalyzeResponse) -> list[Diagnostic]:
    return [
        Diagnostic(
            d.policyName, LEVEL_NAMES.get(d.enforcementLevel, str(d.enforcementLevel)), d.urn, d.message
        )
        for d in resp.diagnostics
    ]


def start_pack(
    *,
    config: Mapping[str, Any] | None = None,
    secret_keys: Iterable[str] = (),
    project: str = "ses-sender",
    stack: str = "prod",
    dry_run: bool = True,
    stderr_path: Path,
    python: str = sys.executable,
    pack_dir: Path = PACK_DIR,
) -> Pack:
    """Start the pack in ``pack_dir`` with ``python`` (default: this repository's pack, this Python)."""
    env = dict(os.environ)
    env.update(
        PULUMI_CONFIG=pulumi_config(config or {}),
        PULUMI_CONFIG_SECRET_KEYS=json.dumps(list(secret_keys)),
        PULUMI_PROJECT=project,
        PULUMI_STACK=stack,
        PULUMI_DRY_RUN="true" if dry_run else "false",
    )
    t0 = time.monotonic()
    errf = stderr_path.open("wb")
    proc = subprocess.Popen(
        [python, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."],
        cwd=pack_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=errf,
    )
    errf.close()
    try:
        port = _read_port(proc, START_TIMEOUT)
    except BaseException:
        proc.kill()
        proc.wait(timeout=10)
        raise
    started = time.monotonic() - t0
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=START_TIMEOUT)
    return Pack(proc, port, channel, analyzer_pb2_grpc.AnalyzerStub(channel), started, stderr_path)


def _read_port(proc: subprocess.Popen[bytes], timeout: float) -> int:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    buf = b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"policy pack printed no port within {timeout:.0f} s")
            if not sel.select(timeout=left):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(
                    f"policy pack exited (code {proc.wait(timeout=10)}) before printing its port"
                )
            buf += chunk
    line = buf.split(b"\n", 1)[0].strip()
    return int(line)


# --- stack document edits for broken variants ---------------------------------------------------


def with_edit(doc: doc_mod.Document, edit: Any) -> doc_mod.Document:
    d = copy.deepcopy(doc)
    edit(d)
    return d


def find(doc: doc_mod.Document, type_: str, name: str | None = None) -> dict[str, Any]:
    for r in doc["resources"]:
        if r["type"] == type_ and (name is None or r["name"] == name):
            return r
    raise KeyError(f"{type_} {name or ''} not in fixture")


def drop(doc: doc_mod.Document, type_: str, name: str | None = None) -> None:
    doc["resources"].remove(find(doc, type_, name))
