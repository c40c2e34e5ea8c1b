"""Which engine a run uses: the embedded OPA, or the OPA server at ``--opa-url``."""

from __future__ import annotations

import argparse
from collections.abc import Collection

from sesguard import settings
from sesguard.engine import Engine
from sesguard.policyset import PolicySet


def make_engine(
    args: argparse.Namespace, policies: PolicySet, sources: Collection[str] | None = None
) -> Engine:
    """The engine for this run, loaded with the policies and the run's rule settings.

    ``sources``: the document sources the run will judge, when the command knows them before it
    reads anything (the embedded engine then compiles only the rules that can judge them).
    """
    run_settings = settings.from_args(args, policies)
    if getattr(args, "opa_url", None):
        from sesguard.engine.server import ServerEngine

        return ServerEngine(
            args.opa_url,
            policies,
            run_settings,
            timeout=args.opa_timeout,
            ca=args.opa_ca,
            token=args.opa_token,
            bundle_loaded=args.opa_bundle_loaded,
        )
    from sesguard.engine.embedded import EmbeddedEngine

    return EmbeddedEngine(policies, run_settings, sources=sources)
