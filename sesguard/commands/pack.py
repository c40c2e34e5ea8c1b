"""`sesguard pack init DIR`: write a self-contained Pulumi policy pack for this sesguard version.

The directory holds PulumiPolicy.yaml (virtualenv `venv` inside the pack), a __main__.py that
imports the installed sesguard, a pinned requirements.txt and, with --extra-policies, a copy of
your organisation's rules. Then:

  pulumi preview --policy-pack DIR            enforce it on one project
  pulumi policy publish <org>                 (in DIR) publish it for policy groups
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sesguard import judging, packdir
from sesguard.commands import options
from sesguard.errors import one_line


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(subparsers, "pack", "write a Pulumi policy pack directory", __doc__)
    actions = parser.add_subparsers(dest="action", required=True)
    init = actions.add_parser("init", help="write the pack into DIR")
    init.add_argument("dir", metavar="DIR", help="the pack directory to write (created; must be empty)")
    init.add_argument(
        "--extra-policies",
        action="append",
        default=[],
        metavar="DIR",
        help="copy your organisation's Rego rules into the pack (repeatable)",
    )
    init.add_argument(
        "--requirement",
        metavar="SPEC",
        help="what requirements.txt installs (default: the sesguard running now, as it was installed: "
        "its git commit, wheel or directory URL, or its index version; e.g. a git+https URL pinned to a tag)",
    )
    init.add_argument(
        "--force",
        action="store_true",
        help="replace the files an earlier `pack init` wrote in DIR (never any other file)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    target = packdir.write(
        Path(args.dir), [Path(p) for p in args.extra_policies], spec=args.requirement, force=args.force
    )
    print(one_line(f"sesguard: wrote the policy pack to {target} (pulumi preview --policy-pack {target})"))
    return judging.EXIT_PASS
