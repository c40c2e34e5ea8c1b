"""A directory of Terraform configuration (``.tf``) judged without a plan, as Checkov and Trivy do.

A pull request from a fork, or CI without cloud access, cannot run ``terraform plan``. The
configuration itself is evaluated by tfparse (Trivy's HCL evaluator, the one Cloud Custodian uses):
variables with their defaults, ``terraform.tfvars``/``*.auto.tfvars``/``-var-file`` values,
locals, ``count``/``for_each``, dynamic blocks, local modules and the registry/git modules that
``terraform init`` laid under ``.terraform/modules``. python-hcl2 gives each block's expressions as
written, from which the references between blocks are read: tfparse resolves references to what
only apply knows into placeholders and drops those inside interpolations, and a DKIM record's link
to its identity lives exactly there.

The result is laid out as the ``terraform show -json`` plan of the same configuration would be
(every resource ``create``; what only apply knows unknown, from the provider schema's computed
attributes) and read by ``plan.from_json``: one reading, so a directory and its plan are judged
alike. Whatever this reading cannot see is refused, never passed: a module that is not
initialised, an HCL error, a value tfparse could not evaluate (unknown, as in a plan).
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from sesguard.document import SECRET, UNKNOWN, Document
from sesguard.errors import InputError
from sesguard.sources.common.reading import label
from sesguard.sources.terraform import plan

# Meta-arguments: how Terraform creates a block, not a value the provider sees.
_META = {"count", "for_each", "provider", "providers", "depends_on", "lifecycle", "provisioner", "connection"}
_TFMETA = "__tfmeta"
# A reference, as Terraform's `references` lists them (json-format.mdx): the block it names (a
# literal index kept: it names an instance), then the traversal into it, which decides whether
# what it reads is known before apply.
_REFERENCE = re.compile(
    r"(?<![\w.\-])(?:(?P<data>data)\.(?P<dtype>[a-z][a-z0-9_]*)\.(?P<dname>[A-Za-z_][\w\-]*)"
    r"|(?P<module>module)\.(?P<mname>[A-Za-z_][\w\-]*)(?:\[[^\]]*\])?(?:\.(?P<mout>[A-Za-z_][\w\-]*))?"
    r"|(?P<var>var|local)\.(?P<vname>[A-Za-z_][\w\-]*)"
    r"|(?P<rtype>[a-z][a-z0-9]*_[a-z0-9_]+)\.(?P<rname>[A-Za-z_][\w\-]*))"
    r"(?P<index>\[(?:\d+|\"[^\"]*\")\])?"
    r"(?P<trail>(?:\.[A-Za-z_][\w\-]*|\[[^\]\[]*\])*)"
)
_JSONENCODE = re.compile(r"\$\{jsonencode\((.*)\)\}", re.S)
_BARE_LOCAL = re.compile(r"\$\{local\.([A-Za-z_][\w\-]*)\}")
_REGION_READ = re.compile(r"data\.aws_region\.([A-Za-z_][\w\-]*)\.(?:name|region|id)")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LOCAL_SOURCE = ("./", "../")
MAX_LOCAL_DEPTH = 64  # locals referring to locals: deeper than any real configuration


@dataclass
class _Module:
    """One module's configuration as written: its blocks' expressions, per file and line."""

    directory: Path
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # "type.name"/"data.type.name"
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    sensitive_vars: set[str] = field(default_factory=set)
    defaults: set[str] = field(default_factory=set)  # variables declared with a default
    call: dict[str, Any] | None = None  # the module block that calls this one (None at the root)


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


@cache
def _computed() -> dict[str, Any]:
    text = importlib_resources.files("sesguard").joinpath("mapping/terraform-computed.json").read_text()
    table: dict[str, Any] = json.loads(text)["resources"]
    return table


def _interpolations(text: str) -> list[str]:
    """The ``${…}`` parts of an expression as python-hcl2 writes it (a bare reference is one)."""
    out: list[str] = []
    i = text.find("${")
    while i != -1:
        depth, j = 0, i + 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        out.append(text[i + 2 : j])
        i = text.find("${", j)
    return out


@dataclass(frozen=True)
class _Ref:
    """One reference: its `references` spelling, and the attribute path it reads from the block."""

    text: str
    trail: tuple[str, ...]


def _code(part: str) -> str:
    """An interpolation's code with its string literals reduced to their own interpolations: a
    literal that merely looks like `aws_x.y` is text, not a reference."""
    return _QUOTED.sub(lambda m: " ".join(f"({i})" for i in _interpolations(m.group(1))), part)


def _refs(value: Any) -> list[_Ref]:
    """Every reference in an expression tree as python-hcl2 writes it."""
    found: list[_Ref] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack += [x for k, x in v.items() if k != "__is_block__"]
        elif isinstance(v, list):
            stack += v
        elif isinstance(v, str):
            for part in _interpolations(v):
                for m in _REFERENCE.finditer(_code(part)):
                    index = m.group("index") or ""
                    trail = tuple(s for s in re.split(r"\.|\[[^\]]*\]", m.group("trail") or "") if s)
                    if m.group("data"):
                        text = f"data.{m.group('dtype')}.{m.group('dname')}{index}"
                    elif m.group("module"):
                        out = m.group("mout")
                        text = f"module.{m.group('mname')}" + (f".{out}" if out else "")
                    elif m.group("var"):
                        text = f"{m.group('var')}.{m.group('vname')}"
                    else:
                        text = f"{m.group('rtype')}.{m.group('rname')}{index}"
                    found.append(_Ref(text, trail))
    return found


def _references(value: Any) -> list[str]:
    """Every reference in an expression tree, in Terraform's `references` spelling."""
    return [r.text for r in _refs(value)]


@cache
def _parse_text(text: str) -> dict[str, Any]:
    """python-hcl2's reading of one text, once: its LALR parser is pure Python (about 0.2 ms a
    token), and module instances and policy literals repeat the same text."""
    import hcl2

    parsed: dict[str, Any] = hcl2.loads(text)
    return parsed


def _parse_file(path: Path, where: str) -> dict[str, Any]:
    import hcl2  # noqa: F401  (a missing install is its own error, never "not valid HCL")

    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise InputError(where, f"{path.name} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(where, f"cannot read {path.name}: {exc.strerror or exc}") from None
    try:
        parsed = _parse_text(text)
    except RecursionError:
        raise InputError(where, f"{path.name} is nested too deeply to be Terraform configuration") from None
    except Exception as exc:  # python-hcl2 raises lark's errors, whose text names line and column
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(where, f"{path.name}: not valid HCL: {first[:200]}") from None
    return parsed


def _labelled(entries: Any, depth: int) -> list[tuple[list[str], dict[str, Any]]]:
    """python-hcl2's `{"\"type\"": {"\"name\"": {...}}}` entries as (labels, body)."""
    out: list[tuple[list[str], dict[str, Any]]] = []
    for entry in entries if isinstance(entries, list) else []:
        stack: list[tuple[list[str], Any]] = [([], entry)]
        while stack:
            labels, body = stack.pop()
            if not isinstance(body, dict):
                continue
            if len(labels) == depth:
                out.append((labels, body))
                continue
            stack += [([*labels, _unquote(k)], v) for k, v in body.items() if k != "__is_block__"]
    return out


def _read_module(directory: Path, where: str) -> _Module:
    module = _Module(directory)
    files = sorted(p for p in directory.glob("*.tf") if p.is_file())
    unread = sorted(p.name for p in directory.glob("*.tf.json")) + [
        p.name for p in files if p.stem == "override" or p.stem.endswith("_override")
    ]
    if unread:
        # Terraform merges these into the configuration; a part not read could hide a violation.
        raise InputError(
            where,
            f"{unread[0]}: JSON configuration and override files are not read without a plan; "
            "judge `terraform show -json` of a plan instead",
        )
    for path in files:
        parsed = _parse_file(path, where)
        for (rtype, name), body in _labelled(parsed.get("resource"), 2):
            module.resources[f"{rtype}.{name}"] = body
        for (rtype, name), body in _labelled(parsed.get("data"), 2):
            module.resources[f"data.{rtype}.{name}"] = body
        for (name,), body in _labelled(parsed.get("module"), 1):
            module.calls[name] = body
        for (name,), body in _labelled(parsed.get("output"), 1):
            module.outputs[name] = body.get("value")
        for block in parsed.get("locals") or []:
            if isinstance(block, dict):
                module.locals.update({k: v for k, v in block.items() if k != "__is_block__"})
        for (name,), body in _labelled(parsed.get("variable"), 1):
            if body.get("sensitive") is True or body.get("sensitive") == "true":
                module.sensitive_vars.add(name)
            if "default" in body:
                module.defaults.add(name)
    return module


def _expand_locals(refs: list[str], module: _Module) -> list[str]:
    """References through locals, followed to what the locals read (a plan's JSON has no locals)."""
    out: list[str] = []
    seen: set[str] = set()
    stack = [(r, 0) for r in refs]
    while stack:
        ref, depth = stack.pop()
        if not ref.startswith("local."):
            out.append(ref)
            continue
        name = ref.split(".", 1)[1]
        if name in seen or depth > MAX_LOCAL_DEPTH:
            continue
        seen.add(name)
        stack += [(r, depth + 1) for r in _references(module.locals.get(name))]
    return out


def _expressions(body: dict[str, Any], module: _Module) -> dict[str, Any]:
    """A block's arguments as a plan's configuration writes them: the references each one makes."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in _META or key == "__is_block__":
            continue
        name = "dynamic" if key == "dynamic" else key
        out[name] = {"references": _expand_locals(_references(value), module)}
    for dynamic in _labelled(body.get("dynamic"), 1):
        (name,), block = dynamic
        out[name] = {"references": _expand_locals(_references(block), module)}
    out.pop("dynamic", None)
    return out


def _meta_refs(body: dict[str, Any], key: str, module: _Module) -> dict[str, Any] | None:
    return {"references": _expand_locals(_references(body[key]), module)} if key in body else None


def _provider_key(body: dict[str, Any], inherited: dict[str, str]) -> str:
    given = body.get("provider")
    if isinstance(given, str):
        name = _unquote(given).removeprefix("${").removesuffix("}")
        return inherited.get(name, name)
    return inherited.get("aws", "aws")


@dataclass
class _Layout:
    """Where each module call's source lies, as `terraform init` laid it out."""

    root: Path
    installed: dict[str, Path]  # modules.json Key ("a.b") -> directory

    @classmethod
    def read(cls, root: Path, where: str) -> _Layout:
        manifest = root / ".terraform" / "modules" / "modules.json"
        installed: dict[str, Path] = {}
        if manifest.is_file():
            try:
                data = json.loads(manifest.read_text("utf-8"))
            except (ValueError, OSError):
                raise InputError(
                    where,
                    ".terraform/modules/modules.json is not valid JSON: run "
                    "`terraform init -backend=false` again",
                ) from None
            for m in data.get("Modules") or [] if isinstance(data, dict) else []:
                if isinstance(m, dict) and isinstance(m.get("Key"), str) and isinstance(m.get("Dir"), str):
                    installed[m["Key"]] = (root / m["Dir"]).resolve()
        return cls(root, installed)

    def directory(self, parent: Path, key: tuple[str, ...], source: str, where: str) -> Path:
        dotted = ".".join(key)
        if dotted in self.installed:
            return self.installed[dotted]
        if source.startswith(_LOCAL_SOURCE):
            return (parent / source).resolve()
        raise InputError(
            where,
            f"module.{'.module.'.join(key)} (source {source[:120]!r}) is not initialised, so its "
            "resources cannot be read: run `terraform init -backend=false` (no credentials needed) "
            "first, or judge a plan with --terraform plan.json",
        )


def _configuration(
    module: _Module,
    key: tuple[str, ...],
    inherited: dict[str, str],
    layout: _Layout,
    where: str,
    modules: dict[tuple[str, ...], _Module],
) -> dict[str, Any]:
    """The configuration representation of one module, as `terraform show -json` writes it."""
    modules[key] = module
    resources = []
    for address, body in module.resources.items():
        mode = "data" if address.startswith("data.") else "managed"
        rtype, name = address.split(".")[-2:]
        entry: dict[str, Any] = {
            "address": address,
            "mode": mode,
            "type": rtype,
            "name": name,
            "provider_config_key": _provider_key(body, inherited),
            "expressions": _expressions(body, module),
        }
        for meta in ("count", "for_each"):
            refs = _meta_refs(body, meta, module)
            if refs is not None:
                entry[f"{meta}_expression"] = refs
        depends = [r for r in _references(body.get("depends_on")) if not r.startswith("local.")]
        if depends:
            entry["depends_on"] = depends
        resources.append(entry)
    calls: dict[str, Any] = {}
    for name, body in module.calls.items():
        source = _unquote(str(body.get("source", "")))
        child_key = (*key, name)
        child_dir = layout.directory(module.directory, child_key, source, where)
        if not child_dir.is_dir():
            raise InputError(where, f"module.{name}: its source {source[:120]!r} is not a directory")
        passed = dict(inherited)
        providers = body.get("providers")
        for mapping in providers if isinstance(providers, list) else [providers]:
            if isinstance(mapping, dict):
                for inner, outer in mapping.items():
                    ref = _unquote(str(outer)).removeprefix("${").removesuffix("}")
                    passed[_unquote(inner)] = inherited.get(ref, ref)
        child = _read_module(child_dir, where)
        child.call = body
        call: dict[str, Any] = {
            "source": source,
            "expressions": {
                k: {"references": _expand_locals(_references(v), module)}
                for k, v in body.items()
                if k not in _META and k not in ("source", "version", "__is_block__")
            },
            "module": _configuration(child, child_key, passed, layout, where, modules),
        }
        for meta in ("count", "for_each"):
            refs = _meta_refs(body, meta, module)
            if refs is not None:
                call[f"{meta}_expression"] = refs
        calls[name] = call
    outputs = {
        name: {"expression": {"references": _expand_locals(_references(value), module)}}
        for name, value in module.outputs.items()
    }
    return {"resources": resources, "module_calls": calls, "outputs": outputs}


def _module_key(path: str) -> tuple[str, ...]:
    """Module call names of a tfparse path (`module.a["x"].module.b.aws_x.y[0]` -> ("a", "b"))."""
    names = re.findall(r"(?:^|\.)module\.([A-Za-z_][\w\-]*)", path)
    return tuple(names)


def _block_address(path: str) -> str:
    """The module-relative block address of a tfparse path (`module.a.aws_x.y[0]` -> `aws_x.y`)."""
    tail = re.sub(r"^(?:module\.[A-Za-z_][\w\-]*(?:\[[^\]]*\])?\.)+", "", path)
    return re.sub(r"\[[^\]]*\]$", "", tail)


class _Knowledge:
    """Whether a reference reads something only apply (or, for data sources, plan) knows.

    tfparse evaluates what it cannot know into placeholders: an id for a resource attribute, an
    invented value for a data source, a JSON ``null`` where ``jsonencode`` met an unknown. Terraform
    makes any expression over an unknown unknown as a whole; so does this, from the references an
    expression makes, followed through locals, module inputs and outputs and the attributes a block
    sets, to the provider schema's computed attributes."""

    def __init__(self, modules: dict[tuple[str, ...], _Module], given: set[str]) -> None:
        self.modules = modules
        self.given = given  # root variables a variable file sets
        self.computed = _computed()
        self._memo: dict[tuple[tuple[str, ...], str, tuple[str, ...]], bool] = {}

    def any_unknown(self, value: Any, key: tuple[str, ...], depth: int = 0) -> bool:
        return any(self.unknown(r, key, depth) for r in _refs(value))

    def unknown(self, ref: _Ref, key: tuple[str, ...], depth: int = 0) -> bool:
        memo = (key, ref.text, ref.trail)
        if memo in self._memo:
            return self._memo[memo]
        if depth > MAX_LOCAL_DEPTH:
            return True  # a cycle or a chain deeper than any real configuration: do not guess
        self._memo[memo] = True  # while deciding: a cycle reads as unknown
        self._memo[memo] = answer = self._decide(ref, key, depth + 1)
        return answer

    def _decide(self, ref: _Ref, key: tuple[str, ...], depth: int) -> bool:
        module = self.modules.get(key)
        if module is None:
            return True
        head, _, rest = ref.text.partition(".")
        if head == "data":
            return True  # read at plan time: a plan knows it, the configuration does not
        if head == "local":
            return self.any_unknown(module.locals.get(rest), key, depth) if rest in module.locals else True
        if head == "var":
            if not key:
                # No default and no value in a variable file: Terraform would ask for it (or take
                # it from TF_VAR_…, which tfparse does not read), so any value may come.
                return rest not in module.defaults and rest not in self.given
            call = module.call or {}
            return self.any_unknown(call[rest], key[:-1], depth) if rest in call else False
        if head == "module":
            name, _, output = rest.partition(".")
            child = self.modules.get((*key, name))
            if child is None or not output or output not in child.outputs:
                return True
            return self.any_unknown(child.outputs[output], (*key, name), depth)
        block = re.sub(r"\[[^\]]*\]$", "", ref.text)
        body = module.resources.get(block)
        if body is None:
            return True
        return self._attribute(body, self.computed.get(block.split(".")[0], {}), ref.trail, key, depth)

    def _attribute(
        self, body: Any, schema: dict[str, Any], trail: tuple[str, ...], key: tuple[str, ...], depth: int
    ) -> bool:
        if not trail:
            return True  # the whole object: it holds what only apply knows
        name, rest = trail[0], trail[1:]
        if not isinstance(body, dict) or name not in body:
            return name in schema.get("computed", []) or name in (schema.get("blocks") or {})
        value = body[name]
        blocks = value if isinstance(value, list) else []
        if blocks and all(isinstance(b, dict) and b.get("__is_block__") for b in blocks):
            inner = (schema.get("blocks") or {}).get(name, {})
            if not rest:
                return bool(inner) or self.any_unknown(value, key, depth)
            return any(self._attribute(b, inner, rest, key, depth) for b in blocks)
        return self.any_unknown(value, key, depth)


def _is_block(v: Any) -> bool:
    return isinstance(v, dict) and _TFMETA in v


def _hcl_blocks(raw: Any) -> list[dict[str, Any]] | None:
    if isinstance(raw, list) and raw and all(isinstance(b, dict) and b.get("__is_block__") for b in raw):
        return raw
    return None


class _Values:
    """tfparse's evaluated values, with what it could not know made Pulumi's unknown."""

    def __init__(self, ids: set[str], knowledge: _Knowledge, region: str | None) -> None:
        self.ids = ids  # tfparse's placeholder ids: a reference to what only apply knows
        self.knowledge = knowledge
        self.region = region  # the default provider's region, when the configuration fixes it

    def regional(self, raw: Any, key: tuple[str, ...]) -> str | None:
        """A string template whose only interpolations read the provider's own region
        (`data.aws_region.current.name`, as trussworks/terraform-aws-ses-domain writes the MAIL FROM
        MX): the region is the provider's, so the string is known without a plan."""
        module = self.knowledge.modules.get(key)
        for _ in range(MAX_LOCAL_DEPTH):
            local = _BARE_LOCAL.fullmatch(raw) if isinstance(raw, str) else None
            if local is None or module is None or local.group(1) not in module.locals:
                break
            raw = module.locals[local.group(1)]
        if self.region is None or module is None or not isinstance(raw, str) or not raw.startswith('"'):
            return None
        parts = _interpolations(raw)
        if not parts:
            return None
        for part in parts:
            m = _REGION_READ.fullmatch(part.strip())
            body = module.resources.get(f"data.aws_region.{m.group(1)}") if m else None
            if body is None or any(k in body for k in ("provider", "name", "region")):
                return None  # another provider's or a named region: not the stack's own
        text = _unquote(raw)
        for part in parts:
            text = text.replace("${" + part + "}", self.region)
        return None if "${" in text or "%{" in text else text

    def marked(self, v: Any) -> Any:
        """A value as tfparse left it: its own markers of what it could not evaluate."""
        if v is None:
            return UNKNOWN  # an unevaluated value (a variable with no value, a condition on one)
        if isinstance(v, str):
            return UNKNOWN if "${" in v or any(i in v for i in self.ids) else v
        if isinstance(v, list):
            return [self.marked(x) for x in v]
        if isinstance(v, dict):
            if "__attribute__" in v:
                return UNKNOWN  # an unresolved reference
            if _is_block(v):
                return [self.block(v, None, ())]
            return {k: self.marked(x) for k, x in v.items()}
        return v

    def jsonencoded(self, raw: Any, v: Any, key: tuple[str, ...]) -> str | None:
        """``jsonencode({...})`` over a literal with unknowns at its leaves (an ARN, an account id):
        Terraform makes the whole text unknown at plan, and tfparse writes ``null`` over the whole
        list that held one. The literal, read as written, keeps what is known (Effect, Principal,
        Action, the condition's keys) and marks only those leaves unknown, which the rules allow
        inside a policy document."""
        m = _JSONENCODE.fullmatch(raw) if isinstance(raw, str) else None
        if m is None:
            return None
        try:
            literal = copy.deepcopy(_parse_text(f"x = {m.group(1)}\n")["x"])
            evaluated = json.loads(v) if isinstance(v, str) else None
        except Exception:  # not a literal python-hcl2 reads, or tfparse's text is not JSON
            return None

        def walk(lit: Any, ev: Any) -> Any:
            if isinstance(lit, dict):
                known = ev if isinstance(ev, dict) else {}
                return {_unquote(k): walk(x, known.get(_unquote(k))) for k, x in lit.items()}
            if isinstance(lit, list):
                known_list = ev if isinstance(ev, list) and len(ev) == len(lit) else [None] * len(lit)
                return [walk(a, b) for a, b in zip(lit, known_list, strict=True)]
            if isinstance(lit, str) and "${" in lit:
                if ev is None or self.knowledge.any_unknown(lit, key):
                    return UNKNOWN
                return self.marked(ev)
            return _unquote(lit) if isinstance(lit, str) else lit

        if not isinstance(literal, dict | list):
            return None
        return json.dumps(walk(literal, evaluated), separators=(",", ":"), sort_keys=True)

    def value(self, v: Any, raw: Any, key: tuple[str, ...]) -> Any:
        """One argument: element by element where the expression is a literal list or object,
        else unknown as a whole when the expression reads anything unknown (as Terraform does)."""
        if isinstance(raw, list) and isinstance(v, list) and len(raw) == len(v):
            return [self.value(x, r, key) for x, r in zip(v, raw, strict=True)]
        if isinstance(raw, dict) and isinstance(v, dict) and not _is_block(v):
            plain = {_unquote(k): x for k, x in raw.items() if k != "__is_block__"}
            if set(plain) == set(v):
                return {k: self.value(x, plain[k], key) for k, x in v.items()}
        if raw is not None and self.knowledge.any_unknown(raw, key):
            return self.regional(raw, key) or self.jsonencoded(raw, v, key) or UNKNOWN
        return self.marked(v)

    def block(self, v: dict[str, Any], raw: dict[str, Any] | None, key: tuple[str, ...]) -> dict[str, Any]:
        # Arguments a `dynamic` block wrote have no expression of their own: the whole dynamic
        # block's references stand for them.
        dynamic = (raw or {}).get("dynamic")
        out: dict[str, Any] = {}
        for k, x in v.items():
            if k in (_TFMETA, "id") or k in _META:
                continue
            expr = (raw or {}).get(k)
            if expr is None and dynamic is not None:
                opaque = self.knowledge.any_unknown(dynamic, key)
                items = x if isinstance(x, list) else [x]
                if opaque:
                    out[k] = UNKNOWN
                elif items and all(_is_block(b) for b in items):
                    out[k] = [self.block(b, None, key) for b in items]
                else:
                    out[k] = self.marked(x)
                continue
            items = x if isinstance(x, list) else [x]
            if items and all(_is_block(b) for b in items):
                raws = _hcl_blocks(expr) or []
                out[k] = [
                    self.block(b, raws[i] if i < len(raws) and len(raws) == len(items) else None, key)
                    for i, b in enumerate(items)
                ]
                continue
            out[k] = self.value(x, expr, key) if raw is not None else self.marked(x)
        return out


def _unknown_computed(values: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """What only apply knows is unknown, exactly as a plan's ``after_unknown`` marks it."""
    for name in schema.get("computed", []):
        if name not in values:
            values[name] = UNKNOWN
    for name, inner in (schema.get("blocks") or {}).items():
        blocks = values.get(name)
        if isinstance(blocks, list):
            values[name] = [_unknown_computed(b, inner) if isinstance(b, dict) else b for b in blocks]
    return values


def _sensitive(body: dict[str, Any] | None, module: _Module | None) -> dict[str, Any]:
    """Arguments that read a sensitive variable: a plan marks them in ``after_sensitive``."""
    if not body or module is None or not module.sensitive_vars:
        return {}
    out: dict[str, Any] = {}
    for key, value in body.items():
        refs = _expand_locals(_references(value), module)
        if any(r.startswith("var.") and r[4:] in module.sensitive_vars for r in refs):
            out[key] = True
    return out


def _var_files(root: Path, extra: list[Path], where: str) -> list[str]:
    """Variable files in Terraform's order of precedence (later wins), relative to the root."""
    files = [root / "terraform.tfvars"] if (root / "terraform.tfvars").is_file() else []
    files += sorted(p for p in root.glob("*.auto.tfvars") if p.is_file())
    for f in extra:
        if not f.is_file():
            raise InputError(str(f), "no such variable file")
        files.append(f.resolve())
    for p in (root / "terraform.tfvars.json", *root.glob("*.auto.tfvars.json")):
        if p.is_file():
            # tfparse reads HCL variable files only: a JSON one it cannot read would be ignored.
            raise InputError(where, f"{p.name}: JSON variable files are not read; use the .tfvars form")
    return [os.path.relpath(f.resolve(), root.resolve()) for f in files]


def _given(root: Path, var_paths: list[str], where: str) -> set[str]:
    """The names the variable files set."""
    names: set[str] = set()
    for rel in var_paths:
        parsed = _parse_file(root / rel, where)
        names |= {k for k in parsed if not k.startswith("__")}
    return names


def _location_file(root: Path, filename: str) -> str:
    path = (root / filename).resolve()
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def load(
    path: str | Path,
    region: str | None = None,
    config: dict[str, Any] | None = None,
    var_files: list[Path] | None = None,
) -> Document:
    """The stack document of a directory of Terraform configuration."""
    root = Path(path)
    where = label(path)
    if not root.is_dir():
        raise InputError(where, "not a directory of Terraform configuration")
    if not any(p.is_file() for p in root.glob("*.tf")):
        raise InputError(where, "no .tf files in this directory")
    layout = _Layout.read(root.resolve(), where)
    modules: dict[tuple[str, ...], _Module] = {}
    configuration = _configuration(_read_module(root.resolve(), where), (), {}, layout, where, modules)
    import tfparse

    var_paths = _var_files(root, var_files or [], where)
    try:
        parsed = tfparse.load_from_path(str(root.resolve()), stop_on_hcl_error=True, vars_paths=var_paths)
    except Exception as exc:  # tfparse.ParseError: Trivy's message, first line only
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(where, f"Terraform configuration could not be evaluated: {first[:240]}") from None
    ids = {b["id"] for blocks in parsed.values() for b in blocks if isinstance(b, dict) and "id" in b}
    providers: dict[str, Any] = {}
    for raw in parsed.get("provider", []):
        _provider(raw, raw.get(_TFMETA) or {}, providers)
    default = providers.get("aws", {}).get("expressions", {}).get("region", {}).get("constant_value")
    knowledge = _Knowledge(modules, _given(root, var_paths, where))
    values = _Values(ids, knowledge, default if isinstance(default, str) else None)
    computed = _computed()
    changes: list[dict[str, Any]] = []
    reads: list[dict[str, Any]] = []
    locations: dict[str, dict[str, Any]] = {}
    for kind, blocks in parsed.items():
        for raw in blocks:
            meta = raw.get(_TFMETA) or {}
            btype = meta.get("type")
            if kind == "provider":
                continue
            if btype not in ("resource", "data"):
                continue
            address = meta.get("path")
            if not isinstance(address, str):
                continue
            key = _module_key(address)
            module = modules.get(key)
            body = module.resources.get(_block_address(address)) if module else None
            after = values.block(raw, body, key)
            locations[address] = {
                "file": _location_file(root, meta.get("filename", "")),
                "line": meta.get("line_start"),
            }
            if btype == "data":
                reads.append({"address": address, "mode": "data", "type": kind, "values": after})
                continue
            after = _unknown_computed(after, computed.get(kind, {}))
            changes.append(
                {
                    "address": address,
                    "mode": "managed",
                    "type": kind,
                    "change": {
                        "actions": ["create"],
                        "after": after,
                        "after_unknown": {},
                        "after_sensitive": _sensitive(body, module),
                    },
                }
            )
    top = {
        "format_version": "1.2",
        "resource_changes": changes,
        "prior_state": {"values": {"root_module": {"resources": reads}}},
        "configuration": {"provider_config": providers, "root_module": configuration},
    }
    doc = plan.from_json(top, where, root.resolve().name or "terraform", region, config)
    for r in doc["resources"]:
        loc = locations.get(r["name"])
        if loc is not None and isinstance(loc.get("line"), int):
            r["location"] = loc
    rel = os.path.relpath(root)
    doc["config_file"] = str(root) if rel.startswith("..") else rel
    return doc


def _provider(raw: dict[str, Any], meta: dict[str, Any], out: dict[str, Any]) -> None:
    name = meta.get("label")
    if name != "aws":
        return
    alias = raw.get("alias")
    module = _module_key(str(meta.get("path", "")))
    key = f"aws.{alias}" if isinstance(alias, str) else "aws"
    entry: dict[str, Any] = {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}
    if isinstance(alias, str):
        entry["alias"] = alias
    region = raw.get("region")
    if isinstance(region, str) and region and "${" not in region and region not in (UNKNOWN, SECRET):
        entry["expressions"] = {"region": {"constant_value": region}}
    if module:
        entry["module_address"] = "module." + ".module.".join(module)
        key = f"{entry['module_address']}:{key}"
    out[key] = entry
