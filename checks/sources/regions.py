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

from checks.document import UNKNOWN

AWS_PROVIDER = "pulumi:providers:aws"


def _known(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != UNKNOWN and value != "[secret]" else None


def _bag_region(state: dict[str, Any]) -> str | None:
    for bag in ("outputs", "inputs"):
        props = state.get(bag)
        if isinstance(props, dict) and (region := _known(props.get("region"))):
            return region
    return None


def _arn_region(state: dict[str, Any]) -> str | None:
    for bag in ("outputs", "inputs"):
        props = state.get(bag)
        arn = props.get("arn") if isinstance(props, dict) else None
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) >= 6 and parts[0] == "arn" and (region := _known(parts[3])):
            return region
    return None


def _provider_urn(reference: Any) -> str | None:
    """``urn:pulumi:…::pulumi:providers:aws::<name>::<id>`` → the provider's URN (the id may be unknown)."""
    if not isinstance(reference, str) or "::" not in reference:
        return None
    return reference.rsplit("::", 1)[0]


def assign(resources: list[dict[str, Any]], states: list[dict[str, Any]]) -> None:
    """Set ``region`` on each AWS resource of ``resources`` whose region its state tells."""
    providers = {
        st["urn"]: region
        for st in states
        if st.get("type") == AWS_PROVIDER and isinstance(st.get("urn"), str) and (region := _bag_region(st))
    }
    by_urn = {st.get("urn"): st for st in states}
    for resource in resources:
        state = by_urn.get(resource["urn"])
        if state is None or not resource["type"].startswith("aws:"):
            continue
        provider = _provider_urn(state.get("provider"))
        region = _bag_region(state) or (providers.get(provider) if provider else None) or _arn_region(state)
        if region:
            resource["region"] = region
