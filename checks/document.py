"""The stack document: the one input every source produces and every engine evaluates.

Shape (DESIGN.md): ``{schema, source, project, stack, region, config, resources[], facts, request}``.
Props use the engine's camelCase names, numbers are floats, unknowns keep Pulumi's sentinel and
secrets are replaced by ``"[secret]"`` before a document is built, so nothing downstream can leak one.
"""

from __future__ import annotations

import json
from typing import Any

from checks.errors import InputError

SCHEMA = "sesguard/stack/v1"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = "[secret]"
# Pulumi's marker for a secret value in state and in serialized property values.
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"

SOURCES = ("program", "preview", "state", "pack", "live", "dns", "request", "terraform", "cloudformation")
# The language of the code that declared a stack: picks the remediation snippet a report shows.
LANGUAGES = ("python", "typescript", "go", "csharp", "java", "yaml", "terraform", "cloudformation")

Document = dict[str, Any]


def validate(doc: Any, where: str) -> Document:
    """Check ``doc`` against the v1 schema; raise InputError naming the first problem's place.

    The message never quotes the offending value: it may be a Pulumi secret object's plaintext.
    """
    # Imported here: jsonschema is paid for only by the sources that validate (--document), and a
    # project's own virtualenv runs the program source without it.
    from checks import schemas

    found = schemas.first_problem("stack-v1.json", doc)
    if found is not None:
        place, problem = found
        raise InputError(where, f"not a {SCHEMA} document at {place or '(document)'}: {problem}")
    return doc


def scrub(value: Any) -> Any:
    """Replace Pulumi secret objects with the redaction marker and make every number a float.

    Rules never depend on integer types (DESIGN), and floats are what the Pulumi engine sends.
    """
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_SIG_VALUE:
            return SECRET
        return {str(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def parse_config_value(value: Any) -> Any:
    """Pulumi hands structured config to programs and packs as JSON text; give rules the structure."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def resource_name(urn: str) -> str:
    """The logical name is the URN's last ``::`` segment."""
    return urn.rsplit("::", 1)[-1]


_OPTIONAL_RESOURCE_KEYS = ("region", "location")


def _reject_duplicate_urns(resources: list[dict[str, Any]], where: str) -> None:
    """A URN names one resource; two with the same URN would make the rules' lookups conflict."""
    seen: set[str] = set()
    for i, r in enumerate(resources):
        if r["urn"] in seen:
            shown = r["urn"] if len(r["urn"]) <= 160 else r["urn"][:157] + "..."
            raise InputError(where, f"resources[{i}]: the URN {shown} is given to more than one resource")
        seen.add(r["urn"])


def new_document(
    *,
    source: str,
    project: str,
    stack: str,
    region: str | None,
    config: dict[str, Any],
    resources: list[dict[str, Any]],
    facts: dict[str, Any] | None = None,
    request: dict[str, Any] | None = None,
    file: str | None = None,
    language: str | None = None,
    config_file: str | None = None,
) -> Document:
    doc: Document = {
        "schema": SCHEMA,
        "source": source,
        "project": project,
        "stack": stack,
        "region": region,
        "config": scrub({k: parse_config_value(v) for k, v in config.items()}),
        "resources": [
            {
                "urn": r["urn"],
                "type": r["type"],
                "name": r.get("name") or resource_name(r["urn"]),
                "props": scrub(r.get("props") or {}),
                "parent": r.get("parent") or None,
                "dependencies": list(r.get("dependencies") or []),
                # Optional: the region of the resource's own provider, and where the user's code
                # declares it (file relative to the repository root, line, column).
                **{k: r[k] for k in _OPTIONAL_RESOURCE_KEYS if r.get(k) is not None},
            }
            for r in resources
        ],
        "facts": scrub(facts or {}),
    }
    _reject_duplicate_urns(doc["resources"], file or f"stack {stack}")
    if request is not None:
        doc["request"] = scrub(request)
    if file is not None:
        doc["file"] = file
    if language is not None:
        doc["language"] = language
    if config_file is not None:
        doc["config_file"] = config_file
    return doc
