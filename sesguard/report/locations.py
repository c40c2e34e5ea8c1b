"""Where a finding points in the user's repository, for SARIF, GitHub annotations and Markdown links.

A finding points at the line that declares its resource when the source recorded one (Pulumi's
source positions), else at the stack's ``Pulumi.<stack>.yaml`` when a source read it, else at the
project's ``Pulumi.yaml``: always a path relative to the repository root, never the generated JSON
a stack came from. Nothing here opens a file: a report only names paths.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import quote

from sesguard.findings import Finding, StackResult

DEFAULT_ARTIFACT = "Pulumi.yaml"

_SERVER = re.compile(r"https?://[\w.-]+(?::\d+)?/?")
_REPOSITORY = re.compile(r"[\w.-]+/[\w.-]+")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class Place:
    file: str
    line: int = 1
    column: int | None = None
    declared: bool = False  # True when it is the resource's own line, not a fallback


def place(result: StackResult, finding: Finding) -> Place:
    loc = finding.location
    if loc is not None:
        return Place(loc.file, loc.line or 1, loc.column if loc.line else None, declared=True)
    return Place(result.config_file or DEFAULT_ARTIFACT)


def blob_url(p: Place) -> str | None:
    """The file and line on GitHub for this commit, when the Actions variables name one."""
    server = os.environ.get("GITHUB_SERVER_URL", "")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    sha = os.environ.get("GITHUB_SHA", "")
    if not (_SERVER.fullmatch(server) and _REPOSITORY.fullmatch(repository) and _SHA.fullmatch(sha)):
        return None
    return f"{server.rstrip('/')}/{repository}/blob/{sha}/{quote(p.file)}#L{p.line}"
