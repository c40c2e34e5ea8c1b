"""CloudWatch alarms on the two reputation metrics AWS reviews accounts by."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

PERIOD = 900  # SES updates reputation metrics a few times an hour; 15 minutes catches a trend early


@dataclass(frozen=True)
class AlarmsArgs:
    topic_name: str
    bounce_rate: float
    complaint_rate: float
    emails: tuple[str, ...]
    kms_key_id: str
    kms_alias: pulumi.Resource


class ReputationAlarms(pulumi.ComponentResource):
    """SES-021/022/023: alarms at or below AWS's review levels (bounce 5 %, complaint 0.1 %) that
    notify people through a subscribed topic before AWS pauses sending. Missing data is ignored:
    SES publishes no rate until there is volume, and a quiet account is not an incident."""

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sesguard:index:ReputationAlarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(
            f"{name}-alerts",
            name=args.topic_name,
            fifo_topic=False,
            kms_master_key_id=args.kms_key_id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.kms_alias]),
        )
        self.subscriptions = [
            aws.sns.TopicSubscription(
                f"{name}-alerts-email-{i}", topic=self.topic.arn, protocol="email", endpoint=email, opts=child
            )
            for i, email in enumerate(args.emails)
        ]
        self.bounce = self._alarm(name, "bounce-rate", "Reputation.BounceRate", args.bounce_rate, child)
        self.complaint = self._alarm(
            name, "complaint-rate", "Reputation.ComplaintRate", args.complaint_rate, child
        )
        self.register_outputs({"alertsTopicArn": self.topic.arn})

    def _alarm(
        self, name: str, key: str, metric: str, threshold: float, opts: pulumi.ResourceOptions
    ) -> aws.cloudwatch.MetricAlarm:
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{key}",
            alarm_description=f"SES {metric} reached {threshold}; AWS reviews the account at its own level",
            namespace="AWS/SES",
            metric_name=metric,
            statistic="Average",
            period=PERIOD,
            evaluation_periods=1,
            threshold=threshold,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="ignore",
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            opts=opts,
        )
