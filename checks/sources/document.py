"""A stack document JSON written by any source (or another tool), checked against the v1 schema.

The document is rebuilt through ``new_document`` so what other tools hand in gets the same
guarantees as sesguard's own sources: numbers as floats and secret objects redacted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checks.document import Document, new_document, validate
from checks.sources.reading import expect_object, label, read_json


def from_json(data: Any, where: str) -> Document:
    doc = validate(expect_object(data, where, "", "a stack document object"), where)
    return new_document(
        source=doc["source"],
        project=doc["project"],
        stack=doc["stack"],
        region=doc.get("region"),
        config=doc.get("config") or {},
        resources=doc["resources"],
        facts=doc.get("facts"),
        request=doc.get("request"),
        file=doc.get("file") or where,
        language=doc.get("language"),
        config_file=doc.get("config_file"),
    )


def load(path: str | Path) -> Document:
    return from_json(read_json(path), label(path))
