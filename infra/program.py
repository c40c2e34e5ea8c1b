"""The whole program, as a function of validated config; __main__.py only calls it."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.account import AccountSuppression
from infra.alarms import AlarmsArgs, ReputationAlarms
from infra.arns import Account
from infra.config import ProgramConfig
from infra.encryption import Encryption, EncryptionArgs
from infra.marketing import ContactList
from infra.sender import SesSender, SesSenderArgs


def build(cfg: ProgramConfig) -> None:
    account = Account(cfg.partition, cfg.region, aws.get_caller_identity().account_id)
    prefix = f"ses-sender-{cfg.stack}"
    encryption = Encryption("sns-encryption", EncryptionArgs(account=account, alias=f"alias/{prefix}-sns"))
    webhook = None
    if cfg.webhook_url is not None:
        # The URL usually carries a token: keep it secret in state and previews.
        webhook = pulumi.Output.secret(cfg.webhook_url)
    records: dict[str, list[dict[str, pulumi.Input[object]]]] = {}
    configuration_sets: dict[str, pulumi.Output[str]] = {}
    for sender in cfg.senders:
        ses = SesSender(
            sender.domain.replace(".", "-"),
            SesSenderArgs(
                account=account,
                domain=sender.domain,
                mail_from_domain=sender.mail_from_domain,
                dmarc_report_email=sender.dmarc_report_email,
                configuration_set_name=sender.configuration_set_name,
                event_types=sender.event_types,
                zone_id=sender.zone_id,
                kms_key_id=encryption.key_id,
                kms_alias=encryption.alias,
                webhook_url=webhook,
            ),
        )
        records[sender.domain] = ses.dns_records
        configuration_sets[sender.domain] = ses.configuration_set.name
    if cfg.account_suppression:
        AccountSuppression("account")
    ReputationAlarms(
        "reputation",
        AlarmsArgs(
            topic_name=f"{prefix}-reputation-alerts",
            bounce_rate=cfg.alarms.bounce_rate,
            complaint_rate=cfg.alarms.complaint_rate,
            emails=cfg.alarms.emails,
            kms_key_id=encryption.key_id,
            kms_alias=encryption.alias,
        ),
    )
    if cfg.contact_list is not None:
        ContactList("marketing", cfg.contact_list)
    pulumi.export("mailType", cfg.mail_type)
    pulumi.export("configurationSets", configuration_sets)
    if cfg.dns == "external":
        # Another team publishes these; `pulumi stack output dnsRecords` hands them over.
        pulumi.export("dnsRecords", records)
