"""Pulumi resource states (from a preview or a stack export) as stack document resources.

Preview steps and exported resources carry the same fields (urn, type, inputs, outputs, parent,
dependencies), so both sources share the URN parsing, the outputs-over-inputs merge and the
choice of which engine-internal resources to leave out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sesguard.document import UNKNOWN
from sesguard.errors import InputError
from sesguard.sources.common.reading import (
    expect_object,
    kind,
    optional_object,
    optional_string,
    optional_strings,
    place,
)

URN_PREFIX = "urn:pulumi:"
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"


@dataclass(frozen=True)
class Urn:
    stack: str
    project: str
    type: str
    name: str


def parse_urn(urn: str, where: str, at: str) -> Urn:
    """``urn:pulumi:<stack>::<project>::<parent$type>::<name>``; anything else is an input error."""
    parts = urn.split("::")
    if not urn.startswith(URN_PREFIX) or len(parts) < 4 or not all(parts[:3]):
        raise InputError(place(where, at), f"not a Pulumi URN: {urn[:120]!r}")
    return Urn(parts[0][len(URN_PREFIX) :], parts[1], parts[2].rsplit("$", 1)[-1], "::".join(parts[3:]))


def merge(inputs: Any, outputs: Any) -> Any:
    """Outputs over inputs, at every depth.

    A value the program set literally stays judgeable: where a preview only says the output is not
    known yet but the input is, the input is kept (what the program asked for is what gets applied).
    """
    if isinstance(inputs, dict) and isinstance(outputs, dict):
        merged = dict(inputs)
        for key, value in outputs.items():
            merged[key] = merge(inputs[key], value) if key in inputs else value
        return merged
    if outputs == UNKNOWN and inputs is not None:
        return inputs
    return outputs


# Props a provider fills in when the program leaves them out, where a rule must tell the provider's
# value from the program's: an SNS topic's `policy` output is SNS's default policy as read when the
# topic was created, which a TopicPolicy on the topic has replaced since (neither Pulumi nor
# Terraform reads the topic again in the same update). A document resource lists the ones of its
# props that only the provider reported in `computed`.
COMPUTED: dict[str, tuple[str, ...]] = {"aws:sns/topic:Topic": ("policy",)}


def computed(type_: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> list[str]:
    """The watched props of a resource that are outputs only, not the program's inputs."""
    return [k for k in COMPUTED.get(type_, ()) if k in outputs and inputs.get(k) in (None, "")]


def internal(type_: str) -> bool:
    """Providers are the engine's bookkeeping, not declared infrastructure.

    Leaving them out keeps every source's document like the program source's (whose default
    providers the engine, not the program, would create), and keeps provider credentials in state
    (access keys, tokens) out of the document altogether. The stack resource stays: the program
    source has it too, with the stack's exports.
    """
    return type_.startswith(PROVIDER_PREFIX)


def resource(state: Any, where: str, at: str) -> tuple[dict[str, Any], Urn]:
    """One document resource from a preview ``newState`` or an exported resource."""
    state = expect_object(state, where, at)
    urn = state.get("urn")
    if not isinstance(urn, str) or not urn:
        raise InputError(place(where, at), "resource without a URN" if urn is None else "URN is not a string")
    type_ = state.get("type")
    if type_ is None or type_ == "":
        raise InputError(place(where, at), "resource without a type")
    if not isinstance(type_, str):
        raise InputError(place(where, f"{at}.type"), f"expected a string, found {kind(type_)}")
    parsed = parse_urn(urn, where, f"{at}.urn")
    if type_ != parsed.type:
        raise InputError(place(where, at), f"type {type_!r} does not match its URN's type {parsed.type!r}")
    if type_.count(":") != 2 or not all(type_.split(":")[::2]):
        raise InputError(place(where, f"{at}.type"), f"not a Pulumi type token: {type_[:120]!r}")
    inputs = optional_object(state.get("inputs"), where, f"{at}.inputs")
    outputs = optional_object(state.get("outputs"), where, f"{at}.outputs")
    r = {
        "urn": urn,
        "type": type_,
        "name": parsed.name,
        "props": merge(inputs, outputs),
        "parent": optional_string(state.get("parent"), where, f"{at}.parent"),
        "dependencies": optional_strings(state.get("dependencies"), where, f"{at}.dependencies"),
    }
    provider_only = computed(type_, inputs, outputs)
    if provider_only:
        r["computed"] = provider_only
    return r, parsed


def identity(urns: list[tuple[Urn, str]], where: str) -> tuple[str, str]:
    """The one (project, stack) the URNs belong to; a file mixing stacks is an input error."""
    seen = {(u.project, u.stack): at for u, at in urns}
    if len(seen) > 1:
        (p1, s1), (p2, s2) = sorted(seen)[:2]
        raise InputError(
            place(where, seen[(p2, s2)]), f"resources from more than one stack ({p1}/{s1} and {p2}/{s2})"
        )
    if not seen:
        raise InputError(where, "no resources: cannot tell which project and stack this is")
    return next(iter(seen))


def provider_region(states: list[dict[str, Any]]) -> str | None:
    """The region of the default AWS provider, for sources that carry no ``aws:region`` config.

    Pulumi names the providers it creates itself ``default`` or ``default_<version>``; an explicit
    provider in another region (which may come first in the file) is not the stack's region.
    """
    defaults = [st for st in states if isinstance(st, dict) and _provider_name(st).startswith("default")]
    for st in defaults or states:
        if isinstance(st, dict) and str(st.get("type", "")) == "pulumi:providers:aws":
            for bag in ("outputs", "inputs"):
                region = (st.get(bag) or {}).get("region") if isinstance(st.get(bag), dict) else None
                if isinstance(region, str) and region and region != UNKNOWN:
                    return region
    return None


def _provider_name(state: dict[str, Any]) -> str:
    urn = state.get("urn")
    return urn.rsplit("::", 1)[-1] if isinstance(urn, str) else ""
