"""The canary: a stack document with known violations, judged before a server's verdict is believed.

An OPA server can answer well-formed JSON without evaluating sesguard's policies: an empty
result, a stale bundle's findings, a proxy's cached answer. Before any stack is judged, the
server engine evaluates this document (package data ``schema/canary-v1.json``) and requires
exactly its expected findings (rule, resource, waived), less the rules this run disables. Every
run gives the canary a fresh random name, so a server replaying an earlier answer cannot match.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

from sesguard.document import Document
from sesguard.engine import Settings
from sesguard.findings import Finding

_NONCE = "{nonce}"


@cache
def _canary() -> dict[str, Any]:
    text = importlib_resources.files("sesguard").joinpath("schema/canary-v1.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _fill(value: Any, nonce: str) -> Any:
    if isinstance(value, str):
        return value.replace(_NONCE, nonce)
    if isinstance(value, dict):
        return {k: _fill(v, nonce) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, nonce) for v in value]
    return value


def make() -> tuple[Document, Counter[tuple[str, str, bool]]]:
    """A fresh canary document and the findings it must draw (rule, resource, waived)."""
    nonce = secrets.token_hex(8)
    data = _canary()
    document: Document = _fill(data["document"], nonce)
    expected = Counter((e["rule"], _fill(e["resource"], nonce), bool(e["waived"])) for e in data["expected"])
    return document, expected


Key = tuple[str, str, bool]  # rule, resource, waived


def mismatch(found: list[Finding], expected: Counter[Key], settings: Settings) -> str | None:
    """What differs between the canary's findings and the expected ones, or None when they agree.

    Rules this run disables draw nothing; a waiver file may waive more of the canary's findings,
    so a finding expected unwaived may come back waived when a file waiver names its rule.
    """
    disabled = {rule for rule, level in settings.levels.items() if level == "disabled"}
    waivable = {w.get("rule") for w in settings.waivers if isinstance(w, dict)}
    want = Counter({k: n for k, n in expected.items() if k[0] not in disabled})
    if len({rule for rule, _, _ in want}) < len({rule for rule, _, _ in expected}) // 2:
        # Settings that switch off most of what the canary checks would let an empty answer pass.
        return f"nothing to compare: the settings disable {len(disabled)} rules the canary checks"
    got: Counter[tuple[str, str, bool]] = Counter()
    for f in found:
        waived = f.waived and not (f.rule in waivable and (f.rule, f.resource, False) in want)
        got[(f.rule, f.resource, waived)] += 1
    if got == want:
        return None
    missing, extra = want - got, got - want
    parts = []
    if missing:
        parts.append(f"{sum(missing.values())} expected finding(s) missing ({_rules(missing)})")
    if extra:
        parts.append(f"{sum(extra.values())} unexpected finding(s) ({_rules(extra)})")
    return "; ".join(parts)


def _rules(c: Counter[tuple[str, str, bool]]) -> str:
    return ", ".join(sorted({rule for rule, _, _ in c}))
