"""`terraform show -json` / `tofu show -json` output (a plan or a state) as a stack document.

A plan's props come from ``resource_changes[].change.after`` with ``after_unknown`` laid over it
(``planned_values`` cannot tell unknown from null); a state's from ``values``. Sensitive values are
redacted by their masks before anything else reads them, since Terraform writes them in plain
text. Types and names go through the mapping table (tfmapping), dependencies are rebuilt from the
configuration (tfdeps). What cannot be judged as a whole stack is refused with the command to run
instead: a binary plan, a raw ``terraform.tfstate``, an errored plan, an unsupported major format,
and partial plans (``complete: false`` from ``-target`` or deferred changes, refresh-only plans):
a partial view could hide the resource a rule needs, so it is exit 2, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesguard.document import SECRET, UNKNOWN, Document, new_document
from sesguard.errors import InputError
from sesguard.sources.common import positions
from sesguard.sources.common import resources as resources_common
from sesguard.sources.common.reading import (
    STDIN,
    expect_array,
    expect_object,
    kind,
    label,
    optional_object,
    parse_json,
    place,
    read_bytes,
)
from sesguard.sources.terraform import address as tfaddress
from sesguard.sources.terraform import config as tfconfig
from sesguard.sources.terraform import deps as tfdeps
from sesguard.sources.terraform import mapping as tfmapping

SUPPORTED_MAJOR = "1"
PROJECT = "terraform"
SHOW = "`terraform show -json` (or `tofu show -json`)"
SHOW_PLAN = SHOW.replace("-json", "-json <planfile>")


@dataclass
class Instance:
    address: tfaddress.Address
    text: str
    values: dict[str, Any]


def _refuse_shape(top: dict[str, Any], where: str) -> None:
    if "format_version" in top:
        return
    if "lineage" in top or ("version" in top and "resources" in top and "terraform_version" in top):
        raise InputError(
            where,
            f"a raw terraform.tfstate is Terraform's internal format: run {SHOW} in the working "
            "directory and pass its output",
        )
    if "steps" in top:
        raise InputError(where, "this is `pulumi preview --json` output: use --preview")
    if "deployment" in top:
        raise InputError(where, "this is `pulumi stack export` output: use --state")
    if "AWSTemplateFormatVersion" in top or "Resources" in top:
        raise InputError(where, "this is a CloudFormation template: use --cloudformation")
    raise InputError(where, f"no `format_version`: not {SHOW} output")


def _check_version(top: dict[str, Any], where: str) -> None:
    version = top["format_version"]
    if not isinstance(version, str):
        raise InputError(place(where, "format_version"), f"expected a string, found {kind(version)}")
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise InputError(
            where,
            f"format_version {version[:20]!r} is not supported (major {SUPPORTED_MAJOR} expected): "
            f"show the plan with a Terraform or OpenTofu release that writes format 1.x",
        )


def _check_flags(top: dict[str, Any], where: str) -> None:
    """`errored` and `complete` are JSON booleans in every plan Terraform writes: anything else
    (the string "true", a number) is not Terraform's output and could hide a failed or partial plan."""
    for key in ("errored", "complete"):
        if key in top and not isinstance(top[key], bool):
            raise InputError(
                place(where, key),
                f"expected a boolean (true or false), found {kind(top[key])}: not {SHOW} output",
            )


def _refuse_partial(top: dict[str, Any], where: str, prior: list[dict[str, Any]]) -> None:
    if top.get("errored") is True:
        raise InputError(
            where, "the plan errored (errored: true): fix what `terraform plan` reported and plan again"
        )
    if top.get("complete") is False or top.get("deferred_changes"):
        raise InputError(
            where,
            "a partial plan (complete: false: -target or deferred changes) does not show the whole "
            "stack: plan without -target until nothing is deferred",
        )
    changes = top.get("resource_changes") or []
    if not changes and any(r.get("mode") == "managed" for r in prior):
        raise InputError(
            where,
            "a refresh-only plan shows no planned resources: judge a normal plan, or the state "
            f"with {SHOW} and no plan file",
        )


def _sensitive_variables(configuration: Any) -> set[str]:
    root = configuration.get("root_module") if isinstance(configuration, dict) else None
    decls = root.get("variables") if isinstance(root, dict) else None
    if not isinstance(decls, dict):
        return set()
    return {name for name, d in decls.items() if isinstance(d, dict) and d.get("sensitive") is True}


def _variables(top: dict[str, Any], where: str) -> dict[str, Any]:
    """Root variables, sensitive ones already redacted (their values are plain text in the plan)."""
    raw = optional_object(top.get("variables"), where, "variables")
    secret = _sensitive_variables(top.get("configuration"))
    return {
        name: {"value": SECRET if name in secret else (v.get("value") if isinstance(v, dict) else None)}
        for name, v in raw.items()
    }


def _values_resources(values: Any, where: str, at: str) -> list[dict[str, Any]]:
    """Every resource of a values representation, child modules at any depth, values redacted."""
    if values is None:
        return []
    values = expect_object(values, where, at)
    found: list[dict[str, Any]] = []
    stack: list[tuple[Any, str]] = [(values.get("root_module"), f"{at}.root_module")]
    while stack:
        module, mat = stack.pop()
        if module is None:
            continue
        module = expect_object(module, where, mat)
        for i, r in enumerate(expect_array(module.get("resources") or [], where, f"{mat}.resources")):
            r = expect_object(r, where, f"{mat}.resources[{i}]")
            item = dict(r)
            item["values"] = tfmapping.redact(r.get("values"), r.get("sensitive_values"))
            item.pop("sensitive_values", None)
            item["_at"] = f"{mat}.resources[{i}]"
            found.append(item)
        children = expect_array(module.get("child_modules") or [], where, f"{mat}.child_modules")
        stack += [(child, f"{mat}.child_modules[{j}]") for j, child in enumerate(children)]
    return found


def _address(text: Any, where: str, at: str) -> tfaddress.Address:
    if not isinstance(text, str) or not text:
        raise InputError(place(where, at), "resource without an address")
    try:
        return tfaddress.parse(text)
    except tfaddress.AddressError as exc:
        raise InputError(place(where, f"{at}.address"), f"not a Terraform resource address: {exc}") from None


def _object_values(value: Any, where: str, at: str) -> dict[str, Any]:
    if value is None or value == UNKNOWN:
        return {}
    return expect_object(value, where, at)


def _refuse_duplicates(addresses: list[tuple[Any, str]], where: str) -> None:
    """One address, one object: a second entry would silently replace the first one judged."""
    seen: set[Any] = set()
    for address, at in addresses:
        if address in seen:
            raise InputError(
                place(where, at),
                f"the address {_shown(address)} appears more than once: not {SHOW} output",
            )
        seen.add(address)


def _shown(address: Any) -> str:
    text = address if isinstance(address, str) else repr(address)
    return text if len(text) <= 160 else text[:157] + "..."


def _refuse_unplanned(top: dict[str, Any], where: str) -> None:
    """Every managed resource in ``planned_values`` has its entry in ``resource_changes``, and
    there is one at least.

    Terraform writes both for every planned resource (a no-op too); sesguard judges the changes,
    since only they tell unknown from null. A resource planned but absent from the changes (the
    list cut or left out) would go unjudged: refuse rather than pass what was not read.
    """
    planned = optional_object(top.get("planned_values"), where, "planned_values")
    changed = {
        rc.get("address")
        for rc in expect_array(top.get("resource_changes") or [], where, "resource_changes")
        if isinstance(rc, dict)
    }
    for r in _values_resources(planned or None, where, "planned_values"):
        if r.get("mode", "managed") == "managed" and r.get("address") not in changed:
            raise InputError(
                place(where, r["_at"]),
                f"planned_values lists {_shown(r.get('address'))}, which resource_changes does not: "
                f"the plan is incomplete; show the plan file again with {SHOW_PLAN}",
            )
    if not changed:
        # Terraform lists every planned resource, no-ops too: a plan with none plans nothing,
        # and its data source reads alone would be judged as a stack that declares no SES.
        raise InputError(
            where, f"the plan lists no resource_changes: nothing is planned to judge; pass {SHOW_PLAN} output"
        )


def _plan_instances(top: dict[str, Any], where: str) -> list[Instance]:
    out: list[Instance] = []
    changes = expect_array(top.get("resource_changes") or [], where, "resource_changes")
    _refuse_duplicates(
        [
            (rc.get("address"), f"resource_changes[{i}]")
            for i, rc in enumerate(changes)
            if isinstance(rc, dict) and not rc.get("deposed")
        ],
        where,
    )
    for i, rc in enumerate(changes):
        at = f"resource_changes[{i}]"
        rc = expect_object(rc, where, at)
        if rc.get("deposed"):
            continue  # a deposed object is on its way out
        change = expect_object(rc.get("change"), where, f"{at}.change")
        actions = change.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise InputError(place(where, f"{at}.change.actions"), "expected a list of action names")
        if "create" not in actions and ("delete" in actions or "forget" in actions):
            continue
        # Redact first: nothing below reads an unmasked value.
        after = tfmapping.redact(change.get("after"), change.get("after_sensitive"))
        values = tfmapping.overlay_unknown(after, change.get("after_unknown"))
        address = _address(rc.get("address"), where, at)
        out.append(Instance(address, rc["address"], _object_values(values, where, f"{at}.change.after")))
    return out


def _state_instances(resources: list[dict[str, Any]], where: str) -> list[Instance]:
    _refuse_duplicates([(r.get("address"), r["_at"]) for r in resources if not r.get("deposed_key")], where)
    out: list[Instance] = []
    for r in resources:
        if r.get("deposed_key"):
            continue
        address = _address(r.get("address"), where, r["_at"])
        out.append(Instance(address, r["address"], _object_values(r["values"], where, f"{r['_at']}.values")))
    return out


def _stack_name(path: str | Path) -> str:
    return "stdin" if str(path) == STDIN else Path(path).stem or "terraform"


def _urn(stack: str, token: str, address: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{token}::{address}"


def _known_string(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value not in (UNKNOWN, SECRET) else None


def from_json(
    data: Any,
    where: str,
    stack: str = "terraform",
    region: str | None = None,
    config: dict[str, Any] | None = None,
) -> Document:
    top = expect_object(data, where, "", f"{SHOW} output")
    _refuse_shape(top, where)
    _check_version(top, where)
    is_plan = any(k in top for k in ("resource_changes", "planned_values", "configuration", "prior_state"))
    if is_plan:
        prior_state = optional_object(top.get("prior_state"), where, "prior_state")
        prior = _values_resources(prior_state.get("values"), where, "prior_state.values")
        _check_flags(top, where)
        _refuse_partial(top, where, prior)
        _refuse_unplanned(top, where)
        changed = _plan_instances(top, where)
        planned = {i.text for i in changed}
        # Data sources read at plan time are in the prior state, not in resource_changes.
        reads = _state_instances(prior, where)
        instances = changed + [i for i in reads if i.address.mode == "data" and i.text not in planned]
        depends_on = {r["address"]: r.get("depends_on") or [] for r in prior}
    else:
        state = _values_resources(top.get("values"), where, "values")
        instances = _state_instances(state, where)
        depends_on = {r["address"]: r.get("depends_on") or [] for r in state}
    cfg = tfconfig.read(top.get("configuration"))
    variables = _variables(top, where)
    kind_ = "plan" if is_plan else "state"
    # A plan carries no stack settings (dns: external, accountSuppression…): --config gives them.
    doc = _document(instances, cfg, variables, depends_on, where, stack, kind_, config or {})
    if doc["region"] is None:
        # No root provider region in the input (a state has no configuration): the one region
        # every resource names, else what --region says.
        regions = {r["region"] for r in doc["resources"] if r.get("region")}
        doc["region"] = regions.pop() if len(regions) == 1 else region
    return doc


def _document(
    instances: list[Instance],
    cfg: tfconfig.Config,
    variables: dict[str, Any],
    depends_on: dict[str, list[str]],
    where: str,
    stack: str,
    kind_: str,
    config: dict[str, Any],
) -> Document:
    table = tfmapping.table()
    maps: dict[str, tfmapping.TypeMap] = {}
    urns: dict[str, tfaddress.Address] = {}
    by_text: dict[str, Instance] = {}
    for inst in instances:
        a = inst.address
        source = table.resources if a.mode == "managed" else table.data_sources
        tm = source.get(a.type)
        token = tm.token if tm else a.type.replace("_", "-") + ":tf:" + a.mode
        urn = _urn(stack, token, inst.text)
        if tm is not None:
            maps[urn] = tm
        urns[urn] = a
        by_text[urn] = inst
    deps = tfdeps.dependencies(urns, cfg, {u: depends_on.get(by_text[u].text, []) for u in urns})
    default_region = tfconfig.provider_region(cfg, tfconfig.default_provider_key(cfg), variables)
    resources: list[dict[str, Any]] = []
    merges: list[tuple[tfmapping.Merge, dict[str, Any], str]] = []
    for urn, inst in by_text.items():
        a = inst.address
        if a.mode == "managed" and a.type in table.merged:
            merges.append((table.merged[a.type], inst.values, urn))
            continue
        tm = maps.get(urn)
        if tm is None:
            continue
        node: tfconfig.Node = ("r", a.config_modules, a.resource)
        values = {
            k: v
            for k, v in inst.values.items()
            if not (k in tm.computed_unless_set and v == UNKNOWN and cfg.sets(node, k) is False)
        }
        region = (
            _known_string(values.get("region"))
            or tfconfig.provider_region(cfg, cfg.provider_key(node), variables)
            or _arn_region(values.get("arn"))
        )
        resource = {
            "urn": urn,
            "type": tm.token,
            "name": inst.text,
            "props": tfmapping.convert(tm, values),
            "parent": None,
            "dependencies": [d for d in deps[urn] if d in maps],
            "region": region,
        }
        provider_only = _computed(tm, values, cfg, node)
        if provider_only:
            resource["computed"] = provider_only
        resources.append(resource)
    _apply_merges(resources, merges, table, deps, maps)
    if not resources:
        raise InputError(
            where, f"the {kind_} declares no resource sesguard judges (SES, DNS, SNS, SQS, alarms)"
        )
    return new_document(
        source="terraform",
        project=PROJECT,
        stack=stack,
        region=default_region,
        config=config,
        resources=resources,
        file=where,
        language="terraform",
    )


def _arn_region(arn: Any) -> str | None:
    """The region field of a known ARN: a state carries no provider configuration, but every
    regional resource's ARN names the region its provider created it in."""
    text = _known_string(arn)
    parts = text.split(":") if text else []
    return parts[3] if len(parts) >= 6 and parts[0] == "arn" and parts[3] else None


def _computed(
    tm: tfmapping.TypeMap, values: dict[str, Any], cfg: tfconfig.Config, node: tfconfig.Node
) -> list[str]:
    """The watched props (sources/common/resources.COMPUTED) the configuration does not set.

    A state has no configuration: there an Optional+Computed attribute cannot be told from the
    user's, and is taken as the provider's (a TopicPolicy on the topic is applied after it and wins).
    """
    watched = resources_common.COMPUTED.get(tm.token, ())
    return [
        tm.rename.get(k, tfmapping.camel(k))
        for k, v in values.items()
        if tm.rename.get(k, tfmapping.camel(k)) in watched and v is not None and cfg.sets(node, k) is not True
    ]


def _apply_merges(
    resources: list[dict[str, Any]],
    merges: list[tuple[tfmapping.Merge, dict[str, Any], str]],
    table: tfmapping.Table,
    deps: dict[str, list[str]],
    maps: dict[str, tfmapping.TypeMap],
) -> None:
    """Fold a resource Pulumi does not model into the one it configures (matched by identity)."""
    for merge, values, urn in merges:
        into = table.resources[merge.into].token
        tf_key, pulumi_key = merge.match
        for r in resources:
            if r["type"] != into or r["props"].get(pulumi_key) != values.get(tf_key):
                continue
            for tf_name, pulumi_name in merge.set.items():
                if tf_name in values:
                    r["props"][pulumi_name] = values[tf_name]
            extra = [d for d in deps[urn] if d in maps and d != r["urn"]]
            r["dependencies"] = sorted(set(r["dependencies"]) | set(extra))


def load(path: str | Path, region: str | None = None, config: dict[str, Any] | None = None) -> Document:
    where = label(path)
    raw = read_bytes(path)
    if raw[:4] == b"PK\x03\x04":
        raise InputError(
            where,
            f"a binary plan file: run {SHOW.replace('-json', '-json <planfile>')} in the initialised "
            "working directory and pass its output",
        )
    if str(path).endswith((".tf", ".hcl")) or (
        raw.lstrip()[:1] not in (b"{", b"") and b"resource" in raw[:65536]
    ):
        # Terraform's own language, not the JSON of a plan: the plan is what Terraform will do.
        raise InputError(
            where,
            "a Terraform configuration, not a plan: run `terraform init`, `terraform plan -out tfplan` "
            "and `terraform show -json tfplan > tfplan.json` in its directory, and pass tfplan.json",
        )
    data = parse_json(raw, where)
    try:
        doc = from_json(data, where, _stack_name(path), region, config)
    except RecursionError:
        raise InputError(where, "nested too deeply to be a Terraform plan or state") from None
    if str(path) != STDIN:
        # A plan names no file for its resources, so every finding falls back to a stack-wide
        # place: the plan handed in (relative to its repository's root, from wherever sesguard
        # runs), never a Pulumi.yaml a Terraform repository does not have. --config's
        # stack file, when given, takes its place.
        doc["config_file"] = positions.input_file(path)
    return doc
