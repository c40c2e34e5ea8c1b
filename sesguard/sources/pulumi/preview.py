"""`pulumi preview --json` as a stack document.

The preview carries ``steps[].newState`` (type, urn, inputs, outputs, parent, dependencies) with
Pulumi's unknown sentinel for values only known after apply and ``"[secret]"`` for secrets, and the
stack's ``config``. Project and stack come from the URNs. A step without a new state (a delete)
declares nothing that will exist, so it is not judged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sesguard.document import Document, new_document
from sesguard.errors import InputError
from sesguard.sources.common import positions, regions
from sesguard.sources.common import resources as res
from sesguard.sources.common.reading import expect_array, expect_object, label, optional_object, read_json


def from_json(data: Any, where: str) -> Document:
    top = expect_object(data, where, "", "a `pulumi preview --json` object")
    if "steps" not in top:
        hint = " (this looks like a stack export: use --state)" if "deployment" in top else ""
        raise InputError(where, f"no `steps` list: not `pulumi preview --json` output{hint}")
    steps = expect_array(top["steps"], where, "steps")
    config = optional_object(top.get("config"), where, "config")
    resources: list[dict[str, Any]] = []
    urns: list[tuple[res.Urn, str]] = []
    states: list[dict[str, Any]] = []
    for i, step in enumerate(steps):
        at = f"steps[{i}]"
        step = expect_object(step, where, at)
        state = step.get("newState")
        if state is None:
            continue
        r, urn = res.resource(state, where, f"{at}.newState")
        positions.attach(r, state)
        urns.append((urn, f"{at}.newState"))
        # The step names the resource's provider as well: regions use it when the state does not.
        states.append(
            state
            if "provider" in state or "provider" not in step
            else {**state, "provider": step["provider"]}
        )
        if not res.internal(r["type"]):
            resources.append(r)
    project, stack = res.identity(urns, where)
    regions.assign(resources, states)
    region = config.get("aws:region")
    if not isinstance(region, str) or not region:
        region = res.provider_region(states)
    return new_document(
        source="preview",
        project=project,
        stack=stack,
        region=region,
        config=config,
        resources=resources,
        file=where,
    )


def load(path: str | Path) -> Document:
    return from_json(read_json(path), label(path))
