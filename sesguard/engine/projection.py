"""What of a stack document the policies can read: the part an engine sends to OPA.

Handing a document to OPA costs time in proportion to its size (about 40 ms per MB to parse and
convert, before any rule runs), and a Pulumi stack carries much the rules never look at: component
resources, every resource's `parent`, dependencies on resources of types no rule selects. Rules
select resources by type-token literals (``"aws:sesv2/emailIdentity:EmailIdentity"``) or by a
literal prefix (``startswith(t, "aws:ses")``: does the stack declare anything of SES), follow
`dependencies` only to resources of such types, and never read `parent` nor `location` (where the
source saw the resource declared: Python maps findings to it by URN, sesguard/judging.py); so dropping
the rest changes no finding, and a document of 1,000 sending domains shrinks from 20 MB to 11 MB
(7.3 MB as the embedded engine sends it, its URNs aliased: sesguard/engine/aliases.py).
tests/test_projection.py holds the policies to that contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sesguard.document import Document

# A Rego string literal that is a Pulumi type token, "<package>:<module>:<Type>", or could be the
# start of one, "<package>:<module…>". Literals of the second shape that are not type prefixes
# (config keys like "aws:region", IAM keys like "aws:sourcearn") only keep a little more.
_TYPE_TOKEN = re.compile(r'"([a-z0-9-]+:[A-Za-z0-9/._-]*:[A-Za-z0-9]+)"')
_TYPE_PREFIX = re.compile(r'"([a-z0-9-]+:[A-Za-z0-9/._-]*)"')

# Keys of a resource no rule reads. `location` is a tenth of OPA's copy of a big input (measured at
# 10,000 sending domains: peak RSS 1,572 MiB to 1,440 MiB for OPA reading the input alone).
UNREAD = frozenset({"parent", "location"})


def type_tokens(modules: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Every resource type token the Rego modules name, and every literal that may prefix one."""
    texts = [text for _, text in modules]
    return frozenset(t for text in texts for t in _TYPE_TOKEN.findall(text) + _TYPE_PREFIX.findall(text))


def project(document: Document, types: frozenset[str]) -> Document:
    """The document with only resources of ``types`` (or a type one of them prefixes), none of the
    keys no rule reads (``UNREAD``), and dependencies among them."""
    prefixes = tuple(t for t in types if t.count(":") == 1)
    kept = [
        r
        for r in document.get("resources", ())
        if isinstance(r, dict)
        and isinstance(r.get("type"), str)
        and (r["type"] in types or r["type"].startswith(prefixes))
    ]
    urns = {r.get("urn") for r in kept}
    return {**document, "resources": [_slim(r, urns) for r in kept]}


def _slim(resource: dict[str, Any], urns: set[Any]) -> dict[str, Any]:
    slim = {k: v for k, v in resource.items() if k not in UNREAD}
    deps = resource.get("dependencies")
    if isinstance(deps, list):
        slim["dependencies"] = [u for u in deps if u in urns]
    return slim
