"""`sesguard bundle -o FILE`: the policy pack as an OPA bundle (.tar.gz with a .manifest).

Load it with ``opa run --server --bundle FILE`` (or serve it from a bundle service) and point
``sesguard check --opa-url URL --opa-bundle-loaded`` at that server. Rule settings given here
(--waivers, --level, --threshold) are baked in as data.sesguard_settings, and the bundle then owns
that root, so clients cannot change them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sesguard import judging
from sesguard.bundle import build_bundle, default_revision, with_digest
from sesguard.commands import options
from sesguard.errors import one_line


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(subparsers, "bundle", "build an OPA bundle of the policies", __doc__)
    parser.add_argument(
        "--output", "-o", required=True, metavar="FILE", help="where to write the .tar.gz bundle"
    )
    parser.add_argument(
        "--revision", metavar="REV", help="the manifest revision (default: git commit, else a content hash)"
    )
    parser.add_argument("--waivers", metavar="FILE", help="bake these waivers into the bundle")
    parser.add_argument(
        "--level", action="append", default=[], metavar="ID=LEVEL", help="bake a rule level in"
    )
    parser.add_argument(
        "--threshold", action="append", default=[], metavar="NAME=VALUE", help="bake a tightened threshold in"
    )
    options.add_policy_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    policies = options.policies_of(args)
    run_settings = (
        options.settings_of(args, policies) if (args.waivers or args.level or args.threshold) else None
    )
    revision = args.revision or default_revision(policies, run_settings)
    out = build_bundle(policies, Path(args.output), revision=revision, settings=run_settings)
    baked = ", with settings" if run_settings is not None else ""
    shown = with_digest(revision, policies)
    print(one_line(f"sesguard: wrote {out} (revision {shown}, {len(policies.modules)} modules{baked})"))
    return judging.EXIT_PASS
