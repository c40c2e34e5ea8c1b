package ses.alarms

import data.lib.alarms
import data.lib.result
import data.lib.sending

# METADATA
# title: A CloudWatch alarm fires before the complaint rate reaches AWS's review level
# description: |
#   AWS puts an account under review at a 0.1 % complaint rate and may pause sending at 0.5 %.
#   An alarm on `AWS/SES` `Reputation.ComplaintRate` (statistic Average or Maximum) with a
#   threshold at or below the limit (0.001, tightened by settings or the stack's
#   `sesguard:thresholds.complaint_rate`), comparison GreaterThanThreshold or
#   GreaterThanOrEqualToThreshold, and an enabled alarm action warns people first. The same
#   `metricQueries` and unknown-threshold handling as SES-021 applies. Only stacks that declare
#   SES resources are judged.
# custom:
#   id: SES-022
#   slug: complaint-alarm
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare a CloudWatch alarm on `AWS/SES` `Reputation.ComplaintRate` (statistic Average),
#     threshold 0.001 or lower, comparison GreaterThanOrEqualToThreshold, with an alarm action to a
#     subscribed SNS topic.
#   remediation_code:
#     python: |
#       aws.cloudwatch.MetricAlarm("complaint-rate", namespace="AWS/SES", metric_name="Reputation.ComplaintRate",
#           statistic="Average", period=900, evaluation_periods=1, threshold=0.001,
#           comparison_operator="GreaterThanOrEqualToThreshold", alarm_actions=[alerts.arn])
#     typescript: |
#       new aws.cloudwatch.MetricAlarm("complaint-rate", {
#           namespace: "AWS/SES",
#           metricName: "Reputation.ComplaintRate",
#           statistic: "Average",
#           period: 900,
#           evaluationPeriods: 1,
#           threshold: 0.001,
#           comparisonOperator: "GreaterThanOrEqualToThreshold",
#           alarmActions: [alerts.arn],
#       });
#     go: |
#       _, err = cloudwatch.NewMetricAlarm(ctx, "complaint-rate", &cloudwatch.MetricAlarmArgs{
#       	Namespace:          pulumi.String("AWS/SES"),
#       	MetricName:         pulumi.String("Reputation.ComplaintRate"),
#       	Statistic:          pulumi.String("Average"),
#       	Period:             pulumi.Int(900),
#       	EvaluationPeriods:  pulumi.Int(1),
#       	Threshold:          pulumi.Float64(0.001),
#       	ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
#       	AlarmActions:       pulumi.Array{alerts.Arn},
#       })
#       if err != nil {
#       	return err
#       }
#     csharp: |
#       new Aws.CloudWatch.MetricAlarm("complaint-rate", new()
#       {
#           Namespace = "AWS/SES",
#           MetricName = "Reputation.ComplaintRate",
#           Statistic = "Average",
#           Period = 900,
#           EvaluationPeriods = 1,
#           Threshold = 0.001,
#           ComparisonOperator = "GreaterThanOrEqualToThreshold",
#           AlarmActions = new[] { alerts.Arn },
#       });
#     yaml: |
#       resources:
#         complaintRate:
#           type: aws:cloudwatch:MetricAlarm
#           properties:
#             namespace: AWS/SES
#             metricName: Reputation.ComplaintRate
#             statistic: Average
#             period: 900
#             evaluationPeriods: 1
#             threshold: 0.001
#             comparisonOperator: GreaterThanOrEqualToThreshold
#             alarmActions: ["${alerts.arn}"]
#     terraform: |
#       resource "aws_cloudwatch_metric_alarm" "complaint_rate" {
#         alarm_name          = "ses-complaint-rate"
#         namespace           = "AWS/SES"
#         metric_name         = "Reputation.ComplaintRate"
#         statistic           = "Average"
#         period              = 900
#         evaluation_periods  = 1
#         threshold           = 0.001
#         comparison_operator = "GreaterThanOrEqualToThreshold"
#         alarm_actions       = [aws_sns_topic.alerts.arn]
#       }
#     cloudformation: |
#       Resources:
#         ComplaintRateAlarm:
#           Type: AWS::CloudWatch::Alarm
#           Properties:
#             Namespace: AWS/SES
#             MetricName: Reputation.ComplaintRate
#             Statistic: Average
#             Period: 900
#             EvaluationPeriods: 1
#             Threshold: 0.001
#             ComparisonOperator: GreaterThanOrEqualToThreshold
#             AlarmActions: [!Ref AlertsTopic]
#     cdk-typescript: |
#       const complaintRate = new cloudwatch.Alarm(this, 'ComplaintRate', {
#         metric: new cloudwatch.Metric({
#           namespace: 'AWS/SES',
#           metricName: 'Reputation.ComplaintRate',
#           statistic: 'Average',
#           period: cdk.Duration.hours(1),
#         }),
#         threshold: 0.001,
#         evaluationPeriods: 1,
#         comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
#       });
#       complaintRate.addAlarmAction(new actions.SnsAction(alarmTopic));
#     cdk-python: |
#       complaint_rate = cloudwatch.Alarm(self, "ComplaintRate",
#           metric=cloudwatch.Metric(namespace="AWS/SES", metric_name="Reputation.ComplaintRate",
#               statistic="Average", period=cdk.Duration.hours(1)),
#           threshold=0.001,
#           evaluation_periods=1,
#           comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
#       complaint_rate.add_alarm_action(actions.SnsAction(alarm_topic))
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	sending.ses_stack
	some v in alarms.violations("Reputation.ComplaintRate", result.threshold("complaint_rate"))
}
