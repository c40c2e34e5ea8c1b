"""The Terraform -> Pulumi name table (sesguard/mapping/terraform.json) and the conversion it drives.

The rules read pulumi-aws type tokens and property names. Terraform and Pulumi share the provider
schema, so the names differ only the way the Pulumi bridge renames them: snake_case to camelCase,
MaxItems=1 blocks flattened from one-element lists to objects, and a few explicit renames and
plurals. Those exceptions are data, so a reviewer can check them against the bridge metadata
without reading code, and a test pins each one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

from sesguard.document import SECRET, UNKNOWN


@dataclass(frozen=True)
class TypeMap:
    """How one Terraform type becomes a Pulumi resource: its token and its property exceptions."""

    tf_type: str
    token: str
    one: frozenset[str] = frozenset()
    rename: dict[str, str] = field(default_factory=dict)
    keep_keys: frozenset[str] = frozenset()
    computed_unless_set: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Merge:
    """A Terraform type Pulumi does not model, folded into the resource it configures."""

    tf_type: str
    into: str
    match: tuple[str, str]
    set: dict[str, str]


@dataclass(frozen=True)
class Table:
    resources: dict[str, TypeMap]
    data_sources: dict[str, TypeMap]
    merged: dict[str, Merge]


def _type_maps(entries: dict[str, Any], keep: frozenset[str]) -> dict[str, TypeMap]:
    return {
        name: TypeMap(
            tf_type=name,
            token=e["type"],
            one=frozenset(e.get("one", [])),
            rename=dict(e.get("rename", {})),
            keep_keys=keep | frozenset(e.get("keep_keys", [])),
            computed_unless_set=frozenset(e.get("computed_unless_set", [])),
        )
        for name, e in entries.items()
        if not name.startswith("$")
    }


@cache
def table() -> Table:
    text = importlib_resources.files("sesguard").joinpath("mapping/terraform.json").read_text("utf-8")
    raw = json.loads(text)
    keep = frozenset(raw.get("keep_keys", []))
    merged = {
        name: Merge(name, m["into"], (m["match"][0], m["match"][1]), dict(m["set"]))
        for name, m in raw["merged"].items()
        if not name.startswith("$")
    }
    return Table(_type_maps(raw["resources"], keep), _type_maps(raw["data_sources"], keep), merged)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def convert(tm: TypeMap, values: dict[str, Any]) -> dict[str, Any]:
    """Terraform attribute values (already redacted and with unknowns marked) as Pulumi props."""
    return _object(tm, values, "")


def _object(tm: TypeMap, values: dict[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue  # Terraform writes every unset attribute as null; Pulumi leaves it out
        p = _join(path, key)
        name = tm.rename.get(p, camel(key))
        if p in tm.keep_keys:
            out[name] = value
            continue
        if p in tm.one:
            if isinstance(value, list):
                if not value:
                    continue  # an empty MaxItems=1 block is an absent block
                value = value[0]
            if value is None:
                continue
        out[name] = _value(tm, value, p)
    return out


def _value(tm: TypeMap, value: Any, path: str) -> Any:
    if isinstance(value, dict):
        return _object(tm, value, path)
    if isinstance(value, list):
        return [_value(tm, v, path + "[]") for v in value]
    return value


def overlay_unknown(after: Any, unknown: Any) -> Any:
    """``change.after`` with ``after_unknown`` laid over it: ``true`` marks an unknown, at any depth.

    Terraform omits unknown leaves from ``after`` objects and writes ``null`` at their list positions
    (jsonplan ``omitUnknowns``); a wholly unknown block or list is a single ``true``.
    """
    if unknown is True:
        return UNKNOWN
    if after is not None and not isinstance(after, dict | list):
        return after  # a malformed value is left for the reader to reject, never papered over
    if isinstance(unknown, dict):
        if isinstance(after, list):
            return after
        base = dict(after) if isinstance(after, dict) else {}
        for key, u in unknown.items():
            merged = overlay_unknown(base.get(key), u)
            if merged is not None or key in base:
                base[key] = merged
        return base if base or isinstance(after, dict) else after
    if isinstance(unknown, list):
        if isinstance(after, dict):
            return after
        items = list(after) if isinstance(after, list) else []
        items += [None] * (len(unknown) - len(items))
        return [overlay_unknown(v, unknown[i]) if i < len(unknown) else v for i, v in enumerate(items)]
    return after


def redact(value: Any, sensitive: Any) -> Any:
    """Every value a ``*_sensitive`` mask marks ``true`` becomes ``"[secret]"``, whatever its depth.

    Terraform writes sensitive values in plain text next to the mask (``terraform show -json``), so
    this runs before anything else reads a value.
    """
    if sensitive is True:
        # An unset attribute hides nothing, and neither does an empty one: `terraform show -json`
        # writes Easy DKIM's `domain_signing_private_key` as a sensitive "", which as "[secret]"
        # would read as a key given (BYODKIM).
        return value if value is None or value == "" or value == [] or value == {} else SECRET
    if isinstance(sensitive, dict) and isinstance(value, dict):
        return {k: redact(v, sensitive.get(k)) for k, v in value.items()}
    if isinstance(sensitive, list) and isinstance(value, list):
        return [redact(v, sensitive[i] if i < len(sensitive) else None) for i, v in enumerate(value)]
    return value
