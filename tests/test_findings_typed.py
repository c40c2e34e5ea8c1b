"""Finding.from_engine's fast type check is exactly as strict as schema findings-v1.

The fast path keeps jsonschema out of every run whose engine answers well (start-up time); the
schema stays the authority. Over every field, every JSON type and a missing key, both must agree:
a value the schema refuses and the fast path let through would turn a lie into a waiver or a pass.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from sesguard import schemas
from sesguard.errors import EngineError
from sesguard.findings import Finding, _well_typed

GOOD: dict[str, Any] = {
    "rule": "SES-005",
    "title": "DMARC p=reject",
    "severity": "high",
    "enforcement": "mandatory",
    "resource": "urn:pulumi:prod::p::aws:route53/record:Record::dmarc",
    "message": "no DMARC record",
    "remediation": "publish one",
    "waived": True,
    "waiver": "until 2027-01-01: ticket OPS-1",
}
VALUES: list[Any] = [None, 0, 1.5, True, False, "", "x", "false", "mandatory", "high", [], {}, ["x"]]
_MISSING = object()


def _variants() -> list[dict[str, Any]]:
    out = []
    for field, value in itertools.product(GOOD, [*VALUES, _MISSING]):
        raw = dict(GOOD)
        if value is _MISSING:
            del raw[field]
        else:
            raw[field] = value
        out.append(raw)
    return out


@pytest.mark.parametrize("raw", _variants(), ids=lambda r: ",".join(f"{k}={r.get(k)!r:.12}" for k in r))
def test_fast_path_agrees_with_the_schema(raw: dict[str, Any]) -> None:
    by_schema = schemas.first_problem("findings-v1.json", [raw]) is None
    assert _well_typed(raw) == by_schema
    if not by_schema:
        with pytest.raises(EngineError, match="malformed finding"):
            Finding.from_engine(raw)


def test_a_string_false_is_never_a_waiver() -> None:
    with pytest.raises(EngineError, match="waived"):
        Finding.from_engine({**GOOD, "waived": "false"})
