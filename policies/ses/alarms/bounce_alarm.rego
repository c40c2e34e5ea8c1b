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
#     ```python
#     aws.cloudwatch.MetricAlarm("bounce-rate", namespace="AWS/SES", metric_name="Reputation.BounceRate",
#         statistic="Average", period=900, evaluation_periods=1, threshold=0.05,
#         comparison_operator="GreaterThanOrEqualToThreshold", alarm_actions=[alerts.arn])
#     ```
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	sending.ses_stack
	some v in alarms.violations("Reputation.BounceRate", result.threshold("bounce_rate"))
}
