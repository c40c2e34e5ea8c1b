"""The Pulumi policy pack's logic: one Pulumi policy per Rego rule, one Rego evaluation per stack.

policies/__main__.py only hands :func:`policies` to ``pulumi_policy.PolicyPack`` (which blocks
forever), so everything here is importable and testable without starting a server.

How it meets DESIGN:
- Every rule in the catalog becomes a ``StackValidationPolicy`` named ``rule.policy_name``, so
  Pulumi's output, ``--policy-pack-config`` and the Cloud console all speak in rule names. The
  level Pulumi applies is the METADATA default unless the policy config overrides it; a disabled
  policy is never called.
- The Rego is evaluated once per stack: the pulumi_policy SDK calls every policy with its own
  freshly built resource objects, so the first call converts them into a stack document and
  evaluates; the others convert, find an equal document in the cache and read its findings.
- Unknown values never reach the SDK's unknown-checking proxy: props are read from the proxy's
  underlying structure, where Pulumi's sentinels are plain strings, so a mandatory rule can never
  be downgraded to the SDK's advisory "can't run during preview".
- Secrets: pulumi_policy 1.21 unwraps secret values to plaintext before a policy sees them, so
  :func:`install_secret_redaction` makes its deserializer turn them into ``"[secret]"`` first.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pulumi_policy
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from sesguard import document as doc_mod
from sesguard.engine import Settings
from sesguard.errors import EngineError, InputError, SesguardError, one_line
from sesguard.findings import Finding
from sesguard.policyset import PolicySet, Rule, load
from sesguard.sources.common import regions

NAME = "sesguard"
DESCRIPTION = (
    "Keeps an Amazon SES account out of the sandbox: every SES production-access requirement "
    "(domain identity, DKIM, DMARC p=reject, MAIL FROM, bounce/complaint feedback, suppression, "
    "reputation alarms) as a Rego rule, evaluated by OPA."
)

ENFORCEMENT = {
    "mandatory": EnforcementLevel.MANDATORY,
    "advisory": EnforcementLevel.ADVISORY,
    "disabled": EnforcementLevel.DISABLED,
}
SEVERITY = {
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}

# Every typed unknown the SDK recognises (pulumi_policy/proxy.py); the engine sends the string one,
# but older SDKs and other languages may send the others. All become the one sentinel rules test.
UNKNOWN_SENTINELS = frozenset(
    {
        doc_mod.UNKNOWN,
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)

_THRESHOLD_USE = re.compile(r"""threshold\(\s*"([A-Za-z0-9_]+)"\s*\)""")


# --- secrets -------------------------------------------------------------------------------------


def _redact_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(doc_mod.SECRET_SIG) == doc_mod.SECRET_SIG_VALUE:
            return doc_mod.SECRET
        return {k: _redact_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_secrets(v) for v in value]
    return value


_installed = False


def install_secret_redaction() -> None:
    """Make pulumi_policy's deserializer replace secret values with ``"[secret]"``.

    pulumi_policy 1.21 ``AnalyzeStack``/``Analyze`` call ``deserialize_properties(...)`` without
    ``proxy_secrets``, which unwraps every secret to its plaintext: once a policy runs, nothing
    says which values were secret. Redacting in the deserializer is the only place the marker is
    still visible. If the SDK ever moves the function, the pack refuses to start rather than leak.
    """
    global _installed
    if _installed:
        return
    import pulumi_policy.policy as sdk

    original = getattr(sdk, "deserialize_properties", None)
    if not callable(original):
        raise SesguardError(
            "pulumi_policy.policy.deserialize_properties not found (SDK changed?): "
            "sesguard cannot keep secret values out of policy messages"
        )

    def deserialize_redacted(props: dict[str, Any], proxy_secrets: bool = False) -> Any:
        return original(_redact_secrets(props), proxy_secrets)

    setattr(sdk, "deserialize_properties", deserialize_redacted)  # noqa: B010
    _installed = True


# --- resources -> stack document -----------------------------------------------------------------


def plain(value: Any) -> Any:
    """The SDK's proxied props as plain JSON values, without ever reading through the proxy.

    ``proxy["__target"]`` is how the SDK itself unwraps its proxies (pulumi_policy/deserialize.py
    ``_serialize_property``); reading items through the proxy would raise on unknowns.
    """
    if isinstance(value, Mapping):
        target = value["__target"] if _is_sdk_proxy(value) else value
        return {str(k): plain(v) for k, v in target.items()}
    if isinstance(value, list | tuple) or _is_sdk_proxy(value):
        items = value["__target"] if _is_sdk_proxy(value) else value
        return [plain(v) for v in items]
    if isinstance(value, pulumi_policy.Secret):
        return doc_mod.SECRET
    if isinstance(value, str):
        return doc_mod.UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    # Assets and archives: rules never read their contents; keep their kind only.
    return f"[{type(value).__name__}]"


def _is_sdk_proxy(value: Any) -> bool:
    return type(value).__module__.startswith("pulumi_policy.") and type(value).__name__ in {
        "_DictProxy",
        "_ListProxy",
        "_DictSecretsProxy",
        "_ListSecretsProxy",
    }


def stack_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The stack config the CLI hands the pack: ``PULUMI_CONFIG``, secret keys redacted."""
    env = os.environ if environ is None else environ
    try:
        config = json.loads(env.get("PULUMI_CONFIG") or "{}")
        secret_keys = json.loads(env.get("PULUMI_CONFIG_SECRET_KEYS") or "[]")
    except ValueError as exc:
        raise InputError("PULUMI_CONFIG", f"not JSON: {exc}") from None
    if not isinstance(config, dict) or not isinstance(secret_keys, list):
        raise InputError("PULUMI_CONFIG", "expected a JSON object of config keys (and a list of secret keys)")
    secret = {str(k) for k in secret_keys}
    return {str(k): (doc_mod.SECRET if k in secret else v) for k, v in config.items()}


def to_resource(r: PolicyResource) -> dict[str, Any]:
    parent = r.parent.urn if r.parent is not None else (getattr(r.opts, "parent", None) or None)
    deps: dict[str, None] = {}
    for d in r.dependencies:
        deps[d.urn] = None
    # Property dependencies name what an unknown property value will come from: rules resolve
    # unknown references through them, so they count as dependencies too.
    for targets in (r.property_dependencies or {}).values():
        for d in targets:
            deps[d.urn] = None
    return {
        "urn": r.urn,
        "type": r.resource_type,
        "name": r.name,
        "props": plain(r.props),
        "parent": parent,
        "dependencies": list(deps),
    }


def to_document(
    resources: Iterable[PolicyResource], environ: Mapping[str, str] | None = None
) -> doc_mod.Document:
    return _pack_document([to_resource(r) for r in resources], environ)


def _pack_document(resources: list[dict[str, Any]], environ: Mapping[str, str] | None) -> doc_mod.Document:
    """A pack document: the resources, with project, stack, region and config from the environment
    the Pulumi CLI starts the pack in."""
    env = os.environ if environ is None else environ
    config = stack_config(env)
    region = doc_mod.parse_config_value(config.get("aws:region"))
    return doc_mod.new_document(
        source="pack",
        project=env.get("PULUMI_PROJECT", ""),
        stack=env.get("PULUMI_STACK", ""),
        region=region if isinstance(region, str) and region != doc_mod.SECRET else None,
        config=config,
        resources=resources,
    )


# --- evaluation ----------------------------------------------------------------------------------


def thresholds_of(policyset: PolicySet) -> dict[str, tuple[str, ...]]:
    """Rule id -> the threshold names its Rego file reads (one file per check)."""
    texts = dict(policyset.modules)
    return {
        rule.id: tuple(sorted(set(_THRESHOLD_USE.findall(texts.get(rule.file, "")))))
        for rule in policyset.rules
    }


def settings_for(rule: Rule, config: Mapping[str, Any], thresholds: tuple[str, ...]) -> Settings:
    """A policy's config properties as engine settings: only its own thresholds, only numbers.

    The CLI validates properties against the policy's config schema before Configure; this is
    the check for anyone driving the gRPC protocol directly.
    """
    values: dict[str, float] = {}
    for name in thresholds:
        if name not in config:
            continue
        v = config[name]
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise InputError(f"policy config {rule.policy_name}.{name}", f"expected a number, got {v!r:.60}")
        values[name] = float(v)
    return Settings(thresholds=values)


def _settings_key(settings: Settings) -> tuple[tuple[str, float], ...]:
    return tuple(sorted(settings.thresholds.items()))


EngineFactory = Callable[[PolicySet, Settings], Any]


def _embedded(policyset: PolicySet, settings: Settings) -> Any:
    from sesguard.engine.embedded import EmbeddedEngine

    # The pack judges only the documents it builds from the Pulumi engine's resources.
    return EmbeddedEngine(policyset, settings, sources={"pack"})


class StackEvaluator:
    """Evaluates each distinct stack document once, per distinct policy settings.

    Engines are built once per process and per settings (normally exactly one: the defaults).
    The SDK runs requests on a thread pool, so evaluation is serialised.
    """

    def __init__(self, policyset: PolicySet, engine_factory: EngineFactory = _embedded) -> None:
        self.policyset = policyset
        self.evaluations = 0
        self._factory = engine_factory
        self._engines: dict[tuple[tuple[str, float], ...], Any] = {}
        self._last: dict[tuple[tuple[str, float], ...], tuple[doc_mod.Document, list[Finding]]] = {}
        self._lock = threading.Lock()
        self._ids = {r.id for r in policyset.rules}

    def engine(self, settings: Settings) -> Any:
        key = _settings_key(settings)
        with self._lock:
            if key not in self._engines:
                self._engines[key] = self._factory(self.policyset, settings)
            return self._engines[key]

    def warm(self) -> threading.Thread:
        """Build the default engine and compile its policies on a thread; join it to wait."""

        def build() -> None:
            try:
                engine = self.engine(Settings())
                prepare = getattr(engine, "prepare", None)
                if callable(prepare):
                    prepare()
            except SesguardError as exc:
                # The first AnalyzeStack retries and fails the preview with this error.
                _log(f"policy engine not ready: {exc}")

        thread = threading.Thread(target=build, name="sesguard-warm", daemon=True)
        thread.start()
        return thread

    def findings(self, document: doc_mod.Document, settings: Settings) -> list[Finding]:
        key = _settings_key(settings)
        engine = self.engine(settings)
        with self._lock:
            cached = self._last.get(key)
            if cached is not None and cached[0] == document:
                return cached[1]
            found = engine.evaluate(document)
            self.evaluations += 1
            strays = sorted({f.rule for f in found} - self._ids)
            if strays:
                # A finding no policy can report would be a silent pass.
                raise EngineError(
                    f"policies returned findings for rules outside the catalog: {', '.join(strays)}"
                )
            self._last[key] = (document, found)
            return found

    def close(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.close()
            self._engines.clear()
            self._last.clear()


def _log(line: str) -> None:
    # The CLI shows a policy pack's stderr in its output; the pack has no engine connection for
    # pulumi.log (pulumi.policy's launcher never configures one).
    sys.stderr.write(one_line(f"sesguard: {line}") + "\n")
    sys.stderr.flush()


class RulePolicy:
    """What one Pulumi policy does with a stack: its rule's unwaived findings, as violations."""

    def __init__(
        self,
        rule: Rule,
        evaluator: StackEvaluator,
        thresholds: tuple[str, ...],
        environ: Mapping[str, str] | None,
    ) -> None:
        self.rule = rule
        self.evaluator = evaluator
        self.thresholds = thresholds
        self.environ = environ

    def report(
        self, document: doc_mod.Document, config: Mapping[str, Any], report_violation: ReportViolation
    ) -> None:
        settings = settings_for(self.rule, config, self.thresholds)
        for f in self.evaluator.findings(document, settings):
            if f.rule != self.rule.id:
                continue
            if f.waived:
                # Waived findings stay visible but never count against the stack.
                _log(f"{self.rule.policy_name} waived ({f.waiver}): {f.message} [{f.resource or 'stack'}]")
                continue
            report_violation(f.message, f.resource or None)

    def validate(self, args: StackValidationArgs, report_violation: ReportViolation) -> None:
        """The SDK's path: called once per policy with freshly deserialized resources."""
        self.report(to_document(args.resources, self.environ), args.get_config() or {}, report_violation)


# --- one conversion per AnalyzeStack -------------------------------------------------------------


def document_from_request(request: Any, environ: Mapping[str, str] | None = None) -> doc_mod.Document:
    """The stack document straight from an ``AnalyzeStackRequest``, secrets and unknowns intact."""
    from google.protobuf import json_format

    resources = []
    for r in request.resources:
        deps = dict.fromkeys(r.dependencies)
        for v in r.propertyDependencies.values():
            deps.update(dict.fromkeys(v.urns))
        resources.append(
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "props": plain(_redact_secrets(json_format.MessageToDict(r.properties))),
                "parent": r.parent or r.options.parent or None,
                "dependencies": list(deps),
                **_region(r, json_format),
            }
        )
    return _pack_document(resources, environ)


def _region(r: Any, json_format: Any) -> dict[str, str]:
    """``{"region": …}`` from the resource's own AWS provider (the engine sends it with each resource)."""
    provider = r.provider if r.HasField("provider") else None
    provider_props = (
        json_format.MessageToDict(provider.properties)
        if provider is not None and provider.type == regions.AWS_PROVIDER
        else None
    )
    props = json_format.MessageToDict(r.properties)
    region = regions.region_of(r.type, props, provider_props)
    return {"region": region} if region else {}


_SERVICER_HELPERS = (
    "_configure_runtime_settings",
    "_get_enforcement_level",
    "_create_report_violation",
    "_get_policy_config",
)
_fast_installed = False
# The SDK's own AnalyzeStack, kept for other packs and for tests comparing the two paths.
sdk_analyze_stack: Callable[..., Any] | None = None


def install_single_conversion() -> None:
    """Convert the stack once per ``AnalyzeStack`` instead of once per policy.

    pulumi_policy 1.21 deserializes every resource again for each stack policy (n x policies
    protobuf conversions: 400 ms of a 500 ms AnalyzeStack on 50 resources). For a pack made only
    of sesguard policies, this AnalyzeStack converts the request once and otherwise does what the
    SDK's does, through the SDK's own helpers: per-policy enforcement level (METADATA default or
    Configure override; disabled policies skipped), per-policy config, and its report_violation
    (so the diagnostics are built byte for byte as the SDK builds them). Any other pack, or an SDK
    without those helpers, keeps the SDK's own AnalyzeStack (and the per-policy validate path).
    """
    global _fast_installed, sdk_analyze_stack
    if _fast_installed:
        return
    import pulumi_policy.policy as sdk

    servicer = sdk._PolicyAnalyzerServicer
    if not all(callable(getattr(servicer, h, None)) for h in _SERVICER_HELPERS):
        _log("pulumi_policy internals differ from 1.21: using the SDK's per-policy AnalyzeStack")
        _fast_installed = True
        return
    original = sdk_analyze_stack = servicer.AnalyzeStack

    def analyze_stack(self: Any, request: Any, context: Any) -> Any:
        policies = getattr(self, "_PolicyAnalyzerServicer__policies", None)
        found = [getattr(p, "_sesguard", None) for p in policies or ()]
        handlers = [h for h in found if isinstance(h, RulePolicy)]
        if not handlers or len(handlers) != len(found):
            return original(self, request, context)
        self._configure_runtime_settings()
        response = sdk.proto.AnalyzeResponse()
        document: doc_mod.Document | None = None
        for policy, handler in zip(policies or (), handlers, strict=True):
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED:
                continue
            if level == EnforcementLevel.REMEDIATE:  # as the SDK: stack policies cannot remediate
                level = EnforcementLevel.MANDATORY
            if document is None:
                document = document_from_request(request, handler.environ)
            report = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            handler.report(document, self._get_policy_config(policy.name) or {}, report)
        return response

    setattr(servicer, "AnalyzeStack", analyze_stack)  # noqa: B010
    _fast_installed = True


def description(rule: Rule) -> str:
    return f"{rule.id}: {rule.title}." + (f" {rule.url}" if rule.url else "")


def config_schema(thresholds: tuple[str, ...]) -> PolicyConfigSchema | None:
    if not thresholds:
        return None
    return PolicyConfigSchema(
        properties={
            name: {
                "type": "number",
                "exclusiveMinimum": 0,
                "description": f"tighten the {name} threshold (a looser value than the default is ignored)",
            }
            for name in thresholds
        }
    )


def policies(
    policyset: PolicySet | None = None,
    *,
    evaluator: StackEvaluator | None = None,
    environ: Mapping[str, str] | None = None,
    warm: bool = False,
) -> list[Policy]:
    """One StackValidationPolicy per catalog rule, sharing one evaluator.

    ``warm`` builds the engine and compiles the policies while the policies are registered, and
    returns once they are compiled: the pack prints its port (PolicyPack) only after that, so even
    an AnalyzeStack sent the moment the port appears pays no compilation (issue 14).
    """
    ps = policyset or load()
    ev = evaluator or StackEvaluator(ps)
    warming = ev.warm() if warm else None
    install_secret_redaction()
    install_single_conversion()
    uses = thresholds_of(ps)
    result: list[Policy] = []
    for rule in ps.rules:
        try:
            level = ENFORCEMENT[rule.enforcement]
            severity = SEVERITY[rule.severity]
        except KeyError as exc:
            raise SesguardError(
                f"{ps.root / rule.file}: rule {rule.id} has unknown level or severity {exc}"
            ) from None
        handler = RulePolicy(rule, ev, uses[rule.id], environ)
        p = StackValidationPolicy(
            name=rule.policy_name,
            description=description(rule),
            validate=handler.validate,
            enforcement_level=level,
            config_schema=config_schema(uses[rule.id]),
            display_name=f"{rule.id} {rule.title}",
            severity=severity,
            tags=["ses", rule.package],
            remediation_steps=rule.remediation,
            url=rule.url or None,
        )
        p._sesguard = handler  # type: ignore[attr-defined]  # found by the single-conversion AnalyzeStack
        result.append(p)
    if not result:
        raise SesguardError(f"{ps.root}: no rules found (no # METADATA block with custom.id)")
    if warming is not None:
        warming.join()
    return result


def serve(extra_policies: Sequence[Path] = ()) -> None:
    """The pack program: build the PolicyPack and serve it (blocks forever).

    The embedded engine is checked first: on Python 3.11-3.13 pip cannot install it from
    requirements.txt (its metadata asks for 3.14), so a pack Pulumi just created installs it into
    its own virtualenv and says so; failing that, the pack exits with one line naming the command.
    """
    from pulumi_policy import PolicyPack

    from sesguard.engine import install

    try:
        install.ensure(_log)
        from sesguard.engine.compiled import checked

        built = policies(checked(None, tuple(Path(p) for p in extra_policies)), warm=True)
    except SesguardError as exc:
        _log(str(exc))
        raise SystemExit(2) from None
    PolicyPack(
        name=NAME,
        description=DESCRIPTION,
        policies=built,
        enforcement_level=EnforcementLevel.MANDATORY,
    )
