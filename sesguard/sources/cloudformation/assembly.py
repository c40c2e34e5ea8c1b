"""A `cdk synth` cloud assembly (``cdk.out``) as the stack documents of its stacks.

One app, every stack: the top-level stacks, the stacks of each ``cdk.Stage`` (a nested cloud
assembly, ``assembly-<Stage>/``) and, inside each stack, its ``NestedStack``s
(``*.nested.template.json``, named by the parent's ``AWS::CloudFormation::Stack`` resource's
``aws:asset:path``), whose resources join their parent's document with the parameters the parent
passes. Each stack is judged on its own, as a Pulumi project's stacks are.

The manifest names the files to read, and a manifest is input like any other: every file it
names must be a regular file inside its assembly directory once symlinks are resolved, no larger
than ``MAX_FILE_BYTES``, and read once (no two stacks share a template). Anything else (a device,
a FIFO, ``/proc``, a path that climbs out, an absolute path) is exit 2 naming the entry.

Stack metadata gives each resource its construct path (the manifest's ``metadata``, or since
aws-cdk-lib 2.278 the ``additionalMetadataFile`` it names) and, when synthesised with ``--debug``
(or ``CDK_DEBUG=true``), ``aws:cdk:creationStack``: the user's file and line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesguard import limits
from sesguard.document import Document
from sesguard.errors import InputError
from sesguard.sources.cloudformation import template as cfn
from sesguard.sources.cloudformation.files import read_file
from sesguard.sources.common import positions
from sesguard.sources.common.reading import decode_text, expect_object, kind, place

MANIFEST = "manifest.json"
STACK = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"
# cdk.Stage inside cdk.Stage inside ...: deeper than any app nests stages.
MAX_ASSEMBLY_DEPTH = 8


@dataclass(frozen=True)
class Stack:
    """One stack of the assembly, read when its document is asked for."""

    name: str
    load: Callable[[], Document]


def _json(raw: bytes, where: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(decode_text(raw, where))
    except (ValueError, RecursionError):
        raise InputError(where, f"not a readable {what}") from None
    wrong = limits.problem(data)
    if wrong is not None:
        raise InputError(where, f"not a readable {what}: {wrong}")
    return expect_object(data, where, "", f"a {what} object")


def manifest(directory: Path, label: str) -> dict[str, Any]:
    if not (directory / MANIFEST).exists() and not (directory / MANIFEST).is_symlink():
        raise InputError(label, f"a directory without {MANIFEST}: pass a template, or a `cdk synth` cdk.out")
    where = f"{label}/{MANIFEST}"
    return _json(read_file(directory, MANIFEST, where, set()), where, "cloud assembly manifest")


def _artifacts(data: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    artifacts = data.get("artifacts")
    if artifacts is None:
        return {}
    if not isinstance(artifacts, dict):
        raise InputError(place(where, "artifacts"), f"expected an object, found {kind(artifacts)}")
    return {str(k): v for k, v in artifacts.items() if isinstance(v, dict)}


_FRAME = re.compile(r"(?:\(|^at |^)(?P<file>[^()]+?):(?P<line>[0-9]{1,9}):(?P<column>[0-9]{1,9})\)?$")


def _creation(frames: Any) -> dict[str, Any] | None:
    """The first frame of a creation stack in the user's code, as a location relative to the
    current directory (a file outside it is not shown: reports name repository files only)."""
    for frame in frames if isinstance(frames, list) else []:
        if not isinstance(frame, str) or frame.startswith("..."):
            continue  # "...aws-cdk-lib...", "...node internals...": not the user's code
        m = _FRAME.search(frame.strip())
        if m is None or "node_modules" in m["file"] or m["file"].startswith("node:"):
            continue
        file = m["file"]
        if os.path.isabs(file):
            rel = os.path.relpath(file)
            if rel.startswith(".."):
                return None
            file = rel
        return {"file": file.replace(os.sep, "/"), "line": int(m["line"]), "column": int(m["column"])}
    return None


def _metadata(
    directory: Path, artifact: dict[str, Any], where: str, seen: set[str]
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """(logical id -> construct path, construct path -> the user's file and line) of a stack."""
    extra = artifact.get("additionalMetadataFile")
    if extra is not None:
        # aws-cdk-lib >= 2.278 writes the stack's metadata to its own file.
        at = place(where, "additionalMetadataFile")
        meta: Any = _json(read_file(directory, extra, at, seen), at, "stack metadata file")
    else:
        meta = artifact.get("metadata")
    paths: dict[str, str] = {}
    created: dict[str, dict[str, Any]] = {}
    for path, entries in meta.items() if isinstance(meta, dict) else []:
        construct = str(path).lstrip("/")
        for e in entries if isinstance(entries, list) else []:
            if not isinstance(e, dict):
                continue
            if e.get("type") == "aws:cdk:logicalId" and isinstance(e.get("data"), str):
                lid = e["data"]
                # A nested stack's logical ids repeat the parent's (CDKMetadata): the shortest
                # path is the top-level template's resource.
                if lid not in paths or construct.count("/") < paths[lid].count("/"):
                    paths[lid] = construct
            elif e.get("type") == "aws:cdk:creationStack":
                location = _creation(e.get("data"))
                if location is not None:
                    created[construct] = location
    return paths, created


# cdk.json's `app` command -> the language of the app's code. Apps in languages without CDK
# snippets (Java, C#, Go) see the template's own fix.
_APP_LANGUAGES = (
    (re.compile(r"\bpython[0-9.]*\b|\.py\b|\bpoetry\b|\buv\b|\bpipenv\b"), "cdk-python"),
    (re.compile(r"\bmvn\b|\bgradle|\bdotnet\b|\bgo (run|mod)\b"), "cloudformation"),
    (re.compile(r"\bnode\b|\bnpx\b|\bts-node\b|\btsx\b|\.[jt]s\b|\b(npm|yarn|pnpm)\b"), "cdk-typescript"),
)


def app_language(directory: Path, created: dict[str, dict[str, Any]]) -> str:
    """The language of the CDK app that synthesised ``directory``: its cdk.json (beside cdk.out),
    else the files its creation stacks name, else TypeScript (most CDK apps are)."""
    app = None
    try:
        raw = read_file(directory.parent, "cdk.json", "cdk.json", set())
        data = json.loads(decode_text(raw, "cdk.json"))
        app = data.get("app") if isinstance(data, dict) else None
    except (InputError, ValueError, RecursionError):
        pass  # a hint only: the assembly itself is what is judged
    if isinstance(app, str):
        for pattern, language in _APP_LANGUAGES:
            if pattern.search(app):
                return language
    if any(str(c.get("file", "")).endswith(".py") for c in created.values()):
        return "cdk-python"
    return "cdk-typescript"


def _environment(
    name: str,
    artifact: dict[str, Any],
    region: str | None,
    paths: dict[str, str],
    created: dict[str, Any],
    language: str,
) -> cfn.Environment:
    """``environment: aws://<account>/<region>``; env-agnostic stacks say ``unknown-…``."""
    env = str(artifact.get("environment") or "")
    account = env_region = None
    if env.startswith("aws://") and env.count("/") >= 3:
        account, env_region = env[len("aws://") :].split("/", 1)
    account = None if not account or account.startswith("unknown") else account
    env_region = None if not env_region or env_region.startswith("unknown") else env_region
    props = artifact.get("properties") if isinstance(artifact.get("properties"), dict) else {}
    stack = str((props or {}).get("stackName") or artifact.get("displayName") or name)
    return cfn.Environment(env_region or region, account, stack, paths, created, language)


def _nested_reader(directory: Path, label: str, seen: set[str]) -> cfn.NestedReader:
    def read(lid: str, resource: dict[str, Any], where: str) -> tuple[dict[str, Any], Any, str]:
        meta = resource.get("Metadata")
        asset = meta.get("aws:asset:path") if isinstance(meta, dict) else None
        at = place(where, f"Resources.{lid}")
        if asset is None:
            raise InputError(
                at, "a nested stack whose template the assembly does not hold (no aws:asset:path)"
            )
        raw = read_file(directory, asset, place(at, "Metadata.aws:asset:path"), seen)
        nested_where = f"{label}/{asset}"
        template, nodes = cfn.decode(raw, nested_where)
        return template, nodes, nested_where

    return read


def _stack(
    directory: Path,
    label: str,
    name: str,
    artifact: dict[str, Any],
    region: str | None,
    config: dict[str, Any] | None,
    parameters: dict[str, str] | None,
    seen: set[str],
    one_of_many: bool,
    root: Path,
) -> Document:
    """One stack's document; ``root`` is the top assembly directory (the app's cdk.json is beside it)."""
    where = f"{label}/{MANIFEST}: artifacts.{name}"
    props = artifact.get("properties") if isinstance(artifact.get("properties"), dict) else {}
    template_file = (props or {}).get("templateFile")
    if not isinstance(template_file, str):
        raise InputError(where, "the manifest names no templateFile")
    raw = read_file(directory, template_file, place(where, "properties.templateFile"), seen)
    tpl_where = f"{label}/{template_file}"
    template, nodes = cfn.decode(raw, tpl_where)
    paths, created = _metadata(directory, artifact, where, seen)
    env = _environment(name, artifact, region, paths, created, app_language(root, created))
    return cfn.from_template(
        template,
        nodes,
        tpl_where,
        env,
        positions.input_file(directory / template_file),
        config,
        parameters,
        _nested_reader(directory, label, seen),
        one_of_many,
    )


def stacks(
    directory: Path,
    label: str,
    region: str | None = None,
    config: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
    only_template: str | None = None,
) -> list[Stack]:
    """Every stack of the assembly at ``directory`` (stages included), each loaded on demand.

    ``only_template``: the one stack whose templateFile this is (a template inside cdk.out).
    """
    seen: set[str] = set()
    found = list(_walk(directory, label, manifest(directory, label), 0, seen))
    if only_template is not None:
        found = [f for f in found if f[0] == directory and f[3].get("templateFile") == only_template]
        if not found:
            raise InputError(
                f"{label}/{only_template}",
                "not a stack's template in the manifest (a nested stack's template is judged with "
                "its parent's: pass the cdk.out)",
            )
    if not found:
        raise InputError(label, "the cloud assembly has no CloudFormation stack")
    names = [f[1] for f in found]
    if len(set(names)) != len(names):
        raise InputError(label, "two stacks of the cloud assembly have the same id")
    out: list[Stack] = []
    for d, name, artifact, _props, lab in found:

        def load(
            d: Path = d, name: str = name, artifact: dict[str, Any] = artifact, lab: str = lab
        ) -> Document:
            many = len(found) > 1
            return _stack(d, lab, name, artifact, region, config, parameters, seen, many, directory)

        out.append(Stack(name, load))
    return out


def _walk(
    directory: Path, label: str, data: dict[str, Any], depth: int, seen: set[str]
) -> Iterator[tuple[Path, str, dict[str, Any], dict[str, Any], str]]:
    """(assembly directory, stack id, artifact, its properties, label) of every stack, in order."""
    where = f"{label}/{MANIFEST}"
    for name, artifact in _artifacts(data, where).items():
        props = artifact.get("properties") if isinstance(artifact.get("properties"), dict) else {}
        if artifact.get("type") == STACK:
            yield directory, name, artifact, props or {}, label
        elif artifact.get("type") == NESTED_ASSEMBLY:
            if depth >= MAX_ASSEMBLY_DEPTH:
                raise InputError(place(where, f"artifacts.{name}"), "cloud assemblies nest too deeply")
            sub = (props or {}).get("directoryName")
            at = place(where, f"artifacts.{name}.properties.directoryName")
            if not isinstance(sub, str) or not sub or os.path.isabs(sub):
                raise InputError(at, "expected a directory inside the assembly")
            root = os.path.realpath(directory)
            real = os.path.realpath(os.path.join(root, sub))
            if os.path.commonpath([root, real]) != root or real == root or not os.path.isdir(real):
                raise InputError(at, f"{sub!r} is not a directory inside the assembly")
            if real in seen:
                raise InputError(at, f"{sub!r} is already read as another stage's assembly")
            seen.add(real)
            sub_label = f"{label}/{sub}"
            sub_where = f"{sub_label}/{MANIFEST}"
            raw = read_file(Path(real), MANIFEST, sub_where, seen)
            sub_data = _json(raw, sub_where, "cloud assembly manifest")
            yield from _walk(Path(real), sub_label, sub_data, depth + 1, seen)
