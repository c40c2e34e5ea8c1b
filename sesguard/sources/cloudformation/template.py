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

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesguard.document import SECRET, UNKNOWN, Document, new_document
from sesguard.errors import InputError
from sesguard.sources.cloudformation import intrinsics as fn
from sesguard.sources.cloudformation import resources as cfnresources
from sesguard.sources.common import graph, positions
from sesguard.sources.common.reading import STDIN, decode_text, expect_object, kind, label, place, read_bytes

PROJECT = "cloudformation"
MANIFEST = "manifest.json"
CDK_PATH = "aws:cdk:path"


@dataclass(frozen=True)
class Environment:
    region: str | None = None
    account: str | None = None
    stack: str | None = None
    paths: dict[str, str] | None = None  # logical id -> construct path (from the manifest)


def _decode(raw: bytes, where: str) -> tuple[dict[str, Any], Any]:
    from cfnlint.decode import decode_str

    if not raw.strip():
        raise InputError(where, "file is empty")
    text = decode_text(raw, where)
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


def _parameters(template: dict[str, Any], where: str) -> dict[str, Any]:
    params = template.get("Parameters") or {}
    if not isinstance(params, dict):
        raise InputError(place(where, "Parameters"), f"expected an object, found {kind(params)}")
    out: dict[str, Any] = {}
    for name, p in params.items():
        p = p if isinstance(p, dict) else {}
        type_ = str(p.get("Type", "String"))
        value: Any = p.get("Default", UNKNOWN)
        if type_.startswith("AWS::SSM::Parameter"):
            value = UNKNOWN  # the default names an SSM parameter; its value is read at deploy
        elif str(p.get("NoEcho", "")).lower() == "true":
            value = SECRET
        elif value != UNKNOWN and (type_ == "CommaDelimitedList" or type_.startswith("List<")):
            value = [v.strip() for v in str(value).split(",")]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        out[str(name)] = value
    return out


def _pseudo(env: Environment) -> dict[str, Any]:
    region = env.region or UNKNOWN
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

    def __init__(self, template: dict[str, Any], where: str, env: Environment) -> None:
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
        self.ctx = fn.Context(
            parameters=_parameters(template, where),
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
        return {}

    _REF = {
        "AWS::SES::EmailIdentity": "id",
        "AWS::SES::ConfigurationSet": "id",
        "AWS::SNS::Topic": "arn",
        "AWS::SQS::Queue": "url",
        "AWS::Events::Rule": "name",
        "AWS::CloudWatch::Alarm": "name",
    }
    _ATT = {
        ("AWS::SNS::Topic", "TopicArn"): "arn",
        ("AWS::SNS::Topic", "TopicName"): "name",
        ("AWS::SQS::Queue", "Arn"): "arn",
        ("AWS::SQS::Queue", "QueueName"): "name",
        ("AWS::SQS::Queue", "QueueUrl"): "url",
        ("AWS::Events::Rule", "Arn"): "arn",
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


def _name(resource: dict[str, Any], lid: str, env: Environment) -> str:
    """A CDK resource's construct path (``Stack/Identity/Resource``): what its author wrote."""
    meta = resource.get("Metadata")
    path = meta.get(CDK_PATH) if isinstance(meta, dict) else None
    return str(path or (env.paths or {}).get(lid) or lid)


def _config(template: dict[str, Any]) -> dict[str, Any]:
    """``Metadata: {sesguard: {...}}``: the template's own stack settings, as `sesguard:<key>` config."""
    meta = template.get("Metadata")
    settings = meta.get("sesguard") if isinstance(meta, dict) else None
    if not isinstance(settings, dict):
        return {}
    return {f"sesguard:{k}": v for k, v in settings.items()}


def from_template(
    template: dict[str, Any],
    nodes: Any,
    where: str,
    env: Environment,
    file: str | None,
    config: dict[str, Any] | None = None,
) -> Document:
    transform = template.get("Transform")
    if transform:
        raise InputError(
            where,
            "the template uses a Transform (a macro CloudFormation expands at deploy): judge the "
            "processed template (`aws cloudformation get-template --template-stage Processed`)",
        )
    t = _Template(template, where, env)
    present = [lid for lid in t.raw if t.present(lid)]
    direct = {lid: {d for d in t.props(lid)[1] if d in present} for lid in present}
    closed = graph.closure(direct)
    stack = env.stack or "template"
    cdk = env.paths is not None or any(
        isinstance(r.get("Metadata"), dict) and CDK_PATH in r["Metadata"] for r in t.raw.values()
    )
    names = {lid: _name(t.raw[lid], lid, env) if cdk else lid for lid in present}
    urns: dict[str, list[str]] = {}
    made: list[tuple[str, cfnresources.Part, str]] = []
    for lid in present:
        convert = cfnresources.CONVERTERS.get(t.raw[lid]["Type"])
        if convert is None:
            continue
        props, _ = t.props(lid)
        for part in convert(props, t.ident(lid)):
            urn = f"urn:pulumi:{stack}::{PROJECT}::{part.type}::{names[lid]}{part.suffix}"
            made.append((lid, part, urn))
            urns.setdefault(lid, []).append(urn)
    resources: list[dict[str, Any]] = []
    for lid, part, urn in made:
        deps = {u for d in closed[lid] for u in urns.get(d, [])}
        if part.depends_on_parent:
            # An inline child is created with (and after) its parent; siblings do not depend on each other.
            deps |= {u for u in urns.get(lid, []) if u.endswith(f"::{names[lid]}")}
        location = None
        if not cdk and file is not None:
            # A CDK template is generated: its lines mean nothing to the user, the construct path does.
            pos = _line(nodes, lid)
            location = {"file": file, **({"line": pos[0], "column": pos[1]} if pos else {})}
        resources.append(
            {
                "urn": urn,
                "type": part.type,
                "name": names[lid] + part.suffix,
                "props": part.props,
                "parent": None,
                "dependencies": sorted(deps - {urn}),
                "location": location,
            }
        )
    if not resources:
        raise InputError(
            where, "the template declares no resource sesguard judges (SES, DNS, SNS, SQS, alarms)"
        )
    return new_document(
        source="cloudformation",
        project=PROJECT,
        stack=stack,
        region=env.region,
        config={**_config(template), **(config or {})},
        resources=resources,
        file=where,
        language="cloudformation",
        # A finding without a logical id's line points at the template (a path a report may name
        # only when it is relative and inside the repository: judging checks that), not Pulumi.yaml.
        config_file=file if file is not None else where,
    )


def _manifest(directory: Path, where: str) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(
            where, f"a directory without {MANIFEST}: pass a template, or a `cdk synth` cdk.out"
        ) from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise InputError(f"{where}/{MANIFEST}", "not a readable cloud assembly manifest") from None
    return expect_object(data, f"{where}/{MANIFEST}", "", "a cloud assembly manifest object")


def _stacks(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    artifacts = manifest.get("artifacts")
    if not isinstance(artifacts, dict):
        return {}
    return {
        str(name): a
        for name, a in artifacts.items()
        if isinstance(a, dict) and a.get("type") == "aws:cloudformation:stack"
    }


def _environment(name: str, artifact: dict[str, Any], region: str | None) -> Environment:
    """``environment: aws://<account>/<region>``; env-agnostic stacks say ``unknown-…``."""
    env = str(artifact.get("environment") or "")
    account = env_region = None
    if env.startswith("aws://") and env.count("/") >= 3:
        account, env_region = env[len("aws://") :].split("/", 1)
    account = None if not account or account.startswith("unknown") else account
    env_region = None if not env_region or env_region.startswith("unknown") else env_region
    paths: dict[str, str] = {}
    metadata = artifact.get("metadata")
    for path, entries in metadata.items() if isinstance(metadata, dict) else []:
        for e in entries if isinstance(entries, list) else []:
            if (
                isinstance(e, dict)
                and e.get("type") == "aws:cdk:logicalId"
                and isinstance(e.get("data"), str)
            ):
                paths[e["data"]] = str(path).lstrip("/")
    props = artifact.get("properties") if isinstance(artifact.get("properties"), dict) else {}
    stack = str((props or {}).get("stackName") or artifact.get("displayName") or name)
    return Environment(env_region or region, account, stack, paths)


def _from_cdk_out(
    directory: Path, where: str, region: str | None, wanted: str | None, config: dict[str, Any] | None
) -> Document:
    stacks = _stacks(_manifest(directory, where))
    if wanted is not None:
        stacks = {
            n: a for n, a in stacks.items() if (a.get("properties") or {}).get("templateFile") == wanted
        }
    if not stacks:
        raise InputError(where, "the cloud assembly has no CloudFormation stack")
    if len(stacks) > 1:
        names = ", ".join(sorted(stacks))
        raise InputError(
            where,
            f"the cloud assembly has {len(stacks)} stacks ({names}): pass one stack's template, "
            "e.g. cdk.out/<Stack>.template.json",
        )
    ((name, artifact),) = stacks.items()
    template_file = (artifact.get("properties") or {}).get("templateFile")
    if not isinstance(template_file, str):
        raise InputError(where, f"stack {name}: the manifest names no templateFile")
    path = directory / template_file
    tpl_where = str(path)
    template, nodes = _decode(read_bytes(path), tpl_where)
    return from_template(template, nodes, tpl_where, _environment(name, artifact, region), None, config)


def load(path: str | Path, region: str | None = None, config: dict[str, Any] | None = None) -> Document:
    """``config``: stack settings given outside the template (``--config``), over its Metadata."""
    try:
        return _load(path, region, config)
    except RecursionError:
        raise InputError(label(path), "nested too deeply to be a CloudFormation template") from None


def _load(path: str | Path, region: str | None, config: dict[str, Any] | None) -> Document:
    where = label(path)
    if str(path) != STDIN and Path(path).is_dir():
        return _from_cdk_out(Path(path), where, region, None, config)
    if str(path) != STDIN and (Path(path).parent / MANIFEST).is_file():
        # A template inside cdk.out: its manifest entry gives the environment and construct paths.
        return _from_cdk_out(Path(path).parent, where, region, Path(path).name, config)
    template, nodes = _decode(read_bytes(path), where)
    stack = "stdin" if str(path) == STDIN else Path(path).name.split(".")[0]
    file = None if str(path) == STDIN else positions.input_file(path)
    return from_template(template, nodes, where, Environment(region=region, stack=stack), file, config)
