"""What of a stack document the policies can read: the part an engine sends to OPA.

Handing a document to OPA costs time in proportion to its size (about 40 ms per MB to parse and
convert, before any rule runs), and a Pulumi stack carries much the rules never look at: component
resources, every resource's `parent`, dependencies on resources of types no rule selects. Rules
select resources only by exact type-token literals (``"aws:sesv2/emailIdentity:EmailIdentity"``),
follow `dependencies` only to resources of those types, and never read `parent`; so dropping the
rest changes no finding, and a document of 1,000 sending domains shrinks from 19 MB to 11 MB.
tests/test_projection.py holds the policies to that contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from checks.document import Document

# A Pulumi type token as a Rego string literal: "<package>:<module>:<Type>".
_TYPE_TOKEN = re.compile(r'"([a-z0-9-]+:[A-Za-z0-9/._-]*:[A-Za-z0-9]+)"')


def type_tokens(modules: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Every resource type token the Rego modules name."""
    return frozenset(t for _, text in modules for t in _TYPE_TOKEN.findall(text))


def project(document: Document, types: frozenset[str]) -> Document:
    """The document with only resources of ``types``, no `parent`, and dependencies among them."""
    kept = [r for r in document.get("resources", ()) if isinstance(r, dict) and r.get("type") in types]
    urns = {r.get("urn") for r in kept}
    return {**document, "resources": [_slim(r, urns) for r in kept]}


def _slim(resource: dict[str, Any], urns: set[Any]) -> dict[str, Any]:
    slim = {k: v for k, v in resource.items() if k != "parent"}
    deps = resource.get("dependencies")
    if isinstance(deps, list):
        slim["dependencies"] = [u for u in deps if u in urns]
    return slim
