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
#     ```python
#     aws.cloudwatch.MetricAlarm("complaint-rate", namespace="AWS/SES", metric_name="Reputation.ComplaintRate",
#         statistic="Average", period=900, evaluation_periods=1, threshold=0.001,
#         comparison_operator="GreaterThanOrEqualToThreshold", alarm_actions=[alerts.arn])
#     ```
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	sending.ses_stack
	some v in alarms.violations("Reputation.ComplaintRate", result.threshold("complaint_rate"))
}
