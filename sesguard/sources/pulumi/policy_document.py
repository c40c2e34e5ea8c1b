"""`aws.iam.getPolicyDocument` answered locally: the JSON the provider would render.

The invoke is pure (no AWS call), and it is how programs usually write SNS topic and SQS queue
policies, so the mock runner renders it as terraform-provider-aws does
(internal/service/iam/policy_document_data_source.go and policy_model.go), which pulumi-aws
bridges:

- ``Version`` (default 2012-10-17), ``Id`` from ``policyId``, ``Statement`` in the given order and
  left out when empty; a statement's keys in the order Sid, Effect (default Allow), Action,
  NotAction, Resource, NotResource, Principal, NotPrincipal, Condition, an empty Sid left out.
- ``actions``, ``resources`` and principal ``identifiers`` are sets: duplicates go, one element is
  a string, several are sorted in reverse. Condition ``values`` keep their order; one is a string.
- ``&{`` becomes ``${`` in resources, identifiers and condition values (an error in 2008-10-17).
- Principals merge by type into one map (keys sorted); ``{type: "*", identifiers: ["*"]}`` alone
  is ``"*"``. Conditions merge by test and variable (keys sorted).
- ``sourcePolicyDocuments`` are merged first, then the statements, then
  ``overridePolicyDocuments``; a statement with a Sid replaces the earlier one with that Sid.
- JSON as Go writes it: two-space indent for ``json``, compact for ``minifiedJson``, ``<``, ``>``,
  ``&``, U+2028 and U+2029 escaped; ``id`` is the CRC-32 of ``json``.

One difference cannot be removed: several principal blocks of the same type (or several condition
blocks of the same test and variable) are joined in the provider's set-hash order; here in the
order given. The members are the same, so no rule reads it differently.

Standard library only: this runs in the program's own virtualenv too.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

VERSIONS = ("2008-10-17", "2012-10-17")
_SID = re.compile(r"^[a-zA-Z0-9]*$")
_GO_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


class PolicyDocumentError(ValueError):
    """An input the provider refuses; the message is the provider's."""


def render(args: dict[str, Any]) -> dict[str, Any]:
    """The invoke's result: its inputs, ``json``, ``minifiedJson`` and ``id``."""
    version = _arg(args, "version") or "2012-10-17"
    if version not in VERSIONS:
        raise PolicyDocumentError(f'expected version to be one of {list(VERSIONS)}, got "{version}"')
    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}
    sids: set[str] = set()
    for index, text in enumerate(_arg(args, "sourcePolicyDocuments") or []):
        if not text:
            continue
        source = _decode(text, f"source_policy_documents.{index}")
        for n, statement in enumerate(source["Statement"]):
            sid = statement.get("Sid", "")
            if sid:
                if sid in sids:
                    raise PolicyDocumentError(
                        f"writing IAM Policy Document: merging source document {index}: duplicate Sid "
                        f"({sid}) in source_policy_documents (statement {n}). Remove the Sid or ensure "
                        "Sids are unique."
                    )
                sids.add(sid)
        _merge(merged, source)
    doc: dict[str, Any] = {"Version": version, "Id": _arg(args, "policyId") or "", "Statement": []}
    seen: set[str] = set()
    for block in _arg(args, "statements") or []:
        doc["Statement"].append(_statement(block or {}, version, seen))
    _merge(merged, doc)
    for index, text in enumerate(_arg(args, "overridePolicyDocuments") or []):
        if text:
            _merge(merged, _decode(text, f"override_policy_documents.{index}"))
    pretty = _go_json(_ordered(merged), indent=2)
    result = {k: v for k, v in args.items() if v is not None}
    result["json"] = pretty
    result["minifiedJson"] = _go_json(_ordered(merged))
    result["id"] = str(zlib.crc32(pretty.encode()))
    return result


def _arg(args: dict[str, Any], camel: str) -> Any:
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)
    return args.get(camel, args.get(snake))


def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyDocumentError(f"{what} must be a list of strings")
    return value


def _set(values: list[str]) -> Any:
    """A schema set as the provider writes it: one element a string, else sorted in reverse."""
    unique = list(dict.fromkeys(values))
    return unique[0] if len(unique) == 1 else sorted(unique, reverse=True)


def _vars(value: Any, version: str) -> Any:
    items = [value] if isinstance(value, str) else value
    for item in items:
        if version == "2008-10-17" and "&{" in item:
            raise PolicyDocumentError(
                f"found &{{ sequence in ({item}), which is not supported in document version 2008-10-17"
            )
    out = [item.replace("&{", "${") for item in items]
    return out[0] if isinstance(value, str) else out


def _statement(block: dict[str, Any], version: str, seen: set[str]) -> dict[str, Any]:
    effect = _arg(block, "effect") or "Allow"
    if effect not in ("Allow", "Deny"):
        raise PolicyDocumentError(f'expected effect to be one of ["Allow" "Deny"], got {effect}')
    sid = _arg(block, "sid") or ""
    if not _SID.match(sid):
        raise PolicyDocumentError(f"sid {sid!r}: must only include alphanumeric characters")
    if sid in seen:
        raise PolicyDocumentError(
            f"writing IAM Policy Document: duplicate Sid ({sid}). Remove the Sid or ensure the Sid is unique."
        )
    if sid:
        seen.add(sid)
    stmt: dict[str, Any] = {"Sid": sid, "Effect": effect}
    for camel, key, replace in (
        ("actions", "Action", False),
        ("notActions", "NotAction", False),
        ("resources", "Resource", True),
        ("notResources", "NotResource", True),
    ):
        values = _strings(_arg(block, camel), camel)
        if values:
            stmt[key] = _vars(_set(values), version) if replace else _set(values)
    for camel, key in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        blocks = _unique(_arg(block, camel) or [])
        if blocks:
            stmt[key] = [
                (str(_arg(p, "type")), _vars(_set(_strings(_arg(p, "identifiers"), "identifiers")), version))
                for p in blocks
            ]
    conditions = _unique(_arg(block, "conditions") or [])
    if conditions:
        stmt["Condition"] = [
            (str(_arg(c, "test")), str(_arg(c, "variable")), _condition_values(c, version))
            for c in conditions
        ]
    return stmt


def _condition_values(block: dict[str, Any], version: str) -> Any:
    values = _vars(_strings(_arg(block, "values"), "values"), version)
    return values[0] if len(values) == 1 else values


def _unique(blocks: list[Any]) -> list[dict[str, Any]]:
    """Set elements: identical blocks once."""
    out: list[dict[str, Any]] = []
    for b in blocks:
        if isinstance(b, dict) and b not in out:
            out.append(b)
    return out


# --- policy JSON given as a string (source and override documents) ----------------------------


def _decode(text: Any, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except ValueError as exc:
        raise PolicyDocumentError(f'"{where}" contains an invalid JSON: {exc}') from None
    if not isinstance(data, dict):
        raise PolicyDocumentError(f'"{where}" is not a policy document (a JSON object)')
    fields = {k.lower(): v for k, v in data.items()}  # Go matches field names without case
    statements = fields.get("statement") or []
    if not isinstance(statements, list):
        raise PolicyDocumentError(f'"{where}": Statement must be a list')
    return {
        "Version": _text(fields.get("version"), where),
        "Id": _text(fields.get("id"), where),
        "Statement": [_decoded_statement(s, where) for s in statements if s is not None],
    }


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PolicyDocumentError(f'"{where}": expected a string, got {json.dumps(value)}')
    return value


def _decoded_statement(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PolicyDocumentError(f'"{where}": a statement must be an object')
    fields = {k.lower(): v for k, v in data.items()}
    stmt: dict[str, Any] = {
        "Sid": _text(fields.get("sid"), where),
        "Effect": _text(fields.get("effect"), where),
    }
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if fields.get(key.lower()) is not None:
            stmt[key] = fields[key.lower()]  # kept as written, as Go's `any` keeps it
    for key in ("Principal", "NotPrincipal"):
        if fields.get(key.lower()) is not None:
            stmt[key] = _decoded_principals(fields[key.lower()], where)
    if fields.get("condition") is not None:
        stmt["Condition"] = _decoded_conditions(fields["condition"], where)
    return stmt


def _decoded_principals(value: Any, where: str) -> list[tuple[str, Any]]:
    if isinstance(value, str):
        return [("*", ["*"])]  # any string is the wildcard, as the provider reads it
    if not isinstance(value, dict):
        raise PolicyDocumentError(f'"{where}": unsupported Principal {json.dumps(value)}')
    out: list[tuple[str, Any]] = []
    for kind, ids in value.items():
        if isinstance(ids, str):
            out.append((kind, ids))
        elif isinstance(ids, list) and all(isinstance(i, str) for i in ids):
            out.append((kind, sorted(ids, reverse=True)))
        else:
            raise PolicyDocumentError(f'"{where}": unsupported Principal identifiers for {kind}')
    return out


def _decoded_conditions(value: Any, where: str) -> list[tuple[str, str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise PolicyDocumentError(f'"{where}": Condition must map tests to variables')
    out: list[tuple[str, str, Any]] = []
    for test, variables in value.items():
        for variable, values in variables.items():
            if isinstance(values, bool):
                out.append((test, variable, "true" if values else "false"))
            elif isinstance(values, str):
                out.append((test, variable, [values]))
            elif isinstance(values, list) and all(isinstance(v, str) for v in values):
                out.append((test, variable, values))
            # numbers and objects are dropped, as the provider's reader drops them
    return out


# --- merging and writing ------------------------------------------------------------------------


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    if new["Id"]:
        into["Id"] = new["Id"]
    if new["Version"] > into["Version"]:
        into["Version"] = new["Version"]
    for stmt in new["Statement"]:
        if stmt["Sid"]:
            for i, existing in enumerate(into["Statement"]):
                if existing["Sid"] == stmt["Sid"]:
                    into["Statement"][i] = stmt
                    break
            else:
                into["Statement"].append(stmt)
        else:
            into["Statement"].append(stmt)


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc["Version"]:
        out["Version"] = doc["Version"]
    if doc["Id"]:
        out["Id"] = doc["Id"]
    if doc["Statement"]:
        out["Statement"] = [_ordered_statement(s) for s in doc["Statement"]]
    return out


def _ordered_statement(stmt: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("Sid", "Effect"):
        if stmt.get(key):
            out[key] = stmt[key]
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if stmt.get(key) is not None:  # Go leaves out only a nil `any`
            out[key] = stmt[key]
    for key in ("Principal", "NotPrincipal"):
        if stmt.get(key):
            out[key] = _principal_json(stmt[key])
    if stmt.get("Condition"):
        out["Condition"] = _condition_json(stmt["Condition"])
    return out


def _principal_json(principals: list[tuple[str, Any]]) -> Any:
    if len(principals) == 1 and principals[0][0] == "*" and principals[0][1] in ("*", ["*"]):
        return "*"
    raw: dict[str, Any] = {}
    for kind, ids in principals:
        have = raw.get(kind)
        if isinstance(ids, list):
            start = [] if have is None else [have] if isinstance(have, str) else have
            raw[kind] = start + sorted(ids, reverse=True)
        elif have is None:
            raw[kind] = ids
        else:
            raw[kind] = ([have] if isinstance(have, str) else have) + [ids]
    return dict(sorted(raw.items()))


def _condition_json(conditions: list[tuple[str, str, Any]]) -> dict[str, Any]:
    raw: dict[str, dict[str, list[str]]] = {}
    for test, variable, values in conditions:
        raw.setdefault(test, {}).setdefault(variable, []).extend(
            [values] if isinstance(values, str) else values
        )
    return {
        test: {var: (vals[0] if len(vals) == 1 else vals) for var, vals in sorted(variables.items())}
        for test, variables in sorted(raw.items())
    }


def _go_json(value: Any, indent: int | None = None) -> str:
    """JSON as Go's encoding/json writes it (HTML-safe escapes, no spaces when compact)."""
    text = json.dumps(
        value, ensure_ascii=False, indent=indent, separators=(",", ": ") if indent else (",", ":")
    )
    for char, escape in _GO_ESCAPES:
        text = text.replace(char, escape)
    return text
