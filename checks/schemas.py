"""The bundled JSON schemas, and a description of a violation that never echoes the value.

jsonschema's own messages quote the offending value (``{'4dabf…': …, 'plaintext': 's3cret'} is
not of type 'string'``): a Pulumi secret object, a token or a whole resource would reach the
terminal. A problem is described here by its place, the JSON type found and what was expected.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

import jsonschema

from checks.sources.reading import kind


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """The validator for ``checks/schema/<name>`` (package data)."""
    text = importlib_resources.files("checks").joinpath(f"schema/{name}").read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _expected(schema_value: Any) -> str:
    items = schema_value if isinstance(schema_value, list) else [schema_value]
    return " or ".join(str(i) for i in items)


def describe(error: jsonschema.ValidationError) -> tuple[str, str]:
    """(place, problem) of one violation; neither contains the offending value."""
    place = "/".join(str(p) for p in error.absolute_path)
    if len(place) > 120:  # keys are user data too: a short excerpt is enough to find the place
        place = place[:117] + "..."
    found = kind(error.instance)
    check, wanted = error.validator, error.validator_value
    if check == "type":
        problem = f"expected {_expected(wanted)}, found {found}"
    elif check == "required":
        missing = [k for k in wanted if isinstance(error.instance, dict) and k not in error.instance]
        problem = f"missing {', '.join(repr(k) for k in missing) or 'a required key'}"
    elif check == "enum":
        problem = f"expected one of {', '.join(str(v) for v in wanted)}"
    elif check == "const":
        problem = f"expected {wanted}"
    elif check == "pattern":
        problem = f"the {found} does not match {wanted}"
    elif check in ("minLength", "minimum", "minItems"):
        problem = f"expected at least {wanted}" + (" character" if check == "minLength" else "")
    else:
        problem = f"the {found} fails the schema's {check!s} check"
    return place, problem


def _order(error: jsonschema.ValidationError) -> list[tuple[int, str]]:
    # Array indices sort as numbers, keys as text; a list of mixed ints and strs would not compare.
    return [(p, "") if isinstance(p, int) else (-1, str(p)) for p in error.absolute_path]


def first_problem(name: str, value: Any) -> tuple[str, str] | None:
    """The first violation of schema ``name`` in document order, described safely; None if valid."""
    errors = sorted(validator(name).iter_errors(value), key=_order)
    return describe(errors[0]) if errors else None
