package ses.events_test

import data.lib.sesfix_test as fx
import data.ses.events

_queue_urn := fx.urn(fx.t_queue, "queue")

test_ses015_compliant if count(fx.of(_deny(fx.sender), "SES-015")) == 0

test_ses015_fifo_topic if {
	fs := _deny(fx.patch(fx.sender, fx.t_topic, "feedback", {"fifoTopic": true}))
	fx.of(fs, "SES-015") == {_topic_urn}
	_msg_has(fs, "SES-015", "FIFO")
	some f in fs
	f.rule == "SES-015"
	f.enforcement == "advisory"
}

test_ses015_fifo_name if {
	fs := _deny(fx.patch(fx.sender, fx.t_topic, "feedback", {"name": "feedback.fifo"}))
	fx.of(fs, "SES-015") == {_topic_urn}
}

test_ses015_not_encrypted if {
	fs := _deny(fx.remove_prop(fx.sender, fx.t_topic, "feedback", "kmsMasterKeyId"))
	fx.of(fs, "SES-015") == {_topic_urn}
	_msg_has(fs, "SES-015", "not encrypted")
}

test_ses015_queue_without_dlq if {
	fs := _deny(fx.remove_prop(fx.sender, fx.t_queue, "queue", "redrivePolicy"))
	fx.of(fs, "SES-015") == {_queue_urn}
	_msg_has(fs, "SES-015", "has no dead-letter queue")
}

test_ses015_redrive_without_target if {
	fs := _deny(fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": "{\"maxReceiveCount\": 5}"}))
	fx.of(fs, "SES-015") == {_queue_urn}
}

# JSON text that is not an object names no dead-letter queue: a finding, not a stopped evaluation.
test_ses015_redrive_not_an_object if {
	every text in ["[1]", "5", "\"arn:aws:sqs:us-east-1:1:dlq\""] {
		fs := _deny(fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": text}))
		fx.of(fs, "SES-015") == {_queue_urn}
		_msg_has(fs, "SES-015", "has no dead-letter queue")
	}
}

test_ses015_redrive_unknown_cannot_verify if {
	fs := _deny(fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": fx.U}))
	_msg_has(fs, "SES-015", "cannot verify")
}

test_ses015_standalone_redrive_policy if {
	rp := fx.res("aws:sqs/redrivePolicy:RedrivePolicy", "rp", {"queueUrl": fx.U, "redrivePolicy": {"deadLetterTargetArn": fx.U}}, [[fx.t_queue, "queue"]])
	rs := array.concat(fx.remove_prop(fx.sender, fx.t_queue, "queue", "redrivePolicy"), [rp])
	count(fx.of(_deny(rs), "SES-015")) == 0
}

test_ses015_standalone_redrive_policy_by_url if {
	rp := fx.res("aws:sqs/redrivePolicy:RedrivePolicy", "rp", {"queueUrl": "https://sqs.us-east-1.amazonaws.com/1/q", "redrivePolicy": json.marshal({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:dlq"})}, [])
	rs := array.concat(fx.patch(fx.remove_prop(fx.sender, fx.t_queue, "queue", "redrivePolicy"), fx.t_queue, "queue", {"url": "https://sqs.us-east-1.amazonaws.com/1/q"}), [rp])
	count(fx.of(_deny(rs), "SES-015")) == 0
}

test_ses015_alert_topic_not_judged if {
	fs := _deny(fx.remove_prop(fx.sender, fx.t_topic, "alerts", "kmsMasterKeyId"))
	count(fx.of(fs, "SES-015")) == 0
}

test_ses015_unknown_queue_name_uses_logical_name if {
	fs := _deny(fx.patch(fx.remove_prop(fx.sender, fx.t_queue, "queue", "redrivePolicy"), fx.t_queue, "queue", {"name": fx.U}))
	_msg_has(fs, "SES-015", "SQS queue queue (subscribed to ses-feedback-prod)")
}

test_ses015_queue_found_by_known_arn if {
	rs := fx.patch(fx.remove_prop(fx.sender, fx.t_queue, "queue", "redrivePolicy"), fx.t_sub, "queue-sub", {"endpoint": "arn:aws:sqs:us-east-1:123456789012:ses-feedback-prod"})
	subs := [object.union(r, {"dependencies": [fx.urn(fx.t_topic, "feedback")]}) | some r in rs; r.type == fx.t_sub]
	others := [r | some r in rs; r.type != fx.t_sub]
	fx.of(_deny(array.concat(others, subs)), "SES-015") == {_queue_urn}
}

test_ses015_property_of_the_wrong_type_cannot_be_verified if {
	fs := _deny(fx.patch(fx.sender, fx.t_topic, "feedback", {"fifoTopic": "false"}))
	fx.of(fs, "SES-015") == {_topic_urn}
	_msg_has(fs, "SES-015", `fifoTopic is a string ("false"), not a boolean; cannot verify`)
}

# The usual queue's dead-letter check agrees with the general one on queues one step off it.
test_ses015_gate_agrees_with_the_rules if {
	rp := fx.res("aws:sqs/redrivePolicy:RedrivePolicy", "rp", {"queueUrl": fx.U, "redrivePolicy": "{}"}, [[fx.t_queue, "queue"]])
	variants := [
		fx.sender,
		fx.remove_prop(fx.sender, fx.t_queue, "queue", "redrivePolicy"),
		fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": "{\"maxReceiveCount\": 5}"}),
		fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": "{\"deadLetterTargetArn\": \"\"}"}),
		fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": {"deadLetterTargetArn": fx.U}}),
		fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": fx.U}),
		fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": "[1]"}),
		array.concat(fx.sender, [rp]),
	]
	every rs in variants {
		_deny(rs) == _deny_ungated(rs)
	}
}

# The topic found fine for SES-013, SES-014 and SES-015 at once leaves out only topics the three
# checks find nothing in: with it off, the same findings for topics one step off it (each
# property the gate reads, a second subscription, a second topic, a queue one step off).
test_topic_fine_gate_agrees_with_the_rules if {
	second := fx.res(fx.t_topic, "feedback2", {"name": "ses-feedback-2", "fifoTopic": false, "kmsMasterKeyId": "k"}, [])
	dest2 := fx.res(fx.t_dest, "dest2", {"configurationSetName": "prod", "eventDestination": {"enabled": true, "matchingEventTypes": ["BOUNCE", "COMPLAINT"], "snsDestination": {"topicArn": fx.U}}}, [[fx.t_topic, "feedback2"]])
	variants := [
		fx.sender,
		fx.patch(fx.sender, fx.t_topic, "feedback", {"fifoTopic": true}),
		fx.patch(fx.sender, fx.t_topic, "feedback", {"fifoTopic": "false"}),
		fx.patch(fx.sender, fx.t_topic, "feedback", {"name": "feedback.fifo"}),
		fx.remove_prop(fx.sender, fx.t_topic, "feedback", "kmsMasterKeyId"),
		fx.patch(fx.sender, fx.t_topic, "feedback", {"kmsMasterKeyId": ""}),
		fx.patch(fx.sender, fx.t_topic, "feedback", {"kmsMasterKeyId": 5}),
		fx.drop(fx.sender, fx.t_policy, "feedback-policy"),
		fx.patch(fx.sender, fx.t_policy, "feedback-policy", {"policy": fx.U}),
		fx.drop(fx.sender, fx.t_sub, "queue-sub"),
		fx.patch(fx.sender, fx.t_sub, "queue-sub", {"protocol": "SQS"}),
		fx.patch(fx.sender, fx.t_sub, "queue-sub", {"protocol": "http"}),
		fx.patch(fx.sender, fx.t_sub, "queue-sub", {"protocol": 5}),
		fx.patch(fx.sender, fx.t_sub, "queue-sub", {"endpoint": 5}),
		fx.patch(fx.sender, fx.t_sub, "queue-sub", {"endpoint": "arn:aws:sqs:us-east-1:1:elsewhere"}),
		fx.remove_prop(fx.sender, fx.t_queue, "queue", "redrivePolicy"),
		fx.patch(fx.sender, fx.t_queue, "queue", {"redrivePolicy": fx.U}),
		array.concat(fx.sender, [_ses013_hook({"protocol": "https", "endpoint": "https://hooks.example.com"})]),
		array.concat(fx.sender, [_ses013_hook({"protocol": "http", "endpoint": "http://hooks.example.com"})]),
		array.concat(fx.sender, [second, dest2]),
	]
	every rs in variants {
		_deny(rs) == _deny_ungated(rs)
	}
}

# The compliant sender's feedback topic is the one the gate is for; the alert topic is no SES topic.
test_topic_fine_the_usual_topic if {
	events._topic_fine == {_topic_urn} with input as fx.stack(fx.sender)
	events._topics_fine with input as fx.stack(fx.sender)
}

# --- a dead-letter queue is not a subscriber (issue 20) -------------------------------------------

_dlq_urn := fx.urn(fx.t_queue, "dlq")

# Terraform's dependencies are transitive: the subscription whose endpoint (the queue's ARN) is
# unknown at plan depends on the queue and, through its redrive policy, on the dead-letter queue.
_transitive := _with_deps(fx.sender, fx.t_sub, "queue-sub", [fx.urn(fx.t_topic, "feedback"), _queue_urn, _dlq_urn])

test_ses015_dead_letter_queue_reached_through_the_queue_is_not_subscribed if {
	count(fx.of(_deny(_transitive), "SES-015")) == 0
}

test_ses015_queue_without_dlq_is_reported_not_its_neighbours if {
	rs := fx.remove_prop(_transitive, fx.t_queue, "queue", "redrivePolicy")
	fs := _deny(rs)
	fx.of(fs, "SES-015") == {_queue_urn}
	_msg_has(fs, "SES-015", "ses-feedback-prod (subscribed to")
}

# Subscribed to the dead-letter queue itself (nothing depends on it): judged as a subscriber.
test_ses015_subscription_to_a_queue_without_dlq_is_reported if {
	rs := _with_deps(fx.sender, fx.t_sub, "queue-sub", [fx.urn(fx.t_topic, "feedback"), _dlq_urn])
	fx.of(_deny(rs), "SES-015") == {_dlq_urn}
}

# Two queues neither depends on: both may be the endpoint, both are judged.
test_ses015_two_unrelated_candidate_queues_are_both_judged if {
	other := fx.res(fx.t_queue, "other", {"name": "other", "arn": fx.U}, [])
	rs := array.concat(_with_deps(fx.sender, fx.t_sub, "queue-sub", [fx.urn(fx.t_topic, "feedback"), _queue_urn, fx.urn(fx.t_queue, "other")]), [other])
	fx.of(_deny(rs), "SES-015") == {fx.urn(fx.t_queue, "other")}
}

_with_deps(rs, t, n, deps) := [x |
	some r in rs
	x := _deps_of(r, fx.urn(t, n), deps)
]

_deps_of(r, u, deps) := object.union(r, {"dependencies": deps}) if r.urn == u

else := r
