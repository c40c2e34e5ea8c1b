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
from sesguard.sources.pulumi.computed import COMPUTED as _COMPUTED
from sesguard.sources.pulumi.computed import DKIM_COMPUTED as _DKIM_COMPUTED

STACK_TYPE = "pulumi:pulumi:Stack"
MOCK_ACCOUNT_ID = "123456789012"


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
            "props": merge(inputs, outputs),
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
        self.recorder.outputs.setdefault(request.urn, {}).update(outputs)
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
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
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
        # An invoke the mocks do not know must not quietly return nothing.
        raise SesguardError(
            f"program called {args.token}, which the mock runner does not answer: "
            "judge a preview instead (pulumi preview --json --stack <stack> | sesguard check --preview -)"
        )
