"""The customer managed KMS key the stack's SNS topics are encrypted with.

SES and CloudWatch cannot publish to a topic encrypted with the AWS managed ``alias/aws/sns``
key (its key policy cannot grant them kms:GenerateDataKey), so SES-015's encryption needs a key
of our own whose policy lets exactly those two services use it for this account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.arns import Account


@dataclass(frozen=True)
class EncryptionArgs:
    account: Account
    alias: str  # "alias/..."


def key_policy(account: Account) -> str:
    root = f"arn:{account.partition}:iam::{account.account_id}:root"
    services = {
        "Effect": "Allow",
        "Principal": {"Service": ["ses.amazonaws.com", "cloudwatch.amazonaws.com"]},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}},
    }
    admin = {
        "Sid": "AccountAdmin",
        "Effect": "Allow",
        "Principal": {"AWS": root},
        "Action": "kms:*",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [admin, {"Sid": "SesAndAlarms", **services}]})


class Encryption(pulumi.ComponentResource):
    def __init__(self, name: str, args: EncryptionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sesguard:index:Encryption", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.key = aws.kms.Key(
            f"{name}-key",
            description="SES feedback and reputation alarm topics",
            enable_key_rotation=True,
            policy=key_policy(args.account),
            opts=child,
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias", name=args.alias, target_key_id=self.key.key_id, opts=child
        )
        # Topics name the key by its alias (a value known at preview) and depend on the alias.
        self.key_id = args.alias
        self.register_outputs({"keyArn": self.key.arn, "alias": self.key_id})
