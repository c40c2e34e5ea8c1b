"""A CloudFormation template (JSON or YAML with short-form intrinsics) or `cdk synth` output as a
stack document.

The template is parsed by cfn-lint's decoder, which reads ``!Ref``/``!GetAtt``/``!Sub``… and keeps
each key's line. Intrinsics are evaluated where the template decides them (cfnintrinsics), the
resources converted to the pulumi-aws ones the rules read (cfnresources). A `cdk synth` output is a
template whose resources carry ``aws:cdk:path`` metadata, or a ``cdk.out`` directory whose
``manifest.json`` names each stack's template and environment (account and region); for those,
a resource is named by its construct path, since the template's lines are generated.

CloudFormation cannot declare the account-level suppression list or any SES v1 resource: a
template is judged like a Pulumi stack without them, so SES-016 stays mandatory unless the
template's ``Metadata: {sesguard: {accountSuppression: false}}`` (or a waiver) says another stack
owns it (docs/cloudformation.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesguard.document import SECRET, UNKNOWN, Document, new_document
from sesguard.errors import InputError, warn
from sesguard.sources.cloudformation import intrinsics as fn
from sesguard.sources.cloudformation import resources as cfnresources
from sesguard.sources.cloudformation.files import read_file
from sesguard.sources.common import positions
from sesguard.sources.common.reading import decode_text, expect_object, kind, place

PROJECT = "cloudformation"
MANIFEST = "manifest.json"
CDK_PATH = "aws:cdk:path"


@dataclass(frozen=True)
class Environment:
    region: str | None = None
    account: str | None = None
    stack: str | None = None
    paths: dict[str, str] | None = None  # logical id -> construct path (from the manifest)
    # construct path -> where the user's code created it (``aws:cdk:creationStack``, cdk --debug)
    created: dict[str, dict[str, Any]] | None = None
    # The language fixes are shown in: a CDK app's (cdk-typescript, cdk-python) or the template's.
    language: str = "cloudformation"


# (parent logical id, its AWS::CloudFormation::Stack resource, the parent template's name in
# messages) -> the nested template as (template, nodes, where); InputError when it cannot be read.
NestedReader = Callable[[str, dict[str, Any], str], tuple[dict[str, Any], Any, str]]

# How deep nested stacks may nest (CloudFormation itself allows 5 levels under the root).
MAX_NESTING = 5


def decode(raw: bytes, where: str) -> tuple[dict[str, Any], Any]:
    from cfnlint.decode import decode_str

    if not raw.strip():
        raise InputError(where, "file is empty")
    text = decode_text(raw, where)
    _bounded(text, where)
    try:
        template, problems = decode_str(text)
    except RecursionError:
        raise InputError(where, "not a template: nested too deeply") from None
    if template is None or problems:
        first = problems[0] if problems else None
        line = getattr(first, "linenumber", None)
        at = f" at line {line}" if line else ""
        # cfn-lint's message can quote the template; only its position is reported.
        raise InputError(where, f"not a readable JSON or YAML template{at}")
    return expect_object(template, where, "", "a CloudFormation template object"), template


def _bounded(text: str, where: str) -> None:
    """Refuse a template nested past the limit before cfn-lint composes it (libyaml recurses in C:
    a template 30,000 levels deep was a SIGSEGV, not an error). JSON is YAML to this check."""
    import yaml

    from sesguard import yamlio

    try:
        yamlio.check_depth(text)
    except yamlio.LimitError as exc:
        mark = exc.problem_mark
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(where, f"not a template{at}: {exc.problem}") from None
    except yaml.YAMLError:
        pass


def _parameters(
    template: dict[str, Any], where: str, given: dict[str, Any]
) -> tuple[dict[str, Any], frozenset[str]]:
    """Each parameter's value, and the names the deploy cannot change (given, not defaulted)."""
    params = template.get("Parameters") or {}
    if not isinstance(params, dict):
        raise InputError(place(where, "Parameters"), f"expected an object, found {kind(params)}")
    out: dict[str, Any] = {}
    fixed: set[str] = set()
    for name, p in params.items():
        name = str(name)
        p = p if isinstance(p, dict) else {}
        type_ = str(p.get("Type", "String"))
        value: Any = given[name] if name in given else p.get("Default", UNKNOWN)
        if type_.startswith("AWS::SSM::Parameter"):
            value = UNKNOWN  # the value names an SSM parameter; its value is read at deploy
        elif str(p.get("NoEcho", "")).lower() == "true":
            value = SECRET
        elif (
            isinstance(value, str)
            and value != UNKNOWN
            and (type_ == "CommaDelimitedList" or type_.startswith("List<"))
        ):
            value = [v.strip() for v in value.split(",")]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if name in given and not type_.startswith("AWS::SSM::Parameter"):
            fixed.add(name)
        out[name] = value
    return out, frozenset(fixed)


def _pseudo(env: Environment) -> dict[str, Any]:
    # An unknown region is a symbol, the same wherever the template uses it (intrinsics).
    region = env.region or fn.REGION_SYMBOL
    partition: Any = UNKNOWN
    if env.region:
        partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if "gov" in region else "aws"
    return {
        "AWS::Region": region,
        "AWS::AccountId": env.account or UNKNOWN,
        "AWS::Partition": partition,
        "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com",
        "AWS::StackName": env.stack or UNKNOWN,
        "AWS::StackId": UNKNOWN,
        "AWS::NotificationARNs": UNKNOWN,
    }


class _Template:
    """The template's resources, evaluated on demand (a Ref needs its target's properties)."""

    def __init__(self, template: dict[str, Any], where: str, env: Environment, given: dict[str, Any]) -> None:
        resources = template.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise InputError(where, "no `Resources`: not a CloudFormation template")
        self.raw = {str(k): expect_object(v, where, f"Resources.{k}") for k, v in resources.items()}
        for lid, r in self.raw.items():
            if not isinstance(r.get("Type"), str):
                raise InputError(place(where, f"Resources.{lid}"), "resource without a Type")
        self.env = env
        mappings = template.get("Mappings") if isinstance(template.get("Mappings"), dict) else {}
        conditions = template.get("Conditions") if isinstance(template.get("Conditions"), dict) else {}
        parameters, fixed = _parameters(template, where, given)
        self.ctx = fn.Context(
            parameters=parameters,
            fixed=fixed,
            pseudo=_pseudo(env),
            mappings=dict(mappings or {}),
            conditions=dict(conditions or {}),
            resources=set(self.raw),
            resolve=self._resolve,
        )
        self._props: dict[str, tuple[dict[str, Any], set[str]]] = {}
        self._busy: set[str] = set()

    def present(self, lid: str) -> bool:
        """A resource under a condition known false is not created; undecidable counts as present."""
        cond = self.raw[lid].get("Condition")
        return cond is None or self.ctx.condition(cond) is not False

    def props(self, lid: str) -> tuple[dict[str, Any], set[str]]:
        if lid in self._props:
            return self._props[lid]
        if lid in self._busy:
            return {}, set()  # a reference cycle: CloudFormation rejects it; nothing more is known
        self._busy.add(lid)
        deps: set[str] = set()
        raw = self.raw[lid].get("Properties") or {}
        props = fn.evaluate(raw, self.ctx, deps) if isinstance(raw, dict) else {}
        depends = self.raw[lid].get("DependsOn")
        for d in [depends] if isinstance(depends, str) else depends if isinstance(depends, list) else []:
            if isinstance(d, str) and d in self.raw:
                deps.add(d)
        self._busy.discard(lid)
        result = (props if isinstance(props, dict) else {}, deps - {lid})
        self._props[lid] = result
        return result

    def ident(self, lid: str) -> dict[str, Any]:
        """What a resource is known by: its arn, id and name where the template decides them."""
        type_ = self.raw[lid]["Type"]
        props, _ = self.props(lid)
        pseudo = self.ctx.pseudo
        region, account, partition = pseudo["AWS::Region"], pseudo["AWS::AccountId"], pseudo["AWS::Partition"]

        def arn(service: str, resource: Any) -> Any:
            parts = (partition, region, account, resource)
            if all(isinstance(p, str) and p not in (UNKNOWN, SECRET) for p in parts):
                return f"arn:{partition}:{service}:{region}:{account}:{resource}"
            return UNKNOWN

        if type_ == "AWS::SES::EmailIdentity":
            identity = props.get("EmailIdentity", UNKNOWN)
            return {"id": identity, "arn": arn("ses", f"identity/{identity}")}
        if type_ == "AWS::SES::ConfigurationSet":
            name = props.get("Name", UNKNOWN)
            return {"id": name, "arn": arn("ses", f"configuration-set/{name}")}
        if type_ == "AWS::SNS::Topic":
            name = props.get("TopicName", UNKNOWN)
            a = arn("sns", name)
            return {"name": name, "arn": a, "id": a}
        if type_ == "AWS::SQS::Queue":
            name = props.get("QueueName", UNKNOWN)
            a = arn("sqs", name)
            url = UNKNOWN
            if a != UNKNOWN:
                url = f"https://sqs.{region}.{pseudo['AWS::URLSuffix']}/{account}/{name}"
            return {"name": name, "arn": a, "url": url, "id": url}
        if type_ == "AWS::Events::Rule":
            name = props.get("Name", UNKNOWN)
            return {"name": name, "arn": arn("events", f"rule/{name}")}
        if type_ == "AWS::CloudWatch::Alarm":
            name = props.get("AlarmName", UNKNOWN)
            return {"name": name, "arn": arn("cloudwatch", f"alarm:{name}")}
        if type_ == "AWS::Route53::HostedZone":
            return {"zoneId": UNKNOWN, "id": UNKNOWN}
        if type_ == "AWS::Events::EventBus":
            name = props.get("Name", UNKNOWN)
            return {"name": name, "arn": arn("events", f"event-bus/{name}")}
        return {}

    _REF = {
        "AWS::SES::EmailIdentity": "id",
        "AWS::SES::ConfigurationSet": "id",
        "AWS::SNS::Topic": "arn",
        "AWS::SQS::Queue": "url",
        "AWS::Events::Rule": "name",
        # Ref of an event bus is its Name (the CloudFormation resource reference).
        "AWS::Events::EventBus": "name",
        "AWS::CloudWatch::Alarm": "name",
    }
    _ATT = {
        ("AWS::SNS::Topic", "TopicArn"): "arn",
        ("AWS::SNS::Topic", "TopicName"): "name",
        ("AWS::SQS::Queue", "Arn"): "arn",
        ("AWS::SQS::Queue", "QueueName"): "name",
        ("AWS::SQS::Queue", "QueueUrl"): "url",
        ("AWS::Events::Rule", "Arn"): "arn",
        ("AWS::Events::EventBus", "Arn"): "arn",
        ("AWS::Events::EventBus", "Name"): "name",
        ("AWS::CloudWatch::Alarm", "Arn"): "arn",
    }

    def _resolve(self, lid: str, attr: str | None) -> Any:
        if lid in self._busy:
            return UNKNOWN
        type_ = self.raw[lid]["Type"]
        key = self._REF.get(type_) if attr is None else self._ATT.get((type_, attr))
        if key is None:
            return UNKNOWN  # DkimDNSTokenName1..3 and the like: known only after deploy
        return self.ident(lid).get(key, UNKNOWN)


def _line(template_nodes: Any, lid: str) -> tuple[int, int] | None:
    resources = template_nodes.get("Resources") if hasattr(template_nodes, "get") else None
    for key in getattr(resources, "keys", list)():
        if key == lid and hasattr(key, "start_mark"):
            return key.start_mark.line + 1, key.start_mark.column + 1
    return None


def _name(resource: dict[str, Any], lid: str, env: Environment, prefix: str) -> str:
    """A CDK resource's construct path (``Stack/Identity/Resource``): what its author wrote.

    A nested template's own resource: its ``aws:cdk:path``, else the parent's logical id before
    its own (the manifest's logical ids are the top-level template's, and nested ones repeat them).
    """
    meta = resource.get("Metadata")
    path = meta.get(CDK_PATH) if isinstance(meta, dict) else None
    if isinstance(path, str) and path:
        return path
    if not prefix and env.paths and lid in env.paths:
        return env.paths[lid]
    return prefix + lid


def _config(template: dict[str, Any]) -> dict[str, Any]:
    """``Metadata: {sesguard: {...}}``: the template's own stack settings, as `sesguard:<key>` config."""
    meta = template.get("Metadata")
    settings = meta.get("sesguard") if isinstance(meta, dict) else None
    if not isinstance(settings, dict):
        return {}
    return {f"sesguard:{k}": v for k, v in settings.items()}


def _macros(template: dict[str, Any], where: str) -> None:
    """A macro (``Transform``, ``Fn::Transform``/``AWS::Include`` anywhere) rewrites the template
    at deploy: what is deployed is the macro's output, not this text, so nothing here is judged."""
    if template.get("Transform"):
        raise InputError(
            where,
            "the template uses a Transform (a macro CloudFormation expands at deploy): judge the "
            "processed template (`aws cloudformation get-template --template-stage Processed`)",
        )
    todo: list[tuple[Any, str]] = [(template, "")]
    while todo:
        node, at = todo.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                here = f"{at}.{k}" if at else str(k)
                if k == "Fn::Transform":
                    raise InputError(
                        place(where, at or "top level"),
                        "Fn::Transform (a macro such as AWS::Include) rewrites this part at deploy: "
                        "judge the processed template "
                        "(`aws cloudformation get-template --template-stage Processed`)",
                    )
                todo.append((v, here))
        elif isinstance(node, list):
            todo.extend((v, f"{at}[{i}]") for i, v in enumerate(node))


def no_nested(lid: str, resource: dict[str, Any], where: str) -> tuple[dict[str, Any], Any, str]:
    raise InputError(
        place(where, f"Resources.{lid}"),
        "a nested stack (AWS::CloudFormation::Stack) whose template is not in the input: judge the "
        "cdk.out, or a template whose TemplateURL is a local file beside it",
    )


@dataclass
class _Made:
    """The resources of one template (and the nested templates under it), in the document's shape."""

    resources: list[dict[str, Any]]
    # logical id -> the URNs made from it (a nested stack's: every URN inside it)
    urns: dict[str, list[str]]


def _convert(
    template: dict[str, Any],
    nodes: Any,
    where: str,
    env: Environment,
    file: str | None,
    given: dict[str, Any],
    nested: NestedReader,
    prefix: str = "",
    depth: int = 0,
    inherited: frozenset[str] = frozenset(),
) -> _Made:
    _macros(template, where)
    t = _Template(template, where, env, given)
    present = [lid for lid in t.raw if t.present(lid)]
    # What each resource refers to directly (Ref, GetAtt, ${…}, DependsOn), as Pulumi records a
    # resource's dependencies: a queue's dead-letter queue is the queue's dependency, not the
    # dependency of the subscription that delivers to the queue.
    direct = {lid: {d for d in t.props(lid)[1] if d in present} for lid in present}
    stack = env.stack or "template"
    cdk = env.paths is not None or any(
        isinstance(r.get("Metadata"), dict) and CDK_PATH in r["Metadata"] for r in t.raw.values()
    )
    names = {lid: _name(t.raw[lid], lid, env, prefix) if cdk else prefix + lid for lid in present}
    urns: dict[str, list[str]] = {}
    made: list[tuple[str, cfnresources.Part, str]] = []
    inner: list[tuple[str, _Made]] = []
    for lid in present:
        type_ = t.raw[lid]["Type"]
        if type_ == NESTED_STACK:
            if depth >= MAX_NESTING:
                raise InputError(place(where, f"Resources.{lid}"), "nested stacks nest too deeply")
            sub, sub_nodes, sub_where = nested(lid, t.raw[lid], where)
            props, _ = t.props(lid)
            passed = props.get("Parameters") if isinstance(props.get("Parameters"), dict) else {}
            # The nested resources are created after what the parent passes them.
            after = frozenset(u for d in direct[lid] for u in urns.get(d, [])) | inherited
            child = _convert(
                sub,
                sub_nodes,
                sub_where,
                env,
                None if file is None else positions.input_file(sub_where),
                dict(passed or {}),
                nested,
                f"{names[lid]}/",
                depth + 1,
                after,
            )
            inner.append((lid, child))
            urns[lid] = [r["urn"] for r in child.resources]
            continue
        convert = cfnresources.CONVERTERS.get(type_)
        if convert is None:
            continue
        props, _ = t.props(lid)
        for part in convert(props, t.ident(lid)):
            urn = f"urn:pulumi:{stack}::{PROJECT}::{part.type}::{names[lid]}{part.suffix}"
            made.append((lid, part, urn))
            urns.setdefault(lid, []).append(urn)
    resources: list[dict[str, Any]] = []
    for lid, part, urn in made:
        deps = {u for d in direct[lid] for u in urns.get(d, [])} | inherited
        if part.depends_on_parent:
            # An inline child is created with (and after) its parent; siblings do not depend on each other.
            deps |= {u for u in urns.get(lid, []) if u.endswith(f"::{names[lid]}")}
        resource: dict[str, Any] = {
            "urn": urn,
            "type": part.type,
            "name": names[lid] + part.suffix,
            "props": part.props,
            "parent": None,
            "dependencies": sorted(deps - {urn}),
            "location": _location(t.raw[lid], lid, names[lid], nodes, env, file, cdk),
        }
        if env.region is None:
            # Every resource deploys to the stack's one region, whatever it is (intrinsics).
            resource["region"] = fn.REGION_SYMBOL
        resources.append(resource)
    for _, child in inner:
        resources.extend(child.resources)
    return _Made(resources, urns)


def _location(
    resource: dict[str, Any],
    lid: str,
    name: str,
    nodes: Any,
    env: Environment,
    file: str | None,
    cdk: bool,
) -> dict[str, Any] | None:
    if cdk:
        # A CDK template is generated: the construct path is the resource's name, and the user's
        # file and line are known when cdk synth --debug recorded where the construct was
        # created. Else the resource's own line in the template (never its line 1).
        created = (env.created or {}).get(name)
        if created is not None:
            return created
    if file is None:
        return None
    pos = _line(nodes, lid)
    return {"file": file, **({"line": pos[0], "column": pos[1]} if pos else {})}


NESTED_STACK = "AWS::CloudFormation::Stack"


def from_template(
    template: dict[str, Any],
    nodes: Any,
    where: str,
    env: Environment,
    file: str | None,
    config: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
    nested: NestedReader = no_nested,
    one_of_many: bool = False,
) -> Document:
    """``parameters``: values the deploy gives (``--parameter``): they decide Conditions.

    ``one_of_many``: the template is one stack of an app; a stack with nothing SES in it (an
    assets or network stack) is then a stack with no resources to judge, not an error.
    """
    made = _convert(template, nodes, where, env, file, dict(parameters or {}), nested)
    if not made.resources and one_of_many:
        warn(f"{where}: stack {env.stack or 'template'} declares no SES resources")
    elif not made.resources:
        raise InputError(
            where, "the template declares no resource sesguard judges (SES, DNS, SNS, SQS, alarms)"
        )
    return new_document(
        source="cloudformation",
        project=PROJECT,
        stack=env.stack or "template",
        region=env.region,
        config={**_config(template), **(config or {})},
        resources=made.resources,
        file=where,
        language=env.language,
        # A finding without a logical id's line points at the template (a path a report may name
        # only when it is relative and inside the repository: judging checks that), not Pulumi.yaml.
        config_file=file if file is not None else where,
    )


def check_parameters(template: dict[str, Any], where: str, parameters: dict[str, str] | None) -> None:
    """A value for a parameter the template does not declare is a typo that would fix nothing."""
    declared = template.get("Parameters") if isinstance(template.get("Parameters"), dict) else {}
    unknown = sorted(set(parameters or {}) - set(declared or {}))
    if unknown:
        raise InputError(where, f"--parameter {unknown[0]}: the template declares no such parameter")


def local_nested(directory: Path) -> NestedReader:
    """A nested stack whose TemplateURL is a file beside the template (before `cloudformation package`)."""

    def read(lid: str, resource: dict[str, Any], where: str) -> tuple[dict[str, Any], Any, str]:
        props = resource.get("Properties")
        url = props.get("TemplateURL") if isinstance(props, dict) else None
        if not isinstance(url, str) or "://" in url or url.startswith("s3:"):
            return no_nested(lid, resource, where)
        at = place(where, f"Resources.{lid}.Properties.TemplateURL")
        raw = read_file(directory, url, at, set())
        nested_where = str(directory / url)
        template, nodes = decode(raw, nested_where)
        return template, nodes, nested_where

    return read
