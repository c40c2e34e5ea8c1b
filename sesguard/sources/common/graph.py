"""Dependency graphs the IaC sources rebuild: what each resource depends on, transitively.

Rules follow `dependencies` one step (DESIGN), so a source that knows only direct references
(Terraform configuration, CloudFormation Ref/GetAtt) hands them the closure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def closure(direct: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """For each node, every node it reaches through ``direct`` edges, itself excluded."""
    closed: dict[str, set[str]] = {}
    for node in direct:
        seen: set[str] = set()
        stack = list(direct[node])
        while stack:
            other = stack.pop()
            if other in seen or other == node:
                continue
            seen.add(other)
            stack.extend(direct.get(other, ()))
        closed[node] = seen
    return closed
