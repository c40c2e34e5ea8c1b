"""Which engine a run uses: the embedded OPA, or the OPA server at ``--opa-url``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sesguard.engine import Engine, Settings
from sesguard.policyset import PolicySet


@dataclass(frozen=True)
class EngineOptions:
    """Where a run evaluates: the embedded OPA (no ``opa_url``) or an OPA server, and how to reach it."""

    opa_url: str | None = None
    timeout: float = 10.0
    ca: str | None = None
    token: str | None = field(default=None, repr=False)  # a secret: never in a repr or a message
    bundle_loaded: bool = False


def make_engine(
    options: EngineOptions,
    policies: PolicySet,
    settings: Settings,
    sources: Collection[str] | None = None,
) -> Engine:
    """The engine for this run, loaded with the policies and the run's rule settings.

    ``sources``: the document sources the run will judge, when the command knows them before it
    reads anything (the embedded engine then compiles only the rules that can judge them).
    """
    if options.opa_url:
        from sesguard.engine.server import ServerEngine

        return ServerEngine(
            options.opa_url,
            policies,
            settings,
            timeout=options.timeout,
            ca=options.ca,
            token=options.token,
            bundle_loaded=options.bundle_loaded,
        )
    from sesguard.engine.embedded import EmbeddedEngine

    return EmbeddedEngine(policies, settings, sources=sources)
