"""Limits on what a parsed input may hold, checked once where a file is read.

Everything downstream (scrubbing, schema validation, the engines, the reports) walks values
recursively and turns numbers into floats, so a value nested hundreds of levels deep, an integer
too large for a float, or NaN/Infinity would end in a traceback or a value no rule can compare.
No Pulumi, Terraform or CloudFormation file comes near these limits.
"""

from __future__ import annotations

import math
from typing import Any

# Pulumi property values nest a few levels; 100 leaves room for any real program and stays far
# below Python's recursion limit for every recursive walk after this one.
MAX_DEPTH = 100

_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"
_NOT_FINITE = "NaN and Infinity are not numbers a rule can compare"


def _too_large(item: int) -> str | None:
    try:
        float(item)
    except OverflowError:
        # str() of such a number may itself be refused (sys.int_max_str_digits).
        digits = int((item.bit_length() - 1) * math.log10(2)) + 1
        return f"a number of about {digits} digits is too large for a rule to compare"
    return None


def _scalar(item: Any) -> str | None:
    """The problem of one value that is not a container, or None."""
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return _too_large(item)
    if isinstance(item, float) and not math.isfinite(item):
        return _NOT_FINITE
    return None


# Every integer below this in size converts to a float; the few above it are tried one by one.
_SURELY_A_FLOAT = 2**1023


def _inside(container: dict[Any, Any] | list[Any] | tuple[Any, ...], depth: int) -> str | None:
    """The first problem inside ``container`` (itself at ``depth``, already within the limit).

    Recursive, but never deeper than MAX_DEPTH + 1 frames: a container past the limit is refused
    before anything inside it is looked at. Children are visited last to first, depth first, the
    order of the explicit-stack walk this replaced, so a value with several problems is still
    refused with the same one. The types JSON gives are tested inline, strings first (the bulk of
    every document); anything else takes the general path.
    """
    children = container.values() if isinstance(container, dict) else container
    for item in reversed(children):
        kind = type(item)
        if kind is str:
            continue
        if kind is dict or kind is list:
            if depth >= MAX_DEPTH:
                return _TOO_DEEP
            found = _inside(item, depth + 1)
        elif kind is float:
            found = None if math.isfinite(item) else _NOT_FINITE
        elif kind is int:
            found = None if -_SURELY_A_FLOAT < item < _SURELY_A_FLOAT else _too_large(item)
        elif item is None or kind is bool:
            continue
        elif isinstance(item, dict | list | tuple):
            if depth >= MAX_DEPTH:
                return _TOO_DEEP
            found = _inside(item, depth + 1)
        else:
            found = _scalar(item)
        if found is not None:
            return found
    return None


def problem(value: Any) -> str | None:
    """What is wrong with ``value`` (too deep, a number out of range, NaN/Infinity), or None."""
    if isinstance(value, dict | list | tuple):
        return _inside(value, 1)
    return _scalar(value)
