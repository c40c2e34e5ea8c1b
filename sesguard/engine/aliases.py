"""URN aliases: what the embedded engine sends OPA in place of each Pulumi URN, and the way back.

A Pulumi URN is about 150 bytes and appears in its resource's `urn` and in every dependency on it:
a third of the projected text of a big stack. The rules only compare URNs with each other (`==`,
object keys, `in`) and hand them back as a finding's `resource`; they never print, parse or
compare one with anything else (tests/test_projection.py holds them to it). So the embedded engine
sends each URN as a short alias and maps findings back: at 10,000 sending domains OPA's copy of
the input takes 1,116 MiB instead of 1,440 MiB (peak RSS), and reading it 5.7 s instead of 10.8 s.

An alias is ALIAS_MARK and the URN's rank among the document's URNs, in fixed-width base 36:
aliases sort among themselves as their URNs do, so any order the rules derive among resources
(sets of resources or of records holding URNs iterate in sorted order) is unchanged; they sort
before any other text, where URNs need not, but no rule orders URNs with other strings. No other
string of the input holds ALIAS_MARK (the encoding checks), and no Rego literal does, so a finding
naming an alias can only name that resource; a finding whose text holds one anywhere else would
print an alias, and is judged again from the URNs themselves (EmbeddedEngine.evaluate_encoded).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sesguard.document import Document

ALIAS_MARK = "\x1f"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# How ALIAS_MARK looks in JSON text: json.dumps escapes every control character.
_MARK_IN_JSON = b"\\u001f"

# Sources whose rules also read facts (live account, published DNS, the access request), where a
# URN may meet one they name (drift's declared resources): their documents are small, sent as-is.
JUDGED_WITH_FACTS = frozenset({"live", "dns", "request"})


class Encoded(bytes):
    """The JSON text OPA reads for one document, and the URNs its aliases stand for."""

    # The URNs in alias order, as one JSON text ("" when the text holds the URNs themselves). Not
    # a tuple of the document's own strings: those would keep alive the heap pages they share with
    # the rest of the document after it is freed (measured at 10,000 sending domains: 450 MiB of the
    # Python heap stayed while OPA read the input).
    urns_text: str = ""

    def urns(self) -> tuple[str, ...]:
        return tuple(json.loads(self.urns_text)) if self.urns_text else ()


def waivers_name_resources(waivers: Any) -> bool:
    """Whether a waiver list (a stack's `sesguard:waivers` config, maybe as JSON text, or a waiver
    file's) may name a resource: the Rego compares that name with a finding's URN, so the
    document's URNs must then reach OPA as they are."""
    if waivers is None:
        return False
    if isinstance(waivers, str):
        try:
            waivers = json.loads(waivers)
        except ValueError:
            return True
    if not isinstance(waivers, list):
        return True
    return any(not isinstance(w, dict) or w.get("resource") not in (None, "") for w in waivers)


def may_alias(document: Document) -> bool:
    """Whether ``document`` may reach OPA with its URNs aliased (see above)."""
    config = document.get("config")
    return document.get("source") not in JUDGED_WITH_FACTS and not (
        isinstance(config, dict) and waivers_name_resources(config.get("sesguard:waivers"))
    )


def encode(projected: Document, *, alias: bool) -> Encoded:
    """``projected`` as the JSON text OPA reads; with ``alias``, its URNs aliased (``projected``, a
    fresh projection, is rewritten), unless an alias could be mistaken for another value."""
    return _encode_aliased(projected) if alias else Encoded(_dumps(projected))


def _encode_aliased(projected: Document) -> Encoded:
    resources = projected.get("resources") or []
    if not all(
        isinstance(r.get("urn"), str) and isinstance(r.get("dependencies", []), list) for r in resources
    ):
        return Encoded(_dumps(projected))
    urns = tuple(sorted({r["urn"] for r in resources}))
    # A URN that is not valid Unicode fails here as it would in the text (UnicodeEncodeError).
    "".join(urns).encode("utf-8")
    width = _width(len(urns))
    alias = {u: _alias(i, width) for i, u in enumerate(urns)}
    count = 0
    for r in resources:
        r["urn"] = alias[r["urn"]]
        if "dependencies" in r:
            # After projection every dependency is the URN of a kept resource.
            r["dependencies"] = [alias[u] for u in r["dependencies"]]
            count += len(r["dependencies"])
    del alias
    text = _dumps(projected)
    if text.count(_MARK_IN_JSON) != len(resources) + count:
        # Some other string holds ALIAS_MARK: the URNs go as they are.
        for r in resources:
            r["urn"] = urns[_rank(r["urn"])]
            if "dependencies" in r:
                r["dependencies"] = [urns[_rank(u)] for u in r["dependencies"]]
        return Encoded(_dumps(projected))
    encoded = Encoded(text)
    encoded.urns_text = json.dumps(urns, ensure_ascii=False)
    return encoded


def unaliased_text(encoded: Encoded) -> bytes:
    """The text of ``encoded`` with each alias replaced by its URN: what OPA reads without aliases."""
    urns = encoded.urns()
    width = _width(len(urns))
    alias = re.compile(rb'"' + re.escape(_MARK_IN_JSON) + rb"([0-9a-z]{%d})\"" % width)
    return alias.sub(lambda m: _dumps(urns[int(m[1], 36)]), encoded)


def unaliased_resource(resource: str, urns: tuple[str, ...]) -> str | None:
    """The URN ``resource`` (a finding's) stands for when it is an alias, ``resource`` itself when
    it holds no ALIAS_MARK, and None when it holds one but is no alias."""
    if ALIAS_MARK not in resource:
        return resource
    width = _width(len(urns))
    if len(resource) != 1 + width or resource[0] != ALIAS_MARK or resource.strip(_DIGITS) != ALIAS_MARK:
        return None
    rank = int(resource[1:], 36)
    return urns[rank] if rank < len(urns) else None


def _dumps(value: Any) -> bytes:
    # As the bindings encode an input: UTF-8 text, where a lone surrogate fails (UnicodeEncodeError)
    # instead of being escaped (Go would replace it, letting two different strings compare equal).
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _width(n: int) -> int:
    width = 1
    while 36**width < n:
        width += 1
    return width


def _alias(rank: int, width: int) -> str:
    digits = []
    for _ in range(width):
        rank, d = divmod(rank, 36)
        digits.append(_DIGITS[d])
    return ALIAS_MARK + "".join(reversed(digits))


def _rank(alias: str) -> int:
    return int(alias[1:], 36)
