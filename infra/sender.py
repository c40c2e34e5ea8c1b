"""One sending domain, complete: identity, DNS, configuration set and feedback."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from infra.arns import Account
from infra.configuration_set import ConfigurationSet, ConfigurationSetArgs
from infra.dns import DnsArgs, DnsRecords
from infra.feedback import Feedback, FeedbackArgs
from infra.identity import Identity, IdentityArgs


@dataclass(frozen=True)
class SesSenderArgs:
    account: Account
    domain: str
    mail_from_domain: str
    dmarc_report_email: str
    configuration_set_name: str
    event_types: tuple[str, ...]
    zone_id: str | None  # None: DNS published by someone else, records only exported
    kms_key_id: str
    kms_alias: pulumi.Resource
    webhook_url: pulumi.Input[str] | None = None


class SesSender(pulumi.ComponentResource):
    def __init__(self, name: str, args: SesSenderArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sesguard:index:SesSender", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.configuration_set = ConfigurationSet(
            f"{name}-cs",
            ConfigurationSetArgs(name=args.configuration_set_name),
            opts=child,
        )
        self.feedback = Feedback(
            f"{name}-feedback",
            FeedbackArgs(
                account=args.account,
                configuration_set_name=self.configuration_set.name,
                configuration_set=args.configuration_set_name,
                event_types=args.event_types,
                kms_key_id=args.kms_key_id,
                kms_alias=args.kms_alias,
                webhook_url=args.webhook_url,
            ),
            opts=child,
        )
        self.identity = Identity(
            f"{name}-identity",
            IdentityArgs(
                domain=args.domain,
                mail_from_domain=args.mail_from_domain,
                configuration_set_name=self.configuration_set.name,
            ),
            # Feedback first: no mail is sent through the identity before bounces have somewhere to go.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.feedback]),
        )
        self.dns = DnsRecords(
            f"{name}-dns",
            DnsArgs(
                domain=args.domain,
                region=args.account.region,
                mail_from_domain=args.mail_from_domain,
                dmarc_report_email=args.dmarc_report_email,
                dkim_tokens=self.identity.dkim_tokens,
                zone_id=args.zone_id,
            ),
            opts=child,
        )
        self.dns_records = self.dns.described
        self.register_outputs(
            {
                "identityArn": self.identity.arn,
                "configurationSetName": self.configuration_set.name,
                "feedbackTopicArn": self.feedback.topic.arn,
                "dnsRecords": self.dns_records,
            }
        )
