"""A stack document JSON written by any source (or another tool), checked against the v1 schema.

The document is rebuilt through ``new_document`` so what other tools hand in gets the same
guarantees as sesguard's own sources: numbers as floats and secret objects redacted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sesguard.document import Document, new_document, scrub_inside, validate
from sesguard.sources.common.reading import collector_paused, expect_object, label, read_json


def _handed_over(resources: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each parsed resource with its props scrubbed in place, its slot in the parsed list emptied.

    The rebuilt document takes the props as they are and the parsed wrapper is dropped as soon as
    its replacement is built, so a load never holds two copies of a large document's resources.
    """
    for i, r in enumerate(resources):
        resources[i] = None  # type: ignore[call-overload]
        scrub_inside(r["props"])
        yield r


def from_json(data: Any, where: str, *, owned: bool = False) -> Document:
    """The document ``data`` holds, validated and rebuilt.

    ``owned``: ``data`` was parsed for this call alone and may be taken apart (its props become the
    document's); otherwise it is left untouched and copied.
    """
    doc = validate(expect_object(data, where, "", "a stack document object"), where)
    return new_document(
        source=doc["source"],
        project=doc["project"],
        stack=doc["stack"],
        region=doc.get("region"),
        config=doc.get("config") or {},
        resources=_handed_over(doc["resources"]) if owned else doc["resources"],
        facts=doc.get("facts"),
        request=doc.get("request"),
        file=doc.get("file") or where,
        language=doc.get("language"),
        config_file=doc.get("config_file"),
        props_scrubbed=owned,
    )


def load(path: str | Path) -> Document:
    with collector_paused():
        return from_json(read_json(path), label(path), owned=True)
