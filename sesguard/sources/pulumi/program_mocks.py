"""The mock engine the program runs against: preview-like answers, and a record of what registered.

The mocks answer like a provider during `pulumi preview`: inputs come back as outputs and what
only AWS computes is the unknown sentinel. The monitor records each registration in its wire form,
which carries the engine's camelCase names at every depth, floats and the sentinel for unknowns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import mocks

from sesguard.document import UNKNOWN
from sesguard.errors import SesguardError
from sesguard.sources.common import positions
from sesguard.sources.pulumi import policy_document
from sesguard.sources.pulumi.computed import COMPUTED as _COMPUTED
from sesguard.sources.pulumi.computed import DKIM_COMPUTED as _DKIM_COMPUTED

STACK_TYPE = "pulumi:pulumi:Stack"
AWS_PROVIDER = "pulumi:providers:aws"
MOCK_ACCOUNT_ID = "123456789012"
UNKNOWN_ID = f"sesguard-unknown-{UNKNOWN}"  # an id an invoke cannot know, until it is recorded


class Recorder:
    """What the mock monitor saw: registrations and registered outputs, by URN."""

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}


class RecordingMonitor(mocks.MockMonitor):
    def __init__(
        self,
        preview_mocks: mocks.Mocks,
        recorder: Recorder,
        stack: str,
        project: str,
        project_root: Path | None = None,
        prefix: str = "",
    ) -> None:
        super().__init__(preview_mocks)
        self.recorder = recorder
        self.stack = stack
        self.project = project
        self.project_root = project_root
        self.prefix = prefix

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine does (MockMonitor keeps only the nearest parent type): the whole chain of
        # parent types, leaving out the root stack, so URNs match those of a real preview.
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        inputs = json_format.MessageToDict(request.object)
        outputs = json_format.MessageToDict(response.object) if response.HasField("object") else {}
        self.recorder.resources[response.urn] = {
            "urn": response.urn,
            "type": request.type,
            "name": request.name,
            "custom": request.custom,
            "props": known(merge(inputs, outputs)),
            "parent": request.parent or None,
            "dependencies": sorted(set(request.dependencies)),  # the SDK sends them in set order
        }
        where = self._location(request)
        if where is not None:
            self.recorder.resources[response.urn]["location"] = where
        return response

    def _location(self, request: Any) -> dict[str, Any] | None:
        """The SDK's position of the code that declared the resource, inside the project."""
        if (
            self.project_root is None
            or request.type == STACK_TYPE  # the runner's own root stack, not the user's code
            or not request.HasField("sourcePosition")
        ):
            return None
        pos = request.sourcePosition
        return positions.from_file_uri(pos.uri, pos.line, pos.column, self.project_root, self.prefix)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        outputs = json_format.MessageToDict(request.outputs) if request.HasField("outputs") else {}
        self.recorder.outputs.setdefault(request.urn, {}).update(known(outputs))
        return super().RegisterResourceOutputs(request)


def merge(inputs: Any, outputs: Any) -> Any:
    """Outputs over inputs, object by object."""
    if isinstance(inputs, dict) and isinstance(outputs, dict):
        merged = dict(inputs)
        for k, v in outputs.items():
            merged[k] = merge(inputs.get(k), v)
        return merged
    return inputs if outputs is None else outputs


class PreviewMocks(mocks.Mocks):
    """``stack`` names the stack in messages; ``region`` is its ``aws:region`` (None when unset)."""

    def __init__(self, stack: str = "<stack>", region: str | None = None) -> None:
        self.stack = stack
        self.region = region
        self.provider_regions: dict[str, str | None] = {}  # explicit aws providers, by name

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        if args.typ == AWS_PROVIDER:
            region = state.get("region")
            self.provider_regions[args.name] = region if isinstance(region, str) else None
        if not args.custom:
            return "", state
        for prop in _COMPUTED.get(args.typ, ()):
            state.setdefault(prop, UNKNOWN)
        if args.typ == "aws:sesv2/emailIdentity:EmailIdentity":
            # Without unknown tokens, tokens[i] would fail inside an apply and the DKIM CNAMEs would
            # silently never register (SES-FACTS).
            dkim = dict(state.get("dkimSigningAttributes") or {})
            for prop in _DKIM_COMPUTED:
                dkim.setdefault(prop, UNKNOWN)
            state["dkimSigningAttributes"] = dkim
        return UNKNOWN, state

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            arn = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/sesguard-mock"
            return {"accountId": MOCK_ACCOUNT_ID, "arn": arn, "userId": "AIDAMOCK", "id": MOCK_ACCOUNT_ID}, []
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if args.token == "aws:index/getRegion:getRegion":
            return self._region(args), []
        if args.token == "aws:iam/getPolicyDocument:getPolicyDocument":
            try:
                return policy_document.render(dict(args.args)), []
            except policy_document.PolicyDocumentError as exc:
                raise SesguardError(f"stack {self.stack}: aws.iam.getPolicyDocument: {exc}") from None
        if args.token == "aws:route53/getZone:getZone":
            return self._zone(args), []
        # An invoke the mocks do not know must not quietly return nothing.
        raise SesguardError(self._unanswered(args.token))

    def _unanswered(self, token: str, why: str = "which the mock runner does not answer") -> str:
        return (
            f"program called {token}, {why}: judge a preview instead "
            f"(pulumi preview --json --stack {self.stack} | sesguard check --preview -)"
        )

    def _region(self, args: mocks.MockCallArgs) -> dict[str, Any]:
        """The region a provider would report: the one asked for, the invoke's provider's, or the
        stack's ``aws:region``. Its description (the console's name) only AWS knows: left out."""
        asked = args.args.get("region") or args.args.get("name")
        provider = args.provider.split("::")[3] if args.provider and args.provider.count("::") >= 3 else None
        region = asked or (self.provider_regions.get(provider) if provider else None) or self.region
        if not isinstance(region, str) or not region:
            raise SesguardError(
                f"stack {self.stack}: the program calls aws.getRegion, and the stack sets no aws:region "
                f"(add it to Pulumi.{self.stack}.yaml)"
            )
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        return {
            "region": region,
            "name": region,
            "id": region,
            "endpoint": f"ec2.{region}.{suffix}",
        }

    def _zone(self, args: mocks.MockCallArgs) -> dict[str, Any]:
        """A hosted zone looked up by name: its name as the provider writes it (lower case, no
        final dot). Its id only AWS knows: an invoke result cannot carry an unknown (the SDK's
        typed result refuses it), so the id is a placeholder the recorder turns back into the
        unknown sentinel wherever a resource uses it. What else AWS knows is left out."""
        name = args.args.get("name")
        if not isinstance(name, str) or not name:
            raise SesguardError(
                self._unanswered(
                    "aws:route53/getZone:getZone", "looking a zone up by id, which only AWS answers"
                )
            )
        answer: dict[str, Any] = {k: v for k, v in args.args.items() if v is not None}
        answer["name"] = name if name == "." else name.rstrip(".").lower()
        answer["privateZone"] = bool(args.args.get("privateZone"))
        answer["zoneId"] = answer["id"] = UNKNOWN_ID
        return answer


def known(value: Any) -> Any:
    """``value`` with the placeholders of ids only AWS knows turned into the unknown sentinel."""
    if value == UNKNOWN_ID:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: known(v) for k, v in value.items()}
    if isinstance(value, list):
        return [known(v) for v in value]
    return value
