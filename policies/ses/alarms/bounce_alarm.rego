package ses.alarms

import data.lib.alarms
import data.lib.result
import data.lib.sending

# METADATA
# title: A CloudWatch alarm fires before the bounce rate reaches AWS's review level
# description: |
#   AWS puts an account under review at a 5 % bounce rate and may pause sending at 10 %. An alarm
#   on `AWS/SES` `Reputation.BounceRate` (statistic Average or Maximum) with a threshold at or
#   below the limit (0.05, tightened by settings or the stack's `sesguard:thresholds.bounce_rate`),
#   comparison GreaterThanThreshold or GreaterThanOrEqualToThreshold, and an enabled alarm action
#   warns people first. An alarm through `metricQueries` counts when the query that returns data
#   is that metric; math expressions do not. A threshold unknown until apply cannot be verified.
#   Only stacks that declare SES resources are judged.
# custom:
#   id: SES-021
#   slug: bounce-alarm
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare a CloudWatch alarm on `AWS/SES` `Reputation.BounceRate` (statistic Average), threshold
#     0.05 or lower, comparison GreaterThanOrEqualToThreshold, with an alarm action to a subscribed SNS
#     topic.
#   remediation_code:
#     python: |
#       aws.cloudwatch.MetricAlarm("bounce-rate", namespace="AWS/SES", metric_name="Reputation.BounceRate",
#           statistic="Average", period=900, evaluation_periods=1, threshold=0.05,
#           comparison_operator="GreaterThanOrEqualToThreshold", alarm_actions=[alerts.arn])
#     typescript: |
#       new aws.cloudwatch.MetricAlarm("bounce-rate", {
#           namespace: "AWS/SES",
#           metricName: "Reputation.BounceRate",
#           statistic: "Average",
#           period: 900,
#           evaluationPeriods: 1,
#           threshold: 0.05,
#           comparisonOperator: "GreaterThanOrEqualToThreshold",
#           alarmActions: [alerts.arn],
#       });
#     go: |
#       _, err = cloudwatch.NewMetricAlarm(ctx, "bounce-rate", &cloudwatch.MetricAlarmArgs{
#       	Namespace:          pulumi.String("AWS/SES"),
#       	MetricName:         pulumi.String("Reputation.BounceRate"),
#       	Statistic:          pulumi.String("Average"),
#       	Period:             pulumi.Int(900),
#       	EvaluationPeriods:  pulumi.Int(1),
#       	Threshold:          pulumi.Float64(0.05),
#       	ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
#       	AlarmActions:       pulumi.Array{alerts.Arn},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       new Aws.CloudWatch.MetricAlarm("bounce-rate", new()
#       {
#           Namespace = "AWS/SES",
#           MetricName = "Reputation.BounceRate",
#           Statistic = "Average",
#           Period = 900,
#           EvaluationPeriods = 1,
#           Threshold = 0.05,
#           ComparisonOperator = "GreaterThanOrEqualToThreshold",
#           AlarmActions = new[] { alerts.Arn },
#       });
#     yaml: |
#       resources:
#         bounceRate:
#           type: aws:cloudwatch:MetricAlarm
#           properties:
#             namespace: AWS/SES
#             metricName: Reputation.BounceRate
#             statistic: Average
#             period: 900
#             evaluationPeriods: 1
#             threshold: 0.05
#             comparisonOperator: GreaterThanOrEqualToThreshold
#             alarmActions: ["${alerts.arn}"]
#     terraform: |
#       resource "aws_cloudwatch_metric_alarm" "bounce_rate" {
#         alarm_name          = "ses-bounce-rate"
#         namespace           = "AWS/SES"
#         metric_name         = "Reputation.BounceRate"
#         statistic           = "Average"
#         period              = 900
#         evaluation_periods  = 1
#         threshold           = 0.05
#         comparison_operator = "GreaterThanOrEqualToThreshold"
#         alarm_actions       = [aws_sns_topic.alerts.arn]
#       }
#     cloudformation: |
#       Resources:
#         BounceRateAlarm:
#           Type: AWS::CloudWatch::Alarm
#           Properties:
#             Namespace: AWS/SES
#             MetricName: Reputation.BounceRate
#             Statistic: Average
#             Period: 900
#             EvaluationPeriods: 1
#             Threshold: 0.05
#             ComparisonOperator: GreaterThanOrEqualToThreshold
#             AlarmActions: [!Ref AlertsTopic]
#     cdk-typescript: |
#       const bounceRate = new cloudwatch.Alarm(this, 'BounceRate', {
#         metric: new cloudwatch.Metric({
#           namespace: 'AWS/SES',
#           metricName: 'Reputation.BounceRate',
#           statistic: 'Average',
#           period: cdk.Duration.hours(1),
#         }),
#         threshold: 0.05,
#         evaluationPeriods: 1,
#         comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
#       });
#       bounceRate.addAlarmAction(new actions.SnsAction(alarmTopic));
#     cdk-python: |
#       bounce_rate = cloudwatch.Alarm(self, "BounceRate",
#           metric=cloudwatch.Metric(namespace="AWS/SES", metric_name="Reputation.BounceRate",
#               statistic="Average", period=cdk.Duration.hours(1)),
#           threshold=0.05,
#           evaluation_periods=1,
#           comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
#       bounce_rate.add_alarm_action(actions.SnsAction(alarm_topic))
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	sending.ses_stack
	some v in alarms.violations("Reputation.BounceRate", result.threshold("bounce_rate"))
}
