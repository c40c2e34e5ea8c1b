"""Build the inputs Pulumi tools write from a stack document, so each source is tested on the
same stacks: `pulumi preview --json` output and `pulumi stack export` (deployment v3) output.

The shapes follow what the Pulumi CLI writes (SES-FACTS.md): preview steps carry ``newState``
with inputs and outputs and config as strings; the export wraps resources in a v3 deployment with
the stack resource, a default provider and secrets as signature-tagged objects.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sesguard.document import SECRET_SIG, SECRET_SIG_VALUE

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE = "pulumi:providers:aws"


def compliant_document() -> dict[str, Any]:
    """A stack document every SES-001..026 rule passes: the program's prod stack, as its source saw it."""
    return json.loads((FIXTURES / "check" / "program_prod.json").read_text("utf-8"))


def violating_document() -> dict[str, Any]:
    """The compliant stack plus an address identity for a domain the stack has no identity for (SES-001)."""
    doc = compliant_document()
    urn = f"urn:pulumi:{doc['stack']}::{doc['project']}::aws:sesv2/emailIdentity:EmailIdentity::stray-address"
    doc["resources"].append(
        {
            "urn": urn,
            "type": "aws:sesv2/emailIdentity:EmailIdentity",
            "name": "stray-address",
            "props": {"emailIdentity": "alerts@unverified-example.org"},
            "parent": None,
            "dependencies": [],
        }
    )
    return doc


def _wire(value: Any) -> str:
    # Pulumi prints config values as the strings programs receive; structured ones as JSON text.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def _stack_urn(doc: dict[str, Any]) -> str:
    return f"urn:pulumi:{doc['stack']}::{doc['project']}::{STACK_TYPE}::{doc['project']}-{doc['stack']}"


def _provider_urn(doc: dict[str, Any]) -> str:
    return f"urn:pulumi:{doc['stack']}::{doc['project']}::{PROVIDER_TYPE}::default_7_51_1"


def _resources(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's resources with the stack resource first, as every Pulumi tool lists it."""
    resources = copy.deepcopy(doc["resources"])
    if not any(r["type"] == STACK_TYPE for r in resources):
        resources.insert(
            0,
            {
                "urn": _stack_urn(doc),
                "type": STACK_TYPE,
                "name": "stack",
                "props": {},
                "parent": None,
                "dependencies": [],
            },
        )
    return resources


def to_preview(doc: dict[str, Any]) -> dict[str, Any]:
    """``pulumi preview --json`` for a first deployment of ``doc``."""
    steps = []
    provider: dict[str, Any] = {
        "urn": _provider_urn(doc),
        "type": PROVIDER_TYPE,
        "custom": True,
        "inputs": {"region": doc.get("region") or "us-east-1", "version": "7.51.1"},
        "outputs": {"region": doc.get("region") or "us-east-1", "version": "7.51.1"},
    }
    for r in _resources(doc):
        state: dict[str, Any] = {
            "urn": r["urn"],
            "type": r["type"],
            "custom": r["type"] != STACK_TYPE,
            "inputs": r["props"],
            "outputs": r["props"],
            "dependencies": r.get("dependencies") or [],
        }
        if r.get("parent"):
            state["parent"] = r["parent"]
        steps.append(
            {
                "op": "create",
                "urn": r["urn"],
                "provider": provider["urn"] + "::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
                "newState": state,
            }
        )
        if r["type"] == STACK_TYPE:
            steps.append({"op": "create", "urn": provider["urn"], "newState": provider})
    return {
        "config": {k: _wire(v) for k, v in (doc.get("config") or {}).items()},
        "steps": steps,
        "duration": 1234567,
        "changeSummary": {"create": len(steps)},
    }


def secret(value: Any, *, plaintext: bool) -> dict[str, Any]:
    """A secret as the stack export writes it: encrypted, or decrypted by ``--show-secrets``."""
    if plaintext:
        return {SECRET_SIG: SECRET_SIG_VALUE, "plaintext": json.dumps(value)}
    return {
        SECRET_SIG: SECRET_SIG_VALUE,
        "ciphertext": "v1:Zm9vYmFyYmF6cXV4:c2VjcmV0LWNpcGhlcnRleHQtYmxvYg==",
    }


def to_state(
    doc: dict[str, Any], secrets: dict[str, dict[str, Any]] | None = None, *, plaintext: bool = False
) -> dict[str, Any]:
    """``pulumi stack export`` (deployment v3) for ``doc`` after an apply.

    ``secrets`` maps a resource name to props whose values are exported as secret objects.
    """
    secrets = secrets or {}
    resources = []
    for r in _resources(doc):
        props = copy.deepcopy(r["props"])
        for key, value in secrets.get(r["name"], {}).items():
            props[key] = secret(value, plaintext=plaintext)
        entry: dict[str, Any] = {
            "urn": r["urn"],
            "custom": r["type"] != STACK_TYPE,
            "type": r["type"],
            "inputs": props,
            "outputs": props,
            "dependencies": r.get("dependencies") or [],
            "propertyDependencies": {},
            "created": "2025-01-01T00:00:00Z",
            "modified": "2025-01-01T00:00:00Z",
        }
        if r["type"] != STACK_TYPE:
            entry["id"] = f"id-{r['name']}"
            entry["provider"] = _provider_urn(doc) + "::9b9d7bd4-1d5f-4c39-9ec6-a8e8e0e7c7d2"
        if r.get("parent"):
            entry["parent"] = r["parent"]
        resources.append(entry)
        if r["type"] == STACK_TYPE:
            resources.append(
                {
                    "urn": _provider_urn(doc),
                    "custom": True,
                    "id": "9b9d7bd4-1d5f-4c39-9ec6-a8e8e0e7c7d2",
                    "type": PROVIDER_TYPE,
                    "inputs": {"region": doc.get("region") or "us-east-1", "version": "7.51.1"},
                    "outputs": {"region": doc.get("region") or "us-east-1", "version": "7.51.1"},
                }
            )
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2025-01-01T00:00:00Z", "magic": "0" * 64, "version": "v3.272.0"},
            "secrets_providers": {
                "type": "passphrase",
                "state": {"salt": "v1:c2FsdA==:v1:bm9uY2U=:Y2lwaGVy"},
            },
            "resources": resources,
        },
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def example_project(folder: Path, stacks: dict[str, str]) -> Path:
    """A Pulumi project folder running this repository's program, with the given stack files
    (name -> Pulumi.<name>.yaml text), for ``sesguard check --root``."""
    root = Path(__file__).resolve().parent.parent
    folder.mkdir(exist_ok=True)
    for name in ("__main__.py", "infra"):
        (folder / name).symlink_to(root / name)
    # This repo's project without its virtualenv option: the program runs in the test's own Python.
    (folder / "Pulumi.yaml").write_text(
        "name: ses-sender\nruntime: python\nstackConfigDir: stacks\n", "utf-8"
    )
    (folder / "stacks").mkdir()
    for name, text in stacks.items():
        (folder / "stacks" / f"Pulumi.{name}.yaml").write_text(text, encoding="utf-8")
    return folder
