"""Loading a stack document the fast way refuses and produces exactly what the slow way did.

Issue 14: ``--document`` of a 10,000-domain stack spent 25 s loading. Three things changed, each
held equal here to what it replaced:

- the schema check first asks the schema compiled by fastjsonschema (``schemas.accepts``); it must
  agree with jsonschema, the authority, at every place the schema constrains, for every kind of
  JSON value: a value jsonschema refuses that the fast path let through would reach the rules;
- the limits walk (depth, huge integers, NaN/Infinity) is recursive and skips strings; it must
  refuse what the explicit-stack walk refused, with the same message when a value has several
  problems;
- ``load`` scrubs props in place and hands them to the document instead of copying them; the
  document must equal the one built from an untouched copy.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import builders
import pytest

from sesguard import document as document_module
from sesguard import limits, schemas
from sesguard.document import SECRET, SECRET_SIG, SECRET_SIG_VALUE, scrub, scrub_inside, validate
from sesguard.errors import InputError
from sesguard.sources import document

SCHEMA = "stack-v1.json"

RESOURCE: dict[str, Any] = {
    "urn": "urn:pulumi:prod::ses-sender::aws:sesv2/emailIdentity:EmailIdentity::identity",
    "type": "aws:sesv2/emailIdentity:EmailIdentity",
    "name": "identity",
    "props": {"emailIdentity": "example.com"},
    "parent": None,
    "dependencies": ["urn:pulumi:prod::ses-sender::pulumi:pulumi:Stack::ses-sender-prod"],
    "region": "eu-west-1",
    "location": {"file": "__main__.py", "line": 12, "column": 5},
}
GOOD: dict[str, Any] = {
    "schema": "sesguard/stack/v1",
    "source": "preview",
    "project": "ses-sender",
    "stack": "prod",
    "region": "us-east-1",
    "config": {"aws:region": "us-east-1"},
    "resources": [RESOURCE],
    "facts": {},
    "request": {},
    "file": "prod.json",
    "config_file": "Pulumi.prod.yaml",
    "language": "python",
}
SECRET_OBJECT = {SECRET_SIG: SECRET_SIG_VALUE, "plaintext": '"hunter2"'}

# Every kind of JSON value, and the near misses of each constraint the schema states: the const,
# enum members in the wrong case, the type pattern's misses (too few or many colons, an empty
# part, a trailing newline), empty strings for minLength, 0/negative/fractional/float/boolean for
# the integer minimum, arrays holding a non-string.
VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2,
    0.0,
    1.0,
    0.5,
    1.5,
    -3.0,
    10**20,
    "",
    "x",
    " ",
    "sesguard/stack/v1",
    "sesguard/stack/v2",
    "SESGUARD/STACK/V1",
    "program",
    "Program",
    "cloudformation",
    "python",
    "Python",
    "a:b:c",
    "a::c",
    "a:b",
    ":b:c",
    "a:b:",
    "a:b:c:d",
    "a:b:c\n",
    "\na:b:c",
    "a:b\n:c",
    "aws:sesv2/emailIdentity:EmailIdentity",
    [],
    [""],
    ["x"],
    ["x", 1],
    [None],
    [[]],
    {},
    {"file": "f"},
    {"file": ""},
    {"line": 1},
    {"x": 1},
    SECRET_OBJECT,
]
_MISSING = object()

TOP = list(GOOD)
IN_RESOURCE = list(RESOURCE)
IN_LOCATION = list(RESOURCE["location"])


def _variants() -> list[tuple[str, Any]]:
    """(place, document) for every place and every value, plus a missing key at every place."""
    out: list[tuple[str, Any]] = []
    for value in [*VALUES, _MISSING]:
        for key in TOP:
            doc = copy.deepcopy(GOOD)
            _put(doc, key, value)
            out.append((key, doc))
        for key in IN_RESOURCE:
            doc = copy.deepcopy(GOOD)
            _put(doc["resources"][0], key, value)
            out.append((f"resources/0/{key}", doc))
        for key in IN_LOCATION:
            doc = copy.deepcopy(GOOD)
            _put(doc["resources"][0]["location"], key, value)
            out.append((f"resources/0/location/{key}", doc))
        if value is not _MISSING:
            # The items of the arrays, and the document and a resource replaced whole.
            doc = copy.deepcopy(GOOD)
            doc["resources"][0]["dependencies"] = [value]
            out.append(("resources/0/dependencies/0", doc))
            doc = copy.deepcopy(GOOD)
            doc["resources"] = [RESOURCE, value]
            out.append(("resources/1", doc))
            out.append(("(document)", copy.deepcopy(value)))
    return out


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is _MISSING:
        del target[key]
    else:
        target[key] = copy.deepcopy(value)


VARIANTS = _variants()


def _message(doc: Any) -> str | None:
    try:
        validate(doc, "d.json")
    except InputError as exc:
        return str(exc)
    return None


def test_the_good_document_passes_both() -> None:
    assert schemas.first_problem(SCHEMA, GOOD) is None
    assert schemas.accepts(SCHEMA, GOOD)


def test_the_variants_exercise_both_answers() -> None:
    # A table where every variant passed (or failed) would prove nothing about agreement.
    verdicts = [schemas.first_problem(SCHEMA, doc) is None for _, doc in VARIANTS]
    assert verdicts.count(True) > 100
    assert verdicts.count(False) > 500


@pytest.fixture(params=["fast path", "jsonschema alone"])
def fast_from(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """``validate`` with the compiled schema asked first whatever the size, and never."""
    value = 0 if request.param == "fast path" else 10**9
    monkeypatch.setattr(document_module, "FAST_SCHEMA_FROM", value)
    return value


@pytest.mark.parametrize(("place", "doc"), VARIANTS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(VARIANTS)])
def test_the_compiled_schema_agrees_with_jsonschema(place: str, doc: Any, fast_from: int) -> None:
    by_jsonschema = schemas.first_problem(SCHEMA, doc)
    assert schemas.accepts(SCHEMA, doc) is (by_jsonschema is None), (place, by_jsonschema)
    message = _message(doc)
    if by_jsonschema is None:
        assert message is None
    else:
        at, problem = by_jsonschema
        assert message == f"d.json: not a sesguard/stack/v1 document at {at or '(document)'}: {problem}"


LOC = ("resources", 0, "location")
RES = ("resources", 0)


@pytest.mark.parametrize(
    ("at", "value", "message"),
    [
        # The one-line messages users see today, spelled out: the fast path must not change them.
        ((*LOC, "line"), 0, "at resources/0/location/line: expected at least 1"),
        ((*LOC, "line"), True, "at resources/0/location/line: expected integer, found boolean"),
        ((*LOC, "column"), 2.5, "at resources/0/location/column: expected integer, found number"),
        ((*RES, "type"), "aws:ses", "at resources/0/type: the string does not match ^[^:]+:[^:]*:[^:]+$"),
        ((*RES, "urn"), "", "at resources/0/urn: expected at least 1 character"),
        ((*RES, "props"), "hunter2", "at resources/0/props: expected object, found string"),
        ((*RES, "name"), _MISSING, "at resources/0: missing 'name'"),
        (("schema",), "sesguard/stack/v2", "at schema: expected sesguard/stack/v1"),
        (("language",), "Python", "at language: expected one of python, typescript, go"),
        (("stack",), SECRET_OBJECT, "at stack: expected string, found object"),
    ],
)
def test_a_refused_document_gives_todays_message(
    at: tuple[Any, ...], value: Any, message: str, fast_from: int
) -> None:
    doc = copy.deepcopy(GOOD)
    target = doc
    for step in at[:-1]:
        target = target[step]
    _put(target, at[-1], value)
    got = _message(doc)
    assert got is not None and message in got
    assert "hunter2" not in got


# The limits walk this module's fast one replaced, kept as the reference: an explicit stack.
def _reference_problem(value: Any) -> str | None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            if depth > limits.MAX_DEPTH:
                return f"nested more than {limits.MAX_DEPTH} levels deep"
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            try:
                float(item)
            except OverflowError:
                digits = int((item.bit_length() - 1) * math.log10(2)) + 1
                return f"a number of about {digits} digits is too large for a rule to compare"
        elif isinstance(item, float) and not math.isfinite(item):
            return "NaN and Infinity are not numbers a rule can compare"
    return None


def _nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for i in range(depth - 1):
        value = [value] if i % 2 else {"k": value}
    return value


_HUGE = 10**400
_EDGE = int(2.0**1023 * (2 - 2.0**-52))  # the largest float, as an integer: still a float
_PAST_EDGE = 2**1024  # rounds past the largest float
LIMIT_VALUES: list[Any] = [
    None,
    True,
    "x",
    1,
    _EDGE,
    -_EDGE,
    _PAST_EDGE,
    -_PAST_EDGE,
    _HUGE,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    _nested(limits.MAX_DEPTH),
    _nested(limits.MAX_DEPTH + 1),
    _nested(limits.MAX_DEPTH, leaf=[]),
    _nested(limits.MAX_DEPTH - 1, leaf=[math.nan]),
    _nested(limits.MAX_DEPTH + 5, leaf=math.nan),
    (1, (2, (math.inf,))),
]


@pytest.mark.parametrize("value", LIMIT_VALUES, ids=[str(i) for i in range(len(LIMIT_VALUES))])
def test_the_limits_walk_refuses_what_the_stack_walk_refused(value: Any) -> None:
    assert limits.problem(value) == _reference_problem(value)
    # Inside a document, at several depths and beside other problems: the first one found is
    # the one reported, so the visiting order must be the old one too.
    for other in LIMIT_VALUES:
        for shaped in ([value, other], {"a": other, "b": [value]}, {"a": [[value]], "b": other}):
            assert limits.problem(shaped) == _reference_problem(shaped)


def test_the_limits_walk_sees_every_problem_in_a_real_document() -> None:
    doc = builders.compliant_document()
    assert limits.problem(doc) is None
    places = list(itertools.islice(_containers(doc), 0, None, 7))
    assert len(places) > 20
    for container in places:
        for bad in (math.nan, _HUGE, _nested(limits.MAX_DEPTH + 1)):
            changed = copy.deepcopy(doc)
            target = _find(changed, container)
            if isinstance(target, dict):
                target["zz"] = bad
            else:
                target.append(bad)
            assert limits.problem(changed) == _reference_problem(changed) is not None


def _containers(value: Any, path: tuple[Any, ...] = ()) -> Any:
    if isinstance(value, dict):
        yield path
        for k, v in value.items():
            yield from _containers(v, (*path, k))
    elif isinstance(value, list):
        yield path
        for i, v in enumerate(value):
            yield from _containers(v, (*path, i))


def _find(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


SCRUB_VALUES: list[Any] = [
    {},
    [],
    {"a": 1, "b": True, "c": None, "d": "s", "e": 2.5, "f": -0},
    {"a": [1, [2, {"b": 3}], SECRET_OBJECT, {"c": SECRET_OBJECT}]},
    [SECRET_OBJECT, 1, False, [[[4]]]],
    {"outer": {SECRET_SIG: SECRET_SIG_VALUE, "ciphertext": "v1:abc", "n": 1}},
    {SECRET_SIG: "not the marker value", "n": 1},
    {"nested": {"secret": {SECRET_SIG: SECRET_SIG_VALUE, "plaintext": '{"a": 1}'}, "ints": [0, 1, 2]}},
]


@pytest.mark.parametrize("value", SCRUB_VALUES, ids=[str(i) for i in range(len(SCRUB_VALUES))])
def test_scrubbing_in_place_gives_what_scrub_gives(value: Any) -> None:
    expected = scrub(copy.deepcopy(value))
    scrubbed = copy.deepcopy(value)
    scrub_inside(scrubbed)
    assert _typed(scrubbed) == _typed(expected)


def _typed(value: Any) -> Any:
    """``value`` with each number's type kept: 1 == 1.0 in Python, but not for a float-only rule."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def _with_secrets_and_integers() -> dict[str, Any]:
    doc = builders.violating_document()
    doc["config"]["ses-sender:token"] = SECRET_OBJECT
    doc["facts"] = {"metrics": {"bounce": 1, "complaint": 0}}
    doc["request"] = {"contacts": ["a@example.com"], "volume": 1000}
    first, second = doc["resources"][0], doc["resources"][1]
    first["props"]["ttl"] = 300
    first["props"]["nested"] = {"values": [1, 2, {"key": SECRET_OBJECT}], "flag": True}
    first["location"] = {"file": "__main__.py", "line": 3, "column": 1}
    first["extra"] = "a key the v1 shape drops"
    second["props"] = SECRET_OBJECT  # a whole props object that is a secret reads as the marker
    return doc


def test_load_builds_the_document_the_copying_path_builds(tmp_path: Path) -> None:
    doc = _with_secrets_and_integers()
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc), "utf-8")
    loaded = document.load(path)
    copied = document.from_json(json.loads(json.dumps(doc)), str(path))
    assert _typed(loaded) == _typed(copied)
    assert loaded["resources"][1]["props"] == SECRET
    assert loaded["resources"][0]["props"]["nested"]["values"][2]["key"] == SECRET
    assert type(loaded["resources"][0]["props"]["ttl"]) is float
    assert "hunter2" not in json.dumps(loaded)


def test_from_json_leaves_the_callers_data_alone() -> None:
    doc = _with_secrets_and_integers()
    before = copy.deepcopy(doc)
    document.from_json(doc, "d.json")
    assert _typed(doc) == _typed(before)


def test_a_refused_load_names_the_file_and_the_place(tmp_path: Path) -> None:
    doc = _with_secrets_and_integers()
    doc["resources"][2]["location"] = {"file": "__main__.py", "line": 0}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(InputError) as caught:
        document.load(path)
    assert str(caught.value) == (
        f"{path}: not a sesguard/stack/v1 document at resources/2/location/line: expected at least 1"
    )


def _big(resources: int) -> dict[str, Any]:
    doc = _with_secrets_and_integers()
    template = doc["resources"][0]
    while len(doc["resources"]) < resources:
        extra = copy.deepcopy(template)
        extra["urn"] += f"-{len(doc['resources'])}"
        doc["resources"].append(extra)
    return doc


def test_a_document_big_enough_for_the_fast_path_loads_and_refuses_as_before(tmp_path: Path) -> None:
    doc = _big(document_module.FAST_SCHEMA_FROM + 5)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc), "utf-8")
    loaded = document.load(path)
    assert _typed(loaded) == _typed(document.from_json(json.loads(json.dumps(doc)), str(path)))
    doc["resources"][-1]["dependencies"] = ["urn:x", SECRET_OBJECT]
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(InputError) as caught:
        document.load(path)
    last = len(doc["resources"]) - 1
    assert str(caught.value) == (
        f"{path}: not a sesguard/stack/v1 document at resources/{last}/dependencies/1: "
        "expected string, found object"
    )


_IMPORTS = """
import json, sys
from sesguard.sources import document
document.load(sys.argv[1])
print(json.dumps(sorted(m for m in ("jsonschema", "fastjsonschema") if m in sys.modules)))
"""


@pytest.mark.parametrize(("resources", "expected"), [(3, ["jsonschema"]), (250, ["fastjsonschema"])])
def test_a_load_imports_only_the_schema_library_it_uses(
    resources: int, expected: list[str], tmp_path: Path
) -> None:
    # A small document goes to jsonschema (compiling would cost more); a valid big one never
    # imports jsonschema at all.
    doc = _big(resources)
    del doc["resources"][resources:]
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORTS, str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected


def test_a_cold_state_check_imports_neither_schema_library(tmp_path: Path) -> None:
    # sesguard builds that document itself: nothing to validate, nothing to compile.
    from test_startup import imported_modules

    path = builders.write_json(tmp_path / "state.json", builders.to_state(builders.compliant_document()))
    proc, modules = imported_modules("check", "--state", str(path), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not {"jsonschema", "fastjsonschema"} & modules
