"""`sesguard dns DOMAIN`: check what the domain really publishes for SES.

Queries, with dnspython, `_dmarc.<domain>` (SES-050), the three Easy DKIM CNAMEs (SES-051; tokens
from --dkim-token or the live identity of --stack) and the MAIL FROM domain's MX and SPF record
(SES-052; lookups counted over the real include tree). NXDOMAIN and missing records are findings
(exit 1); a nameserver that does not answer is an error (exit 2), never a pass.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sesguard import judging
from sesguard.aws import sesv2_client
from sesguard.commands import options
from sesguard.errors import SesguardError, one_line
from sesguard.report import output
from sesguard.sources.live import dns as dns_source


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(
        subparsers, "dns", "check a domain's published DMARC, DKIM and MAIL FROM records", __doc__
    )
    parser.add_argument("domain", metavar="DOMAIN", help="the sending domain, e.g. example.com")
    parser.add_argument(
        "--nameserver", metavar="HOST[:PORT]", help="resolver to ask (default: the system resolver)"
    )
    parser.add_argument(
        "--region", metavar="R", help="SES region of the MAIL FROM MX (default: --stack's, or AWS config)"
    )
    parser.add_argument(
        "--mail-from", metavar="D", help="MAIL FROM domain (default: --stack's, or mail.DOMAIN)"
    )
    parser.add_argument(
        "--dkim-token",
        action="append",
        default=[],
        metavar="T",
        help="an Easy DKIM token (repeatable; three)",
    )
    parser.add_argument(
        "--stack",
        metavar="NAME",
        help="take region, MAIL FROM and waivers from stacks/Pulumi.NAME.yaml and the "
        "DKIM tokens from the live identity (read-only sesv2 call) unless --dkim-token is given",
    )
    parser.add_argument("--profile", metavar="P", help="AWS profile for reading --stack's DKIM tokens")
    parser.add_argument(
        "--timeout",
        type=float,
        default=dns_source.DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"per-query time limit ({dns_source.DEFAULT_TIMEOUT:g})",
    )
    options.add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.timeout <= 60:
        raise SesguardError(f"--timeout {args.timeout:g}: expected more than 0 and at most 60 seconds")
    run = options.run_of(args)
    nameserver = dns_source.parse_nameserver(args.nameserver) if args.nameserver else None
    target = dns_source.make_target(
        args.domain,
        region=args.region,
        mail_from=args.mail_from,
        dkim_tokens=args.dkim_token,
        stack=args.stack,
        client_factory=lambda region: sesv2_client(region, args.profile),
    )
    resolver = dns_source.make_resolver(nameserver, args.timeout)
    progress = _progress if sys.stderr.isatty() else None
    document = dns_source.read(target, resolver, progress=progress)
    engine = run.make_engine()
    try:
        results = judging.judge([document], engine)
    finally:
        engine.close()
    return output.emit(results, run.reports, run.policies)


def _progress(what: str) -> None:
    print(one_line(f"sesguard dns: querying {what}"), file=sys.stderr, flush=True)
