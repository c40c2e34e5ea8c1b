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


def problem(value: Any) -> str | None:
    """What is wrong with ``value`` (too deep, a number out of range, NaN/Infinity), or None.

    Iterative on purpose: the point is to refuse values too deep for a recursive walk.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            if depth > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep"
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            try:
                float(item)
            except OverflowError:
                # str() of such a number may itself be refused (sys.int_max_str_digits).
                digits = int((item.bit_length() - 1) * math.log10(2)) + 1
                return f"a number of about {digits} digits is too large for a rule to compare"
        elif isinstance(item, float) and not math.isfinite(item):
            return "NaN and Infinity are not numbers a rule can compare"
    return None
