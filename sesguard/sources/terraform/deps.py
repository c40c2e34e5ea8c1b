"""Dependencies of Terraform resource instances, rebuilt from the configuration's references and
the state's ``depends_on``, as a transitive closure.

A plan lists no dependencies for resources it creates. The configuration does, per block:
references to resources, data sources, module outputs and input variables, which this follows
across module boundaries. References name blocks, not instances, so an instance is linked to the
target's instances in the same module instance, and, when the reference names no key, to the one
with its own ``count``/``for_each`` key if there is one (every DKIM record of a ``for_each`` over
domains would otherwise depend on every identity). The closure is taken here, before the engine's
projection keeps only the types the rules read: a link through a data source, a local-free
``null_resource`` or an IAM policy document must survive that.
"""

from __future__ import annotations

from sesguard.sources.common import graph
from sesguard.sources.terraform import address as tfaddress
from sesguard.sources.terraform import config as tfconfig
from sesguard.sources.terraform.address import Address, Key


def _reach(cfg: tfconfig.Config, start: tfconfig.Node) -> dict[tfconfig.Node, set[Key]]:
    """Managed resource blocks reachable from ``start`` through outputs, variables and data sources,
    with the instance keys direct references name (None: the reference names the whole block)."""
    found: dict[tfconfig.Node, set[Key]] = {}
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        for edge in cfg.edges.get(node, ()):
            targets = [edge.target]
            kind, module, name = edge.target
            if kind == "o" and name == "*":
                targets = [("o", module, o) for o in cfg.outputs.get(module, ())]
            for t in targets:
                if t[0] == "r":
                    found.setdefault(t, set()).add(edge.key if node == start else None)
                    if not t[2].startswith("data."):
                        continue
                # Data sources, outputs and variables are passed through: what they read from
                # is what the referring resource depends on.
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
    return found


def _same_module_instance(a: Address, b: Address) -> bool:
    for x, y in zip(a.modules, b.modules, strict=False):
        if x.name != y.name:
            return True
        if x.key != y.key:
            return False
    return True


def _pick(candidates: list[tuple[str, Address]], keys: set[Key], own: Key) -> list[str]:
    explicit = {k for k in keys if k is not None and k != "*"}
    if explicit:
        return [u for u, a in candidates if a.key in explicit]
    if own is not None and any(a.key == own for _, a in candidates):
        return [u for u, a in candidates if a.key == own]
    return [u for u, _ in candidates]


def _node(a: Address) -> tfconfig.Node:
    return ("r", a.config_modules, a.resource)


def _state_dependency(ref: str, a: Address) -> tfconfig.Node | None:
    """A state ``depends_on`` entry: a resource address relative to the dependent's module."""
    try:
        modules, rest = tfaddress.parse_modules(tfaddress.tokenize(ref))
    except tfaddress.AddressError:
        return None
    names = [s.name for s in rest]
    if not (len(names) == 2 or (len(names) == 3 and names[0] == "data")):
        return None
    return ("r", (*a.config_modules, *(m.name for m in modules)), ".".join(names))


def dependencies(
    instances: dict[str, Address], cfg: tfconfig.Config, depends_on: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Each instance's (URN's) dependencies, transitively closed, as URNs of other instances."""
    by_node: dict[tfconfig.Node, list[tuple[str, Address]]] = {}
    for urn, a in instances.items():
        by_node.setdefault(_node(a), []).append((urn, a))
    direct: dict[str, set[str]] = {}
    for urn, a in instances.items():
        targets = _reach(cfg, _node(a))
        for ref in depends_on.get(urn, []):
            node = _state_dependency(ref, a)
            if node is not None:
                targets.setdefault(node, set()).add(None)
        deps: set[str] = set()
        for t, keys in targets.items():
            candidates = [(u, b) for u, b in by_node.get(t, []) if _same_module_instance(a, b)]
            deps.update(_pick(candidates, keys, a.key))
        deps.discard(urn)
        direct[urn] = deps
    closed = graph.closure(direct)
    return {urn: sorted(closed[urn]) for urn in instances}
