# Test fixtures shared by the SES-011…026 tests: one compliant sender shaped like a real
# `pulumi preview` (ARNs unknown, references recorded as dependencies), and helpers to break it.
package lib.sesfix_test

U := "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_urn(t, n) := sprintf("urn:pulumi:prod::ses-sender::%s::%s", [t, n])

res(t, n, props, deps) := {
	"urn": _urn(t, n),
	"type": t,
	"name": n,
	"props": props,
	"parent": null,
	"dependencies": [_urn(tt, nn) | some [tt, nn] in deps],
}

t_identity := "aws:sesv2/emailIdentity:EmailIdentity"

t_cs := "aws:sesv2/configurationSet:ConfigurationSet"

t_dest := "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination"

t_topic := "aws:sns/topic:Topic"

t_policy := "aws:sns/topicPolicy:TopicPolicy"

t_sub := "aws:sns/topicSubscription:TopicSubscription"

t_queue := "aws:sqs/queue:Queue"

t_supp := "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes"

t_alarm := "aws:cloudwatch/metricAlarm:MetricAlarm"

urn(t, n) := _urn(t, n)

topic_policy_json := json.marshal({
	"Version": "2012-10-17",
	"Statement": [{
		"Sid": "AllowSes",
		"Effect": "Allow",
		"Principal": {"Service": "ses.amazonaws.com"},
		"Action": "sns:Publish",
		"Resource": U,
		"Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}, "ArnLike": {"AWS:SourceArn": U}},
	}],
})

alarm_props(metric, threshold) := {
	"namespace": "AWS/SES",
	"metricName": metric,
	"statistic": "Average",
	"threshold": threshold,
	"comparisonOperator": "GreaterThanOrEqualToThreshold",
	"alarmActions": [U],
}

sender := [
	res(t_identity, "identity", {"emailIdentity": "example.com", "configurationSetName": "prod"}, [[t_cs, "cs"]]),
	res(t_cs, "cs", {
		"configurationSetName": "prod",
		"reputationOptions": {"reputationMetricsEnabled": true},
		"sendingOptions": {"sendingEnabled": true},
		"suppressionOptions": {"suppressedReasons": ["BOUNCE", "COMPLAINT"]},
		"deliveryOptions": {"tlsPolicy": "REQUIRE"},
	}, []),
	res(t_topic, "feedback", {"name": "ses-feedback-prod", "arn": U, "fifoTopic": false, "kmsMasterKeyId": U}, []),
	res(t_policy, "feedback-policy", {"arn": U, "policy": topic_policy_json}, [[t_topic, "feedback"]]),
	res(t_queue, "dlq", {"name": "ses-feedback-prod-dlq", "arn": U}, []),
	res(t_queue, "queue", {
		"name": "ses-feedback-prod", "arn": U,
		"redrivePolicy": json.marshal({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:ses-feedback-prod-dlq", "maxReceiveCount": 5}),
	}, [[t_queue, "dlq"]]),
	res(t_sub, "queue-sub", {"topic": U, "protocol": "sqs", "endpoint": U}, [[t_topic, "feedback"], [t_queue, "queue"]]),
	res(t_dest, "dest", {
		"configurationSetName": "prod",
		"eventDestinationName": "feedback",
		"eventDestination": {
			"enabled": true,
			"matchingEventTypes": ["BOUNCE", "COMPLAINT", "DELIVERY"],
			"snsDestination": {"topicArn": U},
		},
	}, [[t_cs, "cs"], [t_topic, "feedback"], [t_policy, "feedback-policy"]]),
	res(t_supp, "suppression", {"suppressedReasons": ["BOUNCE", "COMPLAINT"]}, []),
	res(t_topic, "alerts", {"name": "alerts", "arn": U, "kmsMasterKeyId": "alias/sns"}, []),
	res(t_sub, "alerts-email", {"topic": U, "protocol": "email", "endpoint": "oncall@example.com"}, [[t_topic, "alerts"]]),
	res(t_alarm, "bounce", alarm_props("Reputation.BounceRate", 0.05), [[t_topic, "alerts"]]),
	res(t_alarm, "complaint", alarm_props("Reputation.ComplaintRate", 0.001), [[t_topic, "alerts"]]),
]

stack(resources) := {
	"schema": "sesguard/stack/v1",
	"source": "preview",
	"project": "ses-sender",
	"stack": "prod",
	"region": "us-east-1",
	"config": {},
	"resources": resources,
}

stack_config(resources, config) := object.union(stack(resources), {"config": config})

# The sender with resource (type, name)'s props merged with patch (deep).
patch(rs, t, n, p) := [x |
	some r in rs
	x := _patched(r, _urn(t, n), p)
]

_patched(r, u, p) := object.union(r, {"props": object.union(r.props, p)}) if r.urn == u

else := r

# The sender with resource (type, name)'s props replaced.
replace(rs, t, n, props) := [x |
	some r in rs
	x := _replaced(r, _urn(t, n), props)
]

_replaced(r, u, props) := object.union(object.remove(r, ["props"]), {"props": props}) if r.urn == u

else := r

# Without a top-level property of one resource.
remove_prop(rs, t, n, key) := [x |
	some r in rs
	x := _removed(r, _urn(t, n), key)
]

_removed(r, u, key) := object.union(object.remove(r, ["props"]), {"props": object.remove(r.props, [key])}) if r.urn == u

else := r

drop(rs, t, n) := [r | some r in rs; r.urn != _urn(t, n)]

# Findings of one rule in a deny set: the set of resource URNs ("" for stack-level).
of(fs, id) := {f.resource | some f in fs; f.rule == id}

msgs(fs, id) := {f.message | some f in fs; f.rule == id}
