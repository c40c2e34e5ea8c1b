package ses.alarms

import data.lib
import data.lib.alarms
import data.lib.result
import data.lib.sending
import data.lib.topics

# METADATA
# title: Reputation alarms reach a subscribed topic
# description: |
#   An alarm whose action is a topic nobody subscribes to changes state in silence. Every action
#   of an alarm on `Reputation.BounceRate` or `Reputation.ComplaintRate` should be an SNS topic
#   declared in this stack with at least one subscription; an action elsewhere (another stack,
#   another service) cannot be verified and is reported.
# custom:
#   id: SES-023
#   slug: alarm-routing
#   severity: medium
#   enforcement: advisory
#   remediation: |
#     `alerts = aws.sns.Topic("alerts")`,
#     `aws.sns.TopicSubscription("oncall", topic=alerts.arn, protocol="email", endpoint="oncall@example.com")`,
#     and `alarm_actions=[alerts.arn]` on the alarm.
deny contains result.finding(rego.metadata.rule(), v.resource, v.msg) if {
	some v in _ses023
}

_reputation_metrics := ["Reputation.BounceRate", "Reputation.ComplaintRate"]

_ses023_actions contains [a.resource, action] if {
	some m in _reputation_metrics
	some a in alarms.alarms(m)
	acts := a.resource.props.alarmActions
	is_array(acts)
	some action in acts
}

_ses023 contains {"resource": r, "msg": msg} if {
	some [r, action] in _ses023_actions
	count(topics.resolve_topic(action, r)) == 0
	msg := sprintf("alarm %s: action %s is not an SNS topic declared in this stack; cannot verify anyone is notified", [r.name, _action_name(action)])
}

_ses023 contains {"resource": r, "msg": msg} if {
	some [r, action] in _ses023_actions
	some t in topics.resolve_topic(action, r)
	count(topics.subscriptions(t)) == 0
	msg := sprintf("alarm %s notifies SNS topic %s, which has no subscription", [r.name, sending.topic_name(t)])
}

_action_name(a) := "(unknown until apply)" if lib.unknown(a)

else := a if is_string(a)

else := sprintf("%v", [a])
