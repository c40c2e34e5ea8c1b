"""The AWS region of each resource of a stack export or a preview, from its own provider.

A program may create resources through several AWS providers (``aws.Provider("euw1",
region="eu-west-1")`` passed as ``opts=ResourceOptions(provider=…)``); region-dependent rules (the
MAIL FROM MX names the region's feedback host) must use the region of the provider that creates
the resource, not the stack's default. Pulumi records that provider on every resource state as a
reference ``<provider URN>::<provider id>``; the provider's own state carries its ``region``. In
order: the resource's own ``region`` property (pulumi-aws 7 has one on most resources), its
provider's region, the region field of its ARN. The resource's optional ``region`` field in the
stack document is set only when one of them is known.
"""

from __future__ import annotations

from typing import Any

from sesguard.document import UNKNOWN
from sesguard.sources.common.resources import merge

AWS_PROVIDER = "pulumi:providers:aws"


def _known(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != UNKNOWN and value != "[secret]" else None


def region_of(type_: str, props: Any, provider_props: Any) -> str | None:
    """The region of an AWS resource from its (merged) props and its provider's props, if known."""
    if not type_.startswith("aws:"):
        return None
    own = props if isinstance(props, dict) else {}
    provider = provider_props if isinstance(provider_props, dict) else {}
    return _known(own.get("region")) or _known(provider.get("region")) or _arn_region(own.get("arn"))


def _arn_region(arn: Any) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return _known(parts[3]) if len(parts) >= 6 and parts[0] == "arn" else None


def _props(state: dict[str, Any]) -> Any:
    """A provider state's outputs over its inputs (its region is an input)."""
    inputs, outputs = state.get("inputs"), state.get("outputs")
    return merge(inputs if isinstance(inputs, dict) else {}, outputs if isinstance(outputs, dict) else {})


def _provider_urn(reference: Any) -> str | None:
    """``urn:pulumi:…::pulumi:providers:aws::<name>::<id>`` → the provider's URN (the id may be unknown)."""
    if not isinstance(reference, str) or "::" not in reference:
        return None
    return reference.rsplit("::", 1)[0]


def assign(resources: list[dict[str, Any]], states: list[dict[str, Any]]) -> None:
    """Set ``region`` on each AWS resource of ``resources`` whose region its state tells."""
    providers = {
        st["urn"]: _props(st)
        for st in states
        if st.get("type") == AWS_PROVIDER and isinstance(st.get("urn"), str)
    }
    by_urn = {st.get("urn"): st for st in states}
    for resource in resources:
        state = by_urn.get(resource["urn"])
        provider = _provider_urn(state.get("provider")) if state is not None else None
        region = region_of(resource["type"], resource["props"], providers.get(provider) if provider else None)
        if region:
            resource["region"] = region
