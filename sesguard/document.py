"""The stack document: the one input every source produces and every engine evaluates.

Shape (DESIGN.md): ``{schema, source, project, stack, region, config, resources[], facts, request}``.
Props use the engine's camelCase names, numbers are floats, unknowns keep Pulumi's sentinel and
secrets are replaced by ``"[secret]"`` before a document is built, so nothing downstream can leak one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from sesguard.errors import InputError

SCHEMA = "sesguard/stack/v1"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = "[secret]"
# Pulumi's marker for a secret value in state and in serialized property values.
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"

SOURCES = ("program", "preview", "state", "pack", "live", "dns", "request", "terraform", "cloudformation")
# The language of the code that declared a stack: picks the remediation snippet a report shows.
LANGUAGES = (
    "python",
    "typescript",
    "go",
    "csharp",
    "java",
    "yaml",
    "terraform",
    "cloudformation",
    # AWS CDK apps (aws-cdk-lib constructs): a cdk.out's default, and what TypeScript or Python
    # means for a CloudFormation input (languages.for_source).
    "cdk-typescript",
    "cdk-python",
)

Document = dict[str, Any]

# How many resources make compiling the schema (sesguard.schemas.accepts) pay for itself.
FAST_SCHEMA_FROM = 200


def validate(doc: Any, where: str) -> Document:
    """Check ``doc`` against the v1 schema; raise InputError naming the first problem's place.

    The message never quotes the offending value: it may be a Pulumi secret object's plaintext.
    """
    # Imported here: the schema libraries are paid for only by the sources that validate
    # (--document), and a project's own virtualenv runs the program source without them.
    from sesguard import schemas

    # On a big document the compiled schema says yes in a twentieth of jsonschema's time; on a no,
    # jsonschema (the authority) finds the first problem and describes it without its value.
    # Compiling costs about as much as jsonschema spends on 200 resources, so a small document
    # goes straight to jsonschema.
    resources = doc.get("resources") if isinstance(doc, dict) else None
    if (
        isinstance(resources, list)
        and len(resources) >= FAST_SCHEMA_FROM
        and schemas.accepts("stack-v1.json", doc)
    ):
        return doc
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


def scrub_inside(container: dict[str, Any] | list[Any]) -> None:
    """``scrub`` every value inside ``container``, in place: for JSON just parsed and owned.

    Gives what ``scrub`` gives (for a parsed JSON object or array, whose keys are already strings
    and which holds no tuples) without building a second copy of a large tree: loading a
    10,000-domain document would otherwise hold its props twice. ``container`` itself is left in
    place even if it is a secret object; the caller decides that, as ``scrub`` would at the top.
    """
    pairs = container.items() if isinstance(container, dict) else enumerate(container)
    for key, value in pairs:
        kind = type(value)
        if kind is str or value is None or kind is bool or kind is float:
            continue
        if kind is dict:
            if value.get(SECRET_SIG) == SECRET_SIG_VALUE:
                container[key] = SECRET  # type: ignore[index]
            else:
                scrub_inside(value)
        elif kind is list:
            scrub_inside(value)
        else:
            # Replacing a value under an existing key (or index) while iterating is allowed: the
            # size never changes.
            container[key] = scrub(value)  # type: ignore[index]


def _secret_or(value: Any) -> Any:
    """What ``scrub`` makes of a container whose inside is already scrubbed."""
    return SECRET if isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_SIG_VALUE else value


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


_OPTIONAL_RESOURCE_KEYS = ("region", "location", "computed")


def _reject_duplicate_urns(resources: list[dict[str, Any]], where: str) -> None:
    """A URN names one resource; two with the same URN would make the rules' lookups conflict."""
    if len({r["urn"] for r in resources}) == len(resources):
        return  # the usual answer, in one pass; the loop below finds which one for the message
    seen: set[str] = set()
    for i, r in enumerate(resources):
        if r["urn"] in seen:
            shown = r["urn"] if len(r["urn"]) <= 160 else r["urn"][:157] + "..."
            raise InputError(where, f"resources[{i}]: the URN {shown} is given to more than one resource")
        seen.add(r["urn"])


def _resource(r: dict[str, Any], scrub_props: Callable[[Any], Any]) -> dict[str, Any]:
    out = {
        "urn": r["urn"],
        "type": r["type"],
        "name": r.get("name") or resource_name(r["urn"]),
        "props": scrub_props(r.get("props") or {}),
        "parent": r.get("parent") or None,
        "dependencies": list(r.get("dependencies") or []),
    }
    # Optional: the region of the resource's own provider, where the user's code declares it
    # (file relative to the repository root, line, column), and which props only the provider
    # reported (sources/common/resources.COMPUTED).
    for key in _OPTIONAL_RESOURCE_KEYS:
        value = r.get(key)
        if value is not None:
            out[key] = value
    return out


def new_document(
    *,
    source: str,
    project: str,
    stack: str,
    region: str | None,
    config: dict[str, Any],
    resources: Iterable[dict[str, Any]],
    facts: dict[str, Any] | None = None,
    request: dict[str, Any] | None = None,
    file: str | None = None,
    language: str | None = None,
    config_file: str | None = None,
    props_scrubbed: bool = False,
) -> Document:
    """A stack document; every value is scrubbed and every resource rebuilt to the v1 shape.

    ``props_scrubbed``: each resource's props were already scrubbed inside (``scrub_inside``) and
    may be taken as they are rather than copied: the caller owns them (sources/document.load).
    """
    scrub_props = _secret_or if props_scrubbed else scrub
    doc: Document = {
        "schema": SCHEMA,
        "source": source,
        "project": project,
        "stack": stack,
        "region": region,
        "config": scrub({k: parse_config_value(v) for k, v in config.items()}),
        "resources": [_resource(r, scrub_props) for r in resources],
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
