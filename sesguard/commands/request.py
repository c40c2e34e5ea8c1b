"""`sesguard request --stack NAME [--submit]`: build and lint the SES production-access request.

The request (sesv2 put_account_details) is written from what the stack declares and the answers in
its `ses-sender:request` config, printed to stderr, and judged by SES-030 (complete, within AWS's
limits), SES-031 (no red flags) and SES-032 (every claim backed by the stack). The report goes to
stdout as for every command.

--submit sends it with boto3 only when the lint passes and the user confirms (or --yes), then
shows the review status from get_account. It never sends on a failed lint. Without a terminal to
ask on, --submit needs --yes (exit 2 otherwise). This is the only sesguard call that writes.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sesguard import judging
from sesguard import request as request_builder
from sesguard.aws import sesv2_client
from sesguard.commands import options
from sesguard.document import Document
from sesguard.errors import SesguardError, one_line
from sesguard.report import output

ClientFactory = Callable[[str], Any]


def add_parser(subparsers: Any) -> None:
    parser = options.subcommand(
        subparsers, "request", "build and lint the SES production-access request; --submit sends it", __doc__
    )
    parser.add_argument("--stack", required=True, metavar="NAME", help="the stack the request is for")
    parser.add_argument("--root", metavar="DIR", help="the Pulumi project (default: the current directory)")
    parser.add_argument(
        "--region", metavar="R", help="the SES region to submit in (default: the stack's aws:region)"
    )
    parser.add_argument(
        "--request-output",
        metavar="FILE",
        help="also write the put_account_details parameters as JSON (for `aws sesv2 put-account-details "
        "--cli-input-json file://FILE`)",
    )
    parser.add_argument(
        "--profile", metavar="P", help="AWS profile for --submit (default: the AWS config chain)"
    )
    parser.add_argument("--submit", action="store_true", help="send the request when the lint passes")
    parser.add_argument("--yes", "-y", action="store_true", help="with --submit: do not ask for confirmation")
    options.add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, *, client_factory: ClientFactory | None = None) -> int:
    if args.submit and not args.yes and not sys.stdin.isatty():
        # Decided before anything runs: a job without a terminal must say --yes explicitly.
        raise SesguardError("--submit needs confirmation and there is no terminal to ask on: add --yes")
    if args.yes and not args.submit:
        raise SesguardError("--yes only applies to --submit")
    root = Path(args.root) if args.root else None
    document = request_builder.document(args.stack, root)
    params = request_builder.params(document)
    # Each line escaped: the use case text comes from stack config and must not become a command.
    print("\n".join(one_line(line) for line in render_request(document).splitlines()), file=sys.stderr)
    if args.request_output:
        try:
            Path(args.request_output).write_text(json.dumps(params, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise SesguardError(
                f"{args.request_output}: cannot write the request: {exc.strerror or exc}"
            ) from None
    run = options.run_of(args)
    engine = run.make_engine()
    try:
        results = judging.judge([document], engine)
    finally:
        engine.close()
    code = output.emit(results, run.reports, run.policies)
    if not args.submit:
        return code
    if code != judging.EXIT_PASS:
        print("sesguard: not submitted: the request has mandatory findings (see the report)", file=sys.stderr)
        return code
    region = args.region or document.get("region")
    if not isinstance(region, str) or not region:
        raise SesguardError(f"stack {args.stack} has no aws:region: give --region to submit")
    if not args.yes and not _confirm(f"Submit this production-access request to SES in {region}? [y/N] "):
        print("sesguard: not submitted", file=sys.stderr)
        return code
    make_client = client_factory or (lambda r: sesv2_client(r, args.profile))
    status = submit(params, region, make_client)
    print(one_line(f"sesguard: submitted; {status}"), file=sys.stderr)
    return code


def _confirm(prompt: str) -> bool:
    print(prompt, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def submit(params: dict[str, Any], region: str, client_factory: ClientFactory) -> str:
    """put_account_details once, then the review status get_account reports."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = client_factory(region)
    try:
        client.put_account_details(**params)
    except ClientError as err:
        error = err.response.get("Error", {})
        detail = ": ".join(str(x) for x in (error.get("Code") or "error", error.get("Message")) if x)
        raise SesguardError(f"sesv2 put_account_details ({region}): {detail}") from None
    except BotoCoreError as err:
        raise SesguardError(f"sesv2 put_account_details ({region}): {err}") from None
    try:
        account = client.get_account()
    except (ClientError, BotoCoreError) as err:
        # The request went out; only the status could not be read. Say so, do not pretend it failed.
        return f"review status unknown (get_account failed: {err})"
    review = (account.get("Details") or {}).get("ReviewDetails") or {}
    status = review.get("Status", "unknown")
    case = f", case {review['CaseId']}" if review.get("CaseId") else ""
    access = "production access granted" if account.get("ProductionAccessEnabled") else "still in the sandbox"
    return f"review status {status}{case} ({access})"


def render_request(document: Document) -> str:
    """The request as a person reads it before deciding to send it."""
    params = request_builder.params(document)
    use_case = str(params.get("UseCaseDescription", ""))
    contacts = params.get("AdditionalContactEmailAddresses")
    lines = [
        f"Production-access request for stack {document['stack']} ({document.get('region') or 'no region'}):",
        f"  MailType:         {params.get('MailType', '(missing)')}",
        f"  WebsiteURL:       {params.get('WebsiteURL', '(missing)')}",
        f"  ContactLanguage:  {params.get('ContactLanguage', '(missing)')}",
        "  Contacts:         "
        + (", ".join(map(str, contacts)) if isinstance(contacts, list) else "(missing)"),
        f"  UseCaseDescription ({len(use_case):,} of 5,000 characters):",
    ]
    for paragraph in use_case.split("\n\n"):
        lines += [
            *textwrap.wrap(
                paragraph, 96, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False
            ),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"
