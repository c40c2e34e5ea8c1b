"""Where bounce and complaint events go: an SNS topic, an SQS queue that keeps them, a webhook."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.arns import Account

MAX_RECEIVES = 5  # then a message parks in the dead-letter queue for a human to look at
RETENTION = 14 * 24 * 3600  # SQS maximum: a weekend outage of the consumer loses nothing


@dataclass(frozen=True)
class FeedbackArgs:
    account: Account
    configuration_set_name: pulumi.Input[str]
    configuration_set: str  # the name as written in config, for the ARN in the topic policy
    event_types: tuple[str, ...]
    kms_key_id: str
    kms_alias: pulumi.Resource  # the topic must not be created before its key alias exists
    webhook_url: pulumi.Input[str] | None = None


def topic_policy(account: Account, topic_arn: str, configuration_set: str) -> str:
    # SES-014: only SES, only for this account, only for this configuration set (confused deputy).
    statement = {
        "Sid": "AllowSesPublishForThisConfigurationSet",
        "Effect": "Allow",
        "Principal": {"Service": "ses.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": account.account_id},
            "ArnLike": {"AWS:SourceArn": account.configuration_set_arn(configuration_set)},
        },
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def queue_policy(queue_arn: str, topic_arn: str) -> str:
    statement = {
        "Sid": "AllowFeedbackTopic",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


class Feedback(pulumi.ComponentResource):
    """SES-012/013/014/015: an enabled event destination for BOUNCE and COMPLAINT (plus the
    configured extras) publishing to a standard, KMS-encrypted topic that SES alone may publish
    to; an SQS queue with a dead-letter queue keeps every event until the suppression handler
    has processed it."""

    def __init__(self, name: str, args: FeedbackArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sesguard:index:Feedback", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        acct = args.account
        topic_name = f"ses-feedback-{args.configuration_set}"[:256]
        topic_arn = acct.arn("sns", topic_name)
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=topic_name,
            fifo_topic=False,
            kms_master_key_id=args.kms_key_id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.kms_alias]),
        )
        self.topic_policy = aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=topic_policy(acct, topic_arn, args.configuration_set),
            opts=child,
        )
        dlq_name = f"{topic_name}-dlq"[:80]
        queue_name = topic_name[:80]
        self.dead_letter_queue = aws.sqs.Queue(
            f"{name}-dlq",
            name=dlq_name,
            sqs_managed_sse_enabled=True,
            message_retention_seconds=RETENTION,
            opts=child,
        )
        self.queue = aws.sqs.Queue(
            f"{name}-queue",
            name=queue_name,
            sqs_managed_sse_enabled=True,
            message_retention_seconds=RETENTION,
            # Written from the DLQ's name so it is known at preview; depends_on keeps the order.
            redrive_policy=json.dumps(
                {"deadLetterTargetArn": acct.arn("sqs", dlq_name), "maxReceiveCount": MAX_RECEIVES}
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.dead_letter_queue]),
        )
        self.queue_policy = aws.sqs.QueuePolicy(
            f"{name}-queue-policy",
            queue_url=self.queue.url,
            policy=queue_policy(acct.arn("sqs", queue_name), topic_arn),
            opts=child,
        )
        self.subscriptions = [
            aws.sns.TopicSubscription(
                f"{name}-queue-subscription",
                topic=self.topic.arn,
                protocol="sqs",
                endpoint=self.queue.arn,
                raw_message_delivery=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.queue_policy]),
            )
        ]
        if args.webhook_url is not None:
            self.subscriptions.append(
                aws.sns.TopicSubscription(
                    f"{name}-webhook-subscription",
                    topic=self.topic.arn,
                    protocol="https",
                    endpoint=args.webhook_url,
                    opts=child,
                )
            )
        self.event_destination = aws.sesv2.ConfigurationSetEventDestination(
            f"{name}-event-destination",
            configuration_set_name=args.configuration_set_name,
            event_destination_name="feedback-sns",
            event_destination=aws.sesv2.ConfigurationSetEventDestinationEventDestinationArgs(
                enabled=True,
                matching_event_types=list(args.event_types),
                sns_destination=aws.sesv2.ConfigurationSetEventDestinationEventDestinationSnsDestinationArgs(
                    topic_arn=self.topic.arn,
                ),
            ),
            # SES checks it may publish when the destination is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.topic_policy]),
        )
        self.register_outputs({"topicArn": self.topic.arn, "queueUrl": self.queue.url})
