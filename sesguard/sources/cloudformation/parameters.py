"""The parameter values a CloudFormation deploy gives: ``--parameter NAME=VALUE`` and ``--parameters FILE``.

A parameter's default is only what the deploy uses when nobody overrides it, so Conditions read
only values given here (intrinsics). FILE takes the formats `aws cloudformation deploy
--parameter-overrides file://…` reads:

- ``["Name=Value", …]`` (the shorthand as a JSON list);
- ``[{"ParameterKey": "Name", "ParameterValue": "Value"}, …]`` (`create-stack --parameters`; an
  entry with ``UsePreviousValue: true`` fixes nothing: the deployed stack's value is not known);
- ``{"Parameters": {"Name": "Value", …}}`` (a CodePipeline template configuration file).
"""

from __future__ import annotations

import re
from typing import Any

from sesguard.errors import InputError, SesguardError
from sesguard.sources.common.reading import kind, read_json

_NAME = re.compile(r"[A-Za-z0-9]{1,255}")


def _value(value: Any, where: str) -> str:
    # CloudFormation parameter values are strings; a JSON number or boolean is written as text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)  # a CommaDelimitedList given as a list
    if not isinstance(value, str):
        raise InputError(where, f"expected a string value, found {kind(value)}")
    return value


def _name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(where, "a parameter name is letters and digits (as CloudFormation names them)")
    return name


def _pair(text: str, where: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise InputError(where, "expected NAME=VALUE")
    return _name(name, where), value


def parse_option(items: list[str]) -> dict[str, str]:
    """``--parameter NAME=VALUE`` (repeatable); a name given twice keeps the last, as the CLI does."""
    out: dict[str, str] = {}
    for item in items:
        try:
            name, value = _pair(item, "--parameter")
        except InputError as exc:
            raise SesguardError(f"--parameter: {exc.problem}") from None
        out[name] = value
    return out


def read_file(path: str) -> dict[str, str]:
    """The values of a parameters file in any of the formats above."""
    data = read_json(path)
    out: dict[str, str] = {}
    if isinstance(data, dict):
        params = data.get("Parameters")
        if not isinstance(params, dict):
            raise InputError(path, 'expected {"Parameters": {NAME: VALUE}} or a list of parameters')
        for name, value in params.items():
            out[_name(name, f"{path}: Parameters")] = _value(value, f"{path}: Parameters.{name}")
        return out
    if not isinstance(data, list):
        raise InputError(path, f"expected a list or an object of parameters, found {kind(data)}")
    for i, entry in enumerate(data):
        at = f"{path}: [{i}]"
        if isinstance(entry, str):
            name, value = _pair(entry, at)
            out[name] = value
        elif isinstance(entry, dict):
            name = _name(entry.get("ParameterKey"), f"{at}.ParameterKey")
            if entry.get("UsePreviousValue") is True:
                out.pop(name, None)  # the deployed stack's value: not known here
                continue
            if "ParameterValue" not in entry:
                raise InputError(at, "a parameter without ParameterValue or UsePreviousValue")
            out[name] = _value(entry["ParameterValue"], f"{at}.ParameterValue")
        else:
            raise InputError(at, f"expected NAME=VALUE or a ParameterKey object, found {kind(entry)}")
    return out
