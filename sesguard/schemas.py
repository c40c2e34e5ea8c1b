"""The bundled JSON schemas, and a description of a violation that never echoes the value.

jsonschema's own messages quote the offending value (``{'4dabf…': …, 'plaintext': 's3cret'} is
not of type 'string'``): a Pulumi secret object, a token or a whole resource would reach the
terminal. A problem is described here by its place, the JSON type found and what was expected.

jsonschema is the authority but slow on a big document (about a second per 10,000 resources), so
``accepts`` first asks the same schema compiled to Python by fastjsonschema; only a document it
refuses is walked by jsonschema, for the message. Both libraries are imported on first use: a run
that validates nothing (``check --state``) pays for neither.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources as importlib_resources
from typing import TYPE_CHECKING, Any

from sesguard.sources.common.reading import kind

if TYPE_CHECKING:
    from collections.abc import Callable

    import jsonschema


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed ``sesguard/schema/<name>`` (package data)."""
    text = importlib_resources.files("sesguard").joinpath(f"schema/{name}").read_text("utf-8")
    return json.loads(text)


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    """The jsonschema validator for ``sesguard/schema/<name>``: the authority, and the messages."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema(name))
    return cls(schema(name))


@cache
def _compiled(name: str) -> Callable[[Any], Any]:
    # Compiled once per process, on first use: generating the code takes about 70 ms, which is
    # why sesguard.document.validate asks only for big documents. Schemas that name draft 2020-12
    # get fastjsonschema's 2019-09 generator; for the keywords our schemas use (type, required,
    # properties, const, enum, pattern, minLength, minimum, items) the drafts agree. It anchors a
    # pattern's `$` as `\Z` (jsonschema's re.search lets `$` match before a final newline); for
    # `^[^:]+:[^:]*:[^:]+$` the two agree, since `[^:]` takes the newline. tests/test_document_load.py
    # holds the compiled check equal to jsonschema at every place of stack-v1.
    import fastjsonschema

    return fastjsonschema.compile(schema(name), use_default=False, use_formats=False)


def accepts(name: str, value: Any) -> bool:
    """Whether ``value`` is valid against schema ``name``, the fast way; no message on a no."""
    import fastjsonschema

    try:
        _compiled(name)(value)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


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
