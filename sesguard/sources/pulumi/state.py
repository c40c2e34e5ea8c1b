"""`pulumi stack export` (deployment version 3) as a stack document.

Each exported resource has inputs and outputs; outputs (what the provider reported) are merged
over inputs. Secret values are objects tagged with Pulumi's secret signature holding either
``ciphertext`` or, after ``--show-secrets``, ``plaintext``: both become ``"[secret]"`` so no secret
can reach a report. Resources pending deletion are on their way out and are not judged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sesguard.document import Document, new_document
from sesguard.errors import InputError
from sesguard.sources.common import positions, regions
from sesguard.sources.common import resources as res
from sesguard.sources.common.reading import expect_array, expect_object, kind, label, read_json

VERSION = 3


def from_json(data: Any, where: str) -> Document:
    top = expect_object(data, where, "", "a `pulumi stack export` object")
    if "version" not in top:
        hint = " (this looks like a preview: use --preview)" if "steps" in top else ""
        raise InputError(where, f"no deployment `version`: not `pulumi stack export` output{hint}")
    version = top["version"]
    if isinstance(version, bool) or not isinstance(version, int | float):
        raise InputError(where, f"version: expected a number, found {kind(version)}")
    if version != VERSION:
        raise InputError(where, f"deployment version {version:g} is not supported (expected {VERSION})")
    deployment = expect_object(top.get("deployment"), where, "deployment")
    if "resources" not in deployment:
        raise InputError(where, "deployment: no `resources` list (an empty stack has nothing to check)")
    items = expect_array(deployment["resources"], where, "deployment.resources")
    resources: list[dict[str, Any]] = []
    urns: list[tuple[res.Urn, str]] = []
    states: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        at = f"deployment.resources[{i}]"
        r, urn = res.resource(item, where, at)
        positions.attach(r, item)
        urns.append((urn, at))
        if item.get("delete") is True:
            continue
        states.append(item)
        if not res.internal(r["type"]):
            resources.append(r)
    project, stack = res.identity(urns, where)
    regions.assign(resources, states)
    return new_document(
        source="state",
        project=project,
        stack=stack,
        region=res.provider_region(states),
        config={},
        resources=resources,
        file=where,
    )


def load(path: str | Path) -> Document:
    return from_json(read_json(path), label(path))
