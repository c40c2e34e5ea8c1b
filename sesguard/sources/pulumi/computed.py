"""What a provider computes and a preview leaves unknown, shared by the Python and Node.js mock runs."""

from __future__ import annotations

# Outputs a provider computes (pulumi_aws 7.51.1 output-only properties); at preview they are
# unknown. Types not listed compute nothing the rules look at.
COMPUTED: dict[str, tuple[str, ...]] = {
    "aws:sesv2/emailIdentity:EmailIdentity": (
        "arn",
        "identityType",
        "verificationStatus",
        "verifiedForSendingStatus",
    ),
    "aws:sesv2/configurationSet:ConfigurationSet": ("arn",),
    "aws:sesv2/contactList:ContactList": ("arn", "createdTimestamp", "lastUpdatedTimestamp"),
    "aws:sns/topic:Topic": ("arn", "owner"),
    "aws:sns/topicPolicy:TopicPolicy": ("owner",),
    "aws:sns/topicSubscription:TopicSubscription": (
        "arn",
        "ownerId",
        "pendingConfirmation",
        "confirmationWasAuthenticated",
    ),
    "aws:sqs/queue:Queue": ("arn", "url"),
    "aws:kms/key:Key": ("arn", "keyId"),
    "aws:kms/alias:Alias": ("arn", "targetKeyArn"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("arn",),
    "aws:route53/record:Record": ("fqdn",),
}
DKIM_COMPUTED = (
    "tokens",
    "status",
    "currentSigningKeyLength",
    "signingAttributesOrigin",
    "lastKeyGenerationTimestamp",
    "nextSigningKeyLength",
)
