"""What a plan's ``configuration`` says: which attributes a block sets, what it references, and
which provider (and so which region) each resource uses.

Only these facts are taken from the configuration; its constant values never reach the document
(a literal in a module call or a provider block may be a secret the plan does not mark), except a
provider's ``region``. Configuration is per module *call*, instance-less, with module-relative
addresses (json-format.mdx, "Configuration Representation").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sesguard.document import SECRET
from sesguard.sources.terraform import address as tfaddress

ModuleKey = tuple[str, ...]  # module call names from the root, no instance keys
# A node of the reference graph: a resource block ("r", module, "type.name" or "data.type.name"),
# a module output ("o", module, name) or a module input variable ("v", module, name).
Node = tuple[str, ModuleKey, str]


@dataclass(frozen=True)
class Edge:
    target: Node
    key: tfaddress.Key  # the instance key a reference names explicitly (`aws_x.y[0]`), else None


@dataclass
class Config:
    blocks: dict[Node, dict[str, Any]] = field(default_factory=dict)  # resource node -> its config
    edges: dict[Node, set[Edge]] = field(default_factory=dict)
    outputs: dict[ModuleKey, set[str]] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    present: bool = False

    def sets(self, node: Node, attribute: str) -> bool | None:
        """Whether the block sets ``attribute`` (None: the configuration does not describe the block)."""
        block = self.blocks.get(node)
        if block is None:
            return None
        expressions = block.get("expressions")
        return isinstance(expressions, dict) and attribute in expressions

    def provider_key(self, node: Node) -> str | None:
        key = (self.blocks.get(node) or {}).get("provider_config_key")
        return key if isinstance(key, str) else None


def references(expr: Any) -> list[str]:
    """Every ``references`` string in an expression tree (attributes and nested blocks)."""
    found: list[str] = []
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, dict):
            refs = e.get("references")
            if isinstance(refs, list):
                found += [r for r in refs if isinstance(r, str)]
            stack += [v for k, v in e.items() if k != "references"]
        elif isinstance(e, list):
            stack += e
    return found


_IGNORED_ROOTS = {"local", "each", "count", "path", "terraform", "self"}


def target(ref: str, module: ModuleKey) -> Edge | None:
    """The graph node a reference in ``module`` points at. ``local.*`` is a dead end: the JSON
    configuration carries no locals (hashicorp/terraform#35674)."""
    try:
        steps = tfaddress.tokenize(ref)
    except tfaddress.AddressError:
        return None
    if not steps or steps[0].name in _IGNORED_ROOTS:
        return None
    head = steps[0].name
    if head == "var" and len(steps) > 1:
        return Edge(("v", module, steps[1].name), None)
    if head == "module" and len(steps) > 1:
        child = (*module, steps[1].name)
        return Edge(("o", child, steps[2].name if len(steps) > 2 else "*"), None)
    if head == "data" and len(steps) > 2:
        return Edge(("r", module, f"data.{steps[1].name}.{steps[2].name}"), steps[2].key)
    if len(steps) > 1 and steps[0].key is None:
        return Edge(("r", module, f"{steps[0].name}.{steps[1].name}"), steps[1].key)
    return None


def _add(cfg: Config, source: Node, refs: list[str], module: ModuleKey) -> None:
    edges = cfg.edges.setdefault(source, set())
    for ref in refs:
        edge = target(ref, module)
        if edge is not None and edge.target != source:
            edges.add(edge)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _walk(cfg: Config, mod: Any, key: ModuleKey) -> None:
    if not isinstance(mod, dict):
        return
    for res in mod.get("resources") or []:
        if not isinstance(res, dict) or not isinstance(res.get("address"), str):
            continue
        node: Node = ("r", key, res["address"])
        cfg.blocks[node] = res
        refs = references(res.get("expressions"))
        refs += references(res.get("count_expression")) + references(res.get("for_each_expression"))
        refs += [d for d in res.get("depends_on") or [] if isinstance(d, str)]
        _add(cfg, node, refs, key)
    outputs = _mapping(mod.get("outputs"))
    cfg.outputs[key] = set(outputs)
    for name, out in outputs.items():
        out = out if isinstance(out, dict) else {}
        refs = references(out.get("expression"))
        refs += [d for d in out.get("depends_on") or [] if isinstance(d, str)]
        _add(cfg, ("o", key, name), refs, key)
    calls = _mapping(mod.get("module_calls"))
    for name, call in calls.items():
        if not isinstance(call, dict):
            continue
        child = (*key, name)
        shared = references(call.get("count_expression")) + references(call.get("for_each_expression"))
        shared += [d for d in call.get("depends_on") or [] if isinstance(d, str)]
        expressions = _mapping(call.get("expressions"))
        for var, expr in expressions.items():
            _add(cfg, ("v", child, var), references(expr) + shared, key)
        _walk(cfg, call.get("module"), child)


def read(configuration: Any) -> Config:
    cfg = Config()
    if not isinstance(configuration, dict):
        return cfg
    cfg.present = True
    providers = configuration.get("provider_config")
    if isinstance(providers, dict):
        cfg.providers = {k: v for k, v in providers.items() if isinstance(v, dict)}
    _walk(cfg, configuration.get("root_module"), ())
    return cfg


def provider_region(cfg: Config, key: str | None, variables: dict[str, Any]) -> str | None:
    """The ``region`` of a provider configuration: a constant, or a root ``var.`` resolved from the
    plan's variables; None when it is set some other way (the provider's environment, a local)."""
    if key is None:
        return None
    provider = cfg.providers.get(key)
    if provider is None:
        return None
    expr = (provider.get("expressions") or {}).get("region")
    if not isinstance(expr, dict):
        return None
    value = expr.get("constant_value")
    if value is None:
        module = tuple(m.name for m in tfaddress.module_path(provider.get("module_address") or None))
        for ref in expr.get("references") or []:
            edge = target(ref, module) if isinstance(ref, str) else None
            if edge is not None and edge.target[0] == "v" and edge.target[1] == ():
                value = (variables.get(edge.target[2]) or {}).get("value")
                break
    return value if isinstance(value, str) and value and value != SECRET else None


def default_provider_key(cfg: Config) -> str | None:
    """The root module's unaliased AWS provider: the stack's region."""
    for key, p in cfg.providers.items():
        root = not p.get("alias") and not p.get("module_address")
        if root and _is_aws(p.get("full_name") or p.get("name")):
            return key
    return None


def _is_aws(name: Any) -> bool:
    # registry.terraform.io/hashicorp/aws, registry.opentofu.org/hashicorp/aws, or 0.12's bare `aws`.
    return isinstance(name, str) and (name == "aws" or name.endswith("/hashicorp/aws"))
