"""The DNS records an SES sender needs: DKIM, DMARC, MAIL FROM MX and SPF.

Route53 mode declares them in the domain's hosted zone; external mode only describes them so
another team can publish them (the stack exports the list).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

DKIM_TTL = 1800
TTL = 3600
SPF = "v=spf1 include:amazonses.com ~all"


def dmarc_policy(report_email: str) -> str:
    # p=reject with pct=100 and sp=reject (SES-005): spoofed mail from the domain or any
    # subdomain is refused outright. Alignment stays relaxed: aspf=s would break SPF alignment
    # through the MAIL FROM subdomain (SES-007).
    return f"v=DMARC1; p=reject; sp=reject; pct=100; rua=mailto:{report_email}"


def mail_from_mx(region: str) -> str:
    return f"10 feedback-smtp.{region}.amazonses.com"


@dataclass(frozen=True)
class RecordSpec:
    """One record set; name and value may be unknown at preview (DKIM tokens)."""

    key: str
    name: pulumi.Output[str]
    type: str
    ttl: int
    value: pulumi.Output[str]

    def describe(self) -> dict[str, pulumi.Input[object]]:
        # A dict of Outputs, not one Output: at preview only the DKIM fields are unknown.
        return {"name": self.name, "type": self.type, "ttl": self.ttl, "value": self.value}


@dataclass(frozen=True)
class DnsArgs:
    domain: str
    region: str
    mail_from_domain: str
    dmarc_report_email: str
    dkim_tokens: list[pulumi.Output[str]]
    zone_id: str | None  # None: DNS is published elsewhere


def record_specs(args: DnsArgs) -> list[RecordSpec]:
    """The records, DKIM CNAMEs first, built by Output composition only (never inside an apply)."""
    specs = [
        RecordSpec(
            f"dkim-{i}",
            pulumi.Output.concat(token, "._domainkey.", args.domain),
            "CNAME",
            DKIM_TTL,
            pulumi.Output.concat(token, ".dkim.amazonses.com"),
        )
        for i, token in enumerate(args.dkim_tokens)
    ]
    known = pulumi.Output.from_input
    specs += [
        RecordSpec(
            "dmarc", known(f"_dmarc.{args.domain}"), "TXT", TTL, known(dmarc_policy(args.dmarc_report_email))
        ),
        RecordSpec("mail-from-mx", known(args.mail_from_domain), "MX", TTL, known(mail_from_mx(args.region))),
        RecordSpec("mail-from-spf", known(args.mail_from_domain), "TXT", TTL, known(SPF)),
    ]
    return specs


class DnsRecords(pulumi.ComponentResource):
    """SES-004/005/006/009: DKIM CNAMEs so SES can sign, DMARC p=reject with aggregate reports,
    and the MAIL FROM MX and SPF records that make bounces come back and SPF align."""

    def __init__(self, name: str, args: DnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sesguard:index:DnsRecords", name, None, opts)
        self.specs = record_specs(args)
        self.records: list[aws.route53.Record] = []
        if args.zone_id is not None:
            for spec in self.specs:
                self.records.append(
                    aws.route53.Record(
                        f"{name}-{spec.key}",
                        zone_id=args.zone_id,
                        name=spec.name,
                        type=spec.type,
                        ttl=spec.ttl,
                        records=[spec.value],
                        opts=pulumi.ResourceOptions(parent=self),
                    )
                )
        self.described = [s.describe() for s in self.specs]
        self.register_outputs({"records": self.described})
