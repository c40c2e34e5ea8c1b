"""Fuzzing with hypothesis: parsers and source readers on arbitrary and near-valid input.

- The DMARC and SPF parsers (Rego, policies/lib/dmarc.rego and spf.rego, evaluated by the embedded
  OPA): never an engine error, always a well-formed result, never "valid" for a record that does not
  start with its version tag, and p=reject only when the record really says so.
- Every file source (preview, state, document): arbitrary bytes and structurally-near-valid JSON give
  a stack document or an InputError/SesguardError (exit 2) — never another exception.
- End to end: a garbage file never makes `sesguard check` exit 0.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import builders
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesguard import cli
from sesguard.document import SCHEMA
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.errors import SesguardError
from sesguard.sources import document
from sesguard.sources.common.reading import parse_json
from sesguard.sources.pulumi import preview, state

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
E2E = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def parse(engine: EmbeddedEngine, lib: str, text: str) -> dict[str, Any]:
    rows = engine.query(f"x := data.lib.{lib}.parse(input.s)", {"s": text})
    assert len(rows) == 1, (lib, text, rows)
    result: dict[str, Any] = rows[0]["x"]
    return result


# --- DMARC ---------------------------------------------------------------------------------------

_DMARC_TAGS = ["v", "p", "sp", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf", "ri", "V", "P", "x"]
_DMARC_VALUES = [
    "DMARC1",
    "dmarc1",
    "reject",
    "REJECT",
    "quarantine",
    "none",
    "100",
    "50",
    "0",
    "101",
    "-1",
    "r",
    "s",
    "mailto:d@example.com",
    "",
    " reject ",
    "re ject",
    "reject;",
]

dmarc_tag = st.builds(
    lambda k, v, sp1, sp2: f"{sp1}{k}{sp2}={v}",
    st.sampled_from(_DMARC_TAGS),
    st.one_of(st.sampled_from(_DMARC_VALUES), st.text(max_size=12)),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", " "]),
)
near_dmarc = st.builds(
    lambda tags, sep, end: sep.join(tags) + end,
    st.lists(st.one_of(dmarc_tag, st.text(max_size=8)), min_size=0, max_size=8),
    st.sampled_from([";", "; ", " ;", ";;", ","]),
    st.sampled_from(["", ";", " "]),
)


def _first_tag(text: str) -> tuple[str, str] | None:
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts or "=" not in parts[0] or parts[0].index("=") == 0:
        return None
    name, _, value = parts[0].partition("=")
    return name.strip().lower(), value.strip()


def _says_p_reject(text: str) -> bool:
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if sep and name.strip().lower() == "p" and value.strip().lower() == "reject":
            return True
    return False


@FUZZ
@given(text=st.one_of(st.text(max_size=200), near_dmarc))
def test_dmarc_parser_is_total_and_never_accepts_what_it_should_not(
    engine: EmbeddedEngine, text: str
) -> None:
    r = parse(engine, "dmarc", text)
    assert isinstance(r["valid"], bool)
    assert isinstance(r["errors"], list) and all(isinstance(e, str) and e for e in r["errors"])
    assert isinstance(r["tags"], dict)
    assert r["valid"] == (r["errors"] == [])
    if _first_tag(text) != ("v", "DMARC1"):
        assert not r["valid"], text
    if r["valid"] and r["tags"].get("p") == "reject":
        assert _says_p_reject(text), text
    if r["valid"]:
        assert r["tags"]["p"] in ("none", "quarantine", "reject")
        assert r["tags"]["sp"] in ("none", "quarantine", "reject")
        assert 0 <= r["tags"]["pct"] <= 100


@FUZZ
@given(p=st.sampled_from(["none", "quarantine", "reject"]), pct=st.integers(0, 100), spaces=st.booleans())
def test_dmarc_parser_reads_well_formed_records(
    engine: EmbeddedEngine, p: str, pct: int, spaces: bool
) -> None:
    sep = "; " if spaces else ";"
    r = parse(
        engine, "dmarc", sep.join(["v=DMARC1", f"p={p.upper()}", f"pct={pct}", "rua=mailto:d@example.com"])
    )
    assert r["valid"] and r["tags"]["p"] == p and r["tags"]["sp"] == p and r["tags"]["pct"] == pct


# --- SPF -----------------------------------------------------------------------------------------

_SPF_WORDS = [
    "include:amazonses.com",
    "~all",
    "-all",
    "+all",
    "?all",
    "a",
    "mx",
    "ptr",
    "ip4:192.0.2.1",
    "ip6:2001:db8::1",
    "exists:%{i}.x",
    "redirect=_spf.example.com",
    "exp=x",
    "include:",
    "all",
    "bogus",
    "v=spf1",
    "V=SPF1",
    "=x",
    ":",
]
near_spf = st.builds(
    lambda head, words, sep: head + sep + sep.join(words),
    st.sampled_from(["v=spf1", "V=spf1", "v=spf2", "spf1", "", " v=spf1"]),
    st.lists(st.one_of(st.sampled_from(_SPF_WORDS), st.text(max_size=10)), max_size=14),
    st.sampled_from([" ", "  ", "\t"]),
)
_LOOKUP = {"include", "a", "mx", "ptr", "exists", "redirect"}


def test_spf_record_with_two_all_mechanisms_parses(engine: EmbeddedEngine) -> None:
    r = parse(engine, "spf", "v=spf1 include:amazonses.com ~all -all")
    assert not r["valid"]


@FUZZ
@given(text=st.one_of(st.text(max_size=200), near_spf))
def test_spf_parser_is_total_and_never_accepts_what_it_should_not(engine: EmbeddedEngine, text: str) -> None:
    r = parse(engine, "spf", text)
    assert isinstance(r["valid"], bool)
    assert isinstance(r["errors"], list) and all(isinstance(e, str) and e for e in r["errors"])
    assert r["valid"] == (r["errors"] == [])
    assert isinstance(r["terms"], list) and isinstance(r["modifiers"], dict)
    assert isinstance(r["lookups"], int | float) and r["lookups"] >= 0
    assert r["lookups"] == sum(1 for t in r["terms"] if t.get("name") in _LOOKUP)
    assert r["all"] in (None, "+", "-", "~", "?")
    if not re.match(r"(?i)v=spf1(\s|$)", text.strip()):
        assert not r["valid"], text
    for t in r["terms"]:
        assert t["kind"] in ("mechanism", "modifier", "invalid")
        if t["kind"] == "mechanism":
            assert t["qualifier"] in ("+", "-", "~", "?")


# --- source readers ------------------------------------------------------------------------------

READERS: dict[str, Callable[[Any, str], Any]] = {
    "preview": preview.from_json,
    "state": state.from_json,
    "document": document.from_json,
}


def _fixtures() -> dict[str, Any]:
    doc = builders.violating_document()
    return {"preview": builders.to_preview(doc), "state": builders.to_state(doc), "document": doc}


FIXTURES = _fixtures()

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


def read(kind: str, raw: bytes) -> Any:
    """The reader's answer: a document, or the SesguardError it raised. Anything else fails the test."""
    try:
        return READERS[kind](parse_json(raw, f"{kind}.json"), f"{kind}.json")
    except SesguardError as exc:
        assert str(exc).startswith(f"{kind}.json"), str(exc)
        assert "\n" not in str(exc)
        return exc


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:6]):  # enough of each list to reach every shape
            out += _paths(v, (*prefix, i))
    return out


_PATHS = {kind: _paths(fx) for kind, fx in FIXTURES.items()}


def _mutate(data: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value
    node = data
    for key in path[:-1]:
        node = node[key]
    last = path[-1]
    if how == "delete":
        del node[last]
    elif how == "replace":
        node[last] = value
    elif how == "wrap":
        node[last] = [node[last]]
    elif how == "stringify":
        node[last] = json.dumps(node[last])
    return data


@FUZZ
@pytest.mark.parametrize("kind", sorted(READERS))
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(lambda t: t.encode("utf-8"))))
def test_readers_on_arbitrary_bytes(kind: str, raw: bytes) -> None:
    result = read(kind, raw)
    assert isinstance(result, SesguardError | dict)


@FUZZ
@pytest.mark.parametrize("kind", sorted(READERS))
@given(value=json_values)
def test_readers_on_arbitrary_json(kind: str, value: Any) -> None:
    result = read(kind, json.dumps(value).encode())
    assert isinstance(result, SesguardError), "arbitrary JSON read as a stack"


@FUZZ
@pytest.mark.parametrize("kind", sorted(READERS))
@given(data=st.data())
def test_readers_on_near_valid_json(kind: str, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_PATHS[kind]), label="path")
    how = data.draw(st.sampled_from(["delete", "replace", "wrap", "stringify"] if path else ["replace"]))
    value = data.draw(json_values, label="value") if how == "replace" else None
    mutated = _mutate(FIXTURES[kind], path, how, value)
    raw = json.dumps(mutated).encode()
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[: data.draw(st.integers(0, len(raw)), label="cut")]
    result = read(kind, raw)
    if isinstance(result, dict):
        assert result["schema"] == SCHEMA and isinstance(result["resources"], list)


def test_readers_accept_their_valid_fixture() -> None:
    for kind, fx in FIXTURES.items():
        assert isinstance(read(kind, json.dumps(fx).encode()), dict), kind


# --- end to end ----------------------------------------------------------------------------------


class _Shared:
    """The session's engine for every fuzzed run, kept open when a run closes it: a check builds
    its engine before it reads its input, and building one per example was most of this test."""

    def __init__(self, engine: EmbeddedEngine) -> None:
        self._engine = engine
        self.name = engine.name

    def evaluate(self, document: Any) -> Any:
        return self._engine.evaluate(document)

    def close(self) -> None:
        pass


@pytest.fixture
def one_engine(monkeypatch: pytest.MonkeyPatch, engine: EmbeddedEngine) -> None:
    from sesguard.engine import factory

    monkeypatch.setattr(factory, "make_engine", lambda *args, **kwargs: _Shared(engine))


@E2E
@pytest.mark.parametrize("kind", sorted(READERS))
@given(raw=st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
def test_garbage_never_passes_the_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, raw: bytes, one_engine: None
) -> None:
    path = tmp_path / "garbage.json"
    path.write_bytes(raw)
    code = cli.main(["check", f"--{kind}", str(path), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2, (raw, out, err)
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("sesguard:")]) == 1
